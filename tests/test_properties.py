"""Property tests: any valid school file builds; any broken one gives a clean, positioned error.

Examples are derandomized (the same every run) and bounded so the suite stays fast; search
longer locally with a multiplier: `DSINFO_EXAMPLES=10 pytest tests/test_properties.py`.
"""

from __future__ import annotations

import copy
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from markupsafe import escape
from pypdf import PdfReader

from dsinfo.catalog import Catalog, load_catalog
from dsinfo.compose import Notice
from dsinfo.documents import Press, documents_of
from dsinfo.errors import InputError
from dsinfo.load import read_yaml
from dsinfo.model import is_placeholder
from dsinfo.pipeline import load_school
from dsinfo.project import Project

from .project import ROOT, SHIPPED, VALID
from .school_data import dump, school_data
from .test_bad_inputs import CORPUS

SCALE = int(os.environ.get("DSINFO_EXAMPLES", "0")) or 1

pytestmark = pytest.mark.slow


def bounded(examples: int) -> settings:
    return settings(max_examples=examples * SCALE, derandomize=True, database=None, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


CATALOG = load_catalog(ROOT / "catalog")
SEEDS = [VALID, *((ROOT / "schools" / f"{sid}.yaml").read_text(encoding="utf-8") for sid in SHIPPED),
         (CORPUS / "yaml-colon-in-value.yaml").read_text(encoding="utf-8").replace(
             "Grundschule: am Park", "Grundschule am Park")]


def _data(text: str) -> Any:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "seed.yaml"
        path.write_text(text, encoding="utf-8")
        return read_yaml(path).data


SEED_DATA = [_data(text) for text in SEEDS]


class Site:
    """Writes school files into one folder and builds their HTML pages as the build does."""

    def __init__(self, folder: Path, catalog: Catalog) -> None:
        self.folder = folder
        self.catalog = catalog
        self.press = Press(Project(ROOT), formats=("html",))
        self.count = 0

    def path(self) -> Path:
        self.count += 1
        return self.folder / f"school-{self.count}.yaml"

    def compose(self, text: str | bytes) -> Notice:
        path = self.path()
        if isinstance(text, str):
            text = text.encode("utf-8", errors="surrogatepass")
        path.write_bytes(text)
        return load_school(path, self.catalog)

    def pages(self, notice: Notice) -> list[str]:
        """The web pages of the school (as a build makes them) and the print HTML."""
        pages = []
        for lang in notice.school.languages:
            rendered = self.press.language(notice, lang)
            pages += [str(data) for name, data in rendered.files.items() if name.endswith(".html")]
            pages += list(self.press.print_pages(notice, lang).values())
        return pages


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    folder = tmp_path_factory.mktemp("schools")
    shutil.copytree(ROOT / "schools" / "logos", folder / "logos")  # the seeds' logo
    return Site(folder, CATALOG)


# ---------------------------------------------------------------------------- valid files


@bounded(100)
@given(data=school_data(CATALOG))
def test_valid_school_builds(site: Site, data: dict[str, Any]) -> None:
    notice = site.compose(dump(data))
    name = data["school"]["name"]
    for html in site.pages(notice):
        assert is_placeholder(name) or str(escape(name)) in html


@bounded(3)
@given(data=school_data(CATALOG))
def test_valid_school_builds_pdf(site: Site, data: dict[str, Any]) -> None:
    notice = site.compose(dump(data))
    press = Press(Project(ROOT))
    for spec in documents_of(notice):
        path = site.path().with_suffix(".pdf")
        path.write_bytes(press.document_pdf(notice, notice.school.languages[-1], spec.id))
        assert len(PdfReader(path).pages) >= 1


# ---------------------------------------------------------------------------- broken files


def clean_outcome(site: Site, text: str | bytes) -> None:
    """A valid build, or an InputError whose every problem is one positioned line."""
    try:
        notice = site.compose(text)
    except InputError as exc:
        problems = exc.problems
        event("refused")
    else:
        site.pages(notice)
        event("built")
        return
    assert problems
    for problem in problems:
        assert problem.path.parent == site.folder
        assert problem.line >= 1, problem
        assert problem.column >= 1, problem
        assert "\n" not in str(problem), problem
        assert "\r" not in str(problem), problem
        assert str(problem.message).strip() == str(problem.message) != ""


SNIPPETS = [":", ": ", "- ", "-", "[", "]", "{", "}", "\"", "'", "\t", "&a ", "*a", "!!int ",
            "!foo ", "%", "@", "`", "#", "|", ">", "\n", "\n  ", "  ", "---\n", "? ", ",", "\\",
            "\x00", "\x07", "\ufeff", "\u2028", "\x85", "ä", "<script>", "TODO", "..", "~",
            "null", "yes", "NO", "01067", "8:30", "1e3", "2025-02-30", "\r\n", "\r", "🙂"]
snippet = st.one_of(st.sampled_from(SNIPPETS), st.text(max_size=8))


@st.composite
def text_mutation(draw: st.DrawFn) -> str | bytes:
    """A seed school file with one to three edits of the kind a hand or an editor makes."""
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 3))):
        lines = text.split("\n")
        at = draw(st.integers(0, len(text)))
        line = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["insert", "delete", "duplicate line", "indent", "dedent",
                                   "replace value", "truncate", "swap lines"]))
        if op == "insert":
            text = text[:at] + draw(snippet) + text[at:]
        elif op == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 20)):]
        elif op == "duplicate line":
            text = "\n".join([*lines[: line + 1], lines[line], *lines[line + 1:]])
        elif op in ("indent", "dedent"):
            lines[line] = ("  " + lines[line]) if op == "indent" else lines[line][2:]
            text = "\n".join(lines)
        elif op == "replace value" and ": " in lines[line]:
            lines[line] = lines[line].split(": ", 1)[0] + ": " + draw(snippet)
            text = "\n".join(lines)
        elif op == "truncate":
            text = text[:at]
        elif op == "swap lines":
            other = draw(st.integers(0, len(lines) - 1))
            lines[line], lines[other] = lines[other], lines[line]
            text = "\n".join(lines)
    if draw(st.booleans()) and draw(st.booleans()):
        return text.encode("utf-8", errors="surrogatepass")[: draw(st.integers(0, 4000))]
    return text


