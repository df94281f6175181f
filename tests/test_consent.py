"""The consent sheet: a choice per purpose with what, who and how long; voluntariness and
withdrawal; signatures by age; the withdrawal form; the bilingual sheet."""

from __future__ import annotations

import re
from pathlib import Path

from dsinfo.pipeline import Options, build
from dsinfo.project import Project

from .conftest import pdf_pages, pdf_text
from .project import VALID, german_pages, make_project


def flat(path: Path) -> str:
    return " ".join(pdf_text(path).split())


def test_each_purpose_has_what_who_how_long_and_a_choice(built: Path) -> None:
    text = flat(built / "beispiel-gymnasium-musterstadt" / "de" / "consent.pdf")
    for title in ("Fotos auf der Website der Schule", "Klassenfoto", "Kontaktliste der Klasse"):
        assert title in text
    assert text.count("Welche Daten") == 3
    assert text.count("Wer sie sieht") == 3
    assert text.count("Wie lange") == 3
    assert text.count("Ja, ich willige ein.") == text.count("Nein, ich willige nicht ein.") == 3
    assert "Für das laufende Schuljahr 2025/26." in text  # the school's own retention text


def test_voluntary_withdrawal_and_whom_to_tell(built: Path) -> None:
    text = flat(built / "beispiel-gymnasium-musterstadt" / "de" / "consent.pdf")
    assert ("Die Einwilligung ist freiwillig. Wer sie nicht erteilt oder widerruft, hat dadurch "
            "keine Nachteile.") in text
    assert "mit Wirkung für die Zukunft widerrufen werden (Art. 7 Abs. 3 DSGVO)" in text
    assert ("per Brief oder E-Mail an: Beispiel-Gymnasium Musterstadt, Musterweg 1, 00000 "
            "Musterstadt, sekretariat@beispiel-gymnasium.example.") in text


def test_signatures_by_age_and_return_line(built: Path) -> None:
    text = flat(built / "beispiel-gymnasium-musterstadt" / "de" / "consent.pdf")
    assert "Bitte bis zum 29.08.2025 zurückgeben: an die Klassenleitung." in text
    assert ("Für Schülerinnen und Schüler unter 14 Jahren unterschreiben die Erziehungsberechtigten. "
            "Von 14 bis 17 Jahren unterschreiben die Schülerin oder der Schüler und die "
            "Erziehungsberechtigten. Ab 18 Jahren unterschreibt die Schülerin oder der Schüler "
            "allein. Betrifft ein Punkt auch Daten der Erziehungsberechtigten (Kontaktliste der "
            "Klasse), unterschreiben diese dafür zusätzlich selbst, auch wenn die Schülerin oder der "
            "Schüler volljährig ist.") in text
    for label in ("Ort, Datum", "Unterschrift der Schülerin oder des Schülers (ab 14 Jahren)",
                  "Unterschrift der oder des Erziehungsberechtigten",
                  "Unterschrift der oder des zweiten Erziehungsberechtigten"):
        assert label in text


def test_consent_sheet_fits_one_page_with_one_purpose(built: Path) -> None:
    assert len(pdf_pages(built / "loewentor-bleicherode" / "de" / "consent.pdf")) == 1


def test_withdrawal_form(built: Path) -> None:
    text = flat(built / "beispiel-gymnasium-musterstadt" / "de" / "withdrawal.pdf")
    assert "Widerruf einer Einwilligung" in text
    assert ("Hiermit widerrufe ich meine Einwilligung mit Wirkung für die Zukunft (Art. 7 Abs. 3 "
            "DSGVO) für die angekreuzten Punkte:") in text
    for title in ("Fotos auf der Website der Schule", "Klassenfoto", "Kontaktliste der Klasse"):
        assert title in text
    html = (built / "beispiel-gymnasium-musterstadt" / "de" / "withdrawal.html").read_text()
    assert '<a href="withdrawal.html" aria-current="page">' in html


def test_notice_lists_the_consents(built: Path) -> None:
    text = flat(built / "beispiel-gymnasium-musterstadt" / "de" / "notice.pdf")
    assert "Nur mit Ihrer Einwilligung (Art. 6 Abs. 1 UAbs. 1 lit. a DSGVO)" in text
    assert "Klassenfoto" in text
    assert "Widerruf einer Einwilligung (Art. 7 Abs. 3 DSGVO)" in text


