"""School files: validation against the models and the catalog, with exact messages."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from dsinfo import catalog as catalog_models
from dsinfo import model
from dsinfo.catalog import Catalog, load_catalog
from dsinfo.compose import Notice, compose
from dsinfo.errors import InputError
from dsinfo.load import read_yaml
from dsinfo.model import is_email, is_safe_link, is_web_address

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
     ["10:17: error: languages: 'fr' is not allowed here: use one of de, en, tr, ar, uk, ru, fa, ku, "
      "pl, ro, bg or sq"]),
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


@pytest.mark.parametrize(("value", "ok"), [
    ("sekretariat@gs-park.de", True), ("a.b+c_d-e@schule-am-park.example", True),
    ("info@grundschule-müllerstraße.de", True), ("info@xn--schle-kva.de", True),
    # local part and domain only: a mailto: link must not add recipients or a subject
    ("dsb@schule.example?bcc=someone%40elsewhere.example&subject=x", False),
    ("dsb@schule.example?bcc=someone%40elsewhere.example", False),  # what the old pattern let through
    ("dsb@schule.example?bcc=x@elsewhere.example", False), ("dsb@schule.example#x", False),
    ("dsb@schule.example,x@elsewhere.example", False), ("dsb%40x@schule.example", False),
    ("a b@schule.de", False), ("<a@schule.de>", False), ("a@b@schule.de", False),
    ("a..b@schule.de", False), (".a@schule.de", False), ("a@schule", False), ("a@-x.de", False),
    ("a@schule.d", False), ("a@schule.de.", False), ("a@" + "x" * 250 + ".de", False),
])
def test_email_is_local_part_and_domain_only(value: str, ok: bool) -> None:
    assert is_email(value) is ok
    assert is_safe_link("mailto:" + value) is ok


@pytest.mark.parametrize(("value", "ok"), [
    ("https://gs-park.de", True), ("http://gs-park.de/", True), ("https://www.gs-park.de:8443/a", True),
    ("https://www.gs-park.de/datenschutz/{lang}/notice.html", True),
    ("https://gs-park.de/suche?q=a&b=c#x", True),
    # no user info: it shows the school and goes elsewhere
    ("https://schule.example@elsewhere.example/", False),
    ("https://user:pass@schule.example/", False), ("https://elsewhere.example\\@schule.example/", False),
    ("https://schule.example\\.elsewhere.example/", False),
    ("javascript:alert(1)", False), ("ftp://schule.example/", False), ("https:/schule.example", False),
    ("https://", False), ("https://localhost/", False), ("https://[::1]/", False),
    ("https://schule.example/a b", False), ('https://schule.example/"x', False),
    ("https://schule.example/\x1b", False), ("HTTPS://schule.example/", False),
])
def test_web_address_has_no_user_before_the_host(value: str, ok: bool) -> None:
    assert is_web_address(value) is ok
    assert is_safe_link(value) is ok


def test_every_address_field_is_checked_in_one_place() -> None:
    """Every field of a school or catalog file that holds an e-mail or web address asks
    is_email / is_web_address: a new field cannot forget the check."""
    wanted = {"email": model.is_email, "website": model.is_web_address,
              "notice_url": model.is_web_address, "url": model.is_web_address}
    fields = {f"{name}.{field}": (wanted[field], _tests(info.annotation, info.metadata))
              for name, cls in {**vars(catalog_models), **vars(model)}.items()
              if isinstance(cls, type) and issubclass(cls, model.Model)
              for field, info in cls.model_fields.items()
              if field in wanted and not _holds_model(info.annotation)}  # School.website: a section
    assert len(fields) >= 8
    assert {name: test for name, (test, found) in fields.items() if test not in found} == {}


def _holds_model(annotation: object) -> bool:
    import typing

    return (isinstance(annotation, type) and issubclass(annotation, model.Model)) or any(
        _holds_model(arg) for arg in typing.get_args(annotation))


def _tests(annotation: object, metadata: Sequence[object] = ()) -> set[object]:
    """The value tests of every _checked validator in an annotation, however it is nested."""
    import inspect
    import typing

    found = set()
    for item in [*metadata, *getattr(annotation, "__metadata__", ())]:
        func = getattr(item, "func", None)
        if func is not None and "passes" in inspect.getclosurevars(func).nonlocals:
            found.add(inspect.getclosurevars(func).nonlocals["passes"])
    for arg in typing.get_args(annotation):
        found |= _tests(arg)
    return found


@pytest.mark.parametrize(("value", "message"), [
    ('"1754006400"', "'1754006400' is not a date: write it as YYYY-MM-DD, e.g. 2023-03-01"),
    ("2025-08-01T00:00:00", "'2025-08-01T00:00:00' is not a date: write it as YYYY-MM-DD, e.g. "
                            "2023-03-01"),
    ("2025-08-01 00:00", "'2025-08-01 00:00' is not a date: write it as YYYY-MM-DD, e.g. 2023-03-01"),
    ("20250801", "'20250801' is not a date: write it as YYYY-MM-DD, e.g. 2023-03-01"),
    ("9999-12-31", "'9999-12-31' is not a date between 1900 and 2099: is the year right?"),
    ("0001-01-01", "'0001-01-01' is not a date between 1900 and 2099: is the year right?"),
])
def test_only_yyyy_mm_dd_is_a_date(tmp_path: Path, catalog: Catalog, value: str, message: str) -> None:
    text = VALID.replace("stand: 2025-08-01", f"stand: {value}")
    assert errors(tmp_path, catalog, text) == [f"9:8: error: stand: {message}"]
    text = VALID.replace("stand: 2025-08-01", f"stand: 2025-08-01\nconsent_sheet:\n  return_by: {value}")
    assert errors(tmp_path, catalog, text) == [f"11:14: error: consent_sheet.return_by: {message}"]


@pytest.mark.parametrize(("value", "ok"), [
    ("2000/01", True), ("2098/99", True), ("2025/26", True),
    ("1999/00", False), ("2099/00", False), ("9999/00", False), ("0000/01", False)])
def test_school_years_in_range(tmp_path: Path, catalog: Catalog, value: str, ok: bool) -> None:
    text = VALID.replace('school_year: "2025/26"', f'school_year: "{value}"')
    if ok:
        build(tmp_path, catalog, text)
    else:
        assert errors(tmp_path, catalog, text) == [
            f"8:14: error: school_year: '{value}' is not a school year between 2000/01 and 2098/99"]
