"""Rosters: the age rule on boundary dates, CSV dialects and encodings, clear errors with CSV
lines, pre-filled sheets per class, and nothing of the roster under output/."""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import re
from pathlib import Path

import pytest

from dsinfo.errors import InputError
from dsinfo.model import AgeRule, RosterColumns
from dsinfo.roster import MAX_ROSTER_BYTES, age_on, by_class, file_stem, read_roster, signers_for

from .conftest import check_golden, pdf_pages
from .project import make_project, run

RULE = AgeRule(guardians_only_under=14, pupil_alone_from=18)
STAND = dt.date(2023, 3, 1)


@pytest.mark.parametrize(("birth", "on", "age"), [
    ("2009-03-01", "2023-03-01", 14),   # the 14th birthday itself counts
    ("2009-03-02", "2023-03-01", 13),   # one day short
    ("2009-02-28", "2023-03-01", 14),
    ("2005-03-01", "2023-03-01", 18),
    ("2005-03-02", "2023-03-01", 17),
    ("2008-02-29", "2022-02-28", 13),   # born on 29 February: not yet in a common year
    ("2008-02-29", "2022-03-01", 14),   # ... but on 1 March (§ 188 Abs. 3 BGB)
    ("2008-02-29", "2024-02-29", 16),   # and on 29 February in a leap year
    ("2010-12-31", "2023-01-01", 12),
])
def test_age_on_boundaries(birth: str, on: str, age: int) -> None:
    assert age_on(dt.date.fromisoformat(birth), dt.date.fromisoformat(on)) == age


@pytest.mark.parametrize(("age", "signers"), [
    (6, "guardians"), (13, "guardians"), (14, "both"), (17, "both"), (18, "pupil"), (19, "pupil")])
def test_signers_by_age(age: int, signers: str) -> None:
    assert signers_for(age, RULE) == signers


def test_school_rule_overrides(tmp_path: Path) -> None:
    rule = AgeRule(guardians_only_under=16, pupil_alone_from=18)
    assert signers_for(15, rule) == "guardians"


HEADER = "Nachname;Vorname;Klasse;Geburtsdatum;Sprache"
ROWS = ["Müller;Anna;5a;02.03.2009;", "Yılmaz;Elif;5a;01.03.2009;Türkisch",
        "Özdemir;Can;10b;01.03.2005;", "Abadi;Layla;5a;2008-02-29;ar"]


def write(tmp_path: Path, lines: list[str], encoding: str = "utf-8", sep: str = ";") -> Path:
    path = tmp_path / "roster.csv"
    path.write_bytes(("\r\n".join(line.replace(";", sep) for line in lines) + "\r\n").encode(encoding))
    return path


@pytest.mark.parametrize(("encoding", "sep"), [
    ("utf-8", ";"), ("utf-8-sig", ";"), ("cp1252", ";"), ("utf-8", ","), ("utf-8-sig", ","),
    ("utf-8", "\t")])
def test_dialects_and_encodings(tmp_path: Path, encoding: str, sep: str) -> None:
    rows = [r.replace("Yılmaz", "Yilmaz") for r in ROWS] if encoding == "cp1252" else ROWS
    pupils = read_roster(write(tmp_path, [HEADER, *rows], encoding, sep), RosterColumns(), RULE, STAND)
    assert [(p.last_name, p.first_name, p.school_class, p.language, p.signers) for p in pupils] == [
        ("Müller", "Anna", "5a", "de", "guardians"),
        (rows[1].split(";")[0], "Elif", "5a", "tr", "both"),
        ("Özdemir", "Can", "10b", "de", "pupil"),
        ("Abadi", "Layla", "5a", "ar", "both"),
    ]


def test_classes_in_natural_order_sorted_by_name(tmp_path: Path) -> None:
    pupils = read_roster(write(tmp_path, [HEADER, *ROWS]), RosterColumns(), RULE, STAND)
    assert {c: [p.last_name for p in ps] for c, ps in by_class(pupils).items()} == {
        "5a": ["Abadi", "Müller", "Yılmaz"], "10b": ["Özdemir"]}


def test_configurable_columns(tmp_path: Path) -> None:
    path = write(tmp_path, ["Familienname,Rufname,Lerngruppe,Geb.", "Muster,Max,7c,01.01.2011"], sep=",")
    columns = RosterColumns(last_name="Familienname", first_name="Rufname", school_class="Lerngruppe",
                            birth_date="Geb.")
    (pupil,) = read_roster(path, columns, RULE, STAND)
    assert (pupil.name_and_class, pupil.language) == ("Muster, Max · 7c", "de")


