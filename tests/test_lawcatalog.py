"""The law catalog (catalog/laws/, catalog/authorities/) and the sourced facts of states,
platforms and consents: every file loads, every unknown fact says what the DPO must confirm,
every known fact has a source, and broken files are refused with plain messages."""

from __future__ import annotations

import typing
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import BaseModel

from dsinfo.catalog import (
    REQUIRED_ROLES,
    BasisKind,
    Catalog,
    Condition,
    Fact,
    JointCustody,
    Measure,
    Platform,
    SourcedRef,
    load_catalog,
    open_questions,
)
from dsinfo.errors import InputError
from dsinfo.extract import extract_catalog
from dsinfo.load import read_yaml
from dsinfo.model import UNKNOWN, validate

from .conftest import ROOT

CATALOG = ROOT / "catalog"


LawCatalog = Catalog


@pytest.fixture(scope="module")
def laws() -> Catalog:
    return load_catalog(CATALOG)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(CATALOG)


def test_every_law_and_authority_file_loads(laws: LawCatalog) -> None:
    assert sorted(laws.laws) == ["dsg_ekd", "dsgvo", "kdg", "kdr_og"]
    assert sorted(laws.authorities) == ["baylda", "bfd_ekd", "kdsa_nord", "kdsa_ost",
                                        "kdsz_bayern", "kdsz_dortmund", "kdsz_frankfurt",
                                        "ordensdatenschutz"]
    assert [p.relative_to(CATALOG).as_posix() for p in laws.files
            if p.parent.name in ("laws", "authorities")] == [
        *(f"authorities/{a}.yaml" for a in sorted(laws.authorities)),
        *(f"laws/{law}.yaml" for law in sorted(laws.laws))]


def test_every_regime_names_every_role_and_basis(laws: LawCatalog) -> None:
    for regime in laws.laws.values():
        assert set(REQUIRED_ROLES) <= set(regime.roles), regime.id
        assert set(typing.get_args(BasisKind)) == set(regime.bases), regime.id
        for authority in regime.authorities:
            assert laws.authorities[authority].law == regime.id


def test_the_provisions_a_notice_cites(laws: LawCatalog) -> None:
    refs = {lid: {role: ref.ref for role, ref in law.roles.items()} for lid, law in laws.laws.items()}
    assert refs["dsgvo"]["information_direct"] == "Art. 13 DSGVO"
    assert refs["dsgvo"]["withdrawal"] == "Art. 7 Abs. 3 DSGVO"
    assert refs["dsg_ekd"]["information_direct"] == "§ 17 DSG-EKD"
    assert refs["dsg_ekd"]["automated_decisions"] == "§ 25a DSG-EKD"
    assert refs["dsg_ekd"]["complaint"] == "§ 46 DSG-EKD"
    assert refs["kdg"]["information_direct"] == "§ 15 KDG"
    assert refs["kdg"]["complaint"] == "§ 48 KDG"
    assert refs["kdg"]["dpo"] == UNKNOWN  # not seen in a source: asked, never printed
    assert laws.laws["dsgvo"].bases["statute"].ref == "Art. 6 Abs. 1 UAbs. 1 lit. e, Abs. 3 DSGVO"


def test_legitimate_interest_is_closed_to_public_bodies(laws: LawCatalog) -> None:
    assert laws.laws["dsgvo"].bases["legitimate_interest"].not_for == ["public_authority"]
    assert laws.laws["kdg"].bases["legitimate_interest"].ref == "§ 6 Abs. 1 lit. g KDG"
    assert laws.laws["kdg"].bases["legitimate_interest"].not_for == ["church_public_law_body"]


def test_open_questions_of_a_regime(laws: LawCatalog) -> None:
    questions = dict(open_questions(laws.laws["kdg"]))
    assert questions["dpo"].startswith("Welcher Paragraf des KDG verpflichtet")
    assert "withdrawal" in questions  # known but low: the paragraph moved in the amendment
    assert len(dict(open_questions(laws.laws["kdr_og"]))) >= len(REQUIRED_ROLES)


