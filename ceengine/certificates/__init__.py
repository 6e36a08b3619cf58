"""Certificates: make, download, email, verify, revoke and reissue signed CE certificates
(ceengine/completion/ decides when one is issued)."""

from flask import Blueprint

bp = Blueprint("certificates", __name__, cli_group="certificates")

from ceengine.certificates import (  # noqa: E402,F401 - register routes and commands
    cli,
    credential_views,
    transcript_views,
    verify_views,
    views,
)
