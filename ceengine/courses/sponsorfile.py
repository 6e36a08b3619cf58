"""Reading `courses/sponsor.yaml` (the sponsor's approvals) and each course's `credit` claims,
and checking them against each other and against the bodies' post-test guidance."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from string import Formatter

from ceengine.courses.approvals import (
    BODIES,
    DEFAULT_ATTESTATION,
    LICENSE_DETAILS,
    Approval,
    Sponsor,
    body_name,
    long_date,
)
from ceengine.courses.cebrokerfile import read_ce_broker
from ceengine.courses.fields import MISSING, Fields
from ceengine.courses.problems import Problems
from ceengine.courses.yamlfile import YamlSyntaxError, load_yaml

SPONSOR_FILE = "sponsor.yaml"
SPONSOR_KEYS = {"attestation", "approvals", "ce_broker"}
APPROVAL_KEYS = {
    "id",
    "body",
    "body_name",
    "provider",
    "number",
    "approved_from",
    "approved_until",
    "credit_label",
    "statement",
    "requires",
    "professions",
}
CREDIT_KEYS = {"approval", "hours", "type"}
APPROVAL_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ENDING_SOON = timedelta(days=60)
KNOWN_PLACEHOLDERS = {"provider", "number", "body", "start", "end"}


@dataclass(frozen=True)
class SponsorSpec:
    """The sponsor file as read: what sync stores, and the hash that versions it."""

    sponsor: Sponsor
    content_hash: str

    @classmethod
    def empty(cls) -> SponsorSpec:
        """No sponsor file: no approval, the default attestation."""
        return cls(Sponsor(), hashlib.sha256(b"").hexdigest())


def _date(f: Fields, key: str) -> date | None:
    value = f.raw(key, required=False)
    if value is MISSING:
        return None
    if isinstance(value, datetime):
        f.error(key, f"{f.what}: '{key}' must be a date like 2026-01-31, without a time of day")
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    f.error(key, f"{f.what}: '{key}' must be a date written like 2026-01-31, not '{value}'")
    return None


def _statement(f: Fields, body_key: str) -> str:
    template = f.text("statement", required=False, max_length=1500)
    if template is None:
        return BODIES[body_key].statement if body_key in BODIES else ""
    try:
        fields = [
            (name, conversion, spec)
            for _, name, spec, conversion in Formatter().parse(template)
            if name is not None
        ]
    except ValueError:  # a lone { or }
        fields = [("{", None, "")]
    wrong = [
        name
        for name, conversion, spec in fields
        if name not in KNOWN_PLACEHOLDERS or conversion or spec
    ]
    if wrong:
        f.error(
            "statement",
            f"{f.what}: 'statement' may use only the placeholders "
            f"{{provider}} {{number}} {{body}} {{start}} {{end}}, written exactly so "
            f"(not '{{{wrong[0]}}}'); write braces of your own as {{{{ and }}}}",
        )
        return ""
    return " ".join(template.split())


def _requires(f: Fields, body_key: str) -> tuple[str, ...]:
    if "requires" not in f.data:
        return BODIES[body_key].requires if body_key in BODIES else ()
    chosen = f.texts("requires", required=False)
    for name in chosen:
        if name not in LICENSE_DETAILS:
            f.error(
                "requires",
                f"{f.what}: 'requires' lists learner details from "
                f"{', '.join(LICENSE_DETAILS)}, not '{name}'",
            )
    return tuple(n for n in LICENSE_DETAILS if n in chosen)


def _approval(entry: object, line: int, f_parent: Fields, today: date) -> Approval | None:
    problems, path = f_parent.problems, f_parent.path
    f = Fields(entry, path, problems, "approval", APPROVAL_KEYS, line=line)
    approval_id = f.text("id", max_length=60)
    if approval_id:
        f.what = f"approval '{approval_id}'"
        if not APPROVAL_ID.match(approval_id):
            f.error("id", f"{f.what}: 'id' must be lowercase letters, digits and hyphens")
    body_key = f.choice("body", tuple(BODIES), "")
    if "body" not in f.data:
        f.error(None, f"{f.what}: 'body' is required (one of {', '.join(BODIES)})")
    spec = BODIES.get(body_key)
    name = f.text("body_name", required=body_key == "other", max_length=200)
    number = f.text("number", required=bool(spec and spec.needs_number), max_length=40) or ""
    if spec and spec.needs_number and "number" in f.data and not number:
        f.error("number", f"{f.what}: 'number' is empty: give the provider number")
    starts, ends = _date(f, "approved_from"), _date(f, "approved_until")
    if spec and spec.needs_period and not (starts and ends):
        f.error(
            None,
            f"{f.what}: {spec.short} certificates print the approval period: "
            "give 'approved_from' and 'approved_until'",
        )
    if starts and ends and ends < starts:
        f.error("approved_until", f"{f.what}: 'approved_until' is before 'approved_from'")
    if ends is not None and approval_id:
        if ends < today:
            f.error(
                "approved_until",
                f"{f.what}: the approval ended on {long_date(ends)}; enter the renewed "
                "period, or remove the approval and the courses' credit for it",
            )
        elif ends - today <= ENDING_SOON:
            problems.warn(
                path,
                f.line("approved_until"),
                f"{f.what}: the approval ends on {long_date(ends)}; renew it in time "
                "(an ended approval is left off certificates)",
            )
    if not spec or not approval_id:
        return None
    return Approval(
        id=approval_id,
        body=body_key,
        body_name=name or spec.name,
        provider=f.text("provider", required=False, max_length=200) or "",
        number=number,
        starts=starts,
        ends=ends,
        credit_label=f.text("credit_label", required=False, max_length=80) or spec.credit_label,
        statement_template=_statement(f, body_key),
        requires=_requires(f, body_key),
        professions=tuple(f.texts("professions", required=False)) or spec.professions,
    )


def read_sponsor(courses_dir: Path, problems: Problems, today: date) -> SponsorSpec:
    """Read and check `sponsor.yaml`; with no file, the sponsor holds no approval."""
    path = courses_dir / SPONSOR_FILE
    if not path.is_file():
        return SponsorSpec.empty()
    raw = path.read_bytes()
    try:
        data = load_yaml(raw.decode("utf-8"), warn=lambda n, m: problems.warn(path, n, m))
    except YamlSyntaxError as exc:
        problems.add(path, exc.line, exc.message)
        return SponsorSpec(Sponsor(), "")
    except UnicodeDecodeError:
        problems.add(path, 1, "sponsor.yaml is not UTF-8 text: save it as UTF-8")
        return SponsorSpec(Sponsor(), "")
    meta = Fields(data, path, problems, "sponsor.yaml", SPONSOR_KEYS)
    approvals, seen = [], set()
    for line, entry in meta.items("approvals", required=False):
        approval = _approval(entry, line, meta, today)
        if approval is None:
            continue
        if approval.id in seen:
            problems.add(path, line, f"approval id '{approval.id}' is used twice")
        seen.add(approval.id)
        approvals.append(approval)
    attestation = meta.text("attestation", required=False, max_length=300)
    ce_broker = read_ce_broker(meta) if "ce_broker" in meta.data else None
    sponsor = Sponsor(tuple(approvals), attestation or DEFAULT_ATTESTATION, ce_broker)
    return SponsorSpec(sponsor, hashlib.sha256(raw).hexdigest())


def read_credit(meta: Fields, ce_hours: Decimal | None) -> list[dict]:
    """A course's `credit:` claims: approval id, hours (default: ce_hours) and credit type."""
    claims = []
    for line, entry in meta.items("credit", required=False):
        f = Fields(entry, meta.path, meta.problems, "credit", CREDIT_KEYS, line=line)
        approval_id = f.text("approval", max_length=60)
        hours = f.number("hours", default=ce_hours, minimum=Decimal("0.25"), maximum=Decimal(100))
        if hours is not None and hours % Decimal("0.25"):
            f.error("hours", "credit: 'hours' must be in steps of 0.25")
        if hours is not None and ce_hours is not None and hours > ce_hours:
            f.error("hours", f"credit: 'hours' ({hours}) is more than the course's ce_hours")
        credit_type = f.text("type", required=False, max_length=60) or ""
        if approval_id:
            claims.append(
                {
                    "approval": approval_id,
                    "hours": str(hours or ce_hours or 0),
                    "type": credit_type,
                    "line": line,
                }
            )
    return claims


