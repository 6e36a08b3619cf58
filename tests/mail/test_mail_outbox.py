"""Mail leaves through an outbox, never inside a request (issue 13, finding 12).

My certificates used to send the sign-in email inside the request, only for known addresses:
the answer took ~300 ms longer for an address with certificates. Now the request writes the
message to the outbox table in its own transaction and a worker sends it, so both answers do
the same work. None of these tests time anything: they show where the SMTP work happens.
"""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest

from benchmarks.servers import serve
from ceengine.extensions import db
from ceengine.mailer import send_email
from tests.support.admin_steps import admin_client
from tests.support.app import make_app
from tests.support.certificate_steps import issue
from tests.support.crowd import Clinician, Tally, quiz_answers
from tests.support.html import form_in, text_of
from tests.support.mail_steps import deliver, queued, smtp_settings, wait_for
from tests.support.served import prepare_database, served_env, server_errors_in

SIGN_IN_SUBJECT = "Your sign-in link for My certificates"


def ask_for_sign_in(app, address: str):
    """A new browser asks My certificates for a sign-in link; its answer and the flash."""
    visitor = app.test_client()
    form = form_in(visitor.get("/my-certificates").get_data(as_text=True), "email")
    response = visitor.post(form.action, data={**form.hidden, "email": address})
    said = re.findall(
        r'<p class="flash flash-\w+">(.*?)</p>',
        visitor.get("/my-certificates").get_data(as_text=True),
    )
    return response.status_code, response.headers.get("Location"), said


def test_a_sign_in_request_queues_the_email_and_sends_nothing_itself(app_with, smtp_server):
    port, inbox = smtp_server
    app = app_with(**smtp_settings(port), MAIL_DELIVERY="manual")
    issue(app.test_client(), email="ana@example.org")
    assert inbox.envelopes == []  # issuing queued the certificate email, too
    assert deliver(app) == 1 and len(inbox.envelopes) == 1

    known = ask_for_sign_in(app, "ana@example.org")
    unknown = ask_for_sign_in(app, "nobody@example.org")

    assert known[:2] == unknown[:2] == (303, "/my-certificates")
    assert [s.replace("ana@example.org", "…") for s in known[2]] == [
        s.replace("nobody@example.org", "…") for s in unknown[2]
    ]
    assert len(inbox.envelopes) == 1  # neither request talked to the mail server
    (waiting,) = queued(status="pending")
    assert (waiting.recipient, waiting.kind, waiting.subject) == (
        "ana@example.org",
        "sign-in",
        SIGN_IN_SUBJECT,
    )
    assert queued(recipient="nobody@example.org") == []

    assert deliver(app) == 1
    assert [m["To"] for m in inbox.messages()] == ["ana@example.org"] * 2
    assert inbox.messages()[-1]["Subject"] == SIGN_IN_SUBJECT
    (sent,) = queued(kind="sign-in")
    assert sent.status == "sent" and sent.sent_at is not None
    assert sent.body == ""  # the sign-in link is not kept once it is sent


def test_the_request_is_answered_while_the_mail_server_has_not_answered(app_with, smtp_server):
    port, inbox = smtp_server
    app = app_with(**smtp_settings(port), MAIL_DELIVERY="background", MAIL_POLL_SECONDS=1)
    issue(app.test_client(), email="ana@example.org")
    wait_for(lambda: len(inbox.envelopes) == 1, what="the worker sending the certificate email")

    inbox.hold()  # the mail server now keeps every message waiting for an answer
    status, location, _ = ask_for_sign_in(app, "ana@example.org")
    assert (status, location) == (303, "/my-certificates")
    assert len(inbox.envelopes) == 1  # answered before the mail server accepted anything
    wait_for(inbox.waiting.is_set, what="the worker reaching the mail server")
    assert [m.status for m in queued(kind="sign-in")] == ["sending"]
    inbox.release()
    wait_for(lambda: len(inbox.envelopes) == 2, what="the held email being accepted")
    wait_for(
        lambda: [m.status for m in queued(kind="sign-in")] == ["sent"],
        what="the worker recording the email as sent",
    )


def test_a_refused_email_is_retried_and_shown_to_the_admin_until_sent(app_with, smtp_server):
    port, inbox = smtp_server
    app = app_with(**smtp_settings(port))
    inbox.refuse(1)
    page = issue(app.test_client(), email="ana@example.org")
    assert "We are emailing its link to ana@example.org." in text_of(page)
    assert inbox.envelopes == []
    (waiting,) = queued(status="pending")
    assert waiting.attempts == 1 and "451" in waiting.last_error

    admin = admin_client(app)
    listed = text_of(admin.get("/admin/emails"))
    assert "Not sent yet" in listed and "ana@example.org" in listed
    assert "Your CE certificate: Demo Lesson on Kindness" in listed and "451" in listed

    assert deliver(app) == 0  # not due yet: it waits before trying again
    assert deliver(app, later=timedelta(hours=1)) == 1
    assert [m["To"] for m in inbox.messages()] == ["ana@example.org"]
    assert [m.status for m in queued()] == ["sent"]
    assert "ana@example.org" not in text_of(admin.get("/admin/emails"))


