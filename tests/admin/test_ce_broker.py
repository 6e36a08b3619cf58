"""Board reporting: the CE Broker roster of Florida completions (CE Broker's Excel upload
layout), the rows it refuses, marking an uploaded roster as reported, and the overview's
notice of Florida completions not reported within 30 days."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy as sa
import xlrd

from ceengine.admin import ce_broker as ce_broker_module
from ceengine.admin import overview as overview_module
from ceengine.admin.ce_broker import Backlog, ce_broker_roster, florida_backlog
from ceengine.admin.filters import Filter
from ceengine.admin.models import CeBrokerReport
from ceengine.certificates.models import REVOKED, SUPERSEDED, Certificate
from ceengine.courses.approvals import Sponsor
from ceengine.courses.format import read_library
from ceengine.courses.services import current_sponsor, sponsor_today, sync_courses
from ceengine.extensions import db
from tests.support.admin_steps import admin_client, post_action
from tests.support.course_files import problems_of
from tests.support.factories import at, attempt_with, certificate_row, rows_of
from tests.support.html import flashes_in, form_posting_to, html_of, table_with, text_of
from tests.support.reports import body_rows, page

SPONSOR = """\
approvals: []
ce_broker:
  provider_number: "1234"
  professions:
    LCSW: CSW
    lmft: MFT
"""
ITEMS = {"demo-lesson": 6, "demo-modules": 3}
FLORIDA_CREDIT = {
    "short": "Florida Board",
    "body_name": "Florida Board of Clinical Social Work",
    "provider": "Compassion CE Institute",
    "number": "50-1234",
    "period": "",
    "amount": "1 CE hour",
    "format": "Self-paced online (home study)",
    "statement": "Compassion CE Institute is approved by the Florida Board, provider #50-1234.",
}
READY = "Completions ready for CE Broker, by completion date"
REFUSED = "Completions the roster cannot take, with the reason"


def report_to_ce_broker(courses_dir, sponsor: str = SPONSOR) -> None:
    """The sponsor reports to CE Broker; the lesson has a CE Broker course number."""
    (courses_dir / "sponsor.yaml").write_text(sponsor, encoding="utf-8")
    course = courses_dir / "demo-lesson" / "course.yaml"
    course.write_text(
        course.read_text(encoding="utf-8") + 'ce_broker_course: "98765"\n', encoding="utf-8"
    )
    sync_courses(courses_dir)


def completion(
    day: str,
    slug: str = "demo-lesson",
    state: str = "FL",
    license_number: str = "SW 1234",
    license_type: str = "LCSW",
    full_name: str = "Kim Lee",
    email: str = "kim@example.org",
    credited: bool = True,
):
    """A valid certificate for a completion on `day` (noon UTC), carrying Florida credit."""
    return certificate_row(
        attempt_with(slug, [True] * ITEMS[slug], when=at(day)),
        full_name=full_name,
        email=email,
        license_type=license_type,
        license_number=license_number,
        license_state=state,
        credits=[FLORIDA_CREDIT] if credited else [],
    )


@pytest.fixture
def florida(synced, courses_dir):
    report_to_ce_broker(courses_dir)
    return synced


@pytest.fixture
def admin(florida):
    return admin_client(florida)


def download(admin, query: str = "") -> xlrd.book.Book:
    """Open the CE Broker page and follow its download link; the .xls as xlrd reads it."""
    html = html_of(page(admin, f"/admin/exports/ce-broker{query}"))
    link = re.search(r'href="([^"]*ce-broker\.xls[^"]*)"[^>]*>Download CE Broker roster', html)
    response = admin.get(link.group(1).replace("&amp;", "&"))
    assert response.status_code == 200, text_of(response)
    assert response.mimetype == "application/vnd.ms-excel"
    assert re.fullmatch(
        r'attachment; filename="ceengine-ce-broker-\d{4}-\d{2}-\d{2}\.xls"',
        response.headers["Content-Disposition"],
    )
    return xlrd.open_workbook(file_contents=response.data, formatting_info=True)


def cells(book: xlrd.book.Book) -> list[list]:
    """Every row's values, dates as dates."""
    sheet = book.sheet_by_index(0)
    rows = []
    for r in range(sheet.nrows):
        row = []
        for c in range(sheet.ncols):
            cell = sheet.cell(r, c)
            if cell.ctype == xlrd.XL_CELL_DATE:
                row.append(xlrd.xldate_as_datetime(cell.value, book.datemode).date())
            else:
                row.append(cell.value)
        rows.append(row)
    return rows


