"""The completeness check: each rule failing and passing, the seed's defects found by id,
the shipped examples without errors, and a school in each of the 16 Länder."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from dsinfo.catalog import Catalog, load_catalog
from dsinfo.check import Finding, check
from dsinfo.compose import Notice, compose
from dsinfo.documents import Press
from dsinfo.load import read_yaml
from dsinfo.pipeline import Options, build
from dsinfo.project import Project

from .conftest import FIXTURES, ROOT, pdf_text
from .project import SHIPPED, VALID, make_project, run


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(ROOT / "catalog")


@pytest.fixture(scope="module")
def renderer() -> Press:
    return Press(Project(ROOT), formats=("html",))


def german(press: Press, notice: Notice) -> dict[str, str]:
    """The German documents' web pages, as the check reads them."""
    return press.web(notice, "de")[0]


def notice_of(tmp_path: Path, catalog: Catalog, text: str, name: str = "gs-park") -> Notice:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return compose(read_yaml(path), catalog)


def findings(tmp_path: Path, catalog: Catalog, renderer: Press, text: str) -> list[Finding]:
    notice = notice_of(tmp_path, catalog, text)
    return check(notice, catalog, german(renderer, notice))


def ids(found: list[Finding]) -> list[tuple[str, str]]:
    return [(f.id, f.severity) for f in found]


def test_valid_school_has_only_the_expected_warnings(tmp_path: Path, catalog: Catalog,
                                                     renderer: Press) -> None:
    # Thüringen's law says nothing on platforms; the IServ address is uncertain in the catalog
    assert ids(findings(tmp_path, catalog, renderer, VALID)) == [
        ("catalog.confidence", "warning"), ("law.platform_coverage", "warning")]


ISERV_BLOCK = "platforms:\n  iserv:\n    hosting: on_premises\n    modules: [files]\n"
# a consent of the school's own, complete but for what the test puts into its text
OWN_CONSENT = ("consents:\n  - id: fahrt\n    title: Fotos der Klassenfahrt\n    text: {text}\n"
               "    data: Fotos\n    recipients: Mitschülerinnen und Mitschüler\n"
               "    retention: bis zum Ende des Schuljahres\nplatforms:")

