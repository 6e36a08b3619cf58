"""Learners in the admin console: find one by email or name, see everything about them, and
correct, revoke or resend their certificate, each action kept in the audit trail."""

from __future__ import annotations

import secrets

import pytest
import sqlalchemy as sa

from ceengine.audit.models import AuditEvent
from ceengine.billing.models import Order
from ceengine.certificates.models import REVOKED, SUPERSEDED, VALID, Certificate
from ceengine.extensions import db
from ceengine.feedback.services import EvaluationAnswers, post_reflection, save_evaluation
from ceengine.outbox.models import OutboxMessage
from tests.support.admin_steps import post_action
from tests.support.certificate_steps import certificates
from tests.support.factories import attempt_with, certificate_row, rows_of, version_of
from tests.support.html import flashes_in, form_posting_to, html_of, table_with, text_of
from tests.support.mail_steps import outbox
from tests.support.reports import body_rows, page

REASON = "The learner's license number was mistyped"
ANA = {
    "full_name": "Ana María Núñez",
    "email": "Ana.Nunez@Example.org",
    "profession": "Social worker",
    "license_type": "LCSW",
    "license_number": "LCSW 12345",
    "license_state": "CA",
}


@pytest.fixture
def people(synced):
    """Ana (a certificate, an evaluation, a reflection, an order) and Kim (a certificate)."""
    attempt = attempt_with("demo-lesson", [True] * 6)
    ana = certificate_row(attempt, **ANA)
    learner = attempt.learner
    version = version_of("demo-lesson")
    save_evaluation(
        learner,
        version,
        EvaluationAnswers(
            rating=4,
            objectives=(4,) * len(version.content["objectives"]),
            relevance=5,
            presenter_knowledge=4,
            recommend=True,
            comments="Ana's comment on the lesson",
        ),
    )
    post_reflection(learner, version, secrets.token_urlsafe(18), "Ana N.", "Ana's reflection")
    db.session.add(
        Order(
            public_id="ord_ana_1",
            attempt_id=attempt.id,
            learner_id=learner.id,
            amount_cents=1500,
            currency="usd",
            status="paid",
            details={"email": ANA["email"], "full_name": ANA["full_name"]},
        )
    )
    db.session.commit()
    kim = certificate_row(
        attempt_with("demo-lesson", [True] * 6), full_name="Kim Lee", email="kim@example.org"
    )
    return {"ana": ana, "kim": kim, "ana_id": ana.learner_id, "kim_id": kim.learner_id}


def found(client, q: str) -> list[str]:
    """The learner links the search lists for `q`, as 'Learner N'."""
    response = client.get("/admin/learners", query_string={"q": q})
    assert response.status_code == 200, response.status_code
    if "starts with" in text_of(response):
        return []
    rows = body_rows(
        table_with(response, f"Learners matching “{q.strip()}”, most recently certified first")
    )
    return [row[0] for row in rows]


def learner_page(client, learner_id: int) -> str:
    return text_of(page(client, f"/admin/learners/{learner_id}"))


def events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def messages(kind: str) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == kind)))


# --- search ----------------------------------------------------------------------------------


def test_learners_are_found_by_email_name_or_last_name_without_case(people, admin):
    ana, kim = f"Learner {people['ana_id']}", f"Learner {people['kim_id']}"
    searches = {
        "ana.nunez@example.org": [ana],  # the whole address
        "ANA.NUNEZ@": [ana],  # its start, any case
        "ana": [ana],  # the start of the name
        "Ana María": [ana],
        "núñez": [ana],  # the last name
        "NÚÑEZ": [ana],
        "nú": [ana],
        "kim@": [kim],
        "lee": [kim],
        "  Kim  ": [kim],
        "ez": [],  # the middle of a word is not a match
        "nobody@example.org": [],
        "%": [],  # LIKE's wildcards are only characters
        "_": [],
    }

    assert {q: found(admin, q) for q in searches} == searches


