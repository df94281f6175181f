"""Problems found in user input, carried with their position until the CLI prints them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, kw_only=True)
class Problem:
    """One finding about one place in one file (line and column are 1-based; 0 = unknown)."""

    path: Path
    line: int = 0
    column: int = 0
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        where = display_path(self.path)
        if self.line:
            where += f":{self.line}" + (f":{self.column}" if self.column else "")
        return f"{where}: {self.severity}: {self.message}"


class DsinfoError(Exception):
    """Base class for everything a user can cause; the CLI prints these without a traceback."""


class InputError(DsinfoError):
    """One or more problems in school or catalog files; nothing was built."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class BuildError(DsinfoError):
    """Rendering or writing failed for a reason outside the input files (e.g. a template)."""


def shown(value: object, limit: int = 60) -> str:
    """A value for a one-line message: control characters escaped (a line break shows as
    backslash-n), text longer than `limit` cut short with '…'."""
    text = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii")
                   for c in str(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def display_path(path: Path) -> str:
    """The path relative to the working directory when it lies below it, else as given."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
