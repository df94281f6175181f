"""Messages: one line whatever a value holds, a cap per file, paths that never fail to show."""

from __future__ import annotations

from pathlib import Path

import pytest

from dsinfo.errors import (
    MAX_PROBLEMS_PER_FILE,
    InputError,
    More,
    Problem,
    capped,
    display_path,
    internal_error,
    one_line,
    shown,
)


@pytest.mark.parametrize(("text", "expected"), [
    ("Grundschule am Park", "Grundschule am Park"),
    ("a\nb", "a\\nb"), ("a\rb", "a\\rb"), ("\x1b[31mrot", "\\x1b[31mrot"), ("a\0b", "a\\x00b"),
    ("a\u2028b\u2029c\x85d", "a\\u2028b\\u2029c\\x85d"), ("\ud800", "\\ud800"),
])
def test_one_line(text: str, expected: str) -> None:
    assert one_line(text) == expected
    assert shown(text) == expected


def test_every_problem_is_one_line() -> None:
    """Whatever a message or a file name holds, the line a user sees is one line of text."""
    problem = Problem(path=Path("schools/a\nb.yaml"), line=3, column=4,
                      message="school.name: 'x\x1b]0;pwned\x07\ny' is not allowed")
    assert str(problem) == ("schools/a\\nb.yaml:3:4: error: school.name: "
                            "'x\\x1b]0;pwned\\x07\\ny' is not allowed")


def problems(path: str, count: int, start: int = 1) -> list[Problem]:
    return [Problem(path=Path(path), line=n, column=1, message=f"problem {n}")
            for n in range(start, start + count)]


def test_problems_are_capped_per_file() -> None:
    many = problems("a.yaml", 20_000)
    error = InputError([*many[:3], *problems("b.yaml", 2), *many[3:]])
    shown_a = [p for p in error.problems if p.path == Path("a.yaml")]
    assert len(shown_a) == MAX_PROBLEMS_PER_FILE + 1
    more = shown_a[-1]
    assert isinstance(more, More)
    assert str(more) == (f"a.yaml:{MAX_PROBLEMS_PER_FILE + 1}:1: error: 19950 more problems are "
                         "not shown: fix the ones above, then run again to see the rest")
    assert [p.message for p in error.problems if p.path == Path("b.yaml")] == ["problem 1",
                                                                               "problem 2"]
    assert error.count == 20_002
    # collected again (load_paths gathers the problems of every file): nothing changes
    assert InputError(error.problems).problems == error.problems
    assert InputError([*error.problems, *problems("a.yaml", 5, 30_000)]).count == 20_007


def test_few_problems_are_not_capped() -> None:
    few = problems("a.yaml", MAX_PROBLEMS_PER_FILE)
    assert capped(few) == few


def test_display_path_never_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    loop = tmp_path / "schools" / "loop.yaml"
    loop.parent.mkdir()
    loop.symlink_to(loop)
    assert display_path(loop) == str(loop)  # outside the working directory: as given
    monkeypatch.chdir(tmp_path)
    assert display_path(loop) == "schools/loop.yaml"
    assert display_path(Path("a\0b.yaml")) == "a\0b.yaml"


def test_internal_error_says_what_to_do_and_no_value() -> None:
    exc = OSError(36, "File name too long", "/tmp/out/Mustermann, Max 5a.pdf")
    assert str(internal_error(exc, "while building gs-park (de)")) == (
        "internal error (OSError) while building gs-park (de): this is a bug in dsinfo, not a "
        "mistake in your files; run the command again with --debug to see the traceback, and "
        "please report it")