def _facts(model: BaseModel) -> Iterator[BaseModel]:
    """Every nested model inside `model`, itself included."""
    yield model
    for name in type(model).model_fields:
        value = getattr(model, name)
        values = value.values() if isinstance(value, dict) else value if isinstance(value, list) else [value]
        for item in values:
            if isinstance(item, BaseModel):
                yield from _facts(item)


def _all_facts(laws: LawCatalog, catalog: Catalog) -> list[BaseModel]:
    roots: list[BaseModel] = [*laws.laws.values(), *laws.authorities.values(),
                              *catalog.states.values(), *catalog.platforms.values(),
                              *catalog.consents.values()]
    return [fact for root in roots for fact in _facts(root)]


def test_every_unknown_fact_says_what_to_confirm(laws: LawCatalog, catalog: Catalog) -> None:
    facts = _all_facts(laws, catalog)
    unknown_refs = [f for f in facts if isinstance(f, SourcedRef) and f.ref == UNKNOWN]
    unknown_measures = [f for f in facts if isinstance(f, Measure) and f.text == UNKNOWN]
    unknown_custody = [f for f in facts if isinstance(f, JointCustody) and f.signers == UNKNOWN]
    assert unknown_refs
    assert unknown_measures
    assert unknown_custody
    assert all(f.question or f.note for f in unknown_refs)
    assert all(f.question for f in unknown_measures + unknown_custody)
    new_facts = [f for s in catalog.states.values()
                 for f in (s.private_schools.school_law if s.private_schools else None,
                           s.consent_forms) if f is not None]
    assert all(f.question for f in new_facts if f.value == UNKNOWN)


def test_every_known_fact_has_a_source(laws: LawCatalog, catalog: Catalog) -> None:
    for fact in _all_facts(laws, catalog):
        if isinstance(fact, SourcedRef) and fact.ref != UNKNOWN:
            assert fact.sources, fact.ref
        if isinstance(fact, Measure) and fact.text != UNKNOWN:
            assert fact.sources, fact.text
        if isinstance(fact, JointCustody) and fact.signers != UNKNOWN:
            assert fact.sources
        if isinstance(fact, Fact) and fact.value != UNKNOWN:
            assert fact.sources, fact.provision
        if isinstance(fact, Condition):
            assert fact.sources


def test_every_citation_has_its_source_and_confidence(catalog: Catalog) -> None:
    """What each Land's notices cite is a fact like any other: sourced, and how sure."""
    for code, state in catalog.states.items():
        assert state.notice_citation.sources, code
        assert state.notice_citation.confidence in ("high", "medium", "low"), code
    # Sachsen: the general clause of its school law was not found; § 1 is the education mandate
    assert catalog.states["SN"].notice_citation.confidence == "low"


def test_every_land_has_the_new_facts(catalog: Catalog, laws: LawCatalog) -> None:
    for code, state in catalog.states.items():
        assert state.private_schools, code
        assert state.website_basis, code
        assert state.joint_custody, code
        assert state.staff_data[0].ref == "§ 50 BeamtStG", code
    assert catalog.states["BY"].private_schools.authority.id == "baylda"  # type: ignore[union-attr]
    assert {c for c, s in catalog.states.items()
            if s.private_schools and s.private_schools.authority.id == "land"} == (
        set(catalog.states) - {"BY"})


def test_legal_review_corrections(catalog: Catalog) -> None:
    berlin = catalog.states["BE"]
    assert "SchuldatenV" not in berlin.notice_citation.text
    assert "SchuldatenV" not in (berlin.platforms_covered.provision or "")
    condition = catalog.states["NW"].platforms_covered.condition
    assert condition is not None
    assert condition.provision == "§ 65 SchulG NRW"
    assert catalog.states["SL"].duty_to_provide.ref == "§ 20b Abs. 1 Satz 3 SchoG"  # type: ignore[union-attr]
    assert [q.topic for q in catalog.states["SN"].open_questions] == ["school_law_general_clause"]
    assert catalog.states["BY"].consent_forms.only == "staatliche Schulen"  # type: ignore[union-attr]


