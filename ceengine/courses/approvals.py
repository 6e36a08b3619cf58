"""Accreditation as data: the bodies we know, the sponsor's approvals, and the credit a course
carries on a given day.

Pure: no Flask, no database. `sponsorfile.py` reads `courses/sponsor.yaml` into these values;
the certificate, the course pages and the details form ask `course_credits` what a course is
approved for today. Each body's wording and guidance is cited in docs/accreditation.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

LICENSE_DETAILS = ("license_type", "license_number", "license_state")
DEFAULT_ATTESTATION = "I completed this course myself, including the post-test."


@dataclass(frozen=True)
class Guidance:
    """A body's published post-test guidance, which `courses check` warns against."""

    min_pass: int | None = None
    items_per_hour: tuple[int, int] | None = None
    true_false_per_hour: int | None = None  # at most this many true/false items per hour
    source: str = ""
    item_source: str = ""


@dataclass(frozen=True)
class Body:
    """An accrediting body: its name, its statement template and what its certificates need.

    The statement's placeholders: {provider} {number} {body} {start} {end}.
    """

    key: str
    name: str
    short: str
    statement: str
    credit_label: str
    professions: tuple[str, ...]
    needs_number: bool = False
    needs_period: bool = False
    requires: tuple[str, ...] = ()
    guidance: Guidance = field(default_factory=Guidance)
    url: str = ""  # the body's page on its approvals (an Open Badge credential aligns to it)


BODIES: dict[str, Body] = {
    body.key: body
    for body in (
        Body(
            key="apa",
            url="https://www.apa.org/about/offices/ce/sponsors",
            name="American Psychological Association",
            short="APA",
            statement=(
                "{provider} is approved by the American Psychological Association to sponsor "
                "continuing education for psychologists. {provider} maintains responsibility "
                "for this program and its content."
            ),
            credit_label="CE credits",
            professions=("psychologists",),
            guidance=Guidance(
                min_pass=75,
                items_per_hour=(6, 8),
                true_false_per_hour=1,
                source="APA CE Sponsor Approval System FAQ (home study)",
                item_source="a state association's home-study FAQ for APA sponsors",
            ),
        ),
        Body(
            key="aswb-ace",
            url="https://www.aswb.org/ace/",
            name="Association of Social Work Boards (ASWB) Approved Continuing Education (ACE)",
            short="ASWB ACE",
            statement=(
                "{provider}, provider #{number}, is approved as an ACE provider to offer social "
                "work continuing education by the Association of Social Work Boards (ASWB) "
                "Approved Continuing Education (ACE) program. Regulatory boards are the final "
                "authority on courses accepted for continuing education credit. ACE provider "
                "approval period: {start}–{end}."
            ),
            credit_label="continuing education hours",
            professions=("social workers",),
            needs_number=True,
            needs_period=True,
        ),
        Body(
            key="nbcc",
            url="https://www.nbcc.org/",
            name="National Board for Certified Counselors (NBCC)",
            short="NBCC",
            statement=(
                "{provider} has been approved by NBCC as an Approved Continuing Education "
                "Provider, ACEP No. {number}. Programs that do not qualify for NBCC credit are "
                "clearly identified. {provider} is solely responsible for all aspects of the "
                "programs."
            ),
            credit_label="NBCC CE clock hours",
            professions=("counselors",),
            needs_number=True,
        ),
        Body(
            key="ca-bbs",
            url="https://www.bbs.ca.gov/",
            name="California Board of Behavioral Sciences",
            short="California BBS",
            statement=(
                "{provider} is an entity recognized by the California Board of Behavioral "
                "Sciences to provide continuing education pursuant to Section 1887.4.3 of "
                "Title 16 of the California Code of Regulations."
            ),
            credit_label="CE hours",
            professions=("marriage and family therapists", "social workers", "counselors"),
            requires=("license_type", "license_number"),
        ),
        Body(
            key="other",
            name="",
            short="",
            statement=(
                "{provider} is approved by the {body} to offer continuing education, "
                "provider #{number}."
            ),
            credit_label="CE hours",
            professions=(),
        ),
    )
}


def long_date(day: date) -> str:
    """A date as printed: November 21, 2026."""
    return f"{day:%B} {day.day}, {day.year}"


