"""A local stand-in for Stripe: the API calls the app makes, the hosted Checkout page, webhooks.

The app's real `stripe` SDK talks to it over HTTP, pointed here with
``stripe.StripeClient(key, base_addresses={"api": fake.url})``. It answers, in Stripe's shapes:

- ``POST /v1/checkout/sessions`` (form-encoded with Stripe's ``a[b][0][c]=v`` brackets),
  ``GET /v1/checkout/sessions/{id}`` (``expand`` of ``payment_intent`` and ``line_items``),
  ``GET /v1/checkout/sessions/{id}/line_items``, ``POST /v1/checkout/sessions/{id}/expire``
  and ``GET /v1/payment_intents/{id}``;
- errors as ``{"error": {"type", "code", "message", "param", ...}}`` with Stripe's statuses
  (401 for a wrong or missing ``Authorization: Bearer`` key, 404 ``resource_missing``, 400);
- the ``Idempotency-Key`` header: the same key with the same request replays the first answer
  (``Idempotent-Replayed: true``), with other parameters it is a 400 ``idempotency_error``.

``GET /pay/{id}`` is the hosted page (plain HTML, no JavaScript): the line items, a "Pay" button
and a "Cancel" link. Paying completes the session, optionally delivers
``checkout.session.completed`` to ``auto_webhooks``, then redirects (303) to the success URL.

Tests drive the rest from Python: ``complete``, ``succeed_async``, ``fail_async``, ``expire``,
``apply_promotion_code`` change state as Stripe would; ``outside_session`` opens a session the
app did not (any reference, amount, currency, mode); a ``sk_live_`` key makes live objects; ``session_event``, ``charge_refunded_event`` and
``dispute_created_event`` build events; ``sign`` and ``deliver`` send them, signed exactly as
Stripe signs webhooks, to the app's ``/billing/stripe/webhook``.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import html
import json
import re
import secrets
import string
import threading
import time
import traceback
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qsl, unquote

import stripe
from stripe.params.checkout import (
    SessionCreateParams,
    SessionCreateParamsLineItem,
    SessionCreateParamsLineItemPriceData,
    SessionCreateParamsLineItemPriceDataProductData,
    SessionCreateParamsPaymentIntentData,
)

Json = dict[str, Any]

WEBHOOK_PATH = "/billing/stripe/webhook"
API_VERSION = stripe.api_version
SESSION_LIFETIME = 24 * 60 * 60
SESSION_EVENTS = (
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "checkout.session.expired",
)
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
_REQUEST_OPTIONS = frozenset(stripe.RequestOptions.__annotations__)
_ALPHANUMERIC = string.ascii_letters + string.digits
_KEY_PART = re.compile(r"\[([^\[\]]*)\]")


def random_id(prefix: str, length: int = 24) -> str:
    """An id in Stripe's style: a type prefix and random letters and digits."""
    return prefix + "".join(secrets.choice(_ALPHANUMERIC) for _ in range(length))


def format_amount(amount: int | None, currency: str | None) -> str:
    """An amount in minor units as people read it, e.g. ``15.00 USD``."""
    code = (currency or "").upper()
    if amount is None:
        return "—"
    if (currency or "").lower() in ZERO_DECIMAL_CURRENCIES:
        return f"{amount} {code}"
    return f"{amount // 100}.{amount % 100:02d} {code}"


class StripeAPIError(Exception):
    """An error answer of the fake API, to be sent in Stripe's error shape."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        param: str | None = None,
        type_: str = "invalid_request_error",
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.code, self.param, self.type = (
            status,
            message,
            code,
            param,
            type_,
        )

    def payload(self, request_id: str) -> Json:
        """The ``{"error": {...}}`` body Stripe sends."""
        error: Json = {"type": self.type, "message": self.message}
        if self.code:
            error["code"] = self.code
            error["doc_url"] = f"https://stripe.com/docs/error-codes/{self.code.replace('_', '-')}"
        if self.param:
            error["param"] = self.param
        error["request_log_url"] = (
            f"https://dashboard.stripe.com/test/logs/{request_id}?t={int(time.time())}"
        )
        return {"error": error}


def _missing(param: str) -> StripeAPIError:
    return StripeAPIError(
        400, f"Missing required param: {param}.", code="parameter_missing", param=param
    )


def _no_such(kind: str, object_id: str, param: str) -> StripeAPIError:
    return StripeAPIError(
        404, f"No such {kind}: '{object_id}'", code="resource_missing", param=param
    )


# --- Stripe's form encoding -------------------------------------------------------------------


def decode_form(pairs: list[tuple[str, str]]) -> Json:
    """Stripe's bracketed form parameters (``a[b][0][c]=v``) as nested dicts and lists."""
    tree: Json = {}
    for key, value in pairs:
        head, bracket, rest = key.partition("[")
        path = [head, *(_KEY_PART.findall(bracket + rest) if bracket else [])]
        _insert(tree, key, path, value)
    return {key: _listify(value, key) for key, value in tree.items()}


