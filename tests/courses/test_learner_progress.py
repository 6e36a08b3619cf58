"""A learner coming back: the modules they finished, where to continue, one numbering of
modules, and where they stand with the quiz and the certificate."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from ceengine.courses.format import read_courses
from ceengine.courses.models import FinishedModule
from ceengine.courses.services import sync_courses
from ceengine.extensions import db
from tests.support.app import PROJECT_COURSES
from tests.support.certificate_steps import issue, take_quiz
from tests.support.feedback_steps import set_course
from tests.support.html import form_posting_to, html_of, text_of

COURSE = "/courses/demo-modules"
MODULES = ["getting-started", "settling-the-mind", "acting-with-compassion"]
ONLY_SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def press_next(client, module: str):
    """Open a module and press Next at its end (the form posts with the page's CSRF token)."""
    page = client.get(f"{COURSE}/modules/{module}").get_data(as_text=True)
    form = form_posting_to(page, f"/modules/{module}/done")
    return client.post(form.action, data=form.hidden)


def module_states(html: str) -> dict[str, str]:
    """Each module of the course page's list: 'done', 'opened' or 'new'."""
    section = html.split('id="modules-heading"', 1)[1].split("</section>", 1)[0]
    found = re.findall(
        r'<li class="module-(\w+)"><a href="/courses/demo-modules/modules/([\w-]+)"', section
    )
    return {slug: state for state, slug in found}


def welcome_back(html: str) -> str:
    """The text of the box at the top of the course page ('' when there is none)."""
    match = re.search(r'<section class="welcome-back".*?</section>', html_of(html), re.S)
    return text_of(match.group(0)) if match else ""


def test_next_ticks_the_module_and_the_course_page_says_where_to_continue(synced, client):
    response = press_next(client, "getting-started")
    assert response.status_code == 303
    assert response.headers["Location"] == f"{COURSE}/modules/settling-the-mind"

    html = client.get(COURSE).get_data(as_text=True)
    assert module_states(html) == {
        "getting-started": "done",
        "settling-the-mind": "new",  # not opened yet: the redirect was not followed
        "acting-with-compassion": "new",
    }
    page = text_of(html)
    assert "Getting Started ✓ (done)" in page
    assert "1 of 3 modules done · 2 modules left before the quiz" in page
    box = welcome_back(html)
    assert "Continue where you left off" in box
    assert "Module 2 of 3: Settling the Mind" in box
    assert f'href="{COURSE}/modules/settling-the-mind">Continue where you left off' in html
    assert "Start the course" not in page


def test_a_module_opened_but_not_finished_is_marked_opened(synced, client):
    client.get(COURSE)  # the first visit gets the learner cookie; openings wait for its return
    client.get(f"{COURSE}/modules/acting-with-compassion")
    client.get(COURSE)
    states = module_states(client.get(COURSE).get_data(as_text=True))
    assert states == {
        "getting-started": "new",
        "settling-the-mind": "new",
        "acting-with-compassion": "opened",
    }
    # Where to continue is the first module not finished, in course order.
    assert "Module 1 of 3: Getting Started" in welcome_back(
        client.get(COURSE).get_data(as_text=True)
    )


def test_module_pages_tick_finished_modules_and_count_what_is_left(synced, client):
    press_next(client, "getting-started")
    html = client.get(f"{COURSE}/modules/settling-the-mind").get_data(as_text=True)
    page = text_of(html)
    assert "Module 2 of 3" in page
    assert "1 of 3 modules done · 2 modules left before the quiz" in page
    assert "Getting Started ✓ (done)" in page
    # The list folds into a native <details> on a phone (CSS shows one list per width).
    assert re.search(r'<details class="module-menu">\s*<summary>All 3 modules</summary>', html)


def test_after_the_last_module_next_opens_the_quiz_and_the_course_page_points_there(synced, client):
    for module in MODULES:
        response = press_next(client, module)
    assert response.headers["Location"] == f"{COURSE}/quiz"
    html = client.get(COURSE).get_data(as_text=True)
    assert set(module_states(html).values()) == {"done"}
    assert "3 of 3 modules done · all done: the quiz is next" in text_of(html)
    assert 'href="#quiz">Go to the quiz</a>' in welcome_back_html(html)


def welcome_back_html(html: str) -> str:
    match = re.search(r'<section class="welcome-back".*?</section>', html, re.S)
    return match.group(0) if match else ""


def test_progress_is_only_the_learners_own(synced, app, client):
    press_next(client, "getting-started")
    stranger = app.test_client()
    html = stranger.get(COURSE).get_data(as_text=True)
    assert set(module_states(html).values()) == {"new"}
    assert welcome_back(html) == ""
    assert "Start the course" in text_of(html)


def test_pressing_next_twice_keeps_one_record_and_its_first_time(synced, client):
    press_next(client, "getting-started")
    first = db.session.scalar(sa.select(FinishedModule.finished_at))
    press_next(client, "getting-started")
    rows = db.session.scalars(sa.select(FinishedModule)).all()
    assert len(rows) == 1
    assert rows[0].finished_at == first
    assert rows[0].module == "getting-started"


def test_next_without_the_pages_token_is_refused(synced, client):
    client.get(f"{COURSE}/modules/getting-started")
    response = client.post(f"{COURSE}/modules/getting-started/done", data={})
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FinishedModule)) == 0
    assert client.post(f"{COURSE}/modules/nope/done").status_code in (400, 404)


