"""The notice for school websites and other systems: an HTML fragment and JSON.

Both are cut from the notice as rendered without page chrome (medium "fragment"), so they say
exactly what the notice page says, whatever sections the template has.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html import escape
from html.parser import HTMLParser
from typing import Any

import tinycss2

from .compose import Notice
from .errors import BuildError
from .i18n import direction
from .publish import Publication

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


VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                  "source", "track", "wbr"})


class _MainParser(HTMLParser):
    """Builds an element tree of the <main> element of a page we rendered ourselves (well
    formed, so the standard library's tokenizer is enough, and much faster than html5 parsing)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.builder = ET.TreeBuilder()
        self.depth = 0  # open elements inside <main>; 0 = outside
        self.main: ET.Element | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.depth == 0 and (tag != "main" or self.main is not None):
            return
        self.builder.start(tag, {k: v or "" for k, v in attrs})
        if tag in VOID:
            self.builder.end(tag)
        else:
            self.depth += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.depth:
            self.builder.start(tag, {k: v or "" for k, v in attrs})
            self.builder.end(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.depth == 0 or tag in VOID:
            return
        self.depth -= 1
        element = self.builder.end(tag)
        if self.depth == 0:
            self.main = element

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.builder.data(data)


def main_element(html: str) -> ET.Element:
    """The <main> element of a rendered page."""
    parser = _MainParser()
    parser.feed(html)
    parser.close()
    main = parser.main
    if main is None:
        raise BuildError("the notice has no <main> element to cut the fragment from")
    return main


def without_site_parts(main: ET.Element) -> ET.Element:
    """The notice's <main> without the school logo and the link to the German page of our own
    site: a CMS page has its own header and its own links."""
    for parent in main.iter():
        for child in list(parent):
            if (child.tag == "img" and "logo" in child.get("class", "").split()) or (
                    child.tag == "a" and child.get("hreflang") == "de"
                    and "binding" in parent.get("class", "").split()):
                _remove(parent, child)
    return main


def _remove(parent: ET.Element, child: ET.Element) -> None:
    """Remove `child`, keeping the text that followed it."""
    tail = child.tail or ""
    index = list(parent).index(child)
    if index:
        previous = parent[index - 1]
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(child)


def inner_html(element: ET.Element, skip: ET.Element | None = None) -> str:
    """The HTML inside `element` (without `skip`, e.g. a heading given separately)."""
    parts = [escape(element.text or "", quote=False)]
    for child in element:
        if child is skip:
            parts.append(escape(child.tail or "", quote=False))
        else:
            parts.append(ET.tostring(child, encoding="unicode", method="html"))
    return "".join(parts).strip()


def text_of(elements: list[ET.Element]) -> str:
    """Plain text, one line per paragraph, list item or table cell."""
    chunks: list[str] = []

    def walk(element: ET.Element) -> None:
        block = element.tag in _BLOCKS
        chunks.append("\n" if block else "")
        chunks.append(element.text or "")
        for child in element:
            walk(child)
            chunks.append(child.tail or "")
        chunks.append("\n" if block else "")

    for element in elements:
        walk(element)
    lines = (" ".join(line.split()) for line in "".join(chunks).splitlines())
    return "\n".join(line for line in lines if line)


def sections(main: ET.Element) -> list[dict[str, Any]]:
    """The notice's sections; loose paragraphs before the first and after the last section
    become the sections 'intro' and 'end'."""
    result: list[dict[str, Any]] = []
    loose: list[ET.Element] = []

    def flush() -> None:
        if loose:
            wrapper = ET.Element("div")
            wrapper.extend(loose)
            result.append({"id": "end" if result else "intro", "title": None,
                           "text": text_of(loose), "html": inner_html(wrapper)})
            loose.clear()

    for child in main:
        if child.tag == "header":
            continue
        if child.tag != "section":
            loose.append(child)
            continue
        flush()
        heading = child.find("h2")
        result.append({"id": child.get("id"), "title": text_of([heading]) if heading is not None else None,
                       "text": text_of([c for c in child if c is not heading]),
                       "html": inner_html(child, skip=heading)})
    flush()
    return result


def notice_json(main: ET.Element, notice: Notice, pub: Publication, lang: str) -> str:
    """notice.json: the notice's version and sections for a CMS or the platform's own page."""
    heading = main.find(".//h1")
    data = {
        "format": "dsinfo-notice/1",
        "school": {"id": notice.id, "name": notice.school.school.name},
        "language": lang,
        "dir": direction(lang),
        "title": text_of([heading]) if heading is not None else None,
        "school_year": notice.school.school_year,
        "stand": notice.school.stand.isoformat(),
        "version": pub.version,
        "content_hash": f"sha256:{pub.content_hash}",
        "url": pub.notice_url,
        "facts": notice.facts(),
        "sections": sections(main),
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
