"""Fuzzing every form and the Stripe webhook: no hostile body gets a 5xx, and every refusal
says in words what was wrong.

The POST rules come from `app.url_map`, so a new form is fuzzed without anyone asking. Each
example starts from the form the page really serves (a valid CSRF token included, so the fuzz
reaches the form's validation and the services behind it) and then drops, replaces, duplicates
or adds fields, in any encoding. Real records (passed attempts, a signed certificate, a
reflection, an order on the local Stripe) stand behind the addresses, so the fuzz reaches deep
code instead of 404s. Rate limits are off: the fuzz sends more than they allow, and they are
tested on their own elsewhere.

Each bug the fuzz found has its own test below; the ones not yet mended are `test_bug_*`,
marked xfail(strict=True).
"""

from __future__ import annotations

import functools
import json
import secrets
import time

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.security import generate_password_hash

from ceengine import create_app
from ceengine.admin.accounts import create_admin
from ceengine.admin.models import AdminInvitation
from ceengine.admin.team import Invited, invite
from ceengine.billing.models import Order, StripeEvent
from ceengine.certificates.models import VALID, Certificate
from ceengine.certificates.services import find_certificate, revoke_certificate
from ceengine.certificates.tokens import sign_in_token
from ceengine.completion.fulfilment import HANDLERS
from ceengine.extensions import db
from ceengine.learners.confirmation import new_confirmation_token
from tests.support.admin_steps import ADMIN_PASSWORD, admin_client, quick_password_hashes
from tests.support.certificate_steps import (
    certificates,
    download_link,
    issue,
    submit_details,
    take_quiz,
)
from tests.support.factories import attempt_with, certificate_row, reflection_with
from tests.support.fake_stripe import FakeStripe
from tests.support.fuzz_steps import (
    Body,
    PageForm,
    Part,
    check_answer,
    encode_body,
    forms_on,
    hostile_values,
    post_bodies,
    post_form_for,
    utf8,
)
from tests.support.security_steps import row_counts

SLUGS = ("demo-lesson", "demo-modules")  # a free single-page course; a paid one with modules
LICENSE = {
    "profession": "Registered Nurse",
    "license_type": "RN",
    "license_number": "RN-55",
    "license_state": "Oregon",
}
# Examples per rule: PostgreSQL requests cost more, and the file should run in about two
# minutes on both databases together (it grows with every form). Examples are drawn afresh on
# every run (no example database), so the runs together reach further than any one of them.
EXAMPLES = {"sqlite": 20, "postgresql": 15}
ONE_DATABASE = {
    "sqlite": pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
    "postgresql": pytest.mark.parametrize("database_url", ["postgresql"], indirect=True),
}
LOGOUT_EMAIL = "fuzz-logout@compassion.test"  # its own admin: each example signs it out

# POST rules not fuzzed as forms here, and why. The test below fails if one no longer exists.
SKIPPED = {
    # Not a form: a raw JSON body authenticated by its Stripe-Signature (CSRF-exempt);
    # fuzzed by the test_webhook_* tests at the end of this file.
    "completion.stripe_webhook": "the Stripe webhook has its own fuzz tests below",
}

# Where the form that posts to a rule is served, when it is not at the rule's own address.
FORM_PAGES = {
    "admin.logout": lambda url: "/admin",  # the Sign out button in the admin layout
    "admin.invite": lambda url: "/admin/accounts",
    "admin.change_role": lambda url: "/admin/accounts",
    "admin.deactivate": lambda url: "/admin/accounts",
    "admin.reactivate": lambda url: "/admin/accounts",
    "admin.cancel_invitation": lambda url: "/admin/accounts",
    "admin.moderate": lambda url: "/admin/reflections",
    "admin.revoke": lambda url: url.rsplit("/", 1)[0],
    "admin.reissue": lambda url: url.rsplit("/", 1)[0],
    "admin.resend": lambda url: url.rsplit("/", 1)[0],  # also on the learner's page
    "certificates.my_certificates_sign_out": lambda url: "/my-certificates",
    "courses.finish": lambda url: url.removesuffix("/done"),  # Next at the module's end
}

# What an honest learner or admin types into each kind of field.
PLAUSIBLE = {
    "email": "ana@example.org",
    "password": ADMIN_PASSWORD,
    "full_name": "Ana María Núñez",
    "profession": "Registered Nurse",
    "license_type": "RN",
    "license_number": "RN-55",
    "license_state": "Oregon",
    "reason": "Issued in error",
    "display_name": "Ana",
    "comments": "Useful.",
    "body": "It helped me slow down with my clients.",
}


def _post_endpoints() -> list[str]:
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "STRIPE_SECRET_KEY": "sk_test_collect",
            "STRIPE_WEBHOOK_SECRET": "whsec_collect",
        }
    )  # payments on: every rule
    return sorted({rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods})


