"""The consent register: private file, versioned schema, pupils kept by identity, the states a
teacher's list shows, and no earlier answer lost when an import is killed."""

from __future__ import annotations

import datetime as dt
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dsinfo.consentdb import MIGRATIONS, Register, RegisterError, consent_version
from dsinfo.roster import Pupil
from dsinfo.sheets import Layout, Printed, Spot

from .conftest import ROOT

DAY = dt.date(2025, 9, 1)


def pupil(last: str, first: str, school_class: str = "5a", born: str = "2014-05-01") -> Pupil:
    return Pupil(
        last_name=last,
        first_name=first,
        school_class=school_class,
        birth_date=dt.date.fromisoformat(born),
        language="de",
        signers="guardians",
        line=2,
    )


LAYOUT = Layout(
    width=595.28,
    height=841.89,
    pages=1,
    fields=(Spot(0, "token", 500, 10, 42, 42),),
    boxes=(Spot(0, "photos:yes", 50, 400, 11, 11), Spot(0, "photos:no", 200, 400, 11, 11)),
    marks=(),
)


def test_created_private_and_current(tmp_path: Path) -> None:
    path = tmp_path / "private" / "school" / "consents.sqlite"
    with Register.open(path) as register:
        assert register.schema_version == len(MIGRATIONS) == 2
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert oct(path.parent.stat().st_mode & 0o777) == "0o700"
    with Register.open(path) as register:  # opening again changes nothing
        assert register.schema_version == 2