def test_an_email_that_keeps_failing_is_marked_failed_then_sent_by_the_command(
    app_with, smtp_server
):
    port, inbox = smtp_server
    app = app_with(**smtp_settings(port), MAIL_MAX_ATTEMPTS=2)
    inbox.refuse(2)
    issue(app.test_client(), email="ana@example.org")
    deliver(app, later=timedelta(hours=1))
    (failed,) = queued()
    assert (failed.status, failed.attempts) == ("failed", 2)
    listed = text_of(admin_client(app).get("/admin/emails"))
    assert "Failed" in listed and "ana@example.org" in listed

    runner = app.test_cli_runner()
    assert deliver(app, later=timedelta(days=1)) == 0  # a failed email waits for a person
    result = runner.invoke(args=["mail", "retry-failed"])
    assert result.exit_code == 0 and "1 failed email queued again" in result.output
    result = runner.invoke(args=["mail", "send-pending"])
    assert result.exit_code == 0, result.output
    assert "Sent 1 email" in result.output
    assert [m["To"] for m in inbox.messages()] == ["ana@example.org"]
    assert [m.status for m in queued()] == ["sent"]


def test_a_double_click_or_retry_queues_one_email(app_with):
    app = app_with(MAIL_DELIVERY="manual")
    with app.test_request_context():
        outcomes = [
            send_email(
                "ana@example.org",
                "Hello",
                "emails/sign_in_link.txt",
                key="greeting-1",
                link="https://example.org/x",
                hours=24,
            )
            for _ in range(2)
        ]
    assert [o.status for o in outcomes] == ["queued", "already-queued"]
    assert all(outcomes) and len(queued()) == 1


def test_workers_sharing_the_database_send_each_email_once(app_with, smtp_server):
    port, inbox = smtp_server
    app = app_with(**smtp_settings(port), MAIL_DELIVERY="manual")
    for n in range(24):
        send_email(
            f"person{n}@example.org",
            f"Message {n}",
            "emails/sign_in_link.txt",
            link="https://example.org/x",
            hours=24,
        )
    barrier = threading.Barrier(4)

    def worker():
        barrier.wait()
        deliver(app)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    subjects = sorted(m["Subject"] for m in inbox.messages())
    assert subjects == sorted(f"Message {n}" for n in range(24))
    db.session.rollback()
    assert {m.status for m in queued()} == {"sent"}


def test_a_mail_limit_that_cannot_be_read_stops_the_app_at_start(database_url, courses_dir):
    with pytest.raises(RuntimeError, match="CEENGINE_MAIL_PER_RECIPIENT_LIMIT"):
        make_app(database_url, courses_dir, MAIL_PER_RECIPIENT_LIMIT="lots")
    with pytest.raises(RuntimeError, match="CEENGINE_MAIL_DELIVERY"):
        make_app(database_url, courses_dir, MAIL_DELIVERY="carrier pigeon")


def test_the_admin_email_list_needs_the_admin_sign_in(synced, client):
    response = client.get("/admin/emails")
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]


@pytest.mark.served
def test_each_gunicorn_worker_sends_the_mail_its_requests_queue(
    served_database, courses_dir, tmp_path, smtp_server
):
    port, inbox = smtp_server
    env = served_env(
        served_database,
        courses_dir,
        CEENGINE_MAIL_SERVER="127.0.0.1",
        CEENGINE_MAIL_PORT=str(port),
        CEENGINE_MAIL_USE_TLS="false",
        # the app is imported before the workers fork: no thread may start then
        GUNICORN_CMD_ARGS="--preload",
    )
    prepare_database(env)
    log = tmp_path / "gunicorn.log"
    with serve("wsgi:app", env, workers=2, log=log) as server:
        tally, answers = Tally(), quiz_answers(served_database)
        for n in range(4):
            person = Clinician(server.url, tally, answers)
            result = person.take_quiz("demo-lesson", passing=True)
            assert person.free_certificate(result, f"Clinician {n}", f"c{n}@example.org")
        wait_for(lambda: len(inbox.envelopes) == 4, what="four certificate emails")
    assert sorted(e.rcpt_tos[0] for e in inbox.envelopes) == [f"c{n}@example.org" for n in range(4)]
    assert tally.server_errors == [] and tally.surprises == []
    assert server_errors_in(log) == []
