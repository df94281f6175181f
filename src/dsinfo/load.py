"""Read YAML strictly: every scalar stays the text as written, positions are kept for errors.

PyYAML's defaults do not suit hand-edited school files: duplicate keys are silently dropped,
`plz: 01067` becomes the number 567, `land: NO` becomes False and aliases can blow up into
millions of nodes. This loader resolves only null; everything else is a string that the
pydantic models convert where a field wants a date, a number or a yes/no.
"""

from __future__ import annotations

import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError, Problem, Severity, shown
from .messages import Msg, Text

MAX_FILE_BYTES = 256 * 1024  # a school file is a few KiB; this is far more than any needs
MAX_DEPTH = 20  # levels of keys and lists; a school file needs about five

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

    def problem(self, loc: Loc, message: Text, *, prefer_key: bool = False,
                severity: Severity = "error") -> Problem:
        """A problem positioned at `loc` (at its key, if `prefer_key`)."""
        m = self.mark(loc, prefer_key=prefer_key)
        return Problem(path=self.path, line=m.line, column=m.column, message=message,
                       severity=severity)


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses aliases, anchors and tags, refuses nesting deeper than
    MAX_DEPTH before PyYAML's recursive composer runs out of stack, and resolves no implicit
    type but null."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(event.start_mark, Msg("YAML aliases (*name) are not allowed: "
                                                 "write the value out where it is needed"))
        if getattr(event, "anchor", None) is not None:
            # an anchor alone is harmless, but `name: &Co Schule` would silently drop '&Co'
            raise _Refused(event.start_mark, Msg("'&{anchor}' is a YAML anchor, which school "
                                                 "files do not use: put a value that starts with "
                                                 "'&' in quotes", anchor=event.anchor))
        if getattr(event, "tag", None) is not None:  # written in the file: '!!str', '!', ...
            raise _Refused(event.start_mark, _tag_message(event.tag))
        is_key = isinstance(parent, yaml.MappingNode) and index is None
        if self._depth > MAX_DEPTH and not is_key:  # counted as _build does: root 0, keys free
            raise _Refused(event.start_mark, _DEPTH_MESSAGE)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


_DEPTH_MESSAGE = Msg("nested deeper than the limit of {limit} levels: check the indentation "
                     "and the brackets", limit=MAX_DEPTH)


def _tag_message(tag: str) -> Msg:
    return Msg("the YAML tag '{tag}' is not allowed: remove it and write the value as plain text",
               tag=shown(tag.replace("tag:yaml.org,2002:", "!!"), 40))


# Characters no value may hold, however it was written: the YAML reader refuses them in the
# raw text, but a double-quoted escape ("\e", "\0", "\x85", "\ud800") makes them from
# plain letters. Tab and line feed stay (block scalars are made of lines).
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def first_control(text: str) -> int | None:
    """The index of the first character of `text` that CONTROL refuses, or None."""
    match = CONTROL.search(text)
    return match.start() if match else None


def control_message(character: str, *, escaped: bool = False) -> Msg:
    """What to say about a control character: typed into the text, or made by an escape."""
    code = f"U+{ord(character):04X}"
    if escaped:
        return Msg("an invisible control character ({code}) is in this value (a backslash escape "
                   "in double quotes, such as '\\e' or '\\0'?): delete it", code=code)
    return Msg("an invisible control character ({code}) is in the text here: delete it and retype "
               "the text around it", code=code)


_StrictLoader.yaml_implicit_resolvers = {}
_StrictLoader.add_implicit_resolver(_NULL, re.compile(r"^(?:~|null|Null|NULL|)$"),
                                    ["~", "n", "N", ""])


class _Refused(Exception):
    def __init__(self, mark: Any, message: Msg) -> None:
        super().__init__(message)
        self.mark = mark
        self.message = message


