"""School files: validation against the models and the catalog, with exact messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from dsinfo.catalog import Catalog, load_catalog
from dsinfo.compose import Notice, compose
from dsinfo.errors import InputError
from dsinfo.load import read_yaml

from .project import ROOT, VALID


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(ROOT / "catalog")


def build(tmp_path: Path, catalog: Catalog, text: str, name: str = "gs-park") -> Notice:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return compose(read_yaml(path), catalog)


def errors(tmp_path: Path, catalog: Catalog, text: str, name: str = "gs-park") -> list[str]:
    with pytest.raises(InputError) as info:
        build(tmp_path, catalog, text, name)
    return [f"{p.line}:{p.column}: {p.severity}: {p.message}" for p in info.value.problems]


def test_valid_file_composes(tmp_path: Path, catalog: Catalog) -> None:
    notice = build(tmp_path, catalog, VALID)
    assert notice.id == "gs-park"
    assert notice.state.supervisory_authority.short == "TLfDI"
    assert [mid for mid, _ in notice.platforms[0].modules] == ["account", "logs", "files", "support"]
    assert notice.school.school.postcode == "99084"
    assert notice.school.languages == ["de"]
    assert notice.placeholders == ()


@pytest.mark.parametrize(("old", "new", "expected"), [
    # a typo in a key: one line, with a suggestion
    ("  street: Parkweg 1", "  stret: Parkweg 1",
     ["1:1: error: school: missing required key 'street'",
      "3:3: error: school.stret: unknown key (did you mean 'street'?)"]),
    ("dpo:\n  email", "dpo:\n  emial",
     ["13:3: error: dpo.emial: unknown key (did you mean 'email'?)"]),
    ("state: TH", "state: TH\nschol_year: x",
     ["8:1: error: schol_year: unknown key (did you mean 'school_year'?)"]),
    # values that are not what the field wants
    ('postcode: "99084"', "postcode: 9908",
     ["4:13: error: school.postcode: '9908' is not a German postcode of five digits"]),
    ("stand: 2025-08-01", "stand: 01.08.2025",
     ["9:8: error: stand: '01.08.2025' is not a date: write it as YYYY-MM-DD, e.g. 2023-03-01"]),
    ("stand: 2025-08-01", "stand: 2025-02-30",
     ["9:8: error: stand: '2025-02-30' is not a date: write it as YYYY-MM-DD, e.g. 2023-03-01"]),
    ('school_year: "2025/26"', "school_year: 2025/27",
     ["8:14: error: school_year: '2025/27' is not a school year like 2023/24"]),
    ("sekretariat@gs-park.example", "sekretariat(at)gs-park",
     ["6:10: error: school.email: 'sekretariat(at)gs-park' is not an e-mail address like "
      "name@schule.de"]),
    ("hosting: on_premises", "hosting: server",
     ["16:14: error: platforms.iserv.hosting: 'server' is not allowed here: use one of "
      "on_premises or cloud"]),
    ("  name: Stadt Erfurt", "  name: [Stadt, Erfurt]",
     ["11:9: error: school_authority.name: expected text, found a list"]),
    ("  name: Stadt Erfurt", "  name:",
     ["11:8: error: school_authority.name: no value: write it after the ':' (or \"TODO: what is "
      "missing\" to fill it in later)"]),
    ("dpo:\n  email: dsb@gs-park.example\n", "dpo: Frau Muster\n",
     ["12:6: error: dpo: expected keys and values (key: value), found 'Frau Muster'"]),
    ("stand: 2025-08-01", "stand: 2025-08-01\nlanguages: [en]",
     ["10:12: error: languages: 'de' must be among the languages: the German text is the binding one"]),
    ("stand: 2025-08-01", "stand: 2025-08-01\nlanguages: [de, fr]",
     ["10:17: error: languages: 'fr' is not allowed here: use one of de, en, tr, ar, uk or ru"]),
    # references into the catalog
    ("state: TH", "state: NO",
     ["7:8: error: state: unknown Land 'NO' (known: BB, BE, BW, BY, HB, HE, HH, MV, NI, NW, RP, SH, "
      "SL, SN, ST, TH)"]),
    ("state: TH", "state: Niedersachen",
     ["7:8: error: state: unknown Land 'Niedersachen' (did you mean 'Niedersachsen'?)"]),
    ("state: TH", "state: Thüringen", []),
    ("  iserv:", "  iserve:",
     ["15:3: error: platforms: unknown platform 'iserve' (did you mean 'iserv'?)"]),
    ("modules: [files]", "modules: [fils]",
     ["17:15: error: platforms.iserv.modules: unknown module 'fils' (did you mean 'files'?)"]),
])
def test_bad_values(tmp_path: Path, catalog: Catalog, old: str, new: str, expected: list[str]) -> None:
    assert old in VALID
    text = VALID.replace(old, new, 1)
    if expected:
        assert errors(tmp_path, catalog, text) == expected
    else:
        build(tmp_path, catalog, text)


def test_every_problem_is_reported_at_once(tmp_path: Path, catalog: Catalog) -> None:
    text = VALID.replace("street:", "stret:").replace("Erfurt\n  email", "Erfurt\n  emial")
    text = text.replace("stand: 2025-08-01", "stand: gestern")
    assert errors(tmp_path, catalog, text) == [
        "1:1: error: school: missing required key 'street'",
        "1:1: error: school: missing required key 'email'",
        "3:3: error: school.stret: unknown key (did you mean 'street'?)",
        "6:3: error: school.emial: unknown key (did you mean 'email'?)",
        "9:8: error: stand: 'gestern' is not a date: write it as YYYY-MM-DD, e.g. 2023-03-01",
    ]


def test_missing_top_level_keys(tmp_path: Path, catalog: Catalog) -> None:
    assert errors(tmp_path, catalog, "school:\n  name: X\n") == [
        "1:1: error: school: missing required key 'street'",
        "1:1: error: school: missing required key 'postcode'",
        "1:1: error: school: missing required key 'city'",
        "1:1: error: school: missing required key 'email'",
        "1:1: error: missing required key 'state'",
        "1:1: error: missing required key 'school_year'",
        "1:1: error: missing required key 'stand'",
    ]


def test_top_level_must_be_a_mapping(tmp_path: Path, catalog: Catalog) -> None:
    assert errors(tmp_path, catalog, "- a\n- b\n") == [
        "1:1: error: expected keys and values (like 'name: ...') at the top of the file"]


@pytest.mark.parametrize("name", ["GS-Park", "gs_park", "-gs", "gs park", "a" * 70])
def test_file_name_must_be_an_id(tmp_path: Path, catalog: Catalog, name: str) -> None:
    assert errors(tmp_path, catalog, VALID, name=name) == [
        "1:1: error: the file name cannot be used as the school's id (its folder under output/): "
        "rename the file with lowercase letters, digits and '-' only, e.g. 'gs-am-park.yaml'"]


def test_placeholders_are_warnings(tmp_path: Path, catalog: Catalog) -> None:
    text = VALID.replace("dsb@gs-park.example", '"TODO: E-Mail der DSB"').replace(
        '"99084"', "TODO")
    notice = build(tmp_path, catalog, text)
    assert [f"{p.line}:{p.column}: {p.severity}: {p.message}" for p in notice.placeholders] == [
        "4:13: warning: placeholder still to fill in: a value",
        "13:10: warning: placeholder still to fill in: E-Mail der DSB",
    ]


def test_required_modules_and_consents(tmp_path: Path, catalog: Catalog) -> None:
    notice = build(tmp_path, catalog, VALID.replace("[files]", "[profile_picture]"))
    assert [c.id for c in notice.consents] == ["iserv.profile_picture"]
    (iserv,) = notice.activities
    assert [p.basis.kind for p in iserv.purposes if "Profilbild" in p.text] == ["consent"]
    assert {d.label for d in iserv.data if d.origin == "records"} == {
        "Name", "Vorname", "Klasse", "Einmalige ID aus dem Schulverwaltungsprogramm"}
