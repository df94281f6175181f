"""PDF facts read from the files: page size, language, title, running header and footer,
tags, metadata, fonts, and the archival PDF/A variant."""

from __future__ import annotations

import base64
import json
import logging
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from dsinfo.errors import BuildError
from dsinfo.pdf import PdfMaker, has_fast_subsetter

from .conftest import ROOT, check_golden, pdf_pages, pdf_text
from .project import EXAMPLE_DOCUMENTS, make_project, run

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


@pytest.mark.parametrize(("school", "lang", "doc", "kind"), EXAMPLE_DOCUMENTS)
def test_pdf_text_golden(built: Path, update_golden: bool, school: str, lang: str, doc: str,
                         kind: str) -> None:
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


def structure(node: Any) -> Iterator[dict[str, Any]]:
    """Every element of a PDF's structure tree."""
    node = node.get_object()
    if "/S" in node:
        yield node
    kids = node.get("/K", [])
    for kid in kids if isinstance(kids, list) else [kids]:
        kid = kid.get_object()
        if hasattr(kid, "get") and ("/S" in kid or "/K" in kid):
            yield from structure(kid)


def flag(value: Any) -> bool:
    """A PDF boolean as a bool (pypdf's BooleanObject(False) is truthy)."""
    return getattr(value, "value", value) is True


