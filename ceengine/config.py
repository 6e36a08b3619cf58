"""Settings, read from the environment with safe development defaults."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET_KEY = "dev-only-secret-key-not-for-production"


def _database_url(instance_path: Path) -> str:
    """Return DATABASE_URL, or a SQLite file under instance/ by default."""
    url = os.environ.get("DATABASE_URL")
    if url:
        # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants a driver name.
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix) :]
        return url
    return f"sqlite:///{instance_path / 'ceengine.db'}"


class Config:
    """Settings from CEENGINE_* variables; `create_app` layers FLASK_* variables on top."""

    def __init__(self, instance_path: Path) -> None:
        env = os.environ.get
        self.ENV_NAME = env("CEENGINE_ENV", "development")
        self.PRODUCTION = self.ENV_NAME == "production"
        self.SECRET_KEY = env("CEENGINE_SECRET_KEY") or env("SECRET_KEY") or DEV_SECRET_KEY
        self.SQLALCHEMY_DATABASE_URI = _database_url(instance_path)
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
        courses_dir = env("CEENGINE_COURSES_DIR") or PROJECT_ROOT / "courses"
        self.COURSES_DIR = str(Path(courses_dir).resolve())
        self.SITE_NAME = env("CEENGINE_SITE_NAME", "ceengine Continuing Education")
        self.SPONSOR_NAME = env("CEENGINE_SPONSOR_NAME", "ceengine Continuing Education")
        self.SPONSOR_CONTACT = env("CEENGINE_SPONSOR_CONTACT", "ce@example.org")
        self.MAX_CONTENT_LENGTH = 2 * 1024 * 1024
        self.WTF_CSRF_TIME_LIMIT = None  # a token lives as long as the session
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = self.PRODUCTION

    def as_dict(self) -> dict:
        """Return the settings as a mapping for `app.config.update`."""
        return {k: v for k, v in vars(self).items() if k.isupper()}


def check_production_settings(config: dict) -> None:
    """Refuse to run in production with development secrets."""
    if not config.get("PRODUCTION"):
        return
    if config.get("SECRET_KEY") in (None, "", DEV_SECRET_KEY):
        raise RuntimeError(
            "CEENGINE_ENV=production needs CEENGINE_SECRET_KEY set to a long random value."
        )
