"""Certificates: make the first edition, find, revoke, reissue, check an uploaded PDF."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, replace
from datetime import datetime

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from sqlalchemy.exc import IntegrityError

from ceengine.audit import trail as audit
from ceengine.certificates.credentials import new_status_index
from ceengine.certificates.edition import (
    LearnerDetails,
    badge_credential,
    certificate_data,
    credit_plan,
    signed_certificate_pdf,
)
from ceengine.certificates.mail import send_certificate_link, send_correction, send_revocation
from ceengine.certificates.models import REVOKED, SUPERSEDED, VALID, Certificate
from ceengine.certificates.numbers import new_certificate_number, normalize_certificate_number
from ceengine.certificates.render import PrintedCredit
from ceengine.certificates.signals import certificate_changed
from ceengine.certificates.signing import check_signature
from ceengine.certificates.signing_key import signing_identity
from ceengine.certificates.totals import count_issue
from ceengine.columns import utcnow
from ceengine.courses.approvals import body_name
from ceengine.extensions import db
from ceengine.learners.models import Learner
from ceengine.outbox.queue import QUEUED, Outcome
from ceengine.quizzes.models import Attempt
from ceengine.text import (
    FULL_NAME_MAX,
    clean_text,
    email_key,
    is_jurisdiction,
    is_license_number,
    is_printable,
)


class CertificateError(Exception):
    """A certificate request that cannot be met; the message is for a person."""


class NotEligible(CertificateError):
    """Only the learner who passed an attempt gets its certificate."""


class CannotChange(CertificateError):
    """A revoke or reissue that the certificate's status does not allow."""


class NoLongerValid(CannotChange):
    """The certificate is already revoked or superseded (another tab or admin was first)."""


def fee_cents(attempt: Attempt) -> int:
    """The certificate fee of the course version the attempt was taken on."""
    return attempt.version.spec.certificate.fee_cents


def check_eligible(attempt: Attempt, learner: Learner | None) -> None:
    """Raise NotEligible unless this is the learner who passed the attempt."""
    if learner is None or attempt.learner_id != learner.id or not attempt.passed:
        raise NotEligible("A certificate is only issued to the learner who passed the quiz.")


def latest_certificate(attempt: Attempt) -> Certificate | None:
    """The newest edition of the certificate for an attempt, if one was issued."""
    return db.session.scalar(
        sa.select(Certificate)
        .where(Certificate.attempt_id == attempt.id)
        .order_by(Certificate.edition.desc())
        .limit(1)
    )


def _new_certificate(
    attempt: Attempt,
    details: LearnerDetails,
    edition: int,
    credits: tuple[PrintedCredit, ...],
    not_approved_by: tuple[str, ...],
    attested_at: datetime | None,
) -> Certificate:
    """Render, sign and build (not yet stored) one edition of the certificate."""
    number = new_certificate_number()
    status_index = new_status_index()
    credential = badge_credential(attempt, details, number, status_index, credits, not_approved_by)
    data = certificate_data(attempt, details, number, credits, not_approved_by)
    pdf = signed_certificate_pdf(data, credential)
    return Certificate(
        number=number,
        attempt_id=attempt.id,
        edition=edition,
        learner_id=attempt.learner_id,
        course_id=attempt.course_id,
        version_id=attempt.version_id,
        full_name=details.full_name,
        email=details.email,
        email_key=email_key(details.email),
        profession=details.profession,
        license_type=details.license_type,
        license_number=details.license_number,
        license_state=details.license_state,
        course_title=attempt.version.title,
        ce_hours=attempt.version.ce_hours,
        completed_at=attempt.submitted_at,
        score_percent=attempt.percent,
        credits=[{**asdict(c)} for c in credits],
        attestation=details.attestation,
        attested_at=attested_at if details.attestation else None,
        pdf=pdf,
        pdf_sha256=hashlib.sha256(pdf).hexdigest(),
        credential=credential.decode(),
        status_index=status_index,
    )


