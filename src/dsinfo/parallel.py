"""The command line's build: only what changed, in a pool of warm workers, biggest first.

1. Plan: for each school, compare the manifest in its output folder with the files it was made
   from. Unchanged schools cost a few file hashes: no YAML parsing, no WeasyPrint import.
2. Load: the changed schools are validated and composed here, all of them, before anything
   is written (bad input writes nothing). With --strict they are checked here too.
3. Render: one task per school and language, largest first, in worker processes (forked with
   the composed schools) that keep their fonts, stylesheet and templates loaded. Each task
   renders and writes its files atomically; the German task also runs the Art. 13 check on
   the page it has just rendered. When all languages of a school are written, a worker writes
   its manifest and index page; last, this process writes the site index.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import dataclasses
import gc
import hashlib
import json
import multiprocessing
import os
import resource
import signal
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import archive, i18n, manifest
from .archive import archive_previous, keep_archival_copies
from .builder import Builder, Listing, Project, Rendered, SchoolResult, load_paths
from .check import Finding
from .check import check as check_notice
from .compose import Catalog, Notice, compose, load_catalog
from .errors import BuildError, InputError, Problem, debugging, internal_error
from .load import read_yaml
from .write import claimed, release_claims, safe_path, write_atomic


@dataclass(frozen=True)
class Shard:
    """Part `index` (1-based) of `count`: a stable partition of the schools by their id."""

    index: int
    count: int

    def __contains__(self, school_id: str) -> bool:
        digest = int(hashlib.sha256(school_id.encode()).hexdigest()[:16], 16)
        return digest % self.count == self.index - 1


@dataclass(frozen=True)
class Written:
    """What a worker made of one language of one school, written to disk already."""

    lang: str
    version: str
    files: dict[str, int]  # name in the language folder -> size
    warnings: list[str]
    changed: int  # files whose content changed
    findings: list[Finding] | None = None  # the check, run by the German task


@dataclass
class Summary:
    """What a build did: languages made now, unchanged and failed, and the check's findings."""

    built: list[str] = field(default_factory=list)  # "school/lang" made now
    unchanged: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # a school id per language that failed
    findings: dict[str, list[Finding]] = field(default_factory=dict)  # of the schools built now
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # of unchanged schools
    results: dict[str, SchoolResult] = field(default_factory=dict)
    seconds: float = 0.0
    peak_worker_mib: float = 0.0


def build(project: Project, out: Path, ids: Iterable[str] = (), *, formats: Iterable[str],
          jobs: int | None = None, shard: Shard | None = None, strict: bool = False,
          pdf_a: bool = False, force: bool = False,
          progress: Callable[[str, int, int], None] | None = None,
          strict_problems: Callable[[list[Notice]], list[Problem]] | None = None) -> Summary:
    """Build what changed; raise InputError (writing nothing) when a changed school is bad."""
    started = time.perf_counter()
    formats = sorted(formats)
    summary = Summary()
    paths = [p for p in project.school_files(ids) if shard is None or p.stem in shard]
    shared = manifest.shared_inputs(project.root, project.templates, project.templates / "schools")
    # --force: the selected schools (only they) count as changed, their manifests untouched
    # until they are built again
    changed = paths if force else [p for p in paths
                                   if not _unchanged(project, out, p, shared, formats, summary)]
    # --strict holds every school to the check, built now or before, before anything is
    # written; else only what changes is checked, by the workers, on the pages they render
    checked, catalog = _load(project, paths if strict else changed)
    if strict:
        german = Builder(project, out).renderer("de")
        findings = {n.id: check_notice(n, catalog, german) for n in checked if catalog is not None}
        problems = [f.as_problem() for n in checked for f in findings[n.id]]
        problems += strict_problems(checked) if strict_problems and checked else []
        if problems:
            raise InputError(problems)
        summary.findings = {n.id: findings[n.id] for n in checked if n.path in changed}
    notices = [n for n in checked if n.path in changed]
    run = _Run(project=project, out=out, formats=formats, pdf_a=pdf_a, jobs=jobs, shared=shared,
               catalog=catalog)
    with claimed(out):
        _render_and_write(run, notices, _tasks(notices, out, check=not strict), progress, summary)
    summary.seconds = time.perf_counter() - started
    if stats := os.environ.get("DSINFO_STATS"):  # benchmarks/county.py
        Path(stats).write_text(json.dumps({"seconds": summary.seconds, "built": len(summary.built),
                                           "peak_worker_mib": round(summary.peak_worker_mib)}))
    return summary


