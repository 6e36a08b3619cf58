"""A paid certificate carries the credit the learner was shown before paying, even when the
payment is confirmed after the approval has ended."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ceengine.courses.services import sync_courses
from ceengine.localtime import today
from tests.certificates.test_accreditation import accredit
from tests.support.billing_steps import continue_to_payment, session_id_of
from tests.support.certificate_steps import certificates


@pytest.fixture
def app(stripe_fake, paying_app):
    return paying_app(stripe_fake)


def test_the_credit_shown_at_checkout_is_the_credit_printed(
    app, stripe_fake, courses_dir, client, monkeypatch
):
    accredit(
        courses_dir,
        "approvals:\n  - id: ex\n    body: other\n    body_name: Example Board\n"
        f"    number: '12'\n    approved_until: {today().isoformat()}\n",
        "credit:\n  - approval: ex\n",
        slug="demo-modules",
    )
    sync_courses(courses_dir)
    _, checkout = continue_to_payment(client)  # the details page said: Example Board credit
    session = session_id_of(checkout)
    stripe_fake.complete(session)
    tomorrow = datetime.now(UTC) + timedelta(days=1, hours=1)  # a bank payment settles later
    monkeypatch.setattr("ceengine.certificates.services.utcnow", lambda: tomorrow)
    status, _ = stripe_fake.deliver(
        client, stripe_fake.session_event("checkout.session.completed", session)
    )
    assert status == 200
    (certificate,) = certificates()
    assert [c["short"] for c in certificate.credits] == ["Example Board"]
