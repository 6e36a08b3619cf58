"""The learner's certificate: its page and its PDF."""

from __future__ import annotations

from flask import Response, abort, render_template, request
from flask.typing import ResponseReturnValue

from ceengine.certificates import bp
from ceengine.certificates.models import VALID, Certificate
from ceengine.certificates.services import find_certificate, stored_pdf
from ceengine.certificates.tokens import number_from_token
from ceengine.errors import render_error
from ceengine.extensions import limiter


def _certificate_for(token: str) -> Certificate:
    number = number_from_token(token)
    certificate = find_certificate(number) if number else None
    if certificate is None:
        abort(404)
    return certificate


@bp.get("/certificates/<token>")
def certificate(token: str) -> ResponseReturnValue:
    """The learner's certificate page: status, details and Download certificate (PDF).

    A superseded certificate's page says so and nothing of its replacement: a reissue may have
    gone to a corrected address, and this link may be the one sent to the mistyped one.
    """
    return render_template(
        "certificates/certificate.html", certificate=_certificate_for(token), token=token
    )


@bp.get("/certificates/<token>/pdf")
@limiter.exempt
def download(token: str) -> ResponseReturnValue:
    """The signed PDF exactly as issued (the same bytes every time)."""
    number = number_from_token(token)
    stored = stored_pdf(number) if number else None  # tokens carry canonical numbers
    if stored is None:
        abort(404)
    if stored.status != VALID:
        return render_error(
            410,
            f"Certificate {stored.number} is {stored.status} "
            "and can no longer be downloaded. Open its page for details.",
        )
    response = Response(
        stored.pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="ce-certificate-{stored.number}.pdf"',
            "Cache-Control": "private, no-cache",
        },
    )
    response.set_etag(stored.pdf_sha256)
    return response.make_conditional(request)