def test_migrates_an_older_register(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    db.executescript(MIGRATIONS[0] + "; PRAGMA user_version = 1;")
    db.execute("INSERT INTO pupils VALUES (1, 'A', 'B', '5a', '2014-01-01', 'de', 'guardians', 'x', 'x')")
    db.commit()
    db.close()
    with Register.open(path) as register:
        assert register.schema_version == 2
        indexes = {r[0] for r in register.db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {"answers_by_pupil", "pages_by_token", "open_reviews"} <= indexes
        assert register.db.execute("SELECT count(*) FROM pupils").fetchone()[0] == 1


def test_refuses_a_newer_register_and_other_files(tmp_path: Path) -> None:
    newer = tmp_path / "newer.sqlite"
    db = sqlite3.connect(newer)
    db.execute("PRAGMA user_version = 99")
    db.close()
    with pytest.raises(RegisterError) as info:
        Register.open(newer)
    assert str(info.value).endswith(
        "was written by a newer dsinfo (schema 99, this one knows 2): update dsinfo"
    )
    other = tmp_path / "notes.sqlite"
    other.write_text("Müller, Anna: ja\n" * 100)
    with pytest.raises(RegisterError) as info:
        Register.open(other)
    assert "is not a consent register" in str(info.value)
    assert "Müller" not in str(info.value)


def test_a_pupil_keeps_their_number(tmp_path: Path) -> None:
    with Register.open(tmp_path / "r.sqlite") as register:
        first = register.record_roster([pupil("Müller", "Anna"), pupil("Kaya", "Elif")], DAY)
        later = register.record_roster([pupil("Kaya", "Elif", "6a"), pupil("Neu", "Tom")], DAY)
        assert later[pupil("Kaya", "Elif", "6a")] == first[pupil("Kaya", "Elif")]
        assert later[pupil("Neu", "Tom")] == 3
        assert register.db.execute("SELECT school_class FROM pupils WHERE last_name = 'Kaya'").fetchone() == (
            "6a",
        )


def _with_sheets(
    register: Register, pupils: list[Pupil], version: str = "v1", consent: str = "text one"
) -> dict[Pupil, int]:
    numbers = register.record_roster(pupils, DAY)
    register.record_sheets(
        [Printed(number=n, version=version, layout=LAYOUT, lang="de") for n in numbers.values()],
        [("photos", consent_version(consent), "Fotos")],
        DAY,
    )
    return numbers


def test_states_of_a_teachers_list(tmp_path: Path) -> None:
    with Register.open(tmp_path / "r.sqlite") as register:
        numbers = _with_sheets(
            register, [pupil("A", "a"), pupil("B", "b"), pupil("C", "c"), pupil("D", "d", "6b")]
        )
        a, b, _c, d = numbers.values()
        register.record_answer(a, "photos", "yes", DAY)
        register.record_answer(b, "photos", "yes", DAY)
        register.record_answer(b, "photos", "withdrawn", dt.date(2025, 10, 1), source="withdrawal")
        register.record_answer(d, "photos", "no", DAY)
        states = {s.last_name: (s.state, s.day) for s in register.statuses(consent="photos")}
        assert states == {
            "A": ("yes", "2025-09-01"),
            "B": ("withdrawn", "2025-10-01"),
            "C": ("not returned", None),
            "D": ("no", "2025-09-01"),
        }
        assert [s.last_name for s in register.statuses(school_class="6b")] == ["D"]
        # a new text of the consent: the earlier answers are to be renewed
        _with_sheets(register, [pupil("A", "a")], version="v2", consent="text two")
        assert {s.last_name: s.state for s in register.statuses()} == {
            "A": "renewal",
            "B": "withdrawn",
            "C": "not returned",
            "D": "renewal",
        }


def test_consent_version_ignores_the_title_only() -> None:
    assert consent_version("Ich willige ein.", None) == consent_version("Ich willige ein.", None)
    assert consent_version("Ich willige ein.", None) != consent_version("Ich willige ein, dass ...", None)
    assert consent_version({"de": "Text", "en": "Text"}) == consent_version("Text")


def test_review_settled(tmp_path: Path) -> None:
    with Register.open(tmp_path / "r.sqlite") as register:
        (number,) = _with_sheets(register, [pupil("A", "a")]).values()
        register.record_page(
            file_hash="f",
            file_name="scan.pdf",
            page=1,
            token="T",
            status="recorded",
            pupil=number,
            document_version="v1",
            answers={"photos": "unclear"},
            consent_versions={"photos": consent_version("text one")},
            reviews=[("photos", "both boxes are ticked", b"png")],
            day=DAY,
        )
        (review,) = register.open_reviews()
        assert (str(review.place), review.name, review.consent, str(review.reason), review.crop) == (
            "scan.pdf, page 1",
            "A, a · 5a",
            "photos",
            "both boxes are ticked",
            b"png",
        )
        assert [s.state for s in register.statuses()] == ["unclear"]
        register.settle(review.id, "no", DAY)
        assert register.open_reviews() == []
        assert [s.state for s in register.statuses()] == ["no"]  # the current text: no renewal
        with pytest.raises(RegisterError, match="is not open"):
            register.settle(review.id, "yes", DAY)


IMPORT = """
import datetime as dt, sys
from pathlib import Path
from dsinfo.consentdb import Register
with Register.open(Path(sys.argv[1])) as register:
    for page in range(1, 100000):
        register.record_page(file_hash="big", file_name="big.pdf", page=page, token=f"T{page}",
                             status="recorded", pupil=1, document_version="v1",
                             answers={f"c{n}": "yes" for n in range(40)}, day=dt.date(2025, 9, 2),
                             reviews=[("c0", "a faint mark", b"x" * 20000)])
        print(page, flush=True)
"""


def test_a_killed_import_loses_no_earlier_answer(tmp_path: Path) -> None:
    path = tmp_path / "r.sqlite"
    with Register.open(path) as register:
        (number,) = _with_sheets(register, [pupil("A", "a")]).values()
        register.record_answer(number, "photos", "yes", DAY)
    process = subprocess.Popen(
        [sys.executable, "-c", IMPORT, str(path)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT / "src")},
    )
    assert process.stdout is not None
    for _ in range(30):  # let it record some pages, then kill it in the middle of one
        process.stdout.readline()
    time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    with Register.open(path) as register:
        assert register.db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert [(s.consent, s.state) for s in register.statuses(consent="photos")] == [("photos", "yes")]
        pages = register.db.execute("SELECT id FROM pages").fetchall()
        assert len(pages) >= 30
        per_page = register.db.execute(
            "SELECT page, count(*) FROM answers WHERE source = 'scan' GROUP BY page"
        )
        assert {count for _, count in per_page} == {40}  # every page whole, or not there at all
        assert register.db.execute("SELECT count(*) FROM reviews").fetchone() == (len(pages),)


def test_a_scanned_yes_does_not_undo_a_withdrawal(tmp_path: Path) -> None:
    """A sheet signed before a withdrawal may be scanned late: the scan knows the withdrawal
    (and sends such a 'yes' to review), and the register refuses to take it silently."""
    from dsinfo.scan import known_sheets

    with Register.open(tmp_path / "r.sqlite") as register:
        (number,) = _with_sheets(register, [pupil("A", "a")]).values()
        register.record_answer(number, "photos", "yes", DAY)
        register.record_answer(number, "photos", "withdrawn", dt.date(2025, 10, 1), source="withdrawal")
        assert known_sheets(register)[(number, "v1")].withdrawn == frozenset({"photos"})
        with pytest.raises(RegisterError) as info:
            register.record_page(file_hash="f", file_name="scan.pdf", page=1, token="T",
                                 status="recorded", pupil=number, document_version="v1",
                                 answers={"photos": "yes"}, day=dt.date(2025, 11, 1))
        assert str(info.value) == ("pupil 1 withdrew 'photos' on 2025-10-01: a scanned 'yes' goes "
                                   "to review, not into the register")
        assert [(s.state, s.day) for s in register.statuses()] == [("withdrawn", "2025-10-01")]
        assert register.db.execute("SELECT COUNT(*) FROM pages").fetchone()[0] == 0  # nothing half


def test_record_a_withdrawal_and_an_answer_from_the_command_line(tmp_path: Path) -> None:
    import csv
    import io

    from dsinfo.consentdb import default_path

    from .project import VALID, make_project, run

    project = make_project(tmp_path / "p", {"gs-park": VALID})
    with Register.open(default_path(project, "gs-park")) as register:
        numbers = _with_sheets(register, [pupil("Müller", "Anna"), pupil("Abadi", "Omar")])
    anna, omar = numbers.values()
    ok = run(project, "consents", "record", "--school", "gs-park", "--pupil", str(anna),
             "--consent", "photos", "--answer", "withdrawn", "--date", "2025-10-01")
    assert ok.code == 0, ok.stderr
    assert ok.stdout == f"Recorded for pupil {anna}: Fotos: withdrawn on 2025-10-01.\n"
    assert run(project, "consents", "record", "--school", "gs-park", "--pupil", str(omar),
               "--consent", "photos", "--answer", "yes", "--date", "2025-09-15").code == 0
    listed = run(project, "consents", "list", "--school", "gs-park", "--format", "csv")
    rows = list(csv.reader(io.StringIO(listed.stdout), delimiter=";"))
    assert rows == [["Nr.", "Klasse", "Nachname", "Vorname", "Einwilligung", "Stand", "Datum", "Version"],
                    [str(omar), "5a", "Abadi", "Omar", "Fotos", "ja", "2025-09-15", ""],
                    [str(anna), "5a", "Müller", "Anna", "Fotos", "widerrufen", "2025-10-01", ""]]
    for args, message in ((["--pupil", "99", "--consent", "photos"], "there is no pupil number 99"),
                          (["--pupil", str(anna), "--consent", "press"], "'press' is not a consent")):
        bad = run(project, "consents", "record", "--school", "gs-park", *args, "--answer", "no")
        assert bad.code == 2
        assert message in bad.stderr