def test_the_search_page_explains_itself_and_refuses_a_search_too_long(people, admin):
    empty = page(admin, "/admin/learners")
    too_long = admin.get("/admin/learners", query_string={"q": "a" * 201})

    assert "Type an email address or a name to find a learner" in text_of(empty)
    assert too_long.status_code == 422
    assert "Keep the search under 200 characters." in text_of(too_long)
    none = admin.get("/admin/learners", query_string={"q": "zzz"})
    assert "No learner’s email, name or last name starts with “zzz”." in text_of(none)


def test_a_search_result_shows_names_and_addresses_and_links_to_the_learner(people, admin):
    response = page(admin, "/admin/learners?q=ana")

    (row,) = body_rows(
        table_with(response, "Learners matching “ana”, most recently certified first")
    )
    assert row[1:4] == ["Ana María Núñez", "Ana.Nunez@Example.org", "1"]
    assert f'href="/admin/learners/{people["ana_id"]}"' in html_of(response)
    assert "Ana.Nunez" not in response.request.path  # the key in addresses is the id


def test_search_results_come_a_page_at_a_time(synced, admin):
    for n in range(27):
        certificate_row(
            attempt_with("demo-modules", [True] * 3),
            full_name=f"Pat Page{n:02d}",
            email=f"pat{n:02d}@example.org",
        )

    first = found(admin, "pat")
    second = admin.get("/admin/learners?q=pat&page=2")

    assert len(first) == 25
    assert (
        len(body_rows(table_with(second, "Learners matching “pat”, most recently certified first")))
        == 2
    )
    assert "Previous page" in text_of(second) and "Next page" not in text_of(second)


def test_a_search_matching_too_many_records_says_to_type_more(synced, admin, monkeypatch):
    monkeypatch.setattr("ceengine.admin.learners.MATCH_LIMIT", 3)
    for n in range(5):
        certificate_row(
            attempt_with("demo-modules", [True] * 3),
            full_name=f"Lee Many{n}",
            email=f"lee{n}@example.org",
        )

    broad = page(admin, "/admin/learners?q=lee")
    narrow = page(admin, "/admin/learners?q=lee3")

    assert (
        len(body_rows(table_with(broad, "Learners matching “lee”, most recently certified first")))
        == 3
    )
    assert "Type more of the address or the name to narrow the search." in text_of(broad)
    assert "Type more" not in text_of(narrow)


def test_an_unprintable_search_is_refused_in_words(people, admin):
    response = admin.get("/admin/learners", query_string={"q": "ana\u202e"})

    assert response.status_code == 422
    assert "Please use only printable characters." in text_of(response)


# --- the learner's page ----------------------------------------------------------------------


def test_a_learners_page_shows_every_kind_of_record_and_no_one_elses(people, admin):
    text = learner_page(admin, people["ana_id"])
    html = html_of(admin.get(f"/admin/learners/{people['ana_id']}"))

    assert "Ana María Núñez" in text and "Ana.Nunez@Example.org" in text
    number = people["ana"].number
    assert f'href="/admin/certificates/{number}"' in html
    assert "LCSW, LCSW 12345, CA" in text
    assert "6 of 6 (100%)" in text and "Passed" in text  # the attempt
    assert "Ana's comment on the lesson" in text  # the evaluation
    assert "ord_ana_1" in text and "$15.00" in text  # the order
    assert "Ana's reflection" in text
    assert "Kim" not in text and people["kim"].number not in text


def test_emails_sent_to_the_learner_are_listed(people, admin, synced):
    ana, kim = people["ana"], people["kim"]
    resend_from_learner_page(admin, people["ana_id"], ana.number)
    resend_from_learner_page(admin, people["kim_id"], kim.number)

    text = learner_page(admin, people["ana_id"])

    assert f"Your CE certificate: {ana.course_title}" in text
    assert "Ana.Nunez@Example.org" in text
    assert "kim@example.org" not in text


def test_an_unknown_learner_is_404(people, admin):
    assert admin.get("/admin/learners/999999").status_code == 404


def test_the_certificate_page_links_to_its_learner(people, admin):
    html = html_of(page(admin, f"/admin/certificates/{people['ana'].number}"))

    assert f'href="/admin/learners/{people["ana_id"]}"' in html