# (rule id, change to the valid school that breaks it, message of the finding)
FAILING = [
    ("art13.controller", ("sekretariat@gs-park.example", '"TODO: E-Mail"'),
     "6:3: warning: Parents cannot reach the school yet: its e-mail address is a placeholder."),
    ("art13.dpo_contact", ("dpo:\n  email: dsb@gs-park.example\n", ""),
     "1:1: error: The notice does not say how to reach the data protection officer."),
    ("art13.dpo_contact", ("  email: dsb@gs-park.example", "  name: Frau Muster"),
     "12:1: error: The data protection officer has no e-mail, phone or postal address."),
    ("art13.dpo_contact", ("dsb@gs-park.example", '"TODO: E-Mail der DSB"'),
     "12:1: warning: The data protection officer's contact is still a placeholder."),
    ("art13.legal_basis", ("state: TH", 'state: TH\ncitation: "§ 57 ThürSchulG"'),
     "8:1: error: The legal basis '§ 57 ThürSchulG' does not cite Art. 6 Abs. 1 lit. e DSGVO, on "
     "which the school's statutory processing rests."),
    ("art13.legal_basis.provision",
     ("state: TH", 'state: TH\ncitation: "Art. 6 Abs. 1 UAbs. 1 lit. e DSGVO i.V.m. § 58 ThürSchulG"'),
     "8:11: warning: §/Art. 58 is not among the provisions known for Thüringen."),
    ("art13.recipients", ("    hosting: on_premises", "    hosting: on_premises\n    no_processor: true"),
     "17:5: warning: No processor is named for IServ, although IServ GmbH usually does this as a "
     "processor: Wartung des IServ-Schulservers (Fernwartung)."),
    ("art13.recipients", ("    hosting: on_premises", "    hosting: cloud\n    no_processor: true\n"
                                                     "    location: Rechenzentrum in Deutschland"),
     "17:5: error: No processor is named for IServ, although the hosting company usually does "
     "this as a processor: Betrieb (Hosting) und Wartung der Plattform."),
    ("art13.third_country", ("    hosting: on_premises", "    hosting: cloud"),
     "16:5: error: It is not known where the data of IServ are stored, so the notice cannot say "
     "whether they leave the EU."),
    ("art13.retention", ("    modules: [files]", "    modules: [files]\n    retention:\n      content: "
                                                   "so lange wie erforderlich"),
     "19:16: error: The retention text names no period and no event after which the data are "
     "deleted."),
    ("art77.authority", ("state: TH", "state: TH\nsupervisory_authority:\n  name: "
                                      "Der Landesbeauftragte für den Datenschutz Niedersachsen"),
     "9:9: error: Wrong complaint authority: 'Der Landesbeauftragte für den Datenschutz "
     "Niedersachsen' is the authority of Niedersachsen, not of Thüringen."),
    ("art77.authority", ("state: TH", "state: TH\nsupervisory_authority:\n  name: Staatliches "
                                      "Schulamt Mittelthüringen"),
     "9:9: error: Wrong complaint authority: 'Staatliches Schulamt Mittelthüringen' is a school "
     "supervision office, not a data protection supervisory authority."),
    ("consent.for_statutory", ("modules: [files]", "modules: [files]\nconsents:\n  - id: iserv\n"
                                                   "    title: IServ\n    text: Ich bin einverstanden."),
     "19:5: error: Consent is asked for IServ, although the school uses it on the statute (Art. 6 "
     "Abs. 1 UAbs. 1 lit. e, Abs. 3 DSGVO i.V.m. § 57 Abs. 1 ThürSchulG)."),
    ("consent.for_statutory", ("modules: [files]", "modules: [files]\nconsents:\n  - id: dateien\n"
                                                   "    title: Dateien\n    text: Ja.\n"
                                                   "    covers: iserv.files"),
     "19:5: error: Consent is asked for IServ, although the school uses it on the statute (Art. 6 "
     "Abs. 1 UAbs. 1 lit. e, Abs. 3 DSGVO i.V.m. § 57 Abs. 1 ThürSchulG)."),
    ("consent.age_rule", ("modules: [files]", "modules: [profile_picture]"),
     "1:1: warning: Who signs the consent follows a common practice (guardians alone under 14, "
     "pupils alone from 18), not a rule of Thüringen's law."),
    ("law.platform_coverage", ("state: TH", "state: BW"),
     "15:3: warning: IServ is used on the statute, but the school law of Baden-Württemberg covers "
     "only SCHULE@BW expressly; the documents therefore do not say that no consent is needed."),
    ("catalog.confidence", ("modules: [files]", "modules: [files]"),
     "15:3: warning: The address of IServ GmbH in the catalog is uncertain."),
    ("placeholder", ("Stadt Erfurt", '"TODO: Schulträger"'),
     "11:9: warning: Placeholder still to fill in: Schulträger"),
    ("law.open_question", ("state: TH", "state: SN"),
     "7:1: warning: A question about Sachsen's law that the catalog could not settle: Welche "
     "Vorschrift des SächsSchulG erlaubt den Schulen allgemein, Daten von Schülerinnen und Schülern "
     "und von Eltern zu verarbeiten (die Rechtsgrundlage in den Datenschutzhinweisen stützt sich "
     "derzeit auf § 1 SächsSchulG, den Erziehungs- und Bildungsauftrag)?"),
    ("law.open_question", ("state: TH", "state: BW"),
     "7:1: warning: A question about Baden-Württemberg's law that the catalog could not settle: "
     "Welcher Paragraf des LDSG ist die Generalklausel für die Verarbeitung durch öffentliche "
     "Stellen, die die Schule zusammen mit § 1 SchG nennt (die notice_citation nennt nur „LDSG“)?"),
    ("consent.land_forms", ("state: TH", "state: BY\nconsents: [photos_website]"),
     "8:1: warning: Bayern has model consent forms for publications (VollzBek DS-Schulen (BayMBl. "
     "2022 Nr. 435), Anlagen) that bind staatliche Schulen; this sheet asks for 'Fotos auf der "
     "Website der Schule' on its own form."),
    ("art13.retention", (ISERV_BLOCK, "platforms:\n  moodle:\n    hosting: on_premises\n"
                                      "    location: Server in der Schule\n"),
     "15:3: error: How long Moodle keeps 'Protokolle der Aktivitäten auf der Plattform (z. B. "
     "aufgerufene Kurse und Inhalte, Zeitpunkt, IP-Adresse)' is a setting of the school's; without "
     "it the data may be kept for ever."),
    # consistency: what one part of the file says must not contradict another
    ("consistency.hosting", ("    hosting: on_premises", "    hosting: on_premises\n"
                                                         "    location: Rechenzentrum des Anbieters"),
     "17:15: error: The location of IServ ('Rechenzentrum des Anbieters') contradicts its hosting: "
     "the school file says it runs on the school's own server."),
    ("consent.coupling", ("platforms:", OWN_CONSENT.format(
        text="Ohne diese Einwilligung ist die Teilnahme an der Klassenfahrt nicht möglich.")),
     "17:11: error: A text says schooling or the platform is not possible without the consent, "
     "while the sheet says consent is voluntary and refusing it has no disadvantage."),
    ("consent.facts", ("platforms:", "consents:\n  - id: fahrt\n    title: Fotos der Klassenfahrt\n"
                                     "    text: Ich willige ein.\nplatforms:"),
     "15:5: error: The consent 'Fotos der Klassenfahrt' does not say data, recipients and retention."),
    ("art77.address", ("state: TH", "state: TH\nsupervisory_authority:\n  name: Der Thüringer "
                                    "Landesbeauftragte für den Datenschutz und die "
                                    'Informationsfreiheit\n  street: Musterstraße 1\n  postcode: "99084"'
                                    "\n  city: Erfurt"),
     "8:1: error: The complaint authority is TLfDI, but its address differs from the catalog's "
     "(Häßlerstraße 8, 99096 Erfurt)."),
    ("consistency.recipients", ("platforms:", "recipients:\n  - name: Lehrkräfte\n    purpose: nur "
                                              "innerhalb der Schule\n  - name: Förderverein\n"
                                              "    purpose: Einladungen zu Festen\nplatforms:"),
     "16:14: error: 'nur innerhalb der Schule' says the data stay inside the school, but other "
     "purposes or consents involve people or bodies outside it."),
    ("art13.dpo_independent", ("  email: dsb@gs-park.example", "  email: sekretariat@gs-park.example"),
     "13:10: warning: The data protection officer's e-mail address is the school office's."),
    ("law.duty_to_provide", ("state: TH", "state: NI"),
     "7:1: warning: It is not known which provision of Niedersachsen's school law obliges pupils and "
     "guardians to provide their data; the notice says it in general words only."),
    ("law.platform_coverage", ("state: TH", "state: NW"),
     "15:3: warning: IServ is used on the statute, but in Nordrhein-Westfalen only when this holds: "
     "Die Schulkonferenz hat den Einsatz der Plattform beschlossen (§ 65 SchulG NRW); the documents "
     "therefore do not say that no consent is needed."),
]