def read_yaml(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> Document:
    """Parse one YAML file into a Document, or raise InputError with one positioned problem."""
    return parse_yaml(path, read_limited(path, max_bytes))


def parse_yaml(path: Path, raw: bytes) -> Document:
    """Parse the bytes of a YAML file that were read elsewhere; `path` names it in problems."""
    text = _decode(path, raw)
    fast = _parse_fast(path, text)
    if fast is not None:
        return fast
    try:
        node = yaml.compose(text, Loader=_StrictLoader)
    except _Refused as exc:
        raise _error(path, exc.mark, exc.message) from None
    except yaml.MarkedYAMLError as exc:
        mark, message = _unclosed_quote(text, exc.problem_mark) or _yaml_problem(exc)
        raise _error(path, mark, message) from None
    except yaml.reader.ReaderError as exc:
        line, col = _line_col(text, exc.position)
        raise InputError([Problem(path=path, line=line, column=col,
                                  message=control_message(chr(_codepoint(exc.character))))]) from None
    doc = Document(path=path, data=None)
    if node is None:
        raise InputError([Problem(path=path, line=1, column=1,
                                  message=Msg("the file is empty: it needs at least the keys of a "
                                              "school, such as 'school:' and 'state:'"))])
    doc.data = _build(node, (), doc, depth=0)
    return doc


def _parse_fast(path: Path, text: str) -> Document | None:
    """libyaml's parser, about 14 times faster, for the common case of a clean file.

    libyaml's composer cannot refuse an anchor, an alias or a tag where it sees one, so its
    events are read first and a file with any of them takes the careful path; so does a file
    with a tab (libyaml accepts tabs where PyYAML does not) and every file with a problem,
    whose message comes from there (tests/test_load.py compares both on every file)."""
    if _FastLoader is None or "\t" in text:
        return None
    try:
        if any(_refused(event) for event in yaml.parse(text, Loader=_FastLoader)):
            return None
        node = yaml.compose(text, Loader=_FastLoader)
        if node is None:
            return None
        doc = Document(path=path, data=None)
        doc.data = _build(node, (), doc, depth=0)
    except Exception:  # any trouble: the careful path says what it is
        return None
    return doc


def _refused(event: Any) -> bool:
    """An alias, an anchor or a tag written in the file: the careful path refuses them."""
    return (isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None
            or getattr(event, "tag", None) is not None)


def _fast_loader() -> Any:
    base: Any = getattr(yaml, "CSafeLoader", None)
    if base is None:
        return None
    loader: Any = type("_FastLoader", (base,), {})
    loader.yaml_implicit_resolvers = {}
    loader.add_implicit_resolver(_NULL, re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])
    return loader


_FastLoader = _fast_loader()


A_SCHOOL_FILE = Msg("a school file")


