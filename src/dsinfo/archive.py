"""Every published version stays: output/<id>/archive/<school year>/<lang>/<stand>_<version>/.

A school must be able to show which notice a parent was given. When a language's documents
change (a new version, or a new school year), the documents of the version they replace are
kept in its archive folder; with --pdf-a the archival PDF/A copies go there at once. Nothing
in the archive is ever overwritten.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from . import manifest
from .compare import Earlier
from .messages import Msg
from .model import school_year_from
from .write import safe_path, write_atomic

ARCHIVE = "archive"
YEAR = re.compile(r"\d{4}-\d{2}")


@dataclass(frozen=True)
class Version:
    """One archived version of a school's documents in one language."""

    school_year: str
    lang: str
    stand: str
    version: str
    folder: Path  # output/<id>/archive/<year>/<lang>/<stand>_<version>
    kept: float  # when the folder was written (a version kept earlier was published earlier)

    @property
    def sort_key(self) -> tuple[str, str, float]:
        return (self.school_year, self.stand, self.kept)

    @property
    def stand_date(self) -> dt.date:
        return dt.date.fromisoformat(self.stand)

    @property
    def notice_version(self) -> str:
        """The version the kept notice itself shows (each document has its own; the folder is
        named by the version of all of them together)."""
        data = notice_data(self.folder)
        shown = data.get("version") if data else None
        return shown if isinstance(shown, str) else self.version

    @property
    def link(self) -> str | None:
        """The kept notice, relative to the school's folder (the PDF if there is one)."""
        for name in ("notice.pdf", "notice.html"):
            if (self.folder / name).is_file():
                return (self.folder / name).relative_to(self.folder.parents[3]).as_posix()
        return None


def year_folder(school_year: str) -> str:
    """'2025/26' as a folder name: '2025-26'."""
    return school_year.replace("/", "-")


def version_folder(out: Path, school_id: str, school_year: str, stand: str, version: str,
                   lang: str) -> Path:
    return safe_path(out, school_id, ARCHIVE, year_folder(school_year), lang, f"{stand}_{version}")


def keep(folder: Path, files: dict[str, bytes]) -> None:
    """Write `files` into an archive folder, leaving every file already there as it is."""
    for name, data in files.items():
        path = folder / name
        if not path.exists():
            write_atomic(path, data)


def archive_previous(out: Path, school_id: str, lang: str, *, school_year: str, version: str) -> None:
    """Before a language's documents are replaced by another version, keep the old ones (a
    draft was never published: it is not kept)."""
    entry = manifest.SchoolEntry.read(out / school_id / manifest.NAME)
    old = entry.languages.get(lang) if entry else None
    if old is None or old.draft or (old.version == version and old.school_year == school_year):
        return
    _keep_published(out, school_id, lang, old)


def keep_archival_copies(out: Path, school_id: str, lang: str, *, school_year: str, stand: str,
                         version: str, files: Mapping[str, bytes]) -> None:
    """--pdf-a: the PDF/A copies of this version, with its notice.json, into the archive."""
    if files:
        keep(version_folder(out, school_id, school_year, stand, version, lang), dict(files))


def versions(out: Path, school_id: str, lang: str | None = None) -> list[Version]:
    """The archived versions of a school (in `lang`, or in every language), oldest first."""
    root = out / school_id / ARCHIVE
    found: list[Version] = []
    for folder in sorted(root.glob(f"*/{lang or '*'}/*_*")):
        stand, _, version = folder.name.partition("_")
        if folder.is_dir() and YEAR.fullmatch(folder.parents[1].name):
            found.append(Version(school_year=folder.parents[1].name.replace("-", "/"),
                                 lang=folder.parent.name, stand=stand, version=version,
                                 folder=folder, kept=folder.stat().st_mtime))
    return sorted(found, key=lambda v: (v.sort_key, v.lang))


def by_stand(found: list[Version], order: Sequence[str]) -> list[tuple[Version, list[Version]]]:
    """Archived versions grouped by school year and Stand date, newest first, each group's
    languages in the school's order (`order`), for the list on the school's index page."""
    groups: dict[tuple[str, str], list[Version]] = {}
    for version in found:
        groups.setdefault((version.school_year, version.stand), []).append(version)
    rank = {code: i for i, code in enumerate(order)}
    return [(group[0], sorted(group, key=lambda v: (rank.get(v.lang, len(rank)), v.lang,
                                                    -v.kept)))
            for _, group in sorted(groups.items(), reverse=True)]


