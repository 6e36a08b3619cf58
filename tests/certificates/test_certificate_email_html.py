"""The certificate email as a person opens it: an HTML message with a plain-text part, the
sponsor's name and contact, the certificate PDF attached (up to CEENGINE_MAIL_ATTACH_MAX_KB)
and its link; whatever a learner typed is shown as text, never as markup."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

import pytest

from ceengine.certificates.mail import send_certificate_link
from ceengine.certificates.services import reissue_certificate
from tests.support.app import browser
from tests.support.certificate_steps import certificates, issue
from tests.support.mail_steps import links_in, outbox, smtp_settings

ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"


def test_the_email_is_html_with_a_text_part_and_the_pdf_attached(synced, client):
    issue(client, email="ana@example.org")
    (certificate,) = certificates()
    (message,) = outbox(synced)
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    link, verify = links_in(message.body)
    assert f'href="{link}"' in html and f'href="{verify}"' in html
    assert "Demo Lesson on Kindness" in html and certificate.number in html
    assert "Compassion CE Institute" in html and "mailto:ce@compassion.test" in html
    assert "Compassion CE Institute\nce@compassion.test" in message.body
    assert message.attachments == [(certificate.filename, certificate.pdf, "application/pdf")]
    assert f"attached to this email as a PDF ({certificate.filename})" in message.body
    ARTIFACTS.mkdir(exist_ok=True)  # for a person to open in a browser
    (ARTIFACTS / "email-certificate.html").write_text(html, encoding="utf-8")


@pytest.mark.parametrize("limit", [0, 1])  # 0 turns it off; 1 KB is less than any certificate
def test_the_size_setting_keeps_the_pdf_out_and_the_link_in(app_with, limit):
    app = app_with(MAIL_ATTACH_MAX_KB=limit)
    issue(browser(app), email="ana@example.org")
    (message,) = outbox(app)
    assert message.attachments == []
    assert "attached" not in message.body and "attached" not in message.alternatives[0][0]
    assert len(links_in(message.body)) == 2


def test_a_name_with_markup_is_shown_as_text_in_the_html(synced, client):
    issue(client)
    (old,) = certificates()
    new = reissue_certificate(old.number, full_name='Ana <script>alert("x")</script> & Co')
    assert send_certificate_link(new)  # as an admin's reissue sends it: greeting by name
    message = outbox(synced)[-1]
    html = message.alternatives[0][0]
    assert "<script>" not in html
    assert "Ana &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co" in html
    assert 'Hello Ana <script>alert("x")</script> & Co,' in message.body  # text stays text


def test_over_smtp_it_is_multipart_alternative_with_the_pdf(app_with, smtp_server):
    port, inbox = smtp_server
    app = app_with(**smtp_settings(port))
    issue(browser(app), email="ana@example.org")
    (certificate,) = certificates()
    (envelope,) = inbox.envelopes
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert message.get_content_type() == "multipart/mixed"
    body = message.get_body(("related", "html", "plain"))
    assert body.get_content_type() == "text/html"
    assert message.get_body(("plain",)).get_content().startswith("Hello,")
    assert any(part.get_content_type() == "multipart/alternative" for part in message.iter_parts())
    (attachment,) = message.iter_attachments()
    assert attachment.get_filename() == certificate.filename
    assert attachment.get_content() == certificate.pdf