@bounded(300)
@given(text=text_mutation())
def test_edited_file_builds_or_fails_cleanly(site: Site, text: str | bytes) -> None:
    clean_outcome(site, text)


# A value of any shape a YAML file can hold
values = st.recursive(
    st.one_of(st.none(), st.text(max_size=12), st.sampled_from(
        ["", "de", "en", "fr", "TH", "NO", "iserv", "files", "cloud", "retention", "2025-08-01",
         "2025/26", "99084", "a@b.de", "https://x.de", "TODO: x", "yes", "1"])),
    lambda children: st.one_of(st.lists(children, max_size=3),
                               st.dictionaries(st.text(max_size=10), children, max_size=3)),
    max_leaves=8)


def _paths(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _paths(value, (*path, index))


def _parent(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path[:-1]:
        data = data[part]
    return data


@st.composite
def data_mutation(draw: st.DrawFn) -> str:
    """A seed school's data with one to three changes of keys, values, types or structure."""
    data: Any = copy.deepcopy(draw(st.sampled_from(SEED_DATA)))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(list(_paths(data))))
        op = draw(st.sampled_from(["delete", "rename", "replace", "wrap", "duplicate", "empty"]))
        if not path:
            data = draw(values) if op == "replace" else data
            continue
        parent, key = _parent(data, path), path[-1]
        if op == "delete":
            del parent[key]
        elif op == "rename" and isinstance(parent, dict):
            new = draw(st.one_of(st.text(max_size=12), st.just(str(key).upper()),
                                 st.just(str(key)[::-1]), st.just(str(key) + "s")))
            parent[new] = parent.pop(key)
        elif op == "replace":
            parent[key] = draw(values)
        elif op == "wrap":
            parent[key] = [parent[key]]
        elif op == "duplicate" and isinstance(parent[key], list) and parent[key]:
            parent[key].append(parent[key][0])
        elif op == "empty":
            parent[key] = type(parent[key])() if isinstance(parent[key], (list, dict)) else None
    return dump(data)


@bounded(300)
@given(text=data_mutation())
def test_changed_data_builds_or_fails_cleanly(site: Site, text: str) -> None:
    clean_outcome(site, text)
