"""Every rate limit is checked: the limiter skips only routes without a limit of their own
(extensions._route_has_no_limit), so each limited view must carry its limit on the outside."""

from __future__ import annotations

from ceengine import create_app
from ceengine.extensions import _LIMITER_MARK
from tests.support.app import FIXTURE_COURSES, app_settings


def test_no_limit_is_hidden_under_another_decorator(tmp_path):
    app = create_app(
        {
            **app_settings(),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}",
            "COURSES_DIR": str(FIXTURE_COURSES),
        }
    )
    limited = []
    for endpoint, view in app.view_functions.items():
        inner, marked_inside = view, False
        while inner is not None:
            marked_inside |= getattr(inner, _LIMITER_MARK, None) is not None
            inner = getattr(inner, "__wrapped__", None)
        if marked_inside:
            assert getattr(view, _LIMITER_MARK, None) is not None, endpoint
            limited.append(endpoint)
    assert {"quizzes.score", "certificates.verify_number", "admin.login"} <= set(limited)
