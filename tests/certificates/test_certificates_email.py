"""Certificate emails and My certificates, as a learner meets them.

After issuing, the learner gets one email with the certificate page's link. My certificates
emails a timed sign-in link that opens every certificate issued to an address (once, until
Sign out). Mail goes to Flask-Mailman's in-memory outbox, or over real SMTP to a local
aiosmtpd server.
"""

from __future__ import annotations

import email
import email.policy
import re
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from itsdangerous.timed import TimestampSigner

from ceengine.certificates.tokens import SIGN_IN_MAX_AGE, certificate_token, sign_in_token
from tests.support.app import Browser, browser
from tests.support.certificate_steps import (
    certificates,
    details_page,
    download_link,
    issue,
    take_quiz,
)
from tests.support.html import flashes, form_in, text_of
from tests.support.mail_steps import links_in, outbox, queued, smtp_settings
from tests.support.network import free_port

SENT_FLASH = "If certificates were issued to {}, a sign-in link is on its way there. It signs you in once, within 24 hours."


# --- helpers ---------------------------------------------------------------------------------


def path_of(url: str) -> str:
    """The path a browser requests for an absolute address."""
    return urlsplit(url).path


def ask_for_sign_in(client, address: str):
    """Fill in My certificates' email form and press `Email me a sign-in link`."""
    form = form_in(client.get("/my-certificates").get_data(as_text=True), "email")
    return client.post(form.action, data={**form.hidden, **form.submits, "email": address})


def sign_in_link(app) -> str:
    """The link in the newest sign-in email."""
    message = outbox(app)[-1]
    assert message.subject == "Your sign-in link for My certificates"
    (link,) = links_in(message.body)
    return link


def use_sign_in_link(visitor, link: str):
    """Open an emailed sign-in link and press `Open my certificates` on the page it shows."""
    page = visitor.get(link)
    if page.status_code != 200:
        return page
    form = form_in(page.get_data(as_text=True), "csrf_token")
    assert form.submits == {"submit": "Open my certificates"}
    return visitor.post(form.action, data={**form.hidden, **form.submits})


def signed_in_client(app, address: str):
    """A fresh browser that asked for a sign-in link and used it."""
    assert ask_for_sign_in(browser(app), address).status_code == 303
    visitor = browser(app)
    response = use_sign_in_link(visitor, path_of(sign_in_link(app)))
    assert response.status_code == 303
    assert response.headers["Location"] == "/my-certificates"
    return visitor


def copy_of(app, visitor) -> Browser:
    """Another browser holding a copy of `visitor`'s session cookie."""
    copy = browser(app)
    copy.set_cookie("session", visitor.get_cookie("session").value)
    return copy


def lists_certificates(visitor, address: str = "ana@example.org") -> bool:
    """Whether My certificates shows this browser the certificates issued to `address`."""
    return f"Certificates issued to {address}" in text_of(visitor.get("/my-certificates"))


def transcript_rows(response) -> list[list[str]]:
    """The cells of each row in the My certificates table."""
    body = response.get_data(as_text=True)
    tbody = re.search(r"<tbody>(.*?)</tbody>", body, re.S)
    rows = re.findall(r"<tr>(.*?)</tr>", tbody.group(1), re.S) if tbody else []
    return [
        [
            " ".join(re.sub(r"<[^>]+>", " ", cell).split())
            for cell in re.findall(r"<td>(.*?)</td>", row, re.S)
        ]
        for row in rows
    ]


# --- fixtures: `app_with` and `smtp_server` are in tests/conftest.py ---------------------------


# --- the certificate email -------------------------------------------------------------------


def test_issuing_emails_the_learner_the_certificate_link(synced, client):
    page = issue(client, email="ana@example.org")
    (certificate,) = certificates()
    (message,) = outbox(synced)
    assert message.to == ["ana@example.org"]
    assert message.subject == "Your CE certificate: Demo Lesson on Kindness"
    link, verify = links_in(message.body)
    assert (
        link.startswith("http")
        and path_of(link) == f"/certificates/{certificate_token(certificate.number)}"
    )
    assert verify.startswith("http") and path_of(verify) == f"/verify/{certificate.number}"
    assert certificate.number in message.body and "Demo Lesson on Kindness" in message.body
    assert "The same page offers it as an Open Badge (a verifiable credential" in " ".join(
        message.body.split()
    )
    assert (
        "success",
        "Your certificate has been issued. We are emailing its link to ana@example.org.",
    ) in flashes(page)


