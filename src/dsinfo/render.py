"""Jinja2 environment: autoescaped, strict, translated, with the project's few filters."""

from __future__ import annotations

import contextlib
import copy
import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from jinja2 import (
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    pass_context,
    select_autoescape,
)
from jinja2.bccache import Bucket
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from . import i18n, views
from .bidi import isolate_latin
from .compose import Notice, Text
from .errors import BuildError
from .hyphenate import soft_hyphens
from .i18n import N_
from .messages import Msg
from .model import UNKNOWN, is_placeholder, is_safe_link

Medium = Literal["web", "print", "fragment"]


def _markdown() -> MarkdownIt:
    # js-default: raw HTML off; no images (they would be fetched) and no headings (they
    # would break the notice's outline); links only to web pages, mail and anchors, each
    # checked as the school file's own addresses are (model.is_safe_link)
    md = MarkdownIt("js-default").disable(["image", "heading", "lheading"])
    md.validateLink = lambda url: is_safe_link(url.strip())  # type: ignore[method-assign]
    return md


_MD = _markdown()


def markdown(text: str) -> Markup:
    """Render trusted-structure, untrusted-content Markdown to safe HTML."""
    return Markup(_MD.render(text))


class _Compiled(FileSystemBytecodeCache):
    """Jinja's cache of compiled templates, in its own folder for the user (0700, checked by
    Jinja), so that a command does not compile the same templates again: most of the time of
    a `check`. A template is found by its file and checked against its text; the file names
    carry the environment's settings, which change the compiled code. A cache that cannot be
    read or written is no cache: the template is compiled."""

    def __init__(self, settings: str) -> None:
        super().__init__(pattern=f"__dsinfo_{settings}_%s.cache")

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, ValueError, EOFError):  # unreadable or cut short: compile it
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def _compiled(**settings: object) -> FileSystemBytecodeCache | None:
    key = hashlib.sha256(repr(sorted(settings.items())).encode()).hexdigest()[:16]
    try:
        return _Compiled(key)
    except (OSError, RuntimeError):  # no safe folder for it (Jinja says why): no cache
        return None


UNKNOWN_TEXT = N_("unbekannt")  # shown for a fact the catalog does not know


def fill(value: object, unknown: str = UNKNOWN_TEXT) -> Markup:
    """A value as escaped HTML; a 'TODO: ...' placeholder or a fact the catalog does not know
    is marked so nobody misses it."""
    if is_placeholder(value):
        what = str(value).removeprefix("TODO").lstrip(": ")
        return Markup('<mark class="todo">[{}]</mark>').format(what or "TODO")
    if value == UNKNOWN:
        return Markup('<mark class="todo">[{}]</mark>').format(unknown)
    return escape(value)


