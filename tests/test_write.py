"""Writing output: paths stay inside the output folder; files are replaced atomically."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from dsinfo.errors import BuildError
from dsinfo.write import WriteError, claimed, private_folder, safe_path, write_atomic


@pytest.mark.parametrize("parts", [
    ("..",), ("..", "x.html"), ("a", "..", "..", "x"), (".",), ("",), ("a/../../x",),
    ("/etc/passwd",), ("gs-park", "/tmp/x"), ("a\\..\\x",), ("a\0b",), ("gs-park", "de", ".."),
])
def test_no_path_leaves_the_output_folder(tmp_path: Path, parts: tuple[str, ...]) -> None:
    with pytest.raises(BuildError) as info:
        safe_path(tmp_path, *parts)
    assert str(info.value).startswith("refused to write outside the output folder: ")


def test_symlink_inside_the_output_folder_is_not_followed_out(tmp_path: Path) -> None:
    out, elsewhere = tmp_path / "output", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "gs-park").symlink_to(elsewhere)
    with pytest.raises(BuildError) as info:
        safe_path(out, "gs-park", "index.html")
    assert str(info.value) == "refused to write outside the output folder: gs-park/index.html"


def test_ordinary_paths(tmp_path: Path) -> None:
    assert safe_path(tmp_path, "gs-park", "de", "notice.pdf") == (
        tmp_path.resolve() / "gs-park" / "de" / "notice.pdf")
    assert safe_path(tmp_path, "index.html") == tmp_path.resolve() / "index.html"


def test_write_atomic_replaces_and_reports_changes(tmp_path: Path) -> None:
    path = tmp_path / "a" / "index.html"
    assert write_atomic(path, "eins") is True
    assert write_atomic(path, "eins") is False
    assert write_atomic(path, b"zwei") is True
    assert path.read_text(encoding="utf-8") == "zwei"
    assert [p.name for p in path.parent.iterdir()] == ["index.html"]  # no temporary file left
    assert path.stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize(("failing", "code", "advice"), [
    ("dsinfo.write._temporary", errno.EACCES, "make the folder writable for you, or choose another one"),
    ("dsinfo.write._temporary", errno.EROFS, "choose a folder on a disk that can be written"),
    ("os.replace", errno.ENOSPC, "free some space on the disk"),
    ("os.fchmod", errno.EIO, "check the folder and the disk"),
])
def test_a_failed_write_is_one_line_and_leaves_the_old_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str, code: int, advice: str) -> None:
    """A read-only folder or a full disk: one line that names the folder (never the file, whose
    name may be a roster's class), and the file as it was. (As root, chmod cannot make a folder
    read-only, so the system's refusal is made here.)"""
    path = tmp_path / "out" / "5a Mustermann.pdf"
    write_atomic(path, "alt")

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError(code, os.strerror(code), str(path))

    monkeypatch.setattr(failing, refuse)
    with pytest.raises(WriteError) as info:
        write_atomic(path, "neu")
    monkeypatch.undo()
    assert str(info.value) == (f"cannot write into {tmp_path / 'out'}/: {os.strerror(code)}: {advice}, "
                               "then run the command again; the files already there are unchanged")
    assert path.read_text(encoding="utf-8") == "alt"
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_a_folder_that_cannot_be_made_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(WriteError) as info:
        write_atomic(tmp_path / "file" / "out" / "index.html", "x")
    assert str(info.value).startswith(f"cannot write into {tmp_path / 'file' / 'out'}/: Not a directory: ")
    with pytest.raises(WriteError) as claim, claimed(tmp_path / "file"):
        pass
    assert str(claim.value).startswith(f"cannot write into {tmp_path / 'file'}/: ")


def test_private_folder(tmp_path: Path) -> None:
    private_folder(tmp_path / "a" / "sheets")
    assert (tmp_path / "a" / "sheets").stat().st_mode & 0o777 == 0o700


def test_a_link_loop_in_the_output_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    with pytest.raises(BuildError) as info:
        safe_path(tmp_path, "loop", "x.html")
    assert str(info.value) == "refused to write outside the output folder: loop/x.html"
