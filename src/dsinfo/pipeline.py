"""The build, read top to bottom like a recipe:

    plan (what changed) -> load -> compose -> check -> render -> write -> index

1. Plan: compare each school's manifest with the files it was made from (plan.py).
2. Load and compose the changed schools, all of them, before anything is written: a bad school
   file is reported and left out; the others are built (load.py, compose.py).
3. Render, check and write, one task per school and language in a pool of warm workers
   (workers.py): the German task renders the binding documents, checks them (check.py) and
   writes them only when the check finds no error (--strict: no finding at all; --draft:
   always, marked as a draft); its version is what the translations name, so they are
   rendered after it (documents.py). Each task writes its files atomically (write.py) after
   keeping the version they replace (archive.py).
4. Index: when all languages of a school are written, its manifest and index page; last, the
   site index (site.py).

The command line, the preview, the tests and the benchmarks all build through `build`.
"""

from __future__ import annotations

import resource
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import archive, i18n, manifest, workers
from .catalog import Catalog, load_catalog
from .check import Finding, check, counts
from .compare import Changes, Earlier, for_parents
from .compose import Notice, compose, german
from .documents import FORMATS, KeptPdf, Press, Rendered
from .errors import DsinfoError, InputError, Problem, debugging, internal_error
from .extract import incomplete_languages
from .load import read_yaml
from .manifest import Hashes
from .messages import Msg, Text
from .plan import Shard, catalog_hash, plan, school_inputs
from .project import Project
from .publish import check_logo
from .site import Listing, write_school_index, write_site_index, write_static
from .views import documents_of
from .write import claimed, safe_path, write_atomic

Progress = Callable[[str, int, int], None]  # school id, tasks done, tasks in all


@dataclass(frozen=True)
class Options:
    """How to build."""

    formats: tuple[str, ...] = FORMATS
    jobs: int | None = None  # worker processes (default: one per core)
    shard: Shard | None = None
    strict: bool = False  # refuse a school with any finding, or an incomplete translation
    draft: bool = False  # publish nothing: every page marked as a draft, nothing archived
    pdf_a: bool = False  # archival PDF/A copies into the archive
    force: bool = False  # build the selected schools whether changed or not
    debug: bool = False  # an unexpected error keeps its traceback


@dataclass
class SchoolResult:
    """What the build did with one school."""

    notice: Notice
    files: list[Path] = field(default_factory=list)
    changed: int = 0  # files whose content changed
    warnings: list[Text] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    refused: str = ""  # why its documents were not written: "errors", "warnings", "translation"
    failed: list[Text] = field(default_factory=list)  # languages that failed, with why


@dataclass
class Summary:
    """What a build did: per school, and the schools it could not read."""

    results: dict[str, SchoolResult] = field(default_factory=dict)  # the schools built now
    built: list[str] = field(default_factory=list)  # "school/lang" written now
    made: list[str] = field(default_factory=list)  # "school/lang/doc.pdf" WeasyPrint made now
    unchanged: list[str] = field(default_factory=list)  # "school/lang" left as they were
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # findings of unchanged schools
    problems: list[Problem] = field(default_factory=list)  # school files that could not be read
    strict_refused: list[str] = field(default_factory=list)  # unchanged schools with findings
    seconds: float = 0.0
    peak_worker_mib: float = 0.0

    @property
    def refused(self) -> list[str]:
        return [sid for sid, r in self.results.items() if r.refused] + self.strict_refused

    @property
    def failed(self) -> list[str]:
        return [sid for sid, r in self.results.items() if r.failed]

    @property
    def ok(self) -> bool:
        return not (self.problems or self.refused or self.failed)


def build(project: Project, out: Path, ids: Iterable[str] = (), options: Options = Options(),
          progress: Progress | None = None) -> Summary:
    """Build what changed of the selected schools into `out`."""
    started = time.perf_counter()
    hashes = Hashes()
    work = plan(project, out, hashes, ids=ids, shard=options.shard, formats=options.formats,
                draft=options.draft, force=options.force)
    summary = Summary()
    for sid, entry in work.unchanged.items():
        summary.unchanged.extend(f"{sid}/{lang}" for lang in entry.languages)
        summary.counts[sid] = entry.findings
        if options.strict and any(entry.findings.values()):
            summary.strict_refused.append(sid)
    catalog, notices = load(project, work.changed, summary)
    if options.strict:
        refuse_incomplete_translations(project, notices, summary)
    ready = [n for n in notices if not summary.results[n.id].refused]
    first = not (out / "index.html").is_file() and not summary.problems
    if ready or first:  # bad input alone writes nothing
        with claimed(out):
            if ready:
                write_static(out, project.static)
                assert catalog is not None
                printing = manifest.shared_inputs(hashes, [project.static], project.school_templates)
                _render_and_write(Run(project, out, options, catalog, work.shared, printing), ready,
                                  summary, progress)
            write_site_index(Press(project, formats=("html",), draft=options.draft), out, ready)
    summary.seconds = time.perf_counter() - started
    return summary


