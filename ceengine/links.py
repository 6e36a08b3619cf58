"""Absolute addresses for emails, certificates and the command line."""

from __future__ import annotations

from flask import current_app, has_request_context, request, url_for

DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"


def base_url() -> str:
    """CEENGINE_BASE_URL, else this request's host, else the development server's address."""
    configured = current_app.config.get("BASE_URL")
    if configured:
        return configured
    if has_request_context():
        return request.host_url.rstrip("/")
    return DEVELOPMENT_BASE_URL


def absolute_url(endpoint: str, **values) -> str:
    """The full address of `endpoint`, usable in an email or printed on a PDF."""
    if has_request_context():
        path = url_for(endpoint, **values)
    else:
        with current_app.test_request_context():
            path = url_for(endpoint, **values)
    return base_url() + path
