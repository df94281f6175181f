"""What people read from the consent register: the review crops in a terminal, teachers'
lists and the export for the school administration software.

The preview's review page (serve.py) uses the same: `Register.open_reviews()` (each with its
crop as PNG) and `Register.settle()`.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Mapping, Sequence

from .consentdb import Status
from .messages import ENGLISH, Msg, Voice

SHADES = " ░▒▓█"  # light to dark
EXPORT_WORDS = {
    "yes": "ja",
    "no": "nein",
    "withdrawn": "widerrufen",
    "unclear": "unklar",
    "renewal": "erneuern",
    "not returned": "offen",
}


def as_blocks(png: bytes, width: int = 72) -> str:
    """A PNG as lines of shaded blocks, `width` characters wide (a terminal cell is about twice
    as high as wide), so the boxes can be judged without an image viewer. Each character shows
    the darkest ink in its cell, so a thin pen line stays visible."""
    import numpy as np
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        grey = np.asarray(image.convert("L"), dtype=float)
    rows = max(1, round(grey.shape[0] * width / grey.shape[1] / 2))
    ys = np.linspace(0, grey.shape[0], rows + 1).astype(int)
    xs = np.linspace(0, grey.shape[1], width + 1).astype(int)
    paper = float(np.percentile(grey, 90)) or 255.0
    lines = []
    for y0, y1 in itertools.pairwise(ys):
        cells = [grey[y0 : max(y1, y0 + 1), x0 : max(x1, x0 + 1)].min() for x0, x1 in itertools.pairwise(xs)]
        lines.append("".join(SHADES[min(4, max(0, int((1 - c / paper) * 5.99)))] for c in cells).rstrip())
    return "\n".join(lines)


def _rows(statuses: Sequence[Status], titles: Mapping[str, str],
          words: Mapping[str, str] = EXPORT_WORDS) -> list[list[str]]:
    return [
        [
            str(s.number),
            s.school_class,
            s.last_name,
            s.first_name,
            titles.get(s.consent, s.consent),
            words[s.state],
            s.day or "",
            s.document_version or "",
        ]
        for s in statuses
    ]


# in German, as the sheets and the export; "Nr." is the pupil's number in the register (what
# `consents record --pupil` takes)
HEADER = ["Nr.", "Klasse", "Nachname", "Vorname", "Einwilligung", "Stand", "Datum", "Version"]
# the terminal's table in the reader's language (in German the words of the CSV above)
TEXT_HEADER = [Msg("No."), Msg("Class"), Msg("Last name"), Msg("First name"), Msg("Consent"),
               Msg("Status"), Msg("Date"), Msg("Version")]
TEXT_WORDS = {
    "yes": Msg("yes"),
    "no": Msg("no"),
    "withdrawn": Msg("withdrawn"),
    "unclear": Msg("unclear"),
    "renewal": Msg("renewal"),
    "not returned": Msg("not returned"),
}
NO_PUPILS = Msg("no pupils")


def list_text(statuses: Sequence[Status], titles: Mapping[str, str], voice: Voice = ENGLISH) -> str:
    """A plain table for the terminal, then the counts per state, in the language of `voice`."""
    words = {state: voice.say(word) for state, word in TEXT_WORDS.items()}
    header = [voice.say(cell) for cell in TEXT_HEADER]
    rows = [header, *_rows(statuses, titles, words)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]
    counts: dict[str, int] = {}
    for s in statuses:
        counts[s.state] = counts.get(s.state, 0) + 1
    lines.append(", ".join(f"{words[state]}: {n}" for state, n in sorted(counts.items()))
                 or voice.say(NO_PUPILS))
    return "\n".join(lines) + "\n"


def list_csv(statuses: Sequence[Status], titles: Mapping[str, str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(_rows(statuses, titles))
    return buffer.getvalue()


def export_csv(statuses: Sequence[Status], titles: Mapping[str, str]) -> str:
    """One line per pupil, one column per consent, in German words, ';'-separated with a BOM
    (what German spreadsheet and school software read without asking)."""
    consents = list(titles)
    pupils: dict[int, dict[str, str]] = {}
    names: dict[int, list[str]] = {}
    for s in statuses:
        names.setdefault(s.number, [s.last_name, s.first_name, s.school_class])
        pupils.setdefault(s.number, {})[s.consent] = EXPORT_WORDS[s.state]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Nachname", "Vorname", "Klasse", *(titles[c] for c in consents)])
    for number, answers in pupils.items():
        writer.writerow([*names[number], *(answers.get(c, "") for c in consents)])
    return "\ufeff" + buffer.getvalue()