def load(project: Project, paths: list[Path], summary: Summary) -> tuple[Catalog | None, list[Notice]]:
    """The changed school files, validated and composed with the catalog. A school file with
    problems is left out (its problems go into the summary); a broken catalog or translation
    file stops the build before anything is written."""
    if not paths:
        return None, []
    catalog = load_catalog(project.catalogs)
    notices = []
    for path in paths:
        try:
            notice = load_school(path, catalog)
        except InputError as exc:
            summary.problems.extend(exc.problems)
            continue
        notices.append(notice)
        summary.results[notice.id] = SchoolResult(notice=notice)
    languages = sorted({lang for n in notices for lang in n.school.languages})
    problems = [p for lang in languages for p in i18n.check_catalog(project.locales, lang)]
    if problems:
        raise InputError(problems)
    return catalog, notices


def load_school(path: Path, catalog: Catalog) -> Notice:
    """One school file, validated and composed, its logo checked; or InputError."""
    doc = read_yaml(path)
    notice = compose(doc, catalog)
    problems = check_logo(doc, notice)
    if problems:
        raise InputError(problems)
    return notice


def refuse_incomplete_translations(project: Project, notices: list[Notice], summary: Summary) -> None:
    """--strict: a school whose languages are not completely translated is not built."""
    languages = sorted({lang for n in notices for lang in n.school.languages} - {i18n.SOURCE})
    incomplete = incomplete_languages(project.root, project.locales, languages) if languages else {}
    for notice in notices:
        missing = [lang for lang in notice.school.languages if lang in incomplete]
        if missing:
            summary.problems.extend(incomplete[lang] for lang in missing)
            summary.results[notice.id].refused = "translation"


def check_schools(project: Project, ids: Iterable[str] = ()) -> tuple[list[Notice], list[Finding],
                                                                     list[Problem]]:
    """The check alone (the `check` command): every selected school loaded, its German
    documents rendered in memory and checked; nothing is written."""
    summary = Summary()
    catalog, notices = load(project, project.school_files(ids), summary)
    press = Press(project, formats=("html",))
    findings = [f for n in notices if catalog is not None
                for f in check(n, catalog, press.web(n, i18n.SOURCE)[0])]
    return notices, findings, summary.problems


# ---------------------------------------------------------------------------- render and write


@dataclass(frozen=True)
class Run:
    """What every part of one build's render stage needs to know."""

    project: Project
    out: Path
    options: Options
    catalog: Catalog
    shared: str  # the hash of the templates, stylesheets and fonts all schools share
    printing: str  # the hash of what WeasyPrint reads besides a print page (CSS, fonts, versions)


@dataclass(frozen=True)
class Outcome:
    """What a worker did with one language of one school."""

    school: str
    lang: str
    versions: dict[str, str] = field(default_factory=dict)  # the German documents', for translations
    made: list[str] = field(default_factory=list)  # the PDFs made (the others were kept)
    files: dict[str, int] = field(default_factory=dict)  # written: name -> size
    changed: int = 0
    warnings: list[Text] = field(default_factory=list)
    findings: list[Finding] | None = None  # the check, run by the German task
    refused: str = ""  # the check had errors: nothing written
    failed: Text = ""
    entry: manifest.LanguageEntry | None = None
    rss: float = 0.0


