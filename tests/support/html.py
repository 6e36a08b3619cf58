"""Reading served HTML as a person and a browser do: its text, and its forms as submitted."""

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
class Form:
    """The fields of one <form>: hidden values, radio groups with their options."""

    action: str
    hidden: dict[str, str] = field(default_factory=dict)
    radios: dict[str, list[str]] = field(default_factory=dict)
    checked: dict[str, str] = field(default_factory=dict)
    legends: list[str] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)
    submits: dict[str, str] = field(default_factory=dict)

    def answers(self, chosen: dict[str, str] | None = None) -> dict[str, str]:
        """The post body: hidden fields plus the chosen radio values."""
        return {**self.hidden, **(chosen or {})}


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._in_legend = False
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(Form(action=attrs.get("action", "")))
        elif tag == "input" and self.forms:
            form = self.forms[-1]
            if attrs.get("type") == "hidden":
                form.hidden[attrs["name"]] = attrs.get("value", "")
            elif attrs.get("type") == "radio":
                form.radios.setdefault(attrs["name"], []).append(attrs["value"])
                if "checked" in attrs:
                    form.checked[attrs["name"]] = attrs["value"]
            elif attrs.get("type", "text") in ("text", "email"):
                form.values[attrs["name"]] = attrs.get("value", "")
            elif attrs.get("type") == "submit":
                form.submits[attrs["name"]] = attrs.get("value", "")
            elif attrs.get("type") == "checkbox" and "checked" in attrs:
                form.values[attrs["name"]] = attrs.get("value", "y")
        elif tag == "textarea" and self.forms:
            self._textarea = attrs["name"]
            self.forms[-1].values[self._textarea] = ""
        elif tag == "legend" and self.forms:
            self._in_legend = True
            self.forms[-1].legends.append("")

    def handle_endtag(self, tag):
        if tag == "legend":
            self._in_legend = False
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            values = self.forms[-1].values
            start = not values[self._textarea]  # WTForms puts a line break after the tag
            values[self._textarea] += data.removeprefix("\r\n").removeprefix("\n") if start \
                else data
        if self._in_legend:
            self.forms[-1].legends[-1] += data


def quiz_form_in(html: str) -> Form:
    """The Score My Quiz form on a page."""
    parser = _FormParser()
    parser.feed(html)
    forms = [f for f in parser.forms if f.action.endswith("/quiz")]
    assert forms, "no quiz form on the page"
    return forms[0]


def form_in(html: str, field_name: str) -> Form:
    """The first form on a page that has a field called `field_name`."""
    parser = _FormParser()
    parser.feed(html)
    for form in parser.forms:
        if field_name in form.values or field_name in form.hidden or field_name in form.submits:
            return form
    raise AssertionError(f"no form with a field {field_name!r} on the page")
