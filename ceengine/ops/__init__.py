"""Operations: the health check, and one structured log line per request with its id."""

from flask import Blueprint

bp = Blueprint("ops", __name__)

from ceengine.ops import request_log, views  # noqa: E402,F401 - register hooks and routes
