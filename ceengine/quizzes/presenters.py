"""What the quiz and result templates need, gathered in one place."""

from __future__ import annotations

from flask import url_for

from ceengine.courses.models import CourseVersion
from ceengine.feedback.services import evaluation_of, evaluation_required
from ceengine.learners.identity import current_learner
from ceengine.quizzes.forms import QuizForm, quiz_form
from ceengine.quizzes.models import Attempt
from ceengine.quizzes.services import (
    availability,
    items_in_order,
    learner_attempts,
    new_form_key,
)


def quiz_context(version: CourseVersion, form: QuizForm | None = None) -> dict:
    """Template values for the quiz form, the retake policy and the learner's attempts."""
    if form is None:
        key = new_form_key()
        form = quiz_form(items_in_order(version, key), form_key=key, version=version.id)
    learner = current_learner()
    return {"version": version, "course": version.content, "form": form,
            "availability": availability(learner, version),
            "attempts": learner_attempts(learner, version.course_id)}


def section_links(version: CourseVersion) -> dict[str, tuple[str, str]]:
    """Section id -> (title, address of the page that teaches it)."""
    content = version.content
    links = {}
    for module in content["modules"]:
        if content["single_page"]:
            page = url_for("courses.course", slug=content["slug"])
        else:
            page = url_for("courses.module", slug=content["slug"], module_slug=module["slug"])
        for section in module["sections"]:
            links[section["id"]] = (section["title"], f"{page}#{section['id']}")
    return links


def result_context(attempt: Attempt) -> dict:
    """Template values for a result page, drawn from the version the attempt was taken on."""
    version = attempt.version
    return {"attempt": attempt, "version": version, "course": version.content,
            "sections": section_links(version),
            "availability": availability(attempt.learner, version),
            "feedback": version.content["quiz_policy"]["feedback"],
            "evaluated": attempt.passed and evaluation_of(attempt.learner_id,
                                                          attempt.course_id) is not None,
            "evaluation_optional": not evaluation_required(version.content)}
