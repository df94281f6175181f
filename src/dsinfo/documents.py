"""The render stage: every document of one school in one language, in memory.

A document is a view over the school's facts: a kind (notice, consent sheet, withdrawal form
...) is a template plus what the build makes of it (web page, PDF, a CMS fragment and JSON, a
bilingual sheet). Each document has its own version, a hash of what it says: a change to the
website notice leaves the consent sheet's version (and PDF) as it was. The German documents
are rendered first: their versions are what every translation names, so a signed translated
sheet identifies the binding text.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from . import i18n
from .compose import Notice
from .errors import BuildError
from .fragment import SCOPE, main_content, notice_json, scope_css
from .messages import Msg, Msgs, Seq, Text
from .project import Project
from .publish import Publication, content_hash, publication
from .render import Renderer
from .views import DocumentSpec, documents_of, view_of

FORMATS = ("html", "pdf")
STATIC = "_static"  # output/_static/: the fonts every web page shares
# stand for the version and a translation's own hash while the hash over the pages is taken
VERSION_MARK, TRANSLATION_MARK = "@@version@@", "@@translation@@"


@dataclass(frozen=True)
class Edition:
    """One language's documents as published together, each with its own publication (its
    version); the edition's version, a hash over theirs, names what the archive keeps."""

    pubs: dict[str, Publication]  # document id -> its publication

    def __getitem__(self, doc: str) -> Publication:
        return self.pubs[doc]

    @property
    def versions(self) -> dict[str, str]:
        """Each document's version (the German one, which a translation names)."""
        return {doc: pub.version for doc, pub in self.pubs.items()}

    @property
    def full_version(self) -> str:
        """What tells two editions of a language apart: one hash over every document's version
        (and a translation's own hashes)."""
        return content_hash(f"{doc} {pub.full_version}" for doc, pub in sorted(self.pubs.items()))[:8]


# The PDF already made from the same print page (the hash of the page and of what every school
# shares): its bytes, to be used again, or None (pipeline.py finds them in the last build).
KeptPdf = Callable[[str, str], bytes | None]


@dataclass
class Rendered:
    """One language of one school, rendered: files by their name in the language's folder."""

    lang: str
    files: dict[str, bytes | str]
    warnings: list[Text]
    edition: Edition
    archival: dict[str, bytes] = field(default_factory=dict)  # --pdf-a copies
    pages: dict[str, str] = field(default_factory=dict)  # PDF name -> hash of its print page
    made: list[str] = field(default_factory=list)  # the PDFs WeasyPrint made (others were kept)