@pytest.mark.parametrize(("rule", "change", "expected"), FAILING,
                         ids=[f"{r}-{i}" for i, (r, _, _) in enumerate(FAILING)])
def test_rule_fails(tmp_path: Path, catalog: Catalog, renderer: Press, rule: str,
                    change: tuple[str, str], expected: str) -> None:
    assert change[0] in VALID
    found = findings(tmp_path, catalog, renderer, VALID.replace(*change, 1))
    matching = [f"{f.line}:{f.column}: {f.severity}: {f.message}" for f in found if f.id == rule]
    assert matching == [expected]


# (rule id, change that makes it pass where the valid school alone would not show it)
PASSING = [
    ("art13.retention", (ISERV_BLOCK, "platforms:\n  moodle:\n    hosting: on_premises\n    location: "
                                      "Server in der Schule\n    retention:\n      logs: nach 30 Tagen "
                                      "gelöscht (Einstellung der Schule)\n")),
    ("law.platform_coverage", ("    modules: [files]", "    modules: [files]\n    statute_confirmed: "
                                                       "{by: die Datenschutzbeauftragte, on: 2025-07-01}")),
    ("consent.land_forms", ("state: TH", "state: TH\nconsents: [photos_website]")),
    ("consent.age_rule", ("state: TH", "state: BY\nconsents: [photos_website]")),  # a sourced rule
    ("law.open_question", ("state: TH", 'state: SN\ncitation: "Art. 6 Abs. 1 UAbs. 1 lit. e, Abs. 3 '
                                        'DSGVO i.V.m. § 1 SächsSchulG"')),
    ("consistency.hosting", ("    hosting: on_premises", "    hosting: on_premises\n"
                                                         "    location: Server im Schulgebäude")),
    ("consent.coupling", ("platforms:", OWN_CONSENT.format(text="Ich willige ein, dass Fotos der "
                                                                "Klassenfahrt gezeigt werden."))),
    ("consistency.recipients", ("platforms:", "recipients:\n  - name: Lehrkräfte\n    purpose: nur "
                                              "innerhalb der Schule\nplatforms:")),
    ("consistency.recipients", ("platforms:", "recipients:\n  - name: Lehrkräfte\n    purpose: nur "
                                              "innerhalb der Schule\n    within: true\nsystems:\n"
                                              "  netz:\n    name: Schulnetz\n    groups: [pupils]\n"
                                              "    no_processor: true\n    data:\n      - {label: "
                                              "Anmeldedaten, source: use, retention: 6 Monate}\n"
                                              "    purposes:\n      - {text: Sicherer Betrieb des "
                                              "Schulnetzes, basis: statute}\nplatforms:")),
    ("art77.address", ("state: TH", "state: TH\nsupervisory_authority:\n  name: Thüringer "
                                    "Landesbeauftragter für den Datenschutz und die "
                                    'Informationsfreiheit\n  street: Häßlerstraße 8\n  postcode: "99096"'
                                    "\n  city: Erfurt")),
    ("law.platform_coverage", ("state: TH", "state: NI")),
    ("law.platform_coverage", ("hosting: on_premises", "hosting: on_premises\n    basis: consent")),
    ("catalog.confidence", ("    hosting: on_premises", "    hosting: on_premises\n    processor:\n"
                            "      name: IServ GmbH\n      street: Musterweg 1\n      postcode: "
                            '"38100"\n      city: Braunschweig')),
    ("consent.age_rule", ("modules: [files]", "modules: [profile_picture]\nconsent_age:\n"
                          "  guardians_only_under: 14\n  pupil_alone_from: 18")),
    ("art13.legal_basis.provision", ("state: TH", 'state: TH\ncitation: "Art. 6 Abs. 1 UAbs. 1 lit. '
                                     'e DSGVO i.V.m. § 57 Abs. 1 ThürSchulG"')),
    ("art13.retention", ("    modules: [files]", "    modules: [files]\n    retention:\n      content: "
                         "bis zum Ende des Schuljahres")),
    ("art77.authority", ("state: TH", "state: TH\nsupervisory_authority:\n  name: Der Thüringer "
                         "Landesbeauftragte für den Datenschutz und die Informationsfreiheit")),
]


