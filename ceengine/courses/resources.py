"""Lesson resources written as data: video, audio, reading, handout, exercise."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

from ceengine.courses.fields import Fields
from ceengine.courses.markup import render_inline
from ceengine.courses.problems import Problems

RESOURCE_TYPES = ("video", "audio", "reading", "handout", "exercise")
VIDEO_EMBEDS = {
    "youtube": ("https://www.youtube-nocookie.com/embed/{id}", r"[A-Za-z0-9_-]{11}"),
    "vimeo": ("https://player.vimeo.com/video/{id}?dnt=1", r"[0-9]{6,12}"),
}
WATCH_URLS = {
    "youtube": "https://www.youtube.com/watch?v={id}",
    "vimeo": "https://vimeo.com/{id}",
}
SEARCH_URLS = {
    "youtube": "https://www.youtube.com/results?search_query={query}",
    "vimeo": "https://vimeo.com/search?q={query}",
}
PROVIDER_NAMES = {"youtube": "YouTube", "vimeo": "Vimeo"}
AUDIO_TYPES = {".ogg": "audio/ogg", ".mp3": "audio/mpeg", ".m4a": "audio/mp4", ".wav": "audio/wav"}
# The label shown next to the download link. A Markdown handout is also offered as a PDF set
# for print (courses/handout_pdf.py), headed with the course and the sponsor.
HANDOUT_TYPES = {".pdf": "PDF", ".txt": "Text", ".md": "Text"}
# What media/ may hold and the one type each is served with: never guessed from the name or
# the bytes, so an .html, .svg or .js file can never run script on the site's own origin.
MEDIA_CONTENT_TYPES = {
    **AUDIO_TYPES,
    ".pdf": "application/pdf",
    ".txt": "text/plain",
    ".md": "text/plain",  # the handout's text version, shown as the plain text it is
}
_DURATION = re.compile(r"^(?:(\d+):)?([0-5]?\d):([0-5]\d)$")


def parse_duration(fields: Fields, key: str = "duration") -> dict[str, Any] | None:
    """Read an `m:ss` or `h:mm:ss` duration into text, seconds and ISO 8601 forms."""
    value = fields.raw(key, required=True)
    match = _DURATION.match(str(value)) if isinstance(value, str) else None
    if not match:
        fields.error(
            key,
            f"{fields.what}: '{key}' must be written like \"13:05\" or "
            f'"1:02:30" in quotes, not {value!r}',
        )
        return None
    hours, minutes, seconds = (int(g or 0) for g in match.groups())
    total = hours * 3600 + minutes * 60 + seconds
    spoken = f"{hours} h {minutes} min" if hours else f"{minutes} min {seconds} s"
    return {
        "text": value,
        "seconds": total,
        "spoken": spoken,
        "iso": f"PT{hours}H{minutes}M{seconds}S",
    }


def media_content_type(name: str) -> str | None:
    """The fixed content type a media file is served with; None when it is not allowed."""
    if name.startswith("."):
        return None
    return MEDIA_CONTENT_TYPES.get(Path(name).suffix.lower())


def check_media_folder(media_dir: Path, problems: Problems) -> None:
    """Refuse anything in media/ that is not a documented audio file or handout."""
    if not media_dir.is_dir():
        return
    allowed = ", ".join(sorted(MEDIA_CONTENT_TYPES))
    for path in sorted(media_dir.iterdir()):
        name = path.name.encode("utf-8", "backslashreplace").decode()  # any name the disk has
        if path.name.startswith("."):
            continue  # .DS_Store, .gitkeep: never served (the media address refuses them)
        if path.is_symlink() or not path.is_file():
            problems.add(
                media_dir / name, 1, f"media/ holds files only; '{name}' is a folder or a link"
            )
        elif media_content_type(path.name) is None:
            problems.add(
                media_dir / name,
                1,
                f"media/ holds only audio and handouts; '{name}' is not one (allowed: {allowed})",
            )


def _media_file(fields: Fields, media_dir: Path, allowed: dict[str, str]) -> dict | None:
    name = fields.text("file")
    if not name:
        return None
    path = media_dir / name
    if "/" in name or "\\" in name or name.startswith("."):
        fields.error("file", f"{fields.what}: 'file' must be a plain file name in media/")
    elif path.suffix.lower() not in allowed:
        fields.error(
            "file", f"{fields.what}: '{name}' must end in one of {', '.join(sorted(allowed))}"
        )
    elif len(name.encode()) > 255 or not path.is_file():  # longer names cannot exist
        fields.error(
            "file",
            f"{fields.what}: media file '{name}' does not exist in {media_dir.parent.name}/media/",
        )
    else:
        return {
            "file": name,
            "type": allowed[path.suffix.lower()],
            "size_kb": max(1, round(path.stat().st_size / 1024)),
        }
    return None


def _video(f: Fields, media_dir: Path) -> dict:
    """A talk: embedded when its id is known for certain; otherwise how to find it (title,
    speaker, channel), never a guessed id."""
    provider = f.choice("provider", tuple(VIDEO_EMBEDS), default="")
    if "provider" not in f.data:
        f.error(None, "video: 'provider' is required (youtube or vimeo)")
    video_id = f.text("id", required=False)
    channel = f.text("channel", required=False)
    embed = watch = None
    if provider and video_id:
        template, pattern = VIDEO_EMBEDS[provider]
        if re.fullmatch(pattern, video_id):
            embed = template.format(id=video_id)
            watch = WATCH_URLS[provider].format(id=video_id)
        else:
            f.error("id", f"video: '{video_id}' is not a valid {provider} video id")
    title = f.text("title")
    speaker = f.text("speaker", required=False)
    return {
        "provider": provider,
        "provider_name": PROVIDER_NAMES.get(provider, ""),
        "embed_url": embed,
        "watch_url": watch,
        "search_url": (
            SEARCH_URLS[provider].format(query=quote_plus(f"{title} {speaker or ''}".strip()))
            if provider and not embed
            else None
        ),
        "title": title,
        "duration": parse_duration(f),
        "speaker": speaker,
        "channel": channel,
        "description": f.text("description", required=False),
    }


def _twins(f: Fields, media_dir: Path, media: dict | None) -> list[dict]:
    """The same recording in the other formats beside it (an .ogg's .mp3, and back): older
    Safari and iOS cannot play Ogg Vorbis, so an Ogg without its MP3 is a warning."""
    if media is None:
        return []
    stem, suffix = Path(media["file"]).stem, Path(media["file"]).suffix.lower()
    twins = [
        {"file": f"{stem}{other}", "type": AUDIO_TYPES[other]}
        for other in (".ogg", ".mp3", ".m4a")
        if other != suffix and (media_dir / f"{stem}{other}").is_file()
    ]
    if suffix == ".ogg" and not any(t["type"] in ("audio/mpeg", "audio/mp4") for t in twins):
        f.problems.warn(
            f.path,
            f.line("file"),
            f"audio: '{media['file']}' has no MP3 beside it ({stem}.mp3): Safari before 17 "
            "and older iPhones cannot play Ogg; `make audio` makes one",
        )
    return twins


def _audio(f: Fields, media_dir: Path) -> dict:
    media = _media_file(f, media_dir, AUDIO_TYPES)
    return {
        "media": media,
        "also": _twins(f, media_dir, media),
        "title": f.text("title"),
        "duration": parse_duration(f),
        "transcript": f.text("transcript"),
    }


def _reading(f: Fields, media_dir: Path) -> dict:
    url = f.text("url", required=False)
    if url and not re.match(r"^https://[^\s/]+\.[^\s]+$", url):
        f.error("url", f"reading: 'url' must be a full https:// address, not '{url}'")
    return {
        "title": f.text("title"),
        "author": f.text("author", required=False),
        "source": f.text("source", required=False),
        "url": url,
        "note": f.text("note", required=False),
    }


def printable_name(filename: str) -> str:
    """The PDF a Markdown handout is printed as: worksheet.md -> worksheet.pdf."""
    return f"{Path(filename).stem}.pdf"


def _handout(f: Fields, media_dir: Path) -> dict:
    media = _media_file(f, media_dir, HANDOUT_TYPES)
    if media is not None and media["file"].lower().endswith(".md"):
        media["printable"] = printable_name(media["file"])
    return {
        "media": media,
        "title": f.text("title"),
        "description": f.text("description", required=False),
    }


def _exercise(f: Fields, media_dir: Path) -> dict:
    steps = [render_inline(step) for step in f.texts("steps")]
    return {
        "title": f.text("title"),
        "duration_text": f.text("duration", required=False),
        "steps": steps,
        "reflection": f.text("reflection", required=False),
    }


_READERS = {
    "video": (
        _video,
        {"provider", "id", "channel", "title", "duration", "speaker", "description"},
    ),
    "audio": (_audio, {"file", "title", "duration", "transcript"}),
    "reading": (_reading, {"title", "author", "source", "url", "note"}),
    "handout": (_handout, {"file", "title", "description"}),
    "exercise": (_exercise, {"title", "duration", "steps", "reflection"}),
}


def resource_keys(kind: str) -> set[str]:
    """Every key a resource block of `kind` may have."""
    return set(_READERS[kind][1])


def read_resource(
    kind: str,
    fields_data: Any,
    make_fields: Callable[[Any, str, set[str]], Fields],
    media_dir: Path,
) -> dict:
    """Validate one resource block and return what the page needs to show it."""
    reader, allowed = _READERS[kind]
    fields = make_fields(fields_data, kind, allowed)
    return {"kind": kind, **reader(fields, media_dir)}