def test_ticks_survive_a_new_version_of_the_course(synced, client, courses_dir):
    press_next(client, "getting-started")
    module = courses_dir / "demo-modules" / "modules" / "02-settling-the-mind.md"
    module.write_text(module.read_text() + "\nOne more sentence.\n")
    sync_courses(courses_dir)
    assert module_states(client.get(COURSE).get_data(as_text=True))["getting-started"] == "done"


@ONLY_SQLITE
def test_progress_is_read_through_indexes_by_learner_and_course(synced):
    for table, columns in (
        ("finished_modules", "module"),
        ("course_openings", "module"),
    ):
        plan = db.session.execute(
            sa.text(
                f"EXPLAIN QUERY PLAN SELECT {columns} FROM {table} "
                "WHERE learner_id = 1 AND course_id = 1"
            )
        ).all()
        detail = " ".join(row[-1] for row in plan)
        assert "USING INDEX" in detail or "USING COVERING INDEX" in detail, detail
        assert "SCAN" not in detail, detail


# One numbering


def test_the_shipped_module_titles_carry_no_number_of_their_own():
    specs, problems = read_courses(PROJECT_COURSES)
    assert not [w for w in problems.warnings if "carries its own number" in w.message]
    cbct = next(s for s in specs if s.slug == "cognitively-based-compassion-training")
    assert cbct.content["modules"][2]["title"] == "Developing Stable and Clear Attention"


def test_a_module_page_numbers_the_module_one_way(synced, client):
    html = client.get(f"{COURSE}/modules/settling-the-mind").get_data(as_text=True)
    breadcrumb = text_of(html.split('class="breadcrumb"', 1)[1].split("</nav>", 1)[0])
    heading = text_of(re.search(r"<h1>.*?</h1>", html, re.S).group(0))
    assert breadcrumb.endswith("Module 2")
    assert heading == "Module 2 Settling the Mind"
    assert "Module 2 of 3" in text_of(html)


@ONLY_SQLITE
def test_courses_check_warns_at_a_title_that_numbers_itself(runner, courses_dir):
    module = courses_dir / "demo-modules" / "modules" / "02-settling-the-mind.md"
    module.write_text(
        module.read_text().replace("# Settling the Mind", "# Module 1: Settling the Mind", 1)
    )

    result = runner.invoke(args=["courses", "check"])

    assert result.exit_code == 0, result.output  # advice: the course still loads
    assert (
        "courses/demo-modules/modules/02-settling-the-mind.md:1: warning: module title "
        "'Module 1: Settling the Mind' carries its own number; pages show it as "
        "'Module 2 of 3' from the file order: leave the number out of the title. Write it "
        "like this:\n    # Settling the Mind\n"
    ) in result.output
    module.write_text(module.read_text().replace("# Module 1: Settling", "# Settling", 1))
    assert "carries its own number" not in runner.invoke(args=["courses", "check"]).output


