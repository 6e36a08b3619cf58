"""Quizzes: the Score My Quiz form, grading, attempts, results and the retake policy."""

from flask import Blueprint

bp = Blueprint("quizzes", __name__)

from ceengine.quizzes import confirm_views, views  # noqa: E402,F401 - register routes
