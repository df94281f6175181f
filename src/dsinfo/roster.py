"""Class rosters: pre-filled consent sheets per pupil and a return checklist per class.

A roster is children's personal data. It is read from the CSV export of the school
administration software, held in memory only, and written nowhere but the PDFs in the folder
the user names. Error messages give the CSV line and the column, never the values.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import functools
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from babel import Locale

from .errors import InputError, Problem
from .i18n import LANGUAGES
from .load import first_control, read_limited
from .messages import Msg, Msgs, Text
from .model import AgeRule, RosterColumns

Signers = Literal["guardians", "both", "pupil"]
MAX_ROSTER_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Pupil:
    last_name: str
    first_name: str
    school_class: str
    birth_date: dt.date
    language: str  # "de" for a German sheet, else the second language of a bilingual sheet
    signers: Signers
    line: int

    @property
    def name_and_class(self) -> str:
        return f"{self.last_name}, {self.first_name} · {self.school_class}"

    @property
    def sort_key(self) -> tuple[str, str, dt.date]:
        return (self.last_name.casefold(), self.first_name.casefold(), self.birth_date)


def age_on(birth: dt.date, day: dt.date) -> int:
    """Completed years of life on `day`. The birthday itself counts (§ 187 Abs. 2 S. 2 BGB), so
    a pupil is 14 on the 14th birthday; born on 29 February, in other years on 1 March
    (§ 188 Abs. 3 BGB: the year ends with the last day of February)."""
    years = day.year - birth.year
    anniversary = (birth.month, birth.day)
    if anniversary == (2, 29) and not calendar.isleap(day.year):
        anniversary = (3, 1)
    return years - 1 if (day.month, day.day) < anniversary else years


def signers_for(age: int, rule: AgeRule) -> Signers:
    """Who signs: guardians alone below the first age, pupil and guardians in between, the
    pupil alone from the second."""
    if age < rule.guardians_only_under:
        return "guardians"
    return "both" if age < rule.pupil_alone_from else "pupil"


def read_roster(path: Path, columns: RosterColumns, rule: AgeRule, stand: dt.date) -> list[Pupil]:
    """The pupils of a roster CSV, or InputError listing every problem with its CSV line."""
    rows = _rows(path, _decode(path))
    if not rows:
        raise InputError([Problem(path=path, line=1, column=1, message=Msg("the roster is empty"))])
    index = _header(path, rows[0], columns)
    problems: list[Problem] = []
    pupils: list[Pupil] = []
    seen: dict[tuple[str, ...], int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        pupil = _pupil(path, number, row, index, columns, rule, stand, problems)
        if pupil is None:
            continue
        key = (pupil.last_name.casefold(), pupil.first_name.casefold(), pupil.school_class.casefold(),
               pupil.birth_date.isoformat())
        if key in seen:
            problems.append(_at(path, number, Msg("the same pupil as on line {line}: remove one of "
                                                  "the two lines", line=seen[key])))
            continue
        seen[key] = number
        pupils.append(pupil)
    if problems:
        raise InputError(problems)
    if not pupils:
        raise InputError([_at(path, 2, Msg("the roster has a header but no pupils"))])
    return pupils


def _at(path: Path, line: int, message: Text) -> Problem:
    return Problem(path=path, line=line, column=0, message=message)


def _rows(path: Path, text: str) -> list[list[str]]:
    """The CSV's rows; InputError with the line that the csv module cannot read (a field
    longer than its limit of 128 KiB, for one)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    rows: list[list[str]] = []
    try:
        rows.extend(reader)
    except csv.Error:  # its text says nothing a user can act on; the line does
        raise InputError([_at(path, reader.line_num, Msg(
            "this line cannot be read as CSV (a field longer than 128 KiB, or a quote that is never "
            "closed?): export the roster again"))]) from None
    return rows


def _decode(path: Path) -> str:
    """UTF-8 (with or without BOM) or Windows-1252, the two encodings school software exports."""
    raw = read_limited(path, MAX_ROSTER_BYTES, Msg("a roster"))
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw[:4096]:
        raise InputError([_at(path, 1, Msg("the roster is saved as UTF-16: export or save it as CSV "
                                           "in UTF-8 (or Windows-1252)"))])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise InputError([_at(path, line, Msg("the roster is neither UTF-8 nor Windows-1252 "
                                                  "text: save it as CSV (UTF-8)"))]) from None
    # the school files' rule, anywhere in the file; a line ends with CR LF in a CSV
    at = first_control(text.replace("\r", "\n"))
    if at is not None:
        code = f"{ord(text[at]):04X}"
        raise InputError([_at(path, text.count("\n", 0, at) + 1, Msg(
            "an invisible control character (U+{code}) is on this line: the file is damaged or "
            "not a CSV export; export the roster again", code=code))])
    return text


def _delimiter(text: str) -> str:
    """';' (German Excel), ',' or tab: whichever the header line uses most."""
    header = text.split("\n", 1)[0]
    return max((";", ",", "\t"), key=header.count)


FIELDS = ("last_name", "first_name", "school_class", "birth_date")
MAX_FIELD_CHARS = 100  # a name or a class; more is another column, or not a roster


