"""The outbox: every email is written to a table first and sent by a worker, never in a request.

A request (or a command) queues a message in its own transaction (`ceengine.mailer`); after
the commit a worker thread in the same process is woken to send it, and also looks every few
seconds for messages that are due (retries, and messages other processes queued). Commands:
`ceengine mail send-pending`, `ceengine mail retry-failed`. The admin sees what is waiting or
failed at /admin/emails.
"""

from flask import Blueprint

bp = Blueprint("mail", __name__, cli_group="mail")

from ceengine.outbox import cli  # noqa: E402,F401 - register the commands
from ceengine.outbox.worker import init_app, stop_delivery  # noqa: E402

__all__ = ["bp", "init_app", "stop_delivery"]