@pytest.mark.parametrize(("lines", "expected"), [
    (["Name;Vorname;Klasse", "A;B;5a"],
     ["1:1: missing columns 'Nachname', 'Geburtsdatum' in the first line (3 fields, found "
      "'Vorname', 'Klasse'): the first line must name the columns; if the export calls them "
      "otherwise, name them under 'roster_columns:' in the school file, or with --column"]),
    # no header: the first line is a pupil, and nothing of it may be shown
    (["Mustermann;Max;5a;01.02.2012;", "Muster;Erika;5b;02.03.2012;"],
     ["1:1: missing columns 'Nachname', 'Vorname', 'Klasse', 'Geburtsdatum' in the first line "
      "(5 fields): the first line must name the columns; if the export calls them otherwise, "
      "name them under 'roster_columns:' in the school file, or with --column"]),
    ([HEADER, "Muster;Anna;" + "5" * 300 + ";01.01.2012;", "Muster;" + "B" * 101 + ";5a;01.01.2012;"],
     ["2:0: column 'Klasse' has more than 100 characters: is it the right column?",
      "3:0: column 'Vorname' has more than 100 characters: is it the right column?"]),
    ([HEADER, "Muster;Anna;5a;01.01.2012;", "Muster;" + "x" * 140_000 + ";5a;01.01.2012;"],
     ["3:0: this line cannot be read as CSV (a field longer than 128 KiB, or a quote that is "
      "never closed?): export the roster again"]),
    ([HEADER, *ROWS * 40, "Muster;Anna\0;5a;01.01.2012;"],
     ["162:0: an invisible control character (U+0000) is on this line: the file is damaged or "
      "not a CSV export; export the roster again"]),
    ([HEADER, "Muster;Anna;5a\x1b[2J;01.01.2012;"],
     ["2:0: an invisible control character (U+001B) is on this line: the file is damaged or not "
      "a CSV export; export the roster again"]),
    ([HEADER, ";Anna;5a;01.01.2012;", "Muster;;5a;01.01.2012;"],
     ["2:0: column 'Nachname' is empty", "3:0: column 'Vorname' is empty"]),
    ([HEADER, "Muster;Anna;5a;31.02.2012;", "Muster;Ben;5a;2012/01/01;", "Muster;Carl;5a;01.01.2030;"],
     ["2:0: column 'Geburtsdatum' is not a date: write it as DD.MM.YYYY",
      "3:0: column 'Geburtsdatum' is not a date: write it as DD.MM.YYYY",
      "4:0: column 'Geburtsdatum' lies after the Stand date"]),
    ([HEADER, ROWS[0], "Schulz;Tim;6b;01.01.2011;", ROWS[0]],
     ["4:0: the same pupil as on line 2: remove one of the two lines"]),
    ([HEADER, "Muster;Anna;5a;01.01.2012;Klingonisch"],
     ["2:0: column 'Sprache': unknown language (use one of de, en, tr, ar, uk, ru, fa, ku, pl, ro, bg, sq)"]),
    ([HEADER, "Muster;Anna"], ["2:0: the line has 2 fields, fewer than the header"]),
    ([HEADER], ["2:0: the roster has a header but no pupils"]),
])
def test_bad_rosters(tmp_path: Path, lines: list[str], expected: list[str]) -> None:
    with pytest.raises(InputError) as info:
        read_roster(write(tmp_path, lines), RosterColumns(), RULE, STAND)
    assert [f"{p.line}:{p.column}: {p.message}" for p in info.value.problems] == expected


SECRET = ["Zqmustermann", "Zqmax", "Zq5a", "Zq01.02.2012", "Zqtr"]


@pytest.mark.parametrize("lines", [
    [";".join(SECRET)],                                        # no header at all
    [";".join(SECRET), ";".join(SECRET)],
    ["Nachname;Vorname;Klasse;Geburtsdatum;Zqsprache", ";".join(SECRET)],
    [HEADER, ";".join(SECRET)],                                # a date and a language that are not
    [HEADER, ";".join(SECRET[:2])],                            # too few fields
    [HEADER, ";".join(["Zq" + "x" * 200, *SECRET[1:]])],       # too long
    [HEADER, ";".join([*SECRET[:3], "01.01.2012", ""]), ";".join([*SECRET[:3], "01.01.2012", ""])],
    [HEADER, ";".join([*SECRET[:3], "01.01.2099", ""])],       # after the Stand date
    [HEADER, ";".join([*SECRET[:2], "Zq\0", "01.01.2012", ""])],
    [HEADER, '"' + ";".join(SECRET)],                          # a quote never closed
])
def test_no_message_shows_a_value_of_the_roster(tmp_path: Path, lines: list[str]) -> None:
    """SECURITY.md: messages name the CSV line and column, never a value from the roster."""
    with pytest.raises(InputError) as info:
        read_roster(write(tmp_path, lines), RosterColumns(), RULE, STAND)
    assert info.value.problems
    assert [str(p) for p in info.value.problems if "Zq" in str(p)] == []


