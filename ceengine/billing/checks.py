"""Whether a paid Checkout Session pays an order in full, and whether a refund is whole.

Pure functions over the fields Stripe reports (no Flask, no database), so the webhook and
the success page decide alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Stripe counts these currencies in whole units (no cents): 1 jpy is ¥1.
ZERO_DECIMAL_CURRENCIES = frozenset(
    {
        "bif",
        "clp",
        "djf",
        "gnf",
        "jpy",
        "kmf",
        "krw",
        "mga",
        "pyg",
        "rwf",
        "ugx",
        "vnd",
        "vuv",
        "xaf",
        "xof",
        "xpf",
    }
)
_SYMBOLS = {"usd": "$", "eur": "€", "gbp": "£", "cad": "CA$", "aud": "A$"}


def money(amount: Any, currency: Any) -> str:
    """An amount in Stripe's minor units as people read it: $15.00, 1 JPY, 12.50 CHF."""
    code = str(currency or "").lower()
    if not isinstance(amount, int) or isinstance(amount, bool):
        return f"an unknown amount in {code.upper() or 'an unknown currency'}"
    if code in ZERO_DECIMAL_CURRENCIES:
        return f"{amount:,} {code.upper()}"
    shown = f"{amount / 100:,.2f}"
    return f"{_SYMBOLS[code]}{shown}" if code in _SYMBOLS else f"{shown} {code.upper()}"


@dataclass(frozen=True)
class Expected:
    """What a payment for an order must be: its fee, its currency, the key's mode."""

    fee_cents: int
    currency: str
    livemode: bool
    promotion_codes: bool  # STRIPE_ALLOW_PROMOTION_CODES: a code may lower the total


def key_is_live(secret_key: str | None) -> bool:
    """Whether a Stripe key is a live one (sk_live_…, rk_live_…); test keys make test objects."""
    return bool(secret_key) and secret_key.startswith(("sk_live_", "rk_live_"))


def _discount(session: Any) -> Any:
    details = getattr(session, "total_details", None)
    if details is None:
        return 0
    if isinstance(details, dict):
        return details.get("amount_discount") or 0
    return getattr(details, "amount_discount", None) or 0


def payment_mismatch(session: Any, expected: Expected) -> str | None:
    """Why a paid session does not pay the order in full, for the admin; None when it does."""
    livemode = getattr(session, "livemode", None)
    if livemode is not expected.livemode:
        made = {True: "in live mode", False: "in test mode"}.get(livemode, "in an unknown mode")
        key = "a live" if expected.livemode else "a test"
        return f"Paid {made}, but the app uses {key} key."
    currency = getattr(session, "currency", None)
    if not isinstance(currency, str) or currency.lower() != expected.currency.lower():
        return (
            f"Paid in {str(currency or 'no currency').upper()}, but the order is in "
            f"{expected.currency.upper()}."
        )
    fee = money(expected.fee_cents, expected.currency)
    total = getattr(session, "amount_total", None)
    if not expected.promotion_codes:
        if total != expected.fee_cents:
            return f"Paid {money(total, currency)}, but the fee is {fee}."
        return None
    subtotal, discount = getattr(session, "amount_subtotal", None), _discount(session)
    if subtotal != expected.fee_cents:
        return f"Charged a subtotal of {money(subtotal, currency)}, but the fee is {fee}."
    if not isinstance(total, int) or not isinstance(discount, int) or total != subtotal - discount:
        return (
            f"Paid {money(total, currency)}, which is not the fee {fee} less the "
            f"promotion code's {money(discount, currency)}."
        )
    return None


def fully_refunded(charge: Any) -> bool:
    """Whether a charge is refunded in full (Stripe's `refunded`, or every captured cent)."""
    if getattr(charge, "refunded", None) is True:
        return True
    captured = getattr(charge, "amount_captured", None)
    refunded = getattr(charge, "amount_refunded", None)
    return (
        isinstance(captured, int)
        and isinstance(refunded, int)
        and captured > 0
        and refunded >= captured
    )


# --- a signed event's shape ----------------------------------------------------------------

_LARGEST = 10**15  # far above any amount Stripe takes; keeps the database's integers safe


def _text(value: Any, longest: int = 255) -> bool:
    return isinstance(value, str) and 0 < len(value) <= longest and "\x00" not in value


def _text_or_null(value: Any) -> bool:
    return value is None or _text(value)


def _amount(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < _LARGEST


def _amount_or_null(value: Any) -> bool:
    return value is None or _amount(value)


def _details(value: Any) -> bool:
    return value is None or (
        isinstance(value, dict) and _amount_or_null(value.get("amount_discount"))
    )


_SESSION_FIELDS = {
    "id": _text,
    "client_reference_id": lambda v: v is None or isinstance(v, str),
    "payment_status": lambda v: v is None or isinstance(v, str),
    "payment_intent": _text_or_null,
    "amount_total": _amount_or_null,
    "amount_subtotal": _amount_or_null,
    "currency": _text_or_null,
    "livemode": lambda v: isinstance(v, bool),
    "total_details": _details,
}
_CHARGE_FIELDS = {
    "payment_intent": lambda v: v is None or isinstance(v, str),
    "amount_captured": _amount,
    "amount_refunded": _amount,
    "refunded": lambda v: isinstance(v, bool),
}
# The fields each handled event's object must carry, and what their values may be.
REQUIRED_FIELDS = {
    "checkout.session.completed": _SESSION_FIELDS,
    "checkout.session.async_payment_succeeded": _SESSION_FIELDS,
    "checkout.session.async_payment_failed": _SESSION_FIELDS,
    "checkout.session.expired": _SESSION_FIELDS,
    "charge.refunded": _CHARGE_FIELDS,
    "charge.dispute.created": {"payment_intent": lambda v: v is None or isinstance(v, str)},
}


def event_problem(payload: object) -> str | None:
    """What makes a signed JSON body unusable as a Stripe event, or None when it is usable."""
    if not isinstance(payload, dict):
        return "it is not an object"
    for name, longest in (("id", 255), ("type", 100)):
        if not _text(payload.get(name), longest):
            return f"its {name} is missing or malformed"
    data = payload.get("data")
    thing = data.get("object") if isinstance(data, dict) else None
    if not isinstance(thing, dict):
        return "its data.object is missing"
    fields = REQUIRED_FIELDS.get(payload["type"], {})
    missing = [name for name in fields if name not in thing]
    if missing:
        return f"its {payload['type']} object lacks {', '.join(missing)}"
    wrong = [name for name, fits in fields.items() if not fits(thing[name])]
    if wrong:
        return f"its {payload['type']} object has malformed {', '.join(wrong)}"
    return None