@pytest.mark.parametrize(("rule", "change"), PASSING, ids=[r for r, _ in PASSING])
def test_rule_passes(tmp_path: Path, catalog: Catalog, renderer: Press, rule: str,
                     change: tuple[str, str]) -> None:
    assert change[0] in VALID
    found = findings(tmp_path, catalog, renderer, VALID.replace(*change, 1))
    assert [f for f in found if f.id == rule] == []


def test_rights_are_read_from_the_rendered_notice(tmp_path: Path, catalog: Catalog) -> None:
    """A school's own template that drops sections is caught."""
    override = tmp_path / "templates" / "schools" / "gs-park" / "notice.html"
    override.parent.mkdir(parents=True)
    override.write_text("<html lang=de><title>x</title><p>Art. 15 DSGVO, Art. 16 DSGVO</p></html>",
                        encoding="utf-8")
    renderer = Press(Project(make_project(tmp_path)), formats=("html",))
    found = findings(tmp_path, catalog, renderer, VALID.replace("[files]", "[profile_picture]"))
    assert [f.id for f in found if f.severity == "error"] == [
        "art13.automated_decision", "art13.right_erasure", "art13.right_object",
        "art13.right_portability", "art13.right_restriction", "art13.statutory_requirement",
        "art13.withdraw_consent", "art14.source", "art77.authority"]


