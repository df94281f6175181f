"""The build: load every school, render every language, write every file, index pages last."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from hashlib import sha256
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from . import archive, i18n, manifest
from .compose import Catalog, Notice, compose, load_catalog
from .errors import BuildError, InputError, Problem
from .fragment import SCOPE, main_content, notice_json, scope_css
from .load import read_yaml
from .publish import Publication, check_logo, content_hash, publication
from .render import Renderer
from .roster import Pupil
from .write import claimed, safe_path, write_atomic

if TYPE_CHECKING:
    from .pdf import PdfMaker

DOCUMENTS = ("notice", "consent", "withdrawal")
STATIC = "_static"  # output/_static/: fonts shared by every web page


@dataclass(frozen=True)
class Project:
    """Where a project keeps its parts; every path derives from the root folder."""

    root: Path

    @property
    def schools(self) -> Path:
        return self.root / "schools"

    @property
    def catalog(self) -> Path:
        return self.root / "catalog"

    @property
    def templates(self) -> Path:
        return self.root / "templates"

    @property
    def static(self) -> Path:
        return self.templates / "static"

    @property
    def locales(self) -> Path:
        return self.root / "locales"

    def school_files(self, ids: Iterable[str] = ()) -> list[Path]:
        wanted = list(ids)
        if wanted:
            return [self.schools / f"{sid}.yaml" for sid in wanted]
        return sorted(self.schools.glob("*.yaml"))


@dataclass
class SchoolResult:
    notice: Notice
    files: list[Path] = field(default_factory=list)
    changed: int = 0
    warnings: list[str] = field(default_factory=list)


def load_schools(project: Project, ids: Iterable[str] = ()) -> tuple[list[Notice], Catalog]:
    """Every selected school, composed with the catalog; all problems raised together."""
    return load_paths(project, project.school_files(ids))


def load_paths(project: Project, paths: Iterable[Path]) -> tuple[list[Notice], Catalog]:
    """These school files, composed with the catalog, and the translation catalogs of their
    languages checked; all problems raised together, before anything is written."""
    catalog = load_catalog(project.catalog)
    notices: list[Notice] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            notices.append(load_school(path, catalog))
        except InputError as exc:
            problems.extend(exc.problems)
    for lang in sorted({lang for n in notices for lang in n.school.languages}):
        problems.extend(i18n.check_catalog(project.locales, lang))  # before anything is written
    if problems:
        raise InputError(problems)
    return notices, catalog


def load_school(path: Path, catalog: Catalog) -> Notice:
    """One school file, validated and composed, its logo checked; or InputError."""
    doc = read_yaml(path)
    notice = compose(doc, catalog)
    problems = check_logo(doc, notice)
    if problems:
        raise InputError(problems)
    return notice


@dataclass(frozen=True)
class Listing:
    """A school as the site index shows it."""

    id: str
    name: str
    city: str
    state: str
    platforms: str
    stand: dt.date
    school_year: str
    languages: tuple[str, ...]

    @classmethod
    def of(cls, notice: Notice) -> Listing:
        s = notice.school
        return cls(id=notice.id, name=s.school.name, city=s.school.city, state=notice.state.name,
                   platforms=notice.platform_names, stand=s.stand, school_year=s.school_year,
                   languages=tuple(s.languages))

    @classmethod
    def read(cls, school_id: str, data: dict[str, Any]) -> Listing:
        return cls(**{**data, "id": school_id, "stand": dt.date.fromisoformat(data["stand"]),
                      "languages": tuple(data["languages"])})

    def to_data(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        del data["id"]
        return {**data, "stand": self.stand.isoformat(), "languages": list(self.languages)}


@dataclass
class Rendered:
    """One language of one school, rendered: files by their name in the language's folder."""

    lang: str
    files: dict[str, bytes | str]
    warnings: list[str]
    pub: Publication
    archival: dict[str, bytes] = dataclasses.field(default_factory=dict)  # --pdf-a copies


FORMATS = ("html", "pdf")
VERSION_MARK = "@@version@@"  # stands for the version while the hash over the pages is taken


PLAIN_NAME = re.compile(r"[a-z0-9][a-z0-9.-]*")


