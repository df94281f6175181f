"""The incremental, parallel build: what changed is built again, nothing else; shards split
the schools; the progress bar stays out of piped output."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from dsinfo import manifest, pipeline
from dsinfo.plan import Shard
from dsinfo.project import Project

from .project import VALID, make_project, own_copy, run, run_process

SECOND = VALID.replace("Grundschule am Park", "Grundschule am See").replace("99084", "99085")
THIRD = VALID.replace("state: TH", "state: NI").replace("Grundschule am Park", "Schule am Deich")


@pytest.fixture(scope="module")
def first_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three schools (two in Thüringen, one in Niedersachsen), HTML only to stay quick, built
    once for this module."""
    folder = make_project(tmp_path_factory.mktemp("three"), {"gs-park": VALID, "gs-see": SECOND,
                                                           "gs-deich": THIRD})
    assert build(folder) == {"gs-deich/de", "gs-park/de", "gs-see/de"}
    return folder


@pytest.fixture
def project(first_build: Path, tmp_path: Path) -> Path:
    """A test's own copy of the built project, with the files' times (what a build compares)."""
    return Path(shutil.copytree(first_build, tmp_path / "project", symlinks=True))


def build(project: Path, *args: str) -> set[str]:
    """Which school/language pairs a build made: it reports each school it built on a line
    "  <id>: <languages>: <n> files"."""
    result = run(project, "--format", "html", "--jobs", "2", *args)
    assert result.returncode == 0, result.stderr
    return {f"{m[1]}/{lang}" for m in re.finditer(r"(?m)^  ([\w-]+): ([\w, ]+): \d+ files", result.stdout)
            for lang in m[2].split(", ")}


def test_nothing_changed_builds_nothing(project: Path) -> None:
    result = run_process(project, "--format", "html")
    assert re.fullmatch(r"Nothing to build; 3 languages unchanged, 0 failed; output/ in \d+\.\d s\.\n",
                        result.stdout)


def test_a_school_change_rebuilds_only_that_school(project: Path) -> None:
    school = project / "schools" / "gs-see.yaml"
    school.write_text(SECOND.replace("Grundschule am See", "Grundschule am Großen See"), "utf-8")
    assert build(project) == {"gs-see/de"}
    assert "Grundschule am Großen See" in (project / "output" / "index.html").read_text("utf-8")


def test_force_rebuilds_the_selected_schools_only(project: Path) -> None:
    assert build(project, "--force", "--school", "gs-see") == {"gs-see/de"}
    assert build(project) == set()  # the others kept their manifests
    assert build(project, "--force") == {"gs-deich/de", "gs-park/de", "gs-see/de"}


@pytest.mark.slow  # a build as its own process: about 3 s
def test_force_with_bad_input_leaves_the_manifests(project: Path) -> None:
    (project / "schools" / "gs-see.yaml").write_text(SECOND + "frobnicate: 1\n", "utf-8")
    assert run_process(project, "--format", "html", "--force").returncode == 1
    (project / "schools" / "gs-see.yaml").write_text(SECOND, "utf-8")
    assert build(project) == set()


def test_a_template_change_rebuilds_everything(project: Path) -> None:
    template = own_copy(project, "templates", "withdrawal.html")
    template.write_text(template.read_text("utf-8").replace("</main>", "<p>neu</p>\n</main>"), "utf-8")
    assert build(project) == {"gs-deich/de", "gs-park/de", "gs-see/de"}


def test_a_catalog_change_rebuilds_the_schools_that_use_it(project: Path) -> None:
    state = own_copy(project, "catalog", "states/ni.yaml")
    state.write_text(state.read_text("utf-8").replace("Prinzenstraße 5", "Prinzenstraße 7"), "utf-8")
    assert build(project) == {"gs-deich/de"}
    platform = own_copy(project, "catalog", "platforms/moodle.yaml")  # used by none of them
    platform.write_text(platform.read_text("utf-8") + "\n# a comment\n", "utf-8")
    assert build(project) == set()


def test_a_deleted_output_file_is_made_again(project: Path) -> None:
    lost = project / "output" / "gs-park" / "de" / "consent.html"
    lost.unlink()
    assert build(project) == {"gs-park/de"}
    assert lost.is_file()


def test_a_school_of_its_own_template_rebuilds_alone(project: Path) -> None:
    own = project / "templates" / "schools" / "gs-park"
    own.mkdir(parents=True)
    (own / "withdrawal.html").write_text('{% extends "withdrawal.html" %}', "utf-8")
    assert build(project) == {"gs-park/de"}


@pytest.mark.slow  # builds PDFs after web pages: about 4 s
def test_more_formats_build_what_is_missing(project: Path) -> None:
    result = run_process(project, "--school", "gs-park")  # all formats: the PDFs are missing
    assert result.returncode == 0
    assert (project / "output" / "gs-park" / "de" / "notice.pdf").is_file()
    assert build(project, "--format", "html") == set()


