"""Steps for tests/security/test_security.py: a small world of real records, and walking the URL map.

The security tests walk `app.url_map` rather than a list of addresses, so a route added
later is checked too. To walk a rule they need a value for each of its variables that names
a record which exists (an attempt, a certificate, an order…): `World` holds those, made the
way the site makes them (tests/support/certificate_steps.py, tests/support/factories.py).
"""

from __future__ import annotations

import itertools
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from ceengine.admin.accounts import admin_by_email, create_admin
from ceengine.admin.models import AdminInvitation
from ceengine.admin.team import invite
from ceengine.billing.models import Order
from ceengine.certificates.tokens import certificate_token, sign_in_token
from ceengine.courses.services import current_version
from ceengine.extensions import csrf, db
from ceengine.learners.confirmation import new_confirmation_token
from ceengine.text import email_key
from tests.support.admin_steps import admin_client
from tests.support.certificate_steps import certificates, issue, take_quiz
from tests.support.factories import reflection_with
from tests.support.html import csrf_token_in

# Learner A's details: distinctive, so a page that leaks them is easy to spot.
A_NAME = "Zelda Quartermain"
A_EMAIL = "zelda.quartermain@example.org"
A_LICENSE = {
    "profession": "Clinical social worker",
    "license_type": "LCSW",
    "license_number": "ZQ-771234",
    "license_state": "Oregon",
}
STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


# --- what the database and the outbox hold ---------------------------------------------------


def database_state() -> dict[str, list[str]]:
    """Every row of every table (as text, sorted): equal before and after = nothing changed."""
    db.session.rollback()  # read what is committed, as the next request would
    state = {}
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(sa.select(table)).all()
        state[table.name] = sorted(repr(tuple(row)) for row in rows)
    return state