def _header(path: Path, header: list[str], columns: RosterColumns) -> dict[str, int]:
    """Where each column is. The message names only the columns the school file (or
    --column) asks for, never a cell of the file: without a header, the first line is a pupil."""
    names = [cell.strip().lstrip("\ufeff") for cell in header]
    wanted = {field: getattr(columns, field) for field in (*FIELDS, "language")}
    found = {field: names.index(name) for field, name in wanted.items() if name in names}
    missing = [wanted[f] for f in FIELDS if f not in found]
    if missing:
        has = [wanted[f] for f in FIELDS if f in found]
        # the column names as one value: 'a', 'b' (names, not words of a sentence)
        found_columns = Msg(", found {columns}", columns=", ".join(repr(h) for h in has)) if has else ""
        raise InputError([Problem(path=path, line=1, column=1, message=Msgs(
            "missing column {columns} in the first line ({fields}{found}): the first line must "
            "name the columns; if the export calls them otherwise, name them under "
            "'roster_columns:' in the school file, or with --column",
            "missing columns {columns} in the first line ({fields}{found}): the first line must "
            "name the columns; if the export calls them otherwise, name them under "
            "'roster_columns:' in the school file, or with --column",
            len(missing), columns=", ".join(repr(m) for m in missing),
            fields=Msgs("{n} field", "{n} fields", len(names)), found=found_columns))])
    return found


def _pupil(path: Path, number: int, row: list[str], index: dict[str, int], columns: RosterColumns,
           rule: AgeRule, stand: dt.date, problems: list[Problem]) -> Pupil | None:
    if len(row) < max(index.values()) + 1:
        problems.append(_at(path, number, Msgs("the line has {n} field, fewer than the header",
                                               "the line has {n} fields, fewer than the header",
                                               len(row))))
        return None
    values = {field: row[i].strip() for field, i in index.items()}
    before = len(problems)
    for field in FIELDS:
        if not values[field]:
            problems.append(_at(path, number, Msg("column '{column}' is empty",
                                                  column=getattr(columns, field))))
        elif len(values[field]) > MAX_FIELD_CHARS:
            problems.append(_at(path, number, Msg("column '{column}' has more than {limit} characters: "
                                                  "is it the right column?",
                                                  column=getattr(columns, field), limit=MAX_FIELD_CHARS)))
    birth = _date(values["birth_date"]) if values["birth_date"] else None
    if values["birth_date"] and birth is None:
        problems.append(_at(path, number, Msg("column '{column}' is not a date: write it as "
                                              "DD.MM.YYYY", column=columns.birth_date)))
    elif birth is not None and birth > stand:
        problems.append(_at(path, number, Msg("column '{column}' lies after the Stand date",
                                              column=columns.birth_date)))
    language = _language(values.get("language", ""))
    if language is None:
        problems.append(_at(path, number, Msg("column '{column}': unknown language (use one of "
                                              "{codes})", column=columns.language,
                                              codes=", ".join(LANGUAGES))))
    if len(problems) > before or birth is None or language is None:
        return None
    return Pupil(last_name=values["last_name"], first_name=values["first_name"],
                 school_class=values["school_class"], birth_date=birth, language=language,
                 signers=signers_for(age_on(birth, stand), rule), line=number)


def _date(text: str) -> dt.date | None:
    for pattern, order in ((r"(\d{1,2})\.(\d{1,2})\.(\d{4})", "dmy"), (r"(\d{4})-(\d{2})-(\d{2})", "ymd")):
        match = re.fullmatch(pattern, text)
        if match:
            parts = dict(zip(order, (int(g) for g in match.groups()), strict=True))
            try:
                return dt.date(parts["y"], parts["m"], parts["d"])
            except ValueError:
                return None
    return None


@functools.cache  # read from Babel's locale data when a roster is read, not at import
def _language_names() -> dict[str, str]:
    """Codes and names of our languages, in German, English and their own language."""
    names: dict[str, str] = {}
    for code in LANGUAGES:
        names[code] = code
        for locale in ("de", "en", code):
            names[(Locale.parse(locale).languages.get(code) or code).casefold()] = code
    return names


def _language(text: str) -> str | None:
    return "de" if not text else _language_names().get(text.strip().casefold())


def by_class(pupils: Iterable[Pupil]) -> dict[str, list[Pupil]]:
    """Pupils grouped by class (classes in natural order: 5a before 10a), sorted by name."""
    classes: dict[str, list[Pupil]] = {}
    for pupil in pupils:
        classes.setdefault(pupil.school_class, []).append(pupil)
    ordered = sorted(classes, key=lambda c: [int(t) if t.isdigit() else t.casefold()
                                             for t in re.split(r"(\d+)", c)])
    return {c: sorted(classes[c], key=lambda p: p.sort_key) for c in ordered}


MAX_STEM_BYTES = 100  # file names may have 255 bytes; '-checklist.pdf' and '-2' come on top


def file_stem(school_class: str, taken: set[str]) -> str:
    """A safe, unique file name for a class ("5a", "10 b" -> "10_b"), short enough for any
    file system."""
    stem = re.sub(r"[^\w.-]+", "_", school_class, flags=re.UNICODE).strip("._") or "klasse"
    while len(stem.encode("utf-8")) > MAX_STEM_BYTES:
        stem = stem[:-1]
    unique, n = stem, 2
    while unique.casefold() in taken:
        unique, n = f"{stem}-{n}", n + 1
    taken.add(unique.casefold())
    return unique

