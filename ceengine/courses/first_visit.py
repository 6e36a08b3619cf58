"""Pages for a first visit, rendered once per process and served from memory.

A browser that sends neither the learner cookie nor a session sees the same catalog, course,
module and quiz pages as every other such browser, except for three one-time values: the
CSRF token (bound to the session the response starts), the quiz form's key and the
reflection form's key. Such a page is rendered once with placeholders for them and kept
under a key made of everything else it shows — the course version (id and content hash),
the sponsor's approvals in force, today's date, the rating line and the latest reflections —
and each request fills the placeholders in. A sync, a vote or a moderated reflection changes
the key, so the next page served shows it; nothing is ever stale. Returning learners, whose
pages are their own, are rendered each time.

Not in `courses preview`: there a course with a mistake keeps its last good version, so the
version would not tell a page with the author's newest problem list from one without it.
Every preview page is rendered afresh.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from flask import current_app, g, request
from flask_wtf.csrf import generate_csrf

from ceengine.courses.snapshots import BoundedCache, app_cache
from ceengine.learners.identity import COOKIE_NAME

# Placeholders: plain ASCII the templates leave as they are, and that no content contains.
CSRF = "ceengine-first-visit-csrf-token"
FORM_KEY = "ceengine-first-visit-form-key"  # the quiz form's key pattern accepts it
REFLECTION_KEY = "ceengine-first-visit-reflection-key"
_EXTENSION = "ceengine.first_visit_pages"
PAGES_KEPT = 256  # per process: a page per course and module, a few days and ratings each


def pages() -> BoundedCache:
    """This app's first-visit pages."""
    return app_cache(_EXTENSION, PAGES_KEPT, len)


def is_first_visit() -> bool:
    """Whether this GET comes from a browser with no learner cookie and no session (never in
    the preview, whose pages show the working copy's problems)."""
    cookies = request.cookies
    return (
        request.method == "GET"
        and not current_app.config.get("PREVIEW")
        and COOKIE_NAME not in cookies
        and current_app.config["SESSION_COOKIE_NAME"] not in cookies
    )


def first_visit_page(
    key: Hashable, render: Callable[[], str], fills: dict[str, Callable[[], str]]
) -> str:
    """The page under `key` (rendered by `render` on a miss, with the placeholders in), its
    CSRF token filled in for this request, and each placeholder of `fills` with a new value
    (FORM_KEY with a new quiz form key, say).

    Every form on the page must be made inside `render`: a form takes its CSRF token when it
    is made, and only inside is that the placeholder.
    """
    page = pages().get(key, lambda: _with_placeholder_token(render))
    if CSRF in page:
        page = page.replace(CSRF, generate_csrf())
    for placeholder, make in fills.items():
        if placeholder in page:
            page = page.replace(placeholder, make())
    return page


def _with_placeholder_token(render: Callable[[], str]) -> str:
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    setattr(g, field, CSRF)  # Flask-WTF hands every form the token it finds in g
    try:
        return render()
    finally:
        g.pop(field, None)
