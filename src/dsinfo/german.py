"""German left in a translated document: the share of German function words in its text.

A translation may keep names (the school, its authorities, German laws and their citations),
but no German prose. German prose is recognised by its function words (der, und, für ...), which
a name rarely has and every German sentence has many of. The words are chosen so that none of
them is an ordinary word of the project's other languages: 'in', 'an', 'am', 'was' and 'also' are
English, 'im' and 'wie' Polish, 'dem' and 'hat' Kurmanji, so they are left out.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
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


# ---------------------------------------------------------------------------- readability

# Words that end in a full stop without ending a sentence ("z. B.", "Art. 6 Abs. 1", "lit. e")
_ABBREVIATIONS = frozenset({"z", "b", "d", "h", "u", "a", "s", "art", "abs", "uabs", "lit", "nr", "bzw",
                            "ggf", "ca", "vgl", "usw", "etc", "gem", "ziff", "m", "v", "i"})
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_BLOCKS = {"h1", "h2", "h3", "h4", "p", "li", "dt", "dd", "td", "th", "caption"}
_LONG = 6  # a long word has more than six letters (as in Björnsson's LIX)


@dataclass(frozen=True)
class Readability:
    """Sentences, words and syllables of a German text, and the figures made of them."""

    sentences: int
    words: int
    syllables: int
    long_words: int

    @property
    def sentence_length(self) -> float:
        """Words per sentence."""
        return self.words / self.sentences if self.sentences else 0.0

    @property
    def long_share(self) -> float:
        """The share of words with more than six letters."""
        return self.long_words / self.words if self.words else 0.0

    @property
    def flesch_amstad(self) -> float:
        """Flesch's reading ease as Amstad (1978) adapted it to German: 180 - words per sentence
        - 58.5 x syllables per word. 0 to 30 is very hard (academic), 60 to 70 plain,
        80 and more easy (as a text for children)."""
        if not self.words:
            return 0.0
        return 180 - self.sentence_length - 58.5 * self.syllables / self.words


def readability(sentences: Iterable[str]) -> Readability:
    """The readability of German `sentences`: syllables counted with the German hyphenation
    dictionary (pyphen, the one WeasyPrint and the web pages use), compound parts joined by
    a medial dot (Daten·schutz) as one word.

    >>> r = readability(["Die Schule speichert Daten.", "Du darfst fragen."])
    >>> (r.sentences, r.words, r.syllables, r.long_words, round(r.flesch_amstad, 1))
    (2, 7, 11, 1, 84.6)
    """
    dictionary = _syllables()
    counted = [[w for w in _WORD.findall(_ADDRESS.sub(" ", s.replace("·", "")))] for s in sentences]
    counted = [words for words in counted if words]
    words = [w for sentence in counted for w in sentence]
    return Readability(sentences=len(counted), words=len(words),
                       syllables=sum(len(dictionary.positions(w)) + 1 for w in words),
                       long_words=sum(len(w) > _LONG for w in words))


@functools.cache  # the dictionary is read once (hyphenate.py keeps its own, with other limits)
def _syllables() -> Any:
    import pyphen

    return pyphen.Pyphen(lang="de_DE", left=1, right=2)


def sentences_of(page: str) -> list[str]:
    """The sentences of an HTML page's <main>: each heading, paragraph, list item and table
    cell is one block, split where a sentence ends (not after "z. B.", "Art." or "Abs.").
    Only whole sentences count, those that end in '.', '!' or '?': a heading, a list of
    data or a name in a table cell is not one."""
    body = tinyhtml5.parse(page).find(".//{http://www.w3.org/1999/xhtml}main")
    if body is None:
        return []
    return [s for block in _blocks(body) for s in _split(" ".join(block.split()))
            if s.endswith((".", "!", "?"))]


def _blocks(element: Element) -> Iterator[str]:
    """The text of each block element, without the blocks inside it."""
    own: list[str] = [element.text or ""]
    for child in element:
        tag = child.tag.rsplit("}", 1)[-1]
        if tag in _BLOCKS or any(True for _ in _blocks_inside(child)):
            yield from _blocks(child)
            own.append(child.tail or "")
        else:
            own.append("".join(_texts(child)))
    text = "".join(own).replace("\xad", "")
    if text.strip():
        yield text


def _blocks_inside(element: Element) -> Iterator[Element]:
    return (e for e in element.iter() if e is not element and e.tag.rsplit("}", 1)[-1] in _BLOCKS)


def _split(block: str) -> list[str]:
    sentences: list[str] = []
    for piece in _SENTENCE_END.split(block):
        last = re.search(r"([^\W\d_]+|\d+)\.$", sentences[-1]) if sentences else None
        if last and (last[1].casefold() in _ABBREVIATIONS or last[1].isdigit()):
            sentences[-1] += " " + piece  # "z. B." and "Art. 6" go on
        else:
            sentences.append(piece)
    return [s for s in sentences if s.strip()]