def ready_numbers(admin, query: str = "") -> list[str]:
    return [
        r[0] for r in body_rows(table_with(page(admin, f"/admin/exports/ce-broker{query}"), READY))
    ]


# --- the sponsor file --------------------------------------------------------------------


def test_the_ce_broker_section_is_read_from_the_sponsor_file(courses_dir):
    (courses_dir / "sponsor.yaml").write_text(SPONSOR, encoding="utf-8")

    _, spec, _ = read_library(courses_dir)

    ce_broker = spec.sponsor.ce_broker
    assert ce_broker.provider_number == "1234"
    assert ce_broker.profession_code(" lcsw ") == "CSW"
    assert ce_broker.profession_code("LMFT") == "MFT"
    assert ce_broker.profession_code("RN") is None
    assert Sponsor.from_json(spec.sponsor.to_json()) == spec.sponsor
    # Sponsor versions synced before CE Broker have no such key: no reporting.
    assert Sponsor.from_json({"approvals": [], "attestation": "I did it."}).ce_broker is None


def test_mistakes_in_the_ce_broker_settings_are_reported_with_file_and_line(courses_dir):
    (courses_dir / "sponsor.yaml").write_text(
        """\
approvals: []
ce_broker:
  provider_number: "50-1234"
  professions:
    LCSW: C S W
    LMFT: MFT
    lmft: MFT
  portal: https://cebroker.com
""",
        encoding="utf-8",
    )
    course = courses_dir / "demo-lesson" / "course.yaml"
    course.write_text(
        course.read_text(encoding="utf-8") + 'ce_broker_course: "20-555"\n', encoding="utf-8"
    )
    lines = len(course.read_text(encoding="utf-8").splitlines())

    assert problems_of(courses_dir) == [
        f"courses/demo-lesson/course.yaml:{lines}: course.yaml: write 'ce_broker_course' "
        'without CE Broker\'s "20-": 555',
        "courses/sponsor.yaml:3: ce_broker: write 'provider_number' without CE Broker's "
        '"50-": 1234',
        "courses/sponsor.yaml:5: ce_broker: write each profession as LICENSE TYPE: CODE, for "
        "example LCSW: CSW (CE Broker's code in letters and digits), not 'LCSW: C S W'",
        "courses/sponsor.yaml:7: ce_broker: license type 'lmft' is listed twice",
        "courses/sponsor.yaml:8: ce_broker: unknown key 'portal' (allowed: professions, "
        "provider_number)",
    ]


def test_the_provider_number_is_required_and_in_digits(courses_dir):
    (courses_dir / "sponsor.yaml").write_text("ce_broker:\n  professions: {}\n", encoding="utf-8")
    assert problems_of(courses_dir) == [
        "courses/sponsor.yaml:2: ce_broker: 'provider_number' is required"
    ]
    (courses_dir / "sponsor.yaml").write_text(
        "ce_broker:\n  provider_number: PR-12\n", encoding="utf-8"
    )
    assert problems_of(courses_dir) == [
        "courses/sponsor.yaml:2: ce_broker: 'provider_number' must be CE Broker's number in "
        "digits, not 'PR-12'"
    ]
    (courses_dir / "sponsor.yaml").write_text(
        "ce_broker:\n  provider_number: 0123\n", encoding="utf-8"
    )
    assert problems_of(courses_dir) == [  # YAML reads a bare 0123 as 83
        "courses/sponsor.yaml:2: ce_broker: write 'provider_number' in quotes, as written on "
        "CE Broker: a bare number may not be read as written (0123 is read as 83)"
    ]


