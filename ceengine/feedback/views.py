"""The course evaluation page, and sharing and reading reflections."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from ceengine.courses.services import current_version
from ceengine.extensions import limiter
from ceengine.feedback import bp
from ceengine.feedback.forms import (
    OBJECTIVE_PREFIX,
    EvaluationForm,
    ReflectionForm,
    evaluation_form,
)
from ceengine.feedback.models import Evaluation
from ceengine.feedback.presenters import reflections_page
from ceengine.feedback.services import (
    FeedbackError,
    evaluation_of,
    new_reflection_key,
    post_reflection,
    save_evaluation,
)
from ceengine.learners.identity import current_learner, ensure_token, learner_for
from ceengine.quizzes.services import attempt_for


def _reflection_limit() -> str:
    return current_app.config["REFLECTION_RATE_LIMIT"]


def _prefill(form: EvaluationForm, evaluation: Evaluation) -> None:
    for name in ("rating", "relevance", "presenter_knowledge", "comments"):
        form[name].data = getattr(evaluation, name)
    form.recommend.data = "yes" if evaluation.recommend else "no"
    for score in evaluation.objectives:
        if f"{OBJECTIVE_PREFIX}{score.position}" in form:
            form[f"{OBJECTIVE_PREFIX}{score.position}"].data = score.score


@bp.route("/attempts/<public_id>/evaluation", methods=["GET", "POST"])
def evaluation(public_id: str) -> ResponseReturnValue:
    """The course evaluation, after a pass and before the certificate; it can be revised."""
    attempt = attempt_for(public_id, current_learner())
    if attempt is None or not attempt.passed:
        abort(404)
    course = attempt.version.spec
    form = evaluation_form(course.objectives)
    existing = evaluation_of(attempt.learner_id, attempt.course_id)
    if not form.is_submitted() and existing is not None:
        _prefill(form, existing)
    if form.validate_on_submit():
        try:
            save_evaluation(attempt.learner, attempt.version, form.answers())
        except FeedbackError as refused:
            form.comments.errors = [*form.comments.errors, str(refused)]
        else:
            flash(
                "Thank you: your evaluation has been saved."
                if existing is None
                else "Your evaluation has been updated.",
                "success",
            )
            return redirect(url_for("completion.details", public_id=public_id), 303)
    status = 422 if form.is_submitted() else 200
    return render_template(
        "feedback/evaluation.html",
        form=form,
        attempt=attempt,
        course=course,
        revising=existing is not None,
    ), status


def _taking_reflections(slug: str):
    """The course's current version and reflection settings; 404 when it takes none."""
    version = current_version(slug)
    settings = version.spec.reflections if version else None
    if settings is None or not settings.enabled:
        abort(404)
    return version, settings


@bp.post("/courses/<slug>/reflections")
@limiter.limit(_reflection_limit)
def share_reflection(slug: str) -> ResponseReturnValue:
    """Share a reflection on a course; it waits for a moderator when the course says so."""
    version, settings = _taking_reflections(slug)
    form = ReflectionForm()
    if not form.validate():
        return render_template(
            "feedback/reflections.html",
            version=version,
            course=version.spec,
            form=form,
            settings=settings,
            page=reflections_page(version.course_id, 1),
        ), 422
    try:
        reflection, _ = post_reflection(
            learner_for(ensure_token()),
            version,
            form.form_key.data,
            form.display_name.data,
            form.body.data,
        )
    except FeedbackError as refused:
        flash(str(refused), "in-place")
    else:  # shown beside the form, where the learner lands
        flash(
            "Thank you for sharing your reflection. It will appear once a moderator has "
            "approved it."
            if reflection.status == "pending"
            else "Thank you for sharing your reflection.",
            "in-place",
        )
    return redirect(url_for("courses.course", slug=slug, _anchor="share-heading"), 303)


@bp.get("/courses/<slug>/reflections")
def reflections(slug: str) -> ResponseReturnValue:
    """Every approved reflection on a course, a page at a time, with the form to share one."""
    version, settings = _taking_reflections(slug)
    page = reflections_page(version.course_id, request.args.get("page", 1, type=int))
    return render_template(
        "feedback/reflections.html",
        version=version,
        course=version.spec,
        form=ReflectionForm(formdata=None, form_key=new_reflection_key()),
        settings=settings,
        page=page,
    )
