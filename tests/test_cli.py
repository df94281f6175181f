"""The command line: help, exit codes, messages, project discovery, a failed school that does
not stop the others, atomic output."""

from __future__ import annotations

import errno
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from dsinfo.cli import cli, main

from .project import ROOT, make_project, run
from .project import VALID as VALID_TH

# A school without findings: Brandenburg's law covers platforms and names the duty to provide
# data; the processor named in full
VALID = VALID_TH.replace("state: TH", "state: BB").replace(
    "    hosting: on_premises", "    hosting: on_premises\n    processor:\n      name: IServ GmbH\n"
    "      street: Musterweg 1\n      postcode: \"38100\"\n      city: Braunschweig")
SUMMARY = r"; output/ in \d+\.\d s\."


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project with one small school, to break in different ways."""
    return make_project(tmp_path, {"gs-park": VALID})


COMMANDS = sorted(cli.commands)


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_of_every_command(project: Path, command: str | None) -> None:
    result = run(project, *([command] if command else []), "--help")
    assert result.code == 0
    usage = f"Usage: python build.py {command} " if command else "Usage: python build.py "
    assert result.stdout.startswith(usage)
    summary = (cli.commands[command].help or "" if command
               else "Privacy notices and consent sheets for schools, from one YAML file per school.")
    assert " ".join(summary.split("\n\n")[0].split()) in " ".join(result.stdout.split())


def test_the_list_of_commands_is_complete(project: Path) -> None:
    lines = run(project, "--help").stdout.split("Commands:")[1].splitlines()
    assert [line.split()[0] for line in lines if line.strip()] == COMMANDS
    assert not [line for line in lines if line.endswith("...")], "a short help is cut off"


def test_version(project: Path) -> None:
    result = run(project, "--version")
    assert result.code == 0
    assert "version" in result.stdout


def test_a_misspelled_command_gets_a_suggestion(project: Path) -> None:
    result = run(project, "chekc")
    assert result.code == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: unknown command 'chekc' (did you mean 'check'?); the commands: "
        + ", ".join(COMMANDS))


@pytest.mark.slow  # builds a school with its PDFs, twice: about 3 s
def test_build_writes_contract_paths(project: Path) -> None:
    result = run(project)
    assert result.code == 0, result.stderr
    assert result.stdout.splitlines()[0] == "  gs-park: de: 9 files"
    assert re.fullmatch(r"Built 1 school \(1 language, 9 files, 9 changed, 3 PDFs made\); "
                        r"0 languages unchanged, 0 failed" + SUMMARY, result.stdout.splitlines()[-1])
    for name in ("notice.html", "notice.pdf", "consent.html", "consent.pdf", "withdrawal.html",
                 "withdrawal.pdf", "notice.fragment.html", "notice.json"):
        assert (project / "output" / "gs-park" / "de" / name).is_file()
    assert (project / "output" / "gs-park" / "index.html").is_file()
    assert (project / "output" / "index.html").is_file()
    again = run(project, "build")
    assert re.fullmatch(r"Nothing to build; 1 language unchanged, 0 failed" + SUMMARY + "\n",
                        again.stdout)


def test_misspelled_key_gives_one_line(project: Path) -> None:
    school = project / "schools" / "gs-park.yaml"
    school.write_text(VALID.replace("  city: Erfurt", "  ctiy: Erfurt"), encoding="utf-8")
    result = run(project)
    assert result.code == 1
    assert result.stderr.splitlines() == [
        "schools/gs-park.yaml:1:1: error: school: missing required key 'city'",
        "schools/gs-park.yaml:5:3: error: school.ctiy: unknown key (did you mean 'city'?)",
    ]
    assert re.fullmatch(r"Nothing to build; 0 languages unchanged, 0 failed, 2 problems in school "
                        r"files" + SUMMARY + "\n", result.stdout)
    assert "Traceback" not in result.stderr


def test_a_bad_school_does_not_stop_the_others(project: Path) -> None:
    assert run(project).code == 0
    notice = project / "output" / "gs-park" / "de" / "notice.pdf"
    before = notice.read_bytes()
    (project / "schools" / "gs-park.yaml").write_text(VALID.replace("state: BB", "state: XX"), "utf-8")
    (project / "schools" / "other.yaml").write_text("school: [\n", encoding="utf-8")
    (project / "schools" / "gs-see.yaml").write_text(VALID.replace("am Park", "am See"), "utf-8")
    result = run(project, "--format", "html")
    assert result.code == 1
    assert result.stderr.splitlines() == [
        "schools/gs-park.yaml:7:8: error: state: unknown Land 'XX' (known: BB, BE, BW, BY, HB, HE, "
        "HH, MV, NI, NW, RP, SH, SL, SN, ST, TH)",
        "schools/other.yaml:2:1: error: the file ends in the middle of a value: close the open '[', "
        "'{' or quote",
    ]
    assert notice.read_bytes() == before  # the bad school's documents stay as they were
    assert (project / "output" / "gs-see" / "de" / "notice.html").is_file()  # the good one is built
    assert "Grundschule am See" in (project / "output" / "index.html").read_text("utf-8")


def test_errors_of_the_check_keep_a_school_unpublished(project: Path) -> None:
    no_dpo = VALID.replace("dpo:\n  email: dsb@gs-park.example\n", "")
    (project / "schools" / "gs-park.yaml").write_text(no_dpo, encoding="utf-8")
    result = run(project, "--format", "html")
    assert result.code == 1
    assert result.stderr.splitlines()[:3] == [
        "  gs-park: not published: 1 error of the check; its earlier documents stay as they were "
        "(--draft builds it marked as a draft)",
        "schools/gs-park.yaml:1:1: error: The notice does not say how to reach the data protection "
        "officer. [art13.dpo_contact]",
        "    what to do: Add 'dpo:' with the e-mail address (or postal address) of the school's data "
        "protection officer; the name is optional (Art. 13 Abs. 1 lit. b DSGVO).",
    ]
    assert not (project / "output" / "gs-park").exists()
    assert "1 not published" in result.stdout
    draft = run(project, "--draft", "--format", "html")
    assert draft.code == 0, draft.stderr
    page = (project / "output" / "gs-park" / "de" / "notice.html").read_text("utf-8")
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert '<p class="draft-mark" role="note">ENTWURF – nicht veröffentlichen</p>' in page
    for index in ("gs-park/index.html", "index.html"):  # and the pages that link to it
        html = (project / "output" / index).read_text("utf-8")
        assert '<meta name="robots" content="noindex, nofollow">' in html, index
        assert '<p class="draft-mark" role="note">ENTWURF – nicht veröffentlichen</p>' in html, index
    assert not (project / "output" / "gs-park" / "archive").exists()
    (project / "schools" / "gs-park.yaml").write_text(VALID, encoding="utf-8")
    assert run(project, "--format", "html").code == 0  # published: the draft is replaced, not kept
    for published in ("gs-park/de/notice.html", "gs-park/index.html", "index.html"):
        assert "ENTWURF" not in (project / "output" / published).read_text("utf-8"), published
    assert not (project / "output" / "gs-park" / "archive").exists()


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
    assert result.code == 2
    assert result.stderr.splitlines()[-1] == f"Error: {message}"


def test_school_and_out_options(project: Path) -> None:
    shutil.copy(project / "schools" / "gs-park.yaml", project / "schools" / "gs-zwei.yaml")
    result = run(project, "--school", "gs-zwei", "--out", str(project / "elsewhere"), "--format", "html")
    assert result.code == 0, result.stderr
    assert sorted(p.name for p in (project / "elsewhere").iterdir()) == ["_static", "gs-zwei", "index.html"]


def test_strict_refuses_placeholders(project: Path) -> None:
    school = project / "schools" / "gs-park.yaml"
    school.write_text(VALID.replace("Stadt Erfurt", '"TODO: Schulträger"'), encoding="utf-8")
    assert run(project, "--format", "html").code == 0
    result = run(project, "--strict", "--format", "html")
    assert result.code == 1
    assert result.stderr.splitlines() == [
        "  gs-park: not built again: 1 warning (python build.py check --school gs-park)",
    ]
    result = run(project, "--strict", "--force", "--format", "html")
    assert result.code == 1
    assert result.stderr.splitlines()[:2] == [
        "  gs-park: not published with --strict: 1 warning of the check; its earlier documents "
        "stay as they were (--draft builds it marked as a draft)",
        "schools/gs-park.yaml:11:9: warning: Placeholder still to fill in: Schulträger [placeholder]",
    ]


def test_check_lists_placeholders(project: Path) -> None:
    school = project / "schools" / "gs-park.yaml"
    school.write_text(VALID.replace("Stadt Erfurt", '"TODO: Schulträger"'), encoding="utf-8")
    result = run(project, "check")
    assert result.code == 0
    assert result.stdout.splitlines() == [
        "schools/gs-park.yaml:11:9: warning: Placeholder still to fill in: Schulträger [placeholder]",
        "    what to do: Replace the 'TODO' text with the real value.",
        "Checked 1 school: 1 warning.",
    ]


def _module(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT / "src"), "DSINFO_LANG": "en",
                   **(env or {})}
    return subprocess.run([sys.executable, "-m", "dsinfo", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120, check=False, env=environment)


@pytest.mark.slow  # four fresh interpreters: about 5 s
def test_python_m_dsinfo_finds_its_project(tmp_path: Path) -> None:
    project = make_project(tmp_path / "here", {"gs-park": VALID})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for where, args, env in ((project, ["check"], None),
                             (elsewhere, ["--project", str(project), "check"], None),
                             (elsewhere, ["check"], {"DSINFO_PROJECT": str(project)})):
        result = _module(*args, cwd=where, env=env)
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines()[-1] == "Checked 1 school: no findings."
    missing = _module("check", cwd=elsewhere)
    assert missing.returncode == 1
    assert missing.stderr == (
        f"error: {elsewhere} is not a dsinfo project: it has no folder schools/. Give the project "
        "with --project DIR (or DSINFO_PROJECT), or make one with `python -m dsinfo init DIR`.\n")


# ---------------------------------------------------------------------------- boundaries

REPLACE = os.replace
INTERNAL = ("this is a bug in dsinfo, not a mistake in your files; run the command again with "
            "--debug to see the traceback, and please report it")


def test_a_school_file_that_is_a_link_loop(project: Path) -> None:
    """It gave a RuntimeError while its error was being reported; now it is one line, and the
    other school is built."""
    (project / "schools" / "loop.yaml").symlink_to(project / "schools" / "loop.yaml")
    line = "schools/loop.yaml:1:1: error: cannot read the file: Too many levels of symbolic links"
    result = run(project, "--format", "html")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [line]
    assert (project / "output" / "gs-park" / "de" / "notice.html").is_file()
    result = run(project, "check", "--school", "loop")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [line, "1 problem found; no files were written."]


def test_an_unexpected_error_is_one_line(project: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    """The command line's boundary: whatever the exception says (it may hold a roster's
    names), the user sees one line, and the traceback only with --debug."""
    def broken(*args: object) -> None:
        raise RuntimeError("Mustermann, Max, 5a")

    monkeypatch.setattr("dsinfo.pipeline.check_schools", broken)
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
    def broken(*args: object, **kwargs: object) -> None:
        raise ValueError("year 10000 is out of range")

    monkeypatch.setattr("dsinfo.documents.Press.language", broken)
    monkeypatch.chdir(project)
    assert main([*(["--debug"] if debug else []), "--format", "html", "--jobs", "1"],
                root=project) == 1
    captured = capsys.readouterr()
    line = ("schools/gs-park.yaml: error: de: internal error (ValueError) while building gs-park "
            f"(de): {INTERNAL}")
    if debug:
        assert captured.err.startswith(line + "\nTraceback (most recent call last):\n")
        assert "ValueError: year 10000 is out of range" in captured.err
    else:
        assert captured.err == line + "\n"
    assert captured.out.splitlines()[-1].startswith("Nothing built; 0 languages unchanged, 1 failed; ")


def test_an_unexpected_error_while_finishing_a_school_is_one_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """The last step of a school in the workers (its manifest and index page) has the same
    boundary: one line naming the school, and the other school is finished."""
    from dsinfo import pipeline

    real = pipeline.write_school_index

    def broken(press: object, out: Path, notice: Any) -> object:
        if notice.id == "gs-park":
            raise RuntimeError("no room left")
        return real(press, out, notice)  # type: ignore[arg-type]

    project = make_project(tmp_path, {"gs-park": VALID, "gs-see": VALID.replace("am Park", "am See")})
    monkeypatch.setattr(pipeline, "write_school_index", broken)
    monkeypatch.chdir(project)
    assert main(["--format", "html", "--jobs", "1"], root=project) == 1
    captured = capsys.readouterr()
    assert captured.err == ("schools/gs-park.yaml: error: internal error (RuntimeError) while "
                            f"finishing gs-park: {INTERNAL}\n")
    assert (project / "output" / "gs-see" / "index.html").is_file()
    assert not (project / "output" / "gs-park" / "index.html").exists()
    assert not (project / "output" / "gs-park" / "manifest.json").exists()  # the next build tries again


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
    assert re.fullmatch(r"schools/gs-park\.yaml: error: de: cannot write into output/gs-park/\S+/: "
                        r"No space left on device: free some space on the disk, then run the command "
                        r"again; the files already there are unchanged", err[0])
    after = {p: p.read_bytes() for p in (project / "output").rglob("*") if p.is_file()}
    assert after == before  # nothing half-written, nothing left behind


def test_debug_is_in_the_help(project: Path) -> None:
    assert "--debug" in run(project, "--help").stdout
