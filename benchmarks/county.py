#!/usr/bin/env python3
"""Benchmark: a synthetic county built the way a Schulträger would, against bare WeasyPrint.

    python benchmarks/county.py [SCHOOLS] [LANGUAGES] [--repeat N] [--json FILE] [--skip-serial]

Makes SCHOOLS schools (copies of the two example schools under new names) in the first
LANGUAGES of de, en, tr, ar, uk, ru, in a temporary copy of the project, and times, each as a
whole process like a user's command:

- full build with 1 job and with one job per core, and PDFs per second;
- the floor: a plain script rendering the very same print HTML with WeasyPrint alone, in a
  pool of as many warm workers (fonts and stylesheet loaded once) as there are cores;
- the ratio build / floor;
- a build with nothing to do, a build after one school changed, an HTML-only build;
- peak memory (RSS) of the largest process of the build (the build or a worker).

Every timing but the 1-job build runs --repeat times (default 3); the table shows median, min
and max, because a shared machine's timings vary by a third. With --json it writes the figures
and every run as JSON.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ["de", "en", "tr", "ar", "uk", "ru"]


EXAMPLES = ("beispiel-gymnasium-musterstadt", "loewentor-bleicherode")


def make_county(project: Path, schools: int, languages: int) -> None:
    (project / "schools").mkdir()
    shutil.copytree(ROOT / "schools" / "logos", project / "schools" / "logos")
    examples = [ROOT / "schools" / f"{sid}.yaml" for sid in EXAMPLES]
    langs = "[" + ", ".join(LANGUAGES[:languages]) + "]"
    for n in range(schools):
        text = examples[n % len(examples)].read_text(encoding="utf-8")
        text = re.sub(r"(?m)^languages: \[[^]]*\]", f"languages: {langs}", text)
        name = re.search(r"(?m)^  name: (.*)$", text)
        assert name is not None
        text = text.replace(name[0], f"  name: {name[1].strip(chr(34))} Nr. {n + 1}", 1)
        text = text.replace("beispiel-gymnasium.example", f"schule-{n + 1}.example")  # own URL, QR
        (project / "schools" / f"schule-{n + 1:04d}.yaml").write_text(text, encoding="utf-8")


def changed_one(project: Path, run: int) -> float:
    school = project / "schools" / "schule-0001.yaml"
    text = school.read_text(encoding="utf-8")
    school.write_text(re.sub(r"Nr\. 1\b( \(Fassung \d+\))?", f"Nr. 1 (Fassung {run + 2})", text, count=1),
                      encoding="utf-8")
    return build(project, "--out", "output")


def timed(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def build(project: Path, *args: str) -> float:
    return timed([sys.executable, str(ROOT / "build.py"), "--project", str(project), *args], project)


def peak_mib(project: Path, *args: str) -> float:
    """The peak memory of the largest process of a build (the build or one of its workers)."""
    probe = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, "
             "stdout=subprocess.DEVNULL); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", probe, sys.executable, str(ROOT / "build.py"),
                          "--project", str(project), *args], cwd=project, check=True,
                         capture_output=True, text=True).stdout
    return int(out.split()[-1]) / 1024


def print_pages(project: Path, pages: Path) -> None:
    """The print HTML of every PDF the build makes: the floor's input (made untimed, through
    the library, exactly as the build's workers make it)."""
    sys.path.insert(0, str(ROOT / "src"))
    from dsinfo.documents import Press
    from dsinfo.pipeline import Summary, load
    from dsinfo.project import Project

    county = Project(project)
    _, notices = load(county, county.school_files(), Summary())
    press = Press(county)
    pages.mkdir(exist_ok=True)
    for notice in notices:
        for lang in notice.school.languages:
            for name, html in press.print_pages(notice, lang).items():
                (pages / f"{notice.id}-{lang}-{name}.html").write_text(html, encoding="utf-8")


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


def spread(runs: list[float]) -> dict[str, object]:
    return {"median": round(statistics.median(runs), 2), "min": round(min(runs), 2),
            "max": round(max(runs), 2), "runs": [round(r, 2) for r in runs]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("schools", type=int, nargs="?", default=40)
    parser.add_argument("languages", type=int, nargs="?", default=2)
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each timing; the table shows median (min-max)")
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
    repeat = range(max(1, args.repeat))
    counts: dict[str, int] = {"schools": args.schools, "languages": args.languages, "cores": cores,
                              "runs": len(repeat)}
    times: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        project, pages = Path(tmp) / "county", Path(tmp) / "pages"
        project.mkdir()
        make_county(project, args.schools, args.languages)
        print_pages(project, pages)
        if not args.skip_serial:  # one run: it takes minutes and only shows what the pool gains
            times["full build, 1 job (s)"] = [build(project, "--jobs", "1", "--out", "serial")]
        full, floors, ratios = [], [], []
        for run in repeat:  # build and floor in turns, so that both see the same machine
            full.append(build(project, "--out", f"output{run}"))
            floors.append(timed([sys.executable, __file__, "--floor-pages", str(pages)], ROOT))
            ratios.append(full[-1] / floors[-1])
        memory = [peak_mib(project, "--out", f"memory{run}") for run in repeat]
        counts["PDFs"] = len(list((project / "output0").rglob("*.pdf")))
        times["full build, all cores (s)"] = full
        times["PDFs per second"] = [counts["PDFs"] / t for t in full]
        times["floor: WeasyPrint alone, all cores (s)"] = floors
        times["build / floor"] = ratios
        times["peak memory of the largest build process (MiB)"] = memory
        (project / "output0").rename(project / "output")
        times["one school changed (s)"] = [changed_one(project, run) for run in repeat]
        big = Path(tmp) / "big"
        big.mkdir()
        make_county(big, args.noop_schools, 2)
        build(big, "--out", "output")
        times[f"no-op rebuild, {args.noop_schools} schools x 2 languages (s)"] = [
            build(big, "--out", "output") for _ in repeat]
        html = Path(tmp) / "html"
        html.mkdir()
        make_county(html, args.html_schools, 6)
        times[f"HTML-only build, {args.html_schools} schools x 6 languages (s)"] = [
            build(html, "--format", "html", "--out", f"output{run}") for run in repeat]
    figures = {**counts, **{key: spread(runs) for key, runs in times.items()}}
    width = max(len(k) for k in figures)
    print(f"{'':<{width}}  {'median':>8}  {'min':>8}  {'max':>8}")
    for key, value in figures.items():
        if isinstance(value, dict):
            print(f"{key:<{width}}  {value['median']:>8.2f}  {value['min']:>8.2f}  {value['max']:>8.2f}")
        else:
            print(f"{key:<{width}}  {value:>8}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(f"(benchmark process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MiB)")


if __name__ == "__main__":
    main()
