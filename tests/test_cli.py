"""The command line through the real entry point: help, exit codes, messages, atomic output."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from .conftest import ROOT, run_cli
from .test_model import VALID as VALID_TH

# A school without findings: Niedersachsen's law covers platforms; the processor named in full
VALID = VALID_TH.replace("state: TH", "state: NI").replace(
    "    hosting: on_premises", "    hosting: on_premises\n    processor:\n      name: IServ GmbH\n"
    "      street: Musterweg 1\n      postcode: \"38100\"\n      city: Braunschweig")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project with one small school, to break in different ways."""
    for part in ("catalog", "templates", "locales"):
        shutil.copytree(ROOT / part, tmp_path / part)
    shutil.copy(ROOT / "build.py", tmp_path / "build.py")
    (tmp_path / "src").symlink_to(ROOT / "src")
    (tmp_path / "schools").mkdir()
    (tmp_path / "schools" / "gs-park.yaml").write_text(VALID, encoding="utf-8")
    return tmp_path


def run(project: Path, *args: str):  # type: ignore[no-untyped-def]
    import subprocess
    import sys

    return subprocess.run([sys.executable, "build.py", *args], cwd=project, capture_output=True,
                          text=True, timeout=300, check=False)


@pytest.mark.parametrize("args", [["--help"], ["build", "--help"], ["check", "--help"]])
def test_help(args: list[str]) -> None:
    result = run_cli(*args)
    assert result.returncode == 0
    assert result.stdout.startswith("Usage: python build.py")
    assert "--school ID" in result.stdout or args == ["--help"]


def test_version() -> None:
    result = run_cli("--version")
    assert result.returncode == 0
    assert "version" in result.stdout


def test_build_writes_contract_paths(project: Path) -> None:
    result = run(project)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "  gs-park: de: 9 files",
        result.stdout.splitlines()[-1],
    ]
    assert re.fullmatch(r"Built 1 school \(1 language, 9 files, 9 changed\); 0 languages unchanged, "
                        r"0 failed; output/ in \d+\.\d s\.", result.stdout.splitlines()[-1])
    for name in ("notice.html", "notice.pdf", "consent.html", "consent.pdf", "withdrawal.html",
                 "withdrawal.pdf", "notice.fragment.html", "notice.json"):
        assert (project / "output" / "gs-park" / "de" / name).is_file()
    assert (project / "output" / "gs-park" / "index.html").is_file()
    assert (project / "output" / "index.html").is_file()
    again = run(project, "build")
    assert re.fullmatch(r"Nothing to build; 1 language unchanged, 0 failed; output/ in \d+\.\d s\.\n",
                        again.stdout)


def test_misspelled_key_gives_one_line(project: Path) -> None:
    school = project / "schools" / "gs-park.yaml"
    school.write_text(VALID.replace("  city: Erfurt", "  ctiy: Erfurt"), encoding="utf-8")
    result = run(project)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "schools/gs-park.yaml:1:1: error: school: missing required key 'city'",
        "schools/gs-park.yaml:5:3: error: school.ctiy: unknown key (did you mean 'city'?)",
        "2 problems found; no files were written.",
    ]
    assert "Traceback" not in result.stderr


def test_errors_of_all_schools_together_and_old_output_kept(project: Path) -> None:
    assert run(project).returncode == 0
    notice = project / "output" / "gs-park" / "de" / "notice.pdf"
    before = notice.read_bytes()
    (project / "schools" / "gs-park.yaml").write_text(VALID.replace("NI", "XX"), encoding="utf-8")
    (project / "schools" / "other.yaml").write_text("school: [\n", encoding="utf-8")
    result = run(project)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "schools/gs-park.yaml:7:8: error: state: unknown Land 'XX' (known: BB, BE, BW, BY, HB, HE, "
        "HH, MV, NI, NW, RP, SH, SL, SN, ST, TH)",
        "schools/other.yaml:2:1: error: the file ends in the middle of a value: close the open '[', "
        "'{' or quote",
        "2 problems found; no files were written.",
    ]
    assert notice.read_bytes() == before


@pytest.mark.parametrize(("args", "message"), [
    (["--school", "nope"], "Invalid value for '--school': no school file schools/nope.yaml (known: gs-park)"),
    (["--school", "../etc"], "Invalid value for '--school': '../etc' is not a school id (lowercase "
                             "letters, digits, '-')"),
    (["--frobnicate"], "No such option '--frobnicate'. (Did you mean one of: '--force', "
                       "'--format', '--strict'?)"),
    (["check", "--out", "x"], "No such option '--out'."),
])
def test_usage_errors_exit_2(project: Path, args: list[str], message: str) -> None:
    result = run(project, *args)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == f"Error: {message}"


def test_school_and_out_options(project: Path) -> None:
    shutil.copy(project / "schools" / "gs-park.yaml", project / "schools" / "gs-zwei.yaml")
    result = run(project, "--school", "gs-zwei", "--out", "elsewhere")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (project / "elsewhere").iterdir()) == ["_static", "gs-zwei", "index.html"]


def test_strict_refuses_placeholders(project: Path) -> None:
    school = project / "schools" / "gs-park.yaml"
    school.write_text(VALID.replace("Stadt Erfurt", '"TODO: Schulträger"'), encoding="utf-8")
    assert run(project).returncode == 0
    result = run(project, "--strict")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "schools/gs-park.yaml:11:9: warning: Placeholder still to fill in: Schulträger [placeholder]",
        "1 problem found; no files were written.",
    ]


def test_check_lists_placeholders(project: Path) -> None:
    school = project / "schools" / "gs-park.yaml"
    school.write_text(VALID.replace("Stadt Erfurt", '"TODO: Schulträger"'), encoding="utf-8")
    result = run(project, "check")
    assert result.returncode == 0
    assert result.stdout.splitlines() == [
        "schools/gs-park.yaml:11:9: warning: Placeholder still to fill in: Schulträger [placeholder]",
        "    what to do: Replace the 'TODO' text with the real value.",
        "Checked 1 school: 1 warning.",
    ]
