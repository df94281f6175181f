"""The output contract: paths, standalone HTML, golden HTML, index pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .conftest import LANGUAGES, check_golden, normalize_html
from .project import EXAMPLE_DOCUMENTS, EXAMPLES, make_project, run_process

SCHOOLS = list(EXAMPLES)


# what the build makes of each kind, besides <id>.html and <id>.pdf
# + fragment and JSON:
WEB_KINDS = {"notice", "staff_notice", "website_notice", "short_notice", "pupil_notice"}
SIGNED_KINDS = {"consent", "consent_letter", "acknowledgement"}  # + the bilingual sheet


def test_output_paths(built: Path) -> None:
    files = sorted(str(p.relative_to(built)) for p in built.rglob("*") if p.is_file())
    fonts = ["fonts.css", "fonts/NotoSans-Bold.woff2", "fonts/NotoSans-BoldItalic.woff2",
             "fonts/NotoSans-Italic.woff2", "fonts/NotoSans-Regular.woff2",
             "fonts/NotoSansArabic-Bold.woff2", "fonts/NotoSansArabic-Regular.woff2", "fonts/OFL.txt"]
    per_school = [f"{school}/{name}" for school in SCHOOLS for name in ("index.html", "manifest.json")]
    per_document = []
    for school, lang, doc, kind in EXAMPLE_DOCUMENTS:
        names = [f"{doc}.html", f"{doc}.pdf"]
        if kind in WEB_KINDS:
            names += [f"{doc}.fragment.html", f"{doc}.json"]
        if kind in SIGNED_KINDS and lang != "de":
            names.append(f"{doc}-bilingual.pdf")
        per_document += [f"{school}/{lang}/{name}" for name in names]
    assert files == sorted([f"_static/{name}" for name in fonts] + per_school + per_document
                           + ["index.html"])


def html_files(built: Path) -> list[Path]:
    """The web pages (not the fragments for school websites)."""
    return sorted(p for p in built.rglob("*.html") if not p.name.endswith(".fragment.html"))


def test_html_is_standalone(built: Path) -> None:
    for path in html_files(built):
        html = path.read_text(encoding="utf-8")
        lang = path.parent.name if path.parent.name in LANGUAGES else "de"
        direction = "rtl" if lang in ("ar", "fa") else "ltr"
        assert f'<html lang="{lang}" dir="{direction}">' in html, path
        assert '<meta name="viewport"' in html, path
        # no request leaves the site: no remote src/href, no script, no stylesheet but the
        # project's own fonts in output/_static/
        assert not re.search(r'(src|href)="(https?:)?//', html.replace('href="https://', 'href="x')), path
        assert "<script" not in html, path
        depth = len(path.relative_to(built).parts) - 1
        assert re.findall(r'<link rel="stylesheet" href="([^"]+)">', html) == [
            "../" * depth + "_static/fonts.css"], path
        links = re.sub(r'<link rel="(alternate" hreflang=|stylesheet" href="[./]*_static/fonts.css")',
                       "", html)
        assert "<link" not in links, path
        for target in re.findall(r'href="([^":#]+)"', html):
            assert (path.parent / target).is_file(), f"{path}: broken link {target}"


def test_fonts_are_loaded_relative_to_the_stylesheet(web_built: Path) -> None:
    css = (web_built / "_static" / "fonts.css").read_text(encoding="utf-8")
    sources = re.findall(r'src: url\("([^"]+)"\) format\("woff2"\)', css)
    assert len(sources) == 6
    for source in sources:
        assert (web_built / "_static" / source).is_file(), source


@pytest.mark.slow
def test_same_input_same_bytes(built: Path, tmp_path: Path) -> None:
    """A second build, in another process and folder, gives every file byte for byte again."""
    again = make_project(tmp_path, examples=True)
    result = run_process(again, "--jobs", "1")
    assert result.returncode == 0, result.stderr
    first = {str(p.relative_to(built)): p.read_bytes() for p in built.rglob("*") if p.is_file()}
    second = {str(p.relative_to(again / "output")): p.read_bytes()
              for p in (again / "output").rglob("*") if p.is_file()}
    assert sorted(second) == sorted(first)
    assert [name for name in first if first[name] != second[name]] == []


def test_index_lists_every_school(web_built: Path) -> None:
    html = (web_built / "index.html").read_text(encoding="utf-8")
    assert re.findall(r'href="([^"]+)/index.html"', html) == SCHOOLS


@pytest.mark.parametrize(("school", "lang", "doc", "kind"), EXAMPLE_DOCUMENTS)
def test_html_golden(web_built: Path, update_golden: bool, school: str, lang: str, doc: str,
                     kind: str) -> None:
    html = (web_built / school / lang / f"{doc}.html").read_text(encoding="utf-8")
    check_golden(f"{school}/{lang}/{doc}.html", normalize_html(html), update_golden)


def test_school_index_lists_languages_in_their_own_names(web_built: Path) -> None:
    html = (web_built / "loewentor-bleicherode" / "index.html").read_text(encoding="utf-8")
    cards = re.findall(r'<li lang="(\w+)" dir="(\w+)">\s*<h2>([^<]+)</h2>', html)
    assert cards == [("de", "ltr", "Deutsch"), ("en", "ltr", "English"), ("tr", "ltr", "Türkçe"),
                     ("ar", "rtl", "العربية"), ("uk", "ltr", "Українська"), ("ru", "ltr", "Русский"),
                     ("fa", "rtl", "فارسی"), ("ku", "ltr", "Kurdî (kurmancî)"),
                     ("pl", "ltr", "Polski"), ("ro", "ltr", "Română"), ("bg", "ltr", "Български"),
                     ("sq", "ltr", "Shqip")]
    # each card is written in its own language
    assert '<a href="ar/notice.html" hreflang="ar">إشعار حماية البيانات</a>' in html
    assert '<a href="en/consent.html" hreflang="en">Consent</a>' in html

