"""Shared fixtures: a built copy of the examples, PDF text, golden files (test projects and the
command line: tests/project.py)."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from filelock import FileLock
from pypdf import PdfReader

from dsinfo import i18n

from .project import FIXTURES, ROOT, make_project, run_process

GOLDEN = Path(__file__).parent / "golden"
LANGUAGES = list(i18n.LANGUAGES)
__all__ = ["FIXTURES", "GOLDEN", "LANGUAGES", "ROOT"]


# The tests read the tool's messages in English, the language they are written in (whatever
# the machine's locale); tests/test_messages.py reads them in German, the default, and checks
# the German catalog. Worker and CLI processes the tests start inherit this.
os.environ["DSINFO_LANG"] = "en"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="Rewrite tests/golden/ from the current output instead of comparing.")


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


# The example schools, built once for the whole session through the real entry point: with
# their PDFs (`built`, about 45 s of processor time, so the tests that read it are slow) and as
# web pages only (`web_built`, about 5 s: every document's HTML, fragment and JSON, the same
# bytes as in the full build).
SHARED_BUILDS = {"examples": (), "examples-web": ("--format", "html")}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if {"built", "build_run"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)  # it waits for the examples' PDFs


@pytest.fixture(scope="session")
def build_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    return _shared_build(tmp_path_factory, "examples")


@pytest.fixture(scope="session")
def built(build_run: tuple[Path, subprocess.CompletedProcess[str]]) -> Path:
    return build_run[0]


@pytest.fixture(scope="session")
def web_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _shared_build(tmp_path_factory, "examples-web")[0]


def _shared_build(tmp_path_factory: pytest.TempPathFactory,
                  name: str) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """With pytest-xdist (`-n 2`) the first worker builds and the others wait for it and read
    the same folder, as pytest-xdist's documentation shows for session fixtures."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        return _build_examples(tmp_path_factory.mktemp(name), SHARED_BUILDS[name])
    shared = tmp_path_factory.getbasetemp().parent  # the same folder for every worker of a run
    with FileLock(shared / f"{name}.lock"):
        if not (shared / name / "run.json").is_file():
            _build_examples(shared / name, SHARED_BUILDS[name])
    ran = json.loads((shared / name / "run.json").read_text("utf-8"))
    result = subprocess.CompletedProcess(ran["args"], 0, ran["stdout"], ran["stderr"])
    return shared / name / "output", result


def _build_examples(folder: Path, args: tuple[str, ...]) -> tuple[Path, subprocess.CompletedProcess[str]]:
    project = make_project(folder, examples=True)
    result = run_process(project, *args)
    assert result.returncode == 0, result.stderr
    ran = {"args": result.args, "stdout": result.stdout, "stderr": result.stderr}
    (project / "run.json").write_text(json.dumps(ran), "utf-8")  # written last: the build is whole
    return project / "output", result


def pdf_pages(path: Path) -> list[str]:
    """Text of each page, hyphenation joined and whitespace collapsed per line."""
    pages = []
    for page in PdfReader(path).pages:
        text = page.extract_text() or ""
        text = re.sub("\u2010\\s*\\n\\s*", "", text)  # WeasyPrint hyphenates with U+2010
        lines = [" ".join(line.split()) for line in text.splitlines()]
        pages.append("\n".join(line for line in lines if line))
    return pages


def pdf_text(path: Path) -> str:
    """All text of a PDF as one line, for "does it say X" checks."""
    return " ".join(" ".join(pdf_pages(path)).split())


def normalize_html(html: str) -> str:
    """HTML with the inline stylesheet and embedded images shortened, one block element per line."""
    html = re.sub(r"<style>.*?</style>", "<style>…</style>", html, flags=re.S)
    html = re.sub(r'src="data:([^;,"]+)[^"]*"', r'src="data:\1…"', html)  # logo, QR code
    html = " ".join(html.split())
    html = re.sub(r"\s*(<(?:/?(?:html|head|body|header|main|section|footer|nav|ul|ol|table|thead"
                  r"|tbody|div|dl)|li|p|h[1-6]|tr|dt|dd|meta|title|link|!DOCTYPE)\b)", r"\n\1", html)
    return html.strip() + "\n"


def check_golden(name: str, actual: str, update: bool) -> None:
    """Compare with tests/golden/NAME, or rewrite it when --update-golden is given."""
    path = GOLDEN / name
    if update:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    assert path.is_file(), f"no golden file {path}: run pytest --update-golden once and review it"
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"{name} differs from the golden file (review, then --update-golden)"
