"""The command line through the real entry point: help, exit codes, messages, atomic output."""

from __future__ import annotations

import errno
import os
import re
import shutil
from pathlib import Path

import pytest

from dsinfo.cli import main

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


# ---------------------------------------------------------------------------- boundaries

REPLACE = os.replace
INTERNAL = ("this is a bug in dsinfo, not a mistake in your files; run the command again with "
            "--debug to see the traceback, and please report it")


def test_a_school_file_that_is_a_link_loop(project: Path) -> None:
    """It gave a RuntimeError while its error was being reported."""
    (project / "schools" / "loop.yaml").symlink_to(project / "schools" / "loop.yaml")
    for args in ([], ["check", "--school", "loop"]):
        result = run(project, *args)
        assert result.returncode == 1
        assert result.stderr.splitlines() == [
            "schools/loop.yaml:1:1: error: cannot read the file: Too many levels of symbolic links",
            "1 problem found; no files were written."]
    assert not (project / "output").exists()


def test_an_unexpected_error_is_one_line(project: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    """The command line's boundary: whatever the exception says (it may hold a roster's
    names), the user sees one line, and the traceback only with --debug."""
    def broken(*args: object) -> None:
        raise RuntimeError("Mustermann, Max, 5a")

    monkeypatch.setattr("dsinfo.cli.load_schools", broken)
    assert main(["check", "--school", "gs-park"], root=project) == 1
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", "error: internal error (RuntimeError) while running "
                                                f"'check' for gs-park: {INTERNAL}\n")
    for args in (["--debug", "check"], ["check", "--debug"]):
        assert main(args, root=project) == 1
        err = capsys.readouterr().err.splitlines()
        assert err[0] == "Traceback (most recent call last):"
        assert err[-2] == "RuntimeError: Mustermann, Max, 5a"
        assert err[-1] == f"error: internal error (RuntimeError) while running 'check': {INTERNAL}"
    assert "DSINFO_DEBUG" not in os.environ  # --debug held for that run only


@pytest.mark.parametrize("debug", [False, True])
def test_an_unexpected_error_in_a_worker_is_one_line(project: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str],
                                                     debug: bool) -> None:
    """The worker's boundary: the school's other languages and schools go on; this one fails
    with one line naming it."""
    def broken(*args: object) -> None:
        raise ValueError("year 10000 is out of range")

    monkeypatch.setattr("dsinfo.builder.Builder.render_language", broken)
    monkeypatch.chdir(project)
    assert main([*(["--debug"] if debug else []), "--format", "html", "--jobs", "1"],
                root=project) == 1
    captured = capsys.readouterr()
    line = ("schools/gs-park.yaml: warning: de: internal error (ValueError) while building gs-park "
            f"(de): {INTERNAL}")
    if debug:
        assert captured.err.startswith(line + "\nTraceback (most recent call last):\n")
        assert "ValueError: year 10000 is out of range" in captured.err
    else:
        assert captured.err == line + "\n"
    assert captured.out.splitlines()[-1].startswith("Built 1 school (0 languages, 0 files, 0 changed); "
                                                    "0 languages unchanged, 1 failed; ")


def test_a_full_disk_is_one_line_and_the_files_stay(project: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """(As root, chmod cannot make a folder read-only: the system's refusal is made here.)"""
    monkeypatch.chdir(project)
    assert main(["--format", "html"], root=project) == 0
    before = {p: p.read_bytes() for p in (project / "output").rglob("*") if p.is_file()}
    school = project / "schools" / "gs-park.yaml"
    school.write_text(VALID.replace("Parkweg 1", "Parkweg 12"), encoding="utf-8")
    capsys.readouterr()

    def full(source: object, target: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(target))

    monkeypatch.setattr("os.replace", full)
    # --force: manifest.file_hash caches for the life of the process, which is this test's
    assert main(["--format", "html", "--jobs", "1", "--force"], root=project) == 1
    monkeypatch.setattr("os.replace", REPLACE)
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1
    assert re.fullmatch(r"schools/gs-park\.yaml: warning: de: cannot write into output/gs-park/\S+/: "
                        r"No space left on device: free some space on the disk, then run the command "
                        r"again; the files already there are unchanged", err[0])
    after = {p: p.read_bytes() for p in (project / "output").rglob("*") if p.is_file()}
    assert after == before  # nothing half-written, nothing left behind


def test_debug_is_in_the_help() -> None:
    result = run_cli("--help")
    assert "--debug" in result.stdout