@pytest.mark.parametrize("count", [1, 2, 3, 5, 8])
def test_shards_cover_every_school_once(count: int) -> None:
    ids = [f"schule-{n:04d}" for n in range(200)]
    parts = [[sid for sid in ids if sid in Shard(index, count)] for index in range(1, count + 1)]
    assert sorted(sid for part in parts for sid in part) == ids
    assert all(parts) or count > len(ids)


def test_shard_option_builds_its_part(project: Path) -> None:
    mine = {sid for sid in ("gs-deich", "gs-park", "gs-see") if sid in Shard(2, 2)}
    shutil.rmtree(project / "output")
    assert {s.split("/")[0] for s in build(project, "--shard", "2/2")} == mine
    bad = run_process(project, "--shard", "3/2")
    assert bad.returncode == 2
    assert bad.stderr.splitlines()[-1] == (
        "Error: Invalid value for '--shard': '3/2' is not I/N with 1 <= I <= N, e.g. 2/4")


def test_no_progress_bar_in_piped_output(project: Path) -> None:
    (project / "schools" / "gs-park.yaml").write_text(VALID.replace("Park", "Parkweg"), "utf-8")
    result = run_process(project, "--format", "html")
    assert "\r" not in result.stdout + result.stderr
    assert "doc/s" not in result.stderr


def test_a_second_build_in_the_same_process_sees_an_edit(project: Path) -> None:
    school = project / "schools" / "gs-see.yaml"
    assert run(project, "--format", "html").stdout.startswith("Nothing to build")
    school.write_text(SECOND.replace("Grundschule am See", "Grundschule am Kleinen See"), "utf-8")
    again = run(project, "--format", "html")
    assert again.stdout.startswith("  gs-see: de: ")


# A school with three documents in two languages: each document has its own version, so a
# change to one of them leaves the others' pages, versions and PDFs as they were.
DOCUMENTS = VALID.replace('stand: 2025-08-01\n', 'stand: 2025-08-01\nlanguages: [de, en]\n') + """\
website:
  url: "https://gs-park.example"
  host:
    name: Beispiel Webhosting GmbH
    street: Serverstraße 1
    postcode: "00000"
    city: Musterstadt
    task: {de: Hosting der Website, en: hosting the website}
    location: {de: Rechenzentrum in Deutschland, en: a data centre in Germany}
  log_retention: {de: 7 Tage, en: 7 days}
  log_provision: "§ 16 ThürDSG"
  cookies: []
documents:
  - id: notice
    kind: notice
  - id: website
    kind: website_notice
  - id: short
    kind: short_notice
"""


def made(project: Path, **options: bool) -> list[str]:
    """The PDFs a build of `project` had WeasyPrint make."""
    summary = pipeline.build(Project(project), project / "output", options=pipeline.Options(**options))
    assert summary.ok, summary.results
    return sorted(summary.made)


def shown_versions(project: Path) -> dict[str, str]:
    folder = project / "output" / "gs-park" / "de"
    return {doc: re.findall(r'<span class="version">([0-9a-f]{8})</span>',
                            (folder / f"{doc}.html").read_text("utf-8"))[0]
            for doc in ("notice", "website", "short")}


@pytest.mark.slow  # makes 24 PDFs
def test_a_change_to_one_document_makes_only_its_pdfs_again(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_project(tmp_path, {"gs-park": DOCUMENTS})
    assert made(project) == [f"gs-park/{lang}/{doc}.pdf" for lang in ("de", "en")
                             for doc in ("notice", "short", "website")]
    before = shown_versions(project)
    notice_pdf = (project / "output" / "gs-park" / "de" / "notice.pdf").read_bytes()
    school = project / "schools" / "gs-park.yaml"
    school.write_text(DOCUMENTS.replace("{de: 7 Tage, en: 7 days}", "{de: 14 Tage, en: 14 days}"), "utf-8")
    assert made(project) == ["gs-park/de/website.pdf", "gs-park/en/website.pdf"]
    after = shown_versions(project)
    assert after["website"] != before["website"]
    assert {d: v for d, v in after.items() if d != "website"} == {
        d: v for d, v in before.items() if d != "website"}
    assert (project / "output" / "gs-park" / "de" / "notice.pdf").read_bytes() == notice_pdf
    # the template of one kind changed: only its documents' PDFs are made again
    short = own_copy(project, "templates", "short.html")
    short.write_text(short.read_text("utf-8").replace('<dl class="short-facts">',
                                                      '<dl class="short-facts" data-x>'), "utf-8")
    assert made(project) == ["gs-park/de/short.pdf", "gs-park/en/short.pdf"]
    # what WeasyPrint reads besides the page changed (here: its version): every PDF is made again
    monkeypatch.setattr(manifest, "tool_version", lambda: "dsinfo 0; weasyprint 99")
    assert len(made(project)) == 6
    # a PDF changed behind the build's back is made again, and --force makes every one
    (project / "output" / "gs-park" / "en" / "short.pdf").write_bytes(b"%PDF-1.7 not ours")
    school.write_text(DOCUMENTS, "utf-8")
    assert "gs-park/en/short.pdf" in made(project)
    assert len(made(project, force=True)) == 6
