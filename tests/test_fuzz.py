"""Fuzzing the two readers of hand-made files: the YAML loader (with validation and the
catalog) and the roster reader. Whatever the bytes, the outcome is a result or an InputError
of one-line, positioned problems: never another exception, never a value of a roster in a
message.

The quick runs are part of every test run; the long ones (2,000 examples per target) are
marked `slow`: `pytest -m slow tests/test_fuzz.py`. DSINFO_EXAMPLES multiplies both, as in
test_properties.py.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from dsinfo import i18n
from dsinfo.catalog import load_catalog
from dsinfo.compose import compose
from dsinfo.errors import InputError, Problem
from dsinfo.load import parse_yaml
from dsinfo.model import AgeRule, RosterColumns, is_placeholder
from dsinfo.publish import check_logo
from dsinfo.roster import read_roster

from .conftest import ROOT
from .test_properties import SNIPPETS, text_mutation

SCALE = int(os.environ.get("DSINFO_EXAMPLES", "0")) or 1
QUICK, LONG = 60, 2000
CATALOG = load_catalog(ROOT / "catalog")


def fuzz(examples: int) -> settings:
    return settings(max_examples=examples * SCALE, derandomize=True, database=None, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])


def one_line_problems(exc: InputError, path: Path) -> list[Problem]:
    assert exc.problems
    for problem in exc.problems:
        assert problem.path == path, problem
        assert min(problem.line, problem.column) >= 0, problem
        assert str(problem).isprintable(), problem  # one line: no line break, no control character
        assert str(problem.message).strip() == str(problem.message) != ""
    return exc.problems


# ---------------------------------------------------------------------------- YAML

HOSTILE = [*SNIPPETS, '"\\e[31m"', '"\\0"', '"\\x85"', '"\\ud800"', '"\\N"', '"\\L"', "!!str ",
           "!!map ", "!!seq ", "!!null ", "! ", "%TAG ! tag:x,2000:\n---\n", "[" * 25, "{a: " * 25,
           "- " * 25, "\x1b", "\u2029", "\U0010ffff", "\ufffe", "a" * 1100, "1754006400",
           "2025-08-01T00:00:00", "9999/00", "x@y.de?bcc=z@w.de", "https://a.de@b.de/"]


VALUES = [*(("stand", v) for v in ['"1754006400"', "2025-08-01T00:00:00", "9999-12-31", "1754006400",
                                   "2025-08-01 00:00:00", '"2025-08-01"', "20250801"]),
          *(("school_year", v) for v in ['"9999/00"', '"0000/01"', '"2099/00"', '"1999/00"']),
          *(("publish", v) for v in ['{logo: "a\\0.png"}', "{logo: " + "x" * 300 + ".png}",
                                     '{logo: "a\\e.png"}', "{notice_url: 'https://a.de@b.de/'}"]),
          *(("dpo", v) for v in ["{email: 'a@b.de?bcc=c%40d.de'}", "{email: 'a@b.de\\nBcc: c@d.de'}"])]


@st.composite
def yaml_bytes(draw: st.DrawFn) -> bytes:
    """Random bytes; a school file with hand-made edits (test_properties' mutations, with
    more hostile snippets); or a school file with deep nesting put in somewhere."""
    kind = draw(st.sampled_from(["bytes", "text", "edited", "hostile", "nested", "value"]))
    if kind == "bytes":
        return draw(st.binary(max_size=3000))
    if kind == "text":
        return draw(st.text(max_size=2000)).encode("utf-8", errors="surrogatepass")
    text = draw(text_mutation())
    if isinstance(text, bytes):
        return text
    lines = text.split("\n")
    at = draw(st.integers(0, len(lines)))
    if kind == "value":  # a key the school file has, or the logo, given a value of the findings
        key, value = draw(st.sampled_from(VALUES))
        return (re.sub(rf"(?m)^{key}:.*$", "", text) + f"\n{key}: {value}\n").encode(
            "utf-8", errors="surrogatepass")
    if kind == "hostile":
        for _ in range(draw(st.integers(1, 4))):
            line = draw(st.integers(0, len(lines) - 1))
            column = draw(st.integers(0, len(lines[line])))
            lines[line] = lines[line][:column] + draw(st.sampled_from(HOSTILE)) + lines[line][column:]
    else:
        opener = draw(st.sampled_from(["[", "{a: ", "- ", "? ", "a:\n" + " "]))
        depth = draw(st.one_of(st.sampled_from([20, 21, 22, 400, 1000, 5000]), st.integers(15, 600)))
        lines.insert(at, "x: " + opener * depth)
    return "\n".join(lines).encode("utf-8", errors="surrogatepass")


def check_yaml(raw: bytes) -> None:
    """What load_school does, in memory: parse, validate and compose, check the logo."""
    path = Path("schools/fuzz.yaml")
    try:
        doc = parse_yaml(path, raw)
        notice = compose(doc, CATALOG)
        problems = check_logo(doc, notice)
    except InputError as exc:
        one_line_problems(exc, path)
        event("refused")
        return
    if problems:
        one_line_problems(InputError(problems), path)
        event("refused (logo)")
        return
    assert notice.id == "fuzz"
    assert [text for text in _texts(doc.data) if CONTROL.search(text)] == []
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", doc.data["stand"].strip())  # as written: a date
    i18n.school_year(notice.school.school_year, "de")  # printable in every template
    publish, dpo = notice.school.publish, notice.school.dpo
    urls = list(publish.notice_url.values()) if publish and publish.notice_url else []
    assert [u for u in urls if urlsplit(u).username is not None and not is_placeholder(u)] == []
    email = dpo.email if dpo and dpo.email and not is_placeholder(dpo.email) else "a@b.de"
    assert re.fullmatch(r"[^\s?&#%,@]+@[^\s?&#%,@/]+", email), email  # nothing a mailto: link adds
    event("valid")


# Checked here on its own terms, not with the loader's pattern: no C0 but tab and line feed,
# no DEL, no C1, no lone surrogate
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def _texts(data: object) -> Iterator[str]:
    """Every key and value of loaded data."""
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield key
            yield from _texts(value)
    elif isinstance(data, list):
        for item in data:
            yield from _texts(item)


@fuzz(QUICK)
@given(raw=yaml_bytes())
def test_yaml_loader(raw: bytes) -> None:
    check_yaml(raw)


@pytest.mark.slow
@fuzz(LONG)
@given(raw=yaml_bytes())
def test_yaml_loader_long(raw: bytes) -> None:
    check_yaml(raw)


# ---------------------------------------------------------------------------- rosters

COLUMNS = RosterColumns()
HEADER_NAMES = ["Nachname", "Vorname", "Klasse", "Geburtsdatum", "Sprache"]
RULE = AgeRule(guardians_only_under=14, pupil_alone_from=18)
STAND = dt.date(2025, 8, 1)
# Every value a pupil's line can hold starts with 'Zq', which no message has: a message that
# shows a value of the roster is found by looking for 'Zq'.
cell = st.one_of(
    st.builds(lambda s: "Zq" + s, st.text(max_size=12)),
    st.sampled_from(["Zq01.02.2012", "Zq2012-01-01", "Zq5a", "Zqtr", "Zq" + "x" * 140,
                     "Zq" + "y" * 140_000, 'Zq"', "Zq;", "Zq\x00", "Zq\r\n", "Zq\x1b"]),
)
value_or_date = st.one_of(cell, st.sampled_from(["01.02.2012", "2012-01-01", "31.02.2012", "",
                                                 "01.01.2030", "Türkisch", "en"]))


name = st.builds(lambda s: "Zq" + s, st.text(st.characters(categories=["L", "Nd", "Zs"]), max_size=20))
pupil = st.tuples(name, name, st.sampled_from(["Zq5a", "Zq10 b", "Zq5a"]),
                  st.sampled_from(["01.02.2012", "2008-02-29", "29.02.2009", "01.08.2011"]),
                  st.sampled_from(["", "tr", "Türkisch", "en", "Zqxx"])).map(list)


@st.composite
def roster_bytes(draw: st.DrawFn) -> bytes:
    """Random bytes; lines of random cells, with or without a header; or a proper roster with
    a few cells spoilt."""
    kind = draw(st.sampled_from(["bytes", "header", "no header", "roster"]))
    if kind == "bytes":
        return draw(st.binary(max_size=3000))
    sep = draw(st.sampled_from([";", ",", "\t"]))
    rows = []
    if kind == "header":
        names = draw(st.permutations(HEADER_NAMES))
        rows.append(names[: draw(st.integers(2, 5))])
        rows += draw(st.lists(st.lists(value_or_date, max_size=6), max_size=8))
    elif kind == "no header":
        rows += draw(st.lists(st.lists(value_or_date, max_size=6), max_size=8))
    else:
        rows = [HEADER_NAMES, *draw(st.lists(pupil, min_size=1, max_size=8))]
        for _ in range(draw(st.integers(0, 2))):
            row = draw(st.integers(0, len(rows) - 1))
            rows[row][draw(st.integers(0, 4))] = draw(value_or_date)
    text = "\r\n".join(sep.join(row) for row in rows)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
    return text.encode(encoding, errors="replace")


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


def check_roster(folder: Path, raw: bytes) -> None:
    path = folder / "roster.csv"
    path.write_bytes(raw)
    try:
        pupils = read_roster(path, COLUMNS, RULE, STAND)
    except InputError as exc:
        problems = one_line_problems(exc, path)
        assert [str(p) for p in problems if "Zq" in str(p)] == []  # SECURITY.md: never a value
        event("refused")
        return
    assert pupils
    event("read")


@fuzz(QUICK)
@given(raw=roster_bytes())
def test_roster_reader(folder: Path, raw: bytes) -> None:
    check_roster(folder, raw)


@pytest.mark.slow
@fuzz(LONG)
@given(raw=roster_bytes())
def test_roster_reader_long(folder: Path, raw: bytes) -> None:
    check_roster(folder, raw)
