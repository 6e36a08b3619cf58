"""The email that confirms a learner's address for a course that limits attempts."""

from __future__ import annotations

from ceengine.courses.models import CourseVersion
from ceengine.learners.confirmation import CONFIRM_MAX_AGE, new_confirmation_token
from ceengine.links import absolute_url
from ceengine.mailer import Outcome, send_email


def send_confirmation_link(address: str, version: CourseVersion) -> Outcome:
    """Email a one-time link that confirms `address` on the browser that opens it."""
    slug = version.spec.slug
    link = absolute_url("quizzes.confirm_page", slug=slug, token=new_confirmation_token(address))
    return send_email(
        address,
        "Confirm your email to take a CE quiz",
        "emails/confirm_quiz_email.txt",
        kind="confirm-email",
        link=link,
        hours=CONFIRM_MAX_AGE // 3600,
        course_title=version.spec.title,
    )
