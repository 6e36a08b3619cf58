"""One JSON log line per request, tied together by a request id.

The id comes from a trusted proxy's `X-Request-ID` when it sends a sensible one, else it is
made here; it is returned in the response's `X-Request-ID` so a learner's report of a
problem can be matched to the log line.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import sys
import time
from typing import TextIO

from flask import Response, g, request
from flask.blueprints import BlueprintSetupState

from ceengine.ops import bp

logger = logging.getLogger("ceengine.requests")
_SENSIBLE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class _StandardError(logging.StreamHandler):
    """Writes to whatever `sys.stderr` is when it writes (servers and test runners swap it)."""

    @property
    def stream(self):
        """The current standard error."""
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


@bp.record_once
def _set_up_logging(state: BlueprintSetupState) -> None:
    """Request lines go to standard error (gunicorn's error log) unless switched off."""
    if not state.app.config.get("REQUEST_LOG", True) or logger.handlers:
        return
    handler = _StandardError()
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


@bp.before_app_request
def start_request() -> None:
    """Note when the request began and which id it carries."""
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if _SENSIBLE_ID.match(given) else secrets.token_hex(8)
    g.request_started = time.perf_counter()


@bp.after_app_request
def log_request(response: Response) -> Response:
    """Log method, path, status and duration as one JSON line; return the id to the client."""
    request_id = g.get("request_id") or secrets.token_hex(8)
    started = g.get("request_started")
    response.headers["X-Request-ID"] = request_id
    if logger.isEnabledFor(logging.INFO):
        logger.info(
            json.dumps(
                {
                    "request_id": request_id,
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
                    "remote": request.remote_addr,
                }
            )
        )
    return response
