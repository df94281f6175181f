"""The build: load every school, render every language, write every file, index pages last."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup

from . import i18n
from .compose import Catalog, Notice, compose, load_catalog
from .errors import InputError, Problem
from .load import read_yaml
from .render import Renderer
from .roster import Pupil, by_class, file_stem
from .write import claimed, safe_path, write_atomic

DOCUMENTS = ("notice", "consent", "withdrawal")


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
    catalog = load_catalog(project.catalog)
    notices: list[Notice] = []
    problems: list[Problem] = []
    for path in project.school_files(ids):
        try:
            notices.append(compose(read_yaml(path), catalog))
        except InputError as exc:
            problems.extend(exc.problems)
    for lang in sorted({lang for n in notices for lang in n.school.languages}):
        try:  # a broken translation stops the build before anything is written
            i18n.translations(project.locales, lang)
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return notices, catalog


class Builder:
    """Renders and writes; renderers and the PDF maker are created once and reused."""

    def __init__(self, project: Project, out: Path, *, pdf: bool = True) -> None:
        self.project = project
        self.out = out
        self._renderers: dict[tuple[str, bool], Renderer] = {}
        self._pdf_enabled = pdf
        self._pdf_maker: object | None = None

    def renderer(self, lang: str, *, bilingual: bool = False) -> Renderer:
        key = (lang, bilingual and lang != "de")
        if key not in self._renderers:
            self._renderers[key] = Renderer(self.project.templates, self.project.locales, lang,
                                            bilingual=key[1])
        return self._renderers[key]

    def _pdf(self, html: str) -> tuple[bytes, list[str]]:
        from .pdf import PdfMaker

        if self._pdf_maker is None:
            self._pdf_maker = PdfMaker(self.project.static / "print.css", [self.project.static])
        assert isinstance(self._pdf_maker, PdfMaker)
        return self._pdf_maker.render(html)

    def build(self, notices: list[Notice], *,
              progress: Callable[[SchoolResult], None] | None = None) -> list[SchoolResult]:
        """Every school, then the site index: each page that links to files comes after them."""
        results = []
        with claimed(self.out):
            for notice in notices:
                result = self.build_school(notice)
                results.append(result)
                if progress:
                    progress(result)
            self.write_site_index()
        return results

    def build_school(self, notice: Notice) -> SchoolResult:
        """Render every document of one school in memory first, then write them all."""
        result = SchoolResult(notice=notice)
        pending: list[tuple[Path, bytes | str]] = []
        for lang in notice.school.languages:
            pending.extend(self._render_language(notice, lang, result))
        # the school's index last: once it is there, so is everything it links to
        pending.append((safe_path(self.out, notice.id, "index.html"), self._school_index(notice)))
        for path, data in pending:
            result.changed += write_atomic(path, data)
            result.files.append(path)
        return result

    def _render_language(self, notice: Notice, lang: str,
                         result: SchoolResult) -> list[tuple[Path, bytes | str]]:
        renderer = self.renderer(lang)
        files: list[tuple[Path, bytes | str]] = []
        for doc in DOCUMENTS:
            files.append((safe_path(self.out, notice.id, lang, f"{doc}.html"),
                          renderer.page(f"{doc}.html", notice, "web")))
            if self._pdf_enabled:
                files.append(self._pdf_file(notice, renderer, doc, f"{doc}.pdf", result))
        if self._pdf_enabled and lang != "de":
            # German (binding) and the parents' language on one sheet
            both = self.renderer(lang, bilingual=True)
            files.append(self._pdf_file(notice, both, "consent", "consent-bilingual.pdf", result))
        return files

    def _pdf_file(self, notice: Notice, renderer: Renderer, doc: str, name: str,
                  result: SchoolResult) -> tuple[Path, bytes]:
        pdf, warnings = self._pdf(renderer.page(f"{doc}.html", notice, "print"))
        result.warnings.extend(f"{renderer.lang}/{name}: {w}" for w in warnings)
        return safe_path(self.out, notice.id, renderer.lang, name), pdf

    def document_pdf(self, notice: Notice, lang: str, name: str) -> bytes:
        """One PDF by its output name (notice, consent, withdrawal, consent-bilingual)."""
        bilingual = name == "consent-bilingual"
        doc = "consent" if bilingual else name
        if doc not in DOCUMENTS or lang not in notice.school.languages:
            raise KeyError(f"{lang}/{name}")  # e.g. a preview URL naming what the school has not
        page = self.renderer(lang, bilingual=bilingual).page(f"{doc}.html", notice, "print")
        return self._pdf(page)[0]

    def _school_index(self, notice: Notice) -> str:
        labels = {lang: {"notice": self.renderer(lang).catalog_text("Datenschutzhinweise"),
                         "consent": self.renderer(lang).catalog_text("Einwilligung")}
                  for lang in notice.school.languages}
        return self.renderer("de").page("school.html", notice, "web", labels=labels)

    def write_site_index(self) -> None:
        """output/index.html lists every school that has output, built now or before."""
        html = self.renderer("de").page("index.html", None, "web", notices=self._built_notices())
        write_atomic(safe_path(self.out, "index.html"), html)

    def _built_notices(self) -> list[Notice]:
        catalog = load_catalog(self.project.catalog)
        notices = []
        for path in self.project.school_files():
            if (self.out / path.stem / "index.html").is_file():
                try:
                    notices.append(compose(read_yaml(path), catalog))
                except InputError:
                    continue  # a school whose file is broken now is listed again once fixed
        return notices

    def roster(self, notice: Notice, pupils: list[Pupil], out: Path) -> list[Path]:
        """Per class: one PDF with a pre-filled consent sheet per pupil (bilingual where the
        roster names a language) and one return checklist. Each class is one WeasyPrint
        document, written before the next class is rendered."""
        written: list[Path] = []
        taken: set[str] = set()
        with claimed(out):
            for school_class, members in by_class(pupils).items():
                written.extend(self._roster_class(notice, school_class, members, out, taken))
        return written

    def _roster_class(self, notice: Notice, school_class: str, members: list[Pupil], out: Path,
                      taken: set[str]) -> list[Path]:
        # each sheet is our own autoescaped template output, so it may go in as markup
        sheets = [Markup(self.renderer(p.language, bilingual=True)
                         .page("roster_sheet.html", notice, "print", pupil=p)) for p in members]
        german = self.renderer("de")
        stem = file_stem(school_class, taken)
        written = []
        for name, page in ((f"{stem}.pdf", german.page("roster.html", notice, "print",
                                                      school_class=school_class, sheets=sheets)),
                           (f"{stem}-checklist.pdf", german.page("checklist.html", notice, "print",
                                                                school_class=school_class,
                                                                pupils=members))):
            pdf, _ = self._pdf(page)
            path = safe_path(out, name)
            write_atomic(path, pdf, mode=0o600)  # children's personal data: the owner only
            written.append(path)
        return written