def _render_and_write(run: Run, notices: list[Notice], summary: Summary,
                      progress: Progress | None) -> None:
    by_path = {n.path: n for n in notices}
    earlier = {n.id: archive.earlier_version(run.out, n.id, n.school.school_year)
               for n in notices if n.school.show_changes}  # read before anything replaces it
    # the last build's manifests (what their PDFs were made from), once per school
    last = {} if run.options.force else {
        n.id: entry for n in notices
        if (entry := manifest.SchoolEntry.read(run.out / n.id / manifest.NAME)) is not None}
    total = sum(len(n.school.languages) for n in notices)
    jobs = min(run.options.jobs or workers.cores(), total)
    done: dict[str, list[Outcome]] = {n.id: [] for n in notices}
    with workers.Workers(jobs, _setup, (run, by_path, earlier, last)) as pool:
        for notice in sorted(notices, key=_size(run.out), reverse=True):  # largest first
            pool.submit(_render, notice.path, i18n.SOURCE, None)
        finished = 0
        while pool.pending:
            outcome = pool.next()
            if isinstance(outcome, tuple):  # a school's manifest and index page are written
                sid, changed, path, failed = outcome
                if failed:
                    summary.results[sid].failed.append(failed)
                else:
                    summary.results[sid].changed += changed
                    summary.results[sid].files.append(path)
                continue
            finished += 1
            notice = summary.results[outcome.school].notice
            _record(summary, run.out, outcome)
            if outcome.lang == i18n.SOURCE and outcome.versions and not outcome.refused:
                for lang in notice.school.languages[1:]:
                    pool.submit(_render, notice.path, lang, outcome.versions)
            done[notice.id].append(outcome)
            if not outcome.failed and not outcome.refused and \
                    len(done[notice.id]) == len(notice.school.languages):
                pool.submit(_finish, notice.path, done[notice.id])
            if progress:
                progress(notice.id, finished, total)


def _size(out: Path) -> Callable[[Notice], int]:
    """How big a school's documents are: what its German files took last time, or an estimate
    for a new school; the largest go first, so that no worker waits at the end."""
    def size(notice: Notice) -> int:
        folder = out / notice.id / i18n.SOURCE
        taken = sum(p.stat().st_size for p in folder.glob("*.pdf")) if folder.is_dir() else 0
        return (taken or 40_000 * (2 + len(notice.consents)) + 5_000 * sum(
            len(v.modules) for v in notice.platforms)) * len(notice.school.languages)
    return size


def _record(summary: Summary, out: Path, outcome: Outcome) -> None:
    summary.peak_worker_mib = max(summary.peak_worker_mib, outcome.rss)
    result = summary.results[outcome.school]
    result.warnings.extend(outcome.warnings)
    if outcome.findings is not None:
        result.findings = outcome.findings
    if outcome.failed:
        result.failed.append(Msg("{lang}: {failure}", lang=outcome.lang, failure=outcome.failed))
    elif outcome.refused:
        result.refused = outcome.refused
    else:
        result.changed += outcome.changed
        result.files.extend(out / outcome.school / outcome.lang / name for name in outcome.files)
        summary.built.append(f"{outcome.school}/{outcome.lang}")
        summary.made.extend(f"{outcome.school}/{outcome.lang}/{name}" for name in outcome.made)


# ---------------------------------------------------------------------------- in the workers


def _setup(run: Run, notices: dict[Path, Notice], earlier: dict[str, Earlier | None],
           last: dict[str, manifest.SchoolEntry]) -> dict[str, Any]:
    options = run.options
    press = Press(run.project, formats=options.formats, pdf_a=options.pdf_a, draft=options.draft)
    return {"run": run, "notices": notices, "earlier": earlier, "last": last, "press": press}


def _render(path: Path, lang: str, versions: dict[str, str] | None) -> Outcome:
    """One language of one school: rendered, checked (German), written. A failure comes back
    as one line. `versions`: the German documents', for a translation."""
    own = workers.state()
    run: Run = own["run"]
    notice: Notice = own["notices"][path]
    try:
        press: Press = own["press"]
        changes = _changes(notice, own["earlier"].get(notice.id))
        rendered = press.language(notice, lang, versions=versions, changes=changes,
                                  earlier=_earlier_pdfs(run.out / notice.id / lang,
                                                        own["last"].get(notice.id), lang),
                                  shared=run.printing)
        findings = None
        if lang == i18n.SOURCE:
            findings = check(notice, run.catalog, pages_of(notice, rendered))
            refused = _refusal(findings, run.options)
            if refused:
                return Outcome(school=notice.id, lang=lang, findings=findings, refused=refused,
                               rss=_rss())
        files, changed = _write(run, notice, rendered)
        entry = manifest.LanguageEntry(
            catalog=catalog_hash(run.project, lang, Hashes()), formats=sorted(run.options.formats),
            version=rendered.edition.full_version, school_year=notice.school.school_year,
            stand=notice.school.stand.isoformat(), files=files, draft=run.options.draft,
            pdfs={name: [page, manifest.sha256(_bytes(rendered.files[name]))]
                  for name, page in rendered.pages.items()})
        return Outcome(school=notice.id, lang=lang, versions=rendered.edition.versions,
                       made=rendered.made, files=files, changed=changed,
                       warnings=list(rendered.warnings), findings=findings, entry=entry, rss=_rss())
    except Exception as exc:
        return Outcome(school=notice.id, lang=lang, failed=_failure(
            run, exc, Msg("while building {school} ({lang})", school=notice.id, lang=lang)), rss=_rss())