def read_limited(path: Path, max_bytes: int, kind: Text = A_SCHOOL_FILE) -> bytes:
    """The bytes of a plain file of at most `max_bytes`, or InputError saying what is wrong.
    `kind` says what the file is, as a message ("a school file")."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):  # a pipe or /dev/zero would never end
            raise _whole_file(path, Msg("this is not a plain file (it is a folder, a device or a "
                                        "pipe): {kind} is a text file", kind=kind))
        with path.open("rb") as fp:
            raw = fp.read(max_bytes + 1)  # read no more than the limit, whatever stat said
    except OSError as exc:
        raise _whole_file(path, Msg("cannot read the file: {reason}",
                                    reason=exc.strerror)) from None
    if len(raw) > max_bytes:
        size = max(path.stat().st_size, len(raw))
        raise _whole_file(path, Msg("the file is {size} KiB, more than the limit of {limit} KiB "
                                    "for {kind}: is it the right file?", size=-(-size // 1024),
                                    limit=max_bytes // 1024, kind=kind))
    return raw


def _whole_file(path: Path, message: Text) -> InputError:
    return InputError([Problem(path=path, line=1, column=1, message=message)])


# Files that are certainly not text: pictures, PDF, Office documents (zip or the old OLE format)
_BINARY_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"%PDF", b"PK\x03\x04", b"\xd0\xcf\x11\xe0")


def _decode(path: Path, raw: bytes) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _whole_file(path, Msg("the file is saved as UTF-16 ('Unicode'): save it as UTF-8 "
                                    "(in Notepad: 'Save as', encoding UTF-8)"))
    if raw.startswith(_BINARY_MAGIC) or b"\x00" in raw[:8192]:
        raise _whole_file(path, Msg("this is not a text file but binary data (a picture, a PDF or "
                                    "a Word document?): a school file is plain text, written in a "
                                    "text editor"))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError([Problem(path=path, line=line, column=col,
                                  message=Msg("the file is not UTF-8 text: save it as UTF-8 "
                                              "(in Notepad: 'Save as', encoding UTF-8)"))]) from None
    return text.removeprefix("\ufeff")


def _codepoint(character: int | str) -> int:
    return character if isinstance(character, int) else ord(character)


def _line_col(text: str, position: int) -> tuple[int, int]:
    before = text[:position]
    return before.count("\n") + 1, position - (before.rfind("\n") + 1) + 1


def _error(path: Path, mark: Any, message: Text) -> InputError:
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)
    return InputError([Problem(path=path, line=line, column=col, message=message)])


_QUOTED_VALUE = re.compile(r"""^\s*(?:- )?[^\s#"'][^#"']*:[ ]+(["'])""")


def _unclosed_quote(text: str, at: Any) -> tuple[Any, Msg] | None:
    """A quote opened on an earlier line and first closed on the error's line: that is the
    mistake, though YAML only notices it where the quoted text has swallowed the lines between."""
    if at is None:
        return None
    lines = text.splitlines()
    for number, line in enumerate(lines[: at.line]):
        match = _QUOTED_VALUE.match(line)
        quote = match[1] if match else ""
        if not match or quote in line[match.end():].replace("''", ""):
            continue
        rest = "\n".join([line[match.end():], *lines[number + 1:]]).replace("''", "  ")
        closing = rest.find(quote)
        if closing >= 0 and rest[:closing].count("\n") == at.line - number:
            return yaml.Mark("", 0, number, match.end() - 1, None, 0), _UNCLOSED
    return None


_UNCLOSED = Msg("this quote is never closed: add the closing quote at the end of the value")


def _yaml_problem(exc: yaml.MarkedYAMLError) -> tuple[Any, Msg]:
    """Where and what, in words for the people who edit school files, not for YAML experts.
    (PyYAML's English problem and context are read here, to choose the message.)"""
    problem = (exc.problem or "").strip()
    context = (exc.context or "").strip()
    at, start = exc.problem_mark or exc.context_mark, exc.context_mark or exc.problem_mark
    if "'\\t'" in problem or "\t" in problem:
        return at, Msg("tab character: use spaces instead (YAML does not accept tabs here)")
    if "another document" in problem:
        return at, Msg("a second YAML document starts here ('---'): a school file holds one document")
    if "mapping values are not allowed" in problem:
        return at, Msg("unexpected ':' here: put a value that contains ': ' in quotes (\"...\"), or "
                       "check the indentation of this line and the ':' of the line above")
    if context == "while scanning a quoted scalar":
        return start, _UNCLOSED
    if context == "while scanning a double-quoted scalar":
        return at, Msg("inside double quotes a backslash starts an escape sequence: write '\\\\' "
                       "for a backslash, or use single quotes ('...')")
    if context in ("while scanning an anchor", "while scanning an alias"):
        return start, Msg("a value cannot start with '&' or '*': put the value in quotes (\"...\")")
    if "cannot start any token" in problem:
        char = problem.split("'")[1] if problem.count("'") >= 2 else Msg("this character")
        return at, Msg("a value cannot start with '{char}': put the value in quotes (\"...\")",
                       char=char)
    if context in ("while parsing a flow sequence", "while parsing a flow mapping"):
        pair = "[ ]" if "sequence" in context else "{ }"
        return start, Msg("the brackets {pair} that open here are not closed properly: check the "
                          "commas and the closing bracket", pair=pair)
    if problem.startswith("expected <block end>") and "'<scalar>'" in problem:
        return at, Msg("unexpected text here: if a value starts with a quote, the whole value must "
                       "be inside the quotes; otherwise check the indentation")
    if problem.startswith("expected <block end>") and problem.endswith(("']'", "'}'")):
        return at, Msg("a closing bracket without an opening one: remove it")
    if problem.startswith("expected <block end>"):
        return at, Msg("this line does not fit the indentation of the lines above: keys of one "
                       "group start in the same column, indented with spaces")
    if "could not find expected ':'" in problem:
        return start, Msg("a ':' is missing after the key on this line (write 'key: value')")
    if "'<stream end>'" in problem:
        return at, Msg("the file ends in the middle of a value: close the open '[', '{{' or quote")
    if context:  # PyYAML's own words: a case none of the above foresaw
        return at, Msg("invalid YAML: {problem} ({context})", problem=problem, context=context)
    return at, Msg("invalid YAML: {problem}", problem=problem)


def _mark(node: yaml.Node) -> Mark:
    return Mark(node.start_mark.line + 1, node.start_mark.column + 1)


def _build(node: yaml.Node, loc: Loc, doc: Document, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise _error(doc.path, node.start_mark, _DEPTH_MESSAGE)
    if node.tag not in _PLAIN_TAGS:
        raise _error(doc.path, node.start_mark, _tag_message(node.tag))
    doc.value_marks[loc] = _mark(node)
    if isinstance(node, yaml.ScalarNode):
        return None if node.tag == _NULL else _text(node, doc)
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*loc, i), doc, depth + 1) for i, item in enumerate(node.value)]
    assert isinstance(node, yaml.MappingNode)
    return _build_mapping(node, loc, doc, depth)


def _text(node: yaml.ScalarNode, doc: Document) -> str:
    """A scalar's text, after YAML has unescaped it: the control-character rule applies here."""
    text = str(node.value)
    at = first_control(text)
    if at is not None:
        raise _error(doc.path, node.start_mark, control_message(text[at], escaped=True))
    return text


def _build_mapping(node: yaml.MappingNode, loc: Loc, doc: Document, depth: int) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _STR:
            raise _error(doc.path, key_node.start_mark, Msg("a key must be a plain name, like 'name:'"))
        key = _text(key_node, doc)
        if key in result:
            first = doc.key_marks[(*loc, key)]
            raise _error(doc.path, key_node.start_mark,
                         Msg("duplicate key '{key}' (first defined on line {line}): keep one of them",
                             key=key, line=first.line))
        doc.key_marks[(*loc, key)] = _mark(key_node)
        result[key] = _build(value_node, (*loc, key), doc, depth + 1)
    return result
