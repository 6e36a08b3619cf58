"""CE Broker settings (Florida's completion reporting) as sponsor.yaml and course.yaml give
them: the sponsor's provider tracking number, the profession code of each license type, and a
course's course tracking number. Pure: no Flask, no database."""

from __future__ import annotations

import re

from ceengine.courses.approvals import CeBroker
from ceengine.courses.fields import MISSING, Fields

CE_BROKER_KEYS = {"provider_number", "professions"}
# CE Broker numbers are digits; its files want them without the "50-" (provider) or "20-"
# (course) prefix its pages print (help.cebroker.com, "Creating Excel Files").
CE_BROKER_NUMBER = re.compile(r"^[0-9]{1,12}$")
PROFESSION_CODE = re.compile(r"^[A-Za-z0-9]{1,20}$")


def ce_broker_number(f: Fields, key: str, prefix: str, required: bool) -> str:
    """A CE Broker tracking number: digits, written without CE Broker's `prefix` ("50-")."""
    value = f.raw(key, required)
    if value is MISSING:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        # YAML reads 0123 as the number 83: only quoted text keeps the number as written.
        f.error(
            key,
            f"{f.what}: write '{key}' in quotes, as written on CE Broker: a bare number may "
            "not be read as written (0123 is read as 83)",
        )
        return ""
    text = value.strip() if isinstance(value, str) else ""
    if text.startswith(prefix):
        f.error(key, f"{f.what}: write '{key}' without CE Broker's \"{prefix}\": {text[3:]}")
    elif not CE_BROKER_NUMBER.match(text):
        f.error(key, f"{f.what}: '{key}' must be CE Broker's number in digits, not '{value}'")
    else:
        return text
    return ""


def _professions(f: Fields) -> tuple[tuple[str, str], ...]:
    """`professions`: license type as learners write it -> CE Broker profession code."""
    table = f.data.get("professions")
    if table is None:
        return ()
    if not isinstance(table, dict):
        f.error("professions", f"{f.what}: 'professions' must map license types to codes")
        return ()
    found: dict[str, str] = {}
    for kind, code in table.items():
        line = table.line_of(kind)
        if not (isinstance(kind, str) and isinstance(code, str) and PROFESSION_CODE.match(code)):
            f.problems.add(
                f.path,
                line,
                f"{f.what}: write each profession as LICENSE TYPE: CODE, for example "
                f"LCSW: CSW (CE Broker's code in letters and digits), not '{kind}: {code}'",
            )
            continue
        key = " ".join(kind.split()).lower()
        if key in found:
            f.problems.add(f.path, line, f"{f.what}: license type '{kind}' is listed twice")
        found[key] = code
    return tuple(found.items())


def read_ce_broker(meta: Fields) -> CeBroker | None:
    """sponsor.yaml's `ce_broker:` section: the provider number and profession codes."""
    f = meta.sub("ce_broker", "ce_broker", CE_BROKER_KEYS)
    number = ce_broker_number(f, "provider_number", "50-", required=True)
    professions = _professions(f)
    return CeBroker(number, professions) if number else None


def read_ce_broker_course(meta: Fields) -> str:
    """A course's `ce_broker_course`: its CE Broker course tracking number, without "20-"."""
    return ce_broker_number(meta, "ce_broker_course", "20-", required=False)
