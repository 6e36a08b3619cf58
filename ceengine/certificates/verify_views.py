"""Public verification, no login: by certificate number, or by checking an uploaded PDF."""

from __future__ import annotations

from flask import current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from ceengine.certificates import bp
from ceengine.certificates.forms import UploadForm
from ceengine.certificates.models import Certificate
from ceengine.certificates.numbers import normalize_certificate_number
from ceengine.certificates.services import check_certificate_file, current_edition, find_certificate
from ceengine.certificates.signing import MAX_PDF_BYTES
from ceengine.errors import render_error
from ceengine.extensions import limiter


def _verify_limit() -> str:
    return current_app.config["VERIFY_RATE_LIMIT"]


def _lookup_page(
    status: int = 200, number_error: str | None = None, form: UploadForm | None = None
) -> tuple[str, int]:
    return render_template(
        "certificates/verify.html",
        form=form or UploadForm(),
        max_kb=MAX_PDF_BYTES // 1024,
        number=request.args.get("number", ""),
        number_error=number_error,
    ), status


@bp.get("/verify")
@limiter.limit(_verify_limit)
def verify() -> ResponseReturnValue:
    """Look up a certificate by its number, or check a PDF file."""
    typed = request.args.get("number", "").strip()
    if not typed:
        return _lookup_page()
    canonical = normalize_certificate_number(typed)
    if canonical is None:
        return _lookup_page(
            422,
            "That is not a certificate number. A number looks like "
            "7KQ2-M9XD-4HTR-V: check it against the certificate.",
        )
    return redirect(url_for(".verify_number", number=canonical), 303)


@bp.get("/verify/<number>")
@limiter.limit(_verify_limit)
def verify_number(number: str) -> ResponseReturnValue:
    """Valid, Revoked (with reason and date) or Superseded, with what the certificate says."""
    canonical = normalize_certificate_number(number)
    if canonical is None:
        return render_error(
            404,
            f"“{number[:40]}” is not a certificate number. Check it "
            "against the certificate, or type it on the Verify page.",
        )
    if canonical != number:
        return redirect(url_for(".verify_number", number=canonical), 301)
    certificate = find_certificate(canonical)
    if certificate is None:
        return render_error(
            404,
            f"No certificate has the number {canonical}. Check it "
            "against the certificate; if it matches, contact the sponsor.",
        )
    return render_template(
        "certificates/verify_number.html",
        certificate=certificate,
        current=_replacement(certificate),
    )


def _replacement(certificate: Certificate) -> Certificate | None:
    current = current_edition(certificate)
    return current if current is not certificate else None


@bp.post("/verify")
@limiter.limit(_verify_limit)
def verify_file() -> ResponseReturnValue:
    """Check an uploaded certificate PDF: our signature, whole file, same bytes as issued."""
    form = UploadForm()
    if not form.validate_on_submit():
        return _lookup_page(422, form=form)
    pdf = form.pdf.data.read(MAX_PDF_BYTES + 1)  # larger files are refused, never read whole
    if not pdf.startswith(b"%PDF"):
        form.pdf.errors.append("That file is not a PDF. Choose the certificate's PDF file.")
        return _lookup_page(422, form=form)
    if len(pdf) > MAX_PDF_BYTES:
        form.pdf.errors.append(
            f"That file is larger than any certificate we issue (at most "
            f"{MAX_PDF_BYTES // 1024} KB). Choose the certificate's PDF file."
        )
        return _lookup_page(422, form=form)
    check = check_certificate_file(pdf)
    current = _replacement(check.certificate) if check.certificate else None
    return render_template(
        "certificates/verify_file.html",
        check=check,
        current=current,
        filename=form.pdf.data.filename,
    ), 200 if check.problem is None else 422
