"""`/healthz`: is this instance able to serve, database included?"""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, jsonify, send_from_directory
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import SQLAlchemyError

from ceengine.extensions import db, limiter
from ceengine.ops import bp


@bp.get("/healthz")
@limiter.exempt
def healthz() -> ResponseReturnValue:
    """200 when the database answers, 503 (with the reason) when it does not."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except SQLAlchemyError as error:
        db.session.rollback()
        return jsonify(status="unavailable", database=type(error).__name__), 503
    response = jsonify(status="ok", database="ok")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/favicon.ico")
@limiter.exempt
def favicon() -> ResponseReturnValue:
    """The site icon where browsers and crawlers look for it without reading the page."""
    return send_from_directory(
        current_app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon", max_age=86400
    )