def add_first_edition(
    attempt: Attempt, details: LearnerDetails, confirmed_at: datetime | None = None
) -> Certificate:
    """Render, sign and add the first edition of a passed attempt's certificate, flushed in the
    caller's transaction, which commits it with what goes with it (ceengine/completion/).

    `confirmed_at` is when the learner confirmed the details and the attestation (default:
    now; for a paid certificate, when they went to pay). It carries the credit of each
    approval in force on the completion day and on that day: what the learner was shown.
    Raises IntegrityError when a twin request added it first or the new number is taken; the
    caller rolls back.
    """
    confirmed_at = confirmed_at or utcnow()
    plan = credit_plan(attempt, confirmed_at)
    course_format = attempt.version.spec.format
    certificate = _new_certificate(
        attempt,
        details,
        1,
        plan.printed(course_format),
        plan.not_approved_by,
        confirmed_at,
    )
    db.session.add(certificate)
    db.session.flush()
    count_issue(certificate)  # the overview's totals, in the same transaction
    certificate_changed.send(certificate)
    return certificate


def find_certificate(number: str) -> Certificate | None:
    """The certificate with this number, however it was typed; None when there is none."""
    canonical = normalize_certificate_number(number)
    if canonical is None:
        return None
    return db.session.scalar(sa.select(Certificate).where(Certificate.number == canonical))


# Built once: re-downloads are the hottest path, and building a statement costs as much as
# running it.
_STORED_PDF = sa.select(
    Certificate.number, Certificate.status, Certificate.pdf_sha256, Certificate.pdf
).where(Certificate.number == sa.bindparam("number"))


_STORED_PDF_TAG = sa.select(Certificate.number, Certificate.status, Certificate.pdf_sha256).where(
    Certificate.number == sa.bindparam("number")
)


def stored_pdf(number: str) -> sa.Row | None:
    """(number, status, pdf_sha256, pdf) of a certificate: the download's one light query."""
    return db.session.execute(_STORED_PDF, {"number": number}).first()


def stored_pdf_tag(number: str) -> sa.Row | None:
    """(number, status, pdf_sha256) of a certificate, without the PDF: enough to answer a
    repeat download with 304 Not Modified."""
    return db.session.execute(_STORED_PDF_TAG, {"number": number}).first()


def learner_details_on_file(learner_id: int) -> dict[str, str]:
    """The details on this learner's latest certificate, to fill in the next form."""
    latest = db.session.scalar(
        sa.select(Certificate)
        .where(Certificate.learner_id == learner_id)
        .order_by(Certificate.issued_at.desc())
        .limit(1)
    )
    if latest is None:
        return {}
    return {
        name: getattr(latest, name)
        for name in (
            "full_name",
            "email",
            "profession",
            "license_type",
            "license_number",
            "license_state",
        )
    }


def certificates_for_email(address: str) -> list[Certificate]:
    """Every certificate issued to an address, newest first (the learner's transcript)."""
    return list(
        db.session.scalars(
            sa.select(Certificate)
            .where(Certificate.email_key == email_key(address))
            .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
        )
    )


def _certificate_or_error(number: str) -> Certificate:
    certificate = find_certificate(number)
    if certificate is None:
        raise CannotChange(f"No certificate has the number {number}.")
    return certificate


def revoke_certificate(number: str, reason: str, *, email_learner: bool = False) -> Certificate:
    """Revoke a valid certificate; its verify page then says Revoked, with the reason. With
    `email_learner`, the email telling the learner why is queued in the same transaction."""
    certificate = _certificate_or_error(number)
    if not reason.strip():
        raise CannotChange("Give a reason: it is shown on the verification page.")
    if certificate.status != VALID:
        raise NoLongerValid(f"Certificate {certificate.number} is already {certificate.status}.")
    # The database decides between admins (or tabs) acting at once: only the update that
    # still finds the certificate valid changes it.
    revoked = db.session.execute(
        sa.update(Certificate)
        .where(Certificate.id == certificate.id, Certificate.status == VALID)
        .values(status=REVOKED, revoked_at=utcnow(), revoked_reason=clean_text(reason))
    )
    if revoked.rowcount != 1:
        raise _lost_the_race(certificate)
    audit.record(
        "certificate_revoked",
        certificate.number,
        reason=clean_text(reason),
        before={"status": VALID},
        after={"status": REVOKED},
    )
    certificate_changed.send(certificate)
    if email_learner:
        send_revocation(certificate, clean_text(reason))
    db.session.commit()
    return certificate


