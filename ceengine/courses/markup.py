"""Markdown to safe HTML: rendered with markdown-it-py, cleaned with nh3, once, at load."""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt

_TAGS = set(nh3.ALLOWED_TAGS) - {"img", "map", "area", "center", "acronym", "strike", "tt"}
_ATTRIBUTES = {**nh3.ALLOWED_ATTRIBUTES, "h2": {"id"}, "h3": {"id"}}
_ATTRIBUTES.pop("img", None)

markdown = MarkdownIt("commonmark", {"html": True, "typographer": True}).enable(
    ["table", "replacements", "smartquotes"]
)


def clean_html(html: str) -> str:
    """Remove scripts, event handlers, styles and unsafe links from `html`."""
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        link_rel="noopener noreferrer",
        url_schemes={"http", "https", "mailto"},
    )


def wrap_tables(html: str) -> str:
    """Put each table in a labelled region that keyboard users can scroll on a phone."""
    return html.replace(
        "<table>",
        '<div class="table-scroll" role="region" tabindex="0" '
        'aria-label="Table (scrolls sideways on small screens)"><table>',
    ).replace("</table>", "</table></div>")


def render_markdown(text: str) -> str:
    """Render block Markdown (paragraphs, lists) to clean HTML."""
    return clean_html(markdown.render(text))


def render_inline(text: str) -> str:
    """Render one line of inline Markdown (emphasis, links) to clean HTML."""
    return clean_html(markdown.renderInline(text))


def section_address(title: str) -> str:
    """The address of a `##` heading: lowercase words joined by single hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
