"""What the public verification shows, as JSON for scripts (`GET /verify/<number>.json`)."""

from __future__ import annotations

from ceengine.certificates.credentials import status_list_url
from ceengine.certificates.edition import verify_url
from ceengine.certificates.models import REVOKED, SUPERSEDED, VALID, Certificate
from ceengine.certificates.proofs import xsd_datetime
from ceengine.certificates.status_list import list_and_slot
from ceengine.localtime import day_of


def certificate_json(certificate: Certificate, current: Certificate | None) -> dict:
    """A certificate's status and what it says, as the verification page shows them."""
    status = None
    if certificate.status_index is not None:
        list_number, slot = list_and_slot(certificate.status_index)
        status = {"statusListCredential": status_list_url(list_number), "statusListIndex": slot}
    return {
        "number": certificate.number,
        "status": certificate.status,
        "valid": certificate.status == VALID,
        "revoked": (
            {
                "on": day_of(certificate.revoked_at).isoformat(),
                "reason": certificate.revoked_reason,
            }
            if certificate.status == REVOKED
            else None
        ),
        "superseded_by": current.number if certificate.status == SUPERSEDED and current else None,
        "learner_name": certificate.full_name,
        "course_title": certificate.course_title,
        "ce_hours": f"{certificate.ce_hours.normalize():f}",
        "completed_on": day_of(certificate.completed_at).isoformat(),
        "completed_at": xsd_datetime(certificate.completed_at),
        "issued_on": day_of(certificate.issued_at).isoformat(),
        "credits": [
            {
                "body": credit.get("body_name", ""),
                "short": credit.get("short", ""),
                "amount": credit.get("amount", ""),
                "provider_number": credit.get("number", ""),
            }
            for credit in certificate.credits or ()
        ],
        "verify_url": verify_url(certificate.number),
        "credential_status": status,
    }
