"""Steps the feedback and admin browser tests share: a learner passing, evaluating and
getting a certificate, an admin signing in, and a live server of their own."""

from __future__ import annotations

from fractions import Fraction

from ceengine.admin.accounts import admin_by_email, create_admin
from tests.browser.support.pages import VIEWPORTS
from tests.browser.support.quiz_steps import COURSES, answer

ADMIN_EMAIL = "admin@example.org"
ADMIN_PASSWORD = "a long password 123"


def runs_axe(server) -> bool:
    """Axe checks the HTML, which does not depend on the database: run it on SQLite only,
    and only check that the pages load on PostgreSQL (keeps the browser tests quick)."""
    return server.app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")


def ensure_admin(app) -> None:
    """The test admin account (staff: a password alone signs in) exists in the live
    server's database."""
    with app.app_context():
        if admin_by_email(ADMIN_EMAIL) is None:
            create_admin(ADMIN_EMAIL, ADMIN_PASSWORD, "staff")


def new_page(browser, size: str = "desktop"):
    """A page in a fresh browser context: a new visitor with no cookies."""
    return browser.new_context(viewport=VIEWPORTS[size]).new_page()


def sign_in(page, base: str, path: str = "/admin/login") -> None:
    """Open `path` (an admin page leads to the sign-in form, which leads back), sign in."""
    page.goto(f"{base}{path}")
    page.get_by_label("Email").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/admin/login" not in url)


def pass_quiz(page, base: str, slug: str) -> None:
    """Answer every question right and press Score My Quiz (lands on the result page)."""
    page.goto(f"{base}/courses/{slug}/quiz")
    answer(page, slug)
    page.get_by_role("button", name="Score My Quiz").click()
    page.wait_for_url("**/attempts/**")


def star_label(stars: int) -> str:
    words = {1: "Poor", 2: "Fair", 3: "Good", 4: "Very good", 5: "Excellent"}
    return f"{stars} star{'s' if stars > 1 else ''}: {words[stars]}"


def evaluate(
    page,
    slug: str,
    stars: int,
    comments: str = "",
    met: str = "Mostly",
    relevance: str = "Very relevant",
    knowledge: str = "Very good",
    recommend: str = "Yes",
) -> None:
    """Answer the course evaluation by the labels a person reads, and submit it."""
    page.get_by_role("radio", name=star_label(stars), exact=True).check()
    for objective in COURSES[slug].content["objectives"]:
        group = page.get_by_role("group", name=objective, exact=True)
        group.get_by_role("radio", name=met, exact=True).check()
    for question, choice in [
        ("How relevant was this course to your practice?", relevance),
        ("How would you rate the presenter's knowledge of the subject?", knowledge),
        ("Would you recommend this course to a colleague?", recommend),
    ]:
        group = page.get_by_role("group", name=question, exact=True)
        group.get_by_role("radio", name=choice, exact=True).check()
    if comments:
        page.get_by_label("Comments").fill(comments)
    page.get_by_role("button", name="Submit my evaluation").click()


def issue_certificate(page, full_name: str, email: str) -> str:
    """On the details form: fill in name and email, issue, and return the number."""
    page.get_by_label("Full name").fill(full_name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("I completed this course myself").check()
    page.get_by_role("button", name="Issue certificate").click()
    page.get_by_role("link", name="Download certificate (PDF)").wait_for()
    return fact(page, "Certificate number")


def fact(page, term: str) -> str:
    """The value next to `term` in a page's list of facts (dt/dd)."""
    row = page.locator("dl.facts > div").filter(has=page.locator("dt", has_text=term)).first
    return row.locator("dd").inner_text().strip()


def rating_percent(stars: list[int]) -> int:
    """The mean star rating as a percentage of 5 stars, rounded half up."""
    return int(Fraction(20 * sum(stars), len(stars)) + Fraction(1, 2))
