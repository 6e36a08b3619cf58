"""Against Stripe's own test mode, when STRIPE_SECRET_KEY=sk_test_… is set (skipped otherwise,
also in CI): the Checkout Session calls the app makes are the ones Stripe accepts."""

from __future__ import annotations

import os

import pytest

from ceengine.billing.services import order_for_attempt
from ceengine.billing.stripe_api import expire_session, retrieve_session
from ceengine.certificates.edition import LearnerDetails
from ceengine.completion.checkout import start_checkout
from ceengine.courses.services import sync_courses
from ceengine.extensions import db
from ceengine.quizzes.models import Attempt
from tests.support.app import make_app
from tests.support.certificate_steps import take_quiz

KEY = os.environ.get("STRIPE_SECRET_KEY", "")

pytestmark = [
    pytest.mark.stripe_live,
    pytest.mark.skipif(
        not KEY.startswith("sk_test_"),
        reason="set STRIPE_SECRET_KEY=sk_test_… to run against Stripe test mode",
    ),
]


def test_a_checkout_session_is_created_retrieved_and_expired(tmp_path, courses_dir):
    app = make_app(
        f"sqlite:///{tmp_path / 'live.db'}",
        courses_dir,
        STRIPE_SECRET_KEY=KEY,
        STRIPE_WEBHOOK_SECRET="whsec_unused_here",
        STRIPE_API_BASE=None,
    )
    with app.app_context():
        sync_courses(courses_dir)
        client = app.test_client()
        public_id = take_quiz(client, "demo-modules").rsplit("/", 1)[-1]
        attempt = db.session.query(Attempt).filter_by(public_id=public_id).one()
        with app.test_request_context(base_url="https://ce.example.org"):
            url = start_checkout(
                attempt, attempt.learner, LearnerDetails("Test Learner", "learner@example.org")
            )
        assert url.startswith("https://checkout.stripe.com/")
        session = retrieve_session(order_for_attempt(attempt).checkout_session_id)
        assert session.amount_total == 1500 and session.payment_status == "unpaid"
        expire_session(session.id)
        assert retrieve_session(session.id).status == "expired"