def test_platform_groups_measures_and_not_with(catalog: Catalog) -> None:
    iserv = catalog.platforms["iserv"]
    assert iserv.not_with == ["absences"]
    guardians = [i.label for m in iserv.modules.values() for i in m.data if "guardians" in i.groups]
    assert "Sorgeberechtigte (Kontaktdaten)" in guardians
    conference = [i for i in iserv.modules["videoconference"].data if i.retention == "conference"]
    assert [i.voluntary for i in conference] == [False, True, False]  # the camera is voluntary
    microsoft = catalog.platforms["microsoft365"]
    assert [a.date.isoformat() for a in microsoft.assessments] == ["2022-11-24", "2025-11-15",
                                                                    "2019-07-09"]
    assert "https://aka.ms/DPA" in microsoft.hosting["cloud"].safeguards_copy.text  # type: ignore[union-attr]
    assert catalog.consents["class_contact_list"].subjects == ["pupils", "guardians"]
    assert catalog.consents["photos_website"].subjects == ["pupils"]


def test_the_extractor_takes_the_new_printed_texts(tmp_path: Path) -> None:
    for part, name in (("laws", "dsg_ekd"), ("states", "nw")):
        path = tmp_path / part / f"{name}.yaml"
        path.parent.mkdir()
        path.write_text((CATALOG / part / f"{name}.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    texts: dict[str, list[str]] = {}
    for path in sorted(tmp_path.glob("*/*.yaml")):
        with path.open("rb") as fp:
            texts |= {text: comments for _, _, text, comments in extract_catalog(fp, None, [], {})}
    assert texts["Kirchengesetz über den Datenschutz der Evangelischen Kirche in Deutschland "
                 "(EKD-Datenschutzgesetz)"][0] == "name"
    assert texts["Die Schulkonferenz hat den Einsatz der Plattform beschlossen (§ 65 SchulG NRW)."] == [
        "platforms_covered.condition.text"]
    assert "§ 17 DSG-EKD" not in texts  # citations are not translated


def _errors(files: dict[tuple[str, str], str], root: Path) -> list[str]:
    for (part, name), text in files.items():
        (root / part).mkdir(parents=True, exist_ok=True)
        (root / part / f"{name}.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_catalog(root)
    return [f"{p.path.parent.name}/{p.path.name}:{p.line}:{p.column}: {p.message}"
            for p in info.value.problems]


def _file(part: str, name: str) -> str:
    return (CATALOG / part / f"{name}.yaml").read_text(encoding="utf-8")


def _line(text: str, start: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if line.startswith(start))


def test_an_unknown_ref_needs_a_question(tmp_path: Path) -> None:
    text = _file("laws", "kdr_og").replace(
        "    question: Welche Vorschrift der KDR-OG gibt das Recht, eine Einwilligung zu widerrufen?\n", "")
    line = _line(text, "  withdrawal:") + 1
    assert _errors({("laws", "kdr_og"): text}, tmp_path) == [
        f"laws/kdr_og.yaml:{line}:5: roles.withdrawal: an unknown ref needs a 'question:' that says "
        "what the school's DPO must confirm",
    ]


def test_a_known_ref_needs_a_source(tmp_path: Path) -> None:
    text = _file("laws", "dsgvo").replace(
        "    title: Recht auf wirksamen gerichtlichen Rechtsbehelf\n    confidence: high\n"
        '    sources: ["https://eur-lex.europa.eu/eli/reg/2016/679/oj"]\n',
        "    title: Recht auf wirksamen gerichtlichen Rechtsbehelf\n    confidence: high\n")
    line = _line(text, "  judicial_remedy:") + 1
    assert _errors({("laws", "dsgvo"): text, ("authorities", "baylda"): _file("authorities", "baylda")},
                   tmp_path) == [
        f"laws/dsgvo.yaml:{line}:5: roles.judicial_remedy: a known fact needs at least one source",
    ]


def test_every_role_must_be_there(tmp_path: Path) -> None:
    text = _file("laws", "dsgvo")
    text = text[:text.index("  complaint:\n")] + text[text.index("  judicial_remedy:\n"):]
    assert _errors({("laws", "dsgvo"): text, ("authorities", "baylda"): _file("authorities", "baylda")},
                   tmp_path) == [
        "laws/dsgvo.yaml:6:1: missing roles or bases: complaint (use ref: unknown with a question "
        "where not verified)",
    ]


def test_ids_and_cross_references(tmp_path: Path) -> None:
    law = _file("laws", "kdr_og").replace("id: kdr_og", "id: kdr").replace(
        "authorities: [ordensdatenschutz]", "authorities: [orden]")
    authority = _file("authorities", "ordensdatenschutz").replace("law: kdr_og", "law: kdr")
    assert _errors({("laws", "kdr_og"): law, ("authorities", "ordensdatenschutz"): authority},
                   tmp_path) == [
        f"laws/kdr_og.yaml:{_line(law, 'id:')}:5: id 'kdr' does not match the file name",
        f"laws/kdr_og.yaml:{_line(law, 'authorities:')}:15: authorities: no file "
        "catalog/authorities/orden.yaml",
        f"authorities/ordensdatenschutz.yaml:{_line(authority, 'law:')}:6: law: no file "
        "catalog/laws/kdr.yaml",
    ]


def _platform_errors(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "iserv.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        validate(read_yaml(path), Platform)
    return [f"{p.line}:{p.column}: {p.message}" for p in info.value.problems]


def test_not_with_names_modules_of_the_platform(tmp_path: Path) -> None:
    text = _file("platforms", "iserv").replace("not_with: [absences]", "not_with: [absence]")
    assert _platform_errors(tmp_path, text) == [
        # a model-wide check: positioned at the platform's first key, the message names the key
        f"{_line(text, 'name:')}:1: not_with names modules that are not under 'modules:': absence",
    ]


def test_an_unknown_measure_needs_a_question(tmp_path: Path) -> None:
    question = ("        question: >-\n          Ist der IServ-Server nur über verschlüsselte "
                "Verbindungen erreichbar (HTTPS/TLS mit\n          gültigem Zertifikat), auch für "
                "E-Mail?\n")
    text = _file("platforms", "iserv")
    line = text[:text.index(question)].count("\n") - 2  # the measure's first key
    assert _platform_errors(tmp_path, text.replace(question, "")) == [
        f"{line}:9: hosting.on_premises.measures: an unknown measure needs a 'question:' that "
        "says what the school's DPO must confirm",
    ]


def test_the_readme_lists_every_platform_and_module() -> None:
    """The README's table of platforms is the catalog's: hosting, required and optional modules."""
    import re

    from dsinfo.catalog import load_catalog

    catalog = load_catalog(ROOT / "catalog")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = {m[1]: (m[2], m[3], m[4]) for m in re.finditer(
        r"^\| `(\w+)` \| [^|]+ \| ([^|]+) \| ([^|]+) \| ([^|]+) \|$", readme, re.M)}
    expected = {pid: (", ".join(p.hosting),
                      ", ".join(m for m, module in p.modules.items() if module.required),
                      ", ".join(m for m, module in p.modules.items() if not module.required))
                for pid, p in catalog.platforms.items()}
    listed = {pid: tuple(cell.strip() for cell in row) for pid, row in rows.items() if pid in expected}
    assert listed == expected
