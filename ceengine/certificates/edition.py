"""What a certificate says, gathered from the attempt, the learner and the sponsor's settings,
and what is made from it: the signed Open Badge credential and the signed PDF carrying it."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from flask import current_app

from ceengine.certificates.badge import (
    BadgeCredit,
    BadgeData,
    StatusEntry,
    achievement_credential,
    email_identity,
)
from ceengine.certificates.credentials import (
    email_salt,
    extension_context_url,
    sign,
    sponsor_issuer,
    status_list_url,
)
from ceengine.certificates.render import CertificateData, PrintedCredit, render_certificate
from ceengine.certificates.signing import Attachment, sign_pdf
from ceengine.certificates.signing_key import signing_identity
from ceengine.certificates.status_list import list_and_slot
from ceengine.columns import utcnow
from ceengine.courses.approvals import CourseCredits, Credit, course_credits
from ceengine.courses.services import current_sponsor
from ceengine.links import absolute_url, base_url
from ceengine.localtime import day_of, local_date
from ceengine.quizzes.models import Attempt
from ceengine.templating import format_hours

_SIGNATURE_KEY = "ceengine.administrator_signature"
_LOGO_KEY = "ceengine.sponsor_logo"


@dataclass(frozen=True)
class LearnerDetails:
    """What the learner typed on the details form, cleaned."""

    full_name: str
    email: str
    profession: str = ""
    license_type: str = ""
    license_number: str = ""
    license_state: str = ""
    attestation: str = ""  # the words the learner confirmed ("" before attestation existed)


def printed_credits(credits: Iterable[Credit], course_format: str) -> tuple[PrintedCredit, ...]:
    """Credits as the certificate prints (and stores) them."""
    sponsor_name = current_app.config["SPONSOR_NAME"]
    return tuple(
        PrintedCredit.from_printed(c.printed(sponsor_name, course_format)) for c in credits
    )


@dataclass(frozen=True)
class CreditPlan:
    """The accredited credit a certificate issued now would carry, and what is left off why."""

    standing: CourseCredits
    attestation: str

    @property
    def credits(self) -> tuple[Credit, ...]:
        """The approvals' credit the certificate carries."""
        return self.standing.in_force

    @property
    def left_off(self) -> tuple[tuple[Credit, str], ...]:
        """The claimed credit left off, each with the reason in words."""
        return self.standing.lapsed

    @property
    def not_approved_by(self) -> tuple[str, ...]:
        """The bodies that do not approve the course, by name."""
        return self.standing.not_approved_by

    @property
    def required_details(self) -> frozenset[str]:
        """The license details the approvals on the certificate require."""
        return self.standing.required_details

    def printed(self, course_format: str) -> tuple[PrintedCredit, ...]:
        """The credits as the certificate prints (and stores) them."""
        return printed_credits(self.credits, course_format)


def credit_plan(attempt: Attempt, now: datetime | None = None) -> CreditPlan:
    """The credit the attempt's course carries for a certificate issued at `now`: an approval
    counts only when in force both on the day the learner completed and on the day of issue."""
    sponsor = current_sponsor()
    course = attempt.version.spec
    standing = course_credits(
        sponsor,
        course.credit_claims,
        course.not_approved_by,
        day_of(attempt.submitted_at),
        day_of(now or utcnow()),
    )
    return CreditPlan(standing, sponsor.attestation)


def _configured_image(key: str, setting: str) -> bytes | None:
    """The image file a setting names, read once per app; None when unset."""
    app = current_app
    if key not in app.extensions:
        path = app.config.get(setting)
        app.extensions[key] = Path(path).read_bytes() if path else None
    return app.extensions[key]


def administrator_signature() -> bytes | None:
    """The CE administrator's signature image (CEENGINE_CE_ADMINISTRATOR_SIGNATURE), read once."""
    return _configured_image(_SIGNATURE_KEY, "CE_ADMINISTRATOR_SIGNATURE")


def sponsor_logo() -> bytes | None:
    """The sponsor's logo (CEENGINE_SPONSOR_LOGO), read once; None draws a monogram."""
    return _configured_image(_LOGO_KEY, "SPONSOR_LOGO")


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
    attempt: Attempt,
    details: LearnerDetails,
    number: str,
    credits: tuple[PrintedCredit, ...] = (),
    not_approved_by: tuple[str, ...] = (),
    issued_hours: Decimal | None = None,
) -> CertificateData:
    """Everything printed on the certificate for this attempt, these details and credits."""
    version, config = attempt.version, current_app.config
    course = version.spec
    presenters = ", ".join(p.byline for p in course.presenters)
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
        credits=credits,
        not_approved_by=not_approved_by,
        signature_png=administrator_signature(),
        logo=sponsor_logo(),
    )


def _badge_credit(credit: PrintedCredit) -> BadgeCredit:
    return BadgeCredit(
        body=credit.body,
        body_name=credit.body_name,
        body_url=credit.body_url or base_url(),
        provider=credit.provider,
        number=credit.number,
        period=credit.period,
        hours=credit.hours,
        credit_type=credit.credit_type,
        amount=credit.amount,
        statement=credit.statement,
    )


def badge_credential(
    attempt: Attempt,
    details: LearnerDetails,
    number: str,
    status_index: int,
    credits: tuple[PrintedCredit, ...] = (),
    not_approved_by: tuple[str, ...] = (),
) -> bytes:
    """The signed Open Badge credential of one certificate edition, as stored and embedded."""
    version = attempt.version
    course = version.spec
    list_number, slot = list_and_slot(status_index)
    data = BadgeData(
        credential_id=f"urn:uuid:{uuid.uuid4()}",
        issuer=sponsor_issuer(),
        number=number,
        verify_url=verify_url(number),
        achievement_id=absolute_url("courses.course", slug=version.course.slug),
        course_title=version.title,
        course_summary=version.summary,
        course_version=version.number,
        objectives=course.objectives,
        pass_percent=version.pass_threshold,
        course_format=course.format,
        presenters=tuple(p.byline for p in course.presenters),
        learner_name=details.full_name,
        email_identity=email_identity(details.email, email_salt()),
        profession=details.profession,
        license_type=details.license_type,
        license_number=details.license_number,
        license_state=details.license_state,
        completed_at=attempt.submitted_at,
        completed_on=long_date(attempt.submitted_at),
        score_percent=attempt.percent,
        ce_hours=version.ce_hours,
        credits=tuple(_badge_credit(c) for c in credits),
        not_approved_by=not_approved_by,
        status=StatusEntry(status_list_url(list_number), slot),
        extension_context=extension_context_url(),
    )
    credential = sign(achievement_credential(data))
    return json.dumps(credential, indent=2, ensure_ascii=False).encode()


def signed_certificate_pdf(data: CertificateData, credential: bytes | None = None) -> bytes:
    """Render the certificate and sign it with the sponsor's key (kept in memory), carrying
    the Open Badge credential as an embedded file the signature covers."""
    config = current_app.config
    pdf = render_certificate(data, paper=config["CERTIFICATE_PAPER"])
    attachments = ()
    if credential is not None:
        attachments = (
            Attachment(
                f"open-badge-{data.number}.json",
                credential,
                "application/json",
                f"Open Badges 3.0 credential for certificate {data.number}",
            ),
        )
    return sign_pdf(
        pdf,
        signing_identity(),
        reason=f"CE certificate {data.number}",
        location=config["SIGNING_LOCATION"],
        timestamp_url=config["TIMESTAMP_URL"],
        attachments=attachments,
    )
