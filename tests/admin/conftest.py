"""Fixtures of the admin tests: a signed-in admin, and report data made quickly."""

from __future__ import annotations

import pytest

from ceengine.admin.recount import recount_totals
from tests.support.admin_steps import admin_client
from tests.support.factories import at, attempt_with, evaluation_with
from tests.support.reports import PATTERNS, RATINGS


@pytest.fixture(autouse=True)
def _quick_hashes(quick_hashes):
    """Every admin test hashes admin passwords quickly."""


@pytest.fixture
def admin(synced):
    """A browser signed in to the admin console, with the fixture courses loaded."""
    return admin_client(synced)


@pytest.fixture
def rated(synced):
    """Five ratings of the lesson course over January and February 2024."""
    for rating, day, comments in RATINGS:
        evaluation_with("demo-lesson", rating, comments=comments, when=at(day, 23))
    recount_totals()  # the totals follow the back-dated evaluations
    return synced


@pytest.fixture
def attempted(synced):
    """Seven attempts at the lesson, two at the module course."""
    for pattern in PATTERNS:
        attempt_with("demo-lesson", [bool(x) for x in pattern])
    attempt_with("demo-modules", [True, True, True])
    attempt_with("demo-modules", [True, False, True])
    return synced
