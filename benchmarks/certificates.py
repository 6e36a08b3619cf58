"""Certificate figures: issuing one (credential + render + sign + store) against the bare
credential proof + render + sign floor, and re-downloading an issued PDF, its Open Badge, the
verify JSON, a status list and the DID document against the hello-world baseline."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks import uploads
from benchmarks.pages import Row, prepare_database
from benchmarks.servers import Load, run_wrk, serve

COURSE = "self-compassion-for-clinicians"


@dataclass
class Timing:
    """Median and spread of one timed operation, in milliseconds."""

    name: str
    samples: list[float]

    @property
    def median(self) -> float:
        """The median, in ms."""
        return statistics.median(self.samples)

    @property
    def p90(self) -> float:
        """The 90th percentile, in ms."""
        return statistics.quantiles(self.samples, n=10)[-1]


def _signing_env(folder: Path) -> dict[str, str]:
    from ceengine.certificates.credential_key import write_development_key
    from ceengine.certificates.signing import create_development_chain

    files = create_development_chain(folder / "signing", "ceengine Benchmarks")
    credential_key, _ = write_development_key(folder / "credential")
    return {
        "CEENGINE_CREDENTIAL_KEY": str(credential_key),
        "CEENGINE_SIGNING_KEY": str(files["key"]),
        "CEENGINE_SIGNING_CERT": str(files["cert"]),
        "CEENGINE_SIGNING_CHAIN": str(files["chain"]),
        "CEENGINE_MAIL_SERVER": "",
    }


def _passed_attempts(count: int):
    """`count` passed attempts at the course, by one learner."""
    from ceengine.courses.services import current_version
    from ceengine.quizzes.services import items_in_order, submit_attempt

    version = current_version(COURSE)
    attempts = []
    for index in range(count):
        key = f"bench-certificate-{index}"
        responses = {item.id: item.answer for item in items_in_order(version, key)}
        attempts.append(submit_attempt("bench-learner-token", version, key, responses))
    return attempts


def _time(operation, count: int) -> list[float]:
    samples = []
    for index in range(count):
        start = time.perf_counter()
        operation(index)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def measure_issue(
    env: dict[str, str], count: int
) -> tuple[Timing, Timing, str, str, tuple[bytes, bytes]]:
    """Time issue_certificate and the bare render+sign floor in one process; return a
    certificate's number and token, and a genuine and a hostile PDF to upload."""
    import os

    os.environ.update(env)
    from ceengine import create_app
    from ceengine.certificates.edition import LearnerDetails, badge_credential, certificate_data
    from ceengine.certificates.numbers import new_certificate_number
    from ceengine.certificates.render import render_certificate
    from ceengine.certificates.signing import Attachment, sign_pdf
    from ceengine.certificates.signing_key import signing_identity
    from ceengine.certificates.tokens import certificate_token
    from ceengine.completion.issuing import issue_certificate

    app = create_app({"MAIL_BACKEND": "locmem"})
    with app.test_request_context(base_url="https://ce.example.org"):
        attempts = _passed_attempts(count)
        details = LearnerDetails(
            "Ana María Núñez", "ana@example.org", "Social worker", "LCSW", "LCS 12345", "California"
        )
        identity = signing_identity()
        number = new_certificate_number()
        data = certificate_data(attempts[0], details, number)

        def floor(_index: int) -> None:
            # The same work without the database: the credential and its proof, the page,
            # and the PAdES signature over both.
            credential = badge_credential(attempts[0], details, number, 0)
            attached = (Attachment("open-badge.json", credential, "application/json", "OB"),)
            pdf = render_certificate(data)
            sign_pdf(pdf, identity, "CE certificate", "Online", attachments=attached)

        def issue(index: int) -> None:
            issue_certificate(attempts[index], attempts[index].learner, details)

        floor(0)  # warm fonts and the key
        floor_samples, issue_samples = [], []
        for index in range(count):  # interleaved, so drift affects both alike
            floor_samples += _time(floor, 1)
            issue_samples += _time(lambda _i, i=index: issue(i), 1)
        number = issue_certificate(attempts[0], attempts[0].learner, details)[0].number
        token = certificate_token(number)
        files = uploads.upload_files(number)
    return (
        Timing("bare credential + render + sign (floor)", floor_samples),
        Timing("issue certificate (+ status index, store)", issue_samples),
        number,
        token,
        files,
    )


def _if_none_match(url: str) -> str:
    """A wrk script that asks again for `url` with the ETag it was served with (a 304)."""
    import urllib.request

    etag = urllib.request.urlopen(url).headers["ETag"]
    return f'wrk.headers["If-None-Match"] = [[{etag}]]\n'  # a Lua long string keeps its quotes


def measure(
    folder: Path, hello: Load, seconds: int, count: int = 60
) -> tuple[list[Timing], list[Row]]:
    """Issue timings in-process, then the verify page, re-downloads and verify uploads (a
    genuine and a hostile PDF) under gunicorn."""
    env = {**prepare_database(folder), **_signing_env(folder)}
    floor, issue, number, token, (genuine, hostile) = measure_issue(env, count)
    rows = []
    with serve("wsgi:app", env, log=folder / "certificates.log") as server:
        pdf = f"/certificates/{token}/pdf"
        for name, path, target, script in (
            ("verify page GET", f"/verify/{number}", 0.4, None),
            ("re-download certificate PDF", pdf, 0.5, None),
            ("re-download, unchanged (304)", pdf, 0.7, _if_none_match(server.url + pdf)),
            ("verify JSON GET", f"/verify/{number}.json", 0.4, None),
            ("Open Badge download", f"/certificates/{token}/open-badge.json", 0.4, None),
            ("status list GET", "/credentials/status/1", 0.4, None),
            ("DID document GET", "/.well-known/did.json", 0.4, None),
        ):
            load = run_wrk(server.url + path, seconds, script=script)
            rows.append(Row(name, load, hello, target, server.peak_worker_mb()))
        rows += uploads.measure(server.url, hello, seconds, genuine, hostile, server.peak_worker_mb)
    return [floor, issue], rows
