"""Absolute addresses for emails, certificates and the command line."""

from __future__ import annotations

import ipaddress

from flask import current_app, has_request_context, url_for

DEV_SERVER_URL_ENV = "CEENGINE_DEV_SERVER_URL"


def development_base_url(host: str, port: int) -> str:
    """The address of `ceengine run --host HOST --port PORT`, as a browser reaches it."""
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return f"http://{host}:{port}"  # a name, such as localhost
    if address.is_unspecified:  # 0.0.0.0 or ::, every interface: this machine's loopback
        address = ipaddress.ip_address("::1" if address.version == 6 else "127.0.0.1")
    shown = f"[{address}]" if address.version == 6 else str(address)
    return f"http://{shown}:{port}"


def base_url() -> str:
    """CEENGINE_BASE_URL, else the development server's configured address.

    Never the request's Host header: a forged one would put someone else's site into
    emailed links and onto certificates.
    """
    config = current_app.config
    if config.get("BASE_URL"):
        return config["BASE_URL"]
    if config.get("SERVER_NAME"):
        return f"{config.get('PREFERRED_URL_SCHEME', 'http')}://{config['SERVER_NAME']}"
    return config["DEV_SERVER_URL"]


def absolute_url(endpoint: str, **values) -> str:
    """The full address of `endpoint`, usable in an email or printed on a PDF."""
    if has_request_context():
        path = url_for(endpoint, **values)
    else:
        with current_app.test_request_context():
            path = url_for(endpoint, **values)
    return base_url() + path
