"""No tofu: every character of every PDF the build makes is in a font embedded in that PDF, and the
bundled fonts cover every character the project's languages, prepared ones included, write."""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from dsinfo import i18n

from .conftest import ROOT
from .project import EXAMPLE_LANGUAGES

FONTS = ROOT / "templates" / "static" / "fonts"
LATIN = ["NotoSans-Regular", "NotoSans-Bold", "NotoSans-Italic", "NotoSans-BoldItalic"]
ARABIC = ["NotoSansArabic-Regular", "NotoSansArabic-Bold"]

# The letters each language writes: CLDR's main exemplar characters (Babel 2.19 does not ship
# them), lowercase here, capitals added below; plus digits and punctuation of its own.
EXEMPLARS = {
    "de": "aäbcdefghijklmnoöpqrsßtuüvwxyzẞ",
    "en": "abcdefghijklmnopqrstuvwxyz",
    "tr": "abcçdefgğhıijklmnoöprsştuüvyzİ",
    "ar": "ءآأؤإئابةتثجحخدذرزسشصضطظعغفقكلمنهوىي،؛؟٠١٢٣٤٥٦٧٨٩\u200f",
    "uk": "абвгґдеєжзиіїйклмнопрстуфхцчшщьюяʼ",
    "ru": "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    # Persian letters, Extended Arabic-Indic digits, Persian punctuation and separators, ZWNJ
    "fa": "آاءأؤئبپتثجچحخدذرزژسشصضطظعغفقکگلمنوهةیًٌٍّٔ۰۱۲۳۴۵۶۷۸۹،؛؟٫٬\u200c",
    # ș ț with comma below, and the cedilla forms still found in pasted text
    "ro": "aăâbcdefghiîjklmnopqrsștțuvwxyzşţ",
    "ku": "abcçdeêfghiîjklmnopqrsştuûvwxyz",
    "bg": "абвгдежзийклмнопрстуфхцчшщъьюя№",
    "pl": "aąbcćdeęfghijklłmnńoóprsśtuwyzźż",
    "sq": "abcçdeëfghijklmnopqrstuvxyz",
}


@functools.cache
def coverage(name: str) -> frozenset[int]:
    return frozenset(TTFont(FONTS / f"{name}.woff2").getBestCmap())


def letters(lang: str) -> set[str]:
    base = EXEMPLARS[lang]
    return set(base) | {c.upper() for c in base if len(c.upper()) == 1} | set(i18n.TABLE[lang].quotes)


def missing(chars: set[str], cmap: frozenset[int]) -> list[str]:
    return sorted(f"{c} U+{ord(c):04X}" for c in chars if ord(c) not in cmap)


def test_every_language_has_exemplars() -> None:
    assert set(EXEMPLARS) == set(i18n.TABLE) == set(i18n.LANGUAGES) | set(i18n.PREPARED)


@pytest.mark.parametrize("lang", list(i18n.TABLE))
def test_bundled_fonts_cover_the_language(lang: str) -> None:
    """The letters of Arabic-script languages in both weights of Noto Sans Arabic, the others' in
    all four styles of Noto Sans; digits, punctuation and quotation marks in the font stack the
    stylesheets give the language (Noto Sans Arabic falls back to Noto Sans, see print.css)."""
    faces = ARABIC if i18n.direction(lang) == "rtl" else LATIN
    for face in faces:
        assert missing(letters(lang) - set(i18n.TABLE[lang].quotes), coverage(face)) == [], face
        stack = coverage(face) | coverage(LATIN[faces.index(face) % 2])
        common = set("0123456789.,;:!?()[]/-–—…·%&§@+") | set(i18n.TABLE[lang].quotes)
        assert missing(common, stack) == [], face


# ---------------------------------------------------------------------------- the PDFs


