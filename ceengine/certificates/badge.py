"""The Open Badges 3.0 credential issued with every certificate edition (an
`OpenBadgeCredential`, W3C Verifiable Credentials 2.0), before it is signed, and the learner's
email as OB 3.0's salted-hash identity. Pure code: no Flask, no database.

Where OB 3.0 has a field, it is used: `achievement` (name, description, criteria,
`creditsAvailable`, `alignment` to each approving body, `resultDescription` for the pass mark),
`creditsEarned`, `activityEndDate`, `licenseNumber`, `result`, `identifier`. What it has not —
the credit per approval, the presenters, the license type and state, the certificate number —
is in our extension context (`contexts/ceengine-ce-v1.jsonld`, documented in
docs/credentials.md).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from ceengine.certificates.proofs import xsd_datetime

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CE_CONTEXT_FILE = "ceengine-ce-v1.jsonld"  # served by the sponsor: see docs/credentials.md
CREDENTIAL_TYPES = ["VerifiableCredential", "OpenBadgeCredential"]


def json_number(value: Decimal) -> int | float:
    """Hours as a JSON number: 1 as 1, never 1.0 — JSON-LD reads 1.0 as a double in Python and
    as an integer in JavaScript, and the two would canonicalize (and so sign) differently."""
    return int(value) if value == value.to_integral_value() else float(value)


@dataclass(frozen=True)
class Issuer:
    """The sponsor as the credential's issuer: its DID, name, web site and email."""

    id: str
    name: str
    url: str
    email: str

    def profile(self) -> dict:
        """OB 3.0's issuer Profile."""
        return {
            "id": self.id,
            "type": ["Profile"],
            "name": self.name,
            "url": self.url,
            "email": self.email,
        }


@dataclass(frozen=True)
class BadgeCredit:
    """One approving body's credit, as printed on the certificate."""

    body: str  # the key in BODIES ("apa", "aswb-ace", … "other")
    body_name: str
    body_url: str
    provider: str
    number: str
    period: str
    hours: str  # a decimal, "1.5"
    credit_type: str
    amount: str  # as printed: "1.5 CE credits (clinical)"
    statement: str

    def alignment(self) -> dict:
        """OB 3.0's Alignment: the approval the credit rests on."""
        alignment = {
            "type": ["Alignment"],
            "targetName": f"{self.body_name} approval of {self.provider}",
            "targetUrl": self.body_url,
            "targetType": "ext:CEApproval",
            "targetFramework": self.body_name,
            "targetDescription": self.statement,
        }
        if self.number:
            alignment["targetCode"] = self.number
        return alignment

    def extension(self) -> dict:
        """The credit as our extension context describes it (`ce:CECredit`)."""
        credit = {
            "type": "CECredit",
            "approvingBody": self.body_name,
            "provider": self.provider,
            "creditHours": json_number(Decimal(self.hours)) if self.hours else None,
            "creditType": self.credit_type,
            "creditAmount": self.amount,
            "providerNumber": self.number,
            "approvalPeriod": self.period,
            "approvalStatement": self.statement,
        }
        return {k: v for k, v in credit.items() if v not in (None, "")}


@dataclass(frozen=True)
class StatusEntry:
    """Where the credential's revocation bit lives: a Bitstring Status List and an index."""

    list_url: str
    index: int

    def entry(self) -> dict:
        """The credential's `credentialStatus`."""
        return {
            "id": f"{self.list_url}#{self.index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(self.index),
            "statusListCredential": self.list_url,
        }


@dataclass(frozen=True)
class BadgeData:
    """Everything the credential says, gathered with the certificate's own data."""

    credential_id: str
    issuer: Issuer
    number: str
    verify_url: str
    achievement_id: str
    course_title: str
    course_summary: str
    course_version: int
    objectives: tuple[str, ...]
    pass_percent: int
    course_format: str
    presenters: tuple[str, ...]
    learner_name: str
    email_identity: dict
    profession: str
    license_type: str
    license_number: str
    license_state: str
    completed_at: datetime
    completed_on: str  # the sponsor's day, as printed: December 2, 2026
    score_percent: int
    ce_hours: Decimal
    credits: tuple[BadgeCredit, ...]
    not_approved_by: tuple[str, ...]
    status: StatusEntry
    extension_context: str  # the URL the sponsor serves contexts/ceengine-ce-v1.jsonld at


def email_identity(email: str, salt: str) -> dict:
    """OB 3.0's IdentityObject for an email address: "sha256$" + SHA-256(address + salt), the
    address exactly as printed on the certificate (OB 3.0 hashes the value as given).

    A verifier who is given the address checks it; nobody reads it off the credential.
    """
    digest = hashlib.sha256((email.strip() + salt).encode()).hexdigest()
    return {
        "type": "IdentityObject",
        "identityHash": f"sha256${digest}",
        "identityType": "emailAddress",
        "hashed": True,
        "salt": salt,
    }


