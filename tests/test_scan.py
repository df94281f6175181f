"""Reading scans back: synthetic stacks (ticked like people tick, degraded like copiers degrade)
at 150, 200 and 300 dpi; no answer wrong without review; odd pages reported, not taken; and the
whole loop from the command line: roster, sheets, scan, review, a teacher's list."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from PIL import Image

from dsinfo.consentdb import Register
from dsinfo.errors import InputError
from dsinfo.scan import ScanSummary, scan

from .project import example_project, make_project, run, run_process
from .synthetic import Copier, PageTruth, save_pdf, tick_stack
from .test_sheets import ROWS, SCHOOL, roster_csv


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("scan")
    rows = ROWS + [f"Muster-{n};Kim;5a;0{n % 9 + 1}.05.2014;" for n in range(6)]
    result = run(
        example_project(),
        "roster",
        "--school",
        SCHOOL,
        "--csv",
        str(roster_csv(folder, rows)),
        "--out",
        str(folder / "out"),
        "--register",
        str(folder / "register.sqlite"),
    )
    assert result.returncode == 0, result.stderr
    return folder, folder / "register.sqlite"


def sheets(folder: Path) -> list[Path]:
    return sorted(p for p in (folder / "out").glob("*.pdf") if "checklist" not in p.name)


def fresh(folder: Path, name: str) -> Path:
    """A copy of the register as the roster left it (each test reads its own stack into it)."""
    shutil.copy(folder / "register.sqlite", folder / name)
    return folder / name


def wrong_without_review(summary: ScanSummary, truths: list[PageTruth]) -> list[str]:
    """Every answer recorded that differs from what the person meant and was not sent to review:
    each one is a failure, whatever the accuracy."""
    meant = {t.token: t for t in truths}
    wrong = []
    for result in summary.pages:
        if result.status != "recorded":
            continue
        truth = meant[str(result.token)]
        for consent, answer in result.answers.items():
            expected = truth.answers[consent]
            if answer != "unclear" and answer != expected:
                wrong.append(f"{result.token} {consent}: read {answer}, meant {expected}")
            if expected == "review" and answer != "unclear":
                wrong.append(f"{result.token} {consent}: decided a mark that needs a person")
    return wrong


@pytest.mark.slow  # a stack of sheets printed, ticked and scanned: 5 to 15 s each
@pytest.mark.parametrize(("dpi", "seed"), [(150, 1), (200, 2), (300, 3)])
def test_a_ticked_stack_is_read_without_a_silent_error(
    printed: tuple[Path, Path], dpi: int, seed: int
) -> None:
    folder, _ = printed
    copier = Copier(dpi=dpi, hard=0.2, upside_down=0.2)
    pages, truths = tick_stack(sheets(folder), folder / "register.sqlite", copier, seed=seed)
    stack = save_pdf(pages, folder / f"stack-{dpi}.pdf", dpi)
    with Register.open(fresh(folder, f"r{dpi}.sqlite")) as register:
        summary = scan(register, SCHOOL, [stack], jobs=1)
        assert wrong_without_review(summary, truths) == []
        assert summary.count("recorded") == len(pages)  # every page found, turned and aligned
        turned = [r.turned for r in summary.pages]
        assert turned == [180 if t.upside_down else 0 for t in truths]
        hard = sum(answer == "review" for t in truths for answer in t.answers.values())
        assert summary.reviews == hard  # the hard marks, and nothing else, go to review
        assert len(register.open_reviews()) == hard
        recorded = register.db.execute("SELECT count(*) FROM answers").fetchone()[0]
        assert recorded == sum(len(t.answers) for t in truths)


@pytest.mark.slow  # prints and scans sheets: about 7 s
def test_pictures_and_odd_pages(printed: tuple[Path, Path], tmp_path: Path) -> None:
    """PNG files too; a page of another form goes to review, a page read before is reported."""
    folder, _ = printed
    pages, truths = tick_stack(sheets(folder)[:1], folder / "register.sqlite", Copier(dpi=200), seed=7)
    pngs = []
    for n, page in enumerate(pages[:3]):
        pngs.append(tmp_path / f"page{n}.png")
        page.save(pngs[-1], dpi=(200, 200))
    letter = tmp_path / "letter.png"
    Image.new("L", (1654, 2339), 255).save(letter, dpi=(200, 200))
    with Register.open(fresh(folder, "odd.sqlite")) as register:
        first = scan(register, SCHOOL, [*pngs, letter], jobs=1)
        assert [r.status for r in first.pages] == ["recorded", "recorded", "recorded", "review"]
        assert (
            str(first.pages[3].message)
            == "no code of our sheets found: a page of another form, or its code is damaged"
        )
        assert wrong_without_review(first, truths) == []
        again = scan(register, SCHOOL, [pngs[0]], jobs=1)
        assert [(r.status, str(r.message)) for r in again.pages] == [
            ("duplicate", "this file's page was read before: not taken again")
        ]
        copy = tmp_path / "copy.png"
        pages[0].save(copy, dpi=(150, 150), quality=60)  # the same sheet, scanned again
        assert [r.status for r in scan(register, SCHOOL, [copy], jobs=1).pages] == ["duplicate"]


def test_another_schools_and_older_sheets(printed: tuple[Path, Path], tmp_path: Path) -> None:
    folder, _ = printed
    pages, _ = tick_stack(sheets(folder)[:1], folder / "register.sqlite", Copier(dpi=200), seed=8)
    stack = save_pdf(pages[:1], tmp_path / "one.pdf", 200)
    with Register.open(fresh(folder, "other.sqlite")) as register:
        (result,) = scan(register, "loewentor-bleicherode", [stack], jobs=1).pages
        assert (result.status, str(result.message)) == ("not ours", "a sheet of another school")
        # the pupil was given a newer sheet since
        pupil = result.token.pupil if result.token else 0
        register.db.execute(
            "INSERT INTO sheets SELECT pupil, 'ffffffff', layout, consents, '2999-01-01' "
            "FROM sheets WHERE pupil = ?",
            (pupil,),
        )
        (result,) = scan(register, SCHOOL, [stack], jobs=1).pages
        assert result.status == "older version"
        assert register.db.execute("SELECT count(*) FROM answers").fetchone() == (0,)


def test_bad_files_are_refused_before_anything_is_recorded(
    printed: tuple[Path, Path], tmp_path: Path
) -> None:
    folder, _ = printed
    text = tmp_path / "notes.txt"
    text.write_text("Müller, Anna\n")
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n" + b"\0" * 100)
    good = save_pdf(
        tick_stack(sheets(folder)[:1], folder / "register.sqlite", Copier(), seed=9)[0][:1],
        tmp_path / "good.pdf",
        200,
    )
    with Register.open(fresh(folder, "bad.sqlite")) as register:
        with pytest.raises(InputError) as info:
            scan(register, SCHOOL, [good, text, broken, tmp_path / "missing.pdf"], jobs=1)
        assert register.db.execute("SELECT count(*) FROM pages").fetchone() == (0,)
    assert [str(p.message) for p in info.value.problems] == [
        "this is not a PDF, PNG or JPEG file: scan the sheets to PDF",
        "the PDF cannot be read (damaged, or protected by a password)",
        "there is no such file (give a scanned PDF, PNG or JPEG)",
    ]


@pytest.mark.slow  # roster, print, scan, register and review: about 7 s
def test_the_whole_loop_from_the_command_line(tmp_path: Path) -> None:
    """roster -> printed sheets -> a scan of the ticked stack -> register -> review -> the
    teacher's list of who may be on the website."""
    project = make_project(tmp_path / "project", examples=True)
    csv_path = roster_csv(tmp_path)
    result = run(project, "roster", "--school", SCHOOL, "--csv", str(csv_path))
    assert result.returncode == 0, result.stderr
    register = project / "private" / SCHOOL / "consents.sqlite"
    assert result.stdout.splitlines()[0].endswith(f"; recorded in private/{SCHOOL}/consents.sqlite.")
    assert oct(register.stat().st_mode & 0o777) == "0o600"
    out = tmp_path / f"roster-{SCHOOL}"
    pages, truths = tick_stack(
        sorted(p for p in out.glob("*.pdf") if "checklist" not in p.name),
        register,
        Copier(dpi=200, hard=0.3, upside_down=0.3),
        seed=11,
    )
    stack = save_pdf(pages, tmp_path / "stack.pdf", 200)
    result = run(project, "consents", "scan", "--school", SCHOOL, str(stack))
    assert result.returncode == 0, result.stderr
    hard = sum(a == "review" for t in truths for a in t.answers.values())
    answers = sum(len(t.answers) for t in truths)
    assert result.stdout.splitlines()[-2 if hard else -1] == (
        f"Read {len(pages)} pages: {len(pages)} recorded with {answers} answers; {hard} to review; "
        "0 read before, 0 not taken."
    )
    for name in ("Müller", "Yılmaz", "Anna"):
        assert name not in result.stdout + result.stderr  # messages name no pupil

    # the review: every unclear one answered "no" in the terminal
    result = run_process(project, "consents", "review", "--school", SCHOOL, input="n\n" * hard)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].endswith(
        f"Settled {hard} of {hard}." if hard else "Nothing to review."
    )
    if hard:
        assert f"[1/{hard}] stack.pdf, page " in result.stdout
        assert "█" in result.stdout  # the crop of the boxes, drawn in the terminal

    result = run(
        project,
        "consents",
        "list",
        "--school",
        SCHOOL,
        "--class",
        "5a",
        "--consent",
        "photos_website",
        "--format",
        "csv",
    )
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout), delimiter=";"))
    assert rows[0] == ["Nr.", "Klasse", "Nachname", "Vorname", "Einwilligung", "Stand", "Datum", "Version"]
    meant = _meant_by_name(project, truths, "photos_website")
    words = {"yes": "ja", "no": "nein", "not returned": "offen", "unclear": "unklar"}
    assert {(r[2], r[5]) for r in rows[1:]} == {
        (last, words["no" if m == "review" else m])
        for last, m in meant.items()
        if last in ("Müller", "Yılmaz", "Abadi", "Schmidt")
    }

    result = run(
        project,
        "consents",
        "list",
        "--school",
        SCHOOL,
        "--consent",
        "photos_website",
        "--format",
        "pdf",
        "--out",
        str(tmp_path / "list.pdf"),
    )
    assert result.returncode == 0, result.stderr
    assert oct((tmp_path / "list.pdf").stat().st_mode & 0o777) == "0o600"
    result = run(project, "consents", "export", "--school", SCHOOL, "--out",
                 str(project / "output" / "x.csv"))
    assert result.returncode == 2
    assert "is inside output/, the folder for the website" in result.stderr
    result = run(project, "consents", "export", "--school", SCHOOL)
    assert result.stdout.startswith(
        "\ufeffNachname;Vorname;Klasse;Kenntnisnahme;Fotos auf der Website der Schule;"
    )
    assert not (project / "output").exists() or not any((project / "output").rglob("*"))


