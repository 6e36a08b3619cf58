"""Feedback: the course evaluation with its star rating, and learners' reflections."""

from flask import Blueprint

bp = Blueprint("feedback", __name__)

from ceengine.feedback import views  # noqa: E402,F401 - register routes
