"""Test projects: the one way the tests make a project folder and run the command line in it.

A project is a folder with `schools/`; templates, catalog and translations come with the tool
(a test that changes one puts its own copy into the project's `templates/` or `catalog/`,
where it takes the place of the shipped file). The tests never build what a user keeps in the
repository's `schools/`: the examples are copied by name.
"""

from __future__ import annotations

import contextlib
import functools
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from dsinfo.catalog import Catalog, load_catalog
from dsinfo.cli import main
from dsinfo.compose import Notice, compose
from dsinfo.documents import Press
from dsinfo.load import read_yaml
from dsinfo.project import Project, shipped

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
SHIPPED = ("bbs-musterhafen", "beispiel-gymnasium-musterstadt", "ev-grundschule-beispielhausen",
           "gesamtschule-am-fluss", "loewentor-bleicherode")  # every example in schools/
EXAMPLES = SHIPPED  # built once per session (the `built` fixture) and kept as goldens
# what a school gets without a `documents:` list: (id, kind)
DEFAULT_DOCUMENTS = (("notice", "notice"), ("consent", "consent"), ("withdrawal", "withdrawal"))


@functools.cache
def _school(sid: str) -> dict[str, Any]:
    import yaml

    data: dict[str, Any] = yaml.safe_load((ROOT / "schools" / f"{sid}.yaml").read_text(encoding="utf-8"))
    return data


def _languages(sid: str) -> list[str]:
    return list(_school(sid)["languages"])


def documents(sid: str) -> list[tuple[str, str]]:
    """(id, kind) of every document an example publishes."""
    listed = _school(sid).get("documents")
    return [(d["id"], d["kind"]) for d in listed] if listed else list(DEFAULT_DOCUMENTS)


# (school, language) for every language each built example publishes
EXAMPLE_LANGUAGES = [(sid, lang) for sid in EXAMPLES for lang in _languages(sid)]
# (school, language, document id, kind) for every document of every example
# (Leichte Sprache is made in German only)
EXAMPLE_DOCUMENTS = [(sid, lang, doc, kind) for sid, lang in EXAMPLE_LANGUAGES
                     for doc, kind in documents(sid) if lang == "de" or kind != "easy_notice"]

# A small valid school in Thüringen (IServ on the school's own server, the files module).
VALID = """\
school:
  name: Grundschule am Park
  street: Parkweg 1
  postcode: "99084"
  city: Erfurt
  email: sekretariat@gs-park.example
state: TH
school_year: "2025/26"
stand: 2025-08-01
school_authority:
  name: Stadt Erfurt
dpo:
  email: dsb@gs-park.example
platforms:
  iserv:
    hosting: on_premises
    modules: [files]
"""


def make_project(root: Path, schools: dict[str, str] | None = None, *,
                 examples: bool = False) -> Path:
    """A project in `root` with the given school files (id -> text), and with `examples` the
    shipped example schools and their logo."""
    (root / "schools").mkdir(parents=True, exist_ok=True)
    if examples:
        for sid in EXAMPLES:
            shutil.copy(ROOT / "schools" / f"{sid}.yaml", root / "schools" / f"{sid}.yaml")
        shutil.copytree(ROOT / "schools" / "logos", root / "schools" / "logos", dirs_exist_ok=True)
    for sid, text in (schools or {}).items():
        (root / "schools" / f"{sid}.yaml").write_text(text, encoding="utf-8")
    return root


def own_copy(project: Path, part: str, relative: str) -> Path:
    """A project's own copy of a shipped file (templates/... or catalog/...), to change."""
    target = project / part / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(shipped(part) / relative, target)
    return target


@dataclass(frozen=True)
class Ran:
    code: int
    stdout: str
    stderr: str

    @property
    def returncode(self) -> int:  # as a finished process has
        return self.code


def run(project: Path, *args: str, input: str | None = None) -> Ran:
    """The command line (`python build.py ARGS` in `project`), run in this process."""
    runner = CliRunner()
    with contextlib.chdir(project), runner.isolation(input=input) as (out, err, _):
        code = main(list(args), root=project)
    return Ran(code, out.getvalue().decode("utf-8"), err.getvalue().decode("utf-8"))


def run_process(project: Path, *args: str, input: str | None = None,
                timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """The command line as its own process, for what needs one (workers, signals, a terminal
    read line by line)."""
    return subprocess.run([sys.executable, str(ROOT / "build.py"), "--project", str(project), *args],
                          cwd=project, input=input, capture_output=True, text=True,
                          timeout=timeout, check=False)


def catalog() -> Catalog:
    return load_catalog(shipped("catalog"))


def german_pages(folder: Path, text: str) -> dict[str, str]:
    """The German web pages of a school file (its text, saved as gs-park.yaml in `folder`), by
    document id, without the headings' soft hyphens: what a reader of the page sees."""
    path = folder / "gs-park.yaml"
    path.write_text(text, encoding="utf-8")
    notice = compose(read_yaml(path), catalog())
    pages = Press(Project(ROOT), formats=("html",)).web(notice, "de")[0]
    return {doc: html.replace("&shy;", "") for doc, html in pages.items()}


def notice_of(folder: Path, catalog: Catalog, text: str, name: str = "gs-park") -> Notice:
    """A school file written to `folder`/schools/ and composed."""
    path = folder / "schools" / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return compose(read_yaml(path), catalog)


def press(project: Path | None = None, **options: object) -> Press:
    return Press(Project(project or ROOT), **options)  # type: ignore[arg-type]


def copy_repository(dest: Path, schools: dict[str, str]) -> Path:
    """A copy of the repository's sources (code, templates, catalog, translations) with the
    given schools: for what changes the shipped parts themselves, as a translator or catalog
    editor does in a checkout. Run it with `run_copy`."""
    for part in ("catalog", "templates", "locales"):
        shutil.copytree(ROOT / part, dest / part)
    for name in ("build.py", "pyproject.toml"):
        shutil.copy(ROOT / name, dest / name)
    # a copy, not a link: pybabel extract does not follow links into src/
    shutil.copytree(ROOT / "src", dest / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    return make_project(dest, schools)


def run_copy(copy: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`python build.py ARGS` of a copy of the repository (copy_repository), in it."""
    return subprocess.run([sys.executable, "build.py", *args], cwd=copy, capture_output=True,
                          text=True, timeout=600, check=False)


@functools.cache
def example_project() -> Path:
    """One project with the shipped examples, for tests that only read them (made once)."""
    return make_project(Path(tempfile.mkdtemp(prefix="dsinfo-examples-")), examples=True)
