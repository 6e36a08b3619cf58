"""The verify upload under gunicorn: a genuine certificate PDF, and a hostile one.

The hostile PDF is signed by a self-made key and carries ten decoy certificates with the
sponsor's root's name and one shared key (tests/support/hostile_pdf.py): before the fix a
check built certification paths through every ordering of them and held a worker for
minutes. Its row is compared with the genuine upload's: the same order of cost, or the fix
has regressed.
"""

from __future__ import annotations

import http.cookiejar
import tempfile
import urllib.request
import uuid
from pathlib import Path

from benchmarks.pages import Row
from benchmarks.servers import Load, run_wrk
from tests.support.html import form_in

DECOYS = 10


def upload_files(number: str) -> tuple[bytes, bytes]:
    """(the issued PDF of certificate `number`, a hostile PDF of the same page); needs an app
    context."""
    from ceengine.certificates.edition import LearnerDetails, certificate_data
    from ceengine.certificates.render import render_certificate
    from ceengine.certificates.services import find_certificate
    from ceengine.certificates.signing_key import signing_identity
    from tests.support.hostile_pdf import hostile_pdf

    certificate = find_certificate(number)
    details = LearnerDetails(certificate.full_name, certificate.email)
    page = render_certificate(certificate_data(certificate.attempt, details, number))
    return certificate.pdf, hostile_pdf(page, signing_identity().root, DECOYS)


def _session(base_url: str) -> tuple[str, str]:
    """Open the Verify page as a browser: (its form's CSRF token, the Cookie header)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(f"{base_url}/verify").read().decode()
    return form_in(html, "csrf_token").hidden["csrf_token"], "; ".join(
        f"{c.name}={c.value}" for c in jar
    )


def _multipart(token: str, pdf: bytes) -> tuple[bytes, str]:
    """The body a browser sends for the upload form, and its Content-Type."""
    boundary = uuid.uuid4().hex
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
        f'{token}\r\n--{boundary}\r\nContent-Disposition: form-data; name="pdf"; '
        'filename="certificate.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
    ).encode()
    body += pdf + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def _upload_script(body_file: Path, content_type: str, cookies: str) -> str:
    """wrk posts the same upload again and again."""
    return f"""
local file = io.open("{body_file}", "rb")
wrk.method = "POST"
wrk.body = file:read("*all")
file:close()
wrk.headers["Content-Type"] = "{content_type}"
wrk.headers["Cookie"] = "{cookies}"
"""


def measure(
    base_url: str, hello: Load, seconds: int, genuine: bytes, hostile: bytes, peak_mb
) -> list[Row]:
    """The genuine upload (200) against hello-world, the hostile one (422) against it."""
    token, cookies = _session(base_url)
    loads = {}
    with tempfile.TemporaryDirectory() as folder:
        for name, pdf, status in (("genuine", genuine, 200), ("hostile", hostile, 422)):
            body, content_type = _multipart(token, pdf)
            (Path(folder) / name).write_bytes(body)
            script = _upload_script(Path(folder) / name, content_type, cookies)
            loads[name] = run_wrk(
                f"{base_url}/verify", seconds, script=script, expected_status=status
            )
    genuine_row = Row("upload genuine PDF", loads["genuine"], hello, None, peak_mb())
    hostile_row = Row(
        f"upload hostile ({DECOYS} decoys)", loads["hostile"], loads["genuine"], 0.5, peak_mb()
    )
    return [genuine_row, hostile_row]
