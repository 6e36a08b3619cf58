"""Rendering that depends only on a course version's content, cached per process."""

from __future__ import annotations

from functools import lru_cache

from flask import render_template
from markupsafe import Markup

from ceengine.courses.content import Module
from ceengine.courses.models import CourseVersion
from ceengine.extensions import db


@lru_cache(maxsize=256)
def _blocks_html(content_hash: str, module_slug: str, version_id: int) -> Markup:
    # Keyed by content hash: the same hash always means the same files, so the same HTML.
    version = db.session.get(CourseVersion, version_id)
    course = version.spec
    return Markup(
        render_template(
            "courses/_blocks.html", blocks=course.module(module_slug).blocks, slug=course.slug
        )
    )


def module_html(version: CourseVersion, module: Module) -> Markup:
    """The rendered lesson or module body, rendered once per content and process."""
    return _blocks_html(version.content_hash, module.slug, version.id)
