"""Jinja2 environment: autoescaped, strict, translated, with the project's few filters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    select_autoescape,
)
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from . import i18n
from .compose import Notice
from .errors import BuildError
from .model import UNKNOWN, is_placeholder

# web: a page of its own; print: for the PDF; fragment: the content alone, for another site
Medium = Literal["web", "print", "fragment"]
SAFE_LINK_PREFIXES = ("https://", "http://", "mailto:", "#")


def _markdown() -> MarkdownIt:
    # js-default: raw HTML off; no images (they would be fetched) and no headings (they
    # would break the notice's outline); links only to web pages, mail and anchors.
    md = MarkdownIt("js-default").disable(["image", "heading", "lheading"])
    md.validateLink = lambda url: url.strip().lower().startswith(SAFE_LINK_PREFIXES)  # type: ignore[method-assign]
    return md


_MD = _markdown()


def markdown(text: str) -> Markup:
    """Render trusted-structure, untrusted-content Markdown to safe HTML."""
    return Markup(_MD.render(text))


def fill(value: object, unknown: str = "unbekannt") -> Markup:
    """A value as escaped HTML; a 'TODO: ...' placeholder or a fact the catalog does not know
    is marked so nobody misses it."""
    if is_placeholder(value):
        what = str(value).removeprefix("TODO").lstrip(": ")
        return Markup('<mark class="todo">[{}]</mark>').format(what or "TODO")
    if value == UNKNOWN:
        return Markup('<mark class="todo">[{}]</mark>').format(unknown)
    return escape(value)


class Renderer:
    """Renders one language's pages; one instance per language, reused for every school.

    With `bilingual=True` every text comes out twice, the binding German first and then the
    translation, each in a span with its own `lang` (and `dir`): the same templates make the
    bilingual consent sheet that parents and school staff both read.
    """

    def __init__(self, templates: Path, locales: Path, lang: str, *, bilingual: bool = False) -> None:
        self.lang = lang
        self.bilingual = bilingual and lang != "de"
        self.env = Environment(
            loader=FileSystemLoader(templates),
            autoescape=select_autoescape(["html", "htm", "xml"]),
            undefined=StrictUndefined,
            extensions=["jinja2.ext.i18n"],
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._translations = i18n.translations(locales, lang)
        if self.bilingual:
            self.env.install_gettext_callables(  # type: ignore[attr-defined]
                self._both_gettext, self._both_ngettext, newstyle=True)
        else:
            self.env.install_gettext_translations(self._translations, newstyle=True)  # type: ignore[attr-defined]
        self.env.filters.update(md=markdown, fill=self.fill, date=self.date, t=self.catalog_text,
                                local=self.local)
        page_lang = "de" if self.bilingual else lang
        self.env.globals.update(lang=page_lang, dir=i18n.direction(page_lang),
                                language_name=i18n.language_name, bilingual=self.bilingual)

    def _both(self, german: str, translated: str) -> Markup:
        """German and translation side by side, each marked with its language."""
        if translated == german:
            return escape(german)
        return Markup('<span class="bi-de" lang="de">{}</span><span class="bi-sep"> / </span>'
                      '<span class="bi-xx" lang="{}" dir="{}">{}</span>').format(
            german, self.lang, i18n.direction(self.lang), translated)

    def _both_gettext(self, message: str) -> str:
        # newstyle gettext marks the result safe and then %-formats it with escaped variables
        return str(self._both(message, self._translations.gettext(message)))

    def _both_ngettext(self, singular: str, plural: str, n: int) -> str:
        german = singular if n == 1 else plural
        return str(self._both(german, self._translations.ngettext(singular, plural, n)))

    def fill(self, value: object) -> Markup:
        return fill(value, unknown=self.catalog_text("unbekannt"))

    def date(self, value: dt.date) -> str:
        # a bilingual sheet shows German dates: 01.03.2023 reads the same in every language
        return i18n.date(value, "de" if self.bilingual else self.lang)

    def catalog_text(self, text: str | Mapping[Any, str]) -> str:
        """Catalog facts are German source strings, translated through the same catalogs; a
        school's own text comes per language."""
        if not isinstance(text, str):
            return self.local(text)
        translated = str(self._translations.gettext(text))
        return self._both(text, translated) if self.bilingual else translated

    def local(self, texts: Mapping[Any, str] | None) -> str:
        """A school's own text in this language, or the binding German text."""
        if texts is None:
            return ""
        translated = texts.get(self.lang) or texts["de"]
        return self._both(texts["de"], translated) if self.bilingual else translated

    def page(self, name: str, notice: Notice | None, medium: Medium, **context: Any) -> str:
        """Render `name` (notice.html, consent.html ...), preferring a school's own override.

        Optional context: `pub` (a publish.Publication: version, QR code, logo) and `static`
        (the relative path from the page to output/_static/, for the fonts of web pages).
        """
        candidates = [f"schools/{notice.id}/{name}", name] if notice else [name]
        try:
            template = self.env.select_template(candidates)
            return template.render({"pub": None, "static": None, **context}, notice=notice,
                                   medium=medium)
        except (TemplateError, KeyError, TypeError, ValueError) as exc:
            raise BuildError(f"{_template_position(exc)}template error: {exc}") from None


def _template_position(exc: BaseException) -> str:
    """'templates/x.html:12: ' for the innermost template frame of a rendering error."""
    lineno = getattr(exc, "lineno", None)
    filename = getattr(exc, "filename", None)
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(".html"):
            filename, lineno = tb.tb_frame.f_code.co_filename, tb.tb_lineno
        tb = tb.tb_next
    return f"{filename}:{lineno}: " if filename and lineno else ""
