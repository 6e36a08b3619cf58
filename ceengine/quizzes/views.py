"""Quiz page, Score My Quiz (POST -> 303 -> result), and the result page."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError

from ceengine.courses.services import current_version
from ceengine.errors import render_error
from ceengine.learners.identity import current_learner, ensure_token
from ceengine.quizzes import bp
from ceengine.quizzes.forms import check_not_tampered, quiz_form, responses_of
from ceengine.quizzes.presenters import quiz_context, result_context
from ceengine.quizzes.services import (
    AlreadyScored,
    AttemptNotAllowed,
    TamperedForm,
    attempt_for,
    items_in_order,
    submit_attempt,
    submitted_version,
)


@bp.errorhandler(TamperedForm)
def _tampered(error: TamperedForm):
    return render_error(400, str(error))


@bp.errorhandler(CSRFError)
def _expired(error: CSRFError):
    """Keep a learner's answers when their session expired: show them again to resend."""
    if request.endpoint == "quizzes.score":
        try:
            version = _posted_version(request.view_args["slug"])
        except TamperedForm as tampered:  # raised in an error handler it would become a 500
            return _tampered(tampered)
        items = items_in_order(version, request.form.get("form_key", ""))
        form = quiz_form(items, request.form)
        notice = ("For your security this form had expired. Your answers are kept below: "
                  "press Score My Quiz again.")
        return render_template("quizzes/quiz.html", **quiz_context(version, form),
                               notice=notice), 400
    return render_error(400, "This form had expired. Go back, reload the page and try again.")


def _posted_version(slug: str):
    version_id = request.form.get("version", "")
    if not (version_id.isascii() and version_id.isdigit()) or len(version_id) > 10:
        raise TamperedForm("This quiz form is incomplete. Please reload the course page.")
    return submitted_version(slug, int(version_id))


@bp.get("/courses/<slug>/quiz")
def quiz(slug: str):
    """The quiz on its own page (the last module leads here; errors come back here)."""
    version = current_version(slug)
    if version is None:
        abort(404)
    ensure_token()
    return render_template("quizzes/quiz.html", **quiz_context(version))


@bp.post("/courses/<slug>/quiz")
def score(slug: str):
    """Score My Quiz: score once, then 303 to the result page."""
    version = _posted_version(slug)
    items = items_in_order(version, request.form.get("form_key", ""))
    check_not_tampered(request.form, items)
    form = quiz_form(items, request.form)
    if not form.validate():
        if form.form_key.errors or form.version.errors:
            raise TamperedForm("This quiz form is incomplete. Please reload the course page.")
        return render_template("quizzes/quiz.html", **quiz_context(version, form)), 422
    try:
        attempt = submit_attempt(ensure_token(), version, form.form_key.data,
                                 responses_of(form, items))
    except AlreadyScored as done:
        attempt = done.attempt
    except AttemptNotAllowed as refused:
        return render_template("quizzes/quiz.html", **quiz_context(version, form),
                               notice=str(refused)), 409
    return redirect(url_for("quizzes.result", public_id=attempt.public_id), 303)


@bp.get("/attempts/<public_id>")
def result(public_id: str):
    """The learner's own result, with feedback per item; anyone else gets a 404."""
    attempt = attempt_for(public_id, current_learner())
    if attempt is None:
        abort(404)
    return render_template("quizzes/result.html", **result_context(attempt))
