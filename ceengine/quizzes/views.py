"""Quiz page, Score My Quiz (POST -> 303 -> result), and the result page."""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError

from ceengine.courses.first_visit import FORM_KEY, first_visit_page, is_first_visit
from ceengine.courses.services import current_version
from ceengine.courses.snapshots import snapshot_of
from ceengine.courses.visits import note_opening
from ceengine.errors import render_error
from ceengine.extensions import limiter
from ceengine.learners.identity import current_learner, ensure_token
from ceengine.quizzes import bp
from ceengine.quizzes.forms import carried_over_form, check_not_tampered, quiz_form, responses_of
from ceengine.quizzes.presenters import quiz_context, result_context
from ceengine.quizzes.services import (
    UPDATED_NOTICE,
    AlreadyScored,
    AttemptNotAllowed,
    EmailNotConfirmed,
    TamperedForm,
    attempt_for,
    items_in_order,
    new_form_key,
    submit_attempt,
    submitted_version,
)


class CourseGone(Exception):
    """The course in the address has no published version."""


def _quiz_limit() -> str:
    return current_app.config["QUIZ_RATE_LIMIT"]


@bp.errorhandler(TamperedForm)
def _tampered(error: TamperedForm):
    return render_error(400, str(error))


@bp.errorhandler(CourseGone)
def _gone(_error: CourseGone):
    return render_error(404, "This course is not available. Go back to the course list.")


@bp.errorhandler(CSRFError)
def _expired(error: CSRFError):
    """Keep a learner's answers when their session expired: show them again to resend."""
    if request.endpoint == "quizzes.score":
        try:  # raised in an error handler they would become a 500
            version, _items, form, notice = _posted_form(request.view_args["slug"])
        except TamperedForm as tampered:
            return _tampered(tampered)
        except CourseGone as gone:
            return _gone(gone)
        notice = notice or (
            "For your security this form had expired. Your answers are kept "
            "below: press Score My Quiz again."
        )
        return render_template(
            "quizzes/quiz.html", **quiz_context(version, form), notice=notice
        ), 400
    return render_error(400, "This form had expired. Go back, reload the page and try again.")


def _posted_form(slug: str):
    """(current version, its items, the posted form, notice); a form rendered from an older
    version comes back as the current version's form, answers carried over where they fit."""
    version = current_version(slug)
    if version is None:
        raise CourseGone
    posted = request.form.get("version", "")
    if not (posted.isascii() and posted.isdigit()) or len(posted) > 10:
        raise TamperedForm("This quiz form is incomplete. Please reload the course page.")
    if int(posted) != version.id:
        old_items = list(snapshot_of(submitted_version(slug, int(posted))).items)
        check_not_tampered(request.form, old_items)
        key = new_form_key()
        items = items_in_order(version, key)
        form = carried_over_form(request.form, old_items, items, key, version.id)
        return version, items, form, UPDATED_NOTICE
    items = items_in_order(version, request.form.get("form_key", ""))
    check_not_tampered(request.form, items)
    return version, items, quiz_form(items, request.form), None


@bp.get("/courses/<slug>/quiz")
def quiz(slug: str) -> ResponseReturnValue:
    """The quiz on its own page (the last module leads here; errors come back here)."""
    version = current_version(slug)
    if version is None:
        abort(404)
    first_visit = is_first_visit() and not version.spec.quiz_policy.shuffle
    note_opening(version.course_id)
    if not first_visit:
        return render_template("quizzes/quiz.html", **quiz_context(version))
    return first_visit_page(
        ("quiz", version.id, version.content_hash),
        lambda: render_template("quizzes/quiz.html", **quiz_context(version, form_key=FORM_KEY)),
        {FORM_KEY: new_form_key},
    )


@bp.post("/courses/<slug>/quiz")
@limiter.limit(_quiz_limit)
def score(slug: str) -> ResponseReturnValue:
    """Score My Quiz: score once on the current version, then 303 to the result page."""
    version, items, form, notice = _posted_form(slug)
    if notice:  # never scored on a version that is no longer current
        return render_template(
            "quizzes/quiz.html", **quiz_context(version, form), notice=notice
        ), 409
    if not form.validate():
        if form.form_key.errors or form.version.errors:
            raise TamperedForm("This quiz form is incomplete. Please reload the course page.")
        return render_template("quizzes/quiz.html", **quiz_context(version, form)), 422
    try:
        attempt = submit_attempt(
            ensure_token(), version, form.form_key.data, responses_of(form, items)
        )
    except AlreadyScored as done:
        attempt = done.attempt
    except (AttemptNotAllowed, EmailNotConfirmed) as refused:
        status = 403 if isinstance(refused, EmailNotConfirmed) else 409
        return render_template(
            "quizzes/quiz.html", **quiz_context(version, form), notice=str(refused)
        ), status
    return redirect(url_for("quizzes.result", public_id=attempt.public_id), 303)


@bp.get("/attempts/<public_id>")
def result(public_id: str) -> ResponseReturnValue:
    """The learner's own result (items shown per the feedback policy); others get a 404."""
    attempt = attempt_for(public_id, current_learner())
    if attempt is None:
        abort(404)
    return render_template("quizzes/result.html", **result_context(attempt))
