"""German left in a translated document: the share of German function words in its text.

A translation may keep names (the school, its authorities, German laws and their citations),
but no German prose. German prose is recognised by its function words (der, und, für ...), which
a name rarely has and every German sentence has many of. The words are chosen so that none of
them is an ordinary word of the project's other languages: 'in', 'an', 'am', 'was' and 'also' are
English, 'im' and 'wie' Polish, 'dem' and 'hat' Kurmanji, so they are left out.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

import tinyhtml5

FUNCTION_WORDS = frozenset({
    "der", "die", "das", "den", "des", "ein", "eine", "einer", "eines", "einem", "einen", "und", "oder",
    "nicht", "für", "mit", "von", "vom", "zu", "zum", "zur", "ist", "sind", "werden", "wird", "wurde",
    "wurden", "auf", "bei", "beim", "nach", "aus", "über", "durch", "gegen", "ohne", "unter", "bis", "als",
    "auch", "noch", "nur", "wenn", "dass", "sich", "sie", "ihre", "ihr", "ihren", "ihrer", "ihrem", "wir",
    "uns", "kann", "können", "muss", "müssen", "darf", "dürfen", "kein", "keine", "keinen", "sowie",
    "diese", "dieser", "dieses", "welche", "welcher", "sein", "seine"
})

# A legal citation up to its law's abbreviation: "Art. 6 Abs. 1 UAbs. 1 lit. e DSGVO",
# "§ 57 Abs. 1 ThürSchulG", "Art. 7 Abs. 3 DSGVO i.V.m. § 136 ThürSchulO".
_LAW = r"(?:DSGVO|BDSG|[A-ZÄÖÜ][A-Za-zÄÖÜäöüß]*(?:G|VO|O)(?: (?:NRW|LSA|M-V|RP))?)"
CITATION = re.compile(r"(?:\bArt\.|§§?)[^§;:()]{0,60}?\b" + _LAW + r"\b(?:\s*i\.\s?V\.\s?m\.)?")
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_ADDRESS = re.compile(r"\S+@\S+|\bhttps?://\S+|\bwww\.\S+")


@dataclass(frozen=True)
class GermanShare:
    """How many words a text has and which German function words among them."""

    words: int
    german: Counter[str] = field(default_factory=Counter)

    @property
    def share(self) -> float:
        return sum(self.german.values()) / self.words if self.words else 0.0


def german_share(text: str, names: Iterable[str] = ()) -> GermanShare:
    """The share of German function words in `text`, ignoring `names` (the school's name, its
    authorities, law titles ...), legal citations, e-mail and web addresses.

    >>> round(german_share("Die Schule ist für die Daten verantwortlich.").share, 2)
    0.57
    >>> german_share("Art. 6 Abs. 1 lit. e DSGVO i.V.m. § 57 ThürSchulG").words
    0
    """
    for name in sorted({n for n in names if n.strip()}, key=len, reverse=True):
        text = text.replace(name, " ")
    text = _ADDRESS.sub(" ", CITATION.sub(" ", text))
    words = [w.casefold() for w in _WORD.findall(text)]
    return GermanShare(len(words), Counter(w for w in words if w in FUNCTION_WORDS))


def document_text(page: str) -> str:
    """The visible text of an HTML page without what is German on purpose: parts marked
    lang="de" (the link to the German version, a bilingual sheet's German half) and the school's
    'TODO' placeholders."""
    body = tinyhtml5.parse(page).find("{http://www.w3.org/1999/xhtml}body")
    text = " ".join(_texts(body)).replace("\xad", "") if body is not None else ""
    return " ".join(text.split())


def _texts(element: Element) -> Iterator[str]:
    tag = element.tag.rsplit("}", 1)[-1]
    skip = (element.get("lang") == "de" or tag in {"script", "style"}
            or (tag == "mark" and "todo" in (element.get("class") or "").split()))
    if not skip:
        yield element.text or ""
        for child in element:
            yield from _texts(child)
    yield element.tail or ""
