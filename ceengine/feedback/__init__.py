"""Feedback: the course evaluation with its star rating, and learners' reflections."""

from flask import Blueprint

bp = Blueprint("feedback", __name__)

from ceengine.feedback import views  # noqa: E402,F401 - register routes
from ceengine.feedback.votes import subscribe  # noqa: E402


@bp.record_once
def _follow_certificates(_state) -> None:
    """Keep the public rating's votes in step with certificates issued, revoked, reissued."""
    subscribe()
