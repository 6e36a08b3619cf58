"""The typed view of a course version's content: one place for each default."""

from __future__ import annotations

import dataclasses
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from ceengine.courses.content import (
    CertificateTerms,
    CourseContent,
    EvaluationSettings,
    QuizPolicy,
    ReflectionSettings,
)
from ceengine.courses.format import read_courses
from ceengine.courses.models import CourseVersion

FIXTURES = Path(__file__).parent.parent / "fixtures" / "courses"

# What a version synced before `format`, `evaluation`, `reflections` and
# `certificate.license_details` existed holds.
OLDEST_CONTENT = {
    "slug": "old-course",
    "title": "Old course",
    "summary": "Synced long ago.",
    "description_html": "<p>Old.</p>",
    "presenters": [{"name": "Ada Example", "credentials": "PhD", "bio_html": "<p>Ada.</p>"}],
    "objectives": ["Name one thing."],
    "ce_hours": "1.5",
    "level": "introductory",
    "audience": "Nurses",
    "certificate": {"fee_cents": 0, "currency": "usd"},
    "quiz_policy": {
        "pass_threshold": 80,
        "max_attempts": None,
        "wait_minutes": 0,
        "shuffle": False,
        "feedback": "after_pass",
    },
    "references": [],
    "single_page": True,
    "modules": [
        {
            "slug": "lesson",
            "title": "Lesson",
            "blocks": [{"kind": "html", "html": '<h2 id="one">One</h2>'}],
            "sections": [{"id": "one", "title": "One"}],
        }
    ],
}


def test_a_version_synced_before_the_newer_keys_reads_with_the_documented_defaults():
    course = CourseContent.from_json(OLDEST_CONTENT)
    assert course.format == "Self-paced online (home study)"
    assert course.certificate.license_details == "none"
    assert course.evaluation.required is True
    assert course.reflections == ReflectionSettings(
        enabled=True, prompt="What insights did this session spark for you?", moderation=True
    )
    assert course.ce_hours == Decimal("1.5")
    assert course.quiz_policy.pass_threshold == 80
    assert course.quiz_policy.minimum_minutes == 0  # time on the course: noted, not enforced
    assert course.module("lesson").sections[0].title == "One"
    assert course.module("missing") is None


def test_the_loader_stores_the_same_defaults_the_view_fills_in(tmp_path):
    courses = tmp_path / "courses"
    shutil.copytree(FIXTURES, courses)
    course_yaml = courses / "demo-lesson" / "course.yaml"
    text = course_yaml.read_text()
    cut = text.index("quiz:")  # leave out every optional section
    course_yaml.write_text(text[:cut])
    specs, _ = read_courses(courses)
    stored = specs[0].content
    assert stored["format"] == "Self-paced online (home study)"
    assert stored["quiz_policy"] == dataclasses.asdict(QuizPolicy())
    assert stored["certificate"] == dataclasses.asdict(CertificateTerms())
    assert stored["evaluation"] == dataclasses.asdict(EvaluationSettings())
    assert stored["reflections"] == dataclasses.asdict(ReflectionSettings())
    assert QuizPolicy() == QuizPolicy(
        pass_threshold=75,
        max_attempts=None,
        wait_minutes=0,
        shuffle=False,
        feedback="after_pass",
        minimum_minutes=0,
    )
    assert CertificateTerms() == CertificateTerms(
        fee_cents=0, currency="usd", license_details="none"
    )


def test_the_view_is_read_only_and_follows_its_version():
    version = CourseVersion(content=OLDEST_CONTENT)
    course = version.spec
    assert version.spec is course  # built once
    with pytest.raises(dataclasses.FrozenInstanceError):
        course.title = "Changed"  # type: ignore[misc]
    version.content = {**OLDEST_CONTENT, "title": "Renamed"}
    assert version.spec.title == "Renamed"
