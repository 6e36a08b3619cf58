"""Loopback ports for the servers the tests start (PostgreSQL, SMTP, Redis)."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A loopback port nothing listens on (once this returns)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
