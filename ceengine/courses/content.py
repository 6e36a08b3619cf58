"""A course version's content as typed, read-only values: what every other package reads.

The loader (`format.py`) stores a version's content as a JSON dict; `CourseContent.from_json`
turns it into these frozen dataclasses once. Each default below is written only here: the
loader uses it for a key the course file leaves out, and `from_json` for a key that a version
synced before the key existed does not have.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

DEFAULT_FORMAT = "Self-paced online (home study)"
DEFAULT_REFLECTION_PROMPT = "What insights did this session spark for you?"


def _known(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    """The stored keys that `cls` has a field for (absent ones take the field's default)."""
    names = {f.name for f in fields(cls)}
    return {key: value for key, value in data.items() if key in names}


@dataclass(frozen=True)
class QuizPolicy:
    """How the quiz is passed and retaken."""

    pass_threshold: int = 75
    max_attempts: int | None = None  # None: unlimited
    wait_minutes: int = 0
    shuffle: bool = False
    feedback: str = "after_pass"  # after_pass | none (older versions: full | right_wrong)
    minimum_minutes: int = 0  # 0: time on the course is recorded, not enforced


@dataclass(frozen=True)
class CertificateTerms:
    """What the certificate costs and which license details its form asks for."""

    fee_cents: int = 0
    currency: str = "usd"
    license_details: str = "none"  # none | optional | required


@dataclass(frozen=True)
class EvaluationSettings:
    """Whether learners evaluate the course before the certificate step."""

    required: bool = True


@dataclass(frozen=True)
class ReflectionSettings:
    """Whether the course page takes reflections, what it asks, and whether they wait."""

    enabled: bool = True
    prompt: str = DEFAULT_REFLECTION_PROMPT
    moderation: bool = True


@dataclass(frozen=True)
class CreditClaim:
    """One approval the course is approved under, with its hours and credit type."""

    approval: str
    hours: Decimal
    type: str = ""


@dataclass(frozen=True)
class Presenter:
    """One presenter as the course page and the certificate show them."""

    name: str
    credentials: str | None
    bio_html: str

    @property
    def byline(self) -> str:
        """The name as printed: "Ada Example, PhD, LCSW"."""
        return f"{self.name}, {self.credentials}" if self.credentials else self.name


@dataclass(frozen=True)
class Section:
    """One `## ` heading of a lesson: its address and title."""

    id: str
    title: str


@dataclass(frozen=True)
class Module:
    """One module (or the single lesson): its page blocks, rendered and cleaned at load.

    Each block is the loader's dict for one resource or HTML run, read by the
    `resource_block` macro.
    """

    slug: str
    title: str
    blocks: tuple[dict[str, Any], ...]
    sections: tuple[Section, ...]


@dataclass(frozen=True)
class CourseContent:
    """Everything one course version says about itself, as pages and services read it."""

    slug: str
    title: str
    summary: str
    description_html: str
    presenters: tuple[Presenter, ...]
    objectives: tuple[str, ...]
    ce_hours: Decimal
    level: str
    audience: str
    format: str
    certificate: CertificateTerms
    quiz_policy: QuizPolicy
    evaluation: EvaluationSettings
    reflections: ReflectionSettings
    references: tuple[str, ...]
    single_page: bool
    modules: tuple[Module, ...]
    credits: tuple[CreditClaim, ...] = ()
    not_approved_by: tuple[str, ...] = ()
    # Measured at sync for the credit estimate (versions synced before: empty, None).
    audio_seconds: dict[str, float] = field(default_factory=dict)  # seconds each file plays
    lesson_words: int | None = None
    ce_broker_course: str = ""  # CE Broker's course tracking number, without "20-"

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CourseContent:
        """The typed view of a stored content dict, with the defaults for keys it lacks."""
        return cls(
            slug=data["slug"],
            title=data["title"],
            summary=data["summary"],
            description_html=data["description_html"],
            presenters=tuple(
                Presenter(name=p["name"], credentials=p.get("credentials"), bio_html=p["bio_html"])
                for p in data["presenters"]
            ),
            objectives=tuple(data["objectives"]),
            ce_hours=Decimal(data["ce_hours"]),
            level=data["level"],
            audience=data["audience"],
            format=data.get("format") or DEFAULT_FORMAT,
            certificate=CertificateTerms(**_known(CertificateTerms, data["certificate"])),
            quiz_policy=QuizPolicy(**_known(QuizPolicy, data["quiz_policy"])),
            evaluation=EvaluationSettings(**_known(EvaluationSettings, data.get("evaluation", {}))),
            reflections=ReflectionSettings(
                **_known(ReflectionSettings, data.get("reflections", {}))
            ),
            references=tuple(data.get("references", ())),
            single_page=data["single_page"],
            modules=tuple(
                Module(
                    slug=m["slug"],
                    title=m["title"],
                    blocks=tuple(m["blocks"]),
                    sections=tuple(Section(id=s["id"], title=s["title"]) for s in m["sections"]),
                )
                for m in data["modules"]
            ),
            credits=tuple(
                CreditClaim(c["approval"], Decimal(c["hours"]), c.get("type", ""))
                for c in data.get("credits", ())
            ),
            not_approved_by=tuple(data.get("not_approved_by", ())),
            audio_seconds=dict(data.get("audio_seconds", {})),
            lesson_words=data.get("lesson_words"),
            ce_broker_course=data.get("ce_broker_course", ""),
        )

    @property
    def credit_claims(self) -> tuple[tuple[str, Decimal, str], ...]:
        """The claims as `approvals.course_credits` takes them."""
        return tuple((c.approval, c.hours, c.type) for c in self.credits)

    def module(self, slug: str) -> Module | None:
        """The module whose address is `slug`, or None."""
        return next((m for m in self.modules if m.slug == slug), None)
