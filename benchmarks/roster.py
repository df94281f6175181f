#!/usr/bin/env python3
"""Benchmark: pre-filled consent sheets for a synthetic roster (default 1,000 pupils in 40
classes) through the real command line; prints wall time and peak memory.

    python benchmarks/roster.py [PUPILS] [CLASSES]

Every class is one WeasyPrint document (one sheet per pupil) plus one checklist.
"""

from __future__ import annotations

import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAST = ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
        "Hoffmann", "Yılmaz", "Kaya", "Demir", "Şahin", "Koval", "Shevchenko", "Ivanova", "Haddad",
        "Nowak", "Kowalski", "Rossi", "Nguyen", "Petrović", "Abadi", "Hassan"]
FIRST = ["Anna", "Ben", "Clara", "David", "Elif", "Finn", "Greta", "Hamza", "Ida", "Jonas", "Lea",
         "Mehmet", "Mia", "Noah", "Olha", "Paul", "Sofia", "Tim", "Yusuf", "Zoe", "Layla", "Emil"]
LANGS = ["", "", "", "", "", "", "tr", "ar", "uk", "ru", "en"]


def roster(pupils: int, classes: int, path: Path) -> None:
    rng = random.Random(42)
    names = [f"{grade}{letter}" for grade in range(5, 13) for letter in "abcde"][:classes]
    lines = ["Nachname;Vorname;Klasse;Geburtsdatum;Sprache"]
    for n in range(pupils):
        school_class = names[n % classes]
        grade = int(school_class[:-1])
        year = 2023 - grade - 5 - rng.randint(0, 1)
        lines.append(f"{rng.choice(LAST)}-{n};{rng.choice(FIRST)};{school_class};"
                     f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.{year};{rng.choice(LANGS)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    pupils = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    classes = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "roster.csv"
        roster(pupils, classes, csv_path)
        started = time.perf_counter()
        subprocess.run([sys.executable, str(ROOT / "build.py"), "roster", "--school",
                        "loewentor-bleicherode", "--csv", str(csv_path), "--out", str(Path(tmp) / "out")],
                       check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        files = sorted((Path(tmp) / "out").iterdir())
        size = sum(f.stat().st_size for f in files) / 1024 / 1024
    print(f"pupils              {pupils}")
    print(f"classes             {classes}")
    print(f"PDF files           {len(files)} ({size:.1f} MiB)")
    print(f"wall time           {wall:.1f} s ({wall / pupils * 1000:.0f} ms per pupil)")
    print(f"peak memory (RSS)   {peak:.0f} MiB")


if __name__ == "__main__":
    main()
