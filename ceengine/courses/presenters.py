"""Rendering that depends only on a course version's content, cached per process."""

from __future__ import annotations

from functools import lru_cache

from flask import render_template
from markupsafe import Markup

from ceengine.courses.models import CourseVersion
from ceengine.extensions import db


@lru_cache(maxsize=256)
def _blocks_html(content_hash: str, module_slug: str, version_id: int) -> Markup:
    # Keyed by content hash: the same hash always means the same files, so the same HTML.
    version = db.session.get(CourseVersion, version_id)
    content = version.content
    module = next(m for m in content["modules"] if m["slug"] == module_slug)
    return Markup(render_template("courses/_blocks.html", blocks=module["blocks"],
                                  slug=content["slug"]))


def module_html(version: CourseVersion, module: dict) -> Markup:
    """The rendered lesson or module body, rendered once per content and process."""
    return _blocks_html(version.content_hash, module["slug"], version.id)
