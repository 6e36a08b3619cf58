"""What the course page says to a learner coming back: where they stand with the quiz and
the certificate. Only this browser's own attempts (its learner cookie) are read."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for

from ceengine.certificates.services import latest_certificate
from ceengine.certificates.tokens import certificate_token
from ceengine.feedback.presenters import evaluation_link
from ceengine.feedback.services import evaluation_due
from ceengine.quizzes.models import Attempt
from ceengine.quizzes.policy import Availability


@dataclass(frozen=True)
class Standing:
    """One line about the quiz and the certificate, with the one thing to do next."""

    kind: str  # certified | evaluate | get-certificate | retake | wait | no-attempts
    attempt: Attempt  # the passed attempt, else the latest one
    action: str | None = None  # the link's text
    href: str | None = None
    optional_evaluation: str | None = None  # address of an evaluation the learner may give


def returning_standing(attempts: list[Attempt], availability: Availability) -> Standing | None:
    """Where a learner with these attempts (newest first) stands; None before a first one.

    A template global, so the course page (below completion) can show it."""
    if not attempts:
        return None
    passed = next((a for a in attempts if a.passed), None)
    if passed is not None:
        return _after_a_pass(passed)
    latest = attempts[0]
    if availability.allowed:
        return Standing("retake", latest, "Retake the quiz", "#quiz")
    if availability.attempts_left == 0:
        return Standing("no-attempts", latest)
    return Standing("wait", latest)


def _after_a_pass(attempt: Attempt) -> Standing:
    evaluate = url_for("feedback.evaluation", public_id=attempt.public_id)
    certificate = latest_certificate(attempt)
    if certificate is not None:
        token = certificate_token(certificate.number)
        optional = evaluate if evaluation_link(attempt) == "optional" else None
        return Standing(
            "certified",
            attempt,
            "View your certificate",
            url_for("certificates.certificate", token=token),
            optional,
        )
    if evaluation_due(attempt):
        return Standing("evaluate", attempt, "Evaluate the course", evaluate)
    details = url_for("completion.details", public_id=attempt.public_id)
    return Standing("get-certificate", attempt, "Get my certificate", details)