def source(base_font: str) -> str:
    """The bundled font a PDF's embedded subset was cut from: 'ABCDEF+Noto-Sans-dsinfo-Bold-Italic'
    -> 'NotoSans-BoldItalic'."""
    name = base_font.split("+")[-1]
    for family, stem in (("Noto-Sans-Arabic-dsinfo", "NotoSansArabic"), ("Noto-Sans-dsinfo", "NotoSans")):
        if name.startswith(family):
            return f"{stem}-{name.removeprefix(family).replace('-', '') or 'Regular'}"
    raise AssertionError(f"{name} is not a bundled font: a system font filled in a missing glyph")


_HEX = re.compile(r"<([0-9a-fA-F]+)>")


def to_unicode(cmap: str) -> set[str]:
    """The characters a font's /ToUnicode CMap maps its glyphs to (bfchar and bfrange entries):
    the text a reader extracts from that font."""
    chars: set[str] = set()
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        for _, target in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            chars |= set(bytes.fromhex(target).decode("utf-16-be"))
    for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
        for line in block.strip().splitlines():
            low, high, *targets = _HEX.findall(line)
            if "[" in line:
                chars |= {c for t in targets for c in bytes.fromhex(t).decode("utf-16-be")}
            else:
                start = int(targets[0], 16)
                chars |= {chr(start + i) for i in range(int(high, 16) - int(low, 16) + 1)}
    return chars


def drawn(path: Path) -> dict[str, set[str]]:
    """Per bundled source font, the characters a PDF draws with it (read from its /ToUnicode)."""
    found: dict[str, set[str]] = {}
    for page in PdfReader(path).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            text = font["/ToUnicode"].get_object().get_data().decode("latin-1")
            found.setdefault(source(str(font["/BaseFont"])), set()).update(to_unicode(text))
    return found


def visible(text: str | set[str]) -> set[str]:
    """The characters that need a glyph: not white space or controls."""
    return {c for c in text if not c.isspace() and unicodedata.category(c) not in {"Cc", "Cf"}}


def tofu(path: Path) -> dict[str, list[str]]:
    """Characters a PDF draws with a bundled font that lacks them (its .notdef box), per font."""
    return {face: lost for face, chars in drawn(path).items()
            if (lost := missing(visible(chars), coverage(face)))}


@pytest.mark.slow  # reads every glyph of every example PDF: about 4 s
def test_every_pdf_character_is_in_an_embedded_font(built: Path) -> None:
    paths = sorted(built.rglob("*.pdf"))
    assert len(paths) >= len(EXAMPLE_LANGUAGES) * 3  # notice, consent, withdrawal per school and language
    found = {str(path.relative_to(built)): lost for path in paths if (lost := tofu(path))}
    assert found == {}
    # and the text a reader extracts is drawn with those fonts
    reader = PdfReader(built / "loewentor-bleicherode" / "ar" / "notice.pdf")
    text = visible("".join(page.extract_text() or "" for page in reader.pages))
    fonts = set().union(*drawn(built / "loewentor-bleicherode" / "ar" / "notice.pdf").values())
    assert text - fonts <= {"\u2010"}  # the hyphen WeasyPrint adds at a line break


def test_a_character_without_a_font_is_found(tmp_path: Path) -> None:
    from dsinfo.pdf import PdfMaker

    maker = PdfMaker(ROOT / "templates" / "static" / "print.css", [ROOT / "templates" / "static"])
    pdf, _ = maker.render('<html lang="de"><title>t</title><body><p>Ab \ue000</p></body></html>')
    (tmp_path / "x.pdf").write_bytes(pdf)
    assert tofu(tmp_path / "x.pdf") == {"NotoSans-Regular": ["\ue000 U+E000"]}
    # a glyph Pango took from a system font is refused by name
    with pytest.raises(AssertionError, match="DejaVu-Sans is not a bundled font"):
        source("XKQQSR+DejaVu-Sans")
    assert source("ZVETIJ+Noto-Sans-dsinfo-Bold-Italic") == "NotoSans-BoldItalic"