def _lost_the_race(certificate: Certificate) -> CertificateError:
    """Undo this change; say what the other admin (or tab) made of the certificate first."""
    db.session.rollback()
    db.session.refresh(certificate)
    if certificate.status == VALID:  # not a race after all (a clash of new numbers)
        return CertificateError("The certificate could not be changed. Please try again.")
    return NoLongerValid(
        f"Certificate {certificate.number} is {certificate.status}: nothing was changed."
    )


# The printed learner details a reissue may correct, with their longest stored length.
CORRECTABLE = {"profession": 120, "license_type": 80, "license_number": 60, "license_state": 60}


def _checked_details(old: Certificate, corrections: dict[str, str | None]) -> LearnerDetails:
    """The old certificate's details with the corrections (None: keep) applied and checked by
    the rules of the learner's own details form; raises CannotChange with the reason."""
    full_name = clean_text(corrections.pop("full_name", None)) or None
    if full_name is not None and (len(full_name) > FULL_NAME_MAX or not is_printable(full_name)):
        raise CannotChange(
            f"The new name must be printable text of at most {FULL_NAME_MAX} characters."
        )
    email = clean_text(corrections.pop("email", None)) or None
    if email is not None:
        try:
            email = validate_email(
                email, check_deliverability=False, allow_smtputf8=False
            ).normalized
        except EmailNotValidError as error:
            raise CannotChange("Enter an email address like name@example.org.") from error
    details = LearnerDetails(
        full_name or old.full_name,
        email or old.email,
        old.profession,
        old.license_type,
        old.license_number,
        old.license_state,
        old.attestation,
    )
    changes = {}
    for name, value in corrections.items():
        if value is None:
            continue
        value = clean_text(value)
        if len(value) > CORRECTABLE[name] or not is_printable(value):
            raise CannotChange(f"The {name.replace('_', ' ')} must be printable text.")
        changes[name] = value
    if changes.get("license_number") and not is_license_number(changes["license_number"]):
        raise CannotChange("The license number must be letters and digits, like LCSW 12345.")
    if changes.get("license_state") and not is_jurisdiction(changes["license_state"]):
        raise CannotChange("The license state must be a name or code in letters, like CA.")
    return replace(details, **changes)