def xmp(reader: PdfReader) -> str:
    return str(reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8"))


def fonts(reader: PdfReader) -> set[str]:
    """Base names of the fonts used (subset tag removed); each must be embedded."""
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert "/FontFile2" in descriptor, font["/BaseFont"]
            names.add(str(font["/BaseFont"]).split("+", 1)[1])
    return names


@pytest.mark.parametrize("school", SCHOOLS)
@pytest.mark.parametrize("doc", ["notice", "consent"])
def test_pdf_is_tagged_pdf_ua(built: Path, school: str, doc: str) -> None:
    reader = PdfReader(built / school / "de" / f"{doc}.pdf")
    root = reader.trailer["/Root"]
    assert flag(root["/MarkInfo"]["/Marked"])
    assert flag(root["/ViewerPreferences"]["/DisplayDocTitle"])
    assert 'pdfuaid:part="1"' in xmp(reader)
    kinds = [str(e["/S"]) for e in structure(root["/StructTreeRoot"])]
    assert {"/H1", "/H2", "/P"} <= set(kinds)


def test_logo_and_qr_code_have_alt_text(built: Path) -> None:
    reader = PdfReader(built / "beispiel-gymnasium-musterstadt" / "de" / "consent.pdf")
    figures = [str(e.get("/Alt")) for e in structure(reader.trailer["/Root"]["/StructTreeRoot"])
               if e["/S"] == "/Figure"]
    assert figures == ["Logo des Beispiel-Gymnasiums Musterstadt",
                       "QR-Code mit der Adresse der Datenschutzhinweise"]


@pytest.mark.parametrize("doc", ["notice", "consent"])
def test_pdf_metadata_from_the_school_file(built: Path, doc: str) -> None:
    reader = PdfReader(built / "beispiel-gymnasium-musterstadt" / "de" / f"{doc}.pdf")
    info = reader.metadata
    assert info is not None
    version = re.search(r"Version ([0-9a-f]{8})", pdf_pages(built / "beispiel-gymnasium-musterstadt"
                                                           / "de" / f"{doc}.pdf")[0])
    assert version
    assert info.author == "Beispiel-Gymnasium Musterstadt"
    assert info.subject.startswith(("Information nach Art. 13 und 14 DSGVO", "Einwilligung nach"))
    assert info["/Keywords"] == ("Datenschutz, DSGVO, IServ, Beispiel-Gymnasium Musterstadt, "
                                 f"Schuljahr 2025/26, Version {version[1]}")
    assert info["/CreationDate"] == info["/ModDate"] == "D:20250801000000Z"  # the Stand date
    assert info.creator == "dsinfo"


@pytest.mark.parametrize("school", SCHOOLS)
def test_only_the_projects_fonts_are_embedded(built: Path, school: str) -> None:
    for doc in ("notice", "consent"):
        used = fonts(PdfReader(built / school / "de" / f"{doc}.pdf"))
        assert used <= {"Noto-Sans-dsinfo", "Noto-Sans-dsinfo-Bold", "Noto-Sans-dsinfo-Italic",
                        "Noto-Sans-dsinfo-BoldItalic"}, used


def test_arabic_text_uses_the_arabic_face(maker: PdfMaker) -> None:
    pdf, warnings = maker.render('<html lang="ar" dir="rtl"><title>t</title><body>'
                                 "<p>سياسة الخصوصية للمدرسة (DSGVO)</p></body></html>")
    path = ROOT / "tests" / ".arabic.pdf"
    try:
        path.write_bytes(pdf)
        used = fonts(PdfReader(path))
    finally:
        path.unlink()
    assert warnings == []
    assert used == {"Noto-Sans-Arabic-dsinfo", "Noto-Sans-dsinfo"}


@pytest.fixture(scope="module")
def archived(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example school built with --pdf-a."""
    project = make_project(tmp_path_factory.mktemp("archived"), examples=True)
    out = project / "output"
    result = run(project, "--school", "beispiel-gymnasium-musterstadt", "--pdf-a", "--jobs", "1")
    assert result.returncode == 0, result.stderr
    assert "warning:" not in result.stderr
    return out / "beispiel-gymnasium-musterstadt" / "de"


def archive_of(lang_folder: Path) -> Path:
    """The archive folder of the edition in `lang_folder`: archive/<year>/<lang>/<stand>_<version>,
    named by one hash over its documents' versions (the manifest's)."""
    entry = json.loads((lang_folder.parent / "manifest.json").read_text(encoding="utf-8"))
    version = entry["languages"][lang_folder.name]["version"]
    return (lang_folder.parent / "archive" / "2025-26" / lang_folder.name / f"2025-08-01_{version}")


@pytest.mark.slow
def test_pdf_a_copies_are_kept_by_school_year_stand_and_version(archived: Path) -> None:
    assert sorted(p.name for p in archive_of(archived).iterdir()) == [
        "consent.pdf", "notice.json", "notice.pdf", "withdrawal.pdf"]


@pytest.mark.parametrize("doc", ["notice", "consent"])
@pytest.mark.slow
def test_pdf_a_as_far_as_pypdf_can_tell(archived: Path, doc: str) -> None:
    """PDF/A-3a: identification, sRGB output intent, file ID, tags, language, embedded fonts,
    no image interpolation, printable annotations, Info and XMP in agreement, no encryption or
    JavaScript. (No validator such as veraPDF runs here.)"""
    path = archive_of(archived) / f"{doc}.pdf"
    reader = PdfReader(path)
    root = reader.trailer["/Root"]
    meta = xmp(reader)
    assert 'pdfaid:part="3"' in meta
    assert 'pdfaid:conformance="A"' in meta
    intent = root["/OutputIntents"][0].get_object()
    assert intent["/S"] == "/GTS_PDFA1"
    assert intent["/DestOutputProfile"].get_object().get_data().startswith(b"\x00\x00")
    assert len(reader.trailer["/ID"]) == 2
    assert flag(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "de"
    assert "/Encrypt" not in reader.trailer
    assert "/JavaScript" not in str(root.get("/Names", {}))
    fonts(reader)  # asserts every font is embedded
    for page in reader.pages:
        for image in page["/Resources"].get("/XObject", {}).values():
            assert not flag(image.get_object().get("/Interpolate", False))
        for annotation in page.get("/Annots", []):
            assert annotation.get_object()["/F"] & 4  # printed
    info = reader.metadata
    assert info is not None
    assert f">{info.title}</rdf:li>" in meta
    assert f"<rdf:li>{info.author}</rdf:li>" in meta
    assert "<xmp:CreateDate>2025-08-01T00:00:00Z</xmp:CreateDate>" in meta
    assert pdf_text(path) == pdf_text(archived / f"{doc}.pdf")


@pytest.mark.slow
def test_pdf_a_is_reproducible(archived: Path, tmp_path: Path) -> None:
    project = make_project(tmp_path, examples=True)
    result = run(project, "--school", "beispiel-gymnasium-musterstadt", "--pdf-a", "--jobs", "1")
    assert result.returncode == 0, result.stderr
    again = archive_of(project / "output" / "beispiel-gymnasium-musterstadt" / "de")
    for path in archive_of(archived).iterdir():
        assert (again / path.name).read_bytes() == path.read_bytes(), path.name


def test_pdf_makers_leave_the_environment_and_logging_as_they_were(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    logger = logging.getLogger("weasyprint")
    handlers, propagate = list(logger.handlers), logger.propagate
    makers = [PdfMaker(ROOT / "templates" / "static" / "print.css", [ROOT / "templates" / "static"])
              for _ in range(3)]
    for maker in makers:
        maker.render("<html lang=de><title>t</title><p>x</p></html>")
    assert "SOURCE_DATE_EPOCH" not in os.environ
    assert (logger.handlers, logger.propagate) == (handlers, propagate)
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        _, warnings = makers[0].render(
            '<html lang=de><title>t</title><p style="color: nonsense">x</p></html>')
    assert warnings
    assert warnings == [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")]


def test_a_draft_says_so_on_every_pdf_page(tmp_path: Path) -> None:
    from .project import VALID

    project = make_project(tmp_path, {"gs-park": VALID})
    assert run(project, "--draft", "--jobs", "1").returncode == 0
    for doc in ("notice", "consent", "withdrawal"):
        pages = pdf_pages(project / "output" / "gs-park" / "de" / f"{doc}.pdf")
        assert pages
        assert all("ENTWURF – nicht veröffentlichen" in page for page in pages), doc