def _criteria(data: BadgeData) -> str:
    lines = [
        f"Complete the course and pass its post-test with a score of at least {data.pass_percent}%."
    ]
    if data.objectives:
        lines += ["", "Learning objectives:", *(f"- {o}" for o in data.objectives)]
    return "\n".join(lines)


def _achievement(data: BadgeData) -> dict:
    result_id = f"{data.achievement_id}#post-test"
    achievement = {
        "id": data.achievement_id,
        "type": ["Achievement"],
        "achievementType": "Course",
        "name": data.course_title,
        "description": data.course_summary or data.course_title,
        "criteria": {"narrative": _criteria(data)},
        "creditsAvailable": json_number(data.ce_hours),
        "inLanguage": "en",
        "version": str(data.course_version),
        "resultDescription": [
            {
                "id": result_id,
                "type": ["ResultDescription"],
                "name": "Post-test score",
                "resultType": "Percent",
                "requiredValue": str(data.pass_percent),
            }
        ],
        "deliveryFormat": data.course_format,
        "presenter": list(data.presenters),
    }
    if data.credits:
        achievement["alignment"] = [c.alignment() for c in data.credits]
    if data.not_approved_by:
        achievement["notApprovedBy"] = list(data.not_approved_by)
    return achievement


def _subject(data: BadgeData) -> dict:
    subject = {
        "type": ["AchievementSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "identityHash": data.learner_name,
                "identityType": "name",
                "hashed": False,
            },
            data.email_identity,
        ],
        "achievement": _achievement(data),
        "activityEndDate": xsd_datetime(data.completed_at),
        "creditsEarned": json_number(data.ce_hours),
        "result": [
            {
                "type": ["Result"],
                "resultDescription": f"{data.achievement_id}#post-test",
                "value": str(data.score_percent),
                "status": "Completed",
            }
        ],
        "certificateNumber": data.number,
        "ceCredit": [c.extension() for c in data.credits],
    }
    details = {
        "licenseNumber": data.license_number,
        "licenseType": data.license_type,
        "licenseState": data.license_state,
        "profession": data.profession,
    }
    subject.update({k: v for k, v in details.items() if v})
    if not subject["ceCredit"]:
        del subject["ceCredit"]
    return subject


def achievement_credential(data: BadgeData) -> dict:
    """The unsigned OpenBadgeCredential for one certificate edition."""
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT, data.extension_context],
        "id": data.credential_id,
        "type": CREDENTIAL_TYPES,
        "name": f"{data.course_title}: continuing education certificate {data.number}",
        "description": (
            f"{data.learner_name} completed {data.course_title} on {data.completed_on} "
            f"({data.issuer.name})."
        ),
        "issuer": data.issuer.profile(),
        "validFrom": xsd_datetime(data.completed_at),
        "credentialSubject": _subject(data),
        "credentialStatus": data.status.entry(),
        "evidence": [
            {
                "id": data.verify_url,
                "type": ["Evidence"],
                "name": f"Certificate {data.number} on the sponsor's verification page",
            }
        ],
    }


# Bounds on a credential someone hands us before any JSON-LD processing: canonicalizing costs
# grow fast with look-alike blank nodes, so only the shapes we issue are canonicalized.
_MAX_OBJECTS, _MAX_DEPTH = 200, 12


def shape_problem(document: dict, extension_context: str) -> str | None:
    """Why a credential is not shaped as ours (None: it is), judged without JSON-LD."""
    if document.get("@context") != [VC_CONTEXT, OB_CONTEXT, extension_context]:
        return "It uses JSON-LD contexts other than the ones this sponsor's credentials use."
    objects = 0
    stack: list[tuple[object, int]] = [(document, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > _MAX_DEPTH:
            return "It is nested more deeply than any credential we issue."
        if isinstance(value, dict):
            objects += 1
            if any(k.startswith("@") and (k != "@context" or depth) for k in value):
                return "It uses JSON-LD keywords that our credentials never use."
            if any(isinstance(value.get(k), str) and value[k].startswith("_:") for k in ("id",)):
                return "It names blank nodes, which our credentials never do."
            stack.extend((v, depth + 1) for k, v in value.items() if k != "@context")
        elif isinstance(value, list):
            if len({repr(v) for v in value}) != len(value):
                return "It repeats an item in a list, which our credentials never do."
            stack.extend((v, depth + 1) for v in value)
        if objects > _MAX_OBJECTS:
            return "It is larger than any credential we issue."
    return None
