"""PDF facts read from the files: page size, language, title, running header and footer."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from dsinfo.errors import BuildError
from dsinfo.pdf import PdfMaker, has_fast_subsetter

from .conftest import LANGUAGES, ROOT, check_golden, pdf_pages

A4 = (595.0, 842.0)  # points, rounded
SCHOOLS = ["loewentor-bleicherode", "beispiel-gymnasium-musterstadt"]


@pytest.mark.parametrize("school", SCHOOLS)
@pytest.mark.parametrize("doc", ["notice", "consent"])
def test_pdf_facts(built: Path, school: str, doc: str) -> None:
    reader = PdfReader(built / school / "de" / f"{doc}.pdf")
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == A4
    assert reader.trailer["/Root"]["/Lang"] == "de"
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged
    title = reader.metadata.title if reader.metadata else ""
    assert title.endswith(" – Staatliche Regelschule Löwentor Bleicherode") or school != SCHOOLS[0]
    pages = pdf_pages(built / school / "de" / f"{doc}.pdf")
    for number, text in enumerate(pages, start=1):
        assert f"Seite {number} von {len(pages)}" in text
        assert "Stand: " in text


def test_consent_sheet_is_one_page_with_room_to_sign(built: Path) -> None:
    pages = pdf_pages(built / "loewentor-bleicherode" / "de" / "consent.pdf")
    assert len(pages) == 1
    assert "Ort, Datum" in pages[0]


@pytest.mark.parametrize("school", SCHOOLS)
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("doc", ["notice", "consent"])
def test_pdf_text_golden(built: Path, update_golden: bool, school: str, lang: str, doc: str) -> None:
    pages = pdf_pages(built / school / lang / f"{doc}.pdf")
    text = "".join(f"--- page {n} ---\n{page}\n" for n, page in enumerate(pages, start=1))
    check_golden(f"{school}/{lang}/{doc}.pdf.txt", text, update_golden)


def test_fast_subsetter_installed() -> None:
    # without libharfbuzz-subset0 PDFs are several times slower and not byte-reproducible
    assert has_fast_subsetter()


@pytest.fixture(scope="module")
def maker() -> PdfMaker:
    return PdfMaker(ROOT / "templates" / "static" / "print.css", [ROOT / "templates" / "static"])


@pytest.mark.parametrize("html", [
    '<img src="file:///etc/passwd">',
    '<link rel="attachment" href="file:///etc/hostname">',
    '<a rel="attachment" href="file:///etc/passwd">x</a>',
    '<style>@import url("file:///etc/passwd");</style>',
    '<div style="background: url(http://127.0.0.1:9/x.png)">x</div>',
    '<img src="../../../../etc/passwd">',
])
def test_fetcher_refuses_outside_files(maker: PdfMaker, html: str) -> None:
    with pytest.raises(BuildError) as info:
        maker.render(f"<html lang=de><title>t</title><body>{html}</body></html>")
    assert str(info.value).startswith("refused to fetch ")


def test_fetcher_serves_project_assets(maker: PdfMaker) -> None:
    pdf, warnings = maker.render('<html lang=de><title>t</title><body><link rel="stylesheet" '
                                 'href="print.css"><p>Hallo</p></body></html>')
    assert pdf.startswith(b"%PDF")
    assert warnings == []
