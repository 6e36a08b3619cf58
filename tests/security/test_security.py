"""Security, checked by walking the whole URL map, so a route added later cannot forget a guard.

1. CSRF: every state-changing route refuses a POST without its token and changes nothing;
   only the Stripe webhook is exempt, and it checks its signature instead.
2. Learner pages: an attempt or an order is its learner's alone; an altered token, id or
   number is a 404, never a 500 and never someone else's data.
3. Headers: the CSP, nosniff and Referrer-Policy on every page and every error; HSTS and
   secure cookies in production.
4. Rate limits: the refused request gets a readable 429 and stores or sends nothing.
5. Verify upload: a file over the limit is a 413 page; an upload is never kept or echoed.

The admin guard on every /admin address is walked in tests/admin/test_admin.py.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from ceengine import create_app
from ceengine.admin.accounts import admin_by_email
from ceengine.admin.models import AdminSession
from ceengine.billing.models import StripeEvent
from ceengine.certificates.numbers import new_certificate_number
from ceengine.courses.models import QuizItem
from ceengine.courses.services import sync_courses
from ceengine.extensions import db
from tests.support.admin_steps import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    admin_token,
    ensure_admin,
    is_signed_in,
    sign_in,
)
from tests.support.app import FreshRequestClient, make_app, production_environment
from tests.support.certificate_steps import download_link, issue, upload
from tests.support.feedback_steps import answers as evaluation_answers
from tests.support.html import csrf_token_in, form_in, quiz_form_in, text_of
from tests.support.mail_steps import outbox
from tests.support.security_steps import (
    A_EMAIL,
    A_LICENSE,
    A_NAME,
    STATE_CHANGING,
    World,
    altered,
    build_world,
    changed_files_holding,
    cookie_attributes,
    csp_directives,
    database_state,
    files_under,
    methods_of,
    outside_alphabet,
    record_csrf_refusals,
    row_counts,
    rules,
    token_of,
)

TOO_MANY = "Too many requests Please wait a moment and try again."


pytestmark = pytest.mark.usefixtures("quick_hashes")


@pytest.fixture
def secured(database_url, courses_dir):
    """The app with CSRF enforced (said explicitly, whatever the test settings do), courses in."""
    app = make_app(database_url, courses_dir, WTF_CSRF_ENABLED=True)
    with app.app_context():
        sync_courses(courses_dir)
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def world(secured) -> World:
    """Learner A (a certificate, an order), learner B, a signed-in admin, a reflection."""
    return build_world(secured)


def leaks(response) -> list[str]:
    """Learner A's details found in a response's body or its redirect."""
    served = response.get_data().decode(errors="replace") + response.headers.get("Location", "")
    return [
        secret
        for secret in (A_NAME, A_EMAIL, A_LICENSE["license_number"])
        if secret.lower() in served.lower()
    ]


# === 1. CSRF ==================================================================================

# Endpoints that take a state-changing request without a CSRF token, each with its reason.
# ARCHITECTURE.md rule 4: only the Stripe webhook.
CSRF_EXEMPT = {
    "completion.stripe_webhook": "Stripe calls it server to server, with no session and no "
    "form; it is authenticated by the Stripe-Signature HMAC over "
    "the raw body instead",
}
# Actions the walk must meet, so a broken enumeration cannot pass by walking nothing.
KNOWN_ACTIONS = {
    "quizzes.score",
    "completion.details",
    "feedback.evaluation",
    "feedback.share_reflection",
    "certificates.request_sign_in",
    "certificates.my_certificates_sign_out",
    "certificates.my_certificates_sign_in",
    "certificates.verify_file",
    "admin.login",
    "admin.logout",
    "admin.moderate",
    "admin.delete",
    "admin.revoke",
    "admin.reissue",
    "admin.invite",
    "admin.change_role",
    "admin.deactivate",
    "admin.accept_invitation",
    "admin.resend",
}
# The control walk signs out last, and deletes the reflection after moderating it; then
# learner A's browser accepts an invitation (which signs it in to the console).
LAST = ("admin.delete", "admin.logout", "admin.accept_invitation")


def guarded_actions(app) -> list:
    """Every state-changing rule that must check the CSRF token, logout last."""
    found = [rule for rule in rules(app, STATE_CHANGING) if rule.endpoint not in CSRF_EXEMPT]
    return sorted(
        found, key=lambda r: (LAST.index(r.endpoint) + 1 if r.endpoint in LAST else 0, r.rule)
    )


def forged_forms(world: World) -> dict[str, dict]:
    """For each action, the form a browser would send (and an attacker's page would copy),
    filled in so that the action would really change something if the token were not checked."""
    quiz = quiz_form_in(world.a.get("/courses/demo-lesson/quiz").get_data(as_text=True))
    right = {
        name: db.session.get(QuizItem, int(name.removeprefix("item-"))).answer
        for name in quiz.radios
    }
    reflection = form_in(world.a.get("/courses/demo-lesson").get_data(as_text=True), "display_name")
    forms = {
        "quizzes.score": quiz.answers(right),
        "feedback.share_reflection": {
            **reflection.hidden,
            "display_name": "Mallory",
            "body": "Posted by another site.",
        },
        "feedback.evaluation": evaluation_answers(rating=1, comments="Posted by another site."),
        "completion.details": {
            "full_name": "Mallory Forger",
            "email": "mallory@evil.test",
            **A_LICENSE,
            "attest": "y",
            "issue": "Issue certificate",
        },
        "certificates.request_sign_in": {"email": A_EMAIL, "submit": "Email me a sign-in link"},
        "certificates.my_certificates_sign_out": {"submit": "Sign out"},
        "certificates.my_certificates_sign_in": {"submit": "Open my certificates"},
        "admin.login": {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD},
        "admin.revoke": {"reason": "Forged by another site", "confirm": "y"},
        "admin.invite": {"email": "mallory@example.org", "role": "owner"},
        "admin.change_role": {"role": "owner"},
        "admin.accept_invitation": {
            "password": "chosen by another site",
            "confirm": "chosen by another site",
        },
        "admin.reissue": {
            "full_name": "Mallory Forger",
            "email": "mallory@evil.test",
            "reason": "Forged by another site",
            "email_learner": "y",
            "confirm": "y",
        },
        "admin.resend": {"key": "forged-by-another-site", "submit": "Resend certificate email"},
    }
    for form in forms.values():
        form.pop("csrf_token", None)
    return forms


def body_for(endpoint: str, forms: dict[str, dict], token: str | None = None) -> dict:
    """A fresh request body (a file can be read only once) with or without a token."""
    body = dict(forms.get(endpoint, {}))
    if endpoint == "certificates.verify_file":
        body["pdf"] = (io.BytesIO(b"%PDF-1.7\n a file to check\n%%EOF\n"), "certificate.pdf")
    if token is not None:
        body["csrf_token"] = token
    return body


def test_the_csrf_walk_covers_every_state_changing_route(secured):
    assert secured.config["WTF_CSRF_ENABLED"] is True
    assert secured.config.get("WTF_CSRF_CHECK_DEFAULT", True) is True  # checked app-wide
    walked = {rule.endpoint for rule in guarded_actions(secured)}
    all_endpoints = {rule.endpoint for rule in rules(secured)}

    assert walked >= KNOWN_ACTIONS, KNOWN_ACTIONS - walked
    assert set(CSRF_EXEMPT) <= all_endpoints, "the allow-list names a route that does not exist"
    for rule in rules(secured):
        if rule.endpoint in CSRF_EXEMPT:
            assert rule.methods & STATE_CHANGING, f"{rule.endpoint} needs no exemption"


def test_every_state_changing_route_refuses_a_post_without_its_csrf_token(world, monkeypatch):
    forms = forged_forms(world)
    others_token = token_of(world.b)  # a real token, but of another browser's session
    refusals = record_csrf_refusals(monkeypatch)
    before, mails = database_state(), len(outbox(world.app))
    walked = []

    for rule in guarded_actions(world.app):
        client = world.client_for(rule)
        for url in world.urls_of(rule):
            for method in methods_of(rule, STATE_CHANGING):
                for token in (None, others_token):
                    seen = len(refusals)
                    response = client.open(
                        url, method=method, data=body_for(rule.endpoint, forms, token)
                    )
                    where = (
                        method,
                        url,
                        rule.endpoint,
                        "another browser's token" if token else "no token",
                    )
                    assert response.status_code == 400, (where, response.status_code)
                    assert len(refusals) == seen + 1, f"{where}: not refused by the CSRF check"
                    assert not leaks(response), where
                walked.append(rule.endpoint)

    assert set(walked) >= KNOWN_ACTIONS
    assert database_state() == before
    assert len(outbox(world.app)) == mails
    assert is_signed_in(world.admin)  # the forged sign-out did not sign the admin out


def test_with_its_token_each_walked_action_gets_past_the_check(world, monkeypatch):
    """The control: the walk's addresses are real, so its 400s come from the missing token."""
    forms = forged_forms(world)
    tokens = {id(world.a): token_of(world.a), id(world.admin): admin_token(world.admin)}
    refusals = record_csrf_refusals(monkeypatch)

    for rule in guarded_actions(world.app):
        client = world.client_for(rule)
        for url in world.urls_of(rule):
            for method in methods_of(rule, STATE_CHANGING):
                response = client.open(
                    url, method=method, data=body_for(rule.endpoint, forms, tokens[id(client)])
                )
                assert response.status_code not in (400, 401, 403, 404), (
                    method,
                    url,
                    response.status_code,
                    text_of(response)[:300],
                )
                assert response.status_code < 500
    assert refusals == []


@pytest.fixture
def paying(stripe_fake, paying_app):
    """The app with payments on (and CSRF enforced)."""
    return paying_app(stripe_fake, WTF_CSRF_ENABLED=True)


def test_the_stripe_webhook_is_exempt_and_checks_its_signature_instead(
    paying, stripe_fake, monkeypatch
):
    client = paying.test_client()
    refusals = record_csrf_refusals(monkeypatch)
    before = database_state()
    event = stripe_fake.event("customer.created", {"id": "cus_test", "object": "customer"})
    body = stripe_fake.payload(event)

    forged = client.post(
        "/billing/stripe/webhook",
        data=body,
        headers={"Content-Type": "application/json", "Stripe-Signature": "t=1,v1=" + "0" * 64},
    )
    unsigned = client.post(
        "/billing/stripe/webhook", data=body, headers={"Content-Type": "application/json"}
    )
    other_secret = client.post(
        "/billing/stripe/webhook",
        data=body,
        headers={
            "Content-Type": "application/json",
            "Stripe-Signature": stripe_fake.sign(body, secret="whsec_someone_else"),
        },
    )

    for response in (forged, unsigned, other_secret):
        assert response.status_code == 400
        assert response.get_json() == {"error": "The Stripe-Signature does not verify."}
    assert refusals == []  # it was the signature, not CSRF, that refused them
    assert database_state() == before

    status, answer = stripe_fake.deliver(client, event)  # signed, and still no CSRF token
    assert (status, refusals) == (200, [])
    assert '"ignored"' in answer
    assert [e.id for e in db.session.scalars(sa.select(StripeEvent))] == [event["id"]]


def test_with_payments_off_the_webhook_is_not_found_rather_than_a_csrf_refusal(
    secured, monkeypatch
):
    refusals = record_csrf_refusals(monkeypatch)

    response = secured.test_client().post(
        "/billing/stripe/webhook", data=b"{}", headers={"Stripe-Signature": "t=1,v1=00"}
    )

    assert response.status_code == 404
    assert "Payments are not turned on." in text_of(response)
    assert refusals == []


# === 2. Learner pages =========================================================================

# Variables that name one learner's records: attempts and orders (public_id), certificate and
# sign-in links (token), certificate numbers (number). /admin/certificates/<number> is behind the
# admin guard, walked in tests/admin/test_admin.py, so the admin blueprint is left out here.
LEARNER_ARGUMENTS = {"public_id", "token", "number"}
# Learner-specific addresses that anyone holding the link may open, on purpose; each still
# refuses an altered token (checked below for every rule, these included).
PUBLIC_BY_DESIGN = {
    "certificates.certificate": "the certificate link emailed to the learner: a signed token "
    "(own salt) that the learner may forward, e.g. to an employer",
    "certificates.download": "the PDF behind the same certificate link",
    "certificates.badge_download": "the Open Badge credential behind the same certificate link",
    "certificates.verify_json": "the public verification as JSON for scripts: the same fields "
    "as the verification page (tests/certificates/test_credential_checks.py)",
    "certificates.my_certificates_sign_in": "the emailed sign-in link: holding it proves "
    "access to the address, not to a browser",
    "quizzes.confirm_page": "the emailed link that confirms an address for a course that "
    "limits attempts: holding it proves access to the address; it "
    "confirms whichever browser presses its button, once",
    "quizzes.confirm": "the button on that page (tests/quizzes/test_quiz_integrity.py)",
    "certificates.verify_number": "public verification for licensing boards by the number "
    "printed on the certificate; it shows no email or license "
    "number (tests/certificates/test_certificates_verify.py)",
}
KNOWN_LEARNER_PAGES = {
    "quizzes.result",
    "completion.details",
    "feedback.evaluation",
    "completion.success",
    "completion.cancel",
    *PUBLIC_BY_DESIGN,
}
REFUSED = (403, 404)


def learner_rules(app) -> list:
    """Every rule outside /admin whose address names a learner's record."""
    return [
        rule
        for rule in rules(app)
        if rule.arguments & LEARNER_ARGUMENTS
        and not rule.endpoint.startswith("admin.")
        and rule.endpoint != "static"
    ]


def owned_rules(app) -> list:
    """The learner rules that only their learner may open."""
    return [rule for rule in learner_rules(app) if rule.endpoint not in PUBLIC_BY_DESIGN]


def test_the_learner_walk_covers_every_learner_address(secured):
    walked = {rule.endpoint for rule in learner_rules(secured)}

    assert walked >= KNOWN_LEARNER_PAGES, KNOWN_LEARNER_PAGES - walked
    assert set(PUBLIC_BY_DESIGN) <= walked, "the allow-list names a rule that does not exist"
    assert {rule.endpoint for rule in owned_rules(secured)} >= {
        "quizzes.result",
        "completion.details",
        "feedback.evaluation",
        "completion.success",
    }


def strangers(world: World) -> dict[str, object]:
    """Browsers that are not learner A: learner B, a new visitor, one with A's cookie forged."""
    anonymous, forged = world.app.test_client(), world.app.test_client()
    cookie = world.a.get_cookie("ceengine_learner").value
    forged.set_cookie(
        "ceengine_learner", cookie[:-6] + ("AAAAAA" if cookie[-6:] != "AAAAAA" else "BBBBBB")
    )
    return {"learner B": world.b, "a new visitor": anonymous, "a forged cookie": forged}


def test_a_learners_pages_are_not_found_for_anyone_else(world):
    owned = owned_rules(world.app)
    for rule in owned:  # the control: the owner gets each page (or its redirect)
        for url in world.urls_of(rule):
            response = world.a.get(url)
            assert response.status_code in (200, 303), (url, response.status_code)
    before, mails = database_state(), len(outbox(world.app))

    for who, client in strangers(world).items():
        token = token_of(client)
        for rule in owned:
            for url in world.urls_of(rule):
                for method in methods_of(rule, {"GET", *STATE_CHANGING}):
                    data = (
                        {
                            "csrf_token": token,
                            "full_name": "B",
                            "email": "b@example.org",
                            **A_LICENSE,
                            "attest": "y",
                            "issue": "Issue certificate",
                            **evaluation_answers(),
                        }
                        if method != "GET"
                        else None
                    )
                    response = client.open(url, method=method, data=data)
                    where = (who, method, url)
                    assert response.status_code in REFUSED, (where, response.status_code)
                    assert "Location" not in response.headers, where
                    assert leaks(response) == [], where

    assert database_state() == before
    assert len(outbox(world.app)) == mails


def test_another_learner_cannot_open_a_checkout_for_a_learners_attempt(paying, stripe_fake):
    world = build_world(paying)
    address = f"/attempts/{world.pending_attempt}/certificate"
    assert "Continue to payment" in world.a.get(address).get_data(as_text=True)  # the control
    before = database_state()

    for who, client in strangers(world).items():
        response = client.post(
            address,
            data={
                "csrf_token": token_of(client),
                "full_name": "B",
                "email": "b@example.org",
                **A_LICENSE,
                "attest": "y",
                "issue": "Continue to payment",
            },
        )
        assert response.status_code in REFUSED, (who, response.status_code)
        assert "Location" not in response.headers, who

    assert stripe_fake.requests == []  # no Checkout Session was opened or expired
    assert database_state() == before


def assert_altered_values_are_refused(world: World, variants, arguments=LEARNER_ARGUMENTS):
    """Every learner rule, each of its learner variables changed each way `variants` gives."""
    token = token_of(world.a)
    walked, accepted = set(), []
    for rule in learner_rules(world.app):
        values = {name: options[0] for name, options in world.values_for(rule).items()}
        for name in sorted(rule.arguments & arguments):
            for how, value in variants(values[name]).items():
                url = rule.build({**values, name: value}, append_unknown=False)[1]
                for method in methods_of(rule, {"GET", *STATE_CHANGING}):
                    data = {"csrf_token": token} if method != "GET" else None
                    # learner A's own browser: even the owner's cookie does not open them
                    response = world.a.open(url, method=method, data=data)
                    where = (rule.endpoint, how, method, url[:120], response.status_code)
                    assert response.status_code < 500, where
                    if response.status_code not in (400, 404) or leaks(response):
                        accepted.append((*where, leaks(response)))
                    walked.add(rule.endpoint)
    assert accepted == [], "accepted:\n" + "\n".join(map(str, accepted))
    return walked


def test_altered_tokens_ids_and_numbers_are_not_found_and_show_nothing(world):
    walked = assert_altered_values_are_refused(world, altered)
    assert walked >= KNOWN_LEARNER_PAGES
    # ids and numbers are compared whole, so characters from outside their alphabet too
    assert_altered_values_are_refused(world, outside_alphabet, LEARNER_ARGUMENTS - {"token"})


def test_tokens_with_characters_from_outside_their_alphabet_are_not_found(world):
    assert_altered_values_are_refused(world, outside_alphabet, {"token"})


def test_the_public_by_design_links_open_for_anyone_who_has_them(world):
    """Documents the allow-list: these are capability links, or public verification."""
    visitor = world.app.test_client()
    by_endpoint = {rule.endpoint: rule for rule in learner_rules(world.app)}

    for endpoint in PUBLIC_BY_DESIGN:
        response = visitor.get(world.url_of(by_endpoint[endpoint]))
        assert response.status_code in (200, 303), (endpoint, response.status_code)
    verify = visitor.get(world.url_of(by_endpoint["certificates.verify_number"]))
    assert A_EMAIL not in verify.get_data(as_text=True)
    assert A_LICENSE["license_number"] not in verify.get_data(as_text=True)


def test_my_certificates_lists_nothing_without_the_emailed_link(world):
    for client in (world.b, world.app.test_client(), world.a):
        page = client.get("/my-certificates")
        assert page.status_code == 200
        assert leaks(page) == []
        assert world.number not in text_of(page)
        assert form_in(page.get_data(as_text=True), "email").action == "/my-certificates"

    follower = world.app.test_client()  # the control: the emailed link opens the transcript
    link = f"/my-certificates/sign-in/{world.sign_in_token}"
    button = form_in(follower.get(link).get_data(as_text=True), "csrf_token")
    assert follower.post(link, data={**button.hidden, **button.submits}).status_code == 303
    assert world.number in text_of(follower.get("/my-certificates"))


# === 3. Headers ===============================================================================


def assert_security_headers(response, where) -> None:
    """The CSP without inline script and with frame-ancestors 'none', nosniff, a Referrer-Policy."""
    header = response.headers.get("Content-Security-Policy")
    assert header, f"{where}: no Content-Security-Policy"
    csp = csp_directives(header)
    scripts = csp.get("script-src", csp.get("default-src"))
    assert scripts, f"{where}: the CSP does not restrict scripts: {header}"
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, (where, header)
    assert "'unsafe-inline'" not in csp.get("default-src", []), (where, header)
    assert csp.get("frame-ancestors") == ["'none'"], (where, header)
    assert response.headers.get("X-Content-Type-Options") == "nosniff", where
    assert response.headers.get("Referrer-Policy") == "strict-origin-when-cross-origin", where


def test_security_headers_on_every_get_route(world):
    statuses = {}
    for rule in rules(world.app, {"GET"}):
        url = world.url_of(rule)
        response = world.client_for(rule).get(url)
        response.get_data()  # read a streamed CSV through, inside its own request
        response.close()
        assert response.status_code < 400, (rule.endpoint, url, response.status_code)
        assert_security_headers(response, (rule.endpoint, url, response.status_code))
        statuses[rule.endpoint] = response.status_code

    assert statuses["certificates.download"] == 200  # a PDF
    assert statuses["ops.healthz"] == 200  # JSON
    assert statuses["admin.roster"] == 200  # CSV
    assert statuses["static"] == 200
    assert len(statuses) >= 30, sorted(statuses)


def test_security_headers_on_error_responses(world):
    visitor = world.app.test_client()
    responses = {
        "404 no such page": visitor.get("/no-such-page"),
        "404 no such course": visitor.get("/courses/no-such-course"),
        "404 altered certificate link": visitor.get(f"/certificates/{world.certificate_token}x"),
        "400 no CSRF token": visitor.post("/my-certificates", data={"email": A_EMAIL}),
        "400 export filter": world.admin.get("/admin/exports/roster.csv?start=yesterday"),
        "401 admin action signed out": visitor.post(
            "/admin/logout", data={"csrf_token": token_of(visitor)}
        ),
        "405 wrong method": visitor.get("/billing/stripe/webhook"),
        "413 upload too large": visitor.post(
            "/verify",
            data={
                "csrf_token": token_of(visitor, "/verify"),
                "pdf": (io.BytesIO(b"%PDF-1.4\n" + b"0" * (3 * 1024 * 1024)), "big.pdf"),
            },
        ),
    }
    for what, response in responses.items():
        assert str(response.status_code) == what[:3], (what, response.status_code)
        assert_security_headers(response, what)


@pytest.fixture
def production(database_url, courses_dir, tmp_path, monkeypatch):
    """The app as deployed: CEENGINE_ENV=production with the settings production insists on."""
    production_environment(monkeypatch, tmp_path)
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "COURSES_DIR": str(courses_dir),
            "MAIL_BACKEND": "locmem",
        }
    )
    app.test_client_class = FreshRequestClient
    with app.app_context():
        db.drop_all()
        db.create_all()
        sync_courses(courses_dir)
        yield app
        db.session.remove()
        db.engine.dispose()


