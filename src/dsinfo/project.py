"""Where a project keeps its parts, and where the tool keeps what it ships.

A project is a folder with `schools/` (one YAML file per school). The templates, the catalog
and the translations come with the tool (package data in an installed wheel, the top-level
folders in a checkout of the repository); a project may add its own `templates/` and
`catalog/` folders, whose files take the place of shipped files of the same name, as MkDocs'
`custom_dir` does.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .errors import DsinfoError

_PACKAGE = Path(__file__).resolve().parent
ENVIRONMENT = "DSINFO_PROJECT"


def shipped(part: str) -> Path:
    """A folder the tool ships (templates, catalog, locales): inside the installed package,
    or at the top of the repository checkout the package runs from."""
    inside = _PACKAGE / part
    return inside if inside.is_dir() else _PACKAGE.parent.parent / part


@dataclass(frozen=True)
class Project:
    """A project folder; every path derives from its root."""

    root: Path

    @property
    def schools(self) -> Path:
        return self.root / "schools"

    @property
    def own_templates(self) -> Path | None:
        """The project's own templates, if it has any besides the shipped ones."""
        return _own(self.root / "templates", shipped("templates"))

    @property
    def own_catalog(self) -> Path | None:
        return _own(self.root / "catalog", shipped("catalog"))

    @property
    def templates(self) -> tuple[Path, ...]:
        """Template folders, the project's own first (they take the place of shipped ones)."""
        own = self.own_templates
        return (own, shipped("templates")) if own else (shipped("templates"),)

    @property
    def catalogs(self) -> tuple[Path, ...]:
        own = self.own_catalog
        return (shipped("catalog"), own) if own else (shipped("catalog"),)

    def catalog_file(self, relative: str) -> Path:
        """The catalog file a build reads for `states/th.yaml` ...: the project's own, if it
        has one, else the shipped one."""
        own = self.own_catalog
        if own is not None and (own / relative).is_file():
            return own / relative
        return shipped("catalog") / relative

    @property
    def school_templates(self) -> Path:
        """templates/schools/<id>/: a school's own templates (inside the project's templates)."""
        return self.root / "templates" / "schools"

    @property
    def static(self) -> Path:
        return shipped("templates") / "static"

    @property
    def locales(self) -> Path:
        return shipped("locales")

    @property
    def output(self) -> Path:
        return self.root / "output"

    def publishes(self, path: Path) -> bool:
        """Whether `path` is inside output/, the folder that goes onto the website."""
        return path.resolve().is_relative_to(self.output.resolve())

    def school_files(self, ids: Iterable[str] = ()) -> list[Path]:
        wanted = list(ids)
        if wanted:
            return [self.schools / f"{sid}.yaml" for sid in wanted]
        return sorted(self.schools.glob("*.yaml"))


def _own(folder: Path, shipped_folder: Path) -> Path | None:
    if not folder.is_dir() or folder.resolve() == shipped_folder.resolve():
        return None
    return folder


class NoProject(DsinfoError):
    """The folder is not a dsinfo project."""


def find_project(given: Path | None, cwd: Path | None = None) -> Project:
    """The project named by --project, by DSINFO_PROJECT, or the current folder."""
    where = given or (Path(os.environ[ENVIRONMENT]) if os.environ.get(ENVIRONMENT) else None)
    root = (where or cwd or Path.cwd()).resolve()
    if not (root / "schools").is_dir():
        raise NoProject(str(root))
    return Project(root)
