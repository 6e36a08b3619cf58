"""Reading served HTML as a person and a browser do: its text, its forms as submitted, its
tables and its flash messages (one parser reads forms and tables)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser


def html_of(source) -> str:
    """A response's HTML (or the HTML given)."""
    return source if isinstance(source, str) else source.get_data(as_text=True)


def text_of(source) -> str:
    """The text a person reads on a page, part of one, or a response: no tags, no script or
    style, entities read, spaces collapsed."""
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html_of(source), flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def spoken_text_of(source) -> str:
    """The text as a screen reader speaks it: `text_of`, with no space before punctuation."""
    return re.sub(r" ([:;,.])", r"\1", text_of(source))


@dataclass
class Control:
    """One named control of a form: its kind and the values the page offers for it."""

    name: str
    kind: str  # hidden, text, email, password, textarea, radio, checkbox, file, submit, select
    values: list[str] = field(default_factory=list)


@dataclass
class Form:
    """One <form>: where and how it sends, what a browser submits (hidden values, radio groups
    with their options, typed and ticked values, buttons), and every named control."""

    action: str
    method: str = "get"
    hidden: dict[str, str] = field(default_factory=dict)
    radios: dict[str, list[str]] = field(default_factory=dict)
    checked: dict[str, str] = field(default_factory=dict)
    legends: list[str] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)
    submits: dict[str, str] = field(default_factory=dict)
    controls: dict[str, Control] = field(default_factory=dict)

    def answers(self, chosen: dict[str, str] | None = None) -> dict[str, str]:
        """The post body: hidden fields plus the chosen radio values."""
        return {**self.hidden, **(chosen or {})}


class _PageParser(HTMLParser):
    """Reads a page once: its forms and its tables ({"caption": text, "rows": [[cell]]})."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self.tables: list[dict] = []
        self._in_legend = False
        self._unspoken: str | None = None  # an aria-hidden element inside a legend (its tag)
        self._textarea: str | None = None
        self._select: Control | None = None
        self._cell: list[str] | None = None
        self._caption: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self._in_legend and attrs.get("aria-hidden") == "true":
            self._unspoken = tag  # a legend is read as the group's name: without what is hidden
        if tag == "form":
            self.forms.append(
                Form(action=attrs.get("action", ""), method=(attrs.get("method") or "get").lower())
            )
        elif tag in ("input", "button", "textarea", "select", "legend") and self.forms:
            self._form_tag(self.forms[-1], tag, attrs)
        elif tag == "option" and self._select is not None:
            self._select.values.append(attrs.get("value", ""))
        elif tag == "table":
            self.tables.append({"caption": "", "rows": []})
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th") and self.tables:
            self._cell = []
        elif tag == "caption":
            self._caption = []

    def _form_tag(self, form: Form, tag: str, attrs: dict) -> None:
        name = attrs.get("name")
        if tag == "input":
            kind = attrs.get("type", "text")
            self._control(form, name, kind, attrs.get("value", ""))
            if name:
                self._submitted(form, name, kind, attrs)
        elif tag == "button" and name:
            self._control(form, name, "submit", attrs.get("value", ""))
        elif tag in ("textarea", "select"):
            self._control(form, name, tag, None)
            if tag == "select":
                self._select = form.controls.get(name)
            elif name:
                self._textarea = name
                form.values[name] = ""
        elif tag == "legend":
            self._in_legend = True
            form.legends.append("")

    @staticmethod
    def _control(form: Form, name: str | None, kind: str, value: str | None) -> None:
        if not name:
            return
        control = form.controls.setdefault(name, Control(name, kind))
        if value is not None:
            control.values.append(value)

    @staticmethod
    def _submitted(form: Form, name: str, kind: str | None, attrs: dict) -> None:
        """What a browser sends for an <input>: hidden, radio, typed, button, ticked box."""
        if kind == "hidden":
            form.hidden[name] = attrs.get("value", "")
        elif kind == "radio":
            form.radios.setdefault(name, []).append(attrs.get("value", "on"))
            if "checked" in attrs:
                form.checked[name] = attrs.get("value", "on")
        elif kind in ("text", "email"):
            form.values[name] = attrs.get("value", "")
        elif kind == "submit":
            form.submits[name] = attrs.get("value", "")
        elif kind == "checkbox" and "checked" in attrs:
            form.values[name] = attrs.get("value", "y")

    def handle_endtag(self, tag):
        if tag == self._unspoken:
            self._unspoken = None
        if tag == "legend":
            self._in_legend = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag in ("td", "th") and self._cell is not None:
            self.tables[-1]["rows"][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "caption" and self._caption is not None:
            self.tables[-1]["caption"] = " ".join("".join(self._caption).split())
            self._caption = None

    def handle_data(self, data):
        if self._textarea is not None:
            values = self.forms[-1].values
            start = not values[self._textarea]  # WTForms puts a line break after the tag
            values[self._textarea] += (
                data.removeprefix("\r\n").removeprefix("\n") if start else data
            )
        if self._in_legend and self._unspoken is None:
            self.forms[-1].legends[-1] += data
        if self._cell is not None:
            self._cell.append(data)
        if self._caption is not None:
            self._caption.append(data)


def _parsed(source) -> _PageParser:
    parser = _PageParser()
    parser.feed(html_of(source))
    return parser


def forms_in(source) -> list[Form]:
    """Every form in a page (or part of one, or a response)."""
    return _parsed(source).forms


def quiz_form_in(html: str) -> Form:
    """The Score My Quiz form on a page."""
    forms = [f for f in forms_in(html) if f.action.endswith("/quiz")]
    assert forms, "no quiz form on the page"
    return forms[0]


def form_in(html: str, field_name: str) -> Form:
    """The first form on a page that has a field called `field_name`."""
    for form in forms_in(html):
        if field_name in form.values or field_name in form.hidden or field_name in form.submits:
            return form
    raise AssertionError(f"no form with a field {field_name!r} on the page")


def csrf_token_in(source) -> str:
    """The CSRF token of the first form on a page (or a response) that carries one."""
    return form_in(html_of(source), "csrf_token").hidden["csrf_token"]


def form_posting_to(source, action_end: str) -> Form:
    """The one form whose action ends with `action_end`."""
    found = [f for f in forms_in(source) if f.action.endswith(action_end)]
    assert len(found) == 1, f"{len(found)} forms posting to …{action_end}"
    return found[0]


def tables_in(source) -> list[dict]:
    """Every <table> in a page (or part of one): {"caption": text, "rows": [[cell, ...]]}."""
    return _parsed(source).tables


def table_with(source, caption: str) -> list[list[str]]:
    """The rows of the one table whose caption is `caption` (header row first)."""
    found = [t["rows"] for t in tables_in(source) if t["caption"] == caption]
    assert len(found) == 1, (
        f"{len(found)} tables {caption!r} in {[t['caption'] for t in tables_in(source)]}"
    )
    return found[0]


def flashes(source) -> list[tuple[str, str]]:
    """The (category, text) of each flash message on a page."""
    found = re.findall(r'<p class="flash flash-(\w+)"[^>]*>(.*?)</p>', html_of(source), re.S)
    return [(category, text_of(message)) for category, message in found]


def flashes_in(source) -> list[str]:
    """The text of each flash message on a page."""
    return [text for _, text in flashes(source)]
