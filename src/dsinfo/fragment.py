"""The notice for school websites and other systems: an HTML fragment and JSON.

Both are cut from the <main> of the notice's web page (without the parts that belong to our
own site), so they say exactly what the notice page says, whatever sections the template has.
"""

from __future__ import annotations

import json
import re
from html import unescape
from typing import Any

import tinycss2

from .compose import facts_of
from .errors import BuildError
from .i18n import direction
from .messages import Msg
from .publish import Publication
from .views import View

SCOPE = "dsinfo-notice"
# Selectors for the page itself; in a fragment the wrapper element takes their place.
_PAGE_SELECTOR = re.compile(r"(?::root|html|body|main)(?![\w-])")
_BLOCKS = frozenset({"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th", "dt", "dd",
                     "div", "section", "ul", "ol", "table", "dl", "header", "br"})


def scope_css(css: str, scope: str = SCOPE) -> str:
    """`css` with every rule limited to the inside of `.scope`, for pasting into another site.

    `main > section` becomes `.scope > section`, `h2` becomes `.scope h2`; font families are
    dropped (the fragment takes the site's font) and so are at-rules other than @media.

    >>> scope_css("body { color: red; font-family: x } h2 { margin: 0 }", "s")
    '.s { color: red }\\n.s h2 { margin: 0 }\\n'
    """
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    return "".join(f"{text}\n" for rule in rules if (text := _scope_rule(rule, scope)))


def _scope_rule(rule: Any, scope: str) -> str:
    if rule.type == "qualified-rule":
        declarations = [d.serialize().strip() for d in tinycss2.parse_blocks_contents(
            rule.content, skip_comments=True, skip_whitespace=True)
            if d.type == "declaration" and d.lower_name != "font-family"]
        if not declarations:
            return ""
        selectors = ", ".join(_scope_selector(s, scope) for s in _selectors(rule.prelude))
        return f"{selectors} {{ {'; '.join(declarations)} }}"
    if rule.type == "at-rule" and rule.lower_at_keyword == "media" and rule.content:
        inner = tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True)
        body = " ".join(text for r in inner if (text := _scope_rule(r, scope)))
        return f"@media {tinycss2.serialize(rule.prelude).strip()} {{ {body} }}" if body else ""
    return ""  # @font-face, @import, @page: nothing a fragment may bring into a foreign page


def _selectors(prelude: list[Any]) -> list[str]:
    parts: list[list[Any]] = [[]]
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            parts.append([])
        else:
            parts[-1].append(token)
    return [" ".join(tinycss2.serialize(p).split()) for p in parts]


def _scope_selector(selector: str, scope: str) -> str:
    if selector == "*":
        return f".{scope}, .{scope} *"
    if match := _PAGE_SELECTOR.match(selector):
        return f".{scope}{selector[match.end():]}"
    return f".{scope} {selector}"


_MAIN_START = re.compile(r"<main\b[^>]*>")
# what belongs to our own site (the logo, the link to our German page): data-site in _macros.html
_SITE_PART = re.compile(r"<img\b[^>]*\sdata-site\b[^>]*>|<a\b[^>]*\sdata-site\b[^>]*>.*?</a>", re.S)
_SECTION_TAG = re.compile(r'<(/?)section\b([^>]*)>')
_ID = re.compile(r'\sid="([^"]*)"')
_HEADER = re.compile(r"<header\b.*?</header>", re.S)
_H1 = re.compile(r"<h1\b[^>]*>(.*?)</h1>", re.S)
_H2 = re.compile(r"\s*<h2\b[^>]*>(.*?)</h2>", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_BLOCK_TAG = re.compile(rf"</?(?:{'|'.join(sorted(_BLOCKS))})\b[^>]*>")
_TAG = re.compile(r"<[^>]*>")


def main_content(page: str) -> str:
    """What is inside the <main> element of a page we rendered ourselves, without the parts
    of our own site (marked data-site): a CMS page has its own logo and its own links.

    Our pages are well formed and have one <main>, so no HTML parser is needed: cutting is a
    few regular expressions over the text, which keeps a county's HTML build fast."""
    start, end = _MAIN_START.search(page), page.rfind("</main>")
    if start is None or end < start.end():
        raise BuildError(Msg("the notice has no <main> element to cut the fragment from"))
    main = page[start.end():end]
    return (_SITE_PART.sub("", main) if "data-site" in main else main).strip()


def text_of(html: str) -> str:
    """Plain text, one line per paragraph, list item or table cell."""
    text = _TAG.sub("", _BLOCK_TAG.sub("\n", _COMMENT.sub("", html)))
    lines = (" ".join(line.split()) for line in unescape(text).replace("\xad", "").splitlines())
    return "\n".join(line for line in lines if line)


def sections(main: str) -> list[dict[str, Any]]:
    """The notice's sections (the <section> elements at the top of <main>); what stands
    before the first and after the last (but the document header) becomes 'intro' and 'end'."""
    result: list[dict[str, Any]] = []
    depth, opened, loose_from = 0, 0, 0

    def loose(html: str) -> None:
        html = _HEADER.sub("", html).strip()
        if html:
            result.append({"id": "end" if result else "intro", "title": None,
                           "text": text_of(html), "html": html})

    for tag in _SECTION_TAG.finditer(main):
        if not tag[1]:
            if depth == 0:
                loose(main[loose_from:tag.start()])
                opened, attrs = tag.end(), tag[2]
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0:
                inner, loose_from = main[opened:tag.start()], tag.end()
                heading = _H2.match(inner)
                body = inner[heading.end():] if heading else inner
                found = _ID.search(attrs)
                result.append({"id": found[1] if found else None,
                               "title": text_of(heading[1]) if heading else None,
                               "text": text_of(body), "html": body.strip()})
    loose(main[loose_from:])
    return result


def notice_json(main: str, view: View, pub: Publication, lang: str) -> str:
    """notice.json: the notice's version, facts and sections for a CMS or the platform's own
    page (format 2: the facts are typed, see compose.facts_of)."""
    heading = _H1.search(main)
    notice = view.notice
    data = {
        "format": "dsinfo-notice/2",
        "kind": view.spec.kind.name,
        "school": {"id": notice.id, "name": notice.school.school.name},
        "language": lang,
        "dir": direction(lang),
        "title": text_of(heading[1]) if heading else None,
        "school_year": notice.school.school_year,
        "stand": notice.school.stand.isoformat(),
        "version": pub.version,
        "content_hash": f"sha256:{pub.content_hash}",
        "url": pub.notice_url,
        "facts": facts_of(notice, view.activities),
        "sections": sections(main),
    }
    # compact: the standard library's fast encoder only works without indentation
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"
