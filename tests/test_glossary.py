"""The legal glossary (locales/glossary/<lang>.csv): well formed for every language, and every
translated catalog uses its language's term wherever the German text uses a glossary term."""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass

import pytest
from babel.messages.pofile import read_po

from dsinfo import i18n

from .conftest import ROOT

GLOSSARY = ROOT / "locales" / "glossary"
COLUMNS = ["id", "de", "term", "forms", "source", "confidence", "note"]
LANGS = sorted(path.stem for path in GLOSSARY.glob("*.csv"))
_MARKS = re.compile("[\u00ad\u0640\u064b-\u065f\u0670]")  # soft hyphen, tatweel, Arabic diacritics
_FOLD = {"ro": str.maketrans("şţŞŢ", "șțȘȚ"),  # cedilla forms, still common, to the comma below
         "fa": str.maketrans({"ي": "ی", "ك": "ک", "\u200c": ""})}  # Arabic letters, no ZWNJ


@dataclass(frozen=True)
class Term:
    id: str
    de: str
    term: str
    forms: re.Pattern[str]
    source: str
    confidence: str
    note: str


def normalize(text: str, lang: str) -> str:
    """Text as the glossary's forms are matched: NFC, no soft hyphens or Arabic diacritics,
    one apostrophe, Turkish İ/I lowered the Turkish way, Romanian ş ţ as ș ț, Persian letters
    for their Arabic look-alikes and no zero-width non-joiner."""
    text = _MARKS.sub("", unicodedata.normalize("NFC", text)).replace("’", "'").replace("ʼ", "'")
    if lang == "tr":
        text = text.replace("İ", "i").replace("I", "ı")
    return text.translate(_FOLD.get(lang, {})).lower()


def load(lang: str) -> dict[str, Term]:
    """locales/glossary/<lang>.csv: '#' lines are comments, then a header and one row per term."""
    lines = (GLOSSARY / f"{lang}.csv").read_text(encoding="utf-8").splitlines()
    reader = csv.DictReader(line for line in lines if not line.startswith("#"))
    assert reader.fieldnames == COLUMNS, lang
    flags = 0 if lang == "de" else re.IGNORECASE  # German: the noun's capital letter counts
    terms = {}
    for row in reader:
        forms = row["forms"] if lang == "de" else normalize(row["forms"], lang)
        terms[row["id"]] = Term(**{**row, "forms": re.compile(forms, flags)})  # type: ignore[arg-type]
    return terms


@pytest.fixture(scope="module")
def german() -> dict[str, Term]:
    return load("de")


def test_every_language_of_the_project_has_a_glossary() -> None:
    assert set(LANGS) == set(i18n.LANGUAGES) | set(i18n.PREPARED)


@pytest.mark.parametrize("lang", LANGS)
def test_glossary_is_complete_and_sourced(german: dict[str, Term], lang: str) -> None:
    terms = load(lang)
    assert list(terms) == list(german), "the same ids in the same order as de.csv"
    assert len(terms) >= 40
    for term in terms.values():
        assert term.de == german[term.id].de, term.id
        assert term.term, term.id
        assert term.source, term.id
        assert term.confidence in {"high", "medium", "low"}, term.id
        # the forms accept the term itself, so the test below checks what the glossary says
        text = term.term if lang == "de" else normalize(term.term, lang)
        assert term.forms.search(text), f"{lang}: {term.id}: {term.term!r} does not match its forms"


def test_arabic_uses_guardianship_not_custody() -> None:
    terms = load("ar")
    assert not terms["guardians"].forms.search(normalize("أصحاب حق الحضانة", "ar"))
    assert "الحضانة" in terms["guardians"].note


@pytest.mark.parametrize("lang", ["tr", "ar"])
def test_stand_is_not_the_word_for_date(lang: str) -> None:
    date = {"tr": "Tarih", "ar": "التاريخ"}[lang]
    assert not load(lang)["stand"].forms.search(normalize(date, lang))


CATALOGS = [lang for lang in LANGS if lang != "de"]


@pytest.mark.parametrize("lang", CATALOGS)
def test_translations_use_the_glossary_terms(german: dict[str, Term], lang: str) -> None:
    path = i18n.po_path(ROOT / "locales", lang)
    if not path.is_file():
        pytest.skip(f"{lang} has no catalog yet")
    terms = load(lang)
    with path.open("rb") as fp:
        catalog = read_po(fp)
    deviations = []
    for message in catalog:
        if not i18n.is_translated(message):
            continue
        sources = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        for term in german.values():
            if any(term.forms.search(source) for source in sources):
                for string in strings:
                    if not terms[term.id].forms.search(normalize(string, lang)):
                        deviations.append(f"{term.id} ({terms[term.id].term}): {sources[0][:70]!r} -> "
                                          f"{string[:70]!r}")
    assert deviations == [], f"{lang}: {len(deviations)} translations without the glossary term:\n" + \
        "\n".join(deviations)


def test_ukrainian_has_one_term_for_processor(german: dict[str, Term]) -> None:
    with i18n.po_path(ROOT / "locales", "uk").open("rb") as fp:
        catalog = read_po(fp)
    processor = [str(m.string) for m in catalog if isinstance(m.id, str)
                 and german["processor"].forms.search(m.id)]
    assert len(processor) >= 3
    assert all("розпорядник" in string.lower() for string in processor)
    # the review found оператор and субпідрядник з обробки beside розпорядник
    assert not any(re.search(r"оператор|субпідрядник", string) for string in processor)
    assert "субпідрядник" not in " ".join(str(m.string) for m in catalog)