def test_bilingual_sheet_for_each_other_language(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"gs-park": VALID.replace(
        "stand: 2025-08-01", "stand: 2025-08-01\nlanguages: [de, tr]")})
    out = tmp_path / "out"
    assert build(Project(project), out, options=Options(jobs=1)).ok
    assert (out / "gs-park" / "tr" / "consent-bilingual.pdf").is_file()
    assert not (out / "gs-park" / "de" / "consent-bilingual.pdf").exists()
    text = flat(out / "gs-park" / "tr" / "consent-bilingual.pdf")
    assert "Ort, Datum" in text  # the binding German text is on the bilingual sheet


def test_bilingual_sheet_markup_stays_out_of_attributes(built: Path) -> None:
    """Texts are doubled into spans on a bilingual sheet; attributes (alt, aria-label) must get
    plain text, or the markup would spill onto the page."""
    text = flat(built / "beispiel-gymnasium-musterstadt" / "tr" / "consent-bilingual.pdf")
    assert '">' not in text
    assert "bi-de" not in text


# ---------------------------------------------------------------------------- bases never contradict

NI = VALID.replace("state: TH", "state: NI")  # Niedersachsen: § 31 NSchG covers learning platforms
ALL_CONSENT = NI.replace("modules: [files]", "modules: [files]\n    basis: consent")
MIXED = NI.replace("modules: [files]", "modules: [files, profile_picture]")
SYSTEM_ONLY = NI.split("platforms:")[0] + """\
systems:
  fotos:
    name: Fotos im Jahrbuch
    groups: [pupils]
    no_processor: true
    data:
      - {label: Fotos, source: use, retention: bis zum Ende des Schuljahres}
    purposes:
      - {text: Jahrbuch der Klasse, basis: consent}
"""
NO_CONSENT_NEEDED = "ist keine Einwilligung erforderlich"
NOT_NEEDED = "Eine Einwilligung ist dafür nicht erforderlich."


def test_a_platform_wholly_on_consent_says_nowhere_that_none_is_needed(tmp_path: Path) -> None:
    pages = german_pages(tmp_path, ALL_CONSENT)
    assert NOT_NEEDED not in pages["notice"]
    purposes = pages["notice"].split('<section id="purposes">')[1].split("</section>")[0]
    # the section opens with the consent purposes: no heading over an empty statute list
    text = " ".join(re.sub(r"<[^>]+>", "", purposes).split())
    assert text.split("Zwecke und Rechtsgrundlagen ")[1].startswith("Nur mit Ihrer Einwilligung (")
    assert NO_CONSENT_NEEDED not in pages["consent"]
    assert re.findall(r"<h3[^>]*>(.*?)</h3>", pages["consent"]) == ["IServ Schulplattform"]  # asked instead


def test_a_platform_with_both_bases_names_each_where_it_belongs(tmp_path: Path) -> None:
    pages = german_pages(tmp_path, MIXED)
    notice, consent = pages["notice"], pages["consent"]
    statute, _, rest = notice.partition(NOT_NEEDED)
    assert rest, "the statute's purposes say that no consent is needed"
    assert "Anzeige eines Profilbildes" not in statute.split('id="purposes"')[-1]
    assert "Anzeige eines Profilbildes" in rest.split("Nur mit Ihrer Einwilligung")[1]
    assert "Für die Nutzung von IServ im Unterricht ist keine Einwilligung erforderlich" in consent
    assert ("Nur für die unten genannten zusätzlichen Funktionen von IServ bittet die Schule um "
            "Ihre Einwilligung.") in consent  # not the sentence alone above the consent it asks for
    assert "Profilbild auf der IServ Schulplattform" in consent  # and the consent is asked for
    assert "zusätzlichen Funktionen" not in german_pages(tmp_path, NI)["consent"]


def test_a_school_with_consent_only_systems_asks_without_a_no_consent_sentence(tmp_path: Path) -> None:
    pages = german_pages(tmp_path, SYSTEM_ONLY)
    assert NOT_NEEDED not in pages["notice"]
    assert NO_CONSENT_NEEDED not in pages["consent"]
    assert re.findall(r"<h3[^>]*>(.*?)</h3>", pages["consent"]) == ["Jahrbuch der Klasse"]


