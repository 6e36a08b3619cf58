"""The audit trail: every admin action is written with the action, shown on /admin/audit,
exported, and can never be changed or deleted — the database itself refuses.

Events are written in the same transaction as the action they describe, so an action that
fails leaves no event, and an event never exists for an action that did not happen.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DatabaseError

from ceengine.audit.models import APPEND_ONLY_MESSAGE, AuditEvent
from ceengine.extensions import db
from ceengine.feedback.models import Reflection
from ceengine.mailer import send_email
from ceengine.outbox.models import FAILED, OutboxMessage
from tests.support.admin_steps import (
    ADMIN_EMAIL,
    admin_client,
    ensure_admin,
    fresh_session,
    post_action,
    sign_in,
)
from tests.support.factories import attempt_with, certificate_row, reflection_with, rows_of
from tests.support.html import form_posting_to, text_of


@pytest.fixture
def records(synced):
    """An admin account, a certificate and a reflection waiting for moderation."""
    ensure_admin()
    certificate = certificate_row(attempt_with("demo-lesson", [True] * 6), full_name="Kim Lee")
    reflection = reflection_with("demo-lesson", "Sam", "I slowed down today.")
    return {"number": certificate.number, "reflection_id": reflection.id}


def events(action: str | None = None) -> list[AuditEvent]:
    fresh_session()
    return [e for e in rows_of(AuditEvent) if action is None or e.action == action]


def audit_page(client, query: str = "") -> str:
    """The text of the audit list's table (or its "No events match."), without the filters."""
    response = client.get("/admin/audit" + query)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    table = re.search(r"<table.*?</table>|<p>No events match.</p>", html, re.S)
    assert table, html
    return text_of(table.group(0))


# --- what is written -----------------------------------------------------------------------


def test_revoking_writes_who_what_why_and_the_change(synced, records):
    client = admin_client(synced)
    number = records["number"]

    response = post_action(
        client,
        f"/admin/certificates/{number}/revoke",
        reason="Issued in error: the learner failed the course",
        confirm="y",
    )

    assert response.status_code == 303
    [event] = events("certificate_revoked")
    assert event.actor == ADMIN_EMAIL and event.admin_id is not None
    assert event.address == "127.0.0.1"
    assert event.target == number
    assert event.reason == "Issued in error: the learner failed the course"
    assert event.before == {"status": "valid"} and event.after == {"status": "revoked"}
    page = audit_page(client)
    assert f"{ADMIN_EMAIL} 127.0.0.1 Revoked a certificate {number}" in page
    assert "Issued in error: the learner failed the course" in page


def test_reissuing_keeps_the_printed_details_before_and_after(synced, records):
    client = admin_client(synced)
    number = records["number"]

    response = post_action(
        client,
        f"/admin/certificates/{number}/reissue",
        full_name="Kim Lee-Park",
        email="kim@example.org",
        reason="Married name",
        confirm="y",
    )

    assert response.status_code == 303
    [event] = events("certificate_reissued")
    assert event.target == number and event.reason == "Married name"
    assert event.before["full_name"] == "Kim Lee" and event.after["full_name"] == "Kim Lee-Park"
    assert event.after["email"] == "kim@example.org"
    assert event.before["number"] == number and event.after["number"] != number
    page = audit_page(client)
    assert "Reissued a certificate" in page
    assert "full name Kim Lee → Kim Lee-Park" in page


def test_moderation_and_deletion_are_recorded_with_what_was_deleted(synced, records):
    client = admin_client(synced)
    reflection = records["reflection_id"]

    post_action(client, f"/admin/reflections/{reflection}/approve")
    post_action(client, f"/admin/reflections/{reflection}/approve")  # no change: no event
    post_action(client, f"/admin/reflections/{reflection}/hide")
    post_action(client, f"/admin/reflections/{reflection}/delete", confirm="y")

    assert [e.action for e in events() if e.action.startswith("reflection_")] == [
        "reflection_approved",
        "reflection_hidden",
        "reflection_deleted",
    ]
    [deleted] = events("reflection_deleted")
    assert deleted.target == f"reflection {reflection}"
    assert deleted.before == {
        "status": "hidden",
        "display_name": "Sam",
        "body": "I slowed down today.",
    }


