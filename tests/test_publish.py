"""Publishing: version line, QR code, logo, the fragment for school websites and notice.json."""

from __future__ import annotations

import base64
import io
import json
import os
import random
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path
from types import SimpleNamespace

import pytest
import tinycss2

from dsinfo.catalog import Catalog, load_catalog
from dsinfo.errors import BuildError, shown
from dsinfo.fragment import SCOPE, scope_css
from dsinfo.pipeline import load_school
from dsinfo.publish import logo_data_uri, notice_url

from .conftest import LANGUAGES, ROOT, pdf_pages, pdf_text
from .project import VALID
from .test_cli import project, run  # noqa: F401  (the fixture is used by name)
from .test_model import build
from .test_output import SCHOOLS

EXAMPLE = "beispiel-gymnasium-musterstadt"
EXAMPLE_URL = "https://www.beispiel-gymnasium.example/datenschutz/de/notice.html"
UNREADABLE = "is not a PNG or JPEG image that can be read: save it again as PNG or JPEG"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(ROOT / "catalog")


def version_of(path: Path) -> str:
    found = set(re.findall(r"Version ([0-9a-f]{8})\b", pdf_text(path)))
    assert len(found) == 1, found
    return found.pop()


@pytest.mark.parametrize("school", SCHOOLS)
def test_each_document_shows_its_own_version(built: Path, school: str) -> None:
    """A document's version is a hash of what it says: the same on its web page, its PDF (on
    every page), its fragment and its JSON; two documents that say different things have
    different versions."""
    folder = built / school / "de"
    versions = {}
    for doc in ("notice", "consent", "withdrawal"):
        version = versions[doc] = version_of(folder / f"{doc}.pdf")
        for page in pdf_pages(folder / f"{doc}.pdf"):  # in the footer of every page
            assert f"· Version {version}" in page
        page = (folder / f"{doc}.html").read_text("utf-8")
        assert f'Version <span class="version">{version}</span>' in page
    assert len(set(versions.values())) == 3
    fragment = (folder / "notice.fragment.html").read_text("utf-8")
    assert f'Version <span class="version">{versions["notice"]}</span>' in fragment
    data = json.loads((folder / "notice.json").read_text("utf-8"))
    assert data["version"] == versions["notice"]
    assert data["content_hash"].startswith(f"sha256:{versions['notice']}")


@pytest.mark.parametrize("lang", LANGUAGES[1:])
def test_a_translation_names_the_binding_version(built: Path, lang: str) -> None:
    school = built / "loewentor-bleicherode"  # the example with every language
    german = version_of(school / "de" / "notice.pdf")
    page = (school / lang / "notice.html").read_text("utf-8")
    shown = re.findall(r'<span class="version">\u2066?([0-9a-f]+)\u2069?</span>', page)  # isolated in ar, fa
    assert shown[0] == german  # the German documents' version, then the translation's own
    assert re.fullmatch(r"[0-9a-f]{6}", shown[1])
    note = re.search(r'<p class="binding" role="note">(.*?)</p>', page, re.S)
    assert note is not None
    assert german in note[1]
    assert json.loads((school / lang / "notice.json").read_text("utf-8"))["version"] == german


def test_version_follows_the_content(project: Path) -> None:  # noqa: F811
    assert run(project, "--format", "html").returncode == 0
    page = project / "output" / "gs-park" / "de" / "notice.html"
    before = re.findall(r'class="version">(\w+)<', page.read_text("utf-8"))
    assert run(project, "--format", "html").returncode == 0
    assert re.findall(r'class="version">(\w+)<', page.read_text("utf-8")) == before
    school = project / "schools" / "gs-park.yaml"
    school.write_text(VALID.replace("Parkweg 1", "Parkweg 2"), encoding="utf-8")
    assert run(project, "--format", "html").returncode == 0
    after = re.findall(r'class="version">(\w+)<', page.read_text("utf-8"))
    assert len(after) == 2
    assert after != before


@pytest.mark.parametrize(("setting", "lang", "expected"), [
    ('"https://gs.example/{lang}/notice.html"', "en", "https://gs.example/en/notice.html"),
    ("{de: 'https://gs.example/datenschutz', en: 'https://gs.example/en/privacy'}", "en",
     "https://gs.example/en/privacy"),
    ("{de: 'https://gs.example/datenschutz'}", "en", "https://gs.example/datenschutz"),
])
def test_notice_url_per_language(tmp_path: Path, catalog: Catalog, setting: str, lang: str,
                                 expected: str) -> None:
    notice = build(tmp_path, catalog, VALID + f"publish:\n  notice_url: {setting}\n")
    assert notice_url(notice, lang) == expected