# ---------------------------------------------------------------------------- who signs

CONTACTS = NI.replace("platforms:", """\
consent_sheet:
  joint_custody: one_confirms
consents:
  - id: kontaktliste
    title: Kontaktliste der Klasse
    text: Ich willige ein, dass meine Telefonnummer an die Eltern der Klasse geht.
    data: Name und Telefonnummer der Erziehungsberechtigten
    recipients: die Familien der Klasse
    retention: bis zum Ende des Schuljahres
    subjects: {subjects}
platforms:""")
SECOND = "Unterschrift der oder des zweiten Erziehungsberechtigten"


def test_one_guardian_signs_for_both_but_not_for_the_others_own_data(tmp_path: Path) -> None:
    pupils_data = german_pages(tmp_path, CONTACTS.format(subjects="[pupils]"))["consent"]
    assert "Unterschrift der oder des Erziehungsberechtigten" in pupils_data
    assert SECOND not in pupils_data  # joint custody: one signs and confirms the other agrees
    own_data = german_pages(tmp_path, CONTACTS.format(subjects="[pupils, guardians]"))["consent"]
    assert SECOND in own_data  # each guardian consents for their own telephone number
    assert ("Betrifft ein Punkt auch Daten der Erziehungsberechtigten (Kontaktliste der Klasse), "
            "unterschreiben diese dafür zusätzlich selbst") in own_data


def test_a_primary_school_prints_no_pupil_signature(tmp_path: Path) -> None:
    primary = CONTACTS.format(subjects="[pupils]").replace(
        "  email: sekretariat@gs-park.example", "  email: sekretariat@gs-park.example\n"
                                                "  ages: {youngest: 6, oldest: 10}")
    consent = german_pages(tmp_path, primary)["consent"]
    assert "Wer unterschreibt: die Erziehungsberechtigten." in consent
    assert "Unterschrift der Schülerin oder des Schülers" not in consent
    older = german_pages(tmp_path, CONTACTS.format(subjects="[pupils]"))["consent"]
    assert "Unterschrift der Schülerin oder des Schülers (ab 14 Jahren)" in older


def test_bavaria_signs_by_the_ministrys_rule(tmp_path: Path) -> None:
    """Bayern: the state ministry's guidance, from 14 the pupil and the guardians sign."""
    school = NI.replace("state: NI", "state: BY").replace("platforms:", "consents: [photos_website]\n"
                                                                      "platforms:")
    consent = " ".join(german_pages(tmp_path, school)["consent"].split())
    assert ("Für Schülerinnen und Schüler unter 14 Jahren unterschreiben die Erziehungsberechtigten. "
            "Von 14 bis 17 Jahren unterschreiben die Schülerin oder der Schüler und die "
            "Erziehungsberechtigten. Ab 18 Jahren unterschreibt die Schülerin oder der Schüler "
            "allein.") in consent


def test_the_acknowledgement_quotes_the_notices_own_title(tmp_path: Path) -> None:
    """The sheet names the notice by the title the notice itself carries."""
    school = SYSTEM_ONLY + NI[NI.index("platforms:"):] + (
        "documents:\n  - {id: notice, kind: notice, covers: [iserv]}\n"
        "  - {id: kenntnisnahme, kind: acknowledgement}\n")
    pages = german_pages(tmp_path, school)
    title = re.search(r"<h1>(.*?)</h1>", pages["notice"])
    assert title is not None
    assert title[1] == "Datenschutzhinweise zur Nutzung von IServ"
    assert f"Ich habe die „{title[1]}“ (Stand: 01.08.2025) erhalten" in pages["kenntnisnahme"]


def test_the_school_promises_no_disadvantage_only_for_itself(tmp_path: Path) -> None:
    """Data that go to a training company: the school cannot promise what the company does."""
    own = CONTACTS.format(subjects="[pupils]")
    inside = " ".join(german_pages(tmp_path, own)["consent"].split())
    assert "Wer sie nicht erteilt oder widerruft, hat dadurch keine Nachteile." in inside
    outside = " ".join(german_pages(tmp_path, own.replace("    subjects: [pupils]\n",
                                                          "    subjects: [pupils]\n    external: true\n"))
                       ["consent"].split())
    assert "Wer sie nicht erteilt oder widerruft, hat dadurch in der Schule keine Nachteile." in outside