POST_ENDPOINTS = _post_endpoints()
FUZZED = [endpoint for endpoint in POST_ENDPOINTS if endpoint not in SKIPPED]
# The world is built once per test and shared by its examples (that is what lets the fuzz
# reach deep code), and hostile bodies are large and slow on purpose: the health checks
# about those are not about the app.
FUZZ_SETTINGS = dict(
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)


# --- the world the fuzz works in -------------------------------------------------------------


@pytest.fixture(scope="module")
def stripe_fake():
    """Stripe's API and webhooks, on loopback (one for the module: stopping one takes 0.5 s)."""
    with FakeStripe() as fake:
        yield fake


@pytest.fixture
def fuzz_app(stripe_fake, paying_app, monkeypatch):
    """The app with payments on, rate limits off, quick password hashes, courses loaded."""
    quick_password_hashes(monkeypatch)
    # An unknown sign-in email is checked against a dummy hash; scrypt's 0.2 s each adds up.
    monkeypatch.setattr(
        "ceengine.admin.accounts._DUMMY_HASH",
        generate_password_hash("dummy", method="pbkdf2:sha256:1000"),
    )
    return paying_app(stripe_fake, RATELIMIT_ENABLED=False, REQUEST_LOG=False)


class World:
    """Real records behind the addresses, made on first use: the fuzz then reaches deep code."""

    def __init__(self, app) -> None:
        self.app = app
        self.adapter = app.url_map.bind("localhost")
        self.learner = app.test_client()
        self.results = {slug: take_quiz(self.learner, slug) for slug in SLUGS}

    def public_id(self, slug: str) -> str:
        """The learner's passed attempt at a course."""
        return self.results[slug].rstrip("/").rsplit("/", 1)[-1]

    @functools.cached_property
    def admin(self):
        """A signed-in admin: an owner, who may use every admin form."""
        return admin_client(self.app, role="owner")

    @functools.cached_property
    def staff_id(self) -> int:
        """A staff member the owner may set the role of, deactivate and reactivate."""
        return create_admin("stan@example.org", ADMIN_PASSWORD, "staff").id

    def invitation(self) -> Invited:
        """A new waiting invitation (each example: a link works once)."""
        return invite(f"fuzz-{secrets.token_hex(6)}@example.org", "staff", lambda t: t, 72)

    @functools.cached_property
    def reflection_id(self) -> int:
        """A reflection waiting for moderation."""
        return reflection_with("demo-lesson", "Kim Lee", "It helped me slow down.").id

    @functools.cached_property
    def certificate(self) -> tuple[str, bytes]:
        """A real issued certificate: its number and its signed PDF."""
        pdf = self.learner.get(download_link(issue(self.learner))).get_data()
        return certificates()[-1].number, pdf

    def valid_certificate(self) -> str:
        """The number of a valid certificate: a new one once revoked or reissued.

        A form posted for a certificate that is no longer valid is a known wordless 422,
        see test_revoking_or_reissuing_a_replaced_certificate_says_why_nothing_changed.
        """
        number = self.certificate[0]
        if find_certificate(number).status != VALID:
            number = certificate_row(attempt_with("demo-lesson", [True] * 6)).number
            self.certificate = number, self.certificate[1]
        return number

    def client_for(self, endpoint: str):
        """Who posts to a rule: a stranger signing in, an admin, or the learner."""
        if endpoint == "admin.login":
            return self.app.test_client()  # a new browser each time: a success signs it in
        if endpoint == "admin.logout":
            return admin_client(self.app, LOGOUT_EMAIL)  # a success signs it out
        if endpoint == "admin.accept_invitation":
            return self.app.test_client()  # a new browser: a success signs it in
        return self.admin if endpoint.startswith("admin.") else self.learner

    def token(self, client) -> str:
        """A CSRF token for this browser, from any page that has a form with one."""
        for page in ("/admin", "/my-certificates"):
            for form in forms_on(client.get(page).get_data(as_text=True), page):
                if "csrf_token" in form.controls:
                    return form.controls["csrf_token"].values[0]
        raise AssertionError("no page gives this browser a CSRF token")

    def served_form(self, client, endpoint: str, url: str) -> tuple[PageForm | None, tuple]:
        """The form that posts to `url`, as served to this browser, and its honest body."""
        cache = vars(client).setdefault("fuzz_forms", {})
        if url not in cache:
            page_path = FORM_PAGES.get(endpoint, lambda u: u)(url)
            page = client.get(page_path)
            form = (
                post_form_for(page.get_data(as_text=True), page_path, url)
                if page.status_code == 200
                else None
            )
            cache[url] = form, honest_parts(form, self.token(client))
        return cache[url]

    def target(self, endpoint: str, choose=lambda options: options[0]) -> tuple:
        """(client, url, form, honest body) for one example at `endpoint`; `choose` picks
        the course and the like (the fuzz lets Hypothesis choose)."""
        rule = next(r for r in self.app.url_map.iter_rules() if r.endpoint == endpoint)
        missing = set(rule.arguments) - set(ARGUMENTS)
        assert not missing, f"{endpoint}: add a real value for {missing} to ARGUMENTS"
        slug = choose(SLUGS)
        self.link_token = (
            WORLD_TOKENS[endpoint](self)
            if endpoint in WORLD_TOKENS
            else TOKENS.get(endpoint, lambda choose: "")(choose)
        )
        url = self.adapter.build(
            endpoint,
            {name: ARGUMENTS[name](self, slug, choose) for name in rule.arguments},
            method="POST",
        )
        client = self.client_for(endpoint)
        form, parts = self.served_form(client, endpoint, url)
        # A fresh form key each time, as each page view gets: reused keys only replay.
        parts = tuple(
            Part(p.name, secrets.token_urlsafe(18).encode()) if p.name == b"form_key" else p
            for p in parts
        )
        return client, url, form, parts