def test_no_qr_code_without_a_notice_url(web_built: Path) -> None:
    html = (web_built / "loewentor-bleicherode" / "de" / "consent.html").read_text("utf-8")
    assert 'class="qr"' not in html


def test_qr_code_on_the_printed_sheet_leads_to_the_notice(built: Path, tmp_path: Path) -> None:
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        if os.environ.get("CI"):
            pytest.fail("pdftoppm is missing: CI installs poppler-utils")
        pytest.skip("needs pdftoppm (apt-get install poppler-utils) to render the PDF page")
    import zxingcpp
    from PIL import Image

    consent = built / EXAMPLE / "de" / "consent.pdf"
    subprocess.run([pdftoppm, "-r", "150", "-png", "-singlefile", str(consent),
                    str(tmp_path / "page")], check=True)
    codes = zxingcpp.read_barcodes(Image.open(tmp_path / "page.png"))
    assert [(c.format.name, c.text) for c in codes] == [("QRCode", EXAMPLE_URL)]
    assert f"Die Datenschutzhinweise finden Sie auch online: {EXAMPLE_URL}" in pdf_text(consent)


def test_logo_on_notice_and_consent_sheet(web_built: Path) -> None:
    for name in ("notice.html", "consent.html"):
        html = (web_built / EXAMPLE / "de" / name).read_text("utf-8")
        assert re.search(r'<img class="logo" data-site src="data:image/png;base64,[A-Za-z0-9+/=]+" '
                         r'alt="Logo des Beispiel-Gymnasiums Musterstadt">', html), name