def test_a_thousand_bad_lines_give_fifty_messages(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        read_roster(write(tmp_path, [HEADER, *["Muster;;5a;01.01.2012;"] * 1000]), RosterColumns(),
                    RULE, STAND)
    assert len(info.value.problems) == 51
    assert str(info.value.problems[-1].message) == ("950 more problems are not shown: fix the ones "
                                               "above, then run again to see the rest")
    assert info.value.count == 1000


def test_wrong_encoding(tmp_path: Path) -> None:
    path = write(tmp_path, [HEADER, *ROWS], encoding="utf-16")
    with pytest.raises(InputError) as info:
        read_roster(path, RosterColumns(), RULE, STAND)
    assert [str(p.message) for p in info.value.problems] == [
        "the roster is saved as UTF-16: export or save it as CSV in UTF-8 (or Windows-1252)"]


def test_file_stems_are_safe_and_unique() -> None:
    taken: set[str] = set()
    assert [file_stem(c, taken) for c in ["5a", "10 b", "../x", "10_b", "Ä/1"]] == [
        "5a", "10_b", "x", "10_b-2", "Ä_1"]


def test_file_stems_fit_every_file_system() -> None:
    """A class of 300 characters gave ENAMETOOLONG (with the class in the traceback)."""
    taken: set[str] = set()
    stems = [file_stem(c, taken) for c in ["5" * 300, "Ä" * 300, "5" * 300]]
    assert [len(s.encode()) for s in stems] == [100, 100, 102]
    assert stems[2] == "5" * 100 + "-2"


@pytest.fixture(scope="module")
def roster_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The example school's roster command, through the real entry point, on a copy of the
    project (so that output/ is fresh)."""
    project = make_project(tmp_path_factory.mktemp("project"), examples=True)
    assert run(project, "--jobs", "1").returncode == 0
    csv_path = write(tmp_path_factory.mktemp("roster"), [HEADER, *ROWS])
    result = run(project, "roster", "--school", "loewentor-bleicherode", "--csv", str(csv_path))
    assert result.returncode == 0, result.stderr
    return project, csv_path.parent / "roster-loewentor-bleicherode"


@pytest.mark.slow
def test_roster_writes_class_pdfs(roster_run: tuple[Path, Path], update_golden: bool) -> None:
    _, out = roster_run
    assert sorted(p.name for p in out.iterdir()) == ["10b-checklist.pdf", "10b.pdf",
                                                     "5a-checklist.pdf", "5a.pdf"]
    pages = pdf_pages(out / "5a.pdf")
    assert sorted(sheets(out / "5a.pdf")) == ["Abadi", "Müller", "Yılmaz"]  # a sheet per pupil
    text = "".join(f"--- page {n} ---\n{page}\n" for n, page in enumerate(pages, start=1))
    check_golden("roster/5a.pdf.txt", text, update_golden)
    check_golden("roster/5a-checklist.pdf.txt", "\n".join(pdf_pages(out / "5a-checklist.pdf")) + "\n",
                 update_golden)


def sheets(path: Path) -> dict[str, str]:
    """The text of each pupil's sheet (a bilingual sheet may take more than one page)."""
    result: dict[str, str] = {}
    name = ""
    for page in pdf_pages(path):
        text = " ".join(page.split())
        found = re.search(r"(\S+), \S+ · \d+\w", text)
        if found:
            name = found.group(1)
        result[name] = result.get(name, "") + " " + text
    return result


@pytest.mark.slow
def test_signature_block_follows_the_age(roster_run: tuple[Path, Path]) -> None:
    _, out = roster_run
    by_pupil = sheets(out / "5a.pdf")
    abadi, mueller, yilmaz = by_pupil["Abadi"], by_pupil["Müller"], by_pupil["Yılmaz"]
    assert "Abadi, Layla · 5a" in abadi
    assert "Unterschrift der Schülerin oder des Schülers" in abadi       # 15: both sign
    assert "Unterschrift der oder des Erziehungsberechtigten" in abadi
    assert "Unterschrift der Schülerin oder des Schülers" not in mueller  # 13: guardians only
    assert "Unterschrift der oder des Erziehungsberechtigten" in mueller
    oezdemir = sheets(out / "10b.pdf")["Özdemir"]  # 18: the pupil alone
    assert "Unterschrift der Schülerin oder des Schülers" in oezdemir
    assert "Erziehungsberechtigten" not in oezdemir
    for sheet in (abadi, mueller, yilmaz):                                 # a choice per purpose
        assert sheet.count("Ja, ich willige ein.") == sheet.count("Nein, ich willige nicht ein.") == 1
    assert "İmza" in yilmaz or "imza" in yilmaz                            # Turkish on her sheet
    assert "Unterschrift" in yilmaz                                        # next to the German


@pytest.mark.slow
def test_no_roster_data_under_output(roster_run: tuple[Path, Path]) -> None:
    project, _ = roster_run
    names = [n.encode() for n in ("Müller", "Yılmaz", "Özdemir", "Abadi", "Layla")]
    for path in (project / "output").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert not any(name in data for name in names), path
    assert not list((project / "output").rglob("*checklist*"))


def test_roster_errors_write_nothing(tmp_path: Path) -> None:
    csv_path = write(tmp_path, [HEADER, "Muster;;5a;01.01.2012;"])
    project = make_project(tmp_path / "project", examples=True)
    result = run(project, "roster", "--school", "loewentor-bleicherode", "--csv", str(csv_path))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [f"{csv_path}:2: error: column 'Vorname' is empty",
                                          "1 problem found; no files were written."]
    assert not (tmp_path / "roster-loewentor-bleicherode").exists()


@pytest.mark.slow  # prints the sheets of a whole class: about 3 s
def test_roster_inside_output_warns(tmp_path: Path) -> None:
    csv_path = write(tmp_path, [HEADER, *ROWS])
    project = make_project(tmp_path / "project", examples=True)
    result = run(project, "roster", "--school", "loewentor-bleicherode", "--csv", str(csv_path),
                 "--out", str(project / "output" / "roster-test"))
    assert result.returncode == 0
    assert result.stderr.startswith("warning: ")
    assert "is inside output/, the folder for the website" in result.stderr
    folder = project / "output" / "roster-test"
    assert oct(folder.stat().st_mode & 0o777) == "0o700"  # personal data: its owner only
    assert {oct(p.stat().st_mode & 0o777) for p in folder.iterdir()} == {"0o600"}


@pytest.mark.slow
def test_roster_sheets_are_readable_by_their_owner_only(roster_run: tuple[Path, Path]) -> None:
    _, out = roster_run
    assert {oct(p.stat().st_mode & 0o777) for p in out.iterdir()} == {"0o600"}
    assert oct(out.stat().st_mode & 0o777) == "0o700"  # and the folder they are in


def test_roster_must_be_a_plain_file_of_bounded_size(tmp_path: Path) -> None:
    fifo = tmp_path / "roster.csv"
    os.mkfifo(fifo)  # opening it would wait for a writer forever
    big = tmp_path / "big.csv"
    big.write_bytes(b"Nachname;Vorname\n" + b"x" * MAX_ROSTER_BYTES)
    messages = []
    for path in (fifo, big):
        with pytest.raises(InputError) as info:
            read_roster(path, RosterColumns(), RULE, STAND)
        messages.extend(str(p.message) for p in info.value.problems)
    assert messages == [
        "this is not a plain file (it is a folder, a device or a pipe): a roster is a text file",
        "the file is 5121 KiB, more than the limit of 5120 KiB for a roster: is it the right file?"]


def test_a_failed_write_names_no_pupil_and_no_class(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """A full disk while the sheets are written: one line, the folder, nothing of the roster;
    a folder that was there before and that others may open is named too."""
    from dsinfo.cli import main

    project = make_project(tmp_path / "project", examples=True)
    csv_path = write(tmp_path, [HEADER, *ROWS])
    out = tmp_path / "sheets"
    out.mkdir(mode=0o755)
    out.chmod(0o755)

    def full(path: Path) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr("dsinfo.write._temporary", full)
    code = main(["roster", "--school", "loewentor-bleicherode", "--csv", str(csv_path), "--out",
                 str(out)], root=project)
    assert code == 1
    assert capsys.readouterr().err.splitlines() == [
        f"warning: other users of this computer may open {out}/: the sheets in it are private, "
        "the folder is not (chmod 700, or another --out)",
        f"error: cannot write into {out}/: No space left on device: free some space on the disk, "
        "then run the command again; the files already there are unchanged"]
    assert list(out.iterdir()) == []


@pytest.mark.slow
def test_the_acknowledgement_is_asked_for_the_notices_version(roster_run: tuple[Path, Path]) -> None:
    """A changed consent text asks for that consent again, not for the acknowledgement: the
    register records the acknowledgement with the German notice's version."""
    import sqlite3

    project, _ = roster_run
    notice = (project / "output" / "loewentor-bleicherode" / "de" / "notice.html").read_text("utf-8")
    version = re.findall(r'<span class="version">([0-9a-f]{8})</span>', notice)[0]
    register = project / "private" / "loewentor-bleicherode" / "consents.sqlite"
    with contextlib.closing(sqlite3.connect(register)) as db:
        asked = db.execute("SELECT version FROM consents WHERE id = 'acknowledgement'").fetchall()
    assert asked == [(version,)]