TOKENS = {  # an unused emailed link for each route that takes one
    "certificates.my_certificates_sign_in": lambda choose: sign_in_token(
        choose(("ana@example.org", "nobody@example.org"))
    ),
    "quizzes.confirm": lambda choose: new_confirmation_token("fuzz@example.org"),
}
WORLD_TOKENS = {  # links the world makes (an invitation's)
    "admin.accept_invitation": lambda world: world.invitation().token,
}

ARGUMENTS = {  # a real value for each URL argument a POST rule takes
    "slug": lambda world, slug, choose: slug,
    "public_id": lambda world, slug, choose: world.public_id(slug),
    "reflection_id": lambda world, slug, choose: world.reflection_id,
    "admin_id": lambda world, slug, choose: world.staff_id,
    # A new invitation each example (a cancelled one is not waiting any more).
    "invitation_id": lambda world, slug, choose: invitation_id(world.invitation()),
    "action": lambda world, slug, choose: choose(("approve", "hide")),
    "number": lambda world, slug, choose: world.valid_certificate(),
    # A new emailed link each example (a link works once): which link depends on the route.
    "token": lambda world, slug, choose: world.link_token,
    # A module of the module course (the single-page course has none: a 404 with words).
    "module_slug": lambda world, slug, choose: choose(
        ("getting-started", "acting-with-compassion", "lesson")
    ),
}


def invitation_id(invited: Invited) -> int:
    """The id of the invitation sent to `invited.email`."""
    return db.session.scalar(
        sa.select(AdminInvitation.id).where(AdminInvitation.email == invited.email)
    )


def honest_parts(form: PageForm | None, token: str) -> tuple[Part, ...]:
    """What a browser posts for a form filled in honestly (only its first button pressed)."""
    if form is None:  # a form we cannot see (a new page): at least a valid token
        return (Part(b"csrf_token", token.encode()),)
    parts, pressed = [], False
    for control in form.controls.values():
        name = control.name.encode()
        if control.kind == "submit":
            if not pressed:
                parts.append(Part(name, utf8(control.values[0])))
            pressed = True
        elif control.kind == "file":
            parts.append(Part(name, b"%PDF-1.7\n%fuzz\n", b"certificate.pdf"))
        elif control.kind in ("hidden", "radio", "checkbox", "select"):
            parts.append(Part(name, utf8(control.values[0] if control.values else "y")))
        else:
            parts.append(Part(name, utf8(PLAUSIBLE.get(control.name, "Plausible text"))))
    return tuple(parts)


@pytest.fixture
def world(fuzz_app) -> World:
    """A learner who passed both courses; the rest is made when a rule needs it."""
    return World(fuzz_app)


def post(client, url: str, body: Body):
    """POST a body; if the app raises (tests propagate errors), leave the session usable."""
    try:
        return client.post(url, data=body.data, content_type=body.content_type)
    except Exception:
        db.session.rollback()
        raise


def examples() -> int:
    """How many examples each fuzz runs on this test's database."""
    return EXAMPLES[db.engine.dialect.name]


def send(world: World, endpoint: str, client, url: str, form: PageForm | None, body: Body):
    """Send one fuzzed body; check the answer."""
    response = post(client, url, body)
    check_answer(response, f"POST {url} {body.data[:300]!r}")
    return response


