"""Steps for the fuzz tests: the forms a page serves, hostile request bodies built byte by
byte, and the check every answer must pass (no 5xx, and a message a person can read)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from urllib.parse import quote_from_bytes, urlsplit

from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from tests.support.html import Control, forms_in, text_of

BOUNDARY = b"ceengine-fuzz-7f3a9c"
TRACEBACK_SIGNS = ("Traceback (most recent call last)", "werkzeug.debug", 'File "/')
ENCODINGS = ["form"] * 4 + ["raw"] * 2 + ["multipart"] * 4 + ["json", "none"]

# --- the forms a page serves -----------------------------------------------------------------


@dataclass
class PageForm:
    """A form as served: where it posts ("<get>" for a GET form) and its controls by name."""

    action: str
    controls: dict[str, Control] = field(default_factory=dict)


def forms_on(page_html: str, page_path: str) -> list[PageForm]:
    """Every form on a page."""
    path = urlsplit(page_path).path
    return [
        PageForm(
            urlsplit(form.action or path).path if form.method == "post" else "<get>", form.controls
        )
        for form in forms_in(page_html)
    ]


def post_form_for(page_html: str, page_path: str, url: str) -> PageForm | None:
    """The POST form on a page whose action is `url` (its path), if there is one."""
    target = urlsplit(url).path
    return next((f for f in forms_on(page_html, page_path) if f.action == target), None)


# --- request bodies, byte by byte ------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    """One submitted name and value; a `filename` makes it a file in a multipart body."""

    name: bytes
    value: bytes
    filename: bytes | None = None


@dataclass(frozen=True)
class Body:
    """A request body ready to send, and what the app will read from it."""

    data: bytes
    content_type: str
    parts: tuple[Part, ...]

    def read_as_the_app_does(self) -> tuple[MultiDict, MultiDict]:
        """(request.form, request.files) as Werkzeug parses this body for the app."""
        environ = EnvironBuilder(
            method="POST", data=self.data, content_type=self.content_type
        ).get_environ()
        request = Request(environ)
        try:
            return request.form, request.files
        except RequestEntityTooLarge:
            return MultiDict(), MultiDict()


def _header_safe(value: bytes) -> bytes:
    # What browsers do in multipart headers (HTML's form encoding): escape quote, CR, LF.
    return value.replace(b'"', b"%22").replace(b"\r", b"%0D").replace(b"\n", b"%0A")


def encode_body(parts: list[Part], encoding: str) -> Body:
    """The body for `encoding`: form (escaped), raw (bytes as they are), multipart, json, none."""
    parts = tuple(parts)
    if encoding == "form":
        data = b"&".join(
            quote_from_bytes(p.name, safe="").encode()
            + b"="
            + quote_from_bytes(p.value, safe="").encode()
            for p in parts
        )
        return Body(data, "application/x-www-form-urlencoded", parts)
    if encoding == "raw":  # latin-1, broken UTF-8 and broken %-escapes, as they come
        return Body(
            b"&".join(p.name + b"=" + p.value for p in parts),
            "application/x-www-form-urlencoded",
            parts,
        )
    if encoding == "json":
        document = {p.name.decode("latin-1"): p.value.decode("latin-1") for p in parts}
        return Body(json.dumps(document).encode(), "application/json", parts)
    if encoding == "none":
        return Body(b"", "application/x-www-form-urlencoded", parts)
    chunks = []
    for part in parts:
        disposition = b'Content-Disposition: form-data; name="' + _header_safe(part.name) + b'"'
        if part.filename is not None:
            disposition += (
                b'; filename="'
                + _header_safe(part.filename)
                + b'"\r\nContent-Type: application/octet-stream'
            )
        chunks.append(b"--" + BOUNDARY + b"\r\n" + disposition + b"\r\n\r\n" + part.value + b"\r\n")
    data = b"".join(chunks) + b"--" + BOUNDARY + b"--\r\n"
    return Body(data, "multipart/form-data; boundary=" + BOUNDARY.decode(), parts)


# --- hostile values ----------------------------------------------------------------------------

NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\u202eevil",
    "\ufeff",
    "\r\n",
    "\t",
    "-1",
    "0",
    "1e309",
    "NaN",
    "-0",
    "99999999999999999999",
    "true",
    "null",
    "[]",
    "{}",
    "٣",
    "𝟙",
    "²",
    "½",
    "<script>alert(1)</script>",
    "' OR '1'='1",
    "%s%n",
    "{{7*7}}",
    "../../etc/passwd",
    "name@example.org",
    "@",
    "a@b",
    "😀😀😀",
    "A" * 16,
    "x" * 64,
    "True",
    "False",
    "yes",
]
SIZES = [61, 81, 121, 201, 255, 1001, 2001, 5001, 100_001]


def utf8(text: str) -> bytes:
    """Text as a browser sends it (lone surrogates as their raw bytes)."""
    return text.encode("utf-8", "surrogatepass")


def hostile_values(options: tuple[str, ...] = ()) -> st.SearchStrategy[bytes]:
    """Values no honest page sends: any text, raw bytes, latin-1, numbers, far too long."""
    strategies = [
        st.text(max_size=200).map(utf8),
        st.binary(max_size=200),  # mostly not UTF-8 at all
        st.text(st.characters(max_codepoint=255), max_size=100).map(lambda t: t.encode("latin-1")),
        *[st.sampled_from(NASTY).map(utf8)] * 3,  # the values that break things, more often
        st.integers().map(str).map(utf8),
        st.floats().map(repr).map(utf8),
        st.builds(
            lambda size, char: utf8(char * size),
            st.sampled_from(SIZES),
            st.sampled_from(["x", "é", "\x00", " ", "𝟙", "<"]),
        ),
    ]
    if options:  # another control's choice: the answer to a different question
        strategies.append(st.sampled_from(options).map(utf8))
    return st.one_of(strategies)


def field_names() -> st.SearchStrategy[bytes]:
    """Names no form has: any text, bytes that are not UTF-8, near misses."""
    return st.one_of(
        st.text(max_size=30).map(utf8),
        st.binary(min_size=1, max_size=30),
        st.sampled_from(
            [
                b"",
                b"csrf_token ",
                b"item-",
                b"item-0",
                b"objective_9",
                b"x[]",
                b"a.b",
                b"__proto__",
                b"submit",
            ]
        ),
    )


def file_names() -> st.SearchStrategy[bytes]:
    """What a browser may send as a file's name."""
    return st.one_of(
        st.just(b"certificate.pdf"),
        st.just(b""),
        field_names(),
        st.just(b"../../etc/passwd"),
        st.just("é".encode("latin-1") + b".pdf"),
    )


