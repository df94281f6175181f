"""The register of processing activities (Art. 30 DSGVO): every element in every entry, made
from the same facts as the notice, never under output/, and its own check."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from dsinfo import records
from dsinfo.compose import german

from .conftest import pdf_text
from .project import EXAMPLES, ROOT, VALID, catalog, german_pages, make_project, notice_of, run

# the columns holding the elements of Art. 30 Abs. 1 lit. a to g, and the legal basis
ELEMENTS = tuple(records.neutral(label) for key, label in records.COLUMNS
                 if key not in ("number", "name", "description", "location"))


def rows(path: Path) -> dict[str, list[dict[str, str]]]:
    """Each sheet of a spreadsheet as rows by their column heading (the cover: label -> value)."""
    book = load_workbook(path, read_only=True)
    sheets: dict[str, list[dict[str, str]]] = {}
    for sheet in book.worksheets:
        values = [[c if c is not None else "" for c in row] for row in sheet.iter_rows(values_only=True)]
        if sheet.title == "Deckblatt":
            sheets[sheet.title] = [{str(r[0]): str(r[1]) for r in values[2:]}]
        else:
            headings = [records.neutral(str(h)) for h in values[0]]  # the same under any law
            sheets[sheet.title] = [dict(zip(headings, map(str, r), strict=True)) for r in values[1:]]
    return sheets


# the tests of the examples' registers share one fixture that writes the five registers with
# their PDFs (about 25 s): they are in the full run, not in the quick subset
slow = pytest.mark.slow


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = make_project(tmp_path_factory.mktemp("examples"), examples=True)
    for sid in EXAMPLES:
        result = run(project, "register", "--school", sid)
        assert result.code == 0, result.stderr
        assert result.stdout.startswith("Wrote the register of processing activities (")
        assert result.stdout.endswith(f"to private/{sid}/: verzeichnis.xlsx, verzeichnis.pdf, "
                                      "verzeichnis.html.\n")
    return project


@slow
@pytest.mark.parametrize("sid", EXAMPLES)
def test_every_entry_has_every_element_of_article_30(examples: Path, sid: str) -> None:
    notice = notice_of(examples, catalog(), (examples / "schools" / f"{sid}.yaml").read_text("utf-8"), sid)
    sheets = rows(examples / "private" / sid / "verzeichnis.xlsx")
    cover = sheets.pop("Deckblatt")[0]
    assert cover["Verantwortlicher"].startswith(notice.school.school.name + "\n")
    assert notice.school.dpo is not None
    assert notice.school.dpo.email in cover["Datenschutzbeauftragte/r"]
    entries = [row for sheet in sheets.values() for row in sheet]
    assert [e["Verarbeitungstätigkeit"] for e in entries] == [
        german(a.name) for a in notice.activities]
    for entry in entries:
        for element in ELEMENTS:
            assert entry[element].strip(), (entry["Verarbeitungstätigkeit"], element)
            assert records.MISSING not in entry[element], (entry["Verarbeitungstätigkeit"], element)
        assert entry["Verantwortlicher"].startswith(notice.school.school.name)
        assert entry["Stand des Eintrags"] == notice.school.stand.isoformat()
    assert {e["Version"] for e in entries} == {cover["Version"]}
    text = pdf_text(examples / "private" / sid / "verzeichnis.pdf")
    page = (examples / "private" / sid / "verzeichnis.html").read_text("utf-8")
    for entry in entries:
        assert entry["Verarbeitungstätigkeit"] in text
        assert entry["Verarbeitungstätigkeit"] in page


@slow
def test_each_law_its_provision(examples: Path) -> None:
    """A church school's register cites its church law, not the letters of Art. 30 DSGVO."""
    for sid, provision, heading in (
            ("gesamtschule-am-fluss", "Art. 30 DSGVO", "Verantwortlicher (lit. a)"),
            ("ev-grundschule-beispielhausen", "§ 31 DSG-EKD", "Verantwortlicher")):
        book = load_workbook(examples / "private" / sid / "verzeichnis.xlsx", read_only=True)
        cover = list(book["Deckblatt"].iter_rows(values_only=True))
        assert cover[0][0] == f"Verzeichnis von Verarbeitungstätigkeiten ({provision})"
        headings = next(book.worksheets[1].iter_rows(values_only=True))
        assert heading in headings
        assert f"nach {provision} · Stand" in pdf_text(examples / "private" / sid / "verzeichnis.pdf")


@slow
def test_the_sheets_group_the_activities(examples: Path) -> None:
    sheets = rows(examples / "private" / "bbs-musterhafen" / "verzeichnis.xlsx")
    assert {name: [e["Verarbeitungstätigkeit"] for e in rows_] for name, rows_ in sheets.items()
            if name != "Deckblatt"} == {
        "Plattformen": ["WebUntis", "Moodle"],
        "Eigene Systeme": ["Personal- und Unterrichtsverwaltung der Schule"],
        "Website": ["Website der Schule"]}


@slow
def test_nothing_of_the_register_is_published(examples: Path, built: Path) -> None:
    assert not list(built.rglob("verzeichnis*"))
    assert "verzeichnis" not in " ".join(p.read_text("utf-8") for p in built.rglob("*.html"))
    refused = run(examples, "register", "--school", "bbs-musterhafen", "--out", "output/intern")
    assert refused.code == 2
    assert refused.stderr.splitlines()[-1] == (
        "Error: Invalid value for --out: output/intern is inside output/, the folder for the website: "
        "the register of processing activities is an internal document")
    assert not (examples / "output").exists()