def _insert(tree: Json, key: str, path: list[str], value: str) -> None:
    node = tree
    for part in path[:-1]:
        node = node.setdefault(part or str(len(node)), {})
        if not isinstance(node, dict):
            raise StripeAPIError(
                400,
                f"Invalid parameter: {key} conflicts with another one.",
                code="parameter_invalid_string",
                param=key,
            )
    last = path[-1] or str(len(node))
    if isinstance(node.get(last), dict):
        raise StripeAPIError(
            400,
            f"Invalid parameter: {key} conflicts with another one.",
            code="parameter_invalid_string",
            param=key,
        )
    node[last] = value


def _listify(node: Any, key: str) -> Any:
    """Dicts keyed 0, 1, 2... become lists (never metadata, whose keys are free text)."""
    if not isinstance(node, dict):
        return node
    children = {k: _listify(v, k) for k, v in node.items()}
    if key != "metadata" and children and all(k.isdigit() for k in children):
        return [children[k] for k in sorted(children, key=int)]
    return children


def _reject_unknown(params: Mapping[str, Any], schema: type, prefix: str = "") -> None:
    """Stripe refuses parameters it does not know; the SDK's TypedDicts list the known ones."""
    known = set(schema.__annotations__) - _REQUEST_OPTIONS
    for name in params:
        if name not in known:
            full = f"{prefix}[{name}]" if prefix else name
            raise StripeAPIError(
                400, f"Received unknown parameter: {full}", code="parameter_unknown", param=full
            )


def _integer(value: Any, param: str) -> int:
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
        return int(value)
    raise StripeAPIError(
        400, f"Invalid integer: {value}", code="parameter_invalid_integer", param=param
    )


def _boolean(value: Any, param: str) -> bool:
    if value in ("true", "false"):
        return value == "true"
    raise StripeAPIError(
        400, f"Invalid boolean: {value}", code="parameter_invalid_string", param=param
    )


def _mapping(value: Any, param: str) -> Json:
    if value in (None, ""):
        return {}
    if isinstance(value, dict):
        return value
    raise StripeAPIError(
        400,
        f"Invalid object: {param} must be an object.",
        code="parameter_invalid_string",
        param=param,
    )


def _url(value: Any, param: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, str) and re.match(r"https?://[^/\s]+", value):
        return value
    raise StripeAPIError(400, "Not a valid URL", code="url_invalid", param=param)


# --- HTTP plumbing ------------------------------------------------------------------------------


@dataclass
class _Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


