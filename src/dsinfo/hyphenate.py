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

import pyphen

from .i18n import language
from .textnodes import TextNodes, rewrite

TARGETS = frozenset({"h1", "h2", "h3", "h4", "th", "td", "dt", "caption"})
MIN_LETTERS = 13  # shorter words fit a phone's heading line
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
    return rewrite(page, _Finder((lang, False)), lambda text, state: _hyphenated(text, state[0]))


def _hyphenated(text: str, lang: str) -> str:
    return _LONG_WORD.sub(lambda m: hyphenate_as(m[0], lang, SHY_ENTITY), text)


class _Finder(TextNodes[tuple[str, bool]]):
    """The text inside TARGETS elements; each element's state: its language, and whether it is
    inside a target."""

    def state(self, tag: str, attrs: dict[str, str | None],
              parent: tuple[str, bool]) -> tuple[str, bool]:
        return (attrs.get("lang") or parent[0], parent[1] or tag in TARGETS)

    def wanted(self, data: str, state: tuple[str, bool]) -> bool:
        return state[1] and bool(_LONG_WORD.search(data))
