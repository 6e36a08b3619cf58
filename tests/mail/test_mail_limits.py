"""The certificate email is not an open relay (issue 13, finding 11).

The details form emails whatever address is typed. Each address gets at most one certificate
email a day from one learner or one network, there are limits per address and per network,
and the typed name never reaches the email. The certificate is issued all the same, and its
page says plainly that the email was not sent and why.
"""

from __future__ import annotations

from tests.support.app import browser
from tests.support.certificate_steps import certificates, download_link, issue
from tests.support.html import flashes, form_in, text_of
from tests.support.mail_steps import outbox

STRANGER = "stranger@example.org"
SPAM_NAME = "URGENT your license is suspended - call 555-0100"


def not_sent(page) -> str:
    """The warning a certificate page shows when its email was not sent."""
    (text,) = [text for category, text in flashes(page) if category == "warning"]
    assert text.startswith("Your certificate has been issued, but we did not email its link")
    assert "Bookmark this page to come back to it." in text
    return text


def test_one_browser_cannot_email_a_stranger_a_second_certificate(synced):
    client = browser(synced)
    first = issue(client, full_name=SPAM_NAME, email=STRANGER)
    second = issue(client, full_name=SPAM_NAME, email=STRANGER)
    assert (
        "success",
        f"Your certificate has been issued. We are emailing its link to {STRANGER}.",
    ) in flashes(first)
    assert "in the last 24 hours" in not_sent(second)
    assert len(certificates()) == 2
    assert client.get(download_link(second)).data.startswith(b"%PDF")
    assert [m.to for m in outbox(synced)] == [[STRANGER]]


def test_fresh_browsers_from_one_network_send_a_stranger_one_email(synced):
    # The reported attack: five certificates in a row, each from a new cookie.
    pages = [issue(browser(synced), full_name=SPAM_NAME, email=STRANGER) for _ in range(5)]
    assert len(certificates()) == 5
    assert len(outbox(synced)) == 1
    for page in pages[1:]:
        assert STRANGER in not_sent(page)


def test_an_address_gets_only_so_many_emails_from_many_networks(app_with):
    app = app_with(MAIL_PER_RECIPIENT_LIMIT="2 per day")
    pages = [issue(browser(app, f"10.0.0.{n}"), email=STRANGER) for n in (1, 2, 3)]
    assert len(outbox(app)) == 2 and len(certificates()) == 3
    assert "as many emails as we send to one address in a day" in not_sent(pages[2])


def test_one_network_can_ask_for_only_so_many_emails(app_with):
    app = app_with(MAIL_PER_CLIENT_LIMIT="2 per hour")
    pages = [issue(browser(app, "10.0.0.9"), email=f"person{n}@example.org") for n in (1, 2, 3)]
    assert [m.to for m in outbox(app)] == [["person1@example.org"], ["person2@example.org"]]
    assert "as many emails as we send for one network in an hour" in not_sent(pages[2])
    # Another network is not held back by the first one.
    issue(browser(app, "10.0.0.10"), email="person4@example.org")
    assert outbox(app)[-1].to == ["person4@example.org"]


def test_typed_text_never_reaches_the_email(synced):
    issue(browser(synced), full_name=SPAM_NAME, email=STRANGER)
    (message,) = outbox(synced)
    assert message.subject == "Your CE certificate: Demo Lesson on Kindness"
    assert "URGENT" not in message.body and "555-0100" not in message.body
    assert "Demo Lesson on Kindness" in message.body


def test_sign_in_links_stop_at_the_address_limit_with_the_same_answer(app_with):
    app = app_with(MAIL_PER_RECIPIENT_LIMIT="2 per day")
    issue(browser(app), email="ana@example.org")  # the first email to ana

    def ask(address: str, remote: str):
        visitor = browser(app, remote)
        form = form_in(visitor.get("/my-certificates").get_data(as_text=True), "email")
        response = visitor.post(form.action, data={**form.hidden, "email": address})
        return (
            response.status_code,
            response.headers["Location"],
            flashes(visitor.get(response.headers["Location"])),
        )

    known = [ask("ana@example.org", f"10.0.1.{n}") for n in (1, 2, 3)]
    unknown = ask("nobody@example.org", "10.0.1.4")
    assert [m.to for m in outbox(app)] == [["ana@example.org"]] * 2
    flash = [
        (
            "success",
            "If certificates were issued to {}, a sign-in link is on its way "
            "there. It signs you in once, within 24 hours.",
        )
    ]
    for status, location, said in known:
        assert (status, location) == (303, "/my-certificates")
        assert said == [(flash[0][0], flash[0][1].format("ana@example.org"))]
    assert unknown == (
        303,
        "/my-certificates",
        [(flash[0][0], flash[0][1].format("nobody@example.org"))],
    )


def test_an_admin_reissue_is_not_held_back_by_the_learners_limits(app_with):
    from tests.support.admin_steps import admin_client
    from tests.support.html import csrf_token_in

    app = app_with(MAIL_PER_RECIPIENT_LIMIT="1 per day")
    issue(browser(app), email="ana@example.org")
    (certificate,) = certificates()
    admin = admin_client(app)
    page = admin.get(f"/admin/certificates/{certificate.number}").get_data(as_text=True)
    response = admin.post(
        f"/admin/certificates/{certificate.number}/reissue",
        data={
            "csrf_token": csrf_token_in(page),
            "full_name": "Ana M. Núñez",
            "email": "ana@example.org",
            "reason": "The learner asked for her middle initial",
            "email_learner": "y",
            "confirm": "y",
        },
    )
    assert response.status_code == 303
    assert [m.to for m in outbox(app)] == [["ana@example.org"]] * 2
    assert "The new link was emailed" in text_of(admin.get(response.headers["Location"]))
