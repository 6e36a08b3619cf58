"""Course media (issue 13, finding 13): only audio and handouts, each with a fixed type.

A file dropped into a course's media/ that is not one of the documented kinds (an .html
page, an .svg drawing, a script) must never reach a browser with a type that could run
script on the site's own origin: `ceengine courses check` refuses it, and the media
address answers 404 even when someone copies it onto the server after the course loaded.
"""

from __future__ import annotations

import pytest

HOSTILE = {
    "evil.html": b"<!doctype html><script>fetch('/admin/certificates')</script>",
    "evil.svg": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    "evil.js": b"fetch('/admin/certificates').then(r => r.text())",
    "evil.htm": b"<script>alert(1)</script>",
    "evil.xhtml": b'<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>',
    "picture.png": b"\x89PNG\r\n\x1a\n",
}
SCRIPT_CAPABLE = ("html", "svg", "javascript", "xml", "ecmascript")
ALLOWED = ".m4a, .md, .mp3, .ogg, .pdf, .txt, .wav"


@pytest.mark.parametrize("name", ["evil.html", "evil.svg", "evil.js"])
def test_check_refuses_a_file_in_media_that_is_not_audio_or_a_handout(runner, courses_dir, name):
    (courses_dir / "demo-lesson" / "media" / name).write_bytes(HOSTILE[name])

    result = runner.invoke(args=["courses", "check"])

    assert result.exit_code == 1, result.output
    assert (
        f"courses/demo-lesson/media/{name}:1: media/ holds only audio and handouts; "
        f"'{name}' is not one (allowed: {ALLOWED})"
    ) in result.output
    assert "1 mistake: nothing was loaded." in result.output


def test_check_refuses_a_folder_inside_media(runner, courses_dir):
    (courses_dir / "demo-lesson" / "media" / "extra").mkdir()

    result = runner.invoke(args=["courses", "check"])

    assert result.exit_code == 1
    assert "courses/demo-lesson/media/extra:1: media/ holds files only" in result.output


def test_check_accepts_the_documented_kinds_and_hidden_files(runner, courses_dir):
    media = courses_dir / "demo-lesson" / "media"
    for name in ("extra.mp3", "extra.M4A", "extra.wav", "extra.pdf", ".DS_Store"):
        (media / name).write_bytes(b"x")

    result = runner.invoke(args=["courses", "check"])

    assert result.exit_code == 0, result.output


def test_a_hostile_file_copied_in_after_loading_is_not_served(synced, client, courses_dir):
    media = courses_dir / "demo-lesson" / "media"
    for name, body in HOSTILE.items():
        (media / name).write_bytes(body)
    (media / ".hidden.ogg").write_bytes(b"OggS")

    for name in [*HOSTILE, ".hidden.ogg"]:
        response = client.get(f"/courses/demo-lesson/media/{name}")
        assert response.status_code == 404, name
        assert response.data not in HOSTILE.values()
        assert not any(kind in response.mimetype for kind in SCRIPT_CAPABLE if kind != "html")


def test_audio_plays_with_its_fixed_type_and_handouts_download(synced, client, courses_dir):
    media = courses_dir / "demo-lesson" / "media"
    # Content that looks like a web page: the type comes from the allow-list, never the bytes.
    (media / "worksheet.txt").write_bytes(b"<html><script>alert(1)</script></html>")
    (media / "talk.mp3").write_bytes(b"<html><script>alert(1)</script></html>")

    audio = client.get("/courses/demo-lesson/media/breathing.ogg")
    mp3 = client.get("/courses/demo-lesson/media/talk.mp3")
    handout = client.get("/courses/demo-lesson/media/worksheet.txt")

    assert audio.status_code == 200 and audio.mimetype == "audio/ogg"
    assert audio.headers["Content-Disposition"].startswith("inline")
    assert mp3.status_code == 200 and mp3.mimetype == "audio/mpeg"
    assert handout.status_code == 200
    assert handout.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert handout.headers["Content-Disposition"].startswith("attachment")
    for response in (audio, mp3, handout):
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_an_ogg_recording_without_its_mp3_is_a_warning(runner, courses_dir):
    (courses_dir / "demo-lesson" / "media" / "breathing.mp3").unlink()

    result = runner.invoke(args=["courses", "check"])

    assert result.exit_code == 0, result.output  # a warning, not a mistake
    assert (
        "audio: 'breathing.ogg' has no MP3 beside it (breathing.mp3): Safari before 17 and "
        "older iPhones cannot play Ogg; `make audio` makes one"
    ) in result.output


def test_the_mp3_beside_an_ogg_is_served_as_mpeg(synced, client):
    response = client.get("/courses/demo-lesson/media/breathing.mp3")

    assert response.status_code == 200
    assert response.mimetype == "audio/mpeg"
    assert response.data[:3] == b"ID3" or response.data[0] == 0xFF  # a tag, or an MPEG frame
