"""How long each audio file in a course's media/ folder plays, read with mutagen."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import mutagen


def audio_seconds(media_dir: Path, files: Iterable[str]) -> dict[str, float]:
    """Seconds each named file plays; a file mutagen cannot read is left out (its stated
    duration counts instead)."""
    lengths = {}
    for name in files:
        try:
            audio = mutagen.File(media_dir / name)
        except Exception:  # MutagenError, OSError, and IndexError on some damaged files
            continue
        length = getattr(getattr(audio, "info", None), "length", None)
        if length:
            lengths[name] = round(float(length), 3)
    return lengths