# --- the roster --------------------------------------------------------------------------


def test_the_roster_file_has_ce_broker_s_documented_columns_cell_by_cell(admin):
    completion("2026-11-03", license_number="SW 1234", license_type="lcsw")
    completion("2026-11-12", slug="demo-modules", license_number="0077", license_type="LMFT")

    book = download(admin, "?start=2026-11-01&end=2026-11-30")

    assert cells(book) == [
        ["1234", "98765", "", "", "SW 1234", date(2026, 11, 3), "State=FL", "Profession=CSW"],
        ["1234", "", "demo-modules", "", "0077", date(2026, 11, 12), "State=FL", "Profession=MFT"],
    ]
    sheet = book.sheet_by_index(0)
    for row in range(2):
        date_cell = sheet.cell(row, 5)  # F: a real Excel date, shown as CE Broker's 12/3/2008
        assert date_cell.ctype == xlrd.XL_CELL_DATE
        number_format = book.format_map[book.xf_list[date_cell.xf_index].format_key]
        assert number_format.format_str == "m/d/yyyy"
        assert sheet.cell(row, 4).ctype == xlrd.XL_CELL_TEXT  # leading zeros kept
        assert sheet.cell(row, 3).ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK)


def test_only_valid_florida_completions_in_the_dates_are_in_the_roster(admin):
    included = [
        completion("2026-10-01", state="FL"),
        completion("2026-10-02", state="Florida"),
        completion("2026-10-03", state="fl"),
        completion("2026-10-31", state="FLORIDA"),  # the end day counts whole
    ]
    completion("2026-10-05", state="OR")
    completion("2026-10-05", state="Georgia")
    completion("2026-11-01", state="FL")  # the day after the end
    completion("2026-09-30", state="FL")  # the day before the start
    revoked = completion("2026-10-06")
    revoked.status, revoked.revoked_reason = REVOKED, "Issued in error"
    revoked.revoked_at = datetime.now(UTC)
    old = completion("2026-10-07", full_name="Old Name")
    new = certificate_row(
        old.attempt,
        full_name="New Name",
        edition=2,
        license_type="LCSW",
        license_number="SW 9",
        license_state="FL",
        credits=[FLORIDA_CREDIT],
    )
    old.status, old.superseded_by_id = SUPERSEDED, new.id
    db.session.commit()

    query = "?start=2026-10-01&end=2026-10-31"
    expected = [c.number for c in included[:3]] + [new.number, included[3].number]
    assert ready_numbers(admin, query) == expected
    assert [row[4] for row in cells(download(admin, query))] == [
        "SW 1234",
        "SW 1234",
        "SW 1234",
        "SW 9",
        "SW 1234",
    ]


def test_rows_the_roster_cannot_take_are_refused_and_listed_with_the_reason(admin):
    good = completion("2026-11-02")
    no_number = completion(
        "2026-11-03", license_number="", full_name="Ana Núñez", email="ana@example.org"
    )
    nurse = completion(
        "2026-11-04", license_type="RN", full_name="Lee Park", email="lee@example.org"
    )
    no_type = completion(
        "2026-11-05", license_type="", full_name="Sam Roe", email="sam@example.org"
    )

    response = page(admin, "/admin/exports/ce-broker")

    assert body_rows(table_with(response, REFUSED)) == [
        [no_number.number, "Ana Núñez", "ana@example.org", "2026-11-03", "no license number"],
        [
            nurse.number,
            "Lee Park",
            "lee@example.org",
            "2026-11-04",
            "license type RN has no CE Broker profession code in sponsor.yaml",
        ],
        [
            no_type.number,
            "Sam Roe",
            "sam@example.org",
            "2026-11-05",
            "no license type, so no CE Broker profession code",
        ],
    ]
    assert ready_numbers(admin) == [good.number]
    assert "1 completion ready." in text_of(response)
    assert len(cells(download(admin))) == 1


