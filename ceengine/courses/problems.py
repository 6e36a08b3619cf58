"""Mistakes found in course files, each with file, line and reason."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One mistake in a course file."""

    path: str
    line: int
    message: str
    warning: bool = False

    def __str__(self) -> str:
        kind = "warning: " if self.warning else ""
        return f"{self.path}:{self.line}: {kind}{self.message}"


@dataclass
class Problems:
    """Collects mistakes so an author sees all of them at once, not one per run."""

    root: Path | None = None
    items: list[Problem] = field(default_factory=list)

    def add(self, path: Path | str, line: int, message: str) -> None:
        """Record a mistake at `path:line`."""
        self.items.append(Problem(self._show(path), max(line, 1), message))

    def warn(self, path: Path | str, line: int, message: str) -> None:
        """Record advice that does not stop the course from loading."""
        self.items.append(Problem(self._show(path), max(line, 1), message, warning=True))

    @property
    def errors(self) -> list[Problem]:
        """The mistakes that stop loading."""
        return [p for p in self.items if not p.warning]

    @property
    def warnings(self) -> list[Problem]:
        """The advice."""
        return [p for p in self.items if p.warning]

    def _show(self, path: Path | str) -> str:
        path = Path(path)
        if self.root is not None:
            try:
                return str(path.relative_to(self.root.parent))
            except ValueError:
                pass
        return str(path)


class CourseFormatError(Exception):
    """Raised when course files have mistakes; carries every one of them (and the warnings
    found beside them, which `courses check` prints after the mistakes)."""

    def __init__(self, problems: list[Problem], warnings: list[Problem] | None = None) -> None:
        self.problems = problems
        self.warnings = warnings or []
        super().__init__("\n".join(str(p) for p in problems))