@dataclass(frozen=True)
class Approval:
    """One approval the sponsor holds: a body, a provider number, a period, a statement."""

    id: str
    body: str
    body_name: str
    provider: str
    number: str
    starts: date | None
    ends: date | None
    credit_label: str
    statement_template: str
    requires: tuple[str, ...]
    professions: tuple[str, ...]

    @property
    def spec(self) -> Body:
        """The body's entry in BODIES."""
        return BODIES[self.body]

    @property
    def short(self) -> str:
        """How pages name the body in a list: APA, ASWB ACE, or the body's own name."""
        return self.spec.short or self.body_name

    @property
    def catalog_key(self) -> str:
        """How the catalog's 'Approved by' filter names it: the body (apa, aswb-ace, ...), or
        for an `other` body, the approval's own id (two state boards are two choices)."""
        return self.id if self.body == "other" else self.body

    def period(self) -> str:
        """The approval period as printed, or '' when it has none."""
        if self.starts and self.ends:
            return f"{long_date(self.starts)}–{long_date(self.ends)}"
        return ""

    def in_force_on(self, day: date) -> bool:
        """Whether the approval covers `day`."""
        return (self.starts is None or self.starts <= day) and (
            self.ends is None or day <= self.ends
        )

    def lapse_reason(self, day: date) -> str:
        """Why the approval does not cover `day`, in words for a learner."""
        if self.ends is not None and day > self.ends:
            return f"the sponsor's {self.short} approval ended on {long_date(self.ends)}"
        if self.starts is not None:
            return f"the sponsor's {self.short} approval starts on {long_date(self.starts)}"
        return f"the sponsor's {self.short} approval is not in force"

    def statement_for(self, sponsor_name: str) -> str:
        """The approval statement with the provider, number and period filled in."""
        template = self.statement_template
        if not self.number:  # never "provider #." on a certificate
            template = template.replace(", provider #{number}", "")
        return template.format(
            provider=self.provider or sponsor_name,
            number=self.number,
            body=self.body_name,
            start=long_date(self.starts) if self.starts else "",
            end=long_date(self.ends) if self.ends else "",
        )

    def to_json(self) -> dict[str, Any]:
        """The stored form (dates as ISO text)."""
        return {
            "id": self.id,
            "body": self.body,
            "body_name": self.body_name,
            "provider": self.provider,
            "number": self.number,
            "starts": self.starts.isoformat() if self.starts else None,
            "ends": self.ends.isoformat() if self.ends else None,
            "credit_label": self.credit_label,
            "statement_template": self.statement_template,
            "requires": list(self.requires),
            "professions": list(self.professions),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Approval:
        """The approval from its stored form."""
        return cls(
            id=data["id"],
            body=data["body"],
            body_name=data["body_name"],
            provider=data.get("provider", ""),
            number=data.get("number", ""),
            starts=date.fromisoformat(data["starts"]) if data.get("starts") else None,
            ends=date.fromisoformat(data["ends"]) if data.get("ends") else None,
            credit_label=data["credit_label"],
            statement_template=data["statement_template"],
            requires=tuple(data.get("requires", ())),
            professions=tuple(data.get("professions", ())),
        )


@dataclass(frozen=True)
class CeBroker:
    """How the sponsor reports Florida completions to CE Broker: its provider tracking number
    (without "50-") and the CE Broker profession code of each license type learners write."""

    provider_number: str
    professions: tuple[tuple[str, str], ...] = ()  # (license type lower-cased, code)

    def profession_code(self, license_type: str) -> str | None:
        """The CE Broker profession code for a license type as typed (any case), or None."""
        wanted = " ".join(license_type.split()).lower()
        return next((code for kind, code in self.professions if kind == wanted), None)

    def to_json(self) -> dict[str, Any]:
        """The stored form."""
        return {
            "provider_number": self.provider_number,
            "professions": {kind: code for kind, code in self.professions},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> CeBroker | None:
        """The settings from their stored form (None: the sponsor does not report to CE Broker)."""
        if not data:
            return None
        return cls(data["provider_number"], tuple(data.get("professions", {}).items()))


@dataclass(frozen=True)
class Sponsor:
    """What sponsor.yaml says: the approvals, the attestation learners confirm, and how
    completions are reported to CE Broker (None: they are not)."""

    approvals: tuple[Approval, ...] = ()
    attestation: str = DEFAULT_ATTESTATION
    ce_broker: CeBroker | None = None

    def approval(self, approval_id: str) -> Approval | None:
        """The approval with this id, or None."""
        return next((a for a in self.approvals if a.id == approval_id), None)

    def to_json(self) -> dict[str, Any]:
        """The stored form."""
        return {
            "approvals": [a.to_json() for a in self.approvals],
            "attestation": self.attestation,
            "ce_broker": self.ce_broker.to_json() if self.ce_broker else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Sponsor:
        """The sponsor from its stored form (None: no sponsor file was ever synced)."""
        if not data:
            return cls()
        return cls(
            approvals=tuple(Approval.from_json(a) for a in data.get("approvals", ())),
            attestation=data.get("attestation") or DEFAULT_ATTESTATION,
            ce_broker=CeBroker.from_json(data.get("ce_broker")),  # absent before CE Broker
        )


@dataclass(frozen=True)
class Credit:
    """The credit one approval gives a course: 2 continuing education hours, clinical."""

    approval: Approval
    hours: Decimal
    credit_type: str

    def amount(self) -> str:
        """The hours and label: '2 CE credits', '1 continuing education hour (clinical)'."""
        hours, label = f"{self.hours.normalize():f}", self.approval.credit_label
        if self.hours == 1 and label.endswith("s"):
            label = label[:-1]  # 1 CE credit, 1 continuing education hour
        text = f"{hours} {label}"
        return f"{text} ({self.credit_type})" if self.credit_type else text

    def printed(self, sponsor_name: str, course_format: str) -> dict[str, str]:
        """Everything the certificate prints for this credit, as stored with it."""
        approval = self.approval
        return {
            "body": approval.body,
            "body_url": approval.spec.url,
            "hours": f"{self.hours.normalize():f}",
            "credit_type": self.credit_type,
            "body_name": approval.body_name,
            "short": approval.short,
            "provider": approval.provider or sponsor_name,
            "number": approval.number,
            "period": approval.period(),
            "amount": self.amount(),
            "format": course_format,
            "statement": approval.statement_for(sponsor_name),
        }


@dataclass(frozen=True)
class CourseCredits:
    """What a course is approved for on one day: in force, lapsed (with why), and not."""

    in_force: tuple[Credit, ...]
    lapsed: tuple[tuple[Credit, str], ...]
    not_approved_by: tuple[str, ...]

    @property
    def required_details(self) -> frozenset[str]:
        """The license details that the approvals in force require on the certificate."""
        return frozenset(d for c in self.in_force for d in c.approval.requires)

    @property
    def professions(self) -> frozenset[str]:
        """The professions the credit in force is meant for."""
        return frozenset(p for c in self.in_force for p in c.approval.professions)


def body_name(key_or_name: str) -> str:
    """A `not_approved_by` entry as shown: a known body's name, else the text as written."""
    body = BODIES.get(key_or_name)
    return body.name if body and body.name else key_or_name


def course_credits(
    sponsor: Sponsor,
    claims: tuple[tuple[str, Decimal, str], ...],
    not_approved_by: tuple[str, ...],
    *days: date,
) -> CourseCredits:
    """The credit a course's claims (approval id, hours, type) give: an approval counts when
    in force on every one of `days` (a certificate: the completion day and the issue day).

    A claim naming an approval the sponsor no longer lists gives nothing: no page or
    certificate claims an approval that is not in the sponsor file.
    """
    in_force, lapsed = [], []
    for approval_id, hours, credit_type in claims:
        approval = sponsor.approval(approval_id)
        if approval is None:
            continue
        credit = Credit(approval, hours, credit_type)
        missed = next((day for day in days if not approval.in_force_on(day)), None)
        if missed is None:
            in_force.append(credit)
        else:
            lapsed.append((credit, approval.lapse_reason(missed)))
    return CourseCredits(
        tuple(in_force), tuple(lapsed), tuple(body_name(b) for b in not_approved_by)
    )