# --- resend ----------------------------------------------------------------------------------


def resend_from_learner_page(client, learner_id: int, number: str, times: int = 1) -> list:
    """Press 'Resend email' for a certificate on the learner's page (`times` with the same
    form: a double click)."""
    shown = page(client, f"/admin/learners/{learner_id}")
    form = form_posting_to(shown, f"/admin/certificates/{number}/resend")
    return [client.post(form.action, data=form.hidden) for _ in range(times)]


def test_resend_queues_the_certificate_email_once_per_press_and_audits_it(people, admin, synced):
    ana = people["ana"]
    sent_before = len(outbox(synced))

    first, again = resend_from_learner_page(admin, people["ana_id"], ana.number, times=2)
    (later,) = resend_from_learner_page(admin, people["ana_id"], ana.number)

    assert first.status_code == again.status_code == later.status_code == 303
    assert first.headers["Location"] == f"/admin/learners/{people['ana_id']}"
    assert f"The email for certificate {ana.number} is on its way to the learner." in flashes_in(
        admin.get(first.headers["Location"])
    )
    assert len(outbox(synced)) == sent_before + 2  # the double click sent one
    email = outbox(synced)[-1]
    assert email.to == ["Ana.Nunez@Example.org"]
    assert f"Certificate number: {ana.number}" in email.body
    resent = events("certificate_email_resent")
    assert [(e.target, e.after) for e in resent] == [(ana.number, {"email": ana.email})] * 2


def test_resend_refuses_a_revoked_certificate(people, admin):
    ana = people["ana"]
    shown = page(admin, f"/admin/learners/{people['ana_id']}")
    form = form_posting_to(shown, f"/admin/certificates/{ana.number}/resend")
    post_action(
        admin, f"/admin/certificates/{ana.number}/revoke", reason="Issued in error", confirm="y"
    )

    response = admin.post(form.action, data=form.hidden, follow_redirects=True)

    assert (
        f"Certificate {ana.number} is revoked: only a valid certificate's email can be sent again."
        in flashes_in(response)
    )
    assert events("certificate_email_resent") == []


# --- reissue with corrections ----------------------------------------------------------------

CORRECTED = {
    "full_name": "Ana María Núñez-Ortiz",
    "email": "ana.ortiz@example.org",
    "profession": "Clinical social worker",
    "license_type": "LICSW",
    "license_number": "LICSW 67890",
    "license_state": "Oregon",
}


def reissue(client, number: str, **fields):
    return post_action(client, f"/admin/certificates/{number}/reissue", confirm="y", **fields)


def test_a_reissue_corrects_every_printed_field_keeps_the_reason_and_emails_what_changed(
    people, admin, synced
):
    old = people["ana"]
    sent_before = len(outbox(synced))

    response = reissue(admin, old.number, **CORRECTED, reason=REASON, email_learner="y")

    assert response.status_code == 303
    new = certificates()[-1]
    assert {name: getattr(new, name) for name in CORRECTED} == CORRECTED
    assert (new.status, new.learner_id) == (VALID, people["ana_id"])
    db.session.expire_all()
    assert old.status == SUPERSEDED
    (event,) = events("certificate_reissued")
    assert event.reason == REASON
    assert event.before == {"number": old.number, **ANA}
    assert event.after == {"number": new.number, **CORRECTED}
    assert len(outbox(synced)) == sent_before + 1
    email = outbox(synced)[-1]
    assert email.to == [CORRECTED["email"]]
    assert email.subject == f"Your corrected CE certificate: {new.course_title}"
    assert f"Why: {REASON}" in email.body
    assert "- License number: LCSW 12345 -> LICSW 67890" in email.body
    assert "- License state: CA -> Oregon" in email.body
    assert "- Name: Ana María Núñez -> Ana María Núñez-Ortiz" in email.body
    assert f"Certificate number: {new.number} (it replaces {old.number}" in email.body
    assert "/certificates/" in email.body  # the new certificate's link
    # The learner page shows the new edition and the action.
    text = learner_page(admin, people["ana_id"])
    assert new.number in text and "Reissued a certificate" in text and REASON in text


