"""Simulated clinicians against a served app, and the database checks that follow a crowd.

Each clinician has its own cookies and does what a person does: opens the course, takes the
quiz and double-clicks Score My Quiz, and after a pass double-clicks Issue certificate (or
Continue to payment, pays, and Stripe delivers its webhook several times over), then opens the
certificate, downloads the PDF and checks its verification page. Used at a bounded size by
tests/operations/test_load.py and at full size by `make bench` (benchmarks/crowd_load.py).
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests
import sqlalchemy as sa

from tests.support.fake_stripe import FakeStripe
from tests.support.html import form_in, quiz_form_in

FREE_COURSE, PAID_COURSE = "demo-lesson", "demo-modules"
LICENSE = {
    "profession": "Licensed Clinical Social Worker",
    "license_type": "LCSW",
    "license_number": "LC-1024",
    "license_state": "Oregon",
}
TIMEOUT = 120  # a request stuck longer than this is a failure, not a wait


def crowd_courses(courses_dir) -> None:
    """The crowd takes the paid course without an attempt limit: a limit asks each person to
    confirm an email by a link (tests/quizzes/test_quiz_integrity.py covers that flow, in parallel
    too); the crowd measures the no-account flow at scale."""
    course = courses_dir / PAID_COURSE / "course.yaml"
    course.write_text(course.read_text().replace("max_attempts: 2", "max_attempts: unlimited"))


@dataclass
class Tally:
    """Every response the crowd saw, shared by all clinicians."""

    statuses: Counter = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    surprises: list[str] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, method: str, url: str, response: requests.Response, seconds: float):
        """Count a response; keep the 5xx ones to report."""
        with self.lock:
            self.statuses[response.status_code] += 1
            self.seconds.append(seconds)
            if response.status_code >= 500:
                self.server_errors.append(f"{method} {url} -> {response.status_code}")

    def surprise(self, what: str) -> None:
        """A response that is not an error code but is still wrong."""
        with self.lock:
            self.surprises.append(what)

    @property
    def requests(self) -> int:
        """How many responses were counted."""
        return sum(self.statuses.values())

    def percentile(self, share: float) -> float:
        """Response time in milliseconds below which `share` of the responses fall."""
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000 if ordered else 0


@dataclass
class Outcome:
    """What one clinician ended with."""

    passed: bool
    paid: bool
    result_url: str | None = None
    certificate_url: str | None = None


class Clinician:
    """One person in the crowd: a cookie jar, the crowd's tally, and the way through a course."""

    def __init__(self, base_url: str, tally: Tally, answers: dict[int, str]) -> None:
        self.base_url, self.tally, self.answers = base_url, tally, answers
        self.session = requests.Session()

    def _send(self, method: str, path: str, session: requests.Session | None = None, **kwargs):
        url = path if path.startswith("http") else self.base_url + path
        started = time.perf_counter()
        response = (session or self.session).request(
            method, url, allow_redirects=False, timeout=TIMEOUT, **kwargs
        )
        self.tally.record(method, urlsplit(url).path, response, time.perf_counter() - started)
        return response

    def get(self, path: str) -> requests.Response:
        """GET without following redirects."""
        return self._send("GET", path)

    def double_click(self, path: str, data: dict[str, str]) -> list[requests.Response]:
        """The same form posted twice at once from the same browser, as a double click does."""
        twin = requests.Session()
        twin.cookies.update(self.session.cookies)
        start = threading.Barrier(2)
        responses: list[requests.Response | None] = [None, None]

        def press(index: int, session: requests.Session) -> None:
            start.wait()
            responses[index] = self._send("POST", path, session, data=data)

        threads = [
            threading.Thread(target=press, args=(i, s)) for i, s in enumerate((self.session, twin))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        # The browser keeps the cookies of the response it shows: the second one.
        self.session.cookies.update(twin.cookies)
        return responses

    def _expect(self, condition: bool, what: str) -> bool:
        if not condition:
            self.tally.surprise(what)
        return condition

    def take_quiz(self, slug: str, passing: bool) -> str | None:
        """Open the course and its quiz, double-click Score My Quiz; the result's address."""
        self.get(f"/courses/{slug}")
        page = self.get(f"/courses/{slug}/quiz")
        if not self._expect(page.status_code == 200, f"quiz page {page.status_code}"):
            return None
        form = quiz_form_in(page.text)
        chosen = {}
        for name, options in form.radios.items():
            right = self.answers[int(name.removeprefix("item-"))]
            chosen[name] = right if passing else next(o for o in options if o != right)
        responses = self.double_click(f"/courses/{slug}/quiz", form.answers(chosen))
        places = {r.headers.get("Location") for r in responses}
        if not self._expect(
            [r.status_code for r in responses] == [303, 303] and len(places) == 1,
            f"Score My Quiz double click: {[r.status_code for r in responses]} {places}",
        ):
            return None
        result = places.pop()
        self._expect(self.get(result).status_code == 200, "result page")
        return result

    def details_form(self, result: str, name: str, email: str):
        """Follow Get my certificate; the form's address and the body that issues it."""
        page = self.get(result)
        link = re.search(r'<a class="button" href="([^"]+)">Get my certificate</a>', page.text)
        if not self._expect(link is not None, "no Get my certificate link"):
            return None, None
        address = link.group(1)
        details = self.get(address)
        if not self._expect(details.status_code == 200, f"details page {details.status_code}"):
            return None, None
        form = form_in(details.text, "full_name")
        license = {key: value for key, value in LICENSE.items() if key in form.values}
        return address, {
            **form.hidden,
            **form.values,
            "full_name": name,
            "email": email,
            **license,
            "attest": "y",
            "issue": form.submits["issue"],
        }

    def free_certificate(self, result: str, name: str, email: str) -> str | None:
        """Double-click Issue certificate, then open, download and verify it."""
        address, data = self.details_form(result, name, email)
        if address is None:
            return None
        responses = self.double_click(address, data)
        places = {r.headers.get("Location") for r in responses}
        if not self._expect(
            [r.status_code for r in responses] == [303, 303] and len(places) == 1,
            f"Issue certificate double click: {[r.status_code for r in responses]} {places}",
        ):
            return None
        return self.use_certificate(places.pop())

    def paid_certificate(
        self, result: str, name: str, email: str, stripe: FakeStripe, replays: int = 3
    ) -> str | None:
        """Double-click Continue to payment, pay, and let Stripe deliver the event `replays` times
        at once; then come back through the success page."""
        address, data = self.details_form(result, name, email)
        if address is None:
            return None
        responses = self.double_click(address, data)
        checkout = responses[-1].headers.get("Location", "")
        if not self._expect(
            all(r.status_code == 303 for r in responses) and "/pay/" in checkout,
            f"Continue to payment: {[r.status_code for r in responses]} {checkout}",
        ):
            return None
        session_id = checkout.rsplit("/", 1)[-1]
        stripe.complete(session_id)
        event = stripe.session_event("checkout.session.completed", session_id)
        with ThreadPoolExecutor(replays) as pool:
            deliveries = list(
                pool.map(
                    lambda _: stripe.deliver(self.base_url, event, timeout=TIMEOUT), range(replays)
                )
            )
        with self.tally.lock:
            for status, _ in deliveries:
                self.tally.statuses[status] += 1
                if status >= 500:
                    self.tally.server_errors.append(f"POST webhook -> {status}")
        self._expect(
            all(status == 200 for status, _ in deliveries),
            f"webhook replays: {[status for status, _ in deliveries]}",
        )
        success = stripe.sessions[session_id]["success_url"].replace(
            "{CHECKOUT_SESSION_ID}", session_id
        )
        back = self.get(success)
        if not self._expect(
            back.status_code == 303 and "/certificates/" in back.headers.get("Location", ""),
            f"success page {back.status_code}",
        ):
            return None
        return self.use_certificate(back.headers["Location"])

    def use_certificate(self, address: str) -> str | None:
        """Open the certificate page, download the PDF, open its verification page."""
        page = self.get(address)
        if not self._expect(page.status_code == 200, f"certificate page {page.status_code}"):
            return None
        pdf = self.get(address.rstrip("/") + "/pdf")
        self._expect(pdf.status_code == 200 and pdf.content.startswith(b"%PDF"), "PDF download")
        verify = re.search(r'href="(/verify/[^"]+)"', page.text)
        if self._expect(verify is not None, "no verification link"):
            checked = self.get(verify.group(1))
            self._expect(checked.status_code == 200 and "Valid" in checked.text, "verify page")
        return address


def quiz_answers(database_url: str) -> dict[int, str]:
    """Every quiz item's right answer, read from the database the app serves."""
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            return dict(connection.execute(sa.text("SELECT id, answer FROM quiz_items")).all())
    finally:
        engine.dispose()


def run_crowd(
    base_url: str,
    database_url: str,
    clinicians: int,
    concurrency: int,
    stripe: FakeStripe | None = None,
) -> tuple[Tally, list[Outcome]]:
    """`clinicians` people, `concurrency` at a time. One in four fails the quiz; with Stripe,
    one in three of those who pass takes the paid course."""
    tally, answers = Tally(), quiz_answers(database_url)

    def one(index: int) -> Outcome:
        person = Clinician(base_url, tally, answers)
        paid = stripe is not None and index % 3 == 1
        outcome = Outcome(passed=index % 4 != 0, paid=paid)
        try:
            outcome.result_url = person.take_quiz(
                PAID_COURSE if paid else FREE_COURSE, outcome.passed
            )
            if outcome.result_url and outcome.passed:
                name, email = f"Clinician {index}", f"clinician{index}@example.org"
                outcome.certificate_url = (
                    person.paid_certificate(outcome.result_url, name, email, stripe)
                    if paid
                    else person.free_certificate(outcome.result_url, name, email)
                )
        except requests.RequestException as error:  # refused or timed out: a failure to report
            tally.surprise(f"clinician {index}: {type(error).__name__}: {error}")
        return outcome

    with ThreadPoolExecutor(concurrency) as pool:
        outcomes = list(pool.map(one, range(clinicians)))
    return tally, outcomes


def certificate_problems(db: sa.Connection) -> list[str]:
    """Certificates whose stored PDF is missing, not a PDF, or not the bytes its hash names."""
    problems = []
    rows = db.execute(sa.text("SELECT number, pdf, pdf_sha256 FROM certificates")).all()
    for number, pdf, sha256 in rows:
        pdf = bytes(pdf or b"")
        if not pdf.startswith(b"%PDF") or hashlib.sha256(pdf).hexdigest() != sha256:
            problems.append(f"certificate {number} is half-written")
    return problems


def database_problems(database_url: str, outcomes: list[Outcome]) -> list[str]:
    """What the database says went wrong: lost or doubled attempts, missing or extra
    certificates, unpaid or doubly paid orders, half-written certificates."""
    problems: list[str] = []
    results = [o for o in outcomes if o.result_url]
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as db:

            def one(sql: str, **params) -> int:
                return db.execute(sa.text(sql), params).scalar_one()

            attempts = one("SELECT count(*) FROM attempts")
            if attempts != len(results):
                problems.append(f"{attempts} attempts stored for {len(results)} scored quizzes")
            for outcome in results:
                public_id = outcome.result_url.rstrip("/").rsplit("/", 1)[-1]
                if one("SELECT count(*) FROM attempts WHERE public_id = :p", p=public_id) != 1:
                    problems.append(f"attempt {public_id} is not stored exactly once")
            per_attempt = db.execute(
                sa.text(
                    "SELECT a.passed, count(c.id) FROM attempts a LEFT JOIN certificates c "
                    "ON c.attempt_id = a.id GROUP BY a.id, a.passed"
                )
            ).all()
            for passed, count in per_attempt:
                if count != (1 if passed else 0):
                    problems.append(
                        f"a {'passed' if passed else 'failed'} attempt has {count} certificates"
                    )
            expected = sum(1 for o in outcomes if o.passed and o.result_url)
            issued = one("SELECT count(*) FROM certificates")
            if issued != expected:
                problems.append(f"{issued} certificates for {expected} passed attempts")
            problems += certificate_problems(db)
            paid = sum(1 for o in outcomes if o.paid and o.passed and o.result_url)
            orders = db.execute(sa.text("SELECT status, certificate_id FROM orders")).all()
            if len(orders) != paid:
                problems.append(f"{len(orders)} orders for {paid} paying clinicians")
            unfulfilled = [o for o in orders if o.status != "paid" or o.certificate_id is None]
            if unfulfilled:
                problems.append(f"{len(unfulfilled)} orders not paid with a certificate")
            doubled = one(
                "SELECT count(*) FROM (SELECT certificate_id FROM orders "
                "WHERE certificate_id IS NOT NULL GROUP BY certificate_id "
                "HAVING count(*) > 1) AS doubled"
            )
            if doubled:
                problems.append(f"{doubled} certificates paid for by two orders")
    finally:
        engine.dispose()
    return problems