class _PostingClient(Protocol):
    """A Flask test client, as far as `deliver` uses it."""

    def post(self, path: str, **kwargs: Any) -> Any: ...


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: FakeStripe) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        try:
            response = self.server.fake.dispatch(self.command, self.path, self.headers, body)
        except Exception as error:  # a bug in the fake: say so, and ask the SDK not to retry
            traceback.print_exc()
            payload = {"error": {"type": "api_error", "message": f"fake_stripe crashed: {error!r}"}}
            response = _Response(
                500,
                json.dumps(payload).encode(),
                {"Content-Type": "application/json", "Stripe-Should-Retry": "false"},
            )
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        self.wfile.write(response.body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests assert on `FakeStripe.requests` instead."""


def _page(status: int, title: str, content: str) -> _Response:
    document = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} – Stripe test checkout</title>
</head>
<body>
<main>
<h1>{html.escape(title)}</h1>
{content}
</main>
</body>
</html>
"""
    return _Response(status, document.encode(), {"Content-Type": "text/html; charset=utf-8"})


def _post_url(
    url: str, body: bytes, headers: dict[str, str], timeout: float = 30
) -> tuple[int, str]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


@dataclass
class _Saved:
    """The first answer to an idempotency key, replayed for retries of the same request."""

    request: tuple[str, str, Json]
    status: int
    body: str
    request_id: str


# --- The fake -----------------------------------------------------------------------------------


class FakeStripe:
    """Stripe's API, hosted Checkout page and webhook sender, on 127.0.0.1 in a daemon thread."""

    def __init__(
        self, secret_key: str = "sk_test_fake", webhook_secret: str = "whsec_test_fake"
    ) -> None:
        self.secret_key = secret_key
        self.webhook_secret = webhook_secret
        # Stripe marks every object made with a live key `livemode: true`.
        self.livemode = secret_key.startswith(("sk_live_", "rk_live_"))
        self.sessions: dict[str, Json] = {}
        self.payment_intents: dict[str, Json] = {}
        self.charges: dict[str, Json] = {}
        self.disputes: dict[str, Json] = {}
        self.line_items: dict[str, list[Json]] = {}  # session id → its `item` objects
        self.requests: list[tuple[str, str, Json]] = []  # (method, path, params) of API calls
        self.request_headers: list[dict[str, str]] = []  # their headers, in the same order
        self.events: list[Json] = []
        self.deliveries: list[tuple[Json, int | None, str]] = []  # (event, status, body text)
        self.auto_webhooks: str | _PostingClient | None = None
        self._intent_data: dict[str, Json] = {}  # session id → its payment_intent_data
        self._idempotency: dict[str, _Saved] = {}
        self._lock = threading.RLock()
        self._server = _Server(self)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, daemon=True, name="fake-stripe"
        )
        self._thread.start()

    def __enter__(self) -> FakeStripe:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop serving and free the port."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # --- state changes, as Stripe makes them ----------------------------------------------------

    def complete(self, session_id: str, paid: bool = True) -> Json:
        """The customer finished Checkout: paid, or (paid=False) an async payment processing."""
        with self._lock:
            session = self._session(session_id)
            self._require(session, "open")
            session.update(
                status="complete",
                url=None,
                customer_details={
                    "address": None,
                    "email": session["customer_email"],
                    "name": None,
                    "phone": None,
                    "tax_exempt": "none",
                    "tax_ids": [],
                },
            )
            if session["mode"] == "setup" or not session["amount_total"]:
                session["payment_status"] = "no_payment_required"
                return session
            intent = self._new_intent(session, "succeeded" if paid else "processing")
            session["payment_intent"] = intent["id"]
            session["payment_status"] = "paid" if paid else "unpaid"
            return session

    def succeed_async(self, session_id: str) -> Json:
        """The processing payment of a completed session succeeded: the session is paid."""
        with self._lock:
            session, intent = self._processing(session_id)
            self._settle(intent)
            session["payment_status"] = "paid"
            return session

    def fail_async(self, session_id: str) -> Json:
        """The processing payment of a completed session failed: it stays complete, unpaid."""
        with self._lock:
            session, intent = self._processing(session_id)
            intent.update(
                status="requires_payment_method",
                last_payment_error={
                    "type": "invalid_request_error",
                    "code": "payment_method_provider_decline",
                    "message": "The payment was declined by the payment method provider.",
                },
            )
            return session

    def expire(self, session_id: str) -> Json:
        """An open session expires (or is expired): it can no longer be paid."""
        with self._lock:
            session = self._session(session_id)
            self._require(session, "open")
            session.update(status="expired", url=None)
            return session

    def outside_session(
        self,
        client_reference_id: str | None,
        amount: int,
        currency: str = "usd",
        *,
        livemode: bool | None = None,
    ) -> Json:
        """An open Checkout Session the app did not open (a Payment Link, another shop on the
        same account): any reference, amount, currency and mode. Complete it as usual."""
        with self._lock:
            params: Json = {
                "mode": "payment",
                "line_items": [
                    {
                        "quantity": "1",
                        "price_data": {
                            "currency": currency,
                            "unit_amount": str(amount),
                            "product_data": {"name": "Something else"},
                        },
                    }
                ],
            }
            if client_reference_id is not None:
                params["client_reference_id"] = client_reference_id
            session = self.sessions[self._create_session(params)["id"]]
            if livemode is not None:
                session["livemode"] = livemode
            return session

    def apply_promotion_code(self, session_id: str, amount_off: int) -> Json:
        """The customer entered a promotion code on the open session: Stripe lowers
        ``amount_total`` and reports the discount in ``total_details.amount_discount``."""
        with self._lock:
            session = self._session(session_id)
            self._require(session, "open")
            if not session["allow_promotion_codes"]:
                raise ValueError(f"{session_id} does not allow promotion codes")
            if not 0 < amount_off <= session["amount_subtotal"]:
                raise ValueError(f"cannot take {amount_off} off {session['amount_subtotal']}")
            session["total_details"]["amount_discount"] += amount_off
            session["amount_total"] = (
                session["amount_subtotal"] - session["total_details"]["amount_discount"]
            )
            item = self.line_items[session_id][0]
            item["amount_discount"] += amount_off
            item["amount_total"] = item["amount_subtotal"] - item["amount_discount"]
            return session

    def _require(self, session: Json, status: str) -> None:
        if session["status"] != status:
            raise ValueError(f"{session['id']} is {session['status']}, not {status}")

    def _session(self, session_id: str) -> Json:
        try:
            return self.sessions[session_id]
        except KeyError:
            raise KeyError(f"no Checkout Session {session_id!r} in the fake") from None

    def _processing(self, session_id: str) -> tuple[Json, Json]:
        session = self._session(session_id)
        intent = self.payment_intents.get(session["payment_intent"] or "")
        if session["status"] != "complete" or intent is None or intent["status"] != "processing":
            raise ValueError(
                f"{session_id} has no payment processing (complete it with paid=False)"
            )
        return session, intent

    def _new_intent(self, session: Json, status: str) -> Json:
        data = self._intent_data.get(session["id"], {})
        intent_id = random_id("pi_test_")
        intent: Json = {
            "id": intent_id,
            "object": "payment_intent",
            "amount": session["amount_total"],
            "amount_capturable": 0,
            "amount_received": 0,
            "capture_method": "automatic_async",
            "client_secret": f"{intent_id}_secret_{random_id('', 25)}",
            "confirmation_method": "automatic",
            "created": int(time.time()),
            "currency": session["currency"],
            "customer": None,
            "description": data.get("description"),
            "last_payment_error": None,
            "latest_charge": None,
            "livemode": session["livemode"],
            "metadata": dict(data.get("metadata", {})),
            "payment_method": random_id("pm_test_"),
            "payment_method_types": ["card"],
            "receipt_email": data.get("receipt_email"),
            "status": status,
        }
        self.payment_intents[intent_id] = intent
        if status == "succeeded":
            self._settle(intent)
        return intent

    def _settle(self, intent: Json) -> None:
        charge_id = random_id("ch_test_")
        self.charges[charge_id] = {
            "id": charge_id,
            "object": "charge",
            "amount": intent["amount"],
            "amount_captured": intent["amount"],
            "amount_refunded": 0,
            "balance_transaction": random_id("txn_test_"),
            "captured": True,
            "created": int(time.time()),
            "currency": intent["currency"],
            "customer": None,
            "description": intent["description"],
            "disputed": False,
            "failure_code": None,
            "failure_message": None,
            "livemode": intent["livemode"],
            "metadata": {},
            "paid": True,
            "payment_intent": intent["id"],
            "payment_method": intent["payment_method"],
            "receipt_email": intent["receipt_email"],
            "refunded": False,
            "status": "succeeded",
        }
        intent.update(
            status="succeeded",
            amount_received=intent["amount"],
            latest_charge=charge_id,
            last_payment_error=None,
        )

    def _charge_of(self, session_id: str) -> Json:
        session = self._session(session_id)
        intent = self.payment_intents.get(session["payment_intent"] or "")
        if intent is None or intent["latest_charge"] is None:
            raise ValueError(f"{session_id} has no successful payment to refund or dispute")
        return self.charges[intent["latest_charge"]]

    # --- events and webhooks --------------------------------------------------------------------

    def event(self, type: str, obj: Json, previous_attributes: Json | None = None) -> Json:
        """A Stripe Event (snapshot payload) carrying `obj`."""
        data: Json = {"object": copy.deepcopy(obj)}
        if previous_attributes is not None:
            data["previous_attributes"] = previous_attributes
        event = {
            "id": random_id("evt_test_"),
            "object": "event",
            "api_version": API_VERSION,
            "created": int(time.time()),
            "data": data,
            "livemode": self.livemode,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": type,
        }
        with self._lock:
            self.events.append(event)
        return event

    def session_event(self, type: str, session_id: str) -> Json:
        """``checkout.session.completed`` / ``.async_payment_succeeded`` / ``.async_payment_failed``
        / ``.expired`` (the prefix may be left off) with a copy of the session as it is now."""
        full = type if type.startswith("checkout.session.") else f"checkout.session.{type}"
        if full not in SESSION_EVENTS:
            raise ValueError(f"not a Checkout Session event: {type!r}")
        with self._lock:
            return self.event(full, self._session(session_id))

    def charge_refunded_event(self, session_id: str, amount: int | None = None) -> Json:
        """Refund the session's payment, in full or (`amount`) in part; ``charge.refunded``.

        As Stripe does, ``amount_refunded`` adds up every refund so far and ``refunded``
        turns true only once the whole captured amount is refunded."""
        with self._lock:
            charge = self._charge_of(session_id)
            before = {"amount_refunded": charge["amount_refunded"], "refunded": charge["refunded"]}
            left = charge["amount_captured"] - charge["amount_refunded"]
            if amount is None:
                amount = left
            if not 0 < amount <= left:
                raise ValueError(f"cannot refund {amount} of the {left} left on {charge['id']}")
            charge["amount_refunded"] += amount
            charge["refunded"] = charge["amount_refunded"] >= charge["amount_captured"]
            return self.event("charge.refunded", charge, previous_attributes=before)

    def dispute_created_event(self, session_id: str) -> Json:
        """Open a fraud dispute on the session's payment; the ``charge.dispute.created`` event."""
        with self._lock:
            charge = self._charge_of(session_id)
            charge["disputed"] = True
            dispute_id = random_id("dp_")
            now = int(time.time())
            self.disputes[dispute_id] = dispute = {
                "id": dispute_id,
                "object": "dispute",
                "amount": charge["amount"],
                "balance_transactions": [],
                "charge": charge["id"],
                "created": now,
                "currency": charge["currency"],
                "evidence_details": {
                    "due_by": now + 7 * 24 * 60 * 60,
                    "has_evidence": False,
                    "past_due": False,
                    "submission_count": 0,
                },
                "is_charge_refundable": False,
                "livemode": charge["livemode"],
                "metadata": {},
                "payment_intent": charge["payment_intent"],
                "reason": "fraudulent",
                "status": "needs_response",
            }
            return self.event("charge.dispute.created", dispute)

    @staticmethod
    def payload(event: Json) -> bytes:
        """The webhook body for `event`, as Stripe sends it (pretty-printed UTF-8 JSON)."""
        return json.dumps(event, indent=2, ensure_ascii=False).encode()

    def sign(
        self, payload: bytes | str, timestamp: int | None = None, secret: str | None = None
    ) -> str:
        """The ``Stripe-Signature`` header for `payload`: ``t=<time>,v1=<HMAC-SHA256 hex>``."""
        signed_at = int(time.time()) if timestamp is None else timestamp
        body = payload.encode() if isinstance(payload, str) else payload
        key = (self.webhook_secret if secret is None else secret).encode()
        digest = hmac.new(key, f"{signed_at}.".encode() + body, hashlib.sha256).hexdigest()
        return f"t={signed_at},v1={digest}"

    def deliver(
        self,
        target: str | _PostingClient,
        event: Json,
        *,
        secret: str | None = None,
        timestamp: int | None = None,
        path: str = WEBHOOK_PATH,
        timeout: float = 30,
    ) -> tuple[int, str]:
        """POST `event`, signed, to the app's webhook: `target` is a base URL or a test client.

        `timeout` is how long a served app may take to answer, queueing included."""
        body = self.payload(event)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Stripe-Signature": self.sign(body, timestamp, secret),
            "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
        }
        if isinstance(target, str):
            status, text = _post_url(target.rstrip("/") + path, body, headers, timeout)
        else:
            response = target.post(path, data=body, headers=headers)
            status, text = response.status_code, response.get_data(as_text=True)
        with self._lock:
            self.deliveries.append((event, status, text))
        return status, text

    # --- HTTP ------------------------------------------------------------------------------------

    def dispatch(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes
    ) -> _Response:
        """Answer one HTTP request (called from the server's threads)."""
        path, _, query = target.partition("?")
        if path.startswith("/v1/"):
            return self._api(method, path, query if method == "GET" else body.decode(), headers)
        match = re.fullmatch(r"/pay/([^/]+)", path)
        if match and method == "GET":
            return self._pay_page(unquote(match[1]))
        if match and method == "POST":
            return self._pay(unquote(match[1]))
        return _page(404, "Not found", "<p>The fake Stripe has no such page.</p>")

    def _api(self, method: str, path: str, form: str, headers: Mapping[str, str]) -> _Response:
        request_id = random_id("req_", 14)
        answer_headers = {
            "Content-Type": "application/json",
            "Request-Id": request_id,
            "Stripe-Version": headers.get("Stripe-Version") or API_VERSION,
            "Cache-Control": "no-cache, no-store",
        }
        key = headers.get("Idempotency-Key")
        if key:
            answer_headers["Idempotency-Key"] = key
        try:
            params = decode_form(parse_qsl(form, keep_blank_values=True))
        except StripeAPIError as error:
            return self._json(error.status, error.payload(request_id), answer_headers)
        with self._lock:
            self.requests.append((method, path, params))
            self.request_headers.append(dict(headers.items()))
            try:
                self._authenticate(headers.get("Authorization", ""))
            except StripeAPIError as error:
                return self._json(error.status, error.payload(request_id), answer_headers)
            if method != "POST" or not key:
                status, payload = self._execute(method, path, params, request_id)
                return self._json(status, payload, answer_headers)
            return self._idempotent(key, (method, path, params), request_id, answer_headers)

    def _idempotent(
        self,
        key: str,
        request: tuple[str, str, Json],
        request_id: str,
        answer_headers: dict[str, str],
    ) -> _Response:
        saved = self._idempotency.get(key)
        if saved is None:
            status, payload = self._execute(*request, request_id)
            response = self._json(status, payload, answer_headers)
            self._idempotency[key] = _Saved(request, status, response.body.decode(), request_id)
            return response
        if saved.request != request:
            error = StripeAPIError(
                400,
                "Keys for idempotent requests can only be used with the same parameters "
                f"they were first used with. Try using a key other than '{key}' if you "
                "meant to execute a different request.",
                type_="idempotency_error",
            )
            return self._json(400, error.payload(request_id), answer_headers)
        return _Response(
            saved.status,
            saved.body.encode(),
            {**answer_headers, "Idempotent-Replayed": "true", "Original-Request": saved.request_id},
        )

    @staticmethod
    def _json(status: int, payload: Json, headers: dict[str, str]) -> _Response:
        return _Response(status, json.dumps(payload, indent=2).encode(), dict(headers))

    def _authenticate(self, authorization: str) -> None:
        scheme, _, key = authorization.partition(" ")
        if not key.strip():
            raise StripeAPIError(
                401,
                "You did not provide an API key. You need to provide your API key in the "
                "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer "
                "YOUR_SECRET_KEY').",
            )
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            key.encode(), self.secret_key.encode()
        ):
            shown = key[:8] + "*" * max(len(key) - 12, 0) + key[-4:]
            raise StripeAPIError(401, f"Invalid API Key provided: {shown}")

    def _execute(self, method: str, path: str, params: Json, request_id: str) -> tuple[int, Json]:
        try:
            return 200, self._route(method, path, params)
        except StripeAPIError as error:
            return error.status, error.payload(request_id)

    def _routes(self) -> list[tuple[str, str, Callable[..., Json]]]:
        return [
            ("POST", r"/v1/checkout/sessions", self._create_session),
            ("GET", r"/v1/checkout/sessions/([^/]+)", self._retrieve_session),
            ("GET", r"/v1/checkout/sessions/([^/]+)/line_items", self._list_line_items),
            ("POST", r"/v1/checkout/sessions/([^/]+)/expire", self._expire_session),
            ("GET", r"/v1/payment_intents/([^/]+)", self._retrieve_intent),
        ]

    def _route(self, method: str, path: str, params: Json) -> Json:
        for verb, pattern, handler in self._routes():
            match = re.fullmatch(pattern, path)
            if verb == method and match:
                return handler(params, *(unquote(group) for group in match.groups()))
        raise StripeAPIError(
            404,
            f"Unrecognized request URL ({method}: {path}). Please see "
            "https://stripe.com/docs or we can help at "
            "https://support.stripe.com/.",
        )

    # --- API endpoints ---------------------------------------------------------------------------

    def _create_session(self, params: Json) -> Json:
        _reject_unknown(params, SessionCreateParams)
        mode = params.get("mode")
        if mode is None:
            raise _missing("mode")
        if mode not in ("payment", "setup"):
            raise StripeAPIError(
                400,
                f"The fake Stripe supports mode payment and setup, not {mode!r}.",
                code="parameter_invalid_string",
                param="mode",
            )
        items = self._new_line_items(params.get("line_items"), mode)
        currencies = {item["currency"] for item in items} or {
            (params.get("currency") or "").lower() or None
        }
        if len(currencies) > 1:
            raise StripeAPIError(
                400, "All line items must have the same currency.", param="line_items"
            )
        total = sum(item["amount_total"] for item in items) if mode == "payment" else None
        email = params.get("customer_email")
        if email is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+", email):
            raise StripeAPIError(
                400, f"Invalid email address: {email}", code="email_invalid", param="customer_email"
            )
        promotion = params.get("allow_promotion_codes")
        now = int(time.time())
        session_id = random_id("cs_test_a1", 56)
        session: Json = {
            "id": session_id,
            "object": "checkout.session",
            "after_expiration": None,
            "allow_promotion_codes": (
                None if promotion is None else _boolean(promotion, "allow_promotion_codes")
            ),
            "amount_subtotal": total,
            "amount_total": total,
            "automatic_tax": {"enabled": False, "liability": None, "status": None},
            "billing_address_collection": None,
            "cancel_url": _url(params.get("cancel_url"), "cancel_url"),
            "client_reference_id": params.get("client_reference_id"),
            "client_secret": None,
            "consent": None,
            "consent_collection": None,
            "created": now,
            "currency": next(iter(currencies)),
            "custom_fields": [],
            "custom_text": {
                "after_submit": None,
                "shipping_address": None,
                "submit": None,
                "terms_of_service_acceptance": None,
            },
            "customer": None,
            "customer_creation": "if_required",
            "customer_details": None,
            "customer_email": email,
            "expires_at": self._expires_at(params, now),
            "invoice": None,
            "livemode": self.livemode,
            "locale": params.get("locale"),
            "metadata": dict(_mapping(params.get("metadata"), "metadata")),
            "mode": mode,
            "payment_intent": None,
            "payment_link": None,
            "payment_method_collection": "if_required",
            "payment_method_types": ["card"],
            "payment_status": "unpaid" if mode == "payment" else "no_payment_required",
            "phone_number_collection": {"enabled": False},
            "recovered_from": None,
            "setup_intent": None,
            "shipping_address_collection": None,
            "shipping_cost": None,
            "shipping_options": [],
            "status": "open",
            "submit_type": None,
            "subscription": None,
            "success_url": _url(params.get("success_url"), "success_url"),
            "total_details": {"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
            "ui_mode": "hosted",
            "url": f"{self.url}/pay/{session_id}",
        }
        intent_data = _mapping(params.get("payment_intent_data"), "payment_intent_data")
        _reject_unknown(intent_data, SessionCreateParamsPaymentIntentData, "payment_intent_data")
        self.sessions[session_id] = session
        self.line_items[session_id] = items
        self._intent_data[session_id] = intent_data
        return self._expanded(session, params.get("expand"))

    def _new_line_items(self, raw: Any, mode: str) -> list[Json]:
        if mode != "payment":
            return []
        if not raw:
            raise _missing("line_items")
        if not isinstance(raw, list):
            raise StripeAPIError(
                400, "Invalid array", code="parameter_invalid_string", param="line_items"
            )
        return [self._new_line_item(item, f"line_items[{index}]") for index, item in enumerate(raw)]

    def _new_line_item(self, raw: Any, where: str) -> Json:
        item = _mapping(raw, where)
        _reject_unknown(item, SessionCreateParamsLineItem, where)
        if "price" in item:
            raise _no_such("price", item["price"], f"{where}[price]")
        if "quantity" not in item:
            raise _missing(f"{where}[quantity]")
        quantity = _integer(item["quantity"], f"{where}[quantity]")
        data = _mapping(item.get("price_data"), f"{where}[price_data]")
        if not data:
            raise _missing(f"{where}[price_data]")
        _reject_unknown(data, SessionCreateParamsLineItemPriceData, f"{where}[price_data]")
        product = _mapping(data.get("product_data"), f"{where}[price_data][product_data]")
        _reject_unknown(
            product,
            SessionCreateParamsLineItemPriceDataProductData,
            f"{where}[price_data][product_data]",
        )
        required = {
            f"{where}[price_data][currency]": data.get("currency"),
            f"{where}[price_data][unit_amount]": data.get("unit_amount"),
            f"{where}[price_data][product_data][name]": product.get("name"),
        }
        for param, value in required.items():
            if value in (None, ""):
                raise _missing(param)
        unit_amount = _integer(data["unit_amount"], f"{where}[price_data][unit_amount]")
        currency = data["currency"].lower()
        return {
            "id": random_id("li_test_"),
            "object": "item",
            "amount_discount": 0,
            "amount_subtotal": unit_amount * quantity,
            "amount_tax": 0,
            "amount_total": unit_amount * quantity,
            "currency": currency,
            "description": product["name"],
            "quantity": quantity,
            "price": {
                "id": random_id("price_test_"),
                "object": "price",
                "active": False,
                "currency": currency,
                "livemode": False,
                "metadata": {},
                "product": random_id("prod_test_", 14),
                "type": "one_time",
                "unit_amount": unit_amount,
            },
        }

    @staticmethod
    def _expires_at(params: Json, now: int) -> int:
        if params.get("expires_at") is None:
            return now + SESSION_LIFETIME
        expires_at = _integer(params["expires_at"], "expires_at")
        if not now + 30 * 60 <= expires_at <= now + SESSION_LIFETIME:
            raise StripeAPIError(
                400,
                "The `expires_at` timestamp must be between 30 minutes "
                "and 24 hours from Checkout Session creation.",
                code="parameter_invalid_integer",
                param="expires_at",
            )
        return expires_at

    def _expanded(self, session: Json, expand: Any) -> Json:
        paths = [expand] if isinstance(expand, str) else list(expand or [])
        answer = copy.deepcopy(session)
        for path in paths:
            if path == "payment_intent":
                intent = self.payment_intents.get(session["payment_intent"] or "")
                answer["payment_intent"] = copy.deepcopy(intent)
            elif path == "line_items":
                answer["line_items"] = self._line_item_list(session["id"])
            else:
                raise StripeAPIError(
                    400, f"This property cannot be expanded ({path}).", param="expand"
                )
        return answer

    def _line_item_list(self, session_id: str) -> Json:
        return {
            "object": "list",
            "data": copy.deepcopy(self.line_items[session_id]),
            "has_more": False,
            "url": f"/v1/checkout/sessions/{session_id}/line_items",
        }

    def _api_session(self, session_id: str) -> Json:
        if session_id not in self.sessions:
            raise _no_such("checkout.session", session_id, "session")
        return self.sessions[session_id]

    def _retrieve_session(self, params: Json, session_id: str) -> Json:
        return self._expanded(self._api_session(session_id), params.get("expand"))

    def _list_line_items(self, params: Json, session_id: str) -> Json:
        self._api_session(session_id)
        return self._line_item_list(session_id)

    def _expire_session(self, params: Json, session_id: str) -> Json:
        session = self._api_session(session_id)
        if session["status"] != "open":
            raise StripeAPIError(
                400,
                "Only Checkout Sessions with a status of `open` can be "
                f"expired. This session has a status of "
                f"`{session['status']}`.",
            )
        self.expire(session_id)
        return self._expanded(session, params.get("expand"))

    def _retrieve_intent(self, params: Json, intent_id: str) -> Json:
        if intent_id not in self.payment_intents:
            raise _no_such("payment_intent", intent_id, "intent")
        return copy.deepcopy(self.payment_intents[intent_id])

    # --- the hosted Checkout page ---------------------------------------------------------------

    def _unpayable(self, session_id: str, closed_status: int) -> _Response | None:
        """The page for a session that is missing or no longer open; None when payable."""
        session = self.sessions.get(session_id)
        if session is None:
            return _page(
                404,
                "Checkout session not found",
                "<p>There is no checkout session at this address.</p>",
            )
        if session["status"] != "open":
            return _page(
                closed_status,
                f"This checkout session is {session['status']}",
                "<p>It can no longer be paid.</p>",
            )
        return None

    def _pay_page(self, session_id: str) -> _Response:
        with self._lock:
            refusal = self._unpayable(session_id, 200)
            if refusal is not None:
                return refusal
            session = self.sessions[session_id]
            rows = "".join(
                f"<tr><td>{html.escape(item['description'])}</td><td>{item['quantity']}</td>"
                f"<td>{format_amount(item['amount_total'], item['currency'])}</td></tr>\n"
                for item in self.line_items[session_id]
            )
            total = format_amount(session["amount_total"], session["currency"])
            cancel = session["cancel_url"]
        content = f"""<p>Test mode: this page stands in for Stripe Checkout.</p>
<table>
<caption>Order summary</caption>
<thead><tr><th scope="col">Item</th><th scope="col">Quantity</th><th scope="col">Amount</th></tr></thead>
<tbody>
{rows}</tbody>
<tfoot><tr><th scope="row" colspan="2">Total</th><td>{total}</td></tr></tfoot>
</table>
<form method="post" action="/pay/{html.escape(session_id)}">
<button type="submit">Pay</button>
</form>
"""
        if cancel:
            content += f'<p><a href="{html.escape(cancel)}">Cancel</a></p>\n'
        return _page(200, "Pay for your order", content)

    def _pay(self, session_id: str) -> _Response:
        with self._lock:
            refusal = self._unpayable(session_id, 409)
            if refusal is not None:
                return refusal
            session = self.complete(session_id)
            event = self.session_event("checkout.session.completed", session_id)
            success_url = session["success_url"]
        if self.auto_webhooks is not None:  # outside the lock: the app may call back
            self._auto_deliver(self.auto_webhooks, event)
        if not success_url:
            return _page(200, "Payment complete", "<p>Thank you: the payment went through.</p>")
        location = success_url.replace("{CHECKOUT_SESSION_ID}", session_id)
        return _Response(303, b"", {"Location": location})

    def _auto_deliver(self, target: str | _PostingClient, event: Json) -> None:
        """Deliver without failing the payment page; a crash is recorded in `deliveries`."""
        try:
            self.deliver(target, event)
        except Exception as error:
            with self._lock:
                self.deliveries.append((event, None, repr(error)))
