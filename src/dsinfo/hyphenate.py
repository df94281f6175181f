"""Soft hyphens in the long words of a web page's headings and table cells.

`hyphens: auto` needs a hyphenation dictionary in the browser; Chromium on Linux and Windows has
none unless it downloads one, and then breaks a word that does not fit anywhere
("Datenschutzhi|nweise" on a 320 px phone). Soft hyphens (U+00AD) from the pyphen dictionaries
that WeasyPrint uses for the PDFs break such words at syllables in every browser. They go only
where a word can be wider than a phone's column (headings, table cells, terms of a list);
paragraphs wrap between words and `hyphens: auto` does the rest where the browser can.
"""

from __future__ import annotations

import functools
import re
from html.parser import HTMLParser

import pyphen

from .i18n import language

TARGETS = frozenset({"h1", "h2", "h3", "h4", "th", "td", "dt", "caption"})
MIN_LETTERS = 13  # shorter words fit a phone's heading line
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "source", "track", "wbr"})
_LONG_WORD = re.compile(rf"[^\W\d_]{{{MIN_LETTERS},}}")
SHY = "\u00ad"
SHY_ENTITY = "&shy;"  # in the page source: visible in a diff, the same to a browser


@functools.cache
def _dictionary(lang: str) -> pyphen.Pyphen | None:
    name = language(lang).hyphenation
    return pyphen.Pyphen(lang=name, left=3, right=3) if name else None


def hyphenate_word(word: str, lang: str) -> str:
    """`word` with soft hyphens where `lang`'s dictionary allows a break, e.g.
    Daten\u00adschutz\u00adhin\u00adweise; unchanged for a language pyphen has no dictionary for."""
    return hyphenate_as(word, lang, SHY)


def hyphenate_as(word: str, lang: str, hyphen: str) -> str:
    dictionary = _dictionary(lang)
    return dictionary.inserted(word, hyphen=hyphen) if dictionary else word


def soft_hyphens(page: str, lang: str) -> str:
    """The HTML `page` with soft hyphens (&shy;) in the long words of its headings, table cells and
    list terms, each in the language of its element (the nearest lang attribute, else `lang`).
    Markup, attributes and all other text stay byte for byte as they were."""
    parser = _Finder(lang)
    parser.feed(page)
    parser.close()
    parts, end = [], 0
    for start, text, text_lang in parser.found:
        parts += [page[end:start], _hyphenated(text, text_lang)]
        end = start + len(text)
    return "".join(parts) + page[end:]


def _hyphenated(text: str, lang: str) -> str:
    return _LONG_WORD.sub(lambda m: hyphenate_as(m[0], lang, SHY_ENTITY), text)


class _Finder(HTMLParser):
    """Finds the text inside TARGETS elements, with its offset in the page and its language."""

    def __init__(self, lang: str) -> None:
        super().__init__(convert_charrefs=False)  # raw text: offsets map back into the page
        self.stack: list[tuple[str, str]] = [("", lang)]
        self.found: list[tuple[int, str, str]] = []
        self._lines = [0]

    def feed(self, data: str) -> None:
        self._lines = [0] + [m.end() for m in re.finditer("\n", data)]
        super().feed(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _VOID:
            self.stack.append((tag, dict(attrs).get("lang") or self.stack[-1][1]))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data: str) -> None:
        if any(tag in TARGETS for tag, _ in self.stack) and _LONG_WORD.search(data):
            line, column = self.getpos()
            self.found.append((self._lines[line - 1] + column, data, self.stack[-1][1]))
