"""`python build.py new`: the wizard writes a valid, commented school file and checks it."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from dsinfo.load import read_yaml
from dsinfo.wizard import school_year_of, slug

from .project import ROOT, make_project, run


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path)


FLAGS = ["new", "--no-input", "--land", "Sachsen", "--name", "Grundschule am Park, Leipzig",
         "--street", "Parkweg 1", "--postcode", "04109", "--city", "Leipzig",
         "--email", "info@gs-park.example", "--authority", "Stadt Leipzig",
         "--dpo-email", "dsb@gs-park.example", "--platform", "iserv:on_premises:files,email",
         "--language", "tr", "--consent", "photos_website", "--stand", "2025-08-01"]


def test_non_interactive_file_passes_the_check(project: Path) -> None:
    result = run(project, *FLAGS)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "Wrote schools/grundschule-am-park-leipzig.yaml."
    assert " error: " not in result.stdout
    assert result.stdout.splitlines()[-1].startswith("Checked 1 school: ")
    text = (project / "schools" / "grundschule-am-park-leipzig.yaml").read_text(encoding="utf-8")
    assert 'postcode: "04109"' in text          # stays text, not the number 4109
    assert "state: SN  # Sachsen" in text
    assert 'school_year: "2025/26"' in text
    assert "languages: [de, tr]" in text
    assert "  - photos_website  # Fotos auf der Website der Schule" in text
    assert run(project, "--format", "html").returncode == 0  # and it builds


def test_the_file_offers_the_changes_box(project: Path) -> None:
    assert run(project, *FLAGS).returncode == 0
    path = project / "schools" / "grundschule-am-park-leipzig.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.endswith("\n# show_changes: true\n")
    path.write_text(text.replace("# show_changes: true", "show_changes: true"), encoding="utf-8")
    checked = run(project, "check")
    assert checked.returncode == 0, checked.stdout


def test_refuses_to_overwrite(project: Path) -> None:
    assert run(project, *FLAGS).returncode == 0
    again = run(project, *FLAGS)
    assert again.returncode == 2
    assert again.stderr.splitlines()[-1] == (
        "Error: schools/grundschule-am-park-leipzig.yaml exists already: choose another --id")


@pytest.mark.parametrize(("old", "new", "message"), [
    (("--land", "Sachsen"), ("--land", "Mars"),
     "Error: Invalid value for --land: unknown Land 'Mars' (known: BB, BE, BW, BY, HB, HE, HH, MV, "
     "NI, NW, RP, SH, SL, SN, ST, TH)"),
    (("--platform", "iserv:on_premises:files,email"), ("--platform", "iserv:server"),
     "Error: Invalid value for --platform: iserv: hosting must be on_premises or cloud"),
    (("--postcode", "04109"), ("--postcode", "4109"),
     "Error: Invalid value for --postcode: '4109' is not a postcode of five digits"),
    (("--consent", "photos_website"), ("--consent", "fotos"),
     "Error: Invalid value for --consent: unknown consent fotos (known: class_contact_list, "
     "class_photo, photos_print, photos_website, press, yearbook)"),
])
def test_bad_flags_are_usage_errors(project: Path, old: tuple[str, str], new: tuple[str, str],
                                    message: str) -> None:
    flags = list(FLAGS)
    i = flags.index(old[0])
    flags[i:i + 2] = list(new)
    result = run(project, *flags)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == message
    assert not (project / "schools").exists() or not list((project / "schools").iterdir())


def test_interactive_answers(project: Path) -> None:
    answers = ["TH", "Regelschule Am Berg", "Bergstraße 3", "9999", "99999", "Bergdorf",
               "sekretariat@rs-berg.example", "", "Landkreis Beispiel", "", "dsb@rs-berg.example",
               "iserv", "on_premises", "files, email", "en", "class_photo", ""]
    result = run(project, "new", input="\n".join(answers) + "\n")
    assert result.returncode == 0, result.stderr
    assert "Error: '9999' passt nicht: bitte noch einmal" in result.stdout
    text = (project / "schools" / "regelschule-am-berg.yaml").read_text(encoding="utf-8")
    assert 'postcode: "99999"' in text
    assert "    modules: [files, email]" in text
    assert "Checked 1 school: " in result.stdout


def test_a_wrong_answer_is_asked_again_with_the_choices(project: Path) -> None:
    answers = ["Thueringen", "thüringen", "Regelschule Am Berg", "", "", "", "", "", "", "", "",
               "IServ, Nextcloud", "IServ", "server", "on_premises", "files, video", "Files, Email",
               "englisch", "EN", "fotos", "", ""]
    result = run(project, "new", input="\n".join(answers) + "\n")
    assert result.returncode == 0, result.stderr
    hints = [line.split("Error: ", 1)[1] for line in result.stdout.split("\n") if "Error: " in line]
    assert hints == [
        "'Thueringen' kenne ich nicht. Bitte eines von: Baden-Württemberg (BW), Bayern (BY), "
        "Berlin (BE), Brandenburg (BB), Bremen (HB), Hamburg (HH), Hessen (HE), Mecklenburg-"
        "Vorpommern (MV), Niedersachsen (NI), Nordrhein-Westfalen (NW), Rheinland-Pfalz (RP), "
        "Saarland (SL), Sachsen (SN), Sachsen-Anhalt (ST), Schleswig-Holstein (SH), Thüringen (TH)",
        "Plattform nextcloud kenne ich nicht. Bitte aus: bigbluebutton, iserv, microsoft365, moodle, "
        "schulcloud, webuntis",
        "Betrieb server kenne ich nicht. Bitte aus: on_premises, cloud",
        "Modul video kenne ich nicht. Bitte aus: account, logs, profile_picture, files, tasks, "
        "calendar, email, messenger, videoconference, support, forum, news, addressbook, texts, "
        "office, absences, polls",
        "Sprache englisch kenne ich nicht. Bitte aus: de, en, tr, ar, uk, ru, fa, ku, pl, ro, bg, sq",
        "Einwilligung fotos kenne ich nicht. Bitte aus: class_contact_list, class_photo, "
        "photos_print, photos_website, press, yearbook",
    ]
    text = (project / "schools" / "regelschule-am-berg.yaml").read_text(encoding="utf-8")
    assert "state: TH  # Thüringen" in text
    assert "    modules: [files, email]" in text
    assert "languages: [de, en]" in text
    assert "consents:" not in text


@pytest.mark.parametrize(("name", "expected"), [
    ("Grundschule am Park", "grundschule-am-park"),
    ("Gymnasium Übach-Palenberg", "gymnasium-uebach-palenberg"),
    ("Schule Nr. 7 (Süd)", "schule-nr-7-sued"), ("Straße", "strasse"), ("???", "schule")])
def test_slug(name: str, expected: str) -> None:
    assert slug(name) == expected


@pytest.mark.parametrize(("day", "year"), [("2025-07-31", "2024/25"), ("2025-08-01", "2025/26"),
                                           ("2099-12-31", "2099/00")])
def test_school_year_of(day: str, year: str) -> None:
    assert school_year_of(dt.date.fromisoformat(day)) == year


@pytest.mark.parametrize("name", [
    "GS am Park\u2028extra:\u2028  - after: intro\u2028    text: '[x](https://elsewhere.example)'",
    "GS am Park\u2029extra: x", "GS am Park\x85extra: x", "GS am Park\rextra: x",
    "GS am Park\nextra: x", "GS am Park\x1b[2J", "GS\x7f"])
def test_a_value_cannot_break_out_of_its_line(project: Path, name: str) -> None:
    """YAML breaks lines at U+2028, U+2029, U+0085 and CR too: such a name made keys of its own
    (an extra: with a link) when it was written raw into a comment."""
    flags = list(FLAGS)
    flags[flags.index("--name") + 1] = name
    result = run(project, *flags, "--id", "gs-park")
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: Invalid value for --name: the value holds a line break or an invisible control "
        "character: give it on one line")
    assert not (project / "schools" / "gs-park.yaml").exists()


def test_bytes_that_are_not_utf8(project: Path) -> None:
    flags = [f.encode() for f in FLAGS]
    flags[flags.index(b"--name") + 1] = b"Grundschule am Park \xff\xfe"
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "--project", str(project), *flags,
                             b"--id", b"gs-park"], cwd=project, capture_output=True, timeout=120,
                            check=False)
    assert result.returncode == 2
    assert result.stderr.decode().splitlines()[-1] == (
        "Error: Invalid value for --name: the value is not UTF-8 text: type it again, or set the "
        "terminal to UTF-8")
    assert not (project / "schools" / "gs-park.yaml").exists()


@pytest.mark.parametrize("value", [
    'GS "am Park" # kein Kommentar', "GS: am Park", "- GS", "'GS'", "GS \\ Park", "&GS *Park !x",
    "{GS: [Park]}", "GS %TAG", "Grundschule\u00a0am\u202fPark", "Schule 😀", "null", "~", "TODO",
    "  GS  ",
])
def test_every_value_arrives_as_typed(project: Path, value: str) -> None:
    """Each free text goes into the file as a quoted scalar and loads back as it was typed."""
    flags = list(FLAGS)
    for key in ("--name", "--street", "--city", "--authority"):
        flags[flags.index(key) + 1] = value
    result = run(project, *flags, "--dpo-name", value, "--id", "gs-park")
    assert result.returncode == 0, result.stderr
    school = read_yaml(project / "schools" / "gs-park.yaml").data
    assert {school["school"][k] for k in ("name", "street", "city")} == {value}
    assert school["school_authority"]["name"] == school["dpo"]["name"] == value


def test_a_file_that_would_not_load_is_not_written(project: Path) -> None:
    flags = list(FLAGS)
    flags[flags.index("--name") + 1] = "G" * 1200
    result = run(project, *flags, "--id", "gs-park")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "schools/gs-park.yaml:6:9: error: school.name: the text has 1200 characters, more than the "
        "limit of 1000: shorten it",
        "1 problem found; no files were written."]
    assert not (project / "schools" / "gs-park.yaml").exists()


@pytest.mark.slow
def test_every_land_and_platform_gives_a_file_its_check_takes(tmp_path: Path) -> None:
    """For every Land, every catalog platform with every hosting it supports and every module:
    the file `new --no-input` writes has no error in `check` (what the catalog does not know,
    e.g. a retention period, is written as a TODO the school fills in: a warning)."""
    from dsinfo.catalog import load_catalog

    from .conftest import ROOT

    catalog = load_catalog(ROOT / "catalog")
    project = make_project(tmp_path)
    made = 0
    for state in sorted(catalog.states):
        for pid, platform in sorted(catalog.platforms.items()):
            optional = ",".join(m for m, module in platform.modules.items() if not module.required)
            for hosting in platform.hosting:
                name = f"Schule {state} {pid} {hosting}"
                result = run(project, "new", "--no-input", "--land", state, "--name", name,
                             "--street", "Parkweg 1", "--postcode", "04109", "--city", "Musterstadt",
                             "--email", "info@schule.example", "--authority", "Stadt Musterstadt",
                             "--dpo-email", "dsb@schule.example",
                             "--platform", f"{pid}:{hosting}:{optional}", "--stand", "2025-08-01")
                assert result.returncode == 0, (name, result.stderr)
                made += 1
    assert made >= 16 * len(catalog.platforms)
    checked = run(project, "check")
    errors = [line for line in checked.stdout.splitlines() if ": error: " in line]
    assert errors == []
    assert checked.stdout.splitlines()[-1].startswith(f"Checked {made} schools: ")
