"""The output contract: paths, standalone HTML, golden HTML, index pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .conftest import check_golden, normalize_html

SCHOOLS = ["beispiel-gymnasium-musterstadt", "loewentor-bleicherode"]


def test_output_paths(built: Path) -> None:
    files = sorted(str(p.relative_to(built)) for p in built.rglob("*") if p.is_file())
    per_school = ["de/consent.html", "de/consent.pdf", "de/notice.html", "de/notice.pdf",
                  "de/withdrawal.html", "de/withdrawal.pdf", "index.html"]
    assert files == sorted([f"{school}/{name}" for school in SCHOOLS for name in per_school]
                           + ["index.html"])


def html_files(built: Path) -> list[Path]:
    return sorted(built.rglob("*.html"))


def test_html_is_standalone(built: Path) -> None:
    for path in html_files(built):
        html = path.read_text(encoding="utf-8")
        assert re.search(r'<html lang="de" dir="ltr">', html), path
        assert '<meta name="viewport"' in html, path
        # no request leaves the page: no remote src/href, no external stylesheet or script
        assert not re.search(r'(src|href)="(https?:)?//', html.replace('href="https://', 'href="x')), path
        assert "<script" not in html, path
        assert '<link rel="stylesheet"' not in html, path
        for target in re.findall(r'href="([^":#]+)"', html):
            assert (path.parent / target).is_file(), f"{path}: broken link {target}"


def test_index_lists_every_school(built: Path) -> None:
    html = (built / "index.html").read_text(encoding="utf-8")
    assert re.findall(r'href="([^"]+)/index.html"', html) == SCHOOLS


@pytest.mark.parametrize("school", SCHOOLS)
@pytest.mark.parametrize("doc", ["notice", "consent", "withdrawal"])
def test_html_golden(built: Path, update_golden: bool, school: str, doc: str) -> None:
    html = (built / school / "de" / f"{doc}.html").read_text(encoding="utf-8")
    check_golden(f"{school}/de/{doc}.html", normalize_html(html), update_golden)
