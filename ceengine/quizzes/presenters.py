"""What the quiz and result templates need, gathered in one place."""

from __future__ import annotations

from flask import url_for

from ceengine.courses.models import CourseVersion
from ceengine.learners.confirmation import confirmed_email
from ceengine.learners.identity import current_learner
from ceengine.quizzes.forms import ConfirmEmailRequestForm, QuizForm, quiz_form
from ceengine.quizzes.models import Attempt
from ceengine.quizzes.services import (
    availability,
    has_passed,
    items_in_order,
    learner_attempts,
    needs_confirmation,
    new_form_key,
    subject_availability,
)


def quiz_context(
    version: CourseVersion,
    form: QuizForm | None = None,
    email_form: ConfirmEmailRequestForm | None = None,
    form_key: str | None = None,
) -> dict:
    """Template values for the quiz form (a new one with `form_key`, else a fresh key), the
    retake policy and the learner's attempts."""
    if form is None:
        key = form_key or new_form_key()
        form = quiz_form(items_in_order(version, key), form_key=key, version=version.id)
    learner = current_learner()
    address = confirmed_email(learner) if needs_confirmation(version) else None
    # The box also comes back with its errors when a confirmed browser asks for another link.
    confirmation = {
        "needed": needs_confirmation(version) and (address is None or email_form is not None),
        "address": address,
        "form": email_form or ConfirmEmailRequestForm(formdata=None),
    }
    return {
        "version": version,
        "course": version.spec,
        "form": form,
        "availability": availability(learner, version),
        "confirmation": confirmation,
        "attempts": learner_attempts(learner, version.course_id),
    }


def section_links(version: CourseVersion) -> dict[str, tuple[str, str]]:
    """Section id -> (title, address of the page that teaches it)."""
    course = version.spec
    links = {}
    for module in course.modules:
        if course.single_page:
            page = url_for("courses.course", slug=course.slug)
        else:
            page = url_for("courses.module", slug=course.slug, module_slug=module.slug)
        for section in module.sections:
            links[section.id] = (section.title, f"{page}#{section.id}")
    return links


def shows_items(attempt: Attempt, feedback: str, attempts_left: int | None) -> bool:
    """Per-item feedback only once it cannot help a retake: after a pass, or no attempt left.

    `none` never shows items. Older versions stored `full` or `right_wrong`; they get the
    same rule as `after_pass`, so no version hands out the key before a pass.
    """
    if feedback == "none":
        return False
    return attempt.passed or attempts_left == 0 or has_passed(attempt.subject, attempt.course_id)


def result_context(attempt: Attempt) -> dict:
    """Template values for a result page, drawn from the version the attempt was taken on."""
    version = attempt.version
    sections = section_links(version)
    allowed = subject_availability(attempt.subject, version)
    feedback = version.spec.quiz_policy.feedback
    covered = {item.section for item in version.items}
    return {
        "attempt": attempt,
        "version": version,
        "course": version.spec,
        "sections": sections,
        "availability": allowed,
        "feedback": feedback,
        "show_items": shows_items(attempt, feedback, allowed.attempts_left),
        "review": [link for section, link in sections.items() if section in covered],
    }
