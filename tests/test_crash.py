"""Crash safety: a build killed at any moment leaves every output file old or new, never half.

The kill test runs the real build in a subprocess, kills it with SIGKILL at a random moment
(seeded, bounded number of rounds) and reads what is left.
"""

from __future__ import annotations

import fcntl
import json
import os
import random
import shutil
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pypdf import PdfReader

from dsinfo.write import TEMPORARY, claimed, remove_stale_temporaries

from .project import ROOT, VALID, make_project, run_process

ROUNDS = 15

OLD = {"gs-park": VALID, "gs-zwei": VALID.replace("Grundschule am Park", "Grundschule Zwei")}
NEW = {sid: text.replace("Grundschule", "Gemeinschaftsschule").replace("2025-08-01", "2025-09-15")
       for sid, text in OLD.items()}


def snapshot(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def build_version(project: Path, version: dict[str, str], out: str = "output", *args: str) -> None:
    for sid, text in version.items():
        (project / "schools" / f"{sid}.yaml").write_text(text, encoding="utf-8")
    result = run_process(project, "--out", out, *args)
    assert result.returncode == 0, result.stderr


def check_readable(name: str, data: bytes, folder: Path) -> None:
    """What a web server would hand out: a PDF that opens, a page that parses to its end, JSON
    that loads (fonts and stylesheets are compared byte for byte only)."""
    if name.endswith(".pdf"):
        (folder / "check.pdf").write_bytes(data)
        assert len(PdfReader(folder / "check.pdf").pages) >= 1, name
    elif name.endswith(".html"):
        parser = HTMLParser()
        parser.feed(data.decode("utf-8"))
        parser.close()
        assert data.rstrip().endswith(b">"), name
    elif name.endswith(".json"):
        json.loads(data)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and flock are POSIX")
@pytest.mark.slow
def test_killed_build_leaves_old_or_new_files(tmp_path: Path) -> None:
    (tmp_path / "project").mkdir()
    project = make_project(tmp_path / "project")
    build_version(project, OLD)
    old = snapshot(project / "output")
    shutil.copytree(project / "output", project / "new")
    started = time.monotonic()
    build_version(project, NEW, out="new")  # the old version goes to the archive
    duration = time.monotonic() - started
    archived = {n: data for n, data in snapshot(project / "new").items() if "/archive/" in n}
    new = {n: data for n, data in snapshot(project / "new").items() if "/archive/" not in n}
    assert sorted(old) == sorted(new)
    assert archived
    # every page of the schools tells which version it is (shared fonts are the same in both)
    assert [n for n in old if old[n] == new[n] and not n.startswith("_static/")] == []

    rng = random.Random(9)
    left_behind = 0
    for _ in range(ROUNDS):
        shutil.rmtree(project / "output")
        for name, data in old.items():  # back to the old version ...
            (project / "output" / name).parent.mkdir(parents=True, exist_ok=True)
            (project / "output" / name).write_bytes(data)
        process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--project", str(project)],
                                   cwd=project,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0, duration))  # ... and kill the build to NEW somewhere in it
        process.kill()
        process.wait()
        now, kept = {}, {}
        for path in sorted((project / "output").rglob("*")):
            name = str(path.relative_to(project / "output"))
            if path.is_file() and TEMPORARY.fullmatch(path.name):
                left_behind += 1
            elif path.is_file():
                # the old version, kept in the archive as the new one replaces it: only added
                (kept if "/archive/" in name else now)[name] = path.read_bytes()
        assert sorted(now) == sorted(old)
        for name, data in kept.items():
            assert name in archived, name
            check_readable(name, data, tmp_path)
        for name, data in now.items():
            assert data in (old[name], new[name]), name
            check_readable(name, data, tmp_path)
        # index pages come last: a new index means new files behind it
        for sid in OLD:
            if now[f"{sid}/index.html"] == new[f"{sid}/index.html"]:
                assert all(now[n] == new[n] for n in now if n.startswith(f"{sid}/")), sid
        if now["index.html"] == new["index.html"]:
            assert now == new

    build_version(project, NEW)  # a complete build after the killed ones
    assert snapshot(project / "output") == new | archived
    print(f"build {duration:.1f} s; {ROUNDS} rounds; {left_behind} temporary files left by "
          "killed builds, removed by the next")


@pytest.mark.slow  # two builds as their own processes: about 3 s
def test_stale_temporary_files_are_removed(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    build_version(project, {"gs-park": VALID}, "output", "--format", "html")
    stale = [project / "output" / "gs-park" / "de" / ".notice.pdf.k3j_x9a2.tmp",
             project / "output" / ".index.html.abcdefgh.tmp"]
    for path in stale:
        path.write_bytes(b"half a file")
    kept = project / "output" / "gs-park" / "notes.tmp"  # not one of ours
    kept.write_text("x", encoding="utf-8")
    build_version(project, {"gs-park": VALID.replace("Parkweg 1", "Parkweg 2")}, "output",
                  "--format", "html")  # a build that writes
    assert [p.exists() for p in stale] == [False, False]
    assert kept.exists()


def test_remove_stale_temporaries_reports_what_it_removed(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / ".x.html.12345678.tmp").write_text("", encoding="utf-8")
    (tmp_path / "a" / "x.html").write_text("", encoding="utf-8")
    assert remove_stale_temporaries(tmp_path) == [tmp_path / "a" / ".x.html.12345678.tmp"]
    assert [p.name for p in (tmp_path / "a").iterdir()] == ["x.html"]


def test_second_build_into_the_same_folder_is_refused(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    (project / "schools" / "gs-park.yaml").write_text(VALID, encoding="utf-8")
    (project / "output").mkdir()
    fd = os.open(project / "output", os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # as a running build holds it
        result = run_process(project)
    finally:
        os.close(fd)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "error: another build is writing into output/ right now: wait until it has finished, then "
        "build again"]
    assert list((project / "output").iterdir()) == []
    with claimed(project / "output"):  # released when the holder closed it
        pass