def _meant_by_name(project: Path, truths: list[PageTruth], consent: str) -> dict[str, str]:
    from dsinfo.sheets import Token

    with Register.open(project / "private" / SCHOOL / "consents.sqlite") as register:
        names = dict(register.db.execute("SELECT number, last_name FROM pupils").fetchall())
    meant = {}
    for truth in truths:
        token = Token.parse(truth.token)
        assert token is not None
        if consent in truth.answers:
            meant[names[token.pupil]] = truth.answers[consent]
    return meant


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["consents", "--help"],
            "The consent register: read scanned sheets, settle unclear answers, list who",
        ),
        (
            ["consents", "scan", "--help"],
            "Read scanned consent sheets (PDF, PNG or JPEG; 150 to 300 dpi) into the",
        ),
        (
            ["consents", "review", "--help"],
            "Settle what the scan was not sure about, one by one, in the terminal.",
        ),
        (
            ["consents", "list", "--help"],
            "A teacher's list: who may, who may not, and who has not answered, per",
        ),
        (
            ["consents", "export", "--help"],
            "A CSV for the school administration software: one line per pupil, one",
        ),
        (["roster", "--help"], "Each sheet carries a QR code (school, the pupil's number in the register,"),
    ],
)
def test_help_texts(args: list[str], expected: str) -> None:
    result = run(example_project(), *args)
    assert result.returncode == 0
    assert expected in " ".join(result.stdout.split())
    assert "--school ID" in result.stdout or args == ["consents", "--help"]


