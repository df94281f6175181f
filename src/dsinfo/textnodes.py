"""Changes to the text of an HTML page that leave its markup byte for byte as it was: soft
hyphens in headings (hyphenate.py), isolated Latin runs in right-to-left text (bidi.py).

A `TextNodes` parser walks the page once and keeps, for each piece of text it wants, the
piece's offset in the page and the state its elements give it (the language, whether it is
in a heading ...); `rewrite` changes those pieces and copies everything else.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Generic, TypeVar

S = TypeVar("S")

VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                  "source", "track", "wbr"})


class TextNodes(HTMLParser, Generic[S]):
    """Text of a page with its offsets and each element's state, `root` at the top. Subclasses
    say what state an element gives (`state`) and which text they want (`wanted`)."""

    def __init__(self, root: S) -> None:
        super().__init__(convert_charrefs=False)  # raw text: offsets map back into the page
        self.stack: list[tuple[str, S]] = [("", root)]
        self.found: list[tuple[int, str, S]] = []
        self._lines = [0]

    def state(self, tag: str, attrs: dict[str, str | None], parent: S) -> S:
        return parent

    def wanted(self, data: str, state: S) -> bool:
        raise NotImplementedError

    def feed(self, data: str) -> None:
        self._lines = [0] + [m.end() for m in re.finditer("\n", data)]
        super().feed(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID:
            self.stack.append((tag, self.state(tag, dict(attrs), self.stack[-1][1])))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data: str) -> None:
        state = self.stack[-1][1]
        if self.wanted(data, state):
            line, column = self.getpos()
            self.found.append((self._lines[line - 1] + column, data, state))


def rewrite(page: str, finder: TextNodes[S], change: Callable[[str, S], str]) -> str:
    """`page` with each piece of text `finder` wants replaced by `change(text, state)`."""
    finder.feed(page)
    finder.close()
    parts, end = [], 0
    for start, text, state in finder.found:
        parts += [page[end:start], change(text, state)]
        end = start + len(text)
    return "".join(parts) + page[end:]
