"""Completion: the path from a pass to a certificate — the course evaluation first, then the
learner's details, then pay or issue. It stands above certificates, billing and feedback and
coordinates them; none of them imports it."""

from flask import Blueprint

bp = Blueprint("completion", __name__)

from ceengine.completion import payment_views, views  # noqa: E402,F401 - register routes
from ceengine.completion.presenters import returning_standing  # noqa: E402

bp.add_app_template_global(returning_standing)  # the course page greets a returning learner