def pdf_variants(world: World) -> st.SearchStrategy[bytes]:
    """What may be uploaded as a certificate: noise, near-PDFs, and our PDF, whole or damaged."""
    pdf = world.certificate[1]
    signature_at = pdf.find(b"/ByteRange")
    return st.one_of(
        st.binary(max_size=300),
        st.binary(max_size=300).map(lambda b: b"%PDF-1.7\n" + b),
        st.just(pdf),
        st.integers(0, len(pdf)).map(lambda n: pdf[:n]),
        st.binary(min_size=1, max_size=50).map(lambda b: pdf + b),
        st.tuples(st.integers(0, len(pdf) - 1), st.integers(0, 255)).map(
            lambda c: pdf[: c[0]] + bytes([c[1]]) + pdf[c[0] + 1 :]
        ),
        st.tuples(st.integers(signature_at, signature_at + 60), st.binary(max_size=8)).map(
            lambda c: pdf[: c[0]] + c[1] + pdf[c[0] + 1 :]
        ),
    )  # the signed byte ranges


# --- every POST rule is fuzzed ---------------------------------------------------------------


def test_the_skip_list_names_only_rules_that_exist():
    assert set(SKIPPED) <= set(POST_ENDPOINTS), set(SKIPPED) - set(POST_ENDPOINTS)
    assert set(FORM_PAGES) <= set(POST_ENDPOINTS), set(FORM_PAGES) - set(POST_ENDPOINTS)
    assert len(FUZZED) >= 12, FUZZED  # the forms there are today


@pytest.mark.parametrize("endpoint", FUZZED)
def test_fuzzing_a_form_never_gets_a_5xx_or_a_wordless_refusal(world, endpoint):
    files = pdf_variants(world) if endpoint == "certificates.verify_file" else st.binary()

    @settings(max_examples=examples(), **FUZZ_SETTINGS)
    @given(data=st.data())
    def fuzz(data):
        client, url, form, parts = world.target(
            endpoint, lambda options: data.draw(st.sampled_from(options))
        )
        body = data.draw(post_bodies(parts, form, files), label="body")
        send(world, endpoint, client, url, form, body)

    fuzz()


CLASSIC = [
    ("nul", b"a\x00b", "form"),
    ("5001 é", utf8("é" * 5001), "form"),
    ("not UTF-8", b"caf\xe9 \xff\xfe", "raw"),
    ("broken escapes", b"%zz%e9%", "raw"),
    ("latin-1 multipart", "Núñez".encode("latin-1"), "multipart"),
    ("a digit int() refuses", utf8("²"), "form"),
]
CSRF_PROBLEMS = {
    "missing": lambda token, other: None,
    "garbage": lambda token, other: b"garbage",
    "not UTF-8": lambda token, other: b"\xff\xfe\x80" + token,
    "cut short": lambda token, other: token[:-3],
    "another browser's": lambda token, other: other,
}


def classic_bodies(parts: tuple[Part, ...], name: bytes) -> list[Body]:
    """The field `name` NUL, too long, not UTF-8, broken escapes, missing, sent twice."""
    bodies = [
        encode_body([Part(p.name, value) if p.name == name else p for p in parts], encoding)
        for _, value, encoding in CLASSIC
    ]
    return [
        *bodies,
        encode_body([p for p in parts if p.name != name], "form"),
        encode_body([*parts, Part(name, b"another value")], "form"),
    ]


def check_classic_values(world: World, endpoint: str) -> None:
    """The same fixed set on both databases, field by field."""
    _, _, _, honest = world.target(endpoint)
    for name in sorted({p.name for p in honest if p.name != b"csrf_token"}):
        for index in range(len(CLASSIC) + 2):
            # Again each time: a success may have signed in or out, or replaced a record.
            client, url, form, parts = world.target(endpoint)
            body = classic_bodies(parts, name)[index]
            check_answer(post(client, url, body), f"POST {url} {name!r}: {body.data[:200]!r}")


def check_csrf_refusals(world: World, endpoint: str) -> None:
    """A missing or wrong token: 400, in words, and nothing stored."""
    other = world.token(world.app.test_client()).encode()
    for problem, change in CSRF_PROBLEMS.items():
        client, url, form, parts = world.target(endpoint)
        token = next(p.value for p in parts if p.name == b"csrf_token")
        value = change(token, other)
        parts = [p for p in parts if p.name != b"csrf_token"]
        parts += [Part(b"csrf_token", value)] if value is not None else []
        before = row_counts()
        response = post(client, url, encode_body(parts, "raw"))
        assert response.status_code == 400, (problem, response.status_code)
        check_answer(response, f"POST {url} with a {problem} CSRF token")
        assert row_counts() == before, problem


def check_size_limits(world: World, endpoint: str) -> None:
    """Over MAX_CONTENT_LENGTH, MAX_FORM_MEMORY_SIZE or MAX_FORM_PARTS: 413, in words."""
    client, url, _, parts = world.target(endpoint)
    limit = world.app.config["MAX_CONTENT_LENGTH"]
    # Werkzeug holds multipart text fields in memory up to MAX_FORM_MEMORY_SIZE (it does not
    # apply it to urlencoded bodies, which MAX_CONTENT_LENGTH bounds), and takes at most
    # MAX_FORM_PARTS parts.
    bodies = [
        encode_body([*parts, Part(b"padding", b"x" * limit)], "form"),
        encode_body([*parts, Part(b"padding", b"%PDF" + b"x" * limit, b"big.pdf")], "multipart"),
        encode_body([*parts, Part(b"comments", b"x" * 600_000)], "multipart"),
        encode_body([*parts, *[Part(b"f%d" % n, b"") for n in range(1500)]], "multipart"),
    ]
    for body in bodies:
        response = post(client, url, body)
        assert response.status_code == 413, (body.content_type, response.status_code)
        check_answer(response, f"POST {url} {len(body.data)} bytes")