class Press:
    """Renders documents; the renderer, the PDF maker and the fragment's stylesheet are made
    once and reused for every school."""

    def __init__(self, project: Project, *, formats: Iterable[str] = FORMATS, pdf_a: bool = False,
                 draft: bool = False) -> None:
        self.project = project
        self.formats = frozenset(formats)
        self.pdf_a = pdf_a
        self.draft = draft
        self._renderer = Renderer(project.templates, project.locales, reload=False)
        self._pdf_maker: Any = None
        self._fragment_css: str | None = None

    def refresh(self) -> None:
        """Read templates and translations again (the preview saw a file change); WeasyPrint,
        fonts and stylesheet stay loaded."""
        self._renderer = Renderer(self.project.templates, self.project.locales, reload=False)

    def renderer(self, lang: str) -> Renderer:
        return self._renderer.language(lang)

    def pdf_maker(self) -> Any:
        """The PDF maker of print pages (print.css), made on first use (pdf.PdfMaker)."""
        if self._pdf_maker is None:
            from .pdf import PdfMaker

            self._pdf_maker = PdfMaker(self.project.static / "print.css", [self.project.static])
        return self._pdf_maker

    def pdf(self, html: str, *, archival: bool = False) -> tuple[bytes, list[str]]:
        """The PDF of a print page, and what WeasyPrint warned about while making it."""
        pdf: tuple[bytes, list[str]] = self.pdf_maker().render(html, archival=archival)
        return pdf

    def pdf_strict(self, html: str) -> bytes:
        """A print page as PDF/UA; a warning of WeasyPrint is an error here."""
        data, warnings = self.pdf(html)
        if warnings:
            raise BuildError(Msg("PDF: {warning}", warning=warnings[0]))
        return data

    def publication(self, notice: Notice, lang: str, doc: str) -> Publication:
        """Version, QR code and logo of one document of a school in `lang`."""
        return self.web(notice, lang)[1][doc]

    # ------------------------------------------------------------------------ one language

    def language(self, notice: Notice, lang: str, *, versions: Mapping[str, str] | None = None,
                 changes: Any = None, earlier: KeptPdf | None = None, shared: str = "") -> Rendered:
        """Every document of one language, in memory: web pages, PDFs, fragment and JSON.
        `versions`: the German documents' versions (rendered first), for a translation.
        `earlier`: the PDFs of the last build, by the hash of their print page and `shared`
        (what else WeasyPrint reads: stylesheet, fonts, versions): a PDF whose page did not
        change is kept."""
        self._renderer.catalogs.take_fallbacks()
        pages, edition = self.web(notice, lang, versions=versions, changes=changes)
        files: dict[str, bytes | str] = {f"{doc}.html": html for doc, html in pages.items()}
        rendered = Rendered(lang=lang, files=files, warnings=[], edition=edition)
        if "pdf" in self.formats:
            self._pdfs(notice, rendered, earlier, shared)
        for spec in documents_of(notice, lang):
            if spec.kind.cms:
                files.update(self._for_websites(notice, spec, lang, edition[spec.id], pages[spec.id]))
        rendered.warnings.extend(self._fallback_warnings())
        return rendered

    def web(self, notice: Notice, lang: str, *, versions: Mapping[str, str] | None = None,
            changes: Any = None) -> tuple[dict[str, str], Edition]:
        """The web pages, and the edition: each document's version is a hash of what its German
        page says, taken while the page shows a stand-in for it; a translation names the German
        version and the hash of its own page."""
        if lang != i18n.SOURCE and versions is None:
            versions = self.web(notice, i18n.SOURCE, changes=changes)[1].versions
        renderer = self.renderer(lang)
        base = dataclasses.replace(publication(notice, lang), draft=self.draft, changes=changes)
        pages, pubs = {}, {}
        for spec in documents_of(notice, lang):
            version = versions[spec.id] if versions else None
            marked = dataclasses.replace(base, version=version or VERSION_MARK,
                                         translation=TRANSLATION_MARK if version else "")
            page = renderer.page(spec.kind.template, notice, "web", pub=marked,
                                 view=view_of(notice, spec), static=f"../../{STATIC}/")
            # the address the printed sheet's QR code leads to is content too, though no web page shows it
            digest = content_hash([page, base.notice_url or ""])
            pub = base.versioned(digest) if version is None else base.translated(version, digest)
            pubs[spec.id] = pub
            pages[spec.id] = page.replace(VERSION_MARK, pub.version).replace(TRANSLATION_MARK,
                                                                             pub.translation)
        return pages, Edition(pubs)

    def _pdfs(self, notice: Notice, rendered: Rendered, earlier: KeptPdf | None, shared: str) -> None:
        """<doc>.pdf for each document, the bilingual sheets for every language but German,
        and with --pdf-a the archival PDF/A copies (archive.py keeps them). A PDF whose print
        page is what it was in the last build is taken from there (not with --pdf-a: the
        archival copy is made with it)."""
        lang = rendered.lang
        for name, html in self._print_pages(notice, lang, rendered.edition).items():
            key = content_hash([shared, html])
            rendered.pages[name] = key
            kept = earlier(name, key) if earlier and not self.pdf_a else None
            if kept is not None:
                rendered.files[name] = kept
                continue
            rendered.files[name], logged = self.pdf(html)
            rendered.made.append(name)
            rendered.warnings.extend(f"{lang}/{name}: {w}" for w in logged)
            if self.pdf_a:
                rendered.archival[name], logged = self.pdf(html, archival=True)
                rendered.warnings.extend(f"{lang}/{name} (PDF/A): {w}" for w in logged)

    def _print_pages(self, notice: Notice, lang: str, edition: Edition) -> dict[str, str]:
        """The print HTML of every PDF of one language, by the PDF's file name."""
        pages = {}
        for spec in documents_of(notice, lang):
            view, pub = view_of(notice, spec), edition[spec.id]
            pages[f"{spec.id}.pdf"] = self.renderer(lang).page(spec.kind.template, notice, "print",
                                                               pub=pub, view=view)
            if spec.kind.bilingual and lang != i18n.SOURCE:  # the binding German beside the translation
                pages[f"{spec.id}-bilingual.pdf"] = self.renderer(i18n.SOURCE).page(
                    spec.kind.template, notice, "print", pub=pub, second=lang, view=view)
        return pages

    def document_pdf(self, notice: Notice, lang: str, name: str) -> bytes:
        """One PDF by its output name (notice, consent-bilingual ...), e.g. for the preview."""
        if lang not in notice.school.languages:
            raise KeyError(f"{lang}/{name}")  # e.g. a preview URL naming what the school has not
        pages = self.print_pages(notice, lang)
        if f"{name}.pdf" not in pages:
            raise KeyError(f"{lang}/{name}")
        return self.pdf(pages[f"{name}.pdf"])[0]

    def print_pages(self, notice: Notice, lang: str) -> dict[str, str]:
        """The print HTML of every PDF of one language (what WeasyPrint is given)."""
        return self._print_pages(notice, lang, self.web(notice, lang)[1])

    def _for_websites(self, notice: Notice, spec: DocumentSpec, lang: str, pub: Publication,
                      web_page: str) -> dict[str, bytes | str]:
        """<doc>.fragment.html to paste into a CMS, <doc>.json for other systems: both cut from
        the web page's <main>, without what belongs to our own site (the logo, the link to our
        German page)."""
        main = main_content(web_page)
        view = view_of(notice, spec)
        fragment = self.renderer(lang).page("fragment.html", notice, "fragment", pub=pub, view=view,
                                            content=Markup(main), css=Markup(self.fragment_css()),
                                            scope=SCOPE)
        return {f"{spec.id}.fragment.html": fragment,
                f"{spec.id}.json": notice_json(main, view, pub, lang)}

    def fragment_css(self) -> str:
        """The web pages' stylesheet, scoped to the fragment's wrapper element."""
        if self._fragment_css is None:
            self._fragment_css = scope_css((self.project.static / "screen.css").read_text("utf-8"))
        return self._fragment_css

    def _fallback_warnings(self) -> list[Text]:
        """One line per language whose pages show German text in place of a translation."""
        catalog, local = self._renderer.catalogs.take_fallbacks()
        lines: list[Text] = [
            Msgs("{lang}: {n} text shown in German: the translation is missing or stale "
                 "(python build.py translations): {texts}",
                 "{lang}: {n} texts shown in German: the translation is missing or stale "
                 "(python build.py translations): {texts}", len(texts), lang=lang, texts=_quote(texts))
            for lang, texts in catalog.items()]
        lines += [Msgs("{lang}: {n} text of the school file shown in German: give the text per "
                       "language, e.g. {{de: ..., {lang}: ...}}: {texts}",
                       "{lang}: {n} texts of the school file shown in German: give the text per "
                       "language, e.g. {{de: ..., {lang}: ...}}: {texts}", len(texts), lang=lang,
                       texts=_quote(texts))
                  for lang, texts in local.items()]
        return lines


def _quote(texts: list[str], limit: int = 3) -> Seq | Msg:
    """The first `limit` texts, quoted and cut short, and how many more there are."""
    shown = Seq(f"'{t[:57] + '...' if len(t) > 60 else t}'" for t in texts[:limit])
    if len(texts) > limit:
        return Msg("{texts} and {n} more", texts=shown, n=len(texts) - limit)
    return shown