def test_an_export_is_recorded_with_its_filter(synced, records):
    client = admin_client(synced)

    response = client.get("/admin/exports/roster.csv?course=demo-lesson&bom=1")

    assert response.status_code == 200
    [event] = events("export")
    assert event.target == "roster.csv"
    assert event.after == {"course": "demo-lesson", "bom": "1"}


def test_sign_ins_failed_sign_ins_and_sign_outs_are_recorded_without_the_password(synced, records):
    browser = synced.test_client()

    assert sign_in(browser, password="not the password at all").status_code == 401
    assert sign_in(browser, email="Nobody@Example.test").status_code == 401
    assert sign_in(browser).status_code == 303
    post_action(browser, "/admin/logout")

    trail = [(e.action, e.actor, e.target, e.reason) for e in events()]
    assert trail[0][0] == "account_created"  # the fixture's admin, made by the same service
    assert trail[1:] == [
        ("sign_in_failed", ADMIN_EMAIL, ADMIN_EMAIL, "wrong email or password"),
        (
            "sign_in_failed",
            "nobody@example.test",
            "nobody@example.test",
            "wrong email or password",
        ),
        ("sign_in", ADMIN_EMAIL, ADMIN_EMAIL, ""),
        ("sign_out", ADMIN_EMAIL, ADMIN_EMAIL, ""),
    ]
    stored = json.dumps([(e.before, e.after, e.reason, e.target) for e in events()])
    assert "not the password" not in stored


def test_a_refused_action_leaves_no_event(synced, records):
    client = admin_client(synced)
    number = records["number"]
    post_action(client, f"/admin/certificates/{number}/revoke", reason="First", confirm="y")

    again = post_action(client, f"/admin/certificates/{number}/revoke", reason="Again", confirm="y")
    unconfirmed = post_action(
        client, f"/admin/certificates/{number}/reissue", full_name="X Y", confirm=""
    )

    assert again.status_code in (303, 409, 422) and unconfirmed.status_code in (409, 422)
    assert [e.reason for e in events("certificate_revoked")] == ["First"]
    assert events("certificate_reissued") == []


def test_the_command_line_is_recorded_as_the_command_line(synced, records, runner):
    number = records["number"]

    result = runner.invoke(
        args=["certificates", "revoke", number, "--reason", "Duplicate", "--yes"]
    )

    assert result.exit_code == 0, result.output
    [event] = events("certificate_revoked")
    assert event.actor.startswith("command line (") and event.admin_id is None
    assert event.reason == "Duplicate"


def test_moderation_keeps_the_moderators_reason_and_works_without_one(synced, records):
    client = admin_client(synced)
    reflection = records["reflection_id"]
    listing = client.get("/admin/reflections")
    for action in ("approve", "hide"):
        form = form_posting_to(listing, f"/reflections/{reflection}/{action}")
        assert "reason" in form.controls
    page = client.get(f"/admin/reflections/{reflection}/delete")
    assert "reason" in form_posting_to(page, f"/reflections/{reflection}/delete").controls

    post_action(client, f"/admin/reflections/{reflection}/approve")
    post_action(client, f"/admin/reflections/{reflection}/hide", reason="Names a client")
    post_action(client, f"/admin/reflections/{reflection}/delete", reason="Asked by the learner")

    assert [(e.action, e.reason) for e in events() if e.action.startswith("reflection_")] == [
        ("reflection_approved", ""),
        ("reflection_hidden", "Names a client"),
        ("reflection_deleted", "Asked by the learner"),
    ]
    assert "Names a client" in audit_page(client)


