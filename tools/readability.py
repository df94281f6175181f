#!/usr/bin/env python3
"""How plain the German documents read: the full notice, the notice for pupils and the one in
Leichte Sprache of every school in an output folder (default: output/, after a build).

    python tools/readability.py [OUTPUT_DIR]

For each document: whole sentences, words, words per sentence, the share of long words (more
than six letters) and Flesch's reading ease as Amstad adapted it to German (dsinfo.german).
The README's table in "Documents for pupils" is this script's output for the examples.
"""

from __future__ import annotations

import sys
from pathlib import Path

from dsinfo.german import readability, sentences_of

KINDS = {"notice": "Datenschutzhinweise", "schueler": "für Schülerinnen und Schüler",
         "leichte-sprache": "Leichte Sprache"}


def main(output: Path) -> None:
    print("| school | document | sentences | words | words per sentence | long words | Flesch-Amstad |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for school in sorted(p for p in output.iterdir() if (p / "de").is_dir()):
        for doc, name in KINDS.items():
            page = school / "de" / f"{doc}.html"
            if not page.is_file():
                continue
            r = readability(sentences_of(page.read_text(encoding="utf-8")))
            print(f"| {school.name} | {name} | {r.sentences} | {r.words} | {r.sentence_length:.1f} "
                  f"| {r.long_share:.0%} | {r.flesch_amstad:.0f} |")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "output"))