def test_seed_defects_are_found_by_id(catalog: Catalog, renderer: Press) -> None:
    notice = compose(read_yaml(FIXTURES / "seed-with-defects.yaml"), catalog)
    assert ids(check(notice, catalog, german(renderer, notice))) == [
        ("art13.dpo_contact", "error"),        # no data protection officer
        ("art77.authority", "error"),          # the school supervision office as the authority
        ("art13.retention", "error"),          # "as long as necessary"
        ("consent.facts", "error"),            # the consent names no data, recipients, retention
        ("consent.for_statutory", "error"),    # consent for what § 57 ThürSchulG allows
        ("consent.age_rule", "warning"),
        ("consent.joint_custody", "warning"),
        ("law.platform_coverage", "warning"),
        ("catalog.question", "warning"),       # recording in videoconferences
        ("art13.recipients", "warning"),       # no processor named
    ]


def test_check_command_report(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    shutil.copy(FIXTURES / "seed-with-defects.yaml", project / "schools" / "seed.yaml")
    result = run(project, "check")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[:2] == [
        "schools/seed.yaml:3:1: error: The notice does not say how to reach the data protection "
        "officer. [art13.dpo_contact]",
        "    what to do: Add 'dpo:' with the e-mail address (or postal address) of the school's data "
        "protection officer; the name is optional (Art. 13 Abs. 1 lit. b DSGVO).",
    ]
    assert lines[-1] == "Checked 1 school: 5 errors, 5 warnings."
    for option in ("--strict", "--force"):
        refused = run(project, option, "--format=html")
        assert refused.returncode == 1
        assert refused.stderr.splitlines()[0].startswith("  seed: not published")
        assert not (project / "output" / "seed").exists()


def test_a_condition_of_the_land_is_asked_in_the_hint(tmp_path: Path, catalog: Catalog,
                                                      renderer: Press) -> None:
    """Nordrhein-Westfalen: the platform rests on the statute only after the Schulkonferenz
    decided; the hint asks exactly that (the catalog's question), then says what to record."""
    found = findings(tmp_path, catalog, renderer, VALID.replace("state: TH", "state: NW"))
    [hint] = [str(f.hint) for f in found if f.id == "law.platform_coverage"]
    assert hint.startswith("Hat die Schulkonferenz beschlossen, diese Plattform einzusetzen (§ 65 "
                           "SchulG NRW; ")
    assert hint.endswith("Holen Sie dann stattdessen eine Einwilligung ein. If it has, record the "
                         "decision under platforms.iserv: "
                         "'statute_confirmed: {by: ..., on: YYYY-MM-DD}'; if not, set 'basis: "
                         "consent' to ask for consent.")


def test_the_authorities_assessments_of_a_platform_reach_the_dpo(tmp_path: Path, catalog: Catalog,
                                                                 renderer: Press) -> None:
    school = VALID.split("platforms:")[0] + (
        "platforms:\n  microsoft365:\n    hosting: cloud\n    retention:\n"
        "      diagnostics: 30 Tage nach der Erhebung\n")
    found = [f for f in findings(tmp_path, catalog, renderer, school) if f.id == "catalog.assessment"]
    assert len(found) == len(catalog.platforms["microsoft365"].assessments) == 3
    assert str(found[0].message) == (
        "Datenschutzkonferenz (DSK) assessed Microsoft 365 on 2022-11-24: Festlegung zu Microsoft 365 "
        "(Abschlussbericht der AG DSK „Microsoft-Onlinedienste“). For whom: Alle Verantwortlichen in "
        "Deutschland; durch den Bericht des HBDI von 2025 nicht förmlich aufgehoben.")
    assert str(found[0].hint).startswith("Read it with your data protection officer (https://www."
                                    "datenschutzkonferenz-online.de/")
    assert not [f for f in findings(tmp_path, catalog, renderer, VALID) if f.id == "catalog.assessment"]


def test_the_readme_shows_what_the_check_prints(tmp_path: Path) -> None:
    """The README's example report is the real output for the seed's defects, line by line."""
    project = make_project(tmp_path)
    shutil.copy(FIXTURES / "seed-with-defects.yaml", project / "schools" / "regelschule.yaml")
    printed = run(project, "--lang", "de", "check").stdout  # as school staff see it
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("```\nschools/regelschule.yaml:") + 4
    assert readme[start:readme.index("```", start)] == printed


def test_every_rule_is_in_the_readme_table() -> None:
    import dsinfo.check

    source = Path(dsinfo.check.__file__).read_text(encoding="utf-8")
    ids = set(re.findall(r'finding\(\s*"([a-z0-9_]+\.[a-z0-9_.]+)"', source))
    first_cells = re.findall(r"^\| (`[a-z0-9_]+\.[^|]*)\|", (ROOT / "README.md").read_text(encoding="utf-8"),
                             re.M)
    table = {rule for cell in first_cells for rule in re.findall(r"`([a-z0-9_.]+)`", cell)}
    assert len(ids) > 30
    assert sorted(ids - table) == []


def test_shipped_examples_have_no_errors(tmp_path: Path) -> None:
    schools = {sid: (ROOT / "schools" / f"{sid}.yaml").read_text(encoding="utf-8") for sid in SHIPPED}
    result = run(make_project(tmp_path, schools, examples=True), "check")
    assert result.returncode == 0, result.stdout
    assert " error" not in result.stdout
    assert result.stdout.splitlines()[-1].startswith(f"Checked {len(SHIPPED)} schools: ")


STATES = ["BB", "BE", "BW", "BY", "HB", "HE", "HH", "MV", "NI", "NW", "RP", "SH", "SL", "SN", "ST",
          "TH"]


@pytest.mark.slow
def test_a_school_in_each_land_builds(tmp_path: Path, catalog: Catalog) -> None:
    assert sorted(catalog.states) == STATES
    project = make_project(tmp_path / "project", {
        f"gs-{code.lower()}": VALID.replace("state: TH", f"state: {code}").replace("99084", "10115")
        for code in STATES})
    out = tmp_path / "out"
    summary = build(Project(project), out, options=Options(jobs=1))
    assert summary.ok, [f for r in summary.results.values() for f in r.findings]
    notices = [summary.results[sid].notice for sid in sorted(summary.results)]
    assert len(notices) == len(STATES)
    for notice in notices:
        state = catalog.states[notice.school.state]
        # whitespace dropped: PDF text breaks lines inside names like "Baden-\nWürttemberg"
        text = "".join(pdf_text(out / notice.id / "de" / "notice.pdf").split())
        authority = state.supervisory_authority
        for expected in (authority.name, f"{authority.postcode} {authority.city}",
                         state.notice_citation.text, "Zuständig für die Schule ist:"):
            assert "".join(expected.split()) in text, f"{notice.id}: {expected}"


WEBSITE = VALID + """\
website:
  url: "https://gs-park.example"
  host: {name: Beispiel Webhosting GmbH, street: Serverstraße 1, postcode: "00000", city: Musterstadt,
         task: Hosting der Website, location: Rechenzentrum in Deutschland}
  log_retention: 7 Tage
  log_provision: "§ 16 ThürDSG"
  contact_form: true
documents:
  - {id: website, kind: website_notice}
"""


def test_a_contact_form_says_how_long_and_on_what_basis(tmp_path: Path, catalog: Catalog,
                                                        renderer: Press) -> None:
    found = [f for f in findings(tmp_path, catalog, renderer, WEBSITE) if f.id == "website.contact_retention"]
    assert [f"{f.line}:{f.column}: {f.severity}: {f.message}" for f in found] == [
        "24:17: error: The website notice does not say how long enquiries from the contact form and "
        "by e-mail are kept."]
    school = WEBSITE.replace("  contact_form: true\n", "  contact_form: true\n  contact_retention: "
                                                       "drei Monate nach der Antwort\n")
    again = findings(tmp_path, catalog, renderer, school)
    assert not [f for f in again if f.id == "website.contact_retention"]
    page = " ".join(german(renderer, notice_of(tmp_path, catalog, school))["website"].split())
    assert ('<p>Rechtsgrundlage ist <bdi dir="ltr">Art. 6 Abs. 1 UAbs. 1 lit. e, Abs. 3 DSGVO i.V.m. '
            '§ 16 ThürDSG</bdi>.</p><p>Speicherdauer: drei Monate nach der Antwort.</p>') in page


def test_a_website_notice_without_website_is_stopped_by_the_check(tmp_path: Path, catalog: Catalog,
                                                                  renderer: Press) -> None:
    school = VALID + "documents:\n  - {id: notice, kind: notice}\n  - {id: website, kind: website_notice}\n"
    found = [f for f in findings(tmp_path, catalog, renderer, school) if f.id == "website.missing"]
    assert [(f.severity, str(f.message)) for f in found] == [(
        "error", "documents.website is a website notice, but the school file has no 'website:' with "
                 "the host, the log retention and the cookies.")]