@pytest.mark.parametrize("endpoint", FUZZED)
def test_fixed_hostile_inputs_get_a_clear_answer(world, endpoint):
    """Each field NUL, 5001 characters, not UTF-8, broken escapes, missing or twice; a
    missing or wrong CSRF token; bodies over the size limits."""
    check_classic_values(world, endpoint)
    check_csrf_refusals(world, endpoint)
    check_size_limits(world, endpoint)


# --- the GET forms: the admin filter and the verify lookup ------------------------------------


def get_form_pages(world: World) -> dict[str, list[str]]:
    """Pages with a GET form (no URL arguments), with the names of its controls."""
    pages = {}
    for rule in world.app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.arguments or rule.endpoint in pages:
            continue
        client = world.admin if rule.endpoint.startswith("admin.") else world.learner
        response = client.get(rule.rule)
        body = response.get_data()  # read whole, so a streamed download ends in its context
        if response.mimetype != "text/html":  # a download (CSV, .xls): no form to fill
            continue
        forms = forms_on(body.decode(), rule.rule)
        names = [name for form in forms if form.action == "<get>" for name in form.controls]
        if names:
            pages[rule.endpoint] = [rule.rule, *names, "page"]  # lists also take a page number
    # The CSV and .xlsx exports read the exports page's filter from their links.
    exports = (
        "admin.roster",
        "admin.evaluations_export",
        "admin.roster_xlsx",
        "admin.evaluations_xlsx",
    )
    for endpoint in exports:
        pages[endpoint] = [world.adapter.build(endpoint), *pages["admin.exports"][1:]]
    return pages


def get_page(world: World, endpoint: str, path: str, body: Body):
    """GET a page with the body as its query string."""
    client = world.admin if endpoint.startswith("admin.") else world.learner
    try:
        return client.get(path, query_string=body.data.decode("latin-1"))
    except Exception:
        db.session.rollback()
        raise


def test_fuzzing_the_get_forms_never_gets_a_5xx(world):
    pages = get_form_pages(world)
    assert {"certificates.verify", "admin.ratings", "admin.certificates"} <= set(pages), pages
    for endpoint, (path, *names) in sorted(pages.items()):  # first the fixed set, each name
        for name in names:
            for _, value, encoding in CLASSIC:
                body = encode_body(
                    [Part(name.encode(), value)], "raw" if encoding == "raw" else "form"
                )
                check_answer(
                    get_page(world, endpoint, path, body), f"GET {path}?{body.data[:100]!r}"
                )

    @settings(max_examples=examples(), **FUZZ_SETTINGS)
    @given(data=st.data())
    def fuzz(data):
        endpoint = data.draw(st.sampled_from(sorted(pages)))
        path, *names = pages[endpoint]
        chosen = data.draw(
            st.lists(st.tuples(st.sampled_from(names), hostile_values()), min_size=1, max_size=5)
        )
        body = encode_body(
            [Part(n.encode(), v) for n, v in chosen], data.draw(st.sampled_from(["form", "raw"]))
        )
        check_answer(get_page(world, endpoint, path, body), f"GET {path}?{body.data[:300]!r}")

    fuzz()


# --- bugs the fuzz found: each pinned until it is fixed ---------------------------------------


FILE_IN_TEXT_FIELD = [
    ("admin.login", "email"),
    ("admin.login", "password"),
    ("certificates.request_sign_in", "email"),
    ("completion.details", "full_name"),
    ("feedback.evaluation", "comments"),
    ("feedback.share_reflection", "display_name"),
    ("feedback.share_reflection", "form_key"),
    ("admin.revoke", "reason"),
    ("admin.reissue", "full_name"),
]


@pytest.mark.parametrize("endpoint, name", FILE_IN_TEXT_FIELD)
@ONE_DATABASE["sqlite"]  # the same on both databases
def test_a_file_sent_for_a_text_field_is_refused_in_words(world, endpoint, name):
    client, url, _, parts = world.target(endpoint)
    parts = [Part(p.name, b"abc", b"x.txt") if p.name == name.encode() else p for p in parts]
    check_answer(post(client, url, encode_body(parts, "multipart")), f"{url} {name}")


