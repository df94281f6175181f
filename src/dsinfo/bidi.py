"""Latin-script runs in right-to-left text, isolated so that a wrapped line keeps them whole.

An Arabic or Persian sentence cites the German law ("Art. 6 Abs. 1 lit. e DSGVO"), names
German bodies and shows German placeholders. Without isolation the Unicode bidi algorithm
mixes their neutral characters (spaces, brackets, full stops) with the sentence around them:
when such a line wraps, a bracket or the full stop lands at the wrong end (".(lit. e, ..." at
the start of a line). Each Latin run is therefore put between U+2066 LEFT-TO-RIGHT ISOLATE and
U+2069 POP DIRECTIONAL ISOLATE. Browsers and Pango (which lays out WeasyPrint's text; WeasyPrint
itself does not apply CSS `unicode-bidi`) both honour these characters, so one change serves
the web page and the PDF. Text in an element with `dir="ltr"` (an address in
<bdi dir="ltr">, an e-mail link) is already isolated and stays as it is, and so does markup.
"""

from __future__ import annotations

import re

from .i18n import direction
from .textnodes import TextNodes, rewrite

LRI, PDI = "\u2066", "\u2069"
_LATIN = "A-Za-z\u00c0-\u024f"
# A run starts with a Latin letter, a digit, '§' or an opening bracket before one, goes on
# over Latin letters, digits, spaces and the punctuation of citations and addresses, and ends
# with a letter, a digit or a closing bracket: the full stop after it is the sentence's own.
_RUN = re.compile(rf"(?:[\[(](?=[{_LATIN}0-9§])|[{_LATIN}0-9§])"
                  rf"(?:[{_LATIN}0-9§ .,:;/&@+_%'’\-–()\[\]]*[{_LATIN}0-9)\]])?")
_SKIP = frozenset({"script", "style", "title"})
_KEPT = re.compile(f"({LRI}[^{PDI}]*{PDI}|@@[a-z]+@@)")  # @@version@@: documents.VERSION_MARK
_LANG = re.compile(r'\blang="([a-zA-Z-]+)"')


def isolate_latin(page: str, lang: str) -> str:
    """The HTML `page` with every Latin-script run of its right-to-left text (the page's
    language, or an element's `lang`) between LRI and PDI; a left-to-right page unchanged."""
    if not _rtl(lang) and not any(_rtl(code) for code in set(_LANG.findall(page))):
        return page  # nothing right to left on it: not parsed at all
    return rewrite(page, _Finder(_rtl(lang)), lambda text, _: isolated(text))


def isolated(text: str) -> str:
    """`text` with its Latin runs isolated (brackets kept with the run only in pairs).

    >>> isolated("وفقًا لـ (Art. 6 DSGVO).") == "وفقًا لـ \u2066(Art. 6 DSGVO)\u2069."
    True
    """
    parts = _KEPT.split(text)  # what a translation isolates itself stays as it is
    return "".join(_kept(part) if n % 2 else _RUN.sub(lambda m: _wrapped(m[0]), part)
                   for n, part in enumerate(parts))


def _kept(part: str) -> str:
    """A run isolated already, or a stand-in that documents.py replaces with a version: the
    stand-in isolated whole, so that the version that replaces it is isolated too."""
    return part if part.startswith(LRI) else f"{LRI}{part}{PDI}"


def _wrapped(run: str) -> str:
    head, tail = "", ""
    while run.endswith((")", "]")) and run.count(run[-1]) > run.count("(" if run[-1] == ")" else "["):
        run, tail = run[:-1], run[-1] + tail  # a closing bracket whose opening one is outside
    while run.startswith(("(", "[")) and run.count(run[0]) > run.count(")" if run[0] == "(" else "]"):
        head, run = head + run[0], run[1:]
    stripped = run.rstrip(" .,:;/&@+_%'’-–")
    tail = run[len(stripped):] + tail
    return f"{head}{LRI}{stripped}{PDI}{tail}" if stripped else head + run + tail


class _Finder(TextNodes[bool]):
    """Text in right-to-left context (the page's language, an element's `lang` or `dir`); text
    in an element with dir="ltr" is isolated already, and a script, style or title is not
    running text."""

    def state(self, tag: str, attrs: dict[str, str | None], parent: bool) -> bool:
        rtl = _rtl(attrs["lang"] or "") if attrs.get("lang") else parent
        if attrs.get("dir") in ("rtl", "ltr"):
            rtl = attrs["dir"] == "rtl"
        return rtl and tag not in _SKIP

    def wanted(self, data: str, state: bool) -> bool:
        return state and bool(_RUN.search(data))


def _rtl(lang: str) -> bool:
    return direction(lang.split("-")[0]) == "rtl"