def test_a_reissue_without_the_tick_box_sends_no_email(people, admin, synced):
    old = people["ana"]
    sent_before = len(outbox(synced))

    response = reissue(admin, old.number, **{**ANA, "full_name": "Ana Núñez"}, reason=REASON)

    assert response.status_code == 303
    assert "No email was sent." in " ".join(flashes_in(admin.get(response.headers["Location"])))
    assert len(outbox(synced)) == sent_before
    assert messages("certificate-corrected") == []


def test_the_email_box_is_ticked_when_the_page_opens(people, admin):
    number = people["ana"].number
    shown = page(admin, f"/admin/certificates/{number}")

    for action in ("reissue", "revoke"):
        form = form_posting_to(shown, f"/admin/certificates/{number}/{action}")
        assert form.values.get("email_learner") == "y", action
        assert "confirm" not in form.values  # the confirmation is the admin's own tick


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"reason": ""}, "Give a reason for the correction."),
        (
            {"license_number": "LCSW 12345; DROP"},
            "Enter the license number as it is printed on your license, for example "
            "LCSW 12345 or 123456: letters and digits only.",
        ),
        (
            {"license_state": "C4"},
            "Enter the state or jurisdiction in letters, for example California or CA.",
        ),
        ({"full_name": "Ana\u202eNúñez"}, "Please use only printable characters."),
        ({"email": "ana at example"}, "Enter an email address like name@example.org."),
    ],
)
def test_a_reissue_with_a_missing_reason_or_bad_details_is_refused(people, admin, fields, message):
    old = people["ana"]

    response = reissue(admin, old.number, **{**ANA, "reason": REASON, **fields})

    assert response.status_code == 422
    assert message in text_of(response)
    assert len(certificates()) == 2
    assert events("certificate_reissued") == []


def test_a_double_submitted_reissue_makes_one_certificate(people, admin):
    old = people["ana"]
    token_page = page(admin, f"/admin/certificates/{old.number}")
    form = form_posting_to(token_page, f"/admin/certificates/{old.number}/reissue")
    data = {**form.hidden, **CORRECTED, "reason": REASON, "email_learner": "y", "confirm": "y"}

    first = admin.post(form.action, data=data)
    second = admin.post(form.action, data=data)

    assert (first.status_code, second.status_code) == (303, 409)
    assert f"Certificate {old.number} is superseded: nothing was changed." in flashes_in(second)
    assert len(certificates()) == 3
    assert len(events("certificate_reissued")) == 1
    assert len(messages("certificate-corrected")) == 1


# --- revoke ----------------------------------------------------------------------------------


def test_a_revocation_emails_the_learner_the_reason_when_ticked(people, admin, synced):
    ana = people["ana"]
    sent_before = len(outbox(synced))

    response = post_action(
        admin,
        f"/admin/certificates/{ana.number}/revoke",
        reason="Completed by someone else",
        email_learner="y",
        confirm="y",
    )

    assert response.status_code == 303
    db.session.expire_all()
    assert ana.status == REVOKED
    assert len(outbox(synced)) == sent_before + 1
    email = outbox(synced)[-1]
    assert email.to == [ana.email]
    assert email.subject == f"Your CE certificate was revoked: {ana.course_title}"
    assert "Why: Completed by someone else" in email.body
    (event,) = events("certificate_revoked")
    assert event.reason == "Completed by someone else"
    assert f"Certificate {ana.number} is revoked. The learner is emailed at {ana.email}." in (
        flashes_in(admin.get(response.headers["Location"]))
    )


def test_a_revocation_without_the_tick_box_sends_no_email(people, admin, synced):
    kim = people["kim"]
    sent_before = len(outbox(synced))

    response = post_action(
        admin, f"/admin/certificates/{kim.number}/revoke", reason="Issued in error", confirm="y"
    )

    assert response.status_code == 303
    assert len(outbox(synced)) == sent_before
    assert messages("certificate-revoked") == []
    assert [c.status for c in rows_of(Certificate) if c.number == kim.number] == [REVOKED]