@st.composite
def post_bodies(
    draw, baseline: tuple[Part, ...], form: PageForm | None, files: st.SearchStrategy[bytes]
) -> Body:
    """The honest body with 1-4 fields dropped, replaced, duplicated or added; sometimes a
    bad CSRF token; sent in any encoding."""
    controls = form.controls if form else {}
    options = tuple(
        sorted({v for c in controls.values() if c.kind in ("radio", "select") for v in c.values})
    )
    parts = list(baseline)
    names = sorted({p.name for p in parts if p.name != b"csrf_token"})
    for _ in range(draw(st.integers(1, 4))):
        operation = draw(st.sampled_from(["replace", "replace", "drop", "duplicate", "add"]))
        if operation == "add" or not names:
            parts.append(Part(draw(field_names()), draw(hostile_values(options))))
            continue
        name = draw(st.sampled_from(names))
        control = controls.get(name.decode())
        is_file = control is not None and control.kind == "file"
        value = draw(files if is_file else hostile_values(options))
        # Only file controls get files: a file in a text field is a known 500, see
        # test_bug_a_file_sent_for_a_text_field_is_a_500 in tests/security/test_fuzz_forms.py.
        new = Part(name, value, draw(file_names()) if is_file else None)
        if operation == "drop":
            parts = [p for p in parts if p.name != name]
        elif operation == "replace":
            parts = [new if p.name == name else p for p in parts]
        else:
            parts.append(new)
    csrf = draw(st.sampled_from(["keep"] * 12 + ["drop", "garbage"]))
    if csrf == "drop":
        parts = [p for p in parts if p.name != b"csrf_token"]
    elif csrf == "garbage":
        parts = [
            replace(p, value=draw(hostile_values())) if p.name == b"csrf_token" else p
            for p in parts
        ]
    return encode_body(parts, draw(st.sampled_from(ENCODINGS)))


# --- what every answer must be ---------------------------------------------------------------

_MESSAGE_PATTERNS = [
    r'<p class="field-error"[^>]*>(.*?)</p>',
    r'<p class="notice"[^>]*>(.*?)</p>',
    r'<p class="flash[^"]*"[^>]*>(.*?)</p>',
    r'<p class="status status-[a-z]+"[^>]*>(.*?)</p>',
    r'<div class="error-summary"[^>]*>(.*?)</div>',
    r"<h1>[^<]*</h1>\s*<p>(.*?)</p>",  # the error page: its title, then what to do
]


def messages_in(response) -> list[str]:
    """The messages meant for a person: JSON `error`, or the page's errors and notices."""
    if response.is_json:
        document = response.get_json(silent=True)
        error = document.get("error") if isinstance(document, dict) else None
        return [error] if isinstance(error, str) else []
    page = response.get_data(as_text=True)
    found = []
    for pattern in _MESSAGE_PATTERNS:
        found += [text_of(m) for m in re.findall(pattern, page, re.S)]
    return [m for m in found if m]


def is_readable(message: str) -> bool:
    """A sentence, not a code or a traceback: a few words made of letters."""
    words = re.findall(r"[^\W\d_]{2,}", message)
    return (
        len(words) >= 2
        and len(message) >= 8
        and not any(sign in message for sign in TRACEBACK_SIGNS)
    )


def has_field_errors(page: str) -> bool:
    """Whether a page marks a form control as wrong."""
    return 'aria-invalid="true"' in page or "has-error" in page


def check_answer(response, what: str) -> None:
    """No 5xx; a 4xx, or a form shown again with errors, says what is wrong in words."""
    status = response.status_code
    if status < 400 and response.mimetype.startswith(("application/vnd.", "application/pdf")):
        return  # a binary download (.xlsx, .xls, PDF): nothing in it to read as a page
    body = response.get_data(as_text=True)
    assert status < 500, f"{what}: {status}\n{text_of(body)[:500]}"
    assert not any(sign in body for sign in TRACEBACK_SIGNS), f"{what}: a traceback in the page"
    if 300 <= status < 400:
        assert response.headers.get("Location"), f"{what}: a redirect without a Location"
        return
    if status >= 400 or has_field_errors(body):
        messages = messages_in(response)
        assert messages, f"{what}: {status} without a message\n{text_of(body)[:500]}"
        assert any(is_readable(m) for m in messages), f"{what}: {status} says only {messages}"
