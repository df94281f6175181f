"""Writing output: paths stay inside the output folder; files are replaced atomically."""

from __future__ import annotations

from pathlib import Path

import pytest

from dsinfo.errors import BuildError
from dsinfo.write import safe_path, write_atomic


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