def notice_data(folder: Path) -> dict[str, object] | None:
    """The notice.json of an archived language folder, if it was kept."""
    try:
        data: dict[str, object] = json.loads((folder / "notice.json").read_text(encoding="utf-8"))
        return data
    except (OSError, ValueError):
        return None


def earlier_version(out: Path, school_id: str, school_year: str) -> Earlier | None:
    """The last version before `school_year`: archived, or still published in output/<id>/de/
    when the build that replaces it is the coming one. Read before anything is written (the
    build replaces the published one)."""
    found: list[tuple[tuple[str, str, float], Path | dict[str, object]]] = [
        (v.sort_key, v.folder) for v in versions(out, school_id, "de") if v.school_year < school_year]
    published = notice_data(out / school_id / "de")
    if published and str(published.get("school_year", school_year)) < school_year:
        found.append(((str(published["school_year"]), str(published.get("stand")), 0.0), published))
    for _, source in sorted(found, key=lambda item: item[0], reverse=True):
        data = source if isinstance(source, dict) else notice_data(source)
        facts = data.get("facts") if data else None
        if data and isinstance(facts, dict):
            return Earlier(school_year=str(data["school_year"]), stand=str(data["stand"]),
                           facts=facts)
    return None


def keep_current(out: Path, school_id: str) -> list[Path]:
    """Put the version now in output/<id>/ into the archive (what `next-year` does before the
    school year changes); returns the archive folders written to."""
    entry = manifest.SchoolEntry.read(out / school_id / manifest.NAME)
    kept = (_keep_published(out, school_id, lang, old)
            for lang, old in (entry.languages.items() if entry else ()))
    return [folder for folder in kept if folder is not None]


def _keep_published(out: Path, school_id: str, lang: str,
                    old: manifest.LanguageEntry) -> Path | None:
    """The published files of a language (the version its manifest entry `old` records)
    into that version's archive folder; the folder, if there was anything to keep."""
    current = out / school_id / lang
    # every document as published (the CMS fragment is a copy of the web page's content)
    files = {name: (current / name).read_bytes() for name in old.files
             if not name.endswith(".fragment.html") and (current / name).is_file()}
    if not files:
        return None
    folder = version_folder(out, school_id, old.school_year, old.stand, old.version, lang)
    keep(folder, files)
    return folder


def next_school_year(text: str, stand: str) -> tuple[str, str, str]:
    """The school file's text with the next school year and a new Stand date, keeping its
    comments and layout; and the old and the new school year."""
    year = re.search(r'(?m)^school_year:[ \t]*(["\']?)(\d{4})/(\d{2})\1', text)
    date = re.search(r"(?m)^stand:[ \t]*[\"']?\d{4}-\d{2}-\d{2}[\"']?", text)
    if year is None or date is None:
        raise ValueError(Msg("the school file has no 'school_year:' or 'stand:' line to change"))
    new = school_year_from(int(year[2]) + 1)
    text = text[:year.start()] + f'school_year: "{new}"' + text[year.end():]
    date = re.search(r"(?m)^stand:[ \t]*[\"']?\d{4}-\d{2}-\d{2}[\"']?", text)
    assert date is not None
    text = text[:date.start()] + f"stand: {stand}" + text[date.end():]
    return text, f"{year[2]}/{year[3]}", new


def mentions(text: str, year: str) -> list[tuple[int, int]]:
    """Where the school file still names a school year (written 2025/26, 2025/2026 or
    2025-26) after `next-year` changed its school_year line: line and column, 1-based."""
    start, end = year.split("/")
    pattern = re.compile(rf"(?<!\d){start}\s*[/-]\s*(?:20)?{end}(?!\d)")
    found: list[tuple[int, int]] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.lstrip().startswith(("school_year:", "#")):
            found.extend((number, m.start() + 1) for m in pattern.finditer(line))
    return found
