"""Problems found in user input, carried with their position until the CLI prints them."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .messages import ENGLISH, Msg, Msgs, Text, Voice

Severity = Literal["error", "warning"]


@dataclass(frozen=True, kw_only=True)
class Problem:
    """One finding about one place in one file (line and column are 1-based; 0 = unknown)."""

    path: Path
    line: int = 0
    column: int = 0
    message: Text
    severity: Severity = "error"

    def __str__(self) -> str:
        return self.said(ENGLISH)

    def said(self, voice: Voice) -> str:
        """The problem as one line in the language of `voice`: 'file:line:column: error: ...'."""
        return f"{self.where()}: {voice.say(SEVERITY[self.severity])}: {one_line(voice.say(self.message))}"

    def where(self) -> str:
        where = one_line(display_path(self.path))
        if self.line:
            where += f":{self.line}" + (f":{self.column}" if self.column else "")
        return where


SEVERITY: dict[str, Msg] = {"error": Msg("error"), "warning": Msg("warning")}


MAX_PROBLEMS_PER_FILE = 50  # more are not shown: 20,000 unknown keys would give 20,000 lines


@dataclass(frozen=True, kw_only=True)
class More(Problem):
    """Stands for the problems of one file beyond MAX_PROBLEMS_PER_FILE."""

    count: int
    message: Text = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "message", Msgs(
            "{n} more problem is not shown: fix the ones above, then run again to see the rest",
            "{n} more problems are not shown: fix the ones above, then run again to see the rest",
            self.count))


def capped(problems: list[Problem], limit: int = MAX_PROBLEMS_PER_FILE) -> list[Problem]:
    """At most `limit` problems per file, in their order; the rest of a file counted in one
    More after its last shown problem. Capping a capped list again changes nothing."""
    kept: dict[Path, int] = {}
    hidden: dict[Path, More] = {}
    result: list[Problem] = []
    for p in problems:
        first = hidden.get(p.path)
        if isinstance(p, More) or kept.get(p.path, 0) >= limit:
            count = p.count if isinstance(p, More) else 1
            hidden[p.path] = More(path=p.path, line=(first or p).line, column=(first or p).column,
                                  count=count + (first.count if first else 0))
            continue
        kept[p.path] = kept.get(p.path, 0) + 1
        result.append(p)
    for path, more in hidden.items():
        last = max((i for i, p in enumerate(result) if p.path == path), default=len(result) - 1)
        result.insert(last + 1, more)
    return result


NOTHING_WRITTEN = Msg("no files were written")


class DsinfoError(Exception):
    """Base class for everything a user can cause; the CLI prints these without a traceback.
    The first argument is the message (a Msg, put into words by the CLI)."""

    @property
    def message(self) -> Text:
        return self.args[0] if self.args else ""


class InputError(DsinfoError):
    """One or more problems in school or catalog files; nothing was built. At most
    MAX_PROBLEMS_PER_FILE of them per file are kept (see `capped`); `count` is all of them."""

    def __init__(self, problems: list[Problem], *, outcome: Text = NOTHING_WRITTEN) -> None:
        self.problems = capped(problems)
        self.outcome = outcome  # what did not happen because of them, for the closing line
        super().__init__("\n".join(str(p) for p in self.problems))

    @property
    def count(self) -> int:
        return sum(p.count if isinstance(p, More) else 1 for p in self.problems)


class BuildError(DsinfoError):
    """Rendering or writing failed for a reason outside the input files (e.g. a template)."""


def one_line(text: str) -> str:
    """`text` with every character that is not printable escaped (a line break shows as
    backslash-n, ESC as backslash-x1b): whatever a value holds, a message stays one line and
    cannot move the terminal's cursor. Every message passes here (Problem, the CLI)."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii")
                   for c in text)


def shown(value: object, limit: int = 60) -> str:
    """A value for a one-line message: escaped as `one_line` does, text longer than `limit`
    cut short with '…'."""
    text = one_line(str(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def display_path(path: Path) -> str:
    """The path relative to the working directory when it lies below it, else as given; never
    fails (a symbolic link loop, a NUL byte or a vanished folder give the path as given)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError, RuntimeError):
        pass
    try:  # without following links: a link loop is still shown where it is
        return str(Path(os.path.abspath(path)).relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


DEBUG_ENV = "DSINFO_DEBUG"  # set by --debug; read by every boundary, also in worker processes


def debugging() -> bool:
    """Whether a boundary should show the traceback of an unexpected error (--debug)."""
    return bool(os.environ.get(DEBUG_ENV))


def internal_error(exc: BaseException, where: Text) -> Msg:
    """One line for an error nobody foresaw, caught at a boundary (the command line, a worker,
    the preview): what failed and where, what to do. Never the exception's text, which may
    hold anything, a roster's names too; --debug shows the traceback."""
    return Msg("internal error ({kind}) {where}: this is a bug in dsinfo, not a mistake in your "
               "files; run the command again with --debug to see the traceback, and please report "
               "it", kind=type(exc).__name__, where=where)
