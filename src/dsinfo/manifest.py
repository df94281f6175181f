"""What each output was made from, so that an unchanged output is not made again.

`output/<id>/manifest.json` records, per school, the hashes of the files its documents depend
on (the school file, the catalog entries it uses, its logo), and per language the hash of the
translation catalog, the formats built, the version, school year and Stand date, the size
of every file written, and per PDF the hash of the print page it was made from. A school is
unchanged when all of that still holds; finding out needs no YAML parsing and no WeasyPrint,
so a build with nothing to do is quick. When a school changed, each PDF whose print page is
still the same is taken from the last build (documents.py): only the documents whose content
changed go through WeasyPrint again.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

FORMAT = 3
NAME = "manifest.json"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Hashes:
    """File hashes for one build: each file is read once, however many schools use it.

    Owned by the build that creates it (a second build makes its own, and so sees files that
    changed in between)."""

    def __init__(self) -> None:
        self._files: dict[Path, str] = {}

    def file(self, path: Path) -> str:
        """The SHA-256 of a file's bytes ('' when it does not exist)."""
        if path not in self._files:
            try:
                self._files[path] = sha256(path.read_bytes())
            except OSError:
                self._files[path] = ""
        return self._files[path]

    def folder(self, folder: Path) -> str:
        """One hash over every file below `folder` ('' when there is none)."""
        files = [p for p in folder.rglob("*") if p.is_file()] if folder.is_dir() else []
        return self.tree(folder, files) if files else ""

    def tree(self, root: Path, paths: Iterable[Path]) -> str:
        """One hash over several files, each named by its path below `root`."""
        digest = hashlib.sha256()
        for path in sorted(paths):
            digest.update(str(path.relative_to(root) if path.is_relative_to(root) else path).encode())
            digest.update(b"\0")
            digest.update(self.file(path).encode())
            digest.update(b"\0")
        return digest.hexdigest()



def tool_version() -> str:
    """dsinfo's and WeasyPrint's versions: a new release may render differently."""
    versions = []
    for package in ("dsinfo", "weasyprint"):
        try:
            versions.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{package} ?")
    return "; ".join(versions)


def shared_inputs(hashes: Hashes, folders: Iterable[Path], school_templates: Path) -> str:
    """What every school's documents depend on: the tool and the template folders with their
    CSS and fonts (schools' own template folders excepted: each belongs to one school)."""
    parts = [tool_version()]
    for folder in folders:
        files = [p for p in folder.rglob("*") if p.is_file() and not p.is_relative_to(school_templates)]
        if files:  # a project's templates/ that holds only schools' own templates adds nothing
            parts.append(hashes.tree(folder, files))
    return sha256("\0".join(parts).encode())


@dataclass
class LanguageEntry:
    """One language of one school, as last built."""

    catalog: str  # hash of locales/<lang>/LC_MESSAGES/messages.po ('' for German)
    formats: list[str]
    version: str  # the documents' version; a translation's names its own hash too
    school_year: str
    stand: str
    files: dict[str, int] = field(default_factory=dict)  # file name -> size in bytes
    draft: bool = False  # built with --draft: a build without it makes the documents again
    pdfs: dict[str, list[str]] = field(default_factory=dict)  # PDF -> [print page hash, file hash]

    def earlier_pdf(self, folder: Path, name: str, page: str) -> bytes | None:
        """The PDF `name` in `folder` as this entry made it from the print page hashed `page`,
        or None (another page, or the file is gone or not what was written)."""
        made = self.pdfs.get(name)
        if made is None or made[0] != page:
            return None
        try:
            data = (folder / name).read_bytes()
        except OSError:
            return None
        return data if sha256(data) == made[1] else None


@dataclass
class SchoolEntry:
    """One school, as last built: what it was made from and what was made."""

    shared: str
    inputs: dict[str, str]  # path below the project -> file hash
    languages: dict[str, LanguageEntry] = field(default_factory=dict)
    findings: dict[str, int] = field(default_factory=dict)  # errors / warnings of the check
    listing: dict[str, Any] = field(default_factory=dict)  # what the site index shows of it

    def to_json(self) -> str:
        data = {"format": FORMAT, "shared": self.shared, "inputs": self.inputs,
                "findings": self.findings, "listing": self.listing,
                "languages": {lang: vars(entry) for lang, entry in sorted(self.languages.items())}}
        return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"

    @classmethod
    def read(cls, path: Path) -> SchoolEntry | None:
        """The manifest at `path`, or None when there is none or it cannot be read."""
        try:
            data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != FORMAT:
                return None
            return cls(shared=data["shared"], inputs=data["inputs"], findings=data["findings"],
                       listing=data["listing"], languages={lang: LanguageEntry(**entry)
                                  for lang, entry in data["languages"].items()})
        except (OSError, ValueError, KeyError, TypeError):
            return None


def language_unchanged(entry: LanguageEntry, folder: Path, catalog: str,
                       formats: Iterable[str]) -> bool:
    """A language needs no work: same catalog, the formats asked for were built, and every file
    it wrote is still there at its size (a deleted or truncated file is made again)."""
    if entry.catalog != catalog or not set(formats) <= set(entry.formats):
        return False
    for name, size in entry.files.items():
        try:
            if os.stat(folder / name).st_size != size:
                return False
        except OSError:
            return False
    return True
