"""`ceengine mail …`: send what is due now, and queue failed emails again."""

from __future__ import annotations

import click

from ceengine.outbox import bp
from ceengine.outbox.delivery import deliver_due
from ceengine.outbox.queue import count_by_status, retry_failed


def _emails(count: int) -> str:
    return f"{count} email{'' if count == 1 else 's'}"


@bp.cli.command("send-pending")
def send_pending() -> None:
    """Send every queued email that is due now (the web processes also do this on their own).

    Exits 1 when an email could not be sent: it is tried again later, or is listed as failed.
    """
    batch = deliver_due()
    click.echo(f"Sent {_emails(batch.sent)}.")
    if batch.deferred:
        click.echo(f"{_emails(batch.deferred)} could not be sent and will be tried again.")
    if batch.failed:
        click.echo(f"{_emails(batch.failed)} failed for good: see /admin/emails.")
    counts = count_by_status()
    click.echo(
        f"Waiting: {counts.get('pending', 0) + counts.get('sending', 0)}; "
        f"failed: {counts.get('failed', 0)}."
    )
    if batch.deferred or batch.failed:
        raise SystemExit(1)


@bp.cli.command("retry-failed")
def retry_failed_command() -> None:
    """Queue every failed email again (after fixing the mail settings), with fresh attempts."""
    click.echo(f"{_emails(retry_failed()).replace('email', 'failed email', 1)} queued again.")