def reissue_certificate(
    number: str,
    full_name: str | None = None,
    email: str | None = None,
    reason: str = "",
    *,
    profession: str | None = None,
    license_type: str | None = None,
    license_number: str | None = None,
    license_state: str | None = None,
    email_learner: bool = False,
) -> Certificate:
    """A new certificate (new number, new PDF) replacing a valid one, which becomes Superseded.

    Any printed learner detail may be corrected (None keeps it; "" clears a license detail).
    Of several reissues or revocations at once, one wins; the others raise NoLongerValid.
    The audit trail keeps the reason and the printed details before and after; with
    `email_learner`, the email saying what changed and why, with the new certificate's link,
    is queued in the same transaction.
    """
    old = _certificate_or_error(number)
    if old.status != VALID:
        raise NoLongerValid(
            f"Certificate {old.number} is {old.status}; only a valid certificate can be reissued."
        )
    details = _checked_details(
        old,
        {
            "full_name": full_name,
            "email": email,
            "profession": profession,
            "license_type": license_type,
            "license_number": license_number,
            "license_state": license_state,
        },
    )
    # The credit stays what was earned and printed: a reissue corrects the learner's details.
    credits = tuple(PrintedCredit.from_printed(c) for c in old.credits or ())
    new = _new_certificate(
        old.attempt,
        details,
        old.edition + 1,
        credits,
        tuple(body_name(b) for b in old.version.spec.not_approved_by),
        old.attested_at,
    )
    new.ce_broker_reported_at = old.ce_broker_reported_at  # the same completion
    db.session.add(new)
    try:
        db.session.flush()  # (attempt, edition) is unique: a twin reissue fails here
    except IntegrityError:
        raise _lost_the_race(old) from None
    superseded = db.session.execute(
        sa.update(Certificate)
        .where(Certificate.id == old.id, Certificate.status == VALID)
        .values(status=SUPERSEDED, superseded_by_id=new.id)
    )
    if superseded.rowcount != 1:  # revoked meanwhile
        raise _lost_the_race(old)
    before, after = _printed_details(old), _printed_details(new)
    audit.record(
        "certificate_reissued",
        old.number,
        reason=clean_text(reason),
        before={"number": old.number, **before},
        after={"number": new.number, **after},
    )
    certificate_changed.send(new)
    if email_learner:
        changed = [
            (name, before[name], after[name]) for name in before if before[name] != after[name]
        ]
        send_correction(old, new, changed, clean_text(reason))
    db.session.commit()
    return new


def resend_certificate_email(number: str, key: str) -> Outcome:
    """Email a valid certificate's link (and PDF) to its learner again, once per `key` (the
    console form's one-time key: a double click sends one), noted in the audit trail."""
    certificate = _certificate_or_error(number)
    if certificate.status != VALID:
        raise NoLongerValid(
            f"Certificate {certificate.number} is {certificate.status}: "
            "only a valid certificate's email can be sent again."
        )
    outcome = send_certificate_link(
        certificate, commit=False, key=f"certificate-resend:{certificate.number}:{key}"
    )
    if outcome.status == QUEUED:
        audit.record(
            "certificate_email_resent", certificate.number, after={"email": certificate.email}
        )
    db.session.commit()
    return outcome


def _printed_details(certificate: Certificate) -> dict[str, str]:
    """The learner's details as the certificate prints them (and its email), for the trail."""
    return {
        "full_name": certificate.full_name,
        "email": certificate.email,
        "profession": certificate.profession or "",
        "license_type": certificate.license_type or "",
        "license_number": certificate.license_number or "",
        "license_state": certificate.license_state or "",
    }


def current_edition(certificate: Certificate) -> Certificate:
    """Follow `superseded_by` to the certificate that replaces this one now."""
    seen = {certificate.id}
    while certificate.superseded_by is not None and certificate.superseded_by.id not in seen:
        certificate = certificate.superseded_by
        seen.add(certificate.id)
    return certificate


@dataclass(frozen=True)
class FileCheck:
    """What checking an uploaded certificate PDF found; `problem` is None when authentic."""

    certificate: Certificate | None
    problem: str | None
    signed_by: str | None = None
    signer_name: str | None = None
    signed_at: datetime | None = None


def check_certificate_file(pdf: bytes) -> FileCheck:
    """Is this PDF a certificate we issued, signed by us and unchanged since?

    Bounded in time and memory whatever the file: see `check_signature`. A file that is byte
    for byte one we issued is authentic even when an earlier signing key signed it.
    """
    signature = check_signature(pdf, signing_identity())
    digest = hashlib.sha256(pdf).hexdigest()
    stored = db.session.scalar(sa.select(Certificate).where(Certificate.pdf_sha256 == digest))
    found = (signature.signed_by, signature.signer_name, signature.signed_at)
    if stored is not None:
        return FileCheck(stored, None, *found)
    if signature.problem is not None:
        return FileCheck(None, signature.problem, *found)
    return FileCheck(
        None,
        "The signature is genuine, but no certificate we issued has exactly these contents.",
        *found,
    )