@ONE_DATABASE["sqlite"]  # the same on both databases
def test_a_superscript_digit_as_the_quiz_version_is_refused_in_words(world):
    client, url, _, parts = world.target("quizzes.score")
    parts = [Part(p.name, utf8("²")) if p.name == b"version" else p for p in parts]
    response = post(client, url, encode_body(parts, "form"))
    assert response.status_code == 400
    check_answer(response, "version=²")


@ONE_DATABASE["postgresql"]  # SQLite stores NUL characters
def test_a_nul_in_the_admin_sign_in_email_is_refused_in_words_on_postgresql(world):
    client, url, _, parts = world.target("admin.login")
    parts = [Part(p.name, b"dana\x00@compassion.test") if p.name == b"email" else p for p in parts]
    response = post(client, url, encode_body(parts, "form"))
    assert response.status_code == 400  # refused before any query: PostgreSQL cannot hold NUL
    check_answer(response, "email with NUL")


@pytest.mark.parametrize("endpoint", ["admin.revoke", "admin.reissue"])
@ONE_DATABASE["sqlite"]  # the same on both databases
def test_revoking_or_reissuing_a_replaced_certificate_says_why_nothing_changed(world, endpoint):
    client, url, _, parts = world.target(endpoint)  # the form, while the certificate is valid
    revoke_certificate(url.split("/")[-2], "Issued in error")  # meanwhile, in another tab
    unticked = [p for p in parts if p.name != b"confirm"]
    response = post(client, url, encode_body(unticked, "form"))
    assert response.status_code == 409
    assert "nothing was changed" in response.get_data(as_text=True)
    check_answer(response, "confirmation not ticked")


@ONE_DATABASE["sqlite"]  # the same on both databases
def test_a_superscript_digit_as_the_admin_filter_course_is_refused_in_words(world):
    try:
        response = world.admin.get("/admin", query_string={"course": "²"})
    except ValueError:
        db.session.rollback()
        raise
    check_answer(response, "/admin?course=²")


@ONE_DATABASE["postgresql"]  # SQLite stores NUL characters
@pytest.mark.parametrize("name", ["q", "status"])
def test_a_nul_in_the_admin_search_or_status_is_refused_in_words_on_postgresql(world, name):
    try:
        response = world.admin.get("/admin/certificates", query_string={name: "a\x00b"})
    except Exception:
        db.session.rollback()
        raise
    check_answer(response, f"/admin/certificates?{name}=a%00b")


# --- the Stripe webhook ----------------------------------------------------------------------

WEBHOOK = "/billing/stripe/webhook"
HANDLED = sorted(HANDLERS)
# Any text but lone surrogates (JSON cannot carry them), NUL included.
SAFE_TEXT = st.text(st.characters(blacklist_categories=["Cs"]), max_size=40)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | SAFE_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(SAFE_TEXT, inner, max_size=3),
    max_leaves=8,
)


@pytest.fixture
def paid_session(world, stripe_fake) -> dict[str, str]:
    """An order whose Checkout Session Stripe has taken payment for, not fulfilled yet."""
    response = submit_details(
        world.learner,
        world.results["demo-modules"],
        button="issue",
        full_name="Ben Okafor",
        email="ben@example.org",
        **LICENSE,
    )
    assert response.status_code == 303, response.status_code
    session = stripe_fake.complete(response.headers["Location"].rsplit("/", 1)[-1])
    return {
        "order": session["client_reference_id"],
        "session": session["id"],
        "intent": session["payment_intent"],
    }


def billing_state() -> tuple:
    """Orders, certificates and handled events, as rows."""
    return (
        db.session.execute(
            sa.select(
                Order.id, Order.status, Order.certificate_id, Order.payment_intent_id
            ).order_by(Order.id)
        ).all(),
        db.session.execute(
            sa.select(Certificate.id, Certificate.status).order_by(Certificate.id)
        ).all(),
        db.session.execute(sa.select(StripeEvent.id).order_by(StripeEvent.id)).all(),
    )


def deliver(client, body: bytes, signature: str | None):
    """POST a webhook body with this Stripe-Signature (None: no header)."""
    headers = {} if signature is None else {"Stripe-Signature": signature}
    try:
        return client.post(WEBHOOK, data=body, headers=headers, content_type="application/json")
    except Exception:
        db.session.rollback()
        raise


def forged_signatures(stripe_fake, body: bytes) -> st.SearchStrategy[str | None]:
    """Stripe-Signature headers that do not prove `body` came from Stripe just now."""
    ascii_text = st.text(st.characters(min_codepoint=0x20), max_size=120)
    signed = stripe_fake.sign(body)
    return st.one_of(
        st.none(),
        st.just(""),
        ascii_text,
        st.builds(
            "t={},v1={}".format,
            st.integers(-(2**70), 2**70),
            st.text("0123456789abcdef", max_size=70),
        ),
        st.just(stripe_fake.sign(body, secret="whsec_someone_else")),
        st.just(stripe_fake.sign(body, timestamp=int(time.time()) - 301)),  # too old
        st.just(stripe_fake.sign(body + b" ")),
        st.just(signed[:-1]),
        st.just(signed.replace("v1=", "v0=")),
        st.just(signed.replace("t=", "t=1")),
    )


