// "3 of 10 answered" under the quiz as the learner answers. Progressive enhancement: the form
// is complete without this script; the counter is shown only when the script runs.
(function () {
  "use strict";
  document.querySelectorAll("form.quiz-form").forEach(function (form) {
    var box = form.querySelector("[data-quiz-progress]");
    if (!box) return;
    var items = form.querySelectorAll("fieldset.quiz-item");
    var count = box.querySelector("[data-answered]");
    var bar = box.querySelector("progress");

    function update() {
      var answered = 0;
      items.forEach(function (item) {
        if (item.querySelector("input:checked")) answered += 1;
      });
      count.textContent = String(answered);
      if (bar) bar.value = answered;
      box.classList.toggle("is-complete", answered === items.length);
    }

    form.addEventListener("change", update);
    update(); // answers kept after a blank one was named count from the start
    box.hidden = false;
  });
})();
