#!/usr/bin/env python3
"""Benchmark: a synthetic county built the way a Schulträger would, against bare WeasyPrint.

    python benchmarks/county.py [SCHOOLS] [LANGUAGES] [--json FILE] [--skip-serial]

Makes SCHOOLS schools (copies of the two example schools under new names) in the first
LANGUAGES of de, en, tr, ar, uk, ru, in a temporary copy of the project, and times, each as a
whole process like a user's command:

- full build with 1 job and with one job per core, and PDFs per second;
- the floor: a plain script rendering the very same print HTML with WeasyPrint alone, in a
  pool of as many warm workers (fonts and stylesheet loaded once) as there are cores;
- the ratio build / floor;
- a build with nothing to do, a build after one school changed, an HTML-only build;
- peak memory (RSS) of a worker.

Prints a table and, with --json, writes the figures as JSON.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ["de", "en", "tr", "ar", "uk", "ru"]


def make_county(project: Path, schools: int, languages: int) -> None:
    for part in ("catalog", "templates", "locales", "src"):
        (project / part).symlink_to(ROOT / part)
    shutil.copy(ROOT / "build.py", project / "build.py")
    (project / "schools").mkdir()
    shutil.copytree(ROOT / "schools" / "logos", project / "schools" / "logos")
    examples = sorted((ROOT / "schools").glob("*.yaml"))
    langs = "[" + ", ".join(LANGUAGES[:languages]) + "]"
    for n in range(schools):
        text = examples[n % len(examples)].read_text(encoding="utf-8")
        text = re.sub(r"(?m)^languages: \[[^]]*\]", f"languages: {langs}", text)
        name = re.search(r"(?m)^  name: (.*)$", text)
        assert name is not None
        text = text.replace(name[0], f"  name: {name[1].strip(chr(34))} Nr. {n + 1}", 1)
        text = text.replace("beispiel-gymnasium.example", f"schule-{n + 1}.example")  # own URL, QR
        (project / "schools" / f"schule-{n + 1:04d}.yaml").write_text(text, encoding="utf-8")


def changed_one(project: Path) -> float:
    school = project / "schools" / "schule-0001.yaml"
    school.write_text(school.read_text(encoding="utf-8").replace("Nr. 1", "Nr. 1 (neu)"),
                      encoding="utf-8")
    return build(project, "--out", "output")


def timed(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                   env={**os.environ, **(env or {})})
    return time.perf_counter() - started


def build(project: Path, *args: str, env: dict[str, str] | None = None) -> float:
    return timed([sys.executable, "build.py", *args], project, env)


_floor: dict[str, object] = {}


def _floor_start(static: str) -> None:
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    config = FontConfiguration()
    _floor.update(weasyprint=weasyprint, config=config, base=Path(static).as_uri() + "/",
                  css=weasyprint.CSS(filename=str(Path(static) / "print.css"), font_config=config))


def _floor_render(path: str) -> int:
    weasyprint = _floor["weasyprint"]
    html = weasyprint.HTML(string=Path(path).read_text(encoding="utf-8"),  # type: ignore[attr-defined]
                           base_url=_floor["base"])
    pdf = html.write_pdf(stylesheets=[_floor["css"]], font_config=_floor["config"],
                         pdf_variant="pdf/ua-1")
    return len(pdf)


def floor(pages: Path, jobs: int) -> None:
    """The floor, run as its own process: WeasyPrint alone, warm workers, same documents."""
    files = sorted(str(p) for p in pages.glob("*.html"))
    files.sort(key=lambda f: -Path(f).stat().st_size)
    context = multiprocessing.get_context("fork")
    with context.Pool(jobs, initializer=_floor_start, initargs=(str(ROOT / "templates" / "static"),)) as pool:
        for _ in pool.imap_unordered(_floor_render, files):
            pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("schools", type=int, nargs="?", default=40)
    parser.add_argument("languages", type=int, nargs="?", default=2)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--skip-serial", action="store_true", help="leave out the 1-job build")
    parser.add_argument("--noop-schools", type=int, default=200,
                        help="schools (x 2 languages, all formats) for the no-op rebuild")
    parser.add_argument("--html-schools", type=int, default=200,
                        help="schools (x 6 languages) for the HTML-only build")
    parser.add_argument("--floor-pages", help=argparse.SUPPRESS)  # internal: run the floor
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    if args.floor_pages:
        return floor(Path(args.floor_pages), cores)
    figures: dict[str, float | int | str] = {"schools": args.schools, "languages": args.languages,
                                             "cores": cores}
    with tempfile.TemporaryDirectory() as tmp:
        project, pages, stats = Path(tmp) / "county", Path(tmp) / "pages", Path(tmp) / "stats.json"
        project.mkdir()
        make_county(project, args.schools, args.languages)
        if not args.skip_serial:
            figures["full build, 1 job (s)"] = build(project, "--jobs", "1", "--out", "serial")
        figures["full build, all cores (s)"] = build(
            project, "--out", "output", env={"DSINFO_PRINT_HTML": str(pages), "DSINFO_STATS": str(stats)})
        pdfs = len(list((project / "output").rglob("*.pdf")))
        figures["PDFs"] = pdfs
        figures["PDFs per second"] = round(pdfs / float(figures["full build, all cores (s)"]), 1)
        figures["floor: WeasyPrint alone, all cores (s)"] = timed(
            [sys.executable, __file__, "--floor-pages", str(pages)], ROOT)
        figures["build / floor"] = round(float(figures["full build, all cores (s)"])
                                         / float(figures["floor: WeasyPrint alone, all cores (s)"]), 2)
        figures["peak memory per worker (MiB)"] = json.loads(stats.read_text())["peak_worker_mib"]
        figures["one school changed (s)"] = changed_one(project)
        big = Path(tmp) / "big"
        big.mkdir()
        make_county(big, args.noop_schools, 2)
        build(big, "--out", "output")
        figures[f"no-op rebuild, {args.noop_schools} schools x 2 languages (s)"] = build(
            big, "--out", "output")
        html = Path(tmp) / "html"
        html.mkdir()
        make_county(html, args.html_schools, 6)
        figures[f"HTML-only build, {args.html_schools} schools x 6 languages (s)"] = build(
            html, "--format", "html", "--out", "output")
    width = max(len(k) for k in figures)
    for key, value in figures.items():
        shown = f"{value:.2f}" if isinstance(value, float) else str(value)
        print(f"{key:<{width}}  {shown:>8}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(f"(benchmark process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MiB)")


if __name__ == "__main__":
    main()
