"""What a certificate says, gathered from the attempt, the learner and the sponsor's settings,
and the signed PDF made from it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from flask import current_app

from ceengine.certificates.render import CertificateData, render_certificate
from ceengine.certificates.signing import sign_pdf
from ceengine.certificates.signing_key import signing_identity
from ceengine.links import absolute_url
from ceengine.localtime import local_date
from ceengine.quizzes.models import Attempt
from ceengine.templating import format_hours

_APPROVALS_KEY = "ceengine.approval_statements"


@dataclass(frozen=True)
class LearnerDetails:
    """What the learner typed on the details form, cleaned."""

    full_name: str
    email: str
    profession: str = ""
    license_type: str = ""
    license_number: str = ""
    license_state: str = ""


def approval_statements() -> tuple[str, ...]:
    """The sponsor's approval statements: paragraphs of CEENGINE_APPROVALS_FILE, read once."""
    app = current_app
    if _APPROVALS_KEY not in app.extensions:
        path = app.config.get("APPROVALS_FILE")
        text = Path(path).read_text(encoding="utf-8") if path else ""
        paragraphs = [" ".join(p.split()) for p in text.split("\n\n")]
        app.extensions[_APPROVALS_KEY] = tuple(p for p in paragraphs if p)
    return app.extensions[_APPROVALS_KEY]


def license_line(details: LearnerDetails) -> str:
    """Profession and license as printed under the name, e.g. "LCSW · License 123 (CA)"."""
    license_text = " ".join(p for p in (details.license_type, details.license_number) if p)
    if license_text:
        license_text = f"License {license_text}"
        if details.license_state:
            license_text += f" ({details.license_state})"
    elif details.license_state:
        license_text = f"Licensed in {details.license_state}"
    return " · ".join(p for p in (details.profession, license_text) if p)


def long_date(moment: datetime) -> str:
    """A date as printed, the sponsor's day (CEENGINE_TIMEZONE): November 21, 2026."""
    return local_date(moment)


def verify_url(number: str) -> str:
    """The public verification address printed on the certificate and in its QR code."""
    return absolute_url("certificates.verify_number", number=number)


def certificate_data(
    attempt: Attempt, details: LearnerDetails, number: str, issued_hours: Decimal | None = None
) -> CertificateData:
    """Everything printed on the certificate for this attempt and these details."""
    version, config = attempt.version, current_app.config
    course = version.spec
    presenters = ", ".join(
        f"{p.name}, {p.credentials}" if p.credentials else p.name for p in course.presenters
    )
    return CertificateData(
        number=number,
        learner_name=details.full_name,
        license_line=license_line(details),
        course_title=version.title,
        presenters=presenters,
        ce_hours=format_hours(issued_hours if issued_hours is not None else version.ce_hours),
        course_format=course.format,
        completion_date=long_date(attempt.submitted_at),
        score=f"{attempt.correct} of {attempt.total} ({attempt.percent}%)",
        sponsor_name=config["SPONSOR_NAME"],
        sponsor_contact=config["SPONSOR_CONTACT"],
        verify_url=verify_url(number),
        administrator=config["CE_ADMINISTRATOR"],
        approvals=approval_statements(),
    )


def signed_certificate_pdf(data: CertificateData) -> bytes:
    """Render the certificate and sign it with the sponsor's key (kept in memory)."""
    config = current_app.config
    pdf = render_certificate(data, paper=config["CERTIFICATE_PAPER"])
    return sign_pdf(
        pdf,
        signing_identity(),
        reason=f"CE certificate {data.number}",
        location=config["SIGNING_LOCATION"],
        timestamp_url=config["TIMESTAMP_URL"],
    )
