"""Hostile text in every field of a school file: escaped in the HTML, inert in the PDF.

Other layers have their own tests: Markdown in test_render.py, the PDF URL fetcher in
test_pdf.py, translations in test_i18n.py, output paths in test_write.py.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pypdf import PdfReader

from dsinfo.model import School
from dsinfo.pipeline import Options, build
from dsinfo.project import Project

from .conftest import pdf_text
from .project import make_project
from .school_data import FULL, dump, map_texts, unset_fields
from .test_pdf import PNG

# Tags and attributes that would run script, fetch a file or attach it to the PDF
PAYLOAD = ('<script>alert("x")</script><img src="file:///etc/passwd" onerror="alert(1)">'
           '<link rel="attachment" href="file:///etc/hostname"><a rel="attachment" '
           'href="file:///etc/passwd">a</a> [link](javascript:alert(1)) & \'quote\'')
# Not printed, on purpose: the notice names the Schulträger, the Schulaufsicht, a system's
# vendor and an embedded service's provider without their address; the roster's column names are
# read from the CSV export; the logo (with its alt text) is on the PDFs only; the technical
# measures (Art. 32 DSGVO) belong in the register, not the notice; the note on a confirmation
# of the statute is the school's record for the check.
NOT_PRINTED = sorted([
    "[publish.logo_alt.de]", "[publish.logo_alt.en]",
    "[documents.5.title.en]",  # Leichte Sprache is made in German only
    *(f"[roster_columns.{c}]" for c in ("birth_date", "first_name", "language", "last_name",
                                         "school_class")),
    *(f"[{who}.{f}]" for who in ("school_authority", "school_supervision", "systems.verwaltung.vendor",
                                  "website.embeds.0.provider")
      for f in ("city", "street", "country.de", "country.en")),
    *(f"[{use}.{f}.{lang}]" for use in ("platforms.iserv", "systems.verwaltung")
      for f in ("measures.0", "statute_confirmed.note") for lang in ("de", "en"))])


class _Tags(HTMLParser):
    """Every start tag of a page with its attributes, as a browser would see them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))


def dangerous_tags(html: str) -> list[str]:
    """Tags that run script, load something from outside or attach a file, in whatever case or
    spacing; the templates' own stylesheet links and data: images are fine."""
    parser = _Tags()
    parser.feed(html)
    found = []
    for tag, attrs in parser.tags:
        values = list(attrs.values())
        loads = [attrs.get("src", ""), attrs.get("href", "")] if tag in ("img", "link") else []
        if (tag in ("script", "iframe", "object", "embed", "base")
                or any(name.startswith("on") for name in attrs)
                or "attachment" in attrs.get("rel", "")
                or any(re.match(r"\s*(javascript:|vbscript:|file:|data:text/)", v, re.I) for v in values)
                or any(re.match(r"\s*(https?:)?//", u, re.I) for u in loads)):
            found.append(f"<{tag} {attrs}>")
    return found


def marker(path: tuple[str, ...]) -> str:
    return "[" + ".".join(path) + "]"


HOSTILE = map_texts(FULL, lambda path, _: marker(path) + PAYLOAD)


def test_the_check_finds_raw_payload() -> None:
    assert len(dangerous_tags(PAYLOAD)) == 4  # script, img (with onerror), link, a rel=attachment


def test_full_school_uses_every_field() -> None:
    assert unset_fields(School.model_validate(FULL)) == []


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hostile school, built with PDFs: the fetcher would refuse any file the text smuggled in."""
    project = make_project(tmp_path_factory.mktemp("project"))
    (project / "schools" / "gs-park.yaml").write_text(dump(HOSTILE), encoding="utf-8")
    (project / "schools" / "logo.png").write_bytes(PNG)
    out = project / "output"
    # a draft: the hostile school is built whatever the check says of it
    summary = build(Project(project), out, options=Options(jobs=1, draft=True))
    assert not summary.problems, summary.problems
    assert not summary.failed, summary.failed
    # no refused fetch, no missing image (texts shown in German in English are expected)
    assert [w for r in summary.results.values() for w in r.warnings if "shown in German" not in str(w)] == []
    return out


@pytest.mark.slow  # the hostile school built with PDFs: about 14 s for the three
def test_no_markup_from_the_school_file_in_html(site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 6  # the documents in two languages, the school's and the site's index
    for page in pages:
        assert dangerous_tags(page.read_text(encoding="utf-8")) == [], page


@pytest.mark.slow  # the hostile school built with PDFs: about 14 s for the three
def test_every_shown_text_arrives_escaped(site: Path) -> None:
    html = " ".join(p.read_text(encoding="utf-8") for p in site.rglob("*.html"))
    shown = set(re.findall(r"\[[a-z_.0-9]+\](?=&lt;script&gt;alert\()", html))
    texts: list[str] = []
    map_texts(FULL, lambda path, value: texts.append(marker(path)) or value)
    assert sorted(set(texts) - shown) == NOT_PRINTED


@pytest.mark.slow  # the hostile school built with PDFs: about 14 s for the three
def test_pdf_is_inert(site: Path) -> None:
    pdfs = sorted(site.rglob("*.pdf"))
    assert len(pdfs) >= 4
    for path in pdfs:
        reader = PdfReader(path)
        root = reader.trailer["/Root"]
        names = root.get("/Names", {})
        assert not {"/EmbeddedFiles", "/JavaScript"} & set(names)
        assert not {"/OpenAction", "/AA"} & set(root)
        for page in reader.pages:
            for annot in page.get("/Annots") or []:
                action = annot.get_object().get("/A", {})
                assert action.get("/S") in (None, "/URI", "/GoTo"), action
                assert re.match(r"(https?:|mailto:|$)", str(action.get("/URI", ""))), action
        assert '<script>alert("x")</script>' in pdf_text(path)
