#!/usr/bin/env python3
"""Benchmark: filled consent sheets for a synthetic roster (default 1,000 pupils in 40
classes) through the real command line, side by side with the floor: the very same sheets
and checklists rendered one by one by WeasyPrint, in a pool of warm workers (one per core).
Prints median, min and max of the runs, the ratio roster / floor, and peak memory.

    python benchmarks/roster.py [PUPILS] [CLASSES] [--repeat N]

The roster command lays out each distinct sheet (language x who signs x consents) and each
checklist size once, then fills the pupils' fields in (src/dsinfo/sheets.py). The floor renders
each pupil's sheet as its own document, with the name and the QR code in the HTML.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
SCHOOL = "loewentor-bleicherode"
LAST = [
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Yılmaz",
    "Kaya",
    "Demir",
    "Şahin",
    "Koval",
    "Shevchenko",
    "Ivanova",
    "Haddad",
    "Nowak",
    "Kowalski",
    "Rossi",
    "Nguyen",
    "Petrović",
    "Abadi",
    "Hassan",
]
FIRST = [
    "Anna",
    "Ben",
    "Clara",
    "David",
    "Elif",
    "Finn",
    "Greta",
    "Hamza",
    "Ida",
    "Jonas",
    "Lea",
    "Mehmet",
    "Mia",
    "Noah",
    "Olha",
    "Paul",
    "Sofia",
    "Tim",
    "Yusuf",
    "Zoe",
    "Layla",
    "Emil",
]
LANGS = ["", "", "", "", "", "", "tr", "ar", "uk", "ru", "en"]


def roster(pupils: int, classes: int, path: Path) -> None:
    rng = random.Random(42)
    names = [f"{grade}{letter}" for grade in range(5, 13) for letter in "abcde"][:classes]
    lines = ["Nachname;Vorname;Klasse;Geburtsdatum;Sprache"]
    for n in range(pupils):
        school_class = names[n % classes]
        grade = int(school_class[:-1])
        year = 2023 - grade - 5 - rng.randint(0, 1)
        lines.append(
            f"{rng.choice(LAST)}-{n};{rng.choice(FIRST)};{school_class};"
            f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.{year};{rng.choice(LANGS)}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def run_roster(csv_path: Path, out: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "build.py"),
            "roster",
            "--school",
            SCHOOL,
            "--csv",
            str(csv_path),
            "--out",
            str(out),
            "--register",
            str(out.with_suffix(".sqlite")),
        ],
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def floor_pages(csv_path: Path) -> list[str]:
    """Every pupil's sheet and every class's checklist as one print HTML page each, with the
    pupil's fields in the HTML, as a one-document-per-sheet roster would render them."""
    from dsinfo.builder import Builder, Project, load_schools
    from markupsafe import Markup, escape

    from dsinfo.publish import qr_code
    from dsinfo.roster import by_class, read_roster
    from dsinfo.sheets import Token, Variant, school_code

    project = Project(ROOT)
    notice = load_schools(project, [SCHOOL])[0][0]
    pupils = read_roster(csv_path, notice.school.roster_columns, notice.age_rule, notice.school.stand)
    builder = Builder(project, Path(tempfile.gettempdir()))
    de = builder.renderer("de")
    consents = tuple(c.id for c in notice.consents)
    languages = {"de", *(p.language for p in pupils)}
    pubs = {lang: builder.publication(notice, lang, "consent") for lang in languages}
    pages, sheets = [], {}
    for number, pupil in enumerate(pupils, start=1):
        variant = Variant.of(pupil, consents)
        if variant not in sheets:
            sheet = Markup(
                de.page(
                    "roster_sheet.html",
                    notice,
                    "print",
                    pupil=variant,
                    pub=pubs[pupil.language],
                    second=None if pupil.language == "de" else pupil.language,
                )
            )
            sheets[variant] = de.page("roster.html", notice, "print", pub=pubs["de"], sheet=sheet)
        token = str(
            Token(school=school_code(notice.id), pupil=number, version=pubs[pupil.language].version, page=1)
        )
        pages.append(
            sheets[variant]
            .replace(
                'data-field="name_and_class">', f'data-field="name_and_class">{escape(pupil.name_and_class)}'
            )
            .replace(
                'data-field="token" aria-hidden="true">',
                f'data-field="token" aria-hidden="true">'
                f'<img src="{qr_code(token)}" alt="" style="width: 100%">',
            )
        )
    for school_class, members in by_class(pupils).items():
        html = de.page(
            "checklist.html", notice, "print", pub=pubs["de"], rows=len(members), school_class=school_class
        )
        for n, pupil in enumerate(members, start=1):
            html = html.replace(
                f'data-field="name-{n}">',
                f'data-field="name-{n}">{escape(pupil.last_name)}, {escape(pupil.first_name)}',
            )
        pages.append(html)
    return pages


_maker: list[Any] = []


def _start() -> None:
    from dsinfo.pdf import PdfMaker

    _maker.append(PdfMaker(ROOT / "templates" / "static" / "print.css", [ROOT / "templates" / "static"]))
    _maker[0].render(FIRST_PAGE[0])  # warm: hyphenation dictionary loaded before timing


FIRST_PAGE: list[str] = []


def _render(html: str) -> int:
    return len(_maker[0].render(html)[0])


def run_floor(pages: list[str]) -> float:
    """WeasyPrint alone: the pages in a pool of warm workers, one per core (start-up not timed)."""
    FIRST_PAGE[:] = pages[:1]
    context = multiprocessing.get_context("fork")
    with context.Pool(os.cpu_count(), initializer=_start) as pool:
        pool.map(_render, pages[: os.cpu_count() or 1])  # every worker started and warm
        started = time.perf_counter()
        pool.map(_render, pages, chunksize=4)
        return time.perf_counter() - started


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):7.2f} {min(values):7.2f} {max(values):7.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pupils", type=int, nargs="?", default=1000)
    parser.add_argument("classes", type=int, nargs="?", default=40)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each (default 3)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "roster.csv"
        roster(args.pupils, args.classes, csv_path)
        pages = floor_pages(csv_path)
        walls, floors = [], []
        for n in range(args.repeat):  # in turns, so both see the same machine
            walls.append(run_roster(csv_path, Path(tmp) / f"out{n}"))
            floors.append(run_floor(pages))
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        files = sorted((Path(tmp) / "out0").iterdir())
        size = sum(f.stat().st_size for f in files) / 1024 / 1024
        same = all(
            (Path(tmp) / f"out{n}" / f.name).read_bytes() == f.read_bytes()
            for n in range(1, args.repeat)
            for f in files
        )
    ratios = [w / f for w, f in zip(walls, floors, strict=True)]
    print(
        f"{args.pupils} pupils in {args.classes} classes; {len(files)} PDF files ({size:.1f} MiB); "
        f"{args.repeat} runs; {os.cpu_count()} cores; runs byte-identical: {'yes' if same else 'NO'}"
    )
    print("                                   median     min     max")
    print(f"roster command, wall (s)          {spread(walls)}")
    print(f"floor: WeasyPrint per sheet (s)   {spread(floors)}")
    print(f"roster / floor                    {spread(ratios)}")
    print(f"ms per pupil (roster)             {spread([w / args.pupils * 1000 for w in walls])}")
    print(f"peak memory of a process (MiB)    {peak:7.0f}")


if __name__ == "__main__":
    main()