def test_the_emailed_link_opens_the_certificate_in_another_browser(synced, client):
    issue(client)
    (link, _verify) = links_in(outbox(synced)[0].body)
    page = browser(synced).get(path_of(link))
    assert page.status_code == 200
    assert "Download certificate (PDF)" in text_of(page)
    assert "Demo Lesson on Kindness" in text_of(page)


def test_a_double_submitted_details_form_sends_one_email(synced, client):
    address, page = details_page(client, take_quiz(client, "demo-lesson"))
    form = form_in(page.get_data(as_text=True), "full_name")
    data = {
        **form.hidden,
        **form.values,
        "full_name": "Ana María Núñez",
        "email": "ana@example.org",
        "attest": "y",
        "issue": form.submits["issue"],
    }
    first, second = client.post(address, data=data), client.post(address, data=data)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert len(certificates()) == 1
    assert len(outbox(synced)) == 1


def test_the_email_goes_out_over_smtp(app_with, smtp_server):
    port, inbox = smtp_server
    app = app_with(**smtp_settings(port), SPONSOR_NAME="Institut Québécois de Formation")
    page = issue(browser(app), email="ana@example.org")
    (certificate,) = certificates()
    (envelope,) = inbox.envelopes
    assert envelope.rcpt_tos == ["ana@example.org"]
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert message["To"] == "ana@example.org"
    assert message["Subject"] == "Your CE certificate: Demo Lesson on Kindness"
    body = message.get_body(("plain",)).get_content()
    assert "Institut Québécois de Formation" in body
    assert f"/certificates/{certificate_token(certificate.number)}" in body
    assert "We are emailing its link" in text_of(page)


def test_the_email_comes_from_the_sponsor_contact_the_site_shows(app_with, monkeypatch):
    monkeypatch.delenv("CEENGINE_MAIL_FROM", raising=False)
    monkeypatch.delenv("CEENGINE_SPONSOR_CONTACT", raising=False)
    app = app_with(SPONSOR_CONTACT="ce@compassion.test")
    page = issue(browser(app))
    assert "Contact: ce@compassion.test" in text_of(page)
    (message,) = outbox(app)
    assert message.from_email == "ce@compassion.test"


def test_a_mail_server_that_is_down_loses_nothing(app_with):
    app = app_with(**smtp_settings(free_port()))
    client = browser(app)
    page = issue(client)
    assert page.status_code == 200
    assert len(certificates()) == 1
    # The email waits in the outbox to be tried again (tests/mail/test_mail_outbox.py sends it).
    assert (
        "success",
        "Your certificate has been issued. We are emailing its link to ana@example.org.",
    ) in flashes(page)
    (waiting,) = queued(status="pending")
    assert waiting.recipient == "ana@example.org" and waiting.attempts == 1
    assert "refused" in waiting.last_error.lower()
    pdf = client.get(download_link(page))
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


# --- My certificates: asking for a sign-in link ----------------------------------------------


def test_my_certificates_asks_for_an_email_address(synced, client):
    page = client.get("/my-certificates")
    assert page.status_code == 200
    form = form_in(page.get_data(as_text=True), "email")
    assert form.action == "/my-certificates" and "csrf_token" in form.hidden
    assert "Email me a sign-in link" in form.submits.values()


def test_a_known_address_gets_a_sign_in_link(synced, client):
    issue(client, email="ana@example.org")
    response = ask_for_sign_in(browser(synced), "ana@example.org")
    assert response.status_code == 303 and response.headers["Location"] == "/my-certificates"
    assert len(outbox(synced)) == 2
    message = outbox(synced)[-1]
    assert message.to == ["ana@example.org"]
    assert "it signs you in once, within 24 hours" in message.body
    assert path_of(sign_in_link(synced)).startswith("/my-certificates/sign-in/")


def test_the_sign_in_link_lists_the_certificates(synced, client):
    page = issue(client, email="Ana@Example.org")
    original_pdf = client.get(download_link(page)).data
    (certificate,) = certificates()
    visitor = signed_in_client(synced, "ana@example.org")
    transcript = visitor.get("/my-certificates")
    assert "Certificates issued to ana@example.org" in text_of(transcript)
    ((course, hours, _completed, number, status, action),) = transcript_rows(transcript)
    assert (course, hours, number, status) == (
        "Demo Lesson on Kindness",
        "1",
        certificate.number,
        "Valid",
    )
    assert action.startswith("Download")
    download = re.search(r'href="([^"]+/pdf)"', transcript.get_data(as_text=True)).group(1)
    assert visitor.get(download).data == original_pdf


