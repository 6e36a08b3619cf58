"""The admin console: sign-in, ratings, evaluations, reflections, results, records, exports.

Every page of the blueprint is behind the sign-in and the role guard (one check on the whole
blueprint, reading the table in roles.py), so a new page cannot forget it.
"""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin", cli_group="admin")

from ceengine.admin import (  # noqa: E402,F401 - register the guard, routes and commands
    accounts_views,
    audit_views,
    auth_views,
    cli,
    emails_views,
    exports_views,
    learners_views,
    records_views,
    two_factor_views,
    views,
)
