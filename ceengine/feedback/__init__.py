"""Feedback: the course evaluation with its star rating, and learners' reflections."""

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

bp = Blueprint("feedback", __name__)

from ceengine.feedback import views  # noqa: E402,F401 - register routes
from ceengine.feedback.presenters import evaluation_link  # noqa: E402
from ceengine.feedback.votes import subscribe  # noqa: E402

bp.add_app_template_global(evaluation_link)  # the quiz result page offers the evaluation


@bp.record_once
def _follow_certificates(_state: BlueprintSetupState) -> None:
    """Keep the public rating's votes in step with certificates issued, revoked, reissued."""
    subscribe()