def _failure(run: Run, exc: Exception, where: Msg) -> Text:
    """The worker's boundary: a DsinfoError as its message, anything else as one line (the
    traceback only with --debug)."""
    if isinstance(exc, DsinfoError):
        return exc.message
    line = internal_error(exc, where)
    if run.options.debug or debugging():
        return Msg("{failure}\n{traceback}", failure=line, traceback=traceback.format_exc())
    return line


def _earlier_pdfs(folder: Path, last: manifest.SchoolEntry | None, lang: str) -> KeptPdf | None:
    """The PDFs the last build made of this language in `folder` (the school's manifest names
    their print pages)."""
    entry = last.languages.get(lang) if last else None
    if entry is None:
        return None
    return lambda name, page: entry.earlier_pdf(folder, name, page)


def _bytes(data: bytes | str) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else data


def pages_of(notice: Notice, rendered: Rendered) -> dict[str, str]:
    """The web pages of a school's rendered documents, by document id (what the check reads)."""
    return {spec.id: str(rendered.files[f"{spec.id}.html"]) for spec in documents_of(notice)}


def _refusal(findings: list[Finding], options: Options) -> str:
    if options.draft:
        return ""
    if any(f.severity == "error" for f in findings):
        return "errors"
    return "warnings" if options.strict and findings else ""


def _changes(notice: Notice, earlier: Earlier | None) -> Changes | None:
    if earlier is None:
        return None
    texts = {str(german(t)): t for t in _texts(notice)}  # the school's and the catalog's, by German
    return for_parents(earlier, notice.facts(), texts)


def _texts(notice: Notice) -> Iterable[Any]:
    for c in notice.consents:
        yield c.title
    for a in notice.activities:
        yield a.name
        yield from (d.label for d in a.data)
        yield from (p.text for p in a.purposes)


def _write(run: Run, notice: Notice, rendered: Rendered) -> tuple[dict[str, int], int]:
    """Keep the version the new files replace (not for a draft), then write them; returns the
    files written with their sizes, and how many changed."""
    lang, edition, school = rendered.lang, rendered.edition, notice.school
    if not run.options.draft:
        archive.archive_previous(run.out, notice.id, lang, school_year=school.school_year,
                                 version=edition.full_version)
        archival = dict(rendered.archival)
        if archival and "notice.json" in rendered.files:
            archival["notice.json"] = str(rendered.files["notice.json"]).encode("utf-8")
        archive.keep_archival_copies(run.out, notice.id, lang, school_year=school.school_year,
                                     stand=school.stand.isoformat(), version=edition.full_version,
                                     files=archival)
    folder = safe_path(run.out, notice.id, lang)
    changed = 0
    sizes = {}
    for name, data in sorted(rendered.files.items()):
        payload = _bytes(data)
        changed += write_atomic(safe_path(folder, name), payload)
        sizes[name] = len(payload)
    return sizes, changed


def _finish(path: Path, written: list[Outcome]) -> tuple[str, int, Path, Text]:
    """Manifest and index page of a school whose languages are all written: (school, files
    changed, the index page, ''), or a failure as one line in the last place."""
    own = workers.state()
    run: Run = own["run"]
    notice: Notice = own["notices"][path]
    try:
        return (*_write_index(run, own["press"], notice, written), "")
    except Exception as exc:
        return notice.id, 0, path, _failure(run, exc, Msg("while finishing {school}", school=notice.id))


def _write_index(run: Run, press: Press, notice: Notice, written: list[Outcome]) -> tuple[str, int, Path]:
    """The index page, then the manifest: a school has a manifest only when all of it is
    written, so a build that fails on the way is tried again by the next one."""
    index, changed = write_school_index(press, run.out, notice)
    hashes = Hashes()
    entry = manifest.SchoolEntry(shared=run.shared,
                                 inputs=school_inputs(run.project, notice, hashes))
    for part in written:
        assert part.entry is not None
        entry.languages[part.lang] = part.entry
    german = next(p for p in written if p.lang == i18n.SOURCE)
    entry.findings = counts(german.findings or [])
    entry.listing = Listing.of(notice).to_data()
    write_atomic(safe_path(run.out, notice.id, manifest.NAME), entry.to_json())
    return notice.id, int(changed), index


def _rss() -> float:
    """The worker's peak memory so far (MiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

