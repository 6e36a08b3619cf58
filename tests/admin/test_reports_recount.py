"""`ceengine admin recount`: the totals rebuilt from the raw rows, the pages unchanged."""

from __future__ import annotations

import re

import sqlalchemy as sa

from ceengine.extensions import db
from ceengine.feedback.models import EvaluationTally
from ceengine.quizzes.models import VersionResultTally
from tests.support.factories import version_of
from tests.support.html import text_of
from tests.support.reports import page

# --- recount -------------------------------------------------------------------------------


def report_texts(admin) -> dict[str, str]:
    version = version_of("demo-lesson").id
    addresses = [
        "/admin",
        "/admin/ratings",
        "/admin/evaluations",
        "/admin/results",
        f"/admin/results/versions/{version}",
        "/courses/demo-lesson",
    ]
    return {address: text_of(page(admin, address)) for address in addresses}


def test_recount_rebuilds_the_totals_and_leaves_the_pages_as_they_were(
    rated, attempted, admin, runner
):
    before = report_texts(admin)

    result = runner.invoke(args=["admin", "recount"])

    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert report_texts(admin) == before
    lines = result.output.splitlines()
    assert [line.split(":")[0] for line in lines[:7]] == [
        "rating_totals",
        "rating_votes",
        "evaluation_tallies",
        "version_result_tallies",
        "item_result_tallies",
        "certificate_tallies",
        "order_tallies",
    ]
    assert all(re.fullmatch(r"\w+: \d+ rows", line) for line in lines[:7])
    assert lines[7] == (
        "The overview, ratings, results and orders pages now match the stored evaluations, "
        "attempts, certificates and orders."
    )


def test_recount_repairs_totals_that_went_wrong(rated, attempted, admin, runner):
    before = report_texts(admin)
    db.session.execute(sa.delete(EvaluationTally).where(EvaluationTally.answer == 5))
    db.session.execute(
        sa.update(VersionResultTally).values(attempts=VersionResultTally.attempts + 10)
    )
    db.session.commit()
    assert report_texts(admin) != before

    result = runner.invoke(args=["admin", "recount"])

    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert report_texts(admin) == before
