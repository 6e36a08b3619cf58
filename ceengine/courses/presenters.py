"""Rendering that depends only on a course version's content, cached per process."""

from __future__ import annotations

from flask import render_template
from markupsafe import Markup

from ceengine.courses.content import Module
from ceengine.courses.models import CourseVersion
from ceengine.courses.snapshots import is_cacheable, snapshot_of


def module_html(version: CourseVersion, module: Module) -> Markup:
    """The rendered lesson or module body, rendered once per version and process."""
    course = version.spec

    def render() -> Markup:
        return Markup(
            render_template(
                "courses/_blocks.html", blocks=course.module(module.slug).blocks, slug=course.slug
            )
        )

    if not is_cacheable(version):
        return render()
    return snapshot_of(version).fragment(("module", module.slug), render)