def test_no_register_yet(tmp_path: Path) -> None:
    result = run(example_project(), "consents", "list", "--school", SCHOOL, "--register",
                 str(tmp_path / "none.sqlite"))
    assert result.returncode == 1
    assert result.stderr.startswith(
        f"error: there is no consent register {tmp_path / 'none.sqlite'} yet: print "
        f"the sheets with `python build.py roster --school {SCHOOL} --csv ROSTER.csv` "
        "first"
    )


def test_one_box_alone_decides_only_the_acknowledgement() -> None:
    """A consent whose Yes and No boxes are not on the same page is never read from one box:
    a ticked No alone must not become a yes (the scan never guesses)."""
    from dsinfo.scan import BoxReading, decide

    assert decide([BoxReading("acknowledgement:yes", "marked", 0.2, 0)]) == ("yes", "")
    assert decide([BoxReading("acknowledgement:yes", "empty", 0.0, 0)]) == ("no", "")
    for name in ("photos_website:no", "photos_website:yes"):
        answer, reason = decide([BoxReading(name, "marked", 0.2, 0)])
        assert (answer, str(reason)) == ("unclear", "only one of the consent's two boxes is on this page")
    assert decide([BoxReading("press:yes", "empty", 0.0, 0), BoxReading("press:no", "marked", 0.2, 0)]) \
        == ("no", "")


