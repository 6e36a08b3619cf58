"""Course folders as an author edits them, and what the loader says about them."""

from __future__ import annotations

from pathlib import Path

import pytest

from ceengine.courses.format import CourseFormatError, read_courses


def problems_of(courses: Path) -> list[str]:
    """The loader's problems with a courses folder (it must refuse it)."""
    with pytest.raises(CourseFormatError) as caught:
        read_courses(courses)
    return [str(p) for p in caught.value.problems]
