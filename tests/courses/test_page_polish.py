"""Small things a visitor notices: the site icon, what search results say about each page, the
certificate fee in the catalog, "1 vote", one element per id, who signed a certificate file."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser

import pytest

from ceengine.certificates.edition import long_date
from tests.support.certificate_steps import certificates, download_link, issue, upload
from tests.support.certificate_steps import take_quiz as pass_quiz
from tests.support.feedback_steps import certify, evaluate, reflection_form
from tests.support.html import forms_in, spoken_text_of, text_of

SPONSOR = "ceengine Tests"  # the organisation on the tests' development signing certificate


class _Head(HTMLParser):
    """The page's ids, its meta description and its icon links."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: Counter[str] = Counter()
        self.description: list[str] = []
        self.icons: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids[found["id"]] += 1
        if tag == "meta" and found.get("name") == "description":
            self.description.append(found.get("content") or "")
        if tag == "link" and found.get("rel") == "icon":
            self.icons.append(found.get("href") or "")


def head_of(response) -> _Head:
    assert response.status_code == 200, response.status_code
    parsed = _Head()
    parsed.feed(response.get_data(as_text=True))
    return parsed


def test_the_favicon_is_served_where_browsers_look_and_linked_from_every_page(synced, client):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.mimetype == "image/vnd.microsoft.icon"
    assert icon.data[:4] == b"\x00\x00\x01\x00"  # an ICO file, not a page
    assert icon.cache_control.max_age and icon.cache_control.max_age >= 3600
    for path in ("/", "/courses/demo-lesson", "/verify"):
        links = head_of(client.get(path)).icons
        assert "/favicon.ico" in links and "/static/favicon.svg" in links, (path, links)
    svg = client.get("/static/favicon.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/", "Continuing-education courses for clinicians from "),
        ("/courses/demo-lesson", "A small course used by the tests, with one of every resource."),
        ("/courses/demo-modules", "A multi-module test course with a certificate fee."),
        ("/verify", "Continuing-education courses for clinicians from "),
    ],
)
def test_each_page_has_one_meta_description(synced, client, path, expected):
    (description,) = head_of(client.get(path)).description
    assert description.startswith(expected) or description == expected, description


def test_a_module_page_describes_its_module_and_course(synced, client):
    course = client.get("/courses/demo-modules").get_data(as_text=True)
    first_module = next(
        part.split('"')[0]
        for part in course.split('href="/courses/demo-modules/')[1:]
        if not part.startswith(("quiz", "media"))
    )
    (description,) = head_of(client.get(f"/courses/demo-modules/{first_module}")).description
    assert "Demo Modules on Compassion" in description
    assert description.endswith("A multi-module test course with a certificate fee.")


def test_the_catalog_shows_each_certificate_fee(synced, client):
    cards = {
        card.split('href="/courses/')[1].split('"')[0]: text_of(card)
        for card in client.get("/").get_data(as_text=True).split('<li class="course-card">')[1:]
    }
    assert "Certificate Free" in cards["demo-lesson"]
    assert "Certificate $15.00" in cards["demo-modules"]


def test_one_vote_is_one_vote(synced, client):
    learner = synced.test_client()
    result = pass_quiz(learner, "demo-lesson")
    assert evaluate(learner, result, rating=4).status_code == 303
    certify(learner, result)
    page = text_of(client.get("/courses/demo-lesson"))
    assert "Rating of this course out of 1 vote: 80%" in page
    assert "1 votes" not in page

    second = synced.test_client()
    result = pass_quiz(second, "demo-lesson")
    assert evaluate(second, result, rating=3).status_code == 303
    certify(second, result, email="second@example.org")
    assert "Rating of this course out of 2 votes: 70%" in text_of(
        client.get("/courses/demo-lesson")
    )


@pytest.mark.parametrize("slug", ["demo-lesson", "demo-modules"])
def test_the_course_page_has_no_duplicate_ids(synced, client, slug):
    response = client.get(f"/courses/{slug}")
    forms = forms_in(response.get_data(as_text=True))
    assert sum("csrf_token" in form.hidden for form in forms) >= 2  # the quiz and a reflection
    duplicates = {key: n for key, n in head_of(response).ids.items() if n > 1}
    assert duplicates == {}


def test_hidden_fields_carry_no_ids(synced, client):
    assert reflection_form(client).hidden["csrf_token"]
    page = client.get("/courses/demo-lesson").get_data(as_text=True)
    assert 'id="csrf_token"' not in page and 'id="form_key"' not in page


def test_the_verify_page_says_who_signed_and_when(synced, client):
    page = issue(client)
    certificate = certificates()[-1]
    pdf = client.get(download_link(page)).data

    response = upload(synced.test_client(), pdf)

    text = spoken_text_of(response)
    signed_on = long_date(certificate.issued_at)
    assert f"Authentic and unchanged: this file was signed by {SPONSOR} on {signed_on}" in text
    html = response.get_data(as_text=True)
    # The certificate's technical names are there for whoever wants them, folded away.
    details = html.split("<details", 1)[1].split("</details>", 1)[0]
    assert "About the digital signature" in details and "Common Name" in details
    assert "Common Name" not in html.replace(details, "")
