"""The per-process cache of course versions (courses/snapshots.py): a sync is visible on the
very next request, the cache is bounded, and each app has its own."""

from __future__ import annotations

from ceengine.courses.services import current_version, sync_courses
from ceengine.courses.snapshots import snapshot_cache
from ceengine.extensions import db
from tests.support.html import quiz_form_in

SLUG = "demo-lesson"


def _edit(path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_a_sync_is_visible_on_the_next_request(synced, client, courses_dir):
    before = client.get(f"/courses/{SLUG}").get_data(as_text=True)
    assert "Self-compassion has three parts." in before
    _edit(courses_dir / SLUG / "quiz.yaml", "has three parts.", "has exactly three parts.")
    _edit(courses_dir / SLUG / "lesson.md", "three parts", "three linked parts")
    sync_courses(courses_dir)

    after = client.get(f"/courses/{SLUG}").get_data(as_text=True)
    assert "Self-compassion has exactly three parts." in after
    assert "Self-compassion has three parts." not in after
    assert "three linked parts" in after  # the lesson body, rendered once per version
    quiz = client.get(f"/courses/{SLUG}/quiz").get_data(as_text=True)
    assert quiz_form_in(quiz).hidden["version"] == str(current_version(SLUG).id)


def test_a_form_from_the_replaced_version_is_not_scored(synced, client, courses_dir):
    old_form = quiz_form_in(client.get(f"/courses/{SLUG}/quiz").get_data(as_text=True))
    _edit(courses_dir / SLUG / "quiz.yaml", "has three parts.", "has exactly three parts.")
    sync_courses(courses_dir)
    answers = {name: values[0] for name, values in old_form.radios.items()}
    response = client.post(f"/courses/{SLUG}/quiz", data=old_form.answers(answers))
    assert response.status_code == 409
    assert "The quiz was updated" in response.get_data(as_text=True)


def test_the_cache_is_bounded_and_belongs_to_its_app(app_with, courses_dir):
    small = app_with(VERSION_CACHE_SIZE=1)
    client = small.test_client()
    for slug in ("demo-lesson", "demo-modules", "demo-lesson"):
        assert client.get(f"/courses/{slug}").status_code == 200
        assert len(snapshot_cache()) == 1
    db.session.rollback()  # end this app's read, or the next app's fresh tables wait for it
    other = app_with()
    with other.app_context():
        assert len(snapshot_cache()) == 0  # another app never sees this one's entries
