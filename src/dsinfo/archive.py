"""Every published version stays: output/<id>/archive/<school year>/<stand>_<version>/<lang>/.

A school must be able to show which notice a parent was given. When a language's documents
change (a new version, or a new school year), the documents of the version they replace are
kept in its archive folder; with --pdf-a the archival PDF/A copies go there at once. Nothing
in the archive is ever overwritten.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import manifest
from .write import safe_path, write_atomic

if TYPE_CHECKING:
    from .builder import Rendered
    from .compose import Notice

ARCHIVE = "archive"
KEPT = ("notice.pdf", "consent.pdf", "withdrawal.pdf", "consent-bilingual.pdf", "notice.html",
        "consent.html", "withdrawal.html", "notice.json")


@dataclass(frozen=True)
class Version:
    """One archived version of a school's documents."""

    school_year: str
    stand: str
    version: str
    languages: tuple[str, ...]
    folder: Path  # output/<id>/archive/<year>/<stand>_<version>

    @property
    def sort_key(self) -> tuple[str, str, str]:
        return (self.school_year, self.stand, self.version)


def year_folder(school_year: str) -> str:
    """'2025/26' as a folder name: '2025-26'."""
    return school_year.replace("/", "-")


def version_folder(out: Path, school_id: str, school_year: str, stand: str, version: str,
                   lang: str) -> Path:
    return safe_path(out, school_id, ARCHIVE, year_folder(school_year), f"{stand}_{version}", lang)


def keep(folder: Path, files: dict[str, bytes]) -> None:
    """Write `files` into an archive folder, leaving every file already there as it is."""
    for name, data in files.items():
        path = folder / name
        if not path.exists():
            write_atomic(path, data)


def archive_previous(out: Path, notice: Notice, rendered: Rendered) -> None:
    """Before a language's documents are replaced by another version, keep the old ones."""
    entry = manifest.SchoolEntry.read(out / notice.id / manifest.NAME)
    old = entry.languages.get(rendered.lang) if entry else None
    if old is None or (old.version == rendered.pub.version
                       and old.school_year == notice.school.school_year):
        return
    current = out / notice.id / rendered.lang
    files = {name: (current / name).read_bytes() for name in KEPT
             if name in old.files and (current / name).is_file()}
    if files:
        keep(version_folder(out, notice.id, old.school_year, old.stand, old.version,
                            rendered.lang), files)


def keep_archival_copies(out: Path, notice: Notice, rendered: Rendered) -> None:
    """--pdf-a: the PDF/A copies of this version, with its notice.json, into the archive."""
    if not rendered.archival:
        return
    folder = version_folder(out, notice.id, notice.school.school_year,
                            notice.school.stand.isoformat(), rendered.pub.version, rendered.lang)
    json_text = rendered.files.get("notice.json", "")
    keep(folder, {**rendered.archival, "notice.json": str(json_text).encode("utf-8")})


def versions(out: Path, school_id: str) -> list[Version]:
    """The archived versions of a school, oldest first."""
    root = out / school_id / ARCHIVE
    found = []
    for folder in sorted(root.glob("*/*_*")):
        if not folder.is_dir():
            continue
        stand, _, version = folder.name.partition("_")
        year = folder.parent.name.replace("-", "/")
        langs = tuple(sorted(p.name for p in folder.iterdir() if p.is_dir()))
        found.append(Version(school_year=year, stand=stand, version=version, languages=langs,
                             folder=folder))
    return sorted(found, key=lambda v: v.sort_key)


def notice_data(folder: Path) -> dict[str, object] | None:
    """The notice.json of an archived language folder, if it was kept."""
    try:
        data: dict[str, object] = json.loads((folder / "notice.json").read_text(encoding="utf-8"))
        return data
    except (OSError, ValueError):
        return None
