"""Catalog, course, module and media pages."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from flask import (
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask.typing import ResponseReturnValue

from ceengine.courses import bp
from ceengine.courses.approvals import CourseCredits, Sponsor
from ceengine.courses.content import Module
from ceengine.courses.first_visit import FORM_KEY, REFLECTION_KEY, first_visit_page, is_first_visit
from ceengine.courses.forms import FinishModuleForm
from ceengine.courses.handouts import handout_pdf
from ceengine.courses.models import CourseVersion
from ceengine.courses.progress import finish_module, progress_of
from ceengine.courses.resources import HANDOUT_TYPES, media_content_type
from ceengine.courses.services import (
    credits_on,
    current_version,
    is_published,
    published_versions,
    sponsor_in_force,
    sponsor_today,
)
from ceengine.courses.visits import note_opening
from ceengine.feedback.presenters import feedback_context, feedback_panels, live_key
from ceengine.feedback.services import new_reflection_key, rating_lines
from ceengine.learners.identity import current_learner, ensure_token
from ceengine.quizzes.presenters import quiz_context
from ceengine.quizzes.services import new_form_key


def _version_or_404(slug: str):
    version = current_version(slug)
    if version is None:
        abort(404)
    return version


@bp.get("/")
def catalog() -> ResponseReturnValue:
    """List the published courses, with the credit each carries today; `?for=social workers`
    keeps the courses approved for a profession, `?body=aswb-ace` those a body approves."""
    versions = published_versions()
    (sponsor_key, sponsor), today = sponsor_in_force(), sponsor_today()
    wanted, body = request.args.get("for", ""), request.args.get("body", "")
    ratings = rating_lines([v.course_id for v in versions])

    def render() -> str:
        return _catalog_page(versions, sponsor, today, wanted, body, ratings)

    if not is_first_visit():
        return render()
    shown = tuple((v.id, v.content_hash) for v in versions)
    key = ("catalog", shown, sponsor_key, today, wanted, body, tuple(sorted(ratings.items())))
    return first_visit_page(key, render, {})


def _catalog_page(
    versions: list[CourseVersion],
    sponsor: Sponsor,
    today: date,
    wanted: str,
    body: str,
    ratings: dict,
) -> str:
    standing = {v.id: credits_on(v, today, sponsor) for v in versions}
    professions = sorted({p for s in standing.values() for p in s.professions})
    bodies = sorted(
        {(c.approval.catalog_key, c.approval.short) for s in standing.values() for c in s.in_force},
        key=lambda b: b[1],
    )
    shown = [
        v
        for v in versions
        if (not wanted or wanted in standing[v.id].professions)
        and (not body or any(c.approval.catalog_key == body for c in standing[v.id].in_force))
    ]
    return render_template(
        "courses/catalog.html",
        versions=shown,
        all_count=len(versions),
        standing=standing,
        professions=professions,
        bodies=bodies,
        wanted=wanted,
        body=body,
        ratings=ratings,
    )


@bp.get("/courses/<slug>")
def course(slug: str) -> ResponseReturnValue:
    """The course page: details, the credit it carries, the lesson (or its module list), then
    the quiz."""
    version = _version_or_404(slug)
    first_visit = is_first_visit() and not version.spec.quiz_policy.shuffle
    # The learner cookie also makes a double-clicked Score My Quiz one learner's one form.
    note_opening(version.course_id)
    if not first_visit:
        return _course_page(version)
    panels = feedback_panels(version)
    sponsor_key, sponsor = sponsor_in_force()
    today = sponsor_today()

    def render() -> str:  # every form is made inside, so each takes the placeholder token
        feedback = feedback_context(version, REFLECTION_KEY, panels)
        credit = credits_on(version, today, sponsor)
        return _course_page(version, feedback, credit, FORM_KEY)

    return first_visit_page(
        ("course", version.id, version.content_hash, sponsor_key, today, live_key(panels)),
        render,
        {FORM_KEY: new_form_key, REFLECTION_KEY: new_reflection_key},
    )


def _course_page(
    version: CourseVersion,
    feedback: dict | None = None,
    credit: CourseCredits | None = None,
    form_key: str | None = None,
) -> str:
    return render_template(
        "courses/course.html",
        **quiz_context(version, form_key=form_key),
        **(feedback or feedback_context(version)),
        credit=credit or credits_on(version, sponsor_today()),
        progress=None if version.spec.single_page else progress_of(current_learner(), version),
    )


@bp.get("/courses/<slug>/modules/<module_slug>")
def module(slug: str, module_slug: str) -> ResponseReturnValue:
    """One module of a multi-module course, with where-you-are navigation."""
    version = _version_or_404(slug)
    if version.spec.single_page:
        return redirect(url_for("courses.course", slug=slug), 301)
    modules, index = _modules_at(version, module_slug)
    first_visit = is_first_visit()
    note_opening(version.course_id, index + 1)

    def render() -> str:
        return render_template(
            "courses/module.html",
            version=version,
            course=version.spec,
            module=modules[index],
            position=index + 1,
            previous=modules[index - 1] if index else None,
            next=modules[index + 1] if index + 1 < len(modules) else None,
            progress=progress_of(current_learner(), version),
            finish_form=FinishModuleForm(),
        )

    if not first_visit:
        return render()
    return first_visit_page(("module", version.id, version.content_hash, index), render, {})


@bp.post("/courses/<slug>/modules/<module_slug>/done")
def finish(slug: str, module_slug: str) -> ResponseReturnValue:
    """Next at a module's end: note the module as done, then open the next one (the quiz
    after the last). CSRFProtect refuses a post without the page's token."""
    version = _version_or_404(slug)
    modules, index = _modules_at(version, module_slug)
    if not FinishModuleForm().validate_on_submit():
        abort(400)
    finish_module(ensure_token(), version, modules[index])
    if index + 1 < len(modules):
        following = modules[index + 1].slug
        return redirect(url_for("courses.module", slug=slug, module_slug=following), 303)
    return redirect(url_for("quizzes.quiz", slug=slug), 303)


def _modules_at(version: CourseVersion, module_slug: str) -> tuple[tuple[Module, ...], int]:
    """A module course's modules and the index of `module_slug` among them (else 404)."""
    modules = version.spec.modules
    index = next((i for i, m in enumerate(modules) if m.slug == module_slug), None)
    if version.spec.single_page or index is None:
        abort(404)
    return modules, index


@bp.get("/courses/<slug>/handouts/<filename>")
def handout(slug: str, filename: str) -> ResponseReturnValue:
    """A Markdown handout of the course set as a PDF to print, headed with the course and the
    sponsor (made on first request, then kept: the same bytes each time)."""
    version = _version_or_404(slug)
    found = handout_pdf(version, filename)
    if found is None:
        abort(404)
    pdf, _title = found
    response = Response(
        pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "public, max-age=3600",
        },
    )
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/courses/<slug>/media/<filename>")
def media(slug: str, filename: str) -> ResponseReturnValue:
    """A course's audio file or handout (handouts download; audio plays in the page).

    Only the documented kinds, each with its fixed type: anything else in media/ is a 404.
    """
    content_type = media_content_type(filename)
    if content_type is None or not is_published(slug):
        abort(404)
    folder = Path(current_app.config["COURSES_DIR"]) / slug / "media"
    download = Path(filename).suffix.lower() in HANDOUT_TYPES
    return send_from_directory(
        folder, filename, mimetype=content_type, as_attachment=download, max_age=3600
    )
