"""The school-year cycle: versions kept in the archive (never overwritten), `diff` between
versions, `next-year`, and the archive on the school's index page."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from .project import VALID, make_project, run

SCHOOL = VALID.replace("school_year:", "# the school year\nschool_year:")  # a comment to keep


@pytest.fixture
def project(tmp_path: Path) -> Path:
    make_project(tmp_path)
    (tmp_path / "schools" / "gs-park.yaml").write_text(SCHOOL, encoding="utf-8")
    assert build(tmp_path).returncode == 0
    return tmp_path


def build(project: Path):  # type: ignore[no-untyped-def]
    return run(project, "--format", "html")


def edit(project: Path, old: str, new: str) -> None:
    path = project / "schools" / "gs-park.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def archived(project: Path) -> list[str]:
    root = project / "output" / "gs-park" / "archive"
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def version_of(project: Path) -> str:
    """The version the German notice shows."""
    html = (project / "output" / "gs-park" / "de" / "notice.html").read_text(encoding="utf-8")
    return re.findall(r'<span class="version">([0-9a-f]{8})</span>', html)[0]


def edition_of(project: Path) -> str:
    """The version of all German documents together: what names their archive folder."""
    data = json.loads((project / "output" / "gs-park" / "manifest.json").read_text(encoding="utf-8"))
    return str(data["languages"]["de"]["version"])


def test_a_new_version_keeps_the_old_one(project: Path) -> None:
    first, edition = version_of(project), edition_of(project)
    assert archived(project) == []
    edit(project, "modules: [files]", "modules: [files, email]")
    assert build(project).returncode == 0
    assert version_of(project) != first
    folder = f"2025-26/de/2025-08-01_{edition}"
    assert archived(project) == [f"{folder}/{name}" for name in
                                 ("consent.html", "notice.html", "notice.json", "withdrawal.html")]
    # the school's page lists it
    index = (project / "output" / "gs-park" / "index.html").read_text(encoding="utf-8")
    assert f'href="archive/{folder}/notice.html"' in index
    assert "Frühere Fassungen" in index


def test_the_index_lists_versions_newest_first(project: Path) -> None:
    first, first_edition = version_of(project), edition_of(project)
    edit(project, "modules: [files]", "modules: [files, email]")
    build(project)
    second, second_edition = version_of(project), edition_of(project)
    edit(project, "modules: [files, email]", "modules: [files, calendar]")
    build(project)
    index = (project / "output" / "gs-park" / "index.html").read_text(encoding="utf-8")
    listed = re.search(r'<section class="archive">.*?</section>', index, re.S)
    assert listed is not None
    assert re.findall(r"<li>.*?</li>", listed[0].replace("\n", " ")) == [
        "<li>Schuljahr 2025–2026 · Stand: 01.08.2025: "
        f'<a href="archive/2025-26/de/2025-08-01_{second_edition}/notice.html" hreflang="de" lang="de">'
        f'Deutsch</a> <span class="version">(Version {second})</span>, '
        f'<a href="archive/2025-26/de/2025-08-01_{first_edition}/notice.html" hreflang="de" lang="de">'
        f'Deutsch</a> <span class="version">(Version {first})</span></li>']


def test_the_archive_is_never_overwritten(project: Path) -> None:
    first = edition_of(project)
    edit(project, "modules: [files]", "modules: [files, email]")
    build(project)
    kept = project / "output" / "gs-park" / "archive" / "2025-26" / "de" / f"2025-08-01_{first}"
    (kept / "notice.html").write_text("what a parent was given", encoding="utf-8")
    edit(project, "modules: [files, email]", "modules: [files]")  # back to the first version
    build(project)
    edit(project, "modules: [files]", "modules: [files, calendar]")
    build(project)
    assert (kept / "notice.html").read_text(encoding="utf-8") == "what a parent was given"
    assert len({path.split("/")[2] for path in archived(project)}) == 2


def test_diff_shows_facts_and_text(project: Path) -> None:
    edit(project, "modules: [files]", "modules: [files, email]\n    retention:\n      logs: "
                                      "Protokolldaten werden nach 30 Tagen gelöscht.")
    build(project)
    edit(project, "Stadt Erfurt", "Stadt Erfurt (Schulverwaltungsamt)")
    result = run(project, "diff", "--school", "gs-park")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "  + Data: E-Mails (Inhalte und Verbindungsdaten)" in out
    assert "  + Purposes (legal basis): Schulische Kommunikation per E-Mail (Gesetz)" in out
    assert ("Nutzungsdaten und Logdateien (IP-Adressen, Klicks, Zeitstempel), soweit für den "
            "sicheren Betrieb und die Fehlerbehebung erforderlich: Protokolldaten werden "
            "automatisch nach 6 Monaten gelöscht. → Protokolldaten werden nach 30 Tagen gelöscht.") in out
    assert ("Text, section by section:\n  1. Verantwortliche Stelle\n    - Stadt Erfurt\n"
            "    + Stadt Erfurt (Schulverwaltungsamt)\n") in out
    assert out.splitlines()[-1] == "Report: output/gs-park/changes.html"
    html = (project / "output" / "gs-park" / "changes.html").read_text(encoding="utf-8")
    assert '<li class="added"><span class="sign">+</span> E-Mails (Inhalte und Verbindungsdaten)</li>' in html
    assert "<script" not in html


def test_diff_without_an_earlier_version(project: Path) -> None:
    result = run(project, "diff", "--school", "gs-park")
    assert result.returncode == 1
    assert result.stderr == ("error: no earlier version is archived for gs-park: versions are kept "
                             "when a build replaces them (python build.py next-year)\n")


def test_next_year_routine(project: Path) -> None:
    first = edition_of(project)
    result = run(project, "next-year", "--school", "gs-park", "--stand", "2026-08-03")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == ("schools/gs-park.yaml: school year 2025/26 -> 2026/27, "
                                             "Stand 2026-08-03.")
    text = (project / "schools" / "gs-park.yaml").read_text(encoding="utf-8")
    assert '# the school year\nschool_year: "2026/27"\nstand: 2026-08-03\n' in text
    assert archived(project)[0].startswith(f"2025-26/de/2025-08-01_{first}/")
    assert build(project).returncode == 0
    diff = run(project, "diff", "--school", "gs-park", "--from", "2025/26")
    assert diff.returncode == 0, diff.stderr
    assert diff.stdout.startswith(f"From 2025/26 (Stand 2025-08-01, version {first})\n"
                                  "  to 2026/27 (now: Stand 2026-08-03, version ")


def test_diff_between_archived_years(project: Path) -> None:
    run(project, "next-year", "--school", "gs-park", "--stand", "2026-08-03")
    build(project)
    run(project, "next-year", "--school", "gs-park", "--stand", "2027-08-02")
    build(project)
    result = run(project, "diff", "--school", "gs-park", "--from", "2025", "--to", "2026/27")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert re.fullmatch(r"From 2025/26 \(Stand 2025-08-01, version [0-9a-f]{8}\)", lines[0])
    assert re.fullmatch(r"  to 2026/27 \(Stand 2026-08-03, version [0-9a-f]{8}\)", lines[1])


def test_next_year_names_what_still_says_the_old_year(project: Path) -> None:
    edit(project, "  name: Stadt Erfurt", "  name: Stadt Erfurt (Vertrag 2025/26, Anlage 2025-2026)")
    result = run(project, "next-year", "--school", "gs-park", "--stand", "2026-08-03")
    assert result.returncode == 0, result.stderr
    line = next(n for n, text in enumerate(
        (project / "schools" / "gs-park.yaml").read_text(encoding="utf-8").splitlines(), 1)
        if "Vertrag" in text)
    assert result.stdout.splitlines()[2:4] == [
        f"schools/gs-park.yaml:{line}:{col}: still mentions 2025/26; change it if it should say "
        "2026/27." for col in (31, 47)]


def changes_box(project: Path, lang: str = "de") -> str | None:
    html = (project / "output" / "gs-park" / lang / "notice.html").read_text(encoding="utf-8")
    box = re.search(r'<aside class="changes".*?</aside>', html, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", box[0]).split()) if box else None


def test_parents_see_what_changed_since_last_year(project: Path) -> None:
    edit(project, "school_year:", "show_changes: true\nlanguages: [de, en]\nschool_year:")
    assert build(project).returncode == 0
    assert changes_box(project) is None  # no earlier school year yet
    run(project, "next-year", "--school", "gs-park", "--stand", "2026-08-03")
    edit(project, "modules: [files]", "modules: [email]\n    retention:\n      logs: "
                                      "Protokolldaten werden nach 30 Tagen gelöscht.")
    assert build(project).returncode == 0
    assert changes_box(project) == (
        "Was sich seit dem Schuljahr 2025–2026 geändert hat "
        "Gegenüber der Fassung vom 01.08.2025 hat sich Folgendes geändert: "
        "Entfällt – Daten: Hochgeladene Dateien im Bereich „Meine Dateien“ (Inhaltsdaten und "
        "Metadaten, z. B. Dateiname, Dateipfad, Dateigröße und Zeitstempel) "
        "Neu – Daten: E-Mails (Inhalte und Verbindungsdaten) "
        "Entfällt – Zweck: Dateimanagement "
        "Neu – Zweck: Schulische Kommunikation per E-Mail "
        "Geändert – Speicherdauer: Nutzungsdaten und Logdateien (IP-Adressen, Klicks, "
        "Zeitstempel), soweit für den sicheren Betrieb und die Fehlerbehebung erforderlich")
    english = changes_box(project, "en")
    assert english is not None
    assert english.startswith("What has changed since the school year 2025 – 2026 Compared with "
                              "the version of 1 Aug 2025, the following has changed: Removed – "
                              "Data: Uploaded files")
    assert english.endswith("Changed – Storage period: Usage data and log files (IP addresses, "
                            "clicks, time stamps), as far as necessary for secure operation and "
                            "fixing errors")


def test_changes_also_before_the_old_year_is_archived(project: Path) -> None:
    # the school year changed by hand, no next-year: the notice still published is the old one
    edit(project, "school_year:", "show_changes: true\nschool_year:")
    assert build(project).returncode == 0
    edit(project, 'school_year: "2025/26"', 'school_year: "2026/27"')
    assert build(project).returncode == 0
    assert changes_box(project) == (
        "Was sich seit dem Schuljahr 2025–2026 geändert hat Gegenüber der Fassung vom "
        "01.08.2025 sind Daten, Zwecke, Rechtsgrundlagen, Empfänger, Speicherdauer und "
        "Einwilligungen unverändert.")


def test_changes_name_a_new_legal_basis(project: Path) -> None:
    edit(project, "school_year:", "show_changes: true\nschool_year:")
    assert build(project).returncode == 0
    run(project, "next-year", "--school", "gs-park", "--stand", "2026-08-03")
    edit(project, "hosting: on_premises", "hosting: on_premises\n    basis: consent")
    assert build(project).returncode == 0
    box = changes_box(project)
    assert box is not None
    assert "hat sich Folgendes geändert: Neu – Einwilligung: IServ Schulplattform Geändert – " in box
    assert "Geändert – Zweck: Dateimanagement: jetzt nur mit Ihrer Einwilligung" in box
    # every purpose of the platform (its base modules and files) now rests on consent
    assert box.count("Geändert – Zweck: ") == box.count(": jetzt nur mit Ihrer Einwilligung") == 6


def test_no_changes_box_unless_the_school_asks(project: Path) -> None:
    run(project, "next-year", "--school", "gs-park", "--stand", "2026-08-03")
    edit(project, "modules: [files]", "modules: [email]")
    assert build(project).returncode == 0
    assert changes_box(project) is None