def row_counts() -> dict[str, int]:
    """How many rows each table holds (committed: what the next request would see)."""
    db.session.rollback()
    return {
        table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def record_csrf_refusals(monkeypatch) -> list[str]:
    """Record the reason each time CSRFProtect refuses a request (it then refuses as usual).

    The 400 page does not say why it refused, so this is how a test knows the CSRF check,
    and not some other check, was what said no.
    """
    refusals: list[str] = []
    original = csrf._error_response

    def refuse(reason: str):
        refusals.append(reason)
        original(reason)

    monkeypatch.setattr(csrf, "_error_response", refuse)
    return refusals


# --- the world: two learners and an admin, with real records -----------------------------------


@dataclass
class World:
    """Learner A (a certificate, a passed attempt with an order), learner B, an admin."""

    app: object
    a: FlaskClient
    b: FlaskClient
    admin: FlaskClient
    certified_attempt: str  # A's demo-lesson attempt, its certificate issued
    pending_attempt: str  # A's demo-modules attempt: no certificate yet, an order opened
    order: str
    number: str
    certificate_token: str
    sign_in_token: str
    confirm_token: str
    reflection_id: str
    version_id: str
    admin_id: str  # a staff member the owner may change, deactivate or reactivate
    invitation_id: str  # a waiting invitation (to cancel)
    invitation_token: str  # another waiting invitation's link (to accept)
    learner_id: str
    candidates: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    def values_for(self, rule: Rule) -> dict[str, list[str]]:
        """For each variable of `rule`, the real values to try (the first is the usual one)."""
        defaults = {
            "slug": ["demo-lesson"],
            "module_slug": [first_module("demo-modules")],
            "filename": ["worksheet.txt"],
            "public_id": [self.certified_attempt, self.pending_attempt],
            "token": [self.certificate_token],
            "number": [self.number],
            "reflection_id": [self.reflection_id],
            "version_id": [self.version_id],
            "admin_id": [self.admin_id],
            "invitation_id": [self.invitation_id],
            "learner_id": [self.learner_id],
            "action": ["approve", "hide"],
            "list_number": ["1"],
        }
        overrides = {
            "static": {"filename": ["css/site.css"]},
            "courses.module": {"slug": ["demo-modules"]},
            "courses.finish": {"slug": ["demo-modules"]},  # Next at a module's end
            # the details form of an attempt without a certificate: a forged POST would issue
            "completion.details": {"public_id": [self.pending_attempt, self.certified_attempt]},
            "completion.success": {"public_id": [self.order]},
            "completion.cancel": {"public_id": [self.order]},
            "certificates.my_certificates_sign_in": {"token": [self.sign_in_token]},
            "quizzes.request_confirmation": {"slug": ["demo-modules"]},  # limits attempts
            "courses.handout": {"slug": ["demo-modules"], "filename": ["action-plan.pdf"]},
            "quizzes.confirm_page": {"slug": ["demo-modules"], "token": [self.confirm_token]},
            "quizzes.confirm": {"slug": ["demo-modules"], "token": [self.confirm_token]},
            "admin.accept_invitation": {"token": [self.invitation_token]},
        }
        values = {}
        for name in sorted(rule.arguments):
            chosen = overrides.get(rule.endpoint, {}).get(name, defaults.get(name))
            assert chosen, (
                f"{rule.rule} ({rule.endpoint}) has a variable {name!r} that "
                "tests/support/security_steps.py does not know how to fill: add a real value"
            )
            values[name] = chosen
        return values

    def urls_of(self, rule: Rule) -> list[str]:
        """The rule's address for every combination of real values."""
        values = self.values_for(rule)
        names = list(values)
        return [
            url_of(rule, dict(zip(names, combination, strict=True)))
            for combination in itertools.product(*(values[n] for n in names))
        ]

    def url_of(self, rule: Rule) -> str:
        """The rule's address with the usual real values."""
        return self.urls_of(rule)[0]

    def client_for(self, rule: Rule) -> FlaskClient:
        """Who would use this address: the admin (an owner) for /admin, else learner A (also
        the one who opens an invitation: accepting it signs that browser in)."""
        if rule.endpoint.startswith("admin.") and rule.endpoint != "admin.accept_invitation":
            return self.admin
        return self.a


def url_of(rule: Rule, values: dict[str, str]) -> str:
    """The path of `rule` with `values` (converters and quoting done by Werkzeug)."""
    built = rule.build(values, append_unknown=False)
    assert built is not None, (rule.rule, values)
    return built[1]


def first_module(slug: str) -> str:
    """The slug of the first module of a multi-module course."""
    return current_version(slug).content["modules"][0]["slug"]


def public_id_of(result_url: str) -> str:
    """The attempt id in a result page's address (/attempts/<public_id>)."""
    return result_url.rstrip("/").rsplit("/", 1)[1]


def open_order(public_id: str) -> str:
    """An order for learner A's pending attempt, as Continue to payment opens one."""
    from ceengine.quizzes.models import Attempt

    attempt = db.session.scalar(sa.select(Attempt).where(Attempt.public_id == public_id))
    order = Order(
        public_id=secrets.token_urlsafe(16),
        attempt_id=attempt.id,
        learner_id=attempt.learner_id,
        amount_cents=1500,
        currency="usd",
        details={"full_name": A_NAME, "email": A_EMAIL, **A_LICENSE},
    )
    db.session.add(order)
    db.session.commit()
    return order.public_id


def build_world(app) -> World:
    """Learner A with a certificate and an order, learner B with a pass, an admin signed in."""
    a, b = app.test_client(), app.test_client()
    issue(a, full_name=A_NAME, email=A_EMAIL)
    certificate = certificates()[-1]
    pending = public_id_of(take_quiz(a, "demo-modules"))
    take_quiz(b, "demo-lesson")
    reflection = reflection_with("demo-lesson", "Sam", "I slowed down today.")
    owner = admin_client(app, role="owner")
    create_admin("stan@example.org", "a staff member's passphrase", "staff")
    cancelled = invite("ivy@example.org", "staff", lambda token: token, 72)
    accepted = invite("jo@example.org", "staff", lambda token: token, 72)
    return World(
        app=app,
        a=a,
        b=b,
        admin=owner,
        admin_id=str(admin_by_email("stan@example.org").id),
        invitation_id=str(
            db.session.scalar(
                sa.select(AdminInvitation.id).where(AdminInvitation.email == cancelled.email)
            )
        ),
        invitation_token=accepted.token,
        certified_attempt=certificate.attempt.public_id,
        pending_attempt=pending,
        order=open_order(pending),
        number=certificate.number,
        certificate_token=certificate_token(certificate.number),
        sign_in_token=sign_in_token(email_key(A_EMAIL)),
        confirm_token=new_confirmation_token(A_EMAIL),
        reflection_id=str(reflection.id),
        version_id=str(certificate.version_id),
        learner_id=str(certificate.learner_id),
    )


def token_of(client: FlaskClient, page: str = "/my-certificates") -> str:
    """The CSRF token a page gives this browser (its session's token)."""
    return csrf_token_in(client.get(page).get_data(as_text=True))


def rules(app, methods: set[str] | None = None) -> list[Rule]:
    """Every rule of the URL map (answering one of `methods`, when given), in a stable order."""
    found = [rule for rule in app.url_map.iter_rules() if methods is None or rule.methods & methods]
    return sorted(found, key=lambda rule: (rule.rule, rule.endpoint))


def methods_of(rule: Rule, wanted: set[str]) -> list[str]:
    """The rule's methods among `wanted`, sorted."""
    return sorted(rule.methods & wanted)


# --- altering a token or an id -------------------------------------------------------------------


def _swap(text: str, position: int, alphabet: str) -> str:
    """`text` with the character at `position` replaced by another one of `alphabet`."""
    current = text[position]
    replacement = next(c for c in alphabet if c != current and c.upper() != current.upper())
    return text[:position] + replacement + text[position + 1 :]


def altered(value: str, alphabet: str = "AbCdEfGhJkMnPqRsTvWxYz") -> dict[str, str]:
    """Ways a visitor might change a token, id or number: one character, cut, lengthened.

    Characters are changed well inside the value: the last character of a base64 signature
    may only carry padding bits, so changing it can leave the decoded signature the same.
    """
    middle = len(value) // 2
    if not value[middle].isalnum():
        middle += 1
    return {
        "second character changed": _swap(value, 1, alphabet),
        "middle character changed": _swap(value, middle, alphabet),
        "last character cut": value[:-1],
        "cut in half": value[: len(value) // 2],
        "a character added": value + "x",
        "a part added": value + ".x",
        "prefixed": "0" + value,
        "very long": value * 40,
    }


def outside_alphabet(value: str) -> dict[str, str]:
    """Changes made only of characters a token never contains: non-ASCII, base64 padding."""
    return {
        "non-ASCII added": value + "é",
        "non-ASCII inserted": value[:3] + "é" + value[3:],
        "padding added": value + "==",
    }


# --- headers ---------------------------------------------------------------------------------


def csp_directives(header: str) -> dict[str, list[str]]:
    """A Content-Security-Policy header as {directive: [sources]}."""
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def cookie_attributes(response, name: str) -> dict[str, str] | None:
    """The attributes of the Set-Cookie for `name` ({"secure": "", "samesite": "Lax"…})."""
    for header in response.headers.getlist("Set-Cookie"):
        first, *attributes = [part.strip() for part in header.split(";")]
        if first.split("=", 1)[0] == name:
            found = {}
            for attribute in attributes:
                key, _, value = attribute.partition("=")
                found[key.lower()] = value
            return found
    return None


# --- files ---------------------------------------------------------------------------------------


def files_under(folder: Path) -> dict[Path, tuple[int, int]]:
    """Every file under `folder` with its (modification time, size)."""
    found = {}
    for root, _dirs, names in os.walk(folder):
        for name in names:
            path = Path(root) / name
            try:
                stat = path.stat()
            except FileNotFoundError:  # someone else's file came and went
                continue
            found[path] = (stat.st_mtime_ns, stat.st_size)
    return found


def changed_files_holding(folder: Path, before: dict, needle: bytes) -> list[Path]:
    """Files under `folder` that are new or changed since `before` and contain `needle`."""
    holding = []
    for path, signature in files_under(folder).items():
        if before.get(path) == signature:
            continue
        try:
            if needle in path.read_bytes():
                holding.append(path)
        except OSError:
            continue
    return holding
