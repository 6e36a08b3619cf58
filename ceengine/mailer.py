"""Sending email: the one function every feature uses to send a message to a person.

Messages are rendered here and written to the outbox (ceengine/outbox/); a worker sends them
after the caller's transaction commits, so no request waits for, or reveals, SMTP work.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, has_request_context, render_template, request

from ceengine.outbox.queue import Attachment, Message, Outcome, enqueue

FROM_REQUEST = "from-request"  # the default `client`: the visitor's address, if in a request


def send_email(
    to: str,
    subject: str,
    template: str,
    *,
    kind: str = "message",
    key: str | None = None,
    client: str | None = FROM_REQUEST,
    about: str | None = None,
    window: timedelta | None = None,
    commit: bool = True,
    html_template: str | None = None,
    attachment: Attachment | None = None,
    **values,
) -> Outcome:
    """Queue one email rendered from `template` (plain text) and, with `html_template`, an
    HTML alternative of it (autoescaped), with `attachment` if given; what became of it.

    The outcome is true when the message is queued (or was already, under the same `key`:
    a retry or double click never queues it twice), false when a limit refused it; then
    `outcome.refusal` says which. `client` is the network address of the visitor who caused
    the message (by default the current request's): such mail is limited per address and per
    network, and, with `about` or `window`, to one of this kind to an address about the same
    thing or from the same network in the window. Pass `client=None` for mail the sponsor's
    side sends (receipts, admin actions). The message joins the caller's transaction and is
    committed with it unless `commit` is False (then the caller commits).
    """
    sponsor = {
        "sponsor": current_app.config["SPONSOR_NAME"],
        "contact": current_app.config["SPONSOR_CONTACT"],
    }
    body = render_template(template, **sponsor, **values)
    html = render_template(html_template, **sponsor, **values) if html_template else None
    if client == FROM_REQUEST:
        client = (request.remote_addr or "unknown") if has_request_context() else None
    message = Message(
        recipient=to.strip(),
        subject=" ".join(subject.split())[:300],
        body=body,
        kind=kind,
        key=key,
        client=client,
        about=about,
        window=window,
        html=html,
        attachment=attachment,
    )
    return enqueue(message, commit=commit)