def test_a_moderation_reason_too_long_is_a_clear_422_and_changes_nothing(synced, records):
    client = admin_client(synced)
    reflection = records["reflection_id"]

    hide = post_action(client, f"/admin/reflections/{reflection}/hide", reason="x" * 201)
    delete = post_action(client, f"/admin/reflections/{reflection}/delete", reason="x" * 201)

    assert hide.status_code == delete.status_code == 422
    assert "Keep the reason under 200 characters." in text_of(hide)
    assert "Keep the reason under 200 characters." in text_of(delete)
    fresh_session()
    assert [r.status for r in rows_of(Reflection)] == ["pending"]
    assert [e for e in events() if e.action.startswith("reflection_")] == []


def test_purge_is_in_the_trail_when_it_removes_not_on_a_dry_run(synced, records, runner):
    before = (date.today() - timedelta(days=365 * 5)).isoformat()

    dry = runner.invoke(args=["admin", "purge", "--before", before])
    assert dry.exit_code == 0, dry.output
    assert events("records_purged") == []
    done = runner.invoke(args=["admin", "purge", "--before", before, "--yes"])

    assert done.exit_code == 0, done.output
    [event] = events("records_purged")
    assert event.actor.startswith("command line (") and event.admin_id is None
    assert event.target == f"before {before}"
    assert event.after["certificates"] == 0 and "learners" in event.after


def test_recount_is_in_the_trail_with_what_it_rebuilt(synced, records, runner):
    result = runner.invoke(args=["admin", "recount"])

    assert result.exit_code == 0, result.output
    [event] = events("totals_recounted")
    assert event.actor.startswith("command line (")
    assert set(event.after) and all(isinstance(rows, int) for rows in event.after.values())


def test_a_courses_sync_that_changes_a_course_is_in_the_trail(synced, records, runner, courses_dir):
    unchanged = runner.invoke(args=["courses", "sync"])
    assert unchanged.exit_code == 0, unchanged.output
    assert events("courses_synced") == []  # nothing changed, nothing to keep
    quiz = courses_dir / "demo-lesson" / "quiz.yaml"
    quiz.write_text(quiz.read_text().replace("has three parts.", "has exactly three parts."))

    changed = runner.invoke(args=["courses", "sync"])

    assert changed.exit_code == 0, changed.output
    [event] = events("courses_synced")
    assert event.actor.startswith("command line (")
    assert event.after == {"demo-lesson": "new version (version 2)"}


def test_queueing_failed_emails_again_is_in_the_trail(synced, records, runner):
    send_email(
        "ana@example.org",
        "Hello",
        "emails/admin_invitation.txt",
        client=None,
        link="x",
        role="staff",
        hours=1,
        invited_by="x",
    )
    db.session.execute(sa.update(OutboxMessage).values(status=FAILED))
    db.session.commit()

    result = runner.invoke(args=["mail", "retry-failed"])

    assert result.exit_code == 0, result.output
    [event] = events("emails_requeued")
    assert event.actor.startswith("command line (") and event.after == {"queued again": 1}
    runner.invoke(args=["mail", "retry-failed"])  # none failed: nothing to keep
    assert len(events("emails_requeued")) == 1


# --- the page and its export ----------------------------------------------------------------


def test_the_list_filters_by_action_and_by_who_or_what(synced, records):
    client = admin_client(synced)
    number = records["number"]
    post_action(client, f"/admin/certificates/{number}/revoke", reason="Wrong course", confirm="y")
    sign_in(synced.test_client(), password="wrong password here")

    revoked_only = audit_page(client, "?status=certificate_revoked")
    by_number = audit_page(client, f"?q={number.lower()}")
    failed = audit_page(client, "?status=sign_in_failed")

    assert "Wrong course" in revoked_only and "Failed sign-in" not in revoked_only
    assert "Revoked a certificate" in by_number and "Signed in" not in by_number
    assert "Failed sign-in" in failed and "Revoked a certificate" not in failed
    assert "No events match." in audit_page(client, "?q=nothing-like-this")


def test_an_unknown_action_in_the_filter_is_a_clear_400_on_the_export(synced, records):
    client = admin_client(synced)

    response = client.get("/admin/audit.csv?status=drop_tables")

    assert response.status_code == 400
    assert "Action: That is not one of the choices." in text_of(response)


