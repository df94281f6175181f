"""Roster sheets laid out once per variant and filled per pupil: every name read back from its
own sheet and from no other, fonts embedded, the same bytes twice, tokens without names."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
from pypdf import PdfReader

from dsinfo.consentdb import Register
from dsinfo.scan import find_token, open_sources, picture
from dsinfo.sheets import Layout, Spot, Token, school_code

from .conftest import ROOT
from .project import example_project, make_project, run

SCHOOL = "beispiel-gymnasium-musterstadt"
HEADER = "Nachname;Vorname;Klasse;Geburtsdatum;Sprache"
ROWS = [
    "Müller;Anna;5a;02.03.2015;",
    "Yılmaz;Elif;5a;01.03.2011;Türkisch",
    "Özdemir;Can;10b;01.03.2005;",
    "Abadi;Layla;5a;2012-02-29;ar",
    "Koval;Olha;10b;14.07.2009;uk",
    "Schmidt;Ben;5a;30.11.2014;",
]


def roster_csv(folder: Path, rows: list[str] = ROWS) -> Path:
    path = folder / "roster.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """The roster command on the example school with a QR link, logo and three consents."""
    folder = tmp_path_factory.mktemp("sheets")
    csv_path = roster_csv(folder)
    result = run(
        example_project(),
        "roster",
        "--school",
        SCHOOL,
        "--csv",
        str(csv_path),
        "--out",
        str(folder / "out"),
        "--register",
        str(folder / "register.sqlite"),
    )
    assert result.returncode == 0, result.stderr
    return folder, folder / "out", folder / "register.sqlite"


def page_texts(path: Path) -> list[str]:
    return [" ".join((page.extract_text() or "").split()) for page in PdfReader(path).pages]


def test_every_name_on_its_own_sheet_and_no_other(printed: tuple[Path, Path, Path]) -> None:
    _, out, _ = printed
    names = {row.split(";")[0]: row.split(";")[1] for row in ROWS}
    found: dict[str, int] = {}
    for pdf in (out / "5a.pdf", out / "10b.pdf"):
        for text in page_texts(pdf):
            on_page = [last for last in names if last in text]
            assert len(on_page) <= 1, on_page  # never another pupil's name on a page
            match = re.search(r"(\S+), (\S+) · (\d+[a-z])\b", text)
            if match:
                assert names[match[1]] == match[2]
                found[match[1]] = found.get(match[1], 0) + 1
    assert found == dict.fromkeys(names, 1)  # every pupil exactly one sheet


def test_checklist_lists_the_class(printed: tuple[Path, Path, Path]) -> None:
    _, out, _ = printed
    # in reading order (poppler sorts by position: the filled text is drawn after the sheet's)
    text = " ".join(
        subprocess.run(
            ["pdftotext", str(out / "5a-checklist.pdf"), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert text.startswith("Beispiel-Gymnasium Musterstadt Rücklaufliste der Klasse 5a")
    assert re.findall(r"\d (\S+), (\S+)", text) == [
        ("Abadi", "Layla"),
        ("Müller", "Anna"),
        ("Schmidt", "Ben"),
        ("Yılmaz", "Elif"),
    ]
    assert "4 Schülerinnen und Schüler" in text


def _fonts(resources: object, seen: set[int]) -> list[object]:
    fonts = []
    if not hasattr(resources, "get"):
        return fonts
    for font in (resources.get("/Font") or {}).values():  # type: ignore[attr-defined]
        fonts.append(font.get_object())
    for xobject in (resources.get("/XObject") or {}).values():  # type: ignore[attr-defined]
        obj = xobject.get_object()
        if id(obj) not in seen and obj.get("/Subtype") == "/Form":
            seen.add(id(obj))
            fonts.extend(_fonts(obj.get("/Resources"), seen))
    return fonts


def test_fonts_embedded(printed: tuple[Path, Path, Path]) -> None:
    _, out, _ = printed
    for pdf in sorted(out.glob("*.pdf")):
        for page in PdfReader(pdf).pages:
            fonts = _fonts(page.get("/Resources"), set())
            assert fonts, pdf
            for font in fonts:
                descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
                descriptor = descendant["/FontDescriptor"]
                assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), pdf


@pytest.mark.slow  # prints the class sheets again: about 3 s
def test_same_bytes_twice_readable_by_owner_only(printed: tuple[Path, Path, Path]) -> None:
    folder, out, register = printed
    again = folder / "again"
    result = run(
        example_project(),
        "roster",
        "--school",
        SCHOOL,
        "--csv",
        str(folder / "roster.csv"),
        "--out",
        str(again),
        "--register",
        str(register),
    )
    assert result.returncode == 0, result.stderr
    assert (
        sorted(p.name for p in out.iterdir())
        == sorted(p.name for p in again.iterdir())
        == ["10b-checklist.pdf", "10b.pdf", "5a-checklist.pdf", "5a.pdf"]
    )
    for path in out.iterdir():
        assert (again / path.name).read_bytes() == path.read_bytes(), path.name
        assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_qr_token_names_the_register_number_not_the_pupil(printed: tuple[Path, Path, Path]) -> None:
    _, out, register_path = printed
    (source,) = open_sources([out / "10b.pdf"])
    with Register.open(register_path) as register:
        numbers = dict(register.db.execute("SELECT last_name, number FROM pupils").fetchall())
        versions = dict(register.db.execute("SELECT pupil, version FROM sheets").fetchall())
    tokens = []
    for page in range(source.pages):
        found, _ = find_token(picture(source, page))
        assert found is not None
        tokens.append(found.token)
    koval, oezdemir = numbers["Koval"], numbers["Özdemir"]
    # 10b: Koval (bilingual, three pages), then Özdemir (German, two pages)
    assert tokens == [Token(school_code(SCHOOL), koval, versions[koval], p) for p in (1, 2, 3)] + [
        Token(school_code(SCHOOL), oezdemir, versions[oezdemir], p) for p in (1, 2)
    ]
    assert str(tokens[0]) == f"DS1-{school_code(SCHOOL)}-{koval}-{versions[koval].upper()}-1"
    assert not any(name in str(t) for t in tokens for name in ("Koval", "Olha", "Özdemir", "Can"))


def test_the_register_keeps_each_sheets_layout(printed: tuple[Path, Path, Path]) -> None:
    """The boxes the scan reads come from the template's markers: a Yes and a No per consent
    and the acknowledgement, on the pages WeasyPrint put them."""
    _, _, register_path = printed
    with Register.open(register_path) as register:
        layouts = [Layout.from_json(row[0]) for row in register.db.execute("SELECT data FROM layouts")]
    # German (the guardians sign, or the pupil beside the guardians, who sign for their own data
    # on the class contact list: the same places), Turkish, Arabic, Ukrainian
    assert len(layouts) == 4
    for layout in layouts:
        names = sorted(b.name for b in layout.boxes)
        assert names == sorted(
            [
                "acknowledgement:yes",
                *(
                    f"{c}:{a}"
                    for c in ("photos_website", "class_photo", "class_contact_list")
                    for a in ("yes", "no")
                ),
            ]
        )
        assert {m.name for m in layout.marks if m.page == 0} == {"top-left", "bottom-left", "bottom-right"}
        assert all(abs(b.width / 72 * 25.4 - 4.7) < 0.05 for b in layout.boxes)  # 4 mm and a 1 pt frame
        assert [f.name for f in layout.fields if f.page == 0][:2] == ["token", "name_and_class"]
        assert Layout.from_json(layout.to_json()) == layout


@pytest.mark.parametrize(
    "text",
    [
        "DS1-3F90-0-4AF50143-1",
        "DS1-3f90-4-4AF50143-1",
        "DS1-3F90-4-4AF50143",
        "https://example.org",
        "DS1-3F90-4-4AF50143-1 extra",
    ],
)
def test_tokens_that_are_not_ours(text: str) -> None:
    assert Token.parse(text) is None


def test_a_school_template_that_moves_things_still_fills(tmp_path: Path) -> None:
    """A school's own roster_sheet.html: the fields and boxes are found where it puts them."""
    project = make_project(tmp_path / "project", examples=True)
    own = project / "templates" / "schools" / SCHOOL
    own.mkdir(parents=True)
    sheet = (ROOT / "templates" / "roster_sheet.html").read_text(encoding="utf-8")
    # the pupil's name on a line of its own above the title
    (own / "roster_sheet.html").write_text(
        sheet.replace(
            '<header class="doc">',
            '<p><span class="line" data-field="name_and_class" style="display: block; '
            'height: 8mm"></span></p>\n<header class="doc">',
        ),
        encoding="utf-8",
    )
    csv_path = roster_csv(tmp_path, ROWS[:1])
    result = run(project, "roster", "--school", SCHOOL, "--csv", str(csv_path), "--out",
                 str(tmp_path / "out"), "--register", str(tmp_path / "r.sqlite"))
    assert result.returncode == 0, result.stderr
    first = page_texts(tmp_path / "out" / "5a.pdf")[0]
    assert first.count("Müller, Anna · 5a") == 2  # in the school's place and in the sheet's


def test_spot_centre() -> None:
    assert Spot(page=0, name="x", x=10, y=20, width=4, height=6).center == (12, 23)
    assert np.allclose(np.array(Spot(0, "m", 0, 0, 2, 2).center), [1, 1])
