"""Public verification, no login: by certificate number (a page, or JSON for scripts), or by
checking an uploaded PDF or Open Badge credential."""

from __future__ import annotations

from flask import current_app, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from ceengine.certificates import bp
from ceengine.certificates.credentials import check_credential, read_json
from ceengine.certificates.forms import UploadForm
from ceengine.certificates.models import Certificate
from ceengine.certificates.numbers import normalize_certificate_number
from ceengine.certificates.presenters import certificate_json
from ceengine.certificates.services import check_certificate_file, current_edition, find_certificate
from ceengine.certificates.signing import MAX_PDF_BYTES, embedded_file
from ceengine.errors import render_error
from ceengine.extensions import limiter


def verify_limit() -> str:
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
@limiter.limit(verify_limit)
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
@limiter.limit(verify_limit)
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


@bp.get("/verify/<number>.json")
@limiter.limit(verify_limit)
def verify_json(number: str) -> ResponseReturnValue:
    """The certificate's status and fields as JSON, for scripts (any site may fetch it)."""
    canonical = normalize_certificate_number(number)
    certificate = find_certificate(canonical) if canonical else None
    if certificate is None:
        response = jsonify(
            error=f"No certificate has the number {number[:40]}. Check it against the "
            "certificate; a number looks like 7KQ2-M9XD-4HTR-V."
        )
        response.status_code = 404
    else:
        response = jsonify(certificate_json(certificate, _replacement(certificate)))
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "no-cache"
    return response


def _upload_problem(form: UploadForm, problem: str) -> tuple[str, int]:
    form.pdf.errors.append(problem)
    return _lookup_page(422, form=form)


@bp.post("/verify")
@limiter.limit(verify_limit)
def verify_file() -> ResponseReturnValue:
    """Check an uploaded certificate: a PDF (our signature, whole file, same bytes as issued,
    and the credential inside it) or an Open Badge credential (JSON)."""
    form = UploadForm()
    if not form.validate_on_submit():
        return _lookup_page(422, form=form)
    data = form.pdf.data.read(MAX_PDF_BYTES + 1)  # larger files are refused, never read whole
    if len(data) > MAX_PDF_BYTES:
        return _upload_problem(
            form,
            f"That file is larger than any certificate we issue (at most "
            f"{MAX_PDF_BYTES // 1024} KB). Choose the certificate's PDF or JSON file.",
        )
    if data.startswith(b"%PDF"):
        return _check_pdf(data, form.pdf.data.filename)
    document = read_json(data)
    if document is None:
        return _upload_problem(
            form,
            "That file is neither a certificate PDF nor an Open Badge credential (JSON). "
            "Choose the certificate's PDF file or its open-badge JSON file.",
        )
    check = check_credential(document)
    current = _replacement(check.certificate) if check.certificate else None
    return render_template(
        "certificates/verify_credential.html",
        check=check,
        current=current,
        filename=form.pdf.data.filename,
    ), 200 if check.ok else 422


def _check_pdf(pdf: bytes, filename: str) -> ResponseReturnValue:
    check = check_certificate_file(pdf)
    current = _replacement(check.certificate) if check.certificate else None
    # Only an authentic file's credential is shown, so only that one is checked.
    embedded = embedded_file(pdf, ".json") if check.problem is None else None
    credential = check_credential(read_json(embedded)) if embedded else None
    return render_template(
        "certificates/verify_file.html",
        check=check,
        credential=credential,
        current=current,
        filename=filename,
    ), 200 if check.problem is None else 422