@pytest.mark.parametrize(("logo", "message"), [
    ("/etc/passwd", "'/etc/passwd' is not a path inside the folder of the school files: write it "
                    "relative to that folder, without '..', e.g. logos/gs-am-park.png"),
    ("../catalog/logo.png", "'../catalog/logo.png' is not a path inside the folder of the school "
                            "files: write it relative to that folder, without '..', e.g. "
                            "logos/gs-am-park.png"),
    ("logos/../../x.png", "'logos/../../x.png' is not a path inside the folder of the school "
                          "files: write it relative to that folder, without '..', e.g. "
                          "logos/gs-am-park.png"),
    ("logo.svg", "'logo.svg' is not a PNG or JPEG file (.png, .jpg)"),
    ("logos/missing.png", "there is no file schools/logos/missing.png"),
    ("outside.png", "'outside.png' leads outside the folder schools/ (through a symbolic link): "
                    "the logo must be a file inside it"),
    ("fake.png", f"'fake.png' {UNREADABLE}"),
    # only the first bytes of a PNG; a PNG cut short; a PNG header that says 12000 x 12000
    # (such a picture is 140 KB as PNG and 385 MB in every PDF)
    ("magic.png", f"'magic.png' {UNREADABLE}"),
    ("truncated.png", f"'truncated.png' {UNREADABLE}"),
    ("huge.png", "'huge.png' is 12000 x 12000 pixels, more than the limit of 4000 x 4000: make it "
                 "smaller (a logo needs some 600 pixels across)"),
    ("wide.jpg", "'wide.jpg' is 4001 x 1 pixels, more than the limit of 4000 x 4000: make it "
                 "smaller (a logo needs some 600 pixels across)"),
    ("gif.png", f"'gif.png' {UNREADABLE}"),
])
def test_logo_only_from_inside_the_project(project: Path, logo: str, message: str) -> None:  # noqa: F811
    (project / "secret.png").write_bytes(b"\x89PNG\r\n\x1a\n secret")
    (project / "schools" / "outside.png").symlink_to(project / "secret.png")
    (project / "schools" / "fake.png").write_text("<svg/>", encoding="utf-8")
    (project / "schools" / "magic.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 200)
    noise = image_bytes("PNG", (300, 100), noise=True)
    (project / "schools" / "truncated.png").write_bytes(noise[: len(noise) // 2])
    (project / "schools" / "huge.png").write_bytes(png_header(12000, 12000))
    (project / "schools" / "wide.jpg").write_bytes(image_bytes("JPEG", (4001, 1)))
    (project / "schools" / "gif.png").write_bytes(image_bytes("GIF", (10, 10)))
    school = project / "schools" / "gs-park.yaml"
    school.write_text(VALID + f"publish:\n  logo: {logo}\n", encoding="utf-8")
    result = run(project, "check")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [f"schools/gs-park.yaml:19:9: error: publish.logo: {message}",
                                          "1 problem found; no files were written."]


def image_bytes(kind: str, size: tuple[int, int], *, noise: bool = False) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    image = (Image.frombytes("RGB", size, random.Random(1).randbytes(size[0] * size[1] * 3))
             if noise else Image.new("RGB", size, "navy"))
    image.save(buffer, kind)
    return buffer.getvalue()


def png_header(width: int, height: int) -> bytes:
    """The signature and header chunk of a PNG of this size, and no pixels."""
    chunk = b"IHDR" + struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk))


def test_a_good_logo_is_taken_as_it_is(project: Path) -> None:  # noqa: F811
    data = image_bytes("PNG", (4000, 40))
    (project / "schools" / "logo.png").write_bytes(data)
    school = project / "schools" / "gs-park.yaml"
    school.write_text(VALID + "publish:\n  logo: logo.png\n", encoding="utf-8")
    notice = load_school(school, load_catalog(ROOT / "catalog"))
    assert logo_data_uri(notice) == "data:image/png;base64," + base64.b64encode(data).decode()


@pytest.mark.parametrize("logo", ["logos/a\0.png", "x" * 300 + ".png", "loop.png"])
def test_a_logo_path_that_cannot_be_opened_is_one_message(tmp_path: Path, logo: str) -> None:
    """Past the model's check (a value made in code, not read from a file): still no traceback."""
    (tmp_path / "loop.png").symlink_to(tmp_path / "loop.png")
    notice = SimpleNamespace(path=tmp_path / "gs-park.yaml",
                             school=SimpleNamespace(publish=SimpleNamespace(logo=logo)))
    with pytest.raises(BuildError) as info:
        logo_data_uri(notice)  # type: ignore[arg-type]
    assert str(info.value) == f"'{shown(logo)}' cannot be opened as a file: check the name"


# ---------------------------------------------------------------------------- fragment, JSON


@pytest.mark.parametrize("school", SCHOOLS)
def test_fragment_is_body_content_with_scoped_styles(web_built: Path, school: str) -> None:
    fragment = (web_built / school / "de" / "notice.fragment.html").read_text("utf-8")
    for tag in ("html", "head", "body", "main", "link", "script", "meta", "title"):
        assert not re.search(rf"<{tag}[\s>]", fragment), tag
    assert 'style="' not in fragment
    assert re.search(rf'^<div class="{SCOPE}" lang="de" dir="ltr">$', fragment, re.M)
    assert fragment.rstrip().endswith("</div>")
    styles = re.findall(r"<style>(.*?)</style>", fragment, re.S)
    assert len(styles) == 1
    assert unscoped(styles[0]) == []
    assert "font-family" not in styles[0]  # the website's own font is used
    page = (web_built / school / "de" / "notice.html").read_text("utf-8")
    assert re.findall(r'<section id="(\w+)">', fragment) == re.findall(r'<section id="(\w+)">', page)


def test_fragment_leaves_out_our_own_site(web_built: Path) -> None:
    """The logo and the link to our German page belong to our site, not to a CMS page."""
    page = (web_built / EXAMPLE / "en" / "notice.html").read_text("utf-8")
    fragment = (web_built / EXAMPLE / "en" / "notice.fragment.html").read_text("utf-8")
    assert page.count("data-site") == 2  # the logo, the link to the German page
    assert '<img class="logo"' in page
    assert '<img class="logo"' not in fragment
    assert 'hreflang="de" data-site>' in page
    assert 'hreflang="de"' not in fragment
    binding = re.search(r'<p class="binding" role="note">(.*?)</p>', fragment, re.S)
    assert binding is not None
    assert re.fullmatch(r"This is a translation of the German version \(version [0-9a-f]{8}\)\. "
                        r"Only the German version is legally binding\.", binding[1].strip())


def unscoped(css: str) -> list[str]:
    """Selectors of `css` that are not limited to the fragment's wrapper, and foreign at-rules."""
    bad = []
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    while rules:
        rule = rules.pop()
        if rule.type == "at-rule" and rule.lower_at_keyword == "media":
            rules.extend(tinycss2.parse_rule_list(rule.content, skip_comments=True,
                                                  skip_whitespace=True))
        elif rule.type == "qualified-rule":
            selectors = tinycss2.serialize(rule.prelude).split(",")
            bad += [s for s in selectors if not re.match(rf"\s*\.{SCOPE}(?![\w-])", s)]
        else:
            bad.append(tinycss2.serialize([rule]))
    return bad


@pytest.mark.parametrize(("css", "expected"), [
    (":root { --a: red }", f".{SCOPE} {{ --a: red }}\n"),
    ("* { box-sizing: border-box }", f".{SCOPE}, .{SCOPE} * {{ box-sizing: border-box }}\n"),
    ("main > section > h2::before { content: counter(s) \". \" }",
     f".{SCOPE} > section > h2::before {{ content: counter(s) \". \" }}\n"),
    ("h2, .a p { margin: 0 }", f".{SCOPE} h2, .{SCOPE} .a p {{ margin: 0 }}\n"),
    ("body { font-family: X; color: #111 }", f".{SCOPE} {{ color: #111 }}\n"),
    ("p { font-family: X }", ""),
    ("@font-face { font-family: X; src: url(x.woff2) } @import url(y.css);", ""),
    ("@media (max-width: 30rem) { h1 { font-size: 1rem } }",
     f"@media (max-width: 30rem) {{ .{SCOPE} h1 {{ font-size: 1rem }} }}\n"),
    ("mainly { color: red }", f".{SCOPE} mainly {{ color: red }}\n"),
])
def test_scope_css(css: str, expected: str) -> None:
    assert scope_css(css) == expected


def test_notice_json(built: Path) -> None:
    folder = built / EXAMPLE / "de"
    data = json.loads((folder / "notice.json").read_text("utf-8"))
    version = version_of(folder / "notice.pdf")
    assert {k: v for k, v in data.items() if k not in ("sections", "facts")} == {
        "format": "dsinfo-notice/2",
        "kind": "notice",
        "school": {"id": EXAMPLE, "name": "Beispiel-Gymnasium Musterstadt"},
        "language": "de",
        "dir": "ltr",
        "title": "Datenschutzhinweise zur Nutzung von IServ",
        "school_year": "2025/26",
        "stand": "2025-08-01",
        "version": version,
        "content_hash": data["content_hash"],
        "url": EXAMPLE_URL,
    }
    assert re.fullmatch(rf"sha256:{version}[0-9a-f]{{56}}", data["content_hash"])
    facts = data["facts"]  # what `diff` compares between school years, in binding German
    assert sorted(facts) == ["activities", "authority", "consents", "data", "law", "legal_basis",
                             "processors", "purposes", "recipients", "transfers"]
    assert facts["activities"] == ["IServ Schulplattform"]
    assert facts["law"] == "DSGVO"
    assert facts["legal_basis"] == "Art. 6 Abs. 1 UAbs. 1 lit. e, Abs. 3 DSGVO i.V.m. § 31 NSchG"
    assert facts["authority"] == "Der Landesbeauftragte für den Datenschutz Niedersachsen"
    assert facts["consents"] == ["Fotos auf der Website der Schule", "Klassenfoto",
                                 "Kontaktliste der Klasse"]
    assert facts["purposes"][0] == {
        "text": "Bereitstellung einer webbasierten Lernplattform, an der sich Nutzerinnen und "
                "Nutzer von verschiedenen Endgeräten aus anmelden können",
        "basis": "statute", "activity": "IServ",
        "citation": "Art. 6 Abs. 1 UAbs. 1 lit. e, Abs. 3 DSGVO i.V.m. § 31 NSchG"}
    (email,) = [d for d in facts["data"] if d["label"] == "E-Mails (Inhalte und Verbindungsdaten)"]
    assert email["origin"] == "use"
    assert email["retention"].startswith("Bis zur")
    page = (folder / "notice.html").read_text("utf-8")
    ids = re.findall(r'<section id="(\w+)">', page)
    assert [s["id"] for s in data["sections"]] == ["intro", *ids, "end"]  # end: the origin note
    controller = data["sections"][1]
    assert controller["title"] == "1. Verantwortliche Stelle"
    assert "Beispiel-Gymnasium Musterstadt\nMusterweg 1\n00000 Musterstadt" in controller["text"]
    assert controller["html"].startswith("<p>Verantwortlich für die Verarbeitung")
    assert "<h2>" not in controller["html"]


def test_a_truncated_logo_is_refused_whatever_weasyprint_set(project: Path,  # noqa: F811
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """WeasyPrint turns on Pillow's LOAD_TRUNCATED_IMAGES for the whole process when it is
    imported: the logo check refuses a truncated file all the same, and leaves the switch as
    it found it."""
    from PIL import ImageFile

    from dsinfo import publish

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    publish._decoded_logo.cache_clear()
    noise = image_bytes("PNG", (300, 100), noise=True)
    (project / "schools" / "truncated.png").write_bytes(noise[: len(noise) // 2])
    (project / "schools" / "gs-park.yaml").write_text(VALID + "publish:\n  logo: truncated.png\n",
                                                      encoding="utf-8")
    result = run(project, "check")
    assert result.stderr.splitlines()[0] == (
        f"schools/gs-park.yaml:19:9: error: publish.logo: 'truncated.png' {UNREADABLE}")
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True