def test_the_csv_has_every_event_oldest_first_with_before_and_after(synced, records):
    client = admin_client(synced)
    number = records["number"]
    post_action(
        client, f"/admin/certificates/{number}/revoke", reason="Zoë's duplicate", confirm="y"
    )

    response = client.get("/admin/audit.csv?bom=1")

    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    # the download itself is written (and committed) before the first byte is sent
    assert [r["action"] for r in rows] == [
        "account_created",
        "sign_in",
        "certificate_revoked",
        "export",
    ]
    revoked = rows[2]
    assert revoked["actor"] == ADMIN_EMAIL
    assert revoked["action_name"] == "Revoked a certificate"
    assert revoked["target"] == number and revoked["reason"] == "Zoë's duplicate"
    assert json.loads(revoked["before"]) == {"status": "valid"}
    assert json.loads(revoked["after"]) == {"status": "revoked"}
    assert rows[3]["target"] == "audit.csv" and json.loads(rows[3]["after"]) == {"bom": "1"}


def test_the_xlsx_opens_with_the_same_rows(synced, records):
    from openpyxl import load_workbook

    client = admin_client(synced)

    response = client.get("/admin/audit.xlsx")

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("when", "actor", "address", "action", "action_name")
    # the workbook is streamed as the CSV is: its own download is recorded first, and in it
    assert [r[3] for r in rows[1:]] == ["account_created", "sign_in", "export"]
    assert [e.target for e in events("export")] == ["audit.xlsx"]


def test_user_text_in_the_trail_is_shown_as_text(synced, records):
    client = admin_client(synced)
    number = records["number"]
    post_action(
        client, f"/admin/certificates/{number}/revoke", reason="<b>bold</b> move", confirm="y"
    )

    html = client.get("/admin/audit").get_data(as_text=True)

    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt; move" in html


# --- append-only, at the database -----------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET reason = 'nothing happened'",
        "DELETE FROM audit_events",
    ],
)
def test_the_database_refuses_to_change_or_delete_an_event(synced, records, statement):
    client = admin_client(synced)
    post_action(
        client, f"/admin/certificates/{records['number']}/revoke", reason="Real", confirm="y"
    )
    before = [(e.id, e.reason) for e in events()]

    with pytest.raises(DatabaseError, match="append-only"), db.engine.begin() as connection:
        connection.exec_driver_sql(statement)

    assert [(e.id, e.reason) for e in events()] == before


def test_postgresql_refuses_to_truncate_the_trail(synced, records):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's; SQLite's DELETE is covered above")
    admin_client(synced)

    with pytest.raises(DatabaseError, match="append-only"), db.engine.begin() as connection:
        connection.exec_driver_sql("TRUNCATE audit_events")

    assert [e.action for e in events()] == ["account_created", "sign_in"]


def test_the_orm_cannot_change_an_event_either(synced, records):
    admin_client(synced)
    [event] = events("sign_in")
    event.reason = "rewritten"

    with pytest.raises(DatabaseError):
        db.session.commit()
    db.session.rollback()

    assert [e.reason for e in events("sign_in")] == [""]
    assert APPEND_ONLY_MESSAGE.startswith("audit_events is append-only")


def test_the_migration_installs_the_same_triggers(empty_database_url, courses_dir):
    """A database built by the migrations (not by create_all) refuses too."""
    from flask_migrate import upgrade

    from ceengine import create_app

    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": empty_database_url,
            "COURSES_DIR": str(courses_dir),
        }
    )
    with app.app_context():
        upgrade()
        with db.engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO audit_events (at, actor, address, action, target, reason) "
                    "VALUES (CURRENT_TIMESTAMP, 'x', '', 'export', 't', '')"
                )
            )
        for statement in ("UPDATE audit_events SET reason = 'y'", "DELETE FROM audit_events"):
            with (
                pytest.raises(DatabaseError, match="append-only"),
                db.engine.begin() as connection,
            ):
                connection.exec_driver_sql(statement)
        db.engine.dispose()
