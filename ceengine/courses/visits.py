"""Noting, from a page request, that a learner opened a course or a module (time on task).

A browser seen for the first time (no learner cookie yet) is not written down at once: a
crawler or a one-off visit never sends its cookie back. Its openings wait in the session,
with their times, and are written on its next request, when the cookie returns.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import session

from ceengine.columns import utcnow
from ceengine.courses.openings import record_openings
from ceengine.learners.identity import current_token, ensure_token, token_is_new

PENDING_KEY = "openings"  # {"token": ..., "seen": [[course_id, module or None, epoch], ...]}
MAX_PENDING = 50  # a first visit opens a handful of pages; the session cookie stays small


def note_opening(course_id: int, module: int | None = None) -> None:
    """Note that this request's learner opened the course (and module number `module`)."""
    token = ensure_token()
    now = utcnow()
    openings = [(course_id, None, now)] + ([(course_id, module, now)] if module else [])
    if token_is_new():
        _defer(token, openings)
    else:
        record_openings(token, openings)


def _defer(token: str, openings: list[tuple[int, int | None, datetime]]) -> None:
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict) or pending.get("token") != token:
        pending = {"token": token, "seen": []}
    seen = pending["seen"]
    known = {(entry[0], entry[1]) for entry in seen}
    for course_id, module, at in openings:
        if (course_id, module) not in known and len(seen) < MAX_PENDING:
            seen.append([course_id, module, int(at.timestamp())])
    session[PENDING_KEY] = pending


def write_pending_openings() -> None:
    """Before each request: write the openings of a first visit once its cookie is back."""
    if PENDING_KEY not in session:  # `in` does not mark the session as read (no Vary: Cookie)
        return
    token = current_token()
    if token is None:  # the learner cookie has not come back (yet): keep waiting
        return
    pending = session.pop(PENDING_KEY)
    if not isinstance(pending, dict) or pending.get("token") != token:
        return  # noted for another cookie: not this learner's
    record_openings(
        token,
        [
            (int(course_id), int(module) if module else None, datetime.fromtimestamp(at, UTC))
            for course_id, module, at in pending.get("seen", [])[:MAX_PENDING]
        ],
    )
