#!/usr/bin/env python3
"""Benchmark: reading back a synthetic stack of returned consent sheets (no real pupils).

    python benchmarks/scan.py [PAGES] [--dpi 200] [--hard 0.02] [--repeat N]

Prints roster sheets for synthetic pupils of the example school (three consents and the
acknowledgement per sheet), ticks them the way people do (crosses, ticks, circles, filled
boxes; a share `--hard` of consents both or neither ticked, a tick scribbled over, or faint
pencil), degrades them like a copier (turned up to 3 degrees, sheared, shifted, noise, blur,
JPEG, 5 % upside down) into one scanned PDF, and reads it with `consents scan` through the
real command. Prints box accuracy (boxes whose answer was right without review, of the boxes
whose mark is clear), the share sent to review, answers wrong without review (must be 0) and
pages per second (median, min, max over the runs).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))
SCHOOL = "beispiel-gymnasium-musterstadt"


def roster(pupils: int, path: Path) -> None:
    rng = random.Random(7)
    lines = ["Nachname;Vorname;Klasse;Geburtsdatum;Sprache"]
    for n in range(pupils):
        grade = 5 + n % 8
        lines.append(
            f"Muster-{n};Kim;{grade}{'abcd'[n % 4]};{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}."
            f"{2020 - grade - 5};{rng.choice(['', '', '', '', 'tr', 'uk'])}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _tick(args: tuple[str, str, int, float, int]) -> tuple[list[bytes], list[Any]]:
    from tests.synthetic import Copier, tick_stack

    pdf, register, dpi, hard, seed = args
    pages, truths = tick_stack([Path(pdf)], Path(register), Copier(dpi=dpi, hard=hard), seed=seed)
    encoded = []
    for page in pages:
        import io

        buffer = io.BytesIO()
        page.save(buffer, format="JPEG", quality=90)
        encoded.append(buffer.getvalue())
    return encoded, truths


def make_stack(folder: Path, pages_wanted: int, dpi: int, hard: float) -> tuple[Path, Path, list[Any]]:
    import io

    from PIL import Image

    from tests.synthetic import save_pdf

    csv_path = folder / "roster.csv"
    roster(max(1, pages_wanted * 10 // 24), csv_path)
    register = folder / "register.sqlite"
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
            str(folder / "sheets"),
            "--register",
            str(register),
        ],
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    pdfs = sorted(p for p in (folder / "sheets").glob("*.pdf") if "checklist" not in p.name)
    tasks = [(str(p), str(register), dpi, hard, n) for n, p in enumerate(pdfs)]
    with multiprocessing.get_context("fork").Pool(os.cpu_count()) as pool:
        done = pool.map(_tick, tasks)
    pages = [Image.open(io.BytesIO(data)) for encoded, _ in done for data in encoded][:pages_wanted]
    truths = [t for _, ts in done for t in ts][:pages_wanted]
    return save_pdf(pages, folder / "stack.pdf", dpi), register, truths


def evaluate(register_path: Path, truths: list[Any]) -> dict[str, float]:
    from dsinfo.consentdb import Register

    meant = {t.token: t for t in truths}
    boxes = clear = right = reviewed = wrong = hard_sent = hard = 0
    with Register.open(register_path) as register:
        rows = register.db.execute(
            "SELECT g.token, a.consent, a.answer FROM answers a JOIN pages g ON g.id = a.page "
            "WHERE a.source = 'scan'"
        ).fetchall()
        pages = dict(register.db.execute("SELECT status, count(*) FROM pages GROUP BY status").fetchall())
    for token, consent, answer in rows:
        expected = meant[token].answers[consent]
        size = 1 if consent == "acknowledgement" else 2
        boxes += size
        if expected == "review":
            hard += 1
            hard_sent += answer == "unclear"
            wrong += answer != "unclear"
            continue
        clear += size
        if answer == "unclear":
            reviewed += size
        elif answer == expected:
            right += size
        else:
            wrong += 1
    return {
        "boxes": boxes,
        "clear": clear,
        "right": right,
        "reviewed": reviewed,
        "wrong": wrong,
        "hard": hard,
        "hard_sent": hard_sent,
        "pages_recorded": pages.get("recorded", 0),
        "pages_review": pages.get("review", 0),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", type=int, nargs="?", default=1000)
    parser.add_argument("--dpi", type=int, default=200)
    parser.add_argument("--hard", type=float, default=0.02)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        stack, register, truths = make_stack(folder, args.pages, args.dpi, args.hard)
        made = time.perf_counter() - started
        speeds, result = [], {}
        for n in range(args.repeat):
            copy = folder / f"run{n}.sqlite"
            shutil.copy(register, copy)
            started = time.perf_counter()
            subprocess.run(
                [
                    sys.executable,
                    str(ROOT / "build.py"),
                    "consents",
                    "scan",
                    "--school",
                    SCHOOL,
                    str(stack),
                    "--register",
                    str(copy),
                ],
                check=True,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
            )
            speeds.append(len(truths) / (time.perf_counter() - started))
            result = evaluate(copy, truths)
    print(
        f"{len(truths)} pages at {args.dpi} dpi (stack made in {made:.0f} s); {args.repeat} runs; "
        f"{os.cpu_count()} cores"
    )
    print(f"pages recorded / sent to review whole  {result['pages_recorded']} / {result['pages_review']}")
    print(
        f"box accuracy (right without review)     {result['right'] / result['clear']:.2%} of "
        f"{result['clear']} boxes with a clear mark"
    )
    print(f"clear boxes sent to review              {result['reviewed'] / result['clear']:.2%}")
    print(f"hard marks sent to review               {result['hard_sent']} of {result['hard']}")
    sent = (result["reviewed"] + 2 * result["hard_sent"]) / result["boxes"]
    print(f"all boxes sent to review                {sent:.2%}")
    print(f"answers wrong without review            {result['wrong']}")
    print(
        f"pages per second (median, min, max)     {statistics.median(speeds):.1f} {min(speeds):.1f} "
        f"{max(speeds):.1f}  (1,000 pages in {1000 / statistics.median(speeds):.0f} s)"
    )
    if result["wrong"]:  # a wrong answer nobody was asked to look at is a failure, not a figure
        sys.exit(1)


if __name__ == "__main__":
    main()