def test_webhook_an_unsigned_or_forged_body_gets_400_and_changes_nothing(
    world, stripe_fake, paid_session
):
    real = stripe_fake.payload(stripe_fake.session_event("completed", paid_session["session"]))

    @settings(max_examples=examples() + 20, **FUZZ_SETTINGS)
    @given(data=st.data())
    def fuzz(data):
        body = data.draw(
            st.one_of(
                st.just(real), st.binary(max_size=300), JSON.map(lambda d: json.dumps(d).encode())
            ),
            label="body",
        )
        signature = data.draw(forged_signatures(stripe_fake, body), label="signature")
        before = billing_state()
        response = deliver(world.learner, body, signature)
        assert response.status_code == 400, response.status_code
        check_answer(response, f"webhook {signature!r} {body[:200]!r}")
        assert billing_state() == before

    fuzz()
    assert certificates() == []  # the real, paid event was never believed without its signature
    too_large = real + b" " * world.app.config["MAX_CONTENT_LENGTH"]
    response = deliver(world.learner, too_large, stripe_fake.sign(too_large))
    assert response.status_code == 413
    check_answer(response, "a webhook body over MAX_CONTENT_LENGTH")


def events(ids: dict[str, str]) -> st.SearchStrategy[dict]:
    """Signed-for events: known and unknown types, the objects' fields wrong or missing, and
    now and then the real order, session or payment the world holds."""

    def real_or(name, other):
        return st.one_of(st.just(ids[name]), other)

    session = st.fixed_dictionaries(
        {
            "id": real_or("session", SAFE_TEXT),
            "client_reference_id": real_or("order", st.none() | SAFE_TEXT),
            "payment_status": st.sampled_from(["paid", "unpaid", "no_payment_required"])
            | SAFE_TEXT
            | st.none(),
            "payment_intent": real_or("intent", st.none()),
            # the fields checked against the order: right now and then, else anything
            "amount_total": st.just(1500) | JSON,
            "amount_subtotal": st.just(1500) | JSON,
            "currency": st.just("usd") | JSON,
            "livemode": st.just(False) | JSON,
            "total_details": st.just({"amount_discount": 0}) | JSON,
        },
        optional={"status": JSON, "x": JSON},
    )
    # A payment Stripe does not know is a known 500 (the app asks Stripe whose it is),
    # pinned by test_a_signed_refund_for_a_payment_stripe_does_not_know_is_refused_in_words.
    charge = st.fixed_dictionaries(
        {
            "id": SAFE_TEXT,
            "payment_intent": real_or("intent", st.none() | st.just("")),
            "amount_captured": st.just(1500) | JSON,
            "amount_refunded": st.sampled_from([100, 1500]) | JSON,
            "refunded": st.booleans() | JSON,
        },
        optional={"amount": JSON, "x": JSON},
    )

    def event(types, obj):
        return st.fixed_dictionaries(
            {
                "id": st.text("abcdefghijklmnopqrstuvwxyz0123456789_", min_size=1, max_size=60).map(
                    "evt_".__add__
                ),
                "object": st.just("event"),
                "type": types,
                "data": st.fixed_dictionaries(
                    {"object": obj}, optional={"previous_attributes": JSON}
                ),
            },
            optional={"livemode": JSON, "api_version": JSON, "request": JSON},
        )

    # Unknown types carry anything; a handled type whose object is not the shape its
    # handler reads is a known 500, pinned by test_a_signed_event_of_the_wrong_shape_is_refused_in_words.
    unknown = SAFE_TEXT.filter(lambda t: t not in HANDLERS)
    return st.one_of(
        event(st.sampled_from([t for t in HANDLED if t.startswith("checkout")]), session),
        event(st.sampled_from(["charge.refunded", "charge.dispute.created"]), charge),
        event(unknown, JSON),
    )


def not_json(body: bytes) -> bool:
    """Whether a body fails to parse as JSON (a signed JSON non-event is a known 500)."""
    try:
        json.loads(body)
    except ValueError:
        return True
    return False