def test_without_a_ce_broker_section_every_row_is_refused_and_the_roster_is_empty(synced):
    admin = admin_client(synced)
    florida_learner = completion("2026-11-02")

    response = page(admin, "/admin/exports/ce-broker")

    assert body_rows(table_with(response, REFUSED)) == [
        [
            florida_learner.number,
            "Kim Lee",
            "kim@example.org",
            "2026-11-02",
            "no CE Broker provider number in sponsor.yaml",
        ]
    ]
    assert "sponsor.yaml has no ce_broker section" in text_of(response)
    assert "Download CE Broker roster" not in text_of(response)
    empty = admin.get("/admin/exports/ce-broker.xls")
    assert empty.status_code == 200
    assert xlrd.open_workbook(file_contents=empty.data).sheet_by_index(0).nrows == 0


# --- marking as reported -----------------------------------------------------------------


def mark(admin, query: str = "", **changes):
    """Press the page's 'I uploaded this roster' button."""
    form = form_posting_to(page(admin, f"/admin/exports/ce-broker{query}"), "/reported" + query)
    return admin.post(form.action, data={**form.hidden, **changes})


def test_marking_twice_records_each_completion_once_and_they_leave_the_roster(admin):
    first, second = completion("2026-11-02"), completion("2026-11-03")
    html = html_of(page(admin, "/admin/exports/ce-broker"))
    assert "I uploaded this roster to CE Broker: mark 2 completions as reported" in text_of(html)
    form = form_posting_to(html, "/admin/exports/ce-broker/reported")

    once = admin.post(form.action, data=form.hidden)
    again = admin.post(form.action, data=form.hidden)  # a double click, or the back button

    assert once.status_code == again.status_code == 303
    assert flashes_in(admin.get(once.location)) == [
        "Marked 2 completions as reported to CE Broker.",
        "These completions were already marked as reported; nothing changed.",
    ]
    reports = rows_of(CeBrokerReport)
    assert sorted(r.certificate_id for r in reports) == [first.id, second.id]
    assert len({r.batch for r in reports}) == 1 and reports[0].admin_id is not None
    after = page(admin, "/admin/exports/ce-broker?reported=1")
    assert "0 completions ready." in text_of(after)
    assert "2 completions in these dates were already reported" in text_of(after)
    shown = body_rows(table_with(after, "Completions already reported to CE Broker"))
    assert [r[0] for r in shown] == [first.number, second.number]
    assert "Download CE Broker roster" not in text_of(after)
    emptied = admin.get("/admin/exports/ce-broker.xls")
    assert xlrd.open_workbook(file_contents=emptied.data).sheet_by_index(0).nrows == 0

    third = completion("2026-11-04")  # the next roster holds only the new completion
    assert [row[4] for row in cells(download(admin))] == ["SW 1234"]
    assert ready_numbers(admin) == [third.number]


def test_a_roster_that_changed_since_the_page_is_not_marked_or_downloaded(admin):
    first = completion("2026-11-02")
    completion("2026-11-03")
    html = html_of(page(admin, "/admin/exports/ce-broker"))
    form = form_posting_to(html, "/admin/exports/ce-broker/reported")
    link = re.search(r'href="([^"]*ce-broker\.xls[^"]*)"', html).group(1).replace("&amp;", "&")
    first.status, first.revoked_reason = REVOKED, "Issued in error"
    first.revoked_at = datetime.now(UTC)
    db.session.commit()

    marked = admin.post(form.action, data=form.hidden)
    downloaded = admin.get(link)

    assert marked.status_code == 409
    assert "1 of the completions on the page you confirmed can no longer be reported" in text_of(
        marked
    )
    assert "nothing was marked" in text_of(marked)
    assert rows_of(CeBrokerReport) == []
    assert downloaded.status_code == 409
    assert "changed since the page was shown" in text_of(downloaded)


def test_marking_needs_the_csrf_token(admin):
    completion("2026-11-02")
    form = form_posting_to(page(admin, "/admin/exports/ce-broker"), "/reported")

    response = post_action(admin, form.action, token=None, ids=form.hidden["ids"])

    assert response.status_code == 400
    assert rows_of(CeBrokerReport) == []


