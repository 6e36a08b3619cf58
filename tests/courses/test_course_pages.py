"""The catalog, course and module pages as a clinician reads them."""

from __future__ import annotations

import re

import pytest

from tests.support.html import form_posting_to, text_of


def test_catalog_lists_published_courses(synced, client):
    page = text_of(client.get("/"))
    assert "Demo Lesson on Kindness" in page
    assert "Ada Example, PhD, LCSW" in page
    assert "A small course used by the tests, with one of every resource." in page
    assert "CE hours 1" in page and "Level Introductory" in page
    assert "CE hours 0.5" in page and "Modules 3" in page


def test_catalog_without_courses_says_so(app, client):
    assert "No courses are published yet." in text_of(client.get("/"))


def test_course_page_follows_the_seed_layout(synced, client):
    response = client.get("/courses/demo-lesson")
    assert response.status_code == 200
    page = text_of(response)
    for expected in [
        "There is no charge for taking the course.",
        "press Score My Quiz",
        "Score 75% or more, then get your CE certificate at no cost",
        "Course presenter",
        "Ada Example , PhD, LCSW",
        "Course description",
        "What you'll learn",
        "Name the three parts of self-compassion.",
        "CE hours 1",
        "Audience Psychologists, social workers and counselors",
        "Format Self-paced online (home study)",
        "The lesson",
        "Three Parts of Self-Compassion",
        "References",
        "6 questions. You pass with 75% or more (5 of 6 correct).",
    ]:
        assert expected in page, expected


def test_lesson_resources_are_embedded(synced, client):
    html = client.get("/courses/demo-lesson").get_data(as_text=True)
    assert '<iframe src="https://www.youtube-nocookie.com/embed/abcdefghijk"' in html
    assert 'title="Video: A talk about kindness"' in html
    assert '<time datetime="PT0H13M5S">13:05</time>' in html
    assert '<source src="/courses/demo-lesson/media/breathing.ogg" type="audio/ogg">' in html
    # The MP3 beside it plays where Ogg does not (Safari before 17, older iPhones).
    assert '<source src="/courses/demo-lesson/media/breathing.mp3" type="audio/mpeg">' in html
    assert 'href="https://www.youtube.com/watch?v=abcdefghijk"' in html  # if embeds are blocked
    assert "Find a comfortable position and let your breath settle." in html
    assert 'href="/courses/demo-lesson/media/worksheet.txt" download' in html
    assert 'href="https://doi.org/10.1080/15298860309032" rel="noopener noreferrer"' in html
    assert "<li>Think of a <em>difficulty</em>.</li>" in html
    # No script from the course files: the page's only script is our own file, never inline.
    assert re.findall(r"<script[^>]*>", html) == [
        '<script src="/static/js/quiz-progress.js" defer>'
    ]
    assert "<script></script>" not in html and not re.search(r"<script[^>]*>[^<]", html)


def test_a_talk_without_a_confirmed_id_says_how_to_find_it(app, client, courses_dir):
    from ceengine.courses.services import sync_courses

    lesson = courses_dir / "demo-lesson" / "lesson.md"
    lesson.write_text(
        lesson.read_text().replace("id: abcdefghijk\n", "channel: Kindness Talks\n"),
        encoding="utf-8",
    )
    sync_courses(courses_dir)
    html = client.get("/courses/demo-lesson").get_data(as_text=True)
    assert "<iframe" not in html  # no id, no embed: never a guessed one
    assert "Find it on YouTube, channel Kindness Talks" in html
    assert (
        'href="https://www.youtube.com/results?search_query=A+talk+about+kindness+Ada+Example"'
        in html
    )


def test_paid_course_states_the_certificate_fee(synced, client):
    page = text_of(client.get("/courses/demo-modules"))
    assert "There is no charge for taking the course." in page
    assert "the certificate fee is $15.00, paid at checkout" in page
    assert "You may take it 2 times." in page


def test_multi_module_course_lists_its_modules(synced, client):
    html = client.get("/courses/demo-modules").get_data(as_text=True)
    assert 'href="/courses/demo-modules/modules/getting-started">Getting Started</a>' in html
    assert "Start the course" in html


def test_module_page_shows_where_you_are(synced, client):
    response = client.get("/courses/demo-modules/modules/settling-the-mind")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Module 2 of 3" in html
    assert '<progress value="2" max="3"' in html
    assert 'href="/courses/demo-modules/modules/settling-the-mind" aria-current="page"' in html
    assert "Previous: Getting Started" in html and "Next: Acting With Compassion" in html


def test_last_module_leads_to_the_quiz(synced, client):
    html = client.get("/courses/demo-modules/modules/acting-with-compassion").get_data(as_text=True)
    form = form_posting_to(html, "/modules/acting-with-compassion/done")
    assert "Next: the quiz" in html
    response = client.post(form.action, data=form.hidden)
    assert response.status_code == 303
    assert response.headers["Location"] == "/courses/demo-modules/quiz"


@pytest.mark.parametrize(
    "url",
    [
        "/courses/no-such-course",
        "/courses/demo-modules/modules/nope",
        "/courses/demo-lesson/media/nope.txt",
        "/courses/demo-lesson/media/..%2Fcourse.yaml",
    ],
)
def test_unknown_addresses_get_a_real_404_page(synced, client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "Page not found" in text_of(response)
    assert "Go to the course list" in text_of(response)


def test_single_page_course_has_no_module_pages(synced, client):
    response = client.get("/courses/demo-lesson/modules/lesson")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/courses/demo-lesson")


def test_handouts_download_and_audio_plays(synced, client):
    handout = client.get("/courses/demo-lesson/media/worksheet.txt")
    assert handout.headers["Content-Disposition"].startswith("attachment")
    audio = client.get("/courses/demo-lesson/media/breathing.ogg")
    assert audio.mimetype == "audio/ogg"
    assert audio.headers["Content-Disposition"].startswith("inline")
    partial = client.get(
        "/courses/demo-lesson/media/breathing.ogg", headers={"Range": "bytes=0-99"}
    )
    assert partial.status_code == 206 and len(partial.data) == 100


def test_security_headers_on_every_page(synced, client):
    for url in ["/", "/courses/demo-lesson", "/courses/nope"]:
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
        assert "frame-ancestors 'none'" in csp
        assert "frame-src https://www.youtube-nocookie.com https://player.vimeo.com" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert headers["X-Frame-Options"] == "DENY"