def test_webhook_a_signed_event_with_wrong_or_missing_fields_is_answered(
    world, stripe_fake, paid_session
):
    ids = paid_session

    @settings(max_examples=examples() + 20, **FUZZ_SETTINGS)
    @given(data=st.data())
    def fuzz(data):
        event = data.draw(
            st.one_of(
                events(ids),
                st.binary(max_size=200).filter(not_json),
                st.just({"object": "v2.core.event", "id": "evtn_1"}),
            ),
            label="event",
        )
        body = json.dumps(event, ensure_ascii=False).encode() if isinstance(event, dict) else event
        before = billing_state()
        response = deliver(world.learner, body, stripe_fake.sign(body))
        assert response.status_code in (200, 400), response.status_code
        check_answer(response, f"signed webhook {body[:300]!r}")
        if response.status_code == 200:
            assert response.get_json()["outcome"] in ("handled", "ignored", "already handled")
        mentions_ours = any(value.encode() in body for value in ids.values())
        if response.status_code == 400 or not mentions_ours:
            assert billing_state()[:2] == before[:2]  # orders and certificates untouched

    fuzz()


def test_webhook_a_real_event_is_still_handled_after_the_fuzz(world, stripe_fake, paid_session):
    """The fuzzed bodies above must not have been refused merely because the webhook is
    broken: the honest event issues the certificate."""
    event = stripe_fake.session_event("completed", paid_session["session"])
    status, text = stripe_fake.deliver(world.learner, event)
    assert status == 200 and json.loads(text)["outcome"] == "handled"
    assert len(certificates()) == 1


@ONE_DATABASE["sqlite"]  # the same on both databases
def test_a_non_ascii_stripe_signature_is_refused_in_words(world, stripe_fake):
    response = deliver(world.learner, b"{}", "t=1,v1=\u00e9")
    assert response.status_code == 400
    check_answer(response, "v1=é")


WRONG_SHAPES = {
    "a list": [],
    "null": None,
    "a string": "event",
    "no id": {"object": "event", "type": "customer.created"},
    "no type": {"id": "evt_1", "object": "event"},
    "a type that is a list": {"id": "evt_1", "object": "event", "type": ["x"]},
    "no data": {"id": "evt_1", "object": "event", "type": "checkout.session.completed"},
    "data not an object": {
        "id": "evt_1",
        "object": "event",
        "type": "charge.refunded",
        "data": {"object": "ch_1"},
    },
    "a session without its fields": {
        "id": "evt_1",
        "object": "event",
        "type": "checkout.session.completed",
        "data": {"object": {"id": "cs_1"}},
    },
    "a charge without its payment": {
        "id": "evt_1",
        "object": "event",
        "type": "charge.refunded",
        "data": {"object": {}},
    },
}


@pytest.mark.parametrize("shape", sorted(WRONG_SHAPES))
@ONE_DATABASE["sqlite"]  # the same on both databases
def test_a_signed_event_of_the_wrong_shape_is_refused_in_words(world, stripe_fake, shape):
    body = json.dumps(WRONG_SHAPES[shape]).encode()
    response = deliver(world.learner, body, stripe_fake.sign(body))
    assert response.status_code == 400
    check_answer(response, shape)


@ONE_DATABASE["sqlite"]  # the same on both databases
def test_a_signed_refund_for_a_payment_stripe_does_not_know_is_refused_in_words(world, stripe_fake):
    event = stripe_fake.event(
        "charge.refunded",
        {
            "id": "ch_1",
            "object": "charge",
            "payment_intent": "pi_not_ours",
            "amount_captured": 1500,
            "amount_refunded": 1500,
            "refunded": True,
        },
    )
    status, _ = stripe_fake.deliver(world.learner, event)
    assert status == 200


LONG_OR_NUL = {
    "a NUL in the id": {"id": "evt_\x00"},
    "an id of 300 characters": {"id": "evt_" + "x" * 296},
    "a type of 150 characters": {"type": "t" * 150},
}


@pytest.mark.parametrize("problem", sorted(LONG_OR_NUL))
@ONE_DATABASE["postgresql"]  # SQLite stores NUL characters and ignores column lengths
def test_a_signed_event_with_a_nul_or_an_over_long_id_is_refused_in_words_on_postgresql(
    world, stripe_fake, problem
):
    event = {
        "id": "evt_ok",
        "object": "event",
        "type": "customer.created",
        "data": {"object": {}},
        **LONG_OR_NUL[problem],
    }
    body = json.dumps(event).encode()
    response = deliver(world.learner, body, stripe_fake.sign(body))
    assert response.status_code < 500


@ONE_DATABASE["sqlite"]  # refused before any view: the same on both databases
@pytest.mark.parametrize("path", ["/verify", "/admin/login"])
def test_a_multipart_field_whose_name_cannot_be_read_is_refused_in_words(world, path):
    """`name="\\"` leaves the field without a name (the multipart parser reads None): a 400
    in words, never a 500 (found by the form fuzzer)."""
    body = b'--XyZ\r\nContent-Disposition: form-data; name="\\"\r\n\r\nvalue\r\n--XyZ--\r\n'
    response = world.learner.post(path, data=body, content_type="multipart/form-data; boundary=XyZ")
    assert response.status_code == 400
    assert "could not read" in response.get_data(as_text=True)
