"""Read YAML strictly: every scalar stays the text as written, positions are kept for errors.

PyYAML's defaults do not suit hand-edited school files: duplicate keys are silently dropped,
`plz: 01067` becomes the number 567, `land: NO` becomes False and aliases can blow up into
millions of nodes. This loader resolves only null; everything else is a string that the
pydantic models convert where a field wants a date, a number or a yes/no.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError, Problem, Severity

MAX_FILE_BYTES = 256 * 1024
MAX_DEPTH = 20

Loc = tuple[str | int, ...]

_NULL = "tag:yaml.org,2002:null"
_STR = "tag:yaml.org,2002:str"
_PLAIN_TAGS = {_NULL, _STR, "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"}


@dataclass(frozen=True)
class Mark:
    """A 1-based position in a file."""

    line: int
    column: int


@dataclass
class Document:
    """Plain data from one YAML file, with the position of every key and value."""

    path: Path
    data: Any
    key_marks: dict[Loc, Mark] = field(default_factory=dict)
    value_marks: dict[Loc, Mark] = field(default_factory=dict)

    def mark(self, loc: Loc, *, prefer_key: bool = False) -> Mark:
        """The position of `loc`, or of its nearest enclosing entry that exists."""
        for end in range(len(loc), -1, -1):
            sub = loc[:end]
            first, second = (
                (self.key_marks, self.value_marks) if prefer_key else (self.value_marks, self.key_marks)
            )
            if sub in first:
                return first[sub]
            if sub in second:
                return second[sub]
        return Mark(1, 1)

    def problem(self, loc: Loc, message: str, *, prefer_key: bool = False,
                severity: Severity = "error") -> Problem:
        """A problem positioned at `loc` (at its key, if `prefer_key`)."""
        m = self.mark(loc, prefer_key=prefer_key)
        return Problem(path=self.path, line=m.line, column=m.column, message=message,
                       severity=severity)


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses aliases and resolves no implicit types except null."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise _Refused(event.start_mark, "YAML aliases (*name) are not allowed: "
                           "write the value out where it is needed")
        return super().compose_node(parent, index)


_StrictLoader.yaml_implicit_resolvers = {}
_StrictLoader.add_implicit_resolver(_NULL, re.compile(r"^(?:~|null|Null|NULL|)$"),
                                    ["~", "n", "N", ""])


class _Refused(Exception):
    def __init__(self, mark: Any, message: str) -> None:
        super().__init__(message)
        self.mark = mark
        self.message = message


def read_yaml(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> Document:
    """Parse one YAML file into a Document, or raise InputError with one positioned problem."""
    return parse_yaml(path, _read_bytes(path, max_bytes))


def parse_yaml(path: Path, raw: bytes) -> Document:
    """Parse the bytes of a YAML file that were read elsewhere; `path` names it in problems."""
    text = _decode(path, raw)
    try:
        node = yaml.compose(text, Loader=_StrictLoader)
    except _Refused as exc:
        raise _error(path, exc.mark, exc.message) from None
    except yaml.MarkedYAMLError as exc:
        raise _error(path, exc.problem_mark or exc.context_mark, _yaml_message(exc)) from None
    except yaml.reader.ReaderError as exc:
        line, col = _line_col(text, exc.position)
        raise InputError([Problem(path=path, line=line, column=col,
                                  message=f"control character U+{_codepoint(exc.character):04X} "
                                          "is not allowed in the file: remove it")]) from None
    doc = Document(path=path, data=None)
    if node is None:
        raise InputError([Problem(path=path, line=1, column=1,
                                  message="the file is empty: it needs at least the keys of a "
                                          "school, such as 'school:' and 'state:'")])
    doc.data = _build(node, (), doc, depth=0)
    return doc


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError([Problem(path=path, message=f"the file is {size // 1024} KiB, more "
                                      f"than the limit of {max_bytes // 1024} KiB: is it the right file?")])
        return path.read_bytes()
    except OSError as exc:
        raise InputError([Problem(path=path, message=f"cannot read the file: {exc.strerror}")]) from None


def _decode(path: Path, raw: bytes) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError([Problem(path=path, line=line, column=col,
                                  message="the file is not UTF-8 text: save it as UTF-8 "
                                          "(in Notepad: 'Save as', encoding UTF-8)")]) from None
    return text.removeprefix("\ufeff")


def _codepoint(character: int | str) -> int:
    return character if isinstance(character, int) else ord(character)


def _line_col(text: str, position: int) -> tuple[int, int]:
    before = text[:position]
    return before.count("\n") + 1, position - (before.rfind("\n") + 1) + 1


def _error(path: Path, mark: Any, message: str) -> InputError:
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)
    return InputError([Problem(path=path, line=line, column=col, message=message)])


def _yaml_message(exc: yaml.MarkedYAMLError) -> str:
    problem = (exc.problem or "invalid YAML").strip().replace("'<stream end>'", "the end of the file")
    if "'\\t'" in problem or "\t" in problem:
        return "tab character: YAML indentation must use spaces, not tabs"
    if "another document" in problem:
        return "a second YAML document starts here ('---'): a school file holds one document"
    if exc.context:
        return f"invalid YAML: {problem} ({exc.context.strip()})"
    return f"invalid YAML: {problem}"


def _mark(node: yaml.Node) -> Mark:
    return Mark(node.start_mark.line + 1, node.start_mark.column + 1)


def _build(node: yaml.Node, loc: Loc, doc: Document, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise _error(doc.path, node.start_mark, f"nesting deeper than {MAX_DEPTH} levels")
    if node.tag not in _PLAIN_TAGS:
        raise _error(doc.path, node.start_mark,
                     f"YAML tag {node.tag!r} is not allowed: remove it and write plain text")
    doc.value_marks[loc] = _mark(node)
    if isinstance(node, yaml.ScalarNode):
        return None if node.tag == _NULL else str(node.value)
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*loc, i), doc, depth + 1) for i, item in enumerate(node.value)]
    assert isinstance(node, yaml.MappingNode)
    return _build_mapping(node, loc, doc, depth)


def _build_mapping(node: yaml.MappingNode, loc: Loc, doc: Document, depth: int) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _STR:
            raise _error(doc.path, key_node.start_mark, "a key must be a plain name, like 'name:'")
        key = str(key_node.value)
        if key in result:
            first = doc.key_marks[(*loc, key)]
            raise _error(doc.path, key_node.start_mark,
                         f"duplicate key '{key}' (first defined on line {first.line}): "
                         "keep one of them")
        doc.key_marks[(*loc, key)] = _mark(key_node)
        result[key] = _build(value_node, (*loc, key), doc, depth + 1)
    return result
