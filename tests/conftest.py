"""Shared fixtures: the project, a built copy of the examples, PDF text, and the CLI."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "golden"
FIXTURES = Path(__file__).parent / "fixtures"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="Rewrite tests/golden/ from the current output instead of comparing.")


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """Run `python build.py ARGS` in the project `cwd` as a user would, capturing output."""
    return subprocess.run([sys.executable, "build.py", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=600, check=False)


LANGUAGES = ["de", "en", "tr", "ar", "uk", "ru"]


def make_project(root: Path) -> Path:
    """An empty project in `root`: the real catalog, templates and code, an empty schools/.

    The shared parts are symlinked (nothing writes to them); build.py is copied because it
    finds its project from its own resolved location."""
    for part in ("catalog", "templates", "locales", "src"):
        (root / part).symlink_to(ROOT / part)
    shutil.copy(ROOT / "build.py", root / "build.py")
    (root / "schools").mkdir()
    return root


# The example schools this repository ships. Tests use them (or their own fixtures), never
# whatever else a user keeps in schools/ (README: "Add your own school").
EXAMPLES = ["beispiel-gymnasium-musterstadt", "loewentor-bleicherode"]


def example_schools() -> list[Path]:
    return [ROOT / "schools" / f"{sid}.yaml" for sid in EXAMPLES]


def example_project(root: Path, *, copy: bool = False) -> Path:
    """A project in `root` with the shipped example schools (and their logos) only; with
    `copy`, catalog, templates and locales are copies that a test may change."""
    root.mkdir(parents=True, exist_ok=True)
    for part in ("catalog", "templates", "locales"):
        if copy:
            shutil.copytree(ROOT / part, root / part)
        else:
            (root / part).symlink_to(ROOT / part)
    (root / "src").symlink_to(ROOT / "src")
    shutil.copy(ROOT / "build.py", root / "build.py")
    (root / "schools").mkdir()
    for path in example_schools():
        shutil.copy(path, root / "schools" / path.name)
    shutil.copytree(ROOT / "schools" / "logos", root / "schools" / "logos")
    return root


def run_in(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `python build.py ARGS` inside another project folder."""
    return subprocess.run([sys.executable, "build.py", *args], cwd=project, capture_output=True,
                          text=True, timeout=600, check=False)


@pytest.fixture(scope="session")
def examples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with the example schools alone, shared by the session (nothing changes it)."""
    return example_project(tmp_path_factory.mktemp("examples"))


@pytest.fixture(scope="session")
def build_run(examples: Path, tmp_path_factory: pytest.TempPathFactory
              ) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """The example schools, built once for the whole session through the real entry point."""
    out = tmp_path_factory.mktemp("output")
    result = run_cli("--out", str(out), cwd=examples)
    assert result.returncode == 0, result.stderr
    return out, result


@pytest.fixture(scope="session")
def built(build_run: tuple[Path, subprocess.CompletedProcess[str]]) -> Path:
    return build_run[0]


def copy_project(dest: Path, schools: dict[str, str]) -> Path:
    """A copy of the project's sources with the given schools."""
    for part in ("catalog", "templates", "locales"):
        shutil.copytree(ROOT / part, dest / part)
    for name in ("build.py", "pyproject.toml"):
        shutil.copy(ROOT / name, dest / name)
    # a copy, not a link: pybabel extract does not follow links into src/
    shutil.copytree(ROOT / "src", dest / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    (dest / "schools").mkdir()
    for sid, text in schools.items():
        (dest / "schools" / f"{sid}.yaml").write_text(text, encoding="utf-8")
    return dest


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