@slow
def test_the_same_register_gives_the_same_spreadsheet(examples: Path, tmp_path: Path) -> None:
    again = run(examples, "register", "--school", "gesamtschule-am-fluss", "--out", str(tmp_path))
    assert again.code == 0, again.stderr
    assert (tmp_path / "verzeichnis.xlsx").read_bytes() == (
        examples / "private" / "gesamtschule-am-fluss" / "verzeichnis.xlsx").read_bytes()


def test_register_and_notice_state_the_same_change(tmp_path: Path) -> None:
    """A retention period and a processor changed in the school file: both documents say so."""
    school = VALID + """\
systems:
  verwaltung:
    name: Schulverwaltungsprogramm
    location: Server der Schule
    groups: [pupils]
    data:
      - label: Name und Klasse
        source: person
        retention: fünf Jahre nach dem Verlassen der Schule
    purposes:
      - text: Führung der Schülerakten
        basis: statute
    processors:
      - name: IT-Dienst Erfurt
        city: Erfurt
        task: Wartung des Servers
        location: Erfurt
    measures:
      - Zugriff nur für das Sekretariat
"""
    changed = school.replace("fünf Jahre nach", "sieben Jahre nach").replace(
        "IT-Dienst Erfurt", "Kommunales Rechenzentrum Thüringen")
    for text, retention, processor in ((school, "fünf Jahre", "IT-Dienst Erfurt"),
                                       (changed, "sieben Jahre", "Kommunales Rechenzentrum Thüringen")):
        notice = german_pages(tmp_path, text)["notice"]
        register = records.register_of(notice_of(tmp_path, catalog(), text))
        entry = next(e for e in register.entries if e.name == "Schulverwaltungsprogramm")
        assert f"Name und Klasse: {retention} nach dem Verlassen der Schule" in entry.erasure
        assert any(processor in r for r in entry.recipients)
        assert f"{retention} nach dem Verlassen der Schule" in notice
        assert processor in notice


def test_what_an_entry_lacks_is_named_and_nothing_is_written(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"gs-park": VALID + """\
systems:
  mensa:
    name: Mensa
    groups: [pupils]
    data:
      - label: Name
        source: person
        retention: TODO
    purposes:
      - text: Essensbestellung
        basis: consent
"""})
    result = run(project, "register", "--school", "gs-park")
    assert result.code == 1
    assert result.stdout.splitlines() == [
        "schools/gs-park.yaml:19:3: error: Mensa: the register describes the technical and "
        "organisational measures (Art. 30 Abs. 1 lit. g, Art. 32 DSGVO), and none are known "
        "[art30.measures]",
        "    what to do: Add 'measures:' to Mensa in the school file: e.g. access rights, "
        "encryption, backups, who administers it.",
        "schools/gs-park.yaml:25:9: warning: Mensa: no erasure period for 'Name' (Art. 30 Abs. 1 "
        "lit. f DSGVO) [art30.erasure]",
        "    what to do: Give the retention of these data in the school file.",
    ]
    assert result.stderr == "The register was not written: 1 error, 1 warning.\n"
    assert not (project / "private").exists()


@slow
def test_the_register_speaks_german_by_default(examples: Path) -> None:
    result = run(examples, "--lang", "de", "register", "--school", "ev-grundschule-beispielhausen")
    assert result.code == 0, result.stderr
    assert result.stdout.startswith("Verzeichnis von Verarbeitungstätigkeiten (2 Tätigkeiten, Version ")


@slow
def test_the_readme_shows_the_register_as_it_is(examples: Path) -> None:
    result = run(examples, "--lang", "de", "register", "--school", "gesamtschule-am-fluss")
    readme = (ROOT / "README.md").read_text("utf-8")
    shown = readme.split("python build.py register --school gesamtschule-am-fluss\n", 1)[1].split("```")[0]
    assert " ".join(line.removeprefix("# ") for line in shown.splitlines()) == result.stdout.strip()


def test_a_provision_the_catalog_does_not_know_is_asked_for(tmp_path: Path) -> None:
    """The KDG's provision on the register is not in the catalog: the register names the law
    only, and the check asks for the provision until the school gives it."""
    church = (ROOT / "schools" / "ev-grundschule-beispielhausen.yaml").read_text("utf-8").replace(
        "church_law: dsg_ekd", "church_law: kdg").replace("authority: bfd_ekd", "authority: kdsa_nord")
    notice = notice_of(tmp_path, catalog(), church)
    register = records.register_of(notice)
    assert (register.provision, register.title) == (None, "Verzeichnis von Verarbeitungstätigkeiten (KDG)")
    assert [(f.id, f.severity, str(f.message)) for f in records.findings(notice)] == [
        ("art30.provision", "warning", "the provision of KDG on the register of processing "
                                       "activities is not known to the catalog")]
    given = notice_of(tmp_path, catalog(),
                      church.replace("state: NI", 'state: NI\nlaw_refs: {records: "§ nn KDG"}'))
    assert records.register_of(given).title == "Verzeichnis von Verarbeitungstätigkeiten (§ nn KDG)"
    assert records.findings(given) == []
