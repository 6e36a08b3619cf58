"""The learner's certificate: its page and its PDF."""

from __future__ import annotations

from flask import Response, abort, render_template, request
from flask.typing import ResponseReturnValue

from ceengine.certificates import bp
from ceengine.certificates.models import VALID, Certificate
from ceengine.certificates.services import find_certificate, stored_pdf, stored_pdf_tag
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
    if number and request.if_none_match:  # a repeat download: answered without the PDF
        tag = stored_pdf_tag(number)
        if tag is not None and tag.status == VALID and tag.pdf_sha256 in request.if_none_match:
            return _pdf_response(b"", tag.number, tag.pdf_sha256, not_modified=True)
    stored = stored_pdf(number) if number else None  # tokens carry canonical numbers
    if stored is None:
        abort(404)
    if stored.status != VALID:
        return render_error(
            410,
            f"Certificate {stored.number} is {stored.status} "
            "and can no longer be downloaded. Open its page for details.",
        )
    return _pdf_response(stored.pdf, stored.number, stored.pdf_sha256)


def _pdf_response(pdf: bytes, number: str, sha256: str, not_modified: bool = False) -> Response:
    """The PDF download (or its 304 Not Modified), with the headers both carry."""
    response = Response(
        pdf,
        status=304 if not_modified else 200,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="ce-certificate-{number}.pdf"',
            "Cache-Control": "private, no-cache",
        },
    )
    response.set_etag(sha256)
    return response if not_modified else response.make_conditional(request)
