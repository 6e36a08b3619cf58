"""The course's Markdown handouts, printed as PDFs: found in the version's own blocks (only a
handout the course offers is rendered), read from its media/ folder, set once per process."""

from __future__ import annotations

import threading
from pathlib import Path

from flask import current_app

from ceengine.courses.handout_pdf import render_handout
from ceengine.courses.models import CourseVersion

_CACHE_KEY = "ceengine.handout_pdfs"
_lock = threading.Lock()


def _handout_block(version: CourseVersion, filename: str) -> dict | None:
    for module in version.spec.modules:
        for block in module.blocks:
            media = block.get("media") if block.get("kind") == "handout" else None
            if media and media.get("printable") == filename:
                return block
    return None


def handout_pdf(version: CourseVersion, filename: str) -> tuple[bytes, str] | None:
    """(the PDF, its title) of the version's handout printed as `filename`; None when the
    course offers no such handout or its file is gone."""
    block = _handout_block(version, filename)
    if block is None:
        return None
    config = current_app.config
    sponsor = config["SPONSOR_NAME"]
    key = (version.id, filename, sponsor)
    cache = current_app.extensions.setdefault(_CACHE_KEY, {})
    if key not in cache:
        path = Path(config["COURSES_DIR"]) / version.course.slug / "media" / block["media"]["file"]
        try:
            markdown = path.read_text(encoding="utf-8")
        except OSError:
            return None
        with _lock:
            cache[key] = render_handout(markdown, block["title"], version.title, sponsor)
    return cache[key], block["title"]