@dataclass(frozen=True)
class _Run:
    """What every part of one build needs to know."""

    project: Project
    out: Path
    formats: list[str]
    pdf_a: bool
    jobs: int | None
    shared: str  # the hash of the templates, stylesheets and fonts all schools share
    catalog: Catalog | None  # loaded when a school is built


def _render_and_write(run: _Run, notices: list[Notice], tasks: list[Task],
                      progress: Callable[[str, int, int], None] | None,
                      summary: Summary) -> None:
    out = run.out
    builder = Builder(run.project, out, formats=run.formats, pdf_a=run.pdf_a)
    if tasks:
        builder.write_static()
    done: dict[str, list[Written]] = {n.id: [] for n in notices}
    by_id = {n.id: n for n in notices}
    finishing: list[Callable[[], tuple[str, int, list[str]]]] = []
    with _Workers(run, notices, len(tasks)) as workers:
        for count, (sid, outcome, rss) in enumerate(workers.map(_render, tasks), start=1):
            summary.peak_worker_mib = max(summary.peak_worker_mib, rss)
            notice = by_id[sid]
            result = summary.results.setdefault(sid, SchoolResult(notice=notice))
            if isinstance(outcome, str):
                summary.failed.append(sid)
                result.warnings.append(outcome)
            else:
                done[sid].append(outcome)
                result.warnings.extend(outcome.warnings)
                result.changed += outcome.changed
                result.files.extend(out / sid / outcome.lang / name for name in outcome.files)
                summary.built.append(f"{sid}/{outcome.lang}")
                if outcome.findings is not None:
                    summary.findings[sid] = outcome.findings
            # all languages written: manifest and index (none after a failure: built again next time)
            if sid not in summary.failed and len(done[sid]) == len(notice.school.languages):
                finishing.append(workers.submit(_finish, notice.path, done[sid], run.shared,
                                                run.formats, counts(summary.findings.get(sid, []))))
            if progress:
                progress(sid, count, len(tasks))
        for finished in finishing:
            sid, changed, files = finished()
            summary.results[sid].changed += changed
            summary.results[sid].files.extend(Path(f) for f in files)
    if tasks or not (out / "index.html").is_file():
        builder.write_site_index(notices)


def _unchanged(project: Project, out: Path, path: Path, shared: str, formats: list[str],
               summary: Summary) -> bool:
    entry = manifest.SchoolEntry.read(out / path.stem / manifest.NAME)
    if entry is None or not manifest.inputs_unchanged(entry, project.root, shared):
        return False
    folder = out / path.stem
    if not (folder / "index.html").is_file() or not all(
            manifest.language_unchanged(lang_entry, folder / lang,
                                        _catalog_hash(project, lang), formats)
            for lang, lang_entry in entry.languages.items()):
        return False
    summary.unchanged.extend(f"{path.stem}/{lang}" for lang in entry.languages)
    summary.counts[path.stem] = entry.findings
    return True


def _catalog_hash(project: Project, lang: str) -> str:
    if lang == "de":
        return ""
    return manifest.file_hash(project.locales / lang / "LC_MESSAGES" / "messages.po")


def _load(project: Project, paths: list[Path]) -> tuple[list[Notice], Catalog | None]:
    """The changed schools, validated and composed (see load_paths); nothing when none changed."""
    return load_paths(project, paths) if paths else ([], None)


Task = tuple[Path, str, bool]  # school file, language, whether to run the check