def test_a_list_that_is_not_certificate_ids_is_refused(admin):
    completion("2026-11-02")

    response = mark(admin, ids="1;drop table")

    assert response.status_code == 422
    assert "The roster's list is not valid." in text_of(response)


def test_the_pages_are_for_signed_in_admins_only(florida):
    completion("2026-11-02")
    browser = florida.test_client()

    for address in ("/admin/exports/ce-broker", "/admin/exports/ce-broker.xls?start=2026-11-01"):
        response = browser.get(address)
        assert response.status_code == 302
        assert response.location.startswith("/admin/login?next=")
    posted = browser.post("/admin/exports/ce-broker/reported", data={"ids": "1"})
    assert posted.status_code in (400, 401)  # no session: no CSRF token, no admin
    assert rows_of(CeBrokerReport) == []


def test_bad_dates_are_refused_in_words(admin):
    for address in (
        "/admin/exports/ce-broker?start=2026-13-01",
        "/admin/exports/ce-broker.xls?start=2026-11-30&end=2026-11-01",
    ):
        response = admin.get(address)
        assert response.status_code == 400
        assert "This export's filter is not valid, so nothing was exported." in text_of(response)


# --- the overview ------------------------------------------------------------------------


def completed_days_ago(days: int, **details):
    """A Florida certificate whose completion is `days` days before today (set directly)."""
    certificate = completion("2026-01-01", **details)
    day = sponsor_today() - timedelta(days=days)
    certificate.completed_at = datetime.combine(day, time(12), UTC)
    db.session.commit()
    return certificate


def notice(admin) -> str:
    found = re.search(r'<p class="notice"[^>]*>(.*?)</p>', html_of(page(admin, "/admin")), re.S)
    return text_of(found.group(1)) if found else ""


def test_the_overview_counts_florida_completions_not_yet_reported(admin):
    completed_days_ago(2)
    completed_days_ago(30)  # 30 days old: still within Florida's 30 days
    completed_days_ago(31)
    completed_days_ago(90, license_number="")  # refused rows are unreported too
    reported = completed_days_ago(45)
    completed_days_ago(60, state="OR")
    db.session.add(CeBrokerReport(certificate_id=reported.id, batch="earlier"))
    db.session.commit()

    assert notice(admin) == (
        "4 Florida completions are not yet reported to CE Broker; 2 are more than 30 days "
        "old (Florida rule 64B-5.002 asks for 30 days). Open the CE Broker roster"
    )
    link = re.search(r'<a href="([^"]+)">Open the CE Broker roster', html_of(page(admin, "/admin")))
    assert link.group(1) == "/admin/exports/ce-broker"


def test_the_overdue_figure_opens_exactly_the_overdue_completions(admin):
    completed_days_ago(31, full_name="Late Ready")
    completed_days_ago(90, license_number="", full_name="Late Refused")
    completed_days_ago(2, full_name="Recent")
    completed_days_ago(30, full_name="Just In Time")
    reported = completed_days_ago(45, full_name="Reported")
    completed_days_ago(60, state="OR", full_name="Oregon")
    completed_days_ago(70, credited=False, full_name="No Credit")  # never reported
    db.session.add(CeBrokerReport(certificate_id=reported.id, batch="earlier"))
    db.session.commit()

    found = re.search(
        r'<a href="([^"]+)"><strong class="figure">([^<]*)</strong> Florida completions not',
        html_of(page(admin, "/admin")),
    )
    assert found.groups() == ("/admin/exports/ce-broker?status=overdue", "2")
    listed = page(admin, found.group(1))
    assert [row[1] for row in body_rows(table_with(listed, READY))] == ["Late Ready"]
    assert [row[1] for row in body_rows(table_with(listed, REFUSED))] == ["Late Refused"]
    assert "Already reported" not in text_of(listed)

    response = mark(admin, "?status=overdue")  # marks the overdue page's one ready row
    assert response.headers["Location"] == "/admin/exports/ce-broker?status=overdue"
    assert florida_backlog(1000) == Backlog(unreported=3, overdue=1)
    everything = page(admin, "/admin/exports/ce-broker")
    assert [row[1] for row in body_rows(table_with(everything, READY))] == [
        "Just In Time",
        "Recent",
    ]


