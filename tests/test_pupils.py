"""The notice for pupils (plain words, "du", every language of the school) and the one in
Leichte Sprache (German only): what they say for which facts, how plainly they read, how long
they print."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dsinfo.check import check
from dsinfo.german import document_text, readability, sentences_of

from .conftest import pdf_pages
from .project import EXAMPLE_DOCUMENTS, VALID, catalog, german_pages, notice_of, press

DOCUMENTS = """\
documents:
  - {id: notice, kind: notice}
  - {id: schueler, kind: pupil_notice}
  - {id: leicht, kind: easy_notice}
"""
PUPILS = sorted({sid for sid, _, _, kind in EXAMPLE_DOCUMENTS if kind == "pupil_notice"})
EASY = sorted({sid for sid, _, _, kind in EXAMPLE_DOCUMENTS if kind == "easy_notice"})


def text(page: str) -> str:
    return document_text(page)


# ---------------------------------------------------------------------------- readability


def test_readability_counts_sentences_words_syllables_and_long_words() -> None:
    r = readability(["Die Schule speichert Daten.", "Du darfst fragen.", "Daten·schutz ist wichtig."])
    assert (r.sentences, r.words, r.syllables, r.long_words) == (3, 10, 17, 3)
    assert round(r.sentence_length, 2) == 3.33
    assert round(r.flesch_amstad, 1) == round(180 - 10 / 3 - 58.5 * 17 / 10, 1) == 77.2
    assert readability([]).flesch_amstad == 0.0


def test_sentences_are_whole_and_abbreviations_do_not_end_them() -> None:
    page = ("<html><body><nav><p>Menü.</p></nav><main><h2>Wer ist verantwortlich?</h2>"
            "<p>Das gilt nach Art. 6 Abs. 1 lit. e DSGVO. Es gilt z. B. für Noten. Und für <b>Fotos</b>.</p>"
            "<ul><li>Name</li><li>Klasse<ul><li>Kurs.</li></ul></li></ul></main></body></html>")
    assert sentences_of(page) == ["Wer ist verantwortlich?", "Das gilt nach Art. 6 Abs. 1 lit. e DSGVO.",
                                  "Es gilt z. B. für Noten.", "Und für Fotos.", "Kurs."]


@pytest.mark.parametrize("school", PUPILS)
def test_the_pupils_notice_reads_plainer_than_the_full_notice(web_built: Path, school: str) -> None:
    def figures(doc: str):  # type: ignore[no-untyped-def]
        return readability(sentences_of((web_built / school / "de" / f"{doc}.html").read_text("utf-8")))

    full, pupils = figures("notice"), figures("schueler")
    assert pupils.sentence_length < 9 < 15 < full.sentence_length
    assert pupils.long_share < 0.25 < 0.30 < full.long_share
    assert pupils.flesch_amstad > 65 > 45 > full.flesch_amstad
    if school in EASY:
        easy = figures("leichte-sprache")
        assert easy.sentence_length < 7
        assert easy.flesch_amstad > 75
        assert easy.long_share < 0.15


# ---------------------------------------------------------------------------- what they say


def test_without_consents_nothing_is_said_of_consent(tmp_path: Path) -> None:
    """Niedersachsen: § 31 NSchG is known to cover learning platforms."""
    pages = german_pages(tmp_path, VALID.replace("state: TH", "state: NI") + DOCUMENTS)
    pupils, easy = text(pages["schueler"]), text(pages["leicht"])
    assert ("Ein Gesetz erlaubt der Schule, Daten für ihre Aufgaben zu nutzen. Dafür muss niemand "
            "zustimmen.") in pupils
    assert ("Verantwortlich ist deine Schule: Grundschule am Park. Für die Schule handelt die "
            "Schulleitung.") in pupils
    assert "Einwilligung" not in pupils
    assert "Einwilligung" not in easy
    assert "Die Beschwerde geht an: Der Landesbeauftragte für den Datenschutz Niedersachsen." in pupils
    assert ("Du kannst auch der oder dem Datenschutzbeauftragten der Schule schreiben: "
            "dsb@gs-park.example") in pupils
    assert "Gibt es bei dir einen besonderen Grund, kannst du widersprechen." in pupils  # a statutory task
    assert "Das ist in einem Gesetz geregelt. Dafür muss die Schule nicht fragen." in easy


def test_no_one_has_to_agree_only_where_the_full_notice_says_so(tmp_path: Path) -> None:
    """Thüringen: the catalog does not know whether § 57 ThürSchulG covers a learning platform,
    so the full notice does not say that no consent is needed, and neither do the others."""
    pages = german_pages(tmp_path, VALID + DOCUMENTS)
    assert "Eine Einwilligung ist dafür nicht erforderlich." not in text(pages["notice"])
    assert "Ein Gesetz erlaubt der Schule, Daten für ihre Aufgaben zu nutzen." in text(pages["schueler"])
    assert "zustimmen" not in text(pages["schueler"])
    assert "Dafür muss die Schule nicht fragen." not in text(pages["leicht"])


def test_a_consent_is_introduced_with_what_it_means(tmp_path: Path) -> None:
    pages = german_pages(tmp_path, VALID.replace("modules: [files]", "modules: [files, profile_picture]")
                         + DOCUMENTS)
    pupils, easy = text(pages["schueler"]), text(pages["leicht"])
    assert ("Für manches fragt die Schule vorher um Erlaubnis. Diese Erlaubnis heißt Einwilligung. "
            "Profilbild auf der IServ Schulplattform Die Einwilligung ist freiwillig. Wer Nein sagt, "
            "hat dadurch keine Nachteile. Eine Einwilligung kann man jederzeit zurücknehmen.") in pupils
    assert ("Das Ja heißt: Einwilligung. Die Schule fragt zum Beispiel: Profilbild auf der IServ "
            "Schulplattform") in easy
    assert "Sie dürfen das Ja später zurück·nehmen." in easy


def test_a_church_school_is_named_as_the_controller(web_built: Path) -> None:
    pupils = text((web_built / "ev-grundschule-beispielhausen" / "de" / "schueler.html").read_text("utf-8"))
    assert "Verantwortlich ist: Evangelische Grundschule Beispielhausen." in pupils
    assert "Schulleitung" not in pupils  # a church school's head is not its legal representative here
    assert "Die Beschwerde geht an: Der Beauftragte für den Datenschutz der EKD." in pupils


def test_a_pupils_notice_needs_the_notice_it_refers_to(tmp_path: Path) -> None:
    school = VALID + "documents:\n  - {id: schueler, kind: pupil_notice}\n"
    notice = notice_of(tmp_path, catalog(), school)
    pages = press(formats=("html",)).web(notice, "de")[0]
    found = [f for f in check(notice, catalog(), pages) if f.id == "documents.full_notice"]
    assert [(f.severity, str(f.message), f.line) for f in found] == [(
        "error", "The document schueler says what the full privacy notice says in simpler words and "
                 "refers to it, but the school publishes no notice.", 19)]


# ---------------------------------------------------------------------------- languages, pages


def test_leichte_sprache_is_german_only_and_says_it_is_not_binding(web_built: Path) -> None:
    for school in EASY:
        folder = web_built / school
        assert not list(folder.glob("[!d]*/leichte-sprache.*"))  # no other language has it
        page = (folder / "de" / "leichte-sprache.html").read_text("utf-8")
        assert ("Dieser Text ist in Leichter Sprache. Er soll Ihnen beim Verstehen helfen. Es gibt auch "
                "einen Text in schwerer Sprache. Der Text heißt: Daten·schutz·hinweise. Nur dieser Text "
                "gilt vor dem Gesetz.") in text(page)
        assert 'class="languages"' not in page  # no switch to languages it does not exist in
        assert 'href="leichte-sprache.html"' in (folder / "de" / "notice.html").read_text("utf-8")
        english = (folder / "en" / "notice.html").read_text("utf-8")
        assert "leichte-sprache" not in english
        assert 'href="schueler.html"' in english
        assert "leichte-sprache" not in re.sub(r'<li lang="de".*?</li>\s*</ul>\s*</li>', "",
                                              (folder / "index.html").read_text("utf-8"), flags=re.S)


@pytest.mark.parametrize(("school", "lang"), [(sid, lang) for sid, lang, _, kind in EXAMPLE_DOCUMENTS
                                              if kind == "pupil_notice"])
def test_the_pupils_notice_prints_on_one_or_two_pages(built: Path, school: str, lang: str) -> None:
    pages = pdf_pages(built / school / lang / "schueler.pdf")
    assert 1 <= len(pages) <= 2
