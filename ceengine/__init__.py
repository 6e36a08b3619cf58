"""ceengine: continuing-education lessons, quizzes and certificates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from ceengine.config import (
    NO_TIMEZONE_WARNING,
    PROJECT_ROOT,
    Config,
    check_production_settings,
    derive_settings,
)


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the application: settings, extensions, blueprints, error pages."""
    app = Flask(
        __name__,
        instance_path=str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.update(Config(Path(app.instance_path)).as_dict())
    app.config["MIGRATIONS_DIR"] = str(PROJECT_ROOT / "migrations")
    app.config.from_prefixed_env()
    if overrides:
        app.config.update(overrides)
    derive_settings(app.config)
    check_production_settings(app.config)
    if not app.config["TIMEZONE"] and not app.config.get("QUIET_TIMEZONE"):
        app.logger.warning(NO_TIMEZONE_WARNING)  # production refuses to start without it
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    from ceengine import errors, request_guard, templating
    from ceengine.admin import bp as admin_bp
    from ceengine.billing import bp as billing_bp
    from ceengine.certificates import bp as certificates_bp
    from ceengine.completion import bp as completion_bp
    from ceengine.courses import bp as courses_bp
    from ceengine.extensions import init_csrf, init_extensions
    from ceengine.feedback import bp as feedback_bp
    from ceengine.learners.identity import set_cookie_if_new
    from ceengine.ops import bp as ops_bp
    from ceengine.outbox import bp as mail_bp
    from ceengine.outbox import init_app as init_outbox
    from ceengine.quizzes import bp as quizzes_bp

    init_extensions(app)
    init_outbox(app)
    templating.init_app(app)
    errors.init_app(app)
    app.register_blueprint(courses_bp)
    app.register_blueprint(quizzes_bp)
    app.register_blueprint(certificates_bp)
    app.register_blueprint(billing_bp)
    app.register_blueprint(feedback_bp)
    app.register_blueprint(completion_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(ops_bp)
    app.register_blueprint(mail_bp)
    request_guard.init_app(app)  # after the request log starts its clock
    init_csrf(app)  # after the guard, which refuses what Flask-WTF cannot read
    app.after_request(set_cookie_if_new)
    if app.config["PROXY_COUNT"]:
        # Behind nginx: the client's address (rate limits, logs) and https come from its headers.
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    if app.config["PRODUCTION"]:
        from ceengine.certificates.credential_key import check_production_credential_key
        from ceengine.certificates.signing_key import check_production_signing

        check_production_signing(app)
        check_production_credential_key(app)
    return app
