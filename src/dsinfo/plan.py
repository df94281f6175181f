"""The plan stage: which schools changed since the last build, and which part of the
schools this build takes (--shard).

A school is unchanged when its manifest (output/<id>/manifest.json) still matches: the same
tool, templates and fonts, the same school file, catalog entries, logo and own templates, the
same translation catalogs, the formats asked for, and every file it wrote still there. Finding
out needs no YAML parsing and no WeasyPrint.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from . import i18n, manifest
from .compose import Notice
from .manifest import Hashes, SchoolEntry
from .project import Project


@dataclass(frozen=True)
class Shard:
    """Part `index` (1-based) of `count`: a stable partition of the schools by their id."""

    index: int
    count: int

    def __contains__(self, school_id: str) -> bool:
        digest = int(hashlib.sha256(school_id.encode()).hexdigest()[:16], 16)
        return digest % self.count == self.index - 1


@dataclass
class Plan:
    """What a build has to do."""

    shared: str  # hash of what every school depends on (tool, templates, fonts)
    changed: list[Path] = field(default_factory=list)  # school files to build
    unchanged: dict[str, SchoolEntry] = field(default_factory=dict)  # by school id


def plan(project: Project, out: Path, hashes: Hashes, *, ids: Iterable[str] = (),
         shard: Shard | None = None, formats: Iterable[str], draft: bool = False,
         force: bool = False) -> Plan:
    """Which of the selected schools must be built, which are unchanged."""
    result = Plan(shared=shared_inputs(project, hashes))
    formats = sorted(formats)
    for path in project.school_files(ids):
        if shard is not None and path.stem not in shard:
            continue
        entry = None if force else _unchanged(project, out, path, result.shared, formats, draft, hashes)
        if entry is None:
            result.changed.append(path)
        else:
            result.unchanged[path.stem] = entry
    return result


def shared_inputs(project: Project, hashes: Hashes) -> str:
    return manifest.shared_inputs(hashes, project.templates, project.school_templates)


def _unchanged(project: Project, out: Path, path: Path, shared: str, formats: list[str],
               draft: bool, hashes: Hashes) -> SchoolEntry | None:
    entry = SchoolEntry.read(out / path.stem / manifest.NAME)
    if entry is None or entry.shared != shared or any(
            input_hash(project, name, hashes) != digest for name, digest in entry.inputs.items()):
        return None
    folder = out / path.stem
    if not (folder / "index.html").is_file() or not all(
            lang_entry.draft == draft and manifest.language_unchanged(
                lang_entry, folder / lang, catalog_hash(project, lang, hashes), formats)
            for lang, lang_entry in entry.languages.items()):
        return None
    return entry


def catalog_hash(project: Project, lang: str, hashes: Hashes) -> str:
    """The hash of a language's translation catalog ('' for German, the source)."""
    return "" if lang == i18n.SOURCE else hashes.file(i18n.po_path(project.locales, lang))


def school_inputs(project: Project, notice: Notice, hashes: Hashes) -> dict[str, str]:
    """The files a school's documents are made from, beside the templates, by the names the
    manifest gives them: its school file, its Land, its platforms, its library consents (a
    catalog entry by its name: the project's own file or the shipped one), its logo and its
    own templates."""
    names = [str(notice.path.relative_to(project.root)), f"catalog/states/{notice.state.code.lower()}.yaml"]
    names += [f"catalog/platforms/{v.id}.yaml" for v in notice.platforms]
    names += [f"catalog/consents/{c.id}.yaml" for c in notice.school.consents
              if project.catalog_file(f"consents/{c.id}.yaml").is_file()]
    publish = notice.school.publish
    if publish and publish.logo:
        names.append(f"schools/{publish.logo}")
    names.append(f"{project.school_templates.relative_to(project.root)}/{notice.id}/")  # even while absent
    return {name: input_hash(project, name, hashes) for name in names}


def input_hash(project: Project, name: str, hashes: Hashes) -> str:
    """The hash of an input as the manifest names it: a file below the project, a catalog
    entry, or a folder (its name ends in '/')."""
    if name.startswith("catalog/"):
        return hashes.file(project.catalog_file(name.removeprefix("catalog/")))
    path = project.root / name
    return hashes.folder(path) if name.endswith("/") else hashes.file(path)
