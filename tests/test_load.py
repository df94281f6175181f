"""The strict YAML loader: text stays text, positions are kept, traps are refused."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from dsinfo.errors import InputError
from dsinfo.load import read_yaml


def load(tmp_path: Path, text: str | bytes) -> object:
    path = tmp_path / "x.yaml"
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return read_yaml(path).data


def error(tmp_path: Path, text: str | bytes) -> str:
    with pytest.raises(InputError) as info:
        load(tmp_path, text)
    (problem,) = info.value.problems
    return f"{problem.line}:{problem.column}: {problem.message}"


@pytest.mark.parametrize(("text", "expected"), [
    ("plz: 01067", {"plz": "01067"}),
    ("zeit: 8:30", {"zeit": "8:30"}),
    ("land: NO", {"land": "NO"}),
    ("aktiv: on", {"aktiv": "on"}),
    ("version: 1.10", {"version": "1.10"}),
    ("datum: 2025-08-01", {"datum": "2025-08-01"}),
    ("leer:", {"leer": None}),
    ("a: ~", {"a": None}),
    ("a: 'null'", {"a": "null"}),
    ("liste: [a, 1]", {"liste": ["a", "1"]}),
    ("\ufeffa: b", {"a": "b"}),
])
def test_scalars_stay_as_written(tmp_path: Path, text: str, expected: object) -> None:
    assert load(tmp_path, text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("a: 1\nb: 2\na: 3\n",
     "3:1: duplicate key 'a' (first defined on line 1): keep one of them"),
    ("x: {a: 1}\ny: *anchor\n",
     "2:4: YAML aliases (*name) are not allowed: write the value out where it is needed"),
    ("x: &anchor {a: 1}\ny: *anchor\n",
     "1:4: '&anchor' is a YAML anchor, which school files do not use: put a value that starts "
     "with '&' in quotes"),
    ("a:\n\tb: 1\n", "2:1: tab character: use spaces instead (YAML does not accept tabs here)"),
    ("a: !!python/object:os.system x\n",
     "1:4: the YAML tag '!!python/object:os.system' is not allowed: remove it and write the "
     "value as plain text"),
    ("a: !!int 5\n", "1:4: the YAML tag '!!int' is not allowed: remove it and write the value "
     "as plain text"),
    ("a: [1, 2\n", "1:4: the brackets [ ] that open here are not closed properly: check the "
     "commas and the closing bracket"),
    ("? [a]\n: b\n", "1:3: a key must be a plain name, like 'name:'"),
    ("", "1:1: the file is empty: it needs at least the keys of a school, such as 'school:' and "
     "'state:'"),
    ("# only a comment\n", "1:1: the file is empty: it needs at least the keys of a school, such "
     "as 'school:' and 'state:'"),
    (b"name: Gr\xfcnschule\n", "1:9: the file is not UTF-8 text: save it as UTF-8 (in Notepad: "
     "'Save as', encoding UTF-8)"),
    ("a: b\n---\nc: d\n", "2:1: a second YAML document starts here ('---'): a school file holds "
     "one document"),
    ("a: \x07\n", "1:4: an invisible control character (U+0007) is in the text here: delete it "
     "and retype the text around it"),
])
def test_refused_with_position(tmp_path: Path, text: str | bytes, expected: str) -> None:
    assert error(tmp_path, text) == expected


def test_nesting_limit(tmp_path: Path) -> None:
    text = "a: " + "[" * 30 + "]" * 30
    assert error(tmp_path, text) == ("1:24: nested deeper than the limit of 20 levels: check the "
                                     "indentation and the brackets")


@pytest.mark.parametrize(("text", "column"), [
    ("x: " + "[" * 400, 24),                  # 800 bytes gave a RecursionError
    ("x: " + "{a: " * 400, 84),
    ("- " * 400 + "a", 43),                   # block sequences, no bracket at all
    ("x: " + "[" * 200_000, 24),              # deeper than libyaml's own limit
])
def test_deep_nesting_is_refused_before_the_parser_recurses(tmp_path: Path, text: str,
                                                            column: int) -> None:
    assert error(tmp_path, text) == (f"1:{column}: nested deeper than the limit of 20 levels: "
                                     "check the indentation and the brackets")


TAG = "is not allowed: remove it and write the value as plain text"


@pytest.mark.parametrize(("text", "expected"), [
    # a tag that names the type the loader gives anyway is refused too: every tag is
    ("a: !!str x\n", f"1:4: the YAML tag '!!str' {TAG}"),
    ("a: !!null\n", f"1:4: the YAML tag '!!null' {TAG}"),
    ("a: !!seq [x]\n", f"1:4: the YAML tag '!!seq' {TAG}"),
    ("a: !!map {b: c}\n", f"1:4: the YAML tag '!!map' {TAG}"),
    ("!!map\na: b\n", f"1:1: the YAML tag '!!map' {TAG}"),
    ("a: ! x\n", f"1:4: the YAML tag '!' {TAG}"),
    ("a: [x, !!str y]\n", f"1:8: the YAML tag '!!str' {TAG}"),
    ("%TAG !e! tag:example.com,2000:\n---\na: !e!x y\n", f"3:4: the YAML tag 'tag:example.com,2000:x' {TAG}"),
])
def test_every_tag_is_refused(tmp_path: Path, text: str, expected: str) -> None:
    assert error(tmp_path, text) == expected


ESCAPED = ("is in this value (a backslash escape in double quotes, such as '\\e' or '\\0'?): "
           "delete it")


@pytest.mark.parametrize(("text", "expected"), [
    # the control-character rule holds for the value YAML makes, not only for the bytes
    ('a: "\\e[31mrot"\n', f"1:4: an invisible control character (U+001B) {ESCAPED}"),
    ('a: "x\\0y"\n', f"1:4: an invisible control character (U+0000) {ESCAPED}"),
    ('a: "x\\x85y"\n', f"1:4: an invisible control character (U+0085) {ESCAPED}"),
    ('a: "x\\ud800y"\n', f"1:4: an invisible control character (U+D800) {ESCAPED}"),
    ('a: "x\\ry"\n', f"1:4: an invisible control character (U+000D) {ESCAPED}"),
    ('"a\\x07": b\n', f"1:1: an invisible control character (U+0007) {ESCAPED}"),
    ('a:\n  - "\\x1b"\n', f"2:5: an invisible control character (U+001B) {ESCAPED}"),
])
def test_control_characters_after_unescaping(tmp_path: Path, text: str, expected: str) -> None:
    assert error(tmp_path, text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ('a: "Zeile 1\\nZeile 2\\tTab"', {"a": "Zeile 1\nZeile 2\tTab"}),
    ("a: |\n  Zeile 1\n  Zeile 2\n", {"a": "Zeile 1\nZeile 2\n"}),
    ("a: Willkommen!\nb: 'Hallo !'\nc: x!y\n", {"a": "Willkommen!", "b": "Hallo !", "c": "x!y"}),
])
def test_line_breaks_tabs_and_exclamation_marks_stay(tmp_path: Path, text: str, expected: object) -> None:
    assert load(tmp_path, text) == expected


def test_size_limit(tmp_path: Path) -> None:
    message = error(tmp_path, "a: " + "x" * 300_000)
    assert message == ("1:1: the file is 293 KiB, more than the limit of 256 KiB for a school file: "
                       "is it the right file?")


def test_marks_point_at_keys_and_values(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("school:\n  name: A\n  list:\n    - x\n    - y\n", encoding="utf-8")
    doc = read_yaml(path)
    assert doc.mark(("school", "name"), prefer_key=True) == doc.key_marks[("school", "name")]
    assert (doc.key_marks[("school", "name")].line, doc.key_marks[("school", "name")].column) == (2, 3)
    assert (doc.value_marks[("school", "name")].line, doc.value_marks[("school", "name")].column) == (2, 9)
    assert doc.value_marks[("school", "list", 1)].line == 5
    # a location that does not exist falls back to its nearest parent
    assert doc.mark(("school", "missing")).line == 2


@pytest.mark.parametrize("make", [
    lambda p: p.symlink_to("/dev/zero"),  # would never end, and stat() says 0 bytes
    lambda p: os.mkfifo(p),  # opening it would wait for a writer forever
    lambda p: p.mkdir(),
])
def test_only_plain_files_are_read(tmp_path: Path, make: Callable[[Path], None]) -> None:
    path = tmp_path / "x.yaml"
    make(path)
    with pytest.raises(InputError) as info:
        read_yaml(path)
    assert [str(p.message) for p in info.value.problems] == [
        "this is not a plain file (it is a folder, a device or a pipe): a school file is a text file"]


@pytest.mark.parametrize(("text", "expected"), [
    # the quote opened on line 1 swallows line 2; YAML only stumbles on line 3
    ('a: "eins\nb: zwei\nc: "drei"\n',
     "1:4: this quote is never closed: add the closing quote at the end of the value"),
    ("a: 'it''s\nb: c\nd: 'e'\n",
     "1:4: this quote is never closed: add the closing quote at the end of the value"),
    # a quoted value may span lines: a later, unrelated mistake is not blamed on it
    ('a: "eins\n  zwei"\nb: x: y\n',
     "3:5: unexpected ':' here: put a value that contains ': ' in quotes (\"...\"), or check the "
     "indentation of this line and the ':' of the line above"),
])
def test_unclosed_quote_is_found_where_it_opens(tmp_path: Path, text: str, expected: str) -> None:
    assert error(tmp_path, text) == expected


def _all_yaml() -> list[Path]:
    from .project import ROOT
    from .project import SHIPPED as EXAMPLES

    examples = [ROOT / "schools" / f"{sid}.yaml" for sid in EXAMPLES]
    return sorted([*(ROOT / "tests" / "bad_inputs").glob("*.yaml"), *examples,
                   *(ROOT / "catalog").rglob("*.yaml"), *(ROOT / "tests" / "fixtures").glob("*.yaml")])


@pytest.mark.parametrize("path", _all_yaml(), ids=lambda p: p.name)
def test_fast_parser_agrees_with_the_careful_one(path: Path) -> None:
    """libyaml's fast path gives exactly what the careful path gives, or steps aside."""
    from dsinfo import load as loader

    raw = path.read_bytes()
    try:
        text = loader._decode(path, raw)
    except InputError:
        return
    fast = loader._parse_fast(path, text)
    if fast is None:
        return
    careful_loader = loader._FastLoader
    try:
        loader._FastLoader = None
        careful = loader.parse_yaml(path, raw)
    finally:
        loader._FastLoader = careful_loader
    assert (fast.data, fast.key_marks, fast.value_marks) == (
        careful.data, careful.key_marks, careful.value_marks)


@pytest.mark.parametrize(("text", "fast"), [
    ("quelle: https://example.org/?a=1&b=2\n", True),  # '&' and '*' inside text are text
    ("hinweis: Pflichtangaben sind mit * markiert\n", True),
    ("name: Hallo!\n", True),
    ("name: &a Schule\n", False),
    ("a: x\nb: *a\n", False),
    ("name: !!str Schule\n", False),
    ("name: ! Schule\n", False),
    ("name:\tSchule\n", False),
])
def test_fast_parser_steps_aside_only_for_what_it_cannot_refuse(text: str, fast: bool) -> None:
    from dsinfo import load as loader

    assert (loader._parse_fast(Path("x.yaml"), text) is not None) is fast
