"""PDF facts read from the files: page size, language, title, running header and footer."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from dsinfo.errors import BuildError
from dsinfo.pdf import PdfMaker, has_fast_subsetter

from .conftest import ROOT, check_golden, pdf_pages

A4 = (595.0, 842.0)  # points, rounded
SCHOOLS = ["loewentor-bleicherode", "beispiel-gymnasium-musterstadt"]


@pytest.mark.parametrize("school", SCHOOLS)
@pytest.mark.parametrize("doc", ["notice", "consent", "withdrawal"])
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
@pytest.mark.parametrize("doc", ["notice", "consent", "withdrawal"])
def test_pdf_text_golden(built: Path, update_golden: bool, school: str, doc: str) -> None:
    pages = pdf_pages(built / school / "de" / f"{doc}.pdf")
    text = "".join(f"--- page {n} ---\n{page}\n" for n, page in enumerate(pages, start=1))
    check_golden(f"{school}/de/{doc}.pdf.txt", text, update_golden)


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
    # CSS in every place it can name a URL
    '<div style="background: url(file:///etc/passwd)">x</div>',
    '<style>body { background-image: url("file:///etc/passwd") }</style>',
    '<style>@font-face { font-family: X; src: url(file:///usr/share/fonts/truetype/dejavu/'
    'DejaVuSans.ttf) } p { font-family: X }</style><p>x</p>',
    '<link rel="stylesheet" href="file:///etc/passwd">',
    # other elements that load things, other schemes and hosts, tricks with the path
    '<object data="file:///etc/passwd" type="image/png">x</object>',
    '<embed src="file:///etc/passwd" type="image/png">',
    '<img src="https://example.org/x.png">',
    '<img src="ftp://example.org/x.png">',
    '<a rel="attachment" href="https://example.org/x">x</a>',
    '<img src="file://localhost/etc/passwd">',
    '<img src="file://example.org/etc/passwd">',
    '<base href="file:///etc/"><img src="passwd">',
    '<img src="%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd">',
    '<img src="./">',  # the asset folder itself
    '<img src="file:///dev/urandom">',  # would never end
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


PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6"
                       "kgAAAABJRU5ErkJggg==")


@pytest.fixture
def assets(tmp_path: Path) -> Path:
    """An asset folder with a picture, a symlink to a picture outside it and a stylesheet."""
    (tmp_path / "secret.png").write_bytes(PNG)
    folder = tmp_path / "static"
    folder.mkdir()
    (folder / "ok.png").write_bytes(PNG)
    (folder / "leak.png").symlink_to(tmp_path / "secret.png")
    (folder / "print.css").write_text("p { margin: 0 }", encoding="utf-8")
    return folder


def images(pdf: bytes) -> int:
    return len(re.findall(rb"/Subtype\s*/Image", pdf))


def test_symlink_out_of_the_asset_folder_is_refused(assets: Path) -> None:
    maker = PdfMaker(assets / "print.css", [assets])
    page = '<html lang=de><title>t</title><body><img alt="x" src="{}"></body></html>'
    pdf, _ = maker.render(page.format("ok.png"))
    assert images(pdf) >= 1
    with pytest.raises(BuildError) as info:
        maker.render(page.format("leak.png"))
    assert str(info.value) == (f"refused to fetch {assets.resolve().as_uri()}/leak.png: only files "
                               "in the project's asset folders may be used")


@pytest.mark.parametrize("svg", [
    '<svg width="10" height="10"><image href="{url}" width="10" height="10"/></svg>',
    '<svg xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10">'
    '<image xlink:href="{url}" width="10" height="10"/></svg>',
    '<img alt="x" src="data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22 width=%2210%22 '
    'height=%2210%22%3E%3Cimage href=%22{url}%22 width=%2210%22 height=%2210%22/%3E%3C/svg%3E">',
])
def test_svg_cannot_pull_in_outside_files(assets: Path, svg: str) -> None:
    # SVG fetches through the same fetcher; WeasyPrint reports the refusal as a warning
    maker = PdfMaker(assets / "print.css", [assets])
    inside = svg.format(url=(assets / "ok.png").resolve().as_uri())
    outside = svg.format(url=(assets.parent / "secret.png").as_uri())
    pdf, warnings = maker.render(f"<html lang=de><title>t</title><body>{inside}</body></html>")
    assert images(pdf) >= 1
    assert warnings == []
    pdf, warnings = maker.render(f"<html lang=de><title>t</title><body>{outside}</body></html>")
    assert images(pdf) == 0
    assert [w.split(" ", 4)[:4] for w in warnings] == [["Failed", "to", "render", "SVG"]]