def test_an_unknown_address_gets_the_same_answer_and_no_email(synced, client):
    issue(client, email="ana@example.org")
    sent_before = len(outbox(synced))
    known = ask_for_sign_in(browser(synced), "ana@example.org")
    unknown = ask_for_sign_in(browser(synced), "nobody@example.org")
    assert unknown.status_code == known.status_code == 303
    assert unknown.headers["Location"] == known.headers["Location"]
    assert len(outbox(synced)) == sent_before + 1
    assert outbox(synced)[-1].to == ["ana@example.org"]


def test_the_flash_is_the_same_for_known_and_unknown_addresses(synced, client):
    issue(client, email="ana@example.org")
    said = {}
    for address in ("ana@example.org", "nobody@example.org"):
        visitor = browser(synced)
        ask_for_sign_in(visitor, address)
        said[address] = flashes(visitor.get("/my-certificates"))
    assert said["ana@example.org"] == [("success", SENT_FLASH.format("ana@example.org"))]
    assert said["nobody@example.org"] == [("success", SENT_FLASH.format("nobody@example.org"))]


def test_an_invalid_address_is_refused_and_kept(synced, client):
    response = ask_for_sign_in(client, "ana at example")
    assert response.status_code == 422
    assert "Enter an email address like name@example.org." in text_of(response)
    assert form_in(response.get_data(as_text=True), "email").values["email"] == "ana at example"
    assert outbox(synced) == []


def test_asking_too_often_gets_a_readable_429(app_with):
    app = app_with(SIGN_IN_RATE_LIMIT="2 per hour")
    client = browser(app)
    for address in ("one@example.org", "two@example.org"):
        assert ask_for_sign_in(client, address).status_code == 303
    response = ask_for_sign_in(client, "three@example.org")
    assert response.status_code == 429
    assert "Too many requests" in text_of(response)
    assert "Please wait a moment and try again." in text_of(response)


# --- My certificates: the sign-in link itself ------------------------------------------------


def test_an_altered_sign_in_link_is_not_found(synced, client):
    issue(client)
    ask_for_sign_in(client, "ana@example.org")
    token = path_of(sign_in_link(synced)).rsplit("/", 1)[1]
    altered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    response = browser(synced).get(f"/my-certificates/sign-in/{altered}")
    assert response.status_code == 404
    assert "That sign-in link is not valid." in text_of(response)


def test_a_sign_in_link_works_for_24_hours_then_offers_a_new_one(synced, client, monkeypatch):
    issue(client)
    ask_for_sign_in(client, "ana@example.org")
    link = path_of(sign_in_link(synced))
    now = int(time.time())

    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: now + SIGN_IN_MAX_AGE - 60)
    assert browser(synced).get(link).status_code == 200  # the page with the button

    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: now + SIGN_IN_MAX_AGE + 60)
    visitor = browser(synced)
    response = visitor.get(link)
    assert response.status_code == 410
    assert "That sign-in link has expired. Ask for a new one below." in text_of(response)
    assert (
        "Email me a sign-in link"
        in form_in(response.get_data(as_text=True), "email").submits.values()
    )
    assert "Certificates issued to" not in text_of(visitor.get("/my-certificates"))


def test_a_sign_in_link_signs_in_once_then_says_it_was_used(synced, client):
    issue(client, email="ana@example.org")
    ask_for_sign_in(client, "ana@example.org")
    link = path_of(sign_in_link(synced))
    first = browser(synced)
    assert use_sign_in_link(first, link).status_code == 303
    assert lists_certificates(first)

    second = browser(synced)
    response = second.get(link)

    assert response.status_code == 410
    assert (
        "That sign-in link has already been used: each link signs in once. Ask for a new one below."
    ) in text_of(response)
    assert (
        "Email me a sign-in link"
        in form_in(response.get_data(as_text=True), "email").submits.values()
    )
    assert not lists_certificates(second)
    # Posting to the link (as a script would, with this browser's own form token) is no use.
    token = form_in(response.get_data(as_text=True), "email").hidden["csrf_token"]
    assert second.post(link, data={"csrf_token": token}).status_code == 410
    assert not lists_certificates(second)
    assert lists_certificates(first)


def test_two_browsers_pressing_the_button_at_once_sign_in_once(synced, client):
    issue(client, email="ana@example.org")
    ask_for_sign_in(client, "ana@example.org")
    link = path_of(sign_in_link(synced))
    pages = {}
    for name in ("first", "second"):
        pages[name] = (
            (visitor := browser(synced)),
            form_in(visitor.get(link).get_data(as_text=True), "csrf_token"),
        )

    answers = [
        visitor.post(form.action, data={**form.hidden, **form.submits}).status_code
        for visitor, form in pages.values()
    ]

    assert answers == [303, 410]
    assert [lists_certificates(visitor) for visitor, _ in pages.values()] == [True, False]


