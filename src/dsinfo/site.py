"""The index stage: the pages that list what was built (one per school, one for the site),
and the fonts every web page shares. Written after the documents they link to."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import archive, manifest
from .compose import Notice
from .documents import STATIC, Press
from .write import safe_path, write_atomic


@dataclass(frozen=True)
class Listing:
    """A school as the site index shows it."""

    id: str
    name: str
    city: str
    state: str
    platforms: str
    stand: dt.date
    school_year: str
    languages: tuple[str, ...]

    @classmethod
    def of(cls, notice: Notice) -> Listing:
        s = notice.school
        return cls(id=notice.id, name=s.school.name, city=s.school.city, state=notice.state.name,
                   platforms=notice.activity_names, stand=s.stand, school_year=s.school_year,
                   languages=tuple(s.languages))

    @classmethod
    def read(cls, school_id: str, data: dict[str, Any]) -> Listing:
        return cls(**{**data, "id": school_id, "stand": dt.date.fromisoformat(data["stand"]),
                      "languages": tuple(data["languages"])})

    def to_data(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        del data["id"]
        return {**data, "stand": self.stand.isoformat(), "languages": list(self.languages)}


def write_static(out: Path, static: Path) -> None:
    """output/_static/: the fonts web pages load (fonts.css, the WOFF2 files, the licence)."""
    for source in [static / "fonts.css", *sorted((static / "fonts").iterdir())]:
        parts = source.relative_to(static).parts
        write_atomic(safe_path(out, STATIC, *parts), source.read_bytes())


def school_index(press: Press, out: Path, notice: Notice) -> str:
    """The school's index page: its languages and documents, and every archived version."""
    versions = archive.by_stand(archive.versions(out, notice.id), notice.school.languages)
    files = {lang: set(os.listdir(out / notice.id / lang)) for lang in notice.school.languages
             if (out / notice.id / lang).is_dir()}  # link only what was built
    return press.renderer("de").page("school.html", notice, "web", static="../" + STATIC + "/",
                                     versions=versions, files=files, draft=press.draft)


def write_school_index(press: Press, out: Path, notice: Notice) -> tuple[Path, bool]:
    """The school's index page, last: once it is there, so is everything it links to."""
    path = safe_path(out, notice.id, "index.html")
    return path, write_atomic(path, school_index(press, out, notice))


def write_site_index(press: Press, out: Path, built: Iterable[Notice] = ()) -> None:
    """output/index.html lists every school that has output: those built now and those
    whose manifest is there from before (read from the manifest, not parsed again)."""
    listings = {n.id: Listing.of(n) for n in built}
    for path in out.glob(f"*/{manifest.NAME}"):
        entry = manifest.SchoolEntry.read(path)
        if entry and entry.listing and path.parent.name not in listings:
            listings[path.parent.name] = Listing.read(path.parent.name, entry.listing)
    html = press.renderer("de").page("index.html", None, "web", static=STATIC + "/",
                                     schools=[listings[k] for k in sorted(listings)], draft=press.draft)
    write_atomic(safe_path(out, "index.html"), html)
