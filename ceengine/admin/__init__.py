"""The admin console: sign-in, ratings, evaluations, reflections, results, records, exports.

Every page of the blueprint is behind the sign-in (one guard on the whole blueprint), so a
new page cannot forget it.
"""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin", cli_group="admin")

from ceengine.admin import (  # noqa: E402,F401 - register the guard, routes and commands
    audit_views,
    auth_views,
    cli,
    emails_views,
    exports_views,
    learners_views,
    records_views,
    views,
)