def test_a_mail_scanner_opening_the_link_does_not_use_it_up(synced, client):
    issue(client, email="ana@example.org")
    ask_for_sign_in(client, "ana@example.org")
    link = path_of(sign_in_link(synced))

    scanner = browser(synced)
    assert scanner.get(link).status_code == 200
    assert scanner.head(link).status_code == 200

    assert not lists_certificates(scanner)
    visitor = browser(synced)
    assert use_sign_in_link(visitor, link).status_code == 303
    assert lists_certificates(visitor)


def test_the_browser_that_used_the_link_can_follow_it_again(synced, client):
    issue(client, email="ana@example.org")
    visitor = signed_in_client(synced, "ana@example.org")

    again = visitor.get(path_of(sign_in_link(synced)))

    assert again.status_code == 303 and again.headers["Location"] == "/my-certificates"
    assert lists_certificates(visitor)


def test_a_certificate_link_is_not_a_sign_in_link(synced, client):
    issue(client)
    (certificate,) = certificates()
    response = client.get(f"/my-certificates/sign-in/{certificate_token(certificate.number)}")
    assert response.status_code == 404


def test_a_sign_in_link_is_not_a_certificate_link(synced, client):
    issue(client)
    (certificate,) = certificates()
    for made_from in (certificate.number, "ana@example.org"):
        token = sign_in_token(made_from)
        assert client.get(f"/certificates/{token}").status_code == 404
        assert client.get(f"/certificates/{token}/pdf").status_code == 404


# --- My certificates: signed in --------------------------------------------------------------


def test_signing_out_forgets_the_address(synced, client):
    issue(client)
    visitor = signed_in_client(synced, "ana@example.org")
    form = form_in(visitor.get("/my-certificates").get_data(as_text=True), "csrf_token")
    assert form.action == "/my-certificates/sign-out"
    response = visitor.post(form.action, data={**form.hidden, **form.submits})
    assert response.status_code == 303
    page = visitor.get(response.headers["Location"])
    assert ("success", "You are signed out of My certificates.") in flashes(page)
    assert "ana@example.org" not in text_of(page)
    assert (
        "Email me a sign-in link" in form_in(page.get_data(as_text=True), "email").submits.values()
    )


def test_signing_out_ends_the_session_in_every_copy_of_its_cookie(synced, client):
    issue(client)
    visitor = signed_in_client(synced, "ana@example.org")
    copy = copy_of(synced, visitor)
    assert lists_certificates(copy)  # the control: a copy works until sign-out
    form = form_in(visitor.get("/my-certificates").get_data(as_text=True), "csrf_token")

    visitor.post(form.action, data={**form.hidden, **form.submits})

    page = copy.get("/my-certificates")
    assert "ana@example.org" not in text_of(page)
    assert certificates()[0].number not in page.get_data(as_text=True)
    assert (
        "Email me a sign-in link" in form_in(page.get_data(as_text=True), "email").submits.values()
    )
    assert not lists_certificates(visitor)


def test_a_session_lasts_8_hours(synced, client, monkeypatch):
    issue(client)
    visitor = signed_in_client(synced, "ana@example.org")
    opened = datetime.now(UTC)

    def hours_later(hours: float) -> None:
        later = opened + timedelta(hours=hours)
        monkeypatch.setattr("ceengine.certificates.transcript_sessions.utcnow", lambda: later)
        monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(later.timestamp()))

    hours_later(7)
    assert lists_certificates(visitor)
    hours_later(8 + 1 / 60)
    assert not lists_certificates(visitor)


def test_signing_out_needs_the_form_token(synced, client):
    issue(client)
    visitor = signed_in_client(synced, "ana@example.org")
    assert visitor.post("/my-certificates/sign-out").status_code == 400
    assert "Certificates issued to ana@example.org" in text_of(visitor.get("/my-certificates"))


def test_another_learners_certificates_never_show(synced, client):
    issue(client, full_name="Ana Núñez", email="ana@example.org")
    issue(browser(synced), full_name="Bo Berg", email="bo@example.org")
    ana, bo = certificates()
    transcript = signed_in_client(synced, "ana@example.org").get("/my-certificates")
    assert [row[3] for row in transcript_rows(transcript)] == [ana.number]
    assert bo.number not in transcript.get_data(as_text=True)
    assert "bo@example.org" not in transcript.get_data(as_text=True)