# Where a returning learner stands


def test_a_first_visit_has_no_welcome_back(synced, client):
    assert welcome_back(client.get(COURSE).get_data(as_text=True)) == ""


def test_not_passed_says_how_many_attempts_are_left(synced, client):
    take_quiz(client, "demo-modules", passing=False)
    html = client.get(COURSE).get_data(as_text=True)
    box = welcome_back(html)
    assert "Not passed yet." in box
    assert "scored 0% (the pass mark is 80%)" in box
    assert "You have 1 attempt left." in box
    assert 'href="#quiz">Retake the quiz</a>' in welcome_back_html(html)

    take_quiz(client, "demo-modules", passing=False)
    box = welcome_back(client.get(COURSE).get_data(as_text=True))
    assert "You have used all 2 attempts this course allows." in box
    assert "Retake the quiz" not in box


def test_a_course_with_a_wait_says_when_the_next_attempt_opens(synced, client, courses_dir):
    meta = courses_dir / "demo-lesson" / "course.yaml"
    meta.write_text(
        meta.read_text().replace("pass_threshold: 75", "pass_threshold: 75\n  wait_minutes: 60")
    )
    sync_courses(courses_dir)
    take_quiz(client, "demo-lesson", passing=False)
    box = welcome_back(client.get("/courses/demo-lesson").get_data(as_text=True))
    assert "Not passed yet." in box
    assert re.search(
        r"Your next attempt opens at \d{1,2}:\d\d [ap]m UTC on \w+ \d{1,2}, \d{4}\.", box
    )


def test_passed_without_a_certificate_offers_get_my_certificate(synced, client):
    result = take_quiz(client, "demo-modules")
    html = client.get(COURSE).get_data(as_text=True)
    box = welcome_back(html)
    assert "You passed on" in box and "with 100%" in box
    assert "Your certificate is not issued yet." in box
    public_id = result.rstrip("/").rsplit("/", 1)[-1]
    assert f'href="/attempts/{public_id}/certificate">Get my certificate</a>' in welcome_back_html(
        html
    )
    assert "Continue where you left off" not in box


def test_passed_and_certified_links_to_the_certificate(synced, client):
    page = issue(client, "demo-lesson")
    certificate_path = page.request.path
    html = client.get("/courses/demo-lesson").get_data(as_text=True)
    box = welcome_back(html)
    assert "Your certificate is issued." in box
    assert f'href="{certificate_path}">View your certificate</a>' in welcome_back_html(html)
    assert "Evaluate this course (optional)" in box
    # Someone else's browser sees nothing of it.
    assert welcome_back(client.application.test_client().get("/courses/demo-lesson")) == ""


def test_a_required_evaluation_comes_first(synced, client, courses_dir):
    set_course(courses_dir, evaluation="evaluation:\n  required: true\n")
    result = take_quiz(client, "demo-lesson")
    html = client.get("/courses/demo-lesson").get_data(as_text=True)
    assert "Evaluate the course to get your certificate." in welcome_back(html)
    public_id = result.rstrip("/").rsplit("/", 1)[-1]
    assert f'href="/attempts/{public_id}/evaluation">Evaluate the course</a>' in welcome_back_html(
        html
    )


# The long course page


def test_the_course_page_has_contents_and_links_to_its_quiz(synced, client):
    html = client.get(COURSE).get_data(as_text=True)
    contents = html.split('class="on-this-page"', 1)[1].split("</nav>", 1)[0]
    for target in re.findall(r'href="#([\w-]+)"', contents):
        assert f'id="{target}"' in html, target
    assert 'href="#quiz">Quiz</a>' in contents
    assert '<a href="#quiz">Answer the quiz questions</a>' in html
    assert '<section class="quiz" id="quiz"' in html
    jump = html.split('class="page-jump"', 1)[1].split("</nav>", 1)[0]
    assert 'href="#main">Back to top</a>' in jump and 'href="#quiz">Go to the quiz</a>' in jump