HTTPS = "https://localhost"


def test_production_sends_hsts_on_every_response_and_redirects_http(production):
    client = production.test_client()
    responses = {
        url: client.get(url, base_url=HTTPS)
        for url in [
            "/",
            "/courses/demo-lesson",
            "/courses/demo-lesson/quiz",
            "/verify",
            "/my-certificates",
            "/admin/login",
            "/healthz",
            "/no-such-page",
        ]
    }
    responses["400 no CSRF token"] = client.post(
        "/my-certificates", base_url=HTTPS, data={"email": A_EMAIL}
    )

    for where, response in responses.items():
        assert response.status_code in (200, 400, 404), (where, response.status_code)
        hsts = response.headers.get("Strict-Transport-Security", "")
        max_age = re.search(r"max-age=(\d+)", hsts)
        assert max_age and int(max_age.group(1)) >= 365 * 24 * 3600, (where, hsts)
        assert "includesubdomains" in hsts.lower(), (where, hsts)
        assert_security_headers(response, where)
    plain = client.get("/courses/demo-lesson", base_url="http://localhost")
    assert plain.status_code in (301, 302, 308)
    assert plain.headers["Location"].startswith("https://localhost/courses/demo-lesson")


def test_production_cookies_are_secure_httponly_and_same_site(production):
    ensure_admin()
    client = production.test_client()

    form_page = client.get("/admin/login", base_url=HTTPS)  # a form: the session holds its token
    course_page = client.get("/courses/demo-lesson", base_url=HTTPS)  # the learner cookie
    token = form_in(form_page.get_data(as_text=True), "csrf_token").hidden["csrf_token"]
    credentials = {"csrf_token": token, "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
    no_referrer = client.post("/admin/login", base_url=HTTPS, data=credentials)
    signed_in = client.post(
        "/admin/login",
        base_url=HTTPS,
        data=credentials,
        headers={"Referer": f"{HTTPS}/admin/login"},
    )

    assert no_referrer.status_code == 400  # over HTTPS the CSRF check also wants our Referer
    assert signed_in.status_code == 303
    for response, name in [
        (form_page, "session"),
        (course_page, "ceengine_learner"),
        (signed_in, "session"),
    ]:
        attributes = cookie_attributes(response, name)
        assert attributes is not None, f"no {name} cookie set"
        assert "secure" in attributes, (name, attributes)
        assert "httponly" in attributes, (name, attributes)
        assert attributes.get("samesite", "").lower() in ("lax", "strict"), (name, attributes)


# === 4. Rate limits ===========================================================================
# Already covered elsewhere, and not repeated here:
# - reflections: tests/feedback/test_feedback.py::test_sharing_reflections_is_rate_limited (429, the
#   message, and only the allowed reflections stored);
# - GET /verify/<number>: tests/certificates/test_certificates_verify.py::
#   test_too_many_lookups_get_a_readable_429_page (429, HTML, the message, Retry-After);
# - admin sign-in: tests/admin/test_admin.py::test_the_sign_in_form_is_rate_limited (the 429 status);
# - sign-in link: tests/certificates/test_certificates_email.py::test_asking_too_often_gets_a_readable_429
#   (429 and the message, per browser address).
# What follows covers the rest: that the refused request stores or sends nothing, the verify
# look-up form and the verify upload, and the per-email limit on sign-in links.


def assert_readable_429(response) -> None:
    """A 429 page a person can read, with when to come back."""
    assert response.status_code == 429
    assert response.mimetype == "text/html"
    assert TOO_MANY in text_of(response)
    assert "Retry-After" in response.headers
    assert_security_headers(response, "429")


def admin_record() -> tuple:
    """What a sign-in attempt may change on the admin's account."""
    db.session.rollback()
    user = admin_by_email(ADMIN_EMAIL)
    sessions = db.session.scalar(sa.select(sa.func.count()).select_from(AdminSession))
    return (
        user.failed_sign_ins,
        user.locked_until,
        user.last_sign_in_at,
        sessions,
        user.password_hash,
    )


def test_a_rate_limited_admin_sign_in_counts_nothing_and_signs_nobody_in(secured):
    secured.config["ADMIN_LOGIN_RATE_LIMIT"] = "2 per hour"
    ensure_admin()
    client = secured.test_client()
    wrong = [sign_in(client, password="not the password") for _ in range(2)]
    before = admin_record()

    refused = sign_in(client)  # the right password, after the limit

    assert [r.status_code for r in wrong] == [401, 401]
    assert_readable_429(refused)
    assert admin_record() == before  # neither a third failure nor a reset nor a sign-in
    assert before[0] == 2
    assert not is_signed_in(client)


@pytest.mark.parametrize("endpoint", ["lookup", "upload"])
def test_the_verify_form_and_upload_are_rate_limited_and_keep_nothing(secured, endpoint):
    secured.config["VERIFY_RATE_LIMIT"] = "2 per hour"
    client = secured.test_client()
    token = token_of(client, "/verify") if endpoint == "upload" else None
    number = new_certificate_number()  # well formed, so the look-up sends on to its page

    def ask():
        if endpoint == "lookup":
            return client.get(f"/verify?number={number}")
        return client.post(
            "/verify",
            data={"csrf_token": token, "pdf": (io.BytesIO(b"%PDF-1.4\nnot signed"), "c.pdf")},
        )

    allowed = [ask().status_code for _ in range(2)]
    before = database_state()
    refused = ask()

    assert allowed == ([303, 303] if endpoint == "lookup" else [422, 422])
    assert_readable_429(refused)
    assert database_state() == before


def ask_for_sign_in_link(client, address: str, remote: str):
    """Ask My certificates for a sign-in link from the browser address `remote`."""
    environ = {"REMOTE_ADDR": remote}
    token = csrf_token_in(client.get("/my-certificates", environ_base=environ))
    return client.post(
        "/my-certificates", environ_base=environ, data={"csrf_token": token, "email": address}
    )


def test_sign_in_links_are_limited_per_address_and_a_refused_ask_sends_nothing(secured):
    secured.config["SIGN_IN_RATE_LIMIT"] = "2 per hour"
    issue(secured.test_client(), full_name=A_NAME, email=A_EMAIL)
    sent = len(outbox(secured))

    first = [
        ask_for_sign_in_link(secured.test_client(), A_EMAIL, f"10.0.0.{n}").status_code
        for n in (1, 2)
    ]
    assert first == [303, 303]
    assert len(outbox(secured)) == sent + 2
    before = database_state()

    # a third browser address, the same mailbox (written another way): the per-email limit
    other_address = ask_for_sign_in_link(secured.test_client(), A_EMAIL.upper(), "10.0.0.3")
    # the first browser address again, another mailbox: the per-address limit
    one_browser = secured.test_client()
    ask_for_sign_in_link(one_browser, "someone@example.org", "10.0.0.4")
    ask_for_sign_in_link(one_browser, "someone.else@example.org", "10.0.0.4")
    same_browser = ask_for_sign_in_link(one_browser, "third@example.org", "10.0.0.4")

    for refused in (other_address, same_browser):
        assert_readable_429(refused)
        assert "sign-in link is on its way" not in text_of(refused)
    assert len(outbox(secured)) == sent + 2  # no email for the refused asks
    assert database_state() == before


# === 5. Verify upload =========================================================================


def assert_checked_not_kept(app, response, content: bytes, before_rows, before_files) -> None:
    """The answer is an HTML page, not the file; nothing of the file stays behind."""
    assert response.mimetype == "text/html"
    assert "Content-Disposition" not in response.headers
    assert not response.data.startswith(b"%PDF")
    assert content[-64:] not in response.data
    assert database_state() == before_rows
    kept = changed_files_holding(Path(app.instance_path), before_files, content[-64:])
    assert kept == [], f"the upload was written to {kept}"


def test_an_upload_over_the_limit_is_a_413_page_and_is_not_kept(secured):
    marker = b"upload-marker-5f1c2a9e " * 4
    content = b"%PDF-1.4\n" + b"0" * (secured.config["MAX_CONTENT_LENGTH"] + 1024) + marker
    client = secured.test_client()
    before_rows, before_files = database_state(), files_under(Path(secured.instance_path))

    response = upload(client, content)

    assert response.status_code == 413
    assert "Too large" in text_of(response)
    assert "What you sent is larger than we accept." in text_of(response)
    assert_checked_not_kept(secured, response, content, before_rows, before_files)


def test_an_upload_just_under_the_limit_is_checked_not_refused(secured):
    marker = b"upload-marker-8d3b7c10 " * 4
    content = b"%PDF-1.4\n" + b"0" * (secured.config["MAX_CONTENT_LENGTH"] - 64 * 1024) + marker
    client = secured.test_client()
    before_rows, before_files = database_state(), files_under(Path(secured.instance_path))

    response = upload(client, content)

    # Past the request limit's 413, the check itself refuses a file larger than any
    # certificate we issue, in words, without reading it.
    assert response.status_code == 422
    assert "larger than any certificate we issue" in text_of(response)
    assert_checked_not_kept(secured, response, content, before_rows, before_files)


def test_a_genuine_certificate_is_checked_without_being_kept_or_sent_back(secured):
    client = secured.test_client()
    page = issue(client, full_name=A_NAME, email=A_EMAIL)
    pdf = client.get(download_link(page)).data
    appended = pdf + b"\n% appended after the end " * 4
    before_rows, before_files = database_state(), files_under(Path(secured.instance_path))
    counts = row_counts()

    genuine = upload(client, pdf)
    changed = upload(client, appended, "changed.pdf")

    assert genuine.status_code == 200
    assert "Authentic and unchanged" in text_of(genuine)
    assert changed.status_code == 422
    for response, content in ((genuine, pdf), (changed, appended)):
        assert_checked_not_kept(secured, response, content, before_rows, before_files)
    assert row_counts() == counts