def test_the_backlog_counts_stop_at_the_cap(admin, monkeypatch):
    for days in (40, 41, 42, 1):
        completed_days_ago(days)

    assert florida_backlog(10) == Backlog(unreported=4, overdue=3)
    assert florida_backlog(2) == Backlog(unreported=2, overdue=2)
    monkeypatch.setattr(overview_module, "CAP", 2)
    assert notice(admin).startswith(
        "2 or more Florida completions are not yet reported to CE Broker; 2 or more are"
    )


def test_the_backlog_reads_only_the_completions_still_due(admin):
    """Counting reads the partial index that reported completions leave, so its cost does not
    grow with the completions reported over the years."""
    query = sa.select(sa.func.count()).select_from(
        sa.select(Certificate.id).where(*ce_broker_module._overdue()).limit(10).subquery()
    )
    sql = str(query.compile(db.engine, compile_kwargs={"literal_binds": True}))
    if db.engine.dialect.name == "postgresql":
        # The tables here are tiny, so any plan is as good: leave PostgreSQL only the partial
        # index or a full scan (dropped and set in this transaction, rolled back below).
        for index in ("ix_certificates_license_state", "ix_certificates_course_completed"):
            db.session.execute(sa.text(f"DROP INDEX {index}"))
        db.session.execute(sa.text("SET LOCAL enable_seqscan = off"))
        db.session.execute(sa.text("SET LOCAL enable_bitmapscan = off"))
        plan = db.session.scalars(sa.text(f"EXPLAIN {sql}")).all()
    else:
        plan = [row[-1] for row in db.session.execute(sa.text(f"EXPLAIN QUERY PLAN {sql}"))]
    db.session.rollback()
    assert any("ix_certificates_ce_broker_due" in line for line in plan), plan


def test_an_unknown_roster_status_is_refused(admin):
    response = admin.get("/admin/exports/ce-broker?status=lost")
    assert response.status_code == 400
    assert "Status: That is not one of the choices." in text_of(response)


def test_the_overview_says_nothing_when_all_is_reported_or_the_sponsor_does_not_report(
    synced, courses_dir
):
    admin = admin_client(synced)
    completed_days_ago(40)
    assert notice(admin) == ""  # no ce_broker section: the sponsor does not report to CE Broker

    report_to_ce_broker(courses_dir)
    assert current_sponsor().ce_broker is not None
    assert notice(admin).startswith("1 Florida completion is not yet reported to CE Broker; 1 is")
    mark(admin)
    assert notice(admin) == ""
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CeBrokerReport)) == 1


def test_a_certificate_of_completion_is_not_reported(admin):
    completion("2026-11-02", credited=False, full_name="No Credit")

    roster = ce_broker_roster(Filter(start=date(2026, 11, 1), end=date(2026, 11, 30)))

    assert roster.ready == ()
    (row,) = roster.refused
    assert "a Certificate of Completion" in row.problems[0]
    assert florida_backlog(1000).unreported == 0


def test_a_reissued_certificate_stays_reported(admin):
    from ceengine.certificates.services import reissue_certificate

    first = completion("2026-11-02")
    db.session.commit()
    mark(admin, ids=str(first.id))
    assert rows_of(CeBrokerReport) != []
    reissued = reissue_certificate(first.number, full_name="Kim A. Lee")

    roster = ce_broker_roster(Filter(start=date(2026, 11, 1), end=date(2026, 11, 30)))

    assert roster.ready == () and [row.certificate_id for row, _ in roster.reported] == [
        reissued.id
    ]
    db.session.refresh(first)
    assert first.ce_broker_reported_at is not None  # marked when reported
    assert reissued.ce_broker_reported_at == first.ce_broker_reported_at  # and kept
    assert florida_backlog(1000).unreported == 0
