"""The output contract: paths, standalone HTML, golden HTML, index pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .conftest import LANGUAGES, check_golden, normalize_html

SCHOOLS = ["beispiel-gymnasium-musterstadt", "loewentor-bleicherode"]


def test_output_paths(built: Path) -> None:
    files = sorted(str(p.relative_to(built)) for p in built.rglob("*") if p.is_file())
    docs = ("consent.html", "consent.pdf", "notice.html", "notice.pdf")
    expected = ["index.html"] + [
        f"{school}/{part}" for school in SCHOOLS
        for part in ["index.html", *(f"{lang}/{doc}" for lang in LANGUAGES for doc in docs)]]
    assert files == sorted(expected)


def html_files(built: Path) -> list[Path]:
    return sorted(built.rglob("*.html"))


def test_html_is_standalone(built: Path) -> None:
    for path in html_files(built):
        html = path.read_text(encoding="utf-8")
        lang = path.parent.name if path.parent.name in LANGUAGES else "de"
        direction = "rtl" if lang == "ar" else "ltr"
        assert f'<html lang="{lang}" dir="{direction}">' in html, path
        assert '<meta name="viewport"' in html, path
        # no request leaves the page: no remote src/href, no external stylesheet or script
        assert not re.search(r'(src|href)="(https?:)?//', html.replace('href="https://', 'href="x')), path
        assert "<script" not in html, path
        assert '<link rel="stylesheet"' not in html, path
        assert "<link" not in html.replace('<link rel="alternate" hreflang=', ""), path
        for target in re.findall(r'href="([^":#]+)"', html):
            assert (path.parent / target).is_file(), f"{path}: broken link {target}"


def test_index_lists_every_school(built: Path) -> None:
    html = (built / "index.html").read_text(encoding="utf-8")
    assert re.findall(r'href="([^"]+)/index.html"', html) == SCHOOLS


@pytest.mark.parametrize("school", SCHOOLS)
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("doc", ["notice", "consent"])
def test_html_golden(built: Path, update_golden: bool, school: str, lang: str, doc: str) -> None:
    html = (built / school / lang / f"{doc}.html").read_text(encoding="utf-8")
    check_golden(f"{school}/{lang}/{doc}.html", normalize_html(html), update_golden)


def test_school_index_lists_languages_in_their_own_names(built: Path) -> None:
    html = (built / "loewentor-bleicherode" / "index.html").read_text(encoding="utf-8")
    cards = re.findall(r'<li lang="(\w+)" dir="(\w+)">\s*<h2>([^<]+)</h2>', html)
    assert cards == [("de", "ltr", "Deutsch"), ("en", "ltr", "English"), ("tr", "ltr", "Türkçe"),
                     ("ar", "rtl", "العربية"), ("uk", "ltr", "Українська"), ("ru", "ltr", "Русский")]
    # each card is written in its own language
    assert '<a href="ar/notice.html" hreflang="ar">إشعار حماية البيانات</a>' in html
    assert '<a href="en/consent.html" hreflang="en">Consent</a>' in html