def _tasks(notices: list[Notice], out: Path, *, check: bool) -> list[Task]:
    """(school file, language, check) for every language, the largest first so that no worker
    waits at the end: a language's size is what its files took last time, or an estimate for a
    new school. The German task runs the check when `check`."""
    weighted = []
    for notice in notices:
        for lang in notice.school.languages:
            folder = out / notice.id / lang
            size = sum(p.stat().st_size for p in folder.glob("*.pdf")) if folder.is_dir() else 0
            guess = size or 40_000 * (2 + len(notice.consents)) + 5_000 * sum(
                len(v.modules) for v in notice.platforms)
            weighted.append((guess, notice.path, lang))
    weighted.sort(key=lambda item: (-item[0], str(item[1]), item[2]))
    return [(path, lang, check and lang == i18n.SOURCE) for _, path, lang in weighted]


# ---------------------------------------------------------------------------- workers

_worker: dict[str, Any] = {}
_inherited: dict[Any, Any] = {}  # what a forked worker starts with: catalog, composed schools


def _start_worker(root: str, out: str, formats: list[str], pdf_a: bool, forked: bool) -> None:
    if forked:
        release_claims()  # the lock belongs to the build, not to its workers
        _die_with_parent()
    project = Project(Path(root))
    builder = Builder(project, Path(out), formats=formats, pdf_a=pdf_a)
    builder.earlier.update(_inherited.pop("earlier", {}))
    _worker.update(catalog=_inherited.pop("catalog", None) or load_catalog(project.catalog),
                   notices=dict(_inherited), builder=builder)
    gc.freeze()  # what a worker loads once stays: the collector need not walk it on every pass