def test_a_page_that_breaks_the_reading_is_reported_and_the_others_go_on(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import numpy as np

    from dsinfo import scan as scanning

    def broken(*args: object) -> None:
        raise ValueError("odd page")

    monkeypatch.setattr(scanning, "picture", lambda source, page: np.zeros((10, 10), np.uint8))
    monkeypatch.setattr(scanning, "read_page", broken)
    monkeypatch.setattr(scanning, "_job", {"sources": [None], "school": "gs", "sheets": {}})
    result = scanning._read((0, 1))
    assert (result.status, result.page) == ("unreadable", 2)
    assert str(result.message) == ("the page could not be read: look at it and enter its answers with "
                              "`consents record`")


def test_a_bad_scan_file_is_one_line_from_the_command_line(tmp_path: Path) -> None:
    """Through the command: the file named, the problem, and that nothing was recorded."""
    from dsinfo.consentdb import default_path

    from .project import VALID, make_project, run

    project = make_project(tmp_path / "p", {"gs-park": VALID})
    Register.open(default_path(project, "gs-park")).close()
    (project / "notes.txt").write_text("Müller, Anna\n", encoding="utf-8")
    result = run(project, "consents", "scan", "--school", "gs-park", "notes.txt")
    assert result.code == 1
    assert result.stderr == ("notes.txt: error: this is not a PDF, PNG or JPEG file: scan the sheets "
                             "to PDF\n1 problem found; nothing was recorded.\n")
    with Register.open(default_path(project, "gs-park")) as register:
        assert register.db.execute("SELECT count(*) FROM pages").fetchone() == (0,)