class Renderer:
    """Renders pages; the language is the template variable `lang`.

    Every text helper of the templates reads `lang` from the template context: `_()`,
    `{% trans %}`, `ngettext()` and the filters `t` (catalog text), `local` (a school's own
    text), `date`, `school_year` and `fill`. So one page can hold two languages: an included
    part rendered under `{% with lang="de" %}{% include "part.html" %}{% endwith %}` is German
    on a page in any language (macros must be imported inside the included part to follow).
    `language(code)` gives a renderer for another language that shares the environment and the
    catalogs, for Python code that needs a second language.

    A page rendered with `second="tr"` (and `lang="de"`) gives every text twice: the binding
    German first, then the translation, each in a span with its own `lang` and `dir`. That is
    the bilingual consent sheet, made from the same templates.
    """

    def __init__(self, templates: Path | tuple[Path, ...], locales: Path, lang: str = i18n.SOURCE, *,
                 catalogs: i18n.Catalogs | None = None, reload: bool = True) -> None:
        self.lang = lang
        self.catalogs = catalogs or i18n.Catalogs(locales)
        # a project's own templates first: a file there takes the place of the shipped one
        self.templates = (templates,) if isinstance(templates, Path) else templates
        self.reload = reload
        # without reload, templates are read once, and whether a school has its own is looked
        # up once: a county build renders thousands of pages from the same few files
        self._own: dict[str, bool] = {}
        settings: dict[str, Any] = {"extensions": ["jinja2.ext.i18n", "jinja2.ext.do"],
                                    "trim_blocks": True, "lstrip_blocks": True}
        self.env = Environment(
            loader=FileSystemLoader(self.templates),
            auto_reload=reload,
            autoescape=select_autoescape(["html", "htm", "xml"]),
            undefined=StrictUndefined,
            bytecode_cache=_compiled(**settings, trimmed=True),
            **settings,
        )
        self.env.policies["ext.i18n.trimmed"] = True  # as extracted (pyproject.toml)
        self.env.install_gettext_callables(  # type: ignore[attr-defined]
            pass_context(lambda ctx, message: self._gettext(ctx, message)),
            pass_context(lambda ctx, singular, plural, n: self._ngettext(ctx, singular, plural, n)),
            newstyle=True)
        # the same newstyle gettext as Jinja's, in one call instead of three (a county build
        # translates a few hundred thousand texts)
        @pass_context
        def gettext(ctx: Any, message: str, **variables: Any) -> str:
            text = self._gettext(ctx, message)
            return (Markup(text) if ctx.eval_ctx.autoescape else text) % variables

        self.env.globals.update(gettext=gettext, _=gettext)
        self.env.filters.update(
            md=markdown,
            t=pass_context(lambda ctx, text: self._pair(ctx, self.text, text)),
            local=pass_context(lambda ctx, texts: self._pair(ctx, self.local, texts)),
            fill=pass_context(lambda ctx, value: fill(value, self.text(UNKNOWN_TEXT, ctx["lang"]))
                              if value == UNKNOWN else fill(value)),  # translated only when shown
            date=pass_context(lambda ctx, value: i18n.date(value, ctx["lang"])),
            names=pass_context(lambda ctx, items: i18n.names(tuple(items), ctx["lang"])),
            school_year=pass_context(lambda ctx, value: i18n.school_year(value, ctx["lang"])),
        )
        # optional page context: `pub` (publish.Publication: version, QR code, logo), `static`
        # (the path from a web page to output/_static/), `second` (a bilingual page's language)
        self.env.globals.update(direction=i18n.direction, language_name=i18n.language_name,
                                second=None, pub=None, static=None, view=None, draft=False,
                                documents=views.documents_of, main_notice=views.notice_spec,
                                view_of=views.view_of,
                                consent_sheets=views.consent_sheets)

    def _gettext(self, ctx: Any, message: str) -> str:
        # newstyle gettext marks the result safe, then %-formats it with escaped variables
        if ctx["second"]:
            return str(self._both(message, self.catalogs.gettext(ctx["second"], message),
                                  ctx["second"]))
        return self.catalogs.gettext(ctx["lang"], message)

    def _ngettext(self, ctx: Any, singular: str, plural: str, n: int) -> str:
        if ctx["second"]:
            german = self.catalogs.ngettext(i18n.SOURCE, singular, plural, n)
            return str(self._both(german, self.catalogs.ngettext(ctx["second"], singular, plural, n),
                                  ctx["second"]))
        return self.catalogs.ngettext(ctx["lang"], singular, plural, n)

    def _pair(self, ctx: Any, lookup: Any, text: Any) -> str:
        """A catalog or school text in the page's language, or on a bilingual page in both."""
        if not ctx["second"]:
            return str(lookup(text, ctx["lang"]))
        return self._both(lookup(text, i18n.SOURCE), lookup(text, ctx["second"]), ctx["second"])

    @staticmethod
    def _both(german: str, translated: str, lang: str) -> Markup:
        """German and its translation side by side, each marked with its language."""
        if translated == german:
            return escape(german)
        return Markup('<span class="bi-de" lang="de">{}</span><span class="bi-sep"> / </span>'
                      '<span class="bi-xx" lang="{}" dir="{}">{}</span>').format(
            german, lang, i18n.direction(lang), translated)

    def language(self, lang: str) -> Renderer:
        """A renderer for `lang` sharing this one's templates, environment and catalogs."""
        other = copy.copy(self)
        other.lang = lang
        return other

    def gettext(self, message: str) -> str:
        """A template or code text (a German msgid) in this renderer's language."""
        return self.catalogs.gettext(self.lang, message)

    def text(self, text: Text, lang: str | None = None) -> str:
        """A catalog text (a German msgid) or a school's own text (per language), in `lang`.

        'unknown' and 'TODO' placeholders are no catalog text: `fill` marks them.
        """
        lang = lang or self.lang
        if not isinstance(text, str):
            return self.local(text, lang)
        if text == UNKNOWN or is_placeholder(text):
            return text
        return self.catalogs.gettext(lang, text)

    def local(self, texts: Mapping[Any, str] | None, lang: str | None = None) -> str:
        """A school's own text in `lang`, or the binding German text (noted as a fallback)."""
        lang = lang or self.lang
        if texts is None:
            return ""
        if texts.get(lang):
            return texts[lang]
        if lang != i18n.SOURCE and not is_placeholder(texts["de"]):
            self.catalogs.local_fallbacks[lang].add(texts["de"])
        return texts["de"]

    def page(self, name: str, notice: Notice | None, medium: Medium, **context: Any) -> str:
        """Render `name` (notice.html, consent.html ...), preferring a school's own override."""
        candidates = [f"schools/{notice.id}/{name}", name] if notice and self._has_own(notice.id) \
            else [name]
        context.setdefault("lang", self.lang)
        try:
            template = self.env.select_template(candidates)
            page = template.render(notice=notice, medium=medium, **context)
        except (TemplateError, KeyError, TypeError, ValueError) as exc:
            raise BuildError(Msg("{where}template error: {error}", where=_template_position(exc),
                                 error=str(exc))) from None
        page = isolate_latin(page, context["lang"])  # Latin runs in Arabic and Persian (bidi.py)
        # web pages: syllable breaks for browsers without a hyphenation dictionary (hyphenate.py)
        return page if medium == "print" else soft_hyphens(page, context["lang"])


    def _has_own(self, school_id: str) -> bool:
        if self.reload:
            return True
        if school_id not in self._own:
            self._own[school_id] = any((t / "schools" / school_id).is_dir() for t in self.templates)
        return self._own[school_id]


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