class _Workers:
    """The worker processes of one build: a pool of forked, warm workers, or this process
    alone for one job. `map` yields results as they finish; `submit` queues one more call and
    returns a function that waits for its result."""

    def __init__(self, run: _Run, notices: list[Notice], tasks: int) -> None:
        self.jobs = max(1, min(run.jobs or os.cpu_count() or 1, tasks))
        self.method = "fork" if sys.platform == "linux" else "spawn"
        self.args = (str(run.project.root), str(run.out), run.formats, run.pdf_a,
                     self.jobs > 1 and self.method == "fork")
        self.notices, self.catalog, self.out = notices, run.catalog, run.out
        self.pool: Any = None

    def __enter__(self) -> _Workers:
        _inherited.update((n.path, n) for n in self.notices)
        if self.catalog is not None:
            _inherited["catalog"] = self.catalog
        # the earlier version a changes box compares with, read before any worker replaces it
        _inherited["earlier"] = {
            key: archive.earlier_version(self.out, *key)
            for key in {(n.id, n.school.school_year) for n in self.notices if n.school.show_changes}}
        if self.jobs == 1:
            _start_worker(*self.args)
        else:
            context = multiprocessing.get_context(self.method)
            self.pool = context.Pool(self.jobs, initializer=_start_worker, initargs=self.args)
            self.pool.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        _inherited.clear()
        if self.pool is not None:
            self.pool.__exit__(*exc)

    def map(self, func: Callable[[Any], Any], items: list[Any]) -> Iterator[Any]:
        if self.pool is None:
            return map(func, items)
        # a few tasks per message: fewer round trips, still enough chunks to even out the end
        chunk = max(1, min(8, len(items) // (self.jobs * 12)))
        return self.pool.imap_unordered(func, items, chunk)  # type: ignore[no-any-return]

    def submit(self, func: Callable[..., Any], *args: Any) -> Callable[[], Any]:
        if self.pool is None:
            value = func(*args)
            return lambda: value
        return self.pool.apply_async(func, args).get  # type: ignore[no-any-return]


def _die_with_parent() -> None:
    """Linux: a worker ends when the build process ends, even when the build is killed."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # elsewhere orphaned workers end when they next find the task queue closed


def _notice(path: Path) -> Notice:
    notices: dict[Path, Notice] = _worker["notices"]
    if path not in notices:  # a worker that was not forked from the build (spawn)
        notices[path] = compose(read_yaml(path), _worker["catalog"])
    return notices[path]


def _render(task: Task) -> tuple[str, Written | str, float]:
    """One language of one school, rendered and written by a worker; a failure comes back as
    text. The third item is the worker's peak memory so far (MiB)."""
    path, lang, check = task
    try:
        notice, builder = _notice(path), _worker["builder"]
        rendered = builder.render_language(notice, lang)
        outcome: Written | str = _write(builder, notice, rendered)
        if check and isinstance(outcome, Written):
            outcome = dataclasses.replace(outcome, findings=check_notice(
                notice, _worker["catalog"], builder.renderer(lang),
                page=str(rendered.files["notice.html"])))
    except (BuildError, InputError) as exc:
        outcome = f"{lang}: {exc}"
    except Exception as exc:  # the worker's boundary: one line, the traceback only with --debug
        outcome = f"{lang}: {internal_error(exc, f'while building {path.stem} ({lang})')}"
        if debugging():
            outcome += "\n" + traceback.format_exc()
    return path.stem, outcome, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---------------------------------------------------------------------------- writing


def _write(builder: Builder, notice: Notice, rendered: Rendered) -> Written:
    """Keep the version the new files replace, then write them (in the worker: writing is
    half the work of an HTML-only build)."""
    archive_previous(builder.out, notice, rendered)
    keep_archival_copies(builder.out, notice, rendered)
    result = SchoolResult(notice=notice)
    builder.write_language(notice, rendered, result)
    sizes = {name: len(data.encode("utf-8") if isinstance(data, str) else data)
             for name, data in sorted(rendered.files.items())}
    return Written(lang=rendered.lang, version=rendered.pub.version, files=sizes,
                   warnings=rendered.warnings, changed=result.changed)


def _finish(path: Path, written: list[Written], shared: str, formats: list[str],
            findings: dict[str, int]) -> tuple[str, int, list[str]]:
    """Manifest and index page of a school whose languages are all written (in a worker);
    returns the school's id, how many files changed and the files written."""
    notice, builder = _notice(path), _worker["builder"]
    project = builder.project
    entry = manifest.SchoolEntry(shared=shared, inputs=_inputs(project, notice))
    for part in written:
        entry.languages[part.lang] = manifest.LanguageEntry(
            catalog=_catalog_hash(project, part.lang), formats=formats, version=part.version,
            school_year=notice.school.school_year, stand=notice.school.stand.isoformat(),
            files=part.files)
    entry.findings = findings
    entry.listing = Listing.of(notice).to_data()
    write_atomic(safe_path(builder.out, notice.id, manifest.NAME), entry.to_json())
    result = SchoolResult(notice=notice)
    builder.write_school_index(notice, result)
    return notice.id, result.changed, [str(f) for f in result.files]


def counts(findings: list[Finding]) -> dict[str, int]:
    return {"errors": sum(f.severity == "error" for f in findings),
            "warnings": sum(f.severity == "warning" for f in findings)}


def _inputs(project: Project, notice: Notice) -> dict[str, str]:
    """The files a school's documents are made from, beside the templates: its school file,
    its Land, its platforms, its library consents, its logo and its own templates."""
    root = project.root
    files = [notice.path, project.catalog / "states" / f"{notice.state.code.lower()}.yaml"]
    files += [project.catalog / "platforms" / f"{v.id}.yaml" for v in notice.platforms]
    files += [project.catalog / "consents" / f"{c.id}.yaml" for c in notice.school.consents
              if (project.catalog / "consents" / f"{c.id}.yaml").is_file()]
    publish = notice.school.publish
    if publish and publish.logo:
        files.append(project.schools / publish.logo)
    inputs = {str(p.relative_to(root) if p.is_relative_to(root) else p): manifest.file_hash(p)
              for p in files}
    own = project.templates / "schools" / notice.id  # recorded even while it does not exist
    inputs[f"{own.relative_to(root)}/"] = manifest.folder_hash(own)
    return inputs