def check_claims(
    path: Path, problems: Problems, claims: list[dict], not_approved_by: list[str], sponsor: Sponsor
) -> None:
    """Each claim names an approval of the sponsor file, once, and no body said not to approve."""
    seen, refused = set(), {body_name(b) for b in not_approved_by}
    for claim in claims:
        approval = sponsor.approval(claim["approval"])
        if approval is None:
            known = ", ".join(a.id for a in sponsor.approvals) or "none"
            problems.add(
                path,
                claim["line"],
                f"credit: no approval '{claim['approval']}' in sponsor.yaml (approvals: {known})",
            )
            continue
        if approval.id in seen:
            problems.add(path, claim["line"], f"credit: '{approval.id}' is claimed twice")
        seen.add(approval.id)
        if approval.body_name in refused or BODIES[approval.body].name in refused:
            problems.add(
                path,
                claim["line"],
                f"credit: the course claims '{approval.id}' but lists {approval.body_name} "
                "under 'not_approved_by'",
            )


def credit_advice(
    path: Path,
    problems: Problems,
    claims: list[dict],
    sponsor: Sponsor,
    item_kinds: list[str],
    threshold: int,
) -> None:
    """Warn, citing the body, where the post-test falls outside a claiming body's guidance."""
    for claim in claims:
        approval = sponsor.approval(claim["approval"])
        if approval is None:
            continue
        guidance, hours = approval.spec.guidance, Decimal(claim["hours"])
        who, items = approval.short, len(item_kinds)
        true_false = item_kinds.count("true_false")
        if guidance.true_false_per_hour is not None and hours:
            allowed = guidance.true_false_per_hour * hours
            if true_false > allowed:
                problems.warn(
                    path,
                    1,
                    f"{true_false} true/false items for {hours.normalize():f} {who} credit "
                    f"hours: {guidance.item_source} advises at most "
                    f"{guidance.true_false_per_hour} per hour; consider multiple-choice items",
                )
        if guidance.min_pass is not None and threshold < guidance.min_pass:
            problems.warn(
                path,
                1,
                f"pass mark {threshold}% is under {who}'s recommended minimum of "
                f"{guidance.min_pass}% ({guidance.source})",
            )
        if guidance.items_per_hour and hours:
            low, high = guidance.items_per_hour
            per_hour = Decimal(items) / hours
            if not low <= per_hour <= high:
                problems.warn(
                    path,
                    1,
                    f"{items} items for {hours.normalize():f} {who} credit hours "
                    f"({per_hour:.1f} per hour): {who} recommends {low}-{high} items per "
                    f"credit hour ({guidance.source})",
                )