class Builder:
    """Renders and writes; renderers and the PDF maker are created once and reused."""

    def __init__(self, project: Project, out: Path, *, pdf: bool = True,
                 formats: Iterable[str] | None = None, pdf_a: bool = False) -> None:
        self.project = project
        self.out = out
        self._renderer = Renderer(project.templates, project.locales, reload=False)
        self.formats = frozenset(formats if formats is not None else FORMATS if pdf else ("html",))
        self._pdf_a = pdf_a
        self._pdf_maker: object | None = None
        self._fragment_css: str | None = None
        self.earlier: dict[tuple[str, str], archive.Earlier | None] = {}  # see changes()

    def refresh(self) -> None:
        """Read templates and translations again, e.g. after the preview saw a file change;
        WeasyPrint, fonts and stylesheet stay loaded."""
        self._renderer = Renderer(self.project.templates, self.project.locales, reload=False)
        self.earlier.clear()

    def renderer(self, lang: str) -> Renderer:
        return self._renderer.language(lang)

    def _pdf(self, html: str, *, archival: bool = False) -> tuple[bytes, list[str]]:
        if dump := os.environ.get("DSINFO_PRINT_HTML"):  # benchmarks/county.py: the floor's input
            folder = Path(dump)
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{sha256(html.encode()).hexdigest()}.html").write_text(html, "utf-8")

        return self.pdf_maker().render(html, archival=archival)

    def build(self, notices: list[Notice], *,
              progress: Callable[[SchoolResult], None] | None = None) -> list[SchoolResult]:
        """Every school, one after the other, then the site index (see parallel.py for the
        incremental, parallel build of the command line)."""
        results = []
        with claimed(self.out):
            self.write_static()
            for notice in notices:
                result = self.build_school(notice)
                results.append(result)
                if progress:
                    progress(result)
            self.write_site_index(notices)
        return results

    def build_school(self, notice: Notice) -> SchoolResult:
        """Render every document of one school in memory first, then write them all."""
        result = SchoolResult(notice=notice)
        rendered = [self.render_language(notice, lang) for lang in notice.school.languages]
        for part in rendered:
            result.warnings.extend(part.warnings)
            self.write_language(notice, part, result)
        self.write_school_index(notice, result)
        return result

    def write_language(self, notice: Notice, rendered: Rendered, result: SchoolResult) -> None:
        folder = safe_path(self.out, notice.id, rendered.lang)  # resolved once, not per file
        for name, data in rendered.files.items():
            # our own file names (notice.pdf ...): nothing in them can lead out of the folder
            path = folder / name if PLAIN_NAME.fullmatch(name) else safe_path(folder, name)
            result.changed += write_atomic(path, data)
            result.files.append(path)

    def write_school_index(self, notice: Notice, result: SchoolResult) -> None:
        """The school's index page, last: once it is there, so is everything it links to."""
        path = safe_path(self.out, notice.id, "index.html")
        result.changed += write_atomic(path, self._school_index(notice))
        result.files.append(path)

    def render_language(self, notice: Notice, lang: str) -> Rendered:
        """Every document of one language, in memory: web pages, PDFs, fragment and JSON."""
        self._renderer.catalogs.take_fallbacks()
        pages, pub = self.web(notice, lang)
        files: dict[str, bytes | str] = {f"{doc}.html": html for doc, html in pages.items()}
        rendered = Rendered(lang=lang, files=files, warnings=[], pub=pub)
        if "pdf" in self.formats:
            self._pdfs(notice, rendered)
        files.update(self._for_websites(self.renderer(lang), notice, lang, pub, pages["notice"]))
        rendered.warnings.extend(self._fallback_warnings())
        return rendered

    def _pdfs(self, notice: Notice, rendered: Rendered) -> None:
        """<doc>.pdf for each document, the bilingual consent sheet for every language but
        German, and with --pdf-a the archival PDF/A copies (archive.py keeps them)."""
        lang, pub = rendered.lang, rendered.pub
        pages = {f"{doc}.pdf": self.renderer(lang).page(f"{doc}.html", notice, "print", pub=pub)
                 for doc in DOCUMENTS}
        if lang != "de":  # German (binding) and the parents' language on one sheet
            pages["consent-bilingual.pdf"] = self.renderer("de").page(
                "consent.html", notice, "print", pub=pub, second=lang)
        for name, html in pages.items():
            rendered.files[name], logged = self._pdf(html)
            rendered.warnings.extend(f"{lang}/{name}: {w}" for w in logged)
            if self._pdf_a:
                rendered.archival[name], logged = self._pdf(html, archival=True)
                rendered.warnings.extend(f"{lang}/{name} (PDF/A): {w}" for w in logged)

    def web(self, notice: Notice, lang: str) -> tuple[dict[str, str], Publication]:
        """The web pages, and the publication whose version is a hash of what they say, taken
        while they show a stand-in for the version."""
        renderer = self.renderer(lang)
        base = publication(notice, lang)
        if notice.school.show_changes:
            base = dataclasses.replace(base, changes=self.changes(notice))
        draft = dataclasses.replace(base, version=VERSION_MARK)
        pages = {doc: renderer.page(f"{doc}.html", notice, "web", pub=draft,
                                    static="../../" + STATIC + "/") for doc in DOCUMENTS}
        # the address the printed sheet's QR code leads to is content too, though no web page shows it
        pub = base.versioned(content_hash([*pages.values(), base.notice_url or ""]))
        return {doc: html.replace(VERSION_MARK, pub.version) for doc, html in pages.items()}, pub

    def changes(self, notice: Notice) -> archive.Changes | None:
        """What changed since the last school year (show_changes). The earlier version is read
        once per school and year: a parallel build reads it before any worker writes."""
        key = (notice.id, notice.school.school_year)
        if key not in self.earlier:
            self.earlier[key] = archive.earlier_version(self.out, *key)
        earlier = self.earlier[key]
        return archive.changes(earlier, notice) if earlier else None

    def publication(self, notice: Notice, lang: str) -> Publication:
        """Version, QR code and logo of one school's documents in `lang`."""
        return self.web(notice, lang)[1]

    def document_pdf(self, notice: Notice, lang: str, name: str) -> bytes:
        """One PDF by its output name (notice, consent, withdrawal, consent-bilingual)."""
        bilingual = name == "consent-bilingual"
        doc = "consent" if bilingual else name
        if doc not in DOCUMENTS or lang not in notice.school.languages:
            raise KeyError(f"{lang}/{name}")  # e.g. a preview URL naming what the school has not
        pub = self.publication(notice, lang)
        if bilingual:
            page = self.renderer("de").page("consent.html", notice, "print", pub=pub, second=lang)
        else:
            page = self.renderer(lang).page(f"{doc}.html", notice, "print", pub=pub)
        return self._pdf(page)[0]

    def _for_websites(self, renderer: Renderer, notice: Notice, lang: str, pub: Publication,
                      web_page: str) -> dict[str, bytes | str]:
        """notice.fragment.html to paste into a CMS, notice.json for other systems: both cut
        from the web page's <main>, without what belongs to our own site (the logo, the link
        to our German page)."""
        main = main_content(web_page)
        fragment = renderer.page("fragment.html", notice, "fragment", pub=pub,
                                 content=Markup(main), css=Markup(self.fragment_css()),
                                 scope=SCOPE)
        return {"notice.fragment.html": fragment,
                "notice.json": notice_json(main, notice, pub, lang)}

    def fragment_css(self) -> str:
        """The web pages' stylesheet, scoped to the fragment's wrapper element."""
        if self._fragment_css is None:
            self._fragment_css = scope_css((self.project.static / "screen.css").read_text("utf-8"))
        return self._fragment_css

    def write_static(self) -> None:
        """output/_static/: the fonts web pages load (fonts.css, the WOFF2 files, the licence)."""
        static = self.project.static
        for source in [static / "fonts.css", *sorted((static / "fonts").iterdir())]:
            parts = source.relative_to(static).parts
            write_atomic(safe_path(self.out, STATIC, *parts), source.read_bytes())

    def _school_index(self, notice: Notice) -> str:
        return self.renderer("de").page("school.html", notice, "web", static="../" + STATIC + "/",
                                        versions=archive.by_stand(archive.versions(self.out, notice.id),
                                                                  notice.school.languages))

    def _fallback_warnings(self) -> list[str]:
        """One line per language whose pages show German text in place of a translation."""
        catalog, local = self._renderer.catalogs.take_fallbacks()
        lines = [f"{lang}: {_count(texts)} shown in German: the translation is missing or stale "
                 f"(python build.py translations): {_quote(texts)}" for lang, texts in catalog.items()]
        lines += [f"{lang}: {_count(texts)} of the school file shown in German: give the text "
                  f"per language, e.g. {{de: ..., {lang}: ...}}: {_quote(texts)}"
                  for lang, texts in local.items()]
        return lines

    def write_site_index(self, built: Iterable[Notice] = ()) -> None:
        """output/index.html lists every school that has output: those built now and those
        whose manifest is there from before (read from the manifest, not parsed again)."""
        listings = {n.id: Listing.of(n) for n in built}
        for path in self.out.glob(f"*/{manifest.NAME}"):
            entry = manifest.SchoolEntry.read(path)
            if entry and entry.listing and path.parent.name not in listings:
                listings[path.parent.name] = Listing.read(path.parent.name, entry.listing)
        html = self.renderer("de").page("index.html", None, "web", static=STATIC + "/",
                                        schools=[listings[k] for k in sorted(listings)])
        write_atomic(safe_path(self.out, "index.html"), html)

    def roster(self, notice: Notice, pupils: list[Pupil], out: Path, *,
               numbers: Mapping[Pupil, int] | None = None, jobs: int | None = None) -> list[Path]:
        """Per class: one PDF with a filled consent sheet per pupil (bilingual where the roster
        names a language) and one return checklist (see sheets.py)."""
        from .sheets import print_roster

        return print_roster(self, notice, pupils, out, numbers=numbers, jobs=jobs).files

    def pdf_maker(self) -> PdfMaker:
        """The PDF maker of print pages (print.css), made on first use."""
        from .pdf import PdfMaker

        if self._pdf_maker is None:
            self._pdf_maker = PdfMaker(self.project.static / "print.css", [self.project.static])
        assert isinstance(self._pdf_maker, PdfMaker)
        return self._pdf_maker

    def pdf(self, html: str) -> bytes:
        """A print page as PDF/UA; a warning of WeasyPrint is an error here."""
        data, warnings = self._pdf(html)
        if warnings:
            raise BuildError(f"PDF: {warnings[0]}")
        return data


def _count(texts: list[str]) -> str:
    return f"{len(texts)} text{'s' if len(texts) != 1 else ''}"


def _quote(texts: list[str], limit: int = 3) -> str:
    shown = ", ".join(f"'{t[:57] + '...' if len(t) > 60 else t}'" for t in texts[:limit])
    return shown + (f" and {len(texts) - limit} more" if len(texts) > limit else "")
