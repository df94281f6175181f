"""Languages: Babel catalogs compiled in memory, locale-aware dates and directions."""

from __future__ import annotations

import datetime as dt
import io
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

RTL = frozenset({"ar", "fa", "he", "ur"})


def direction(lang: str) -> str:
    """'rtl' for right-to-left scripts, else 'ltr'."""
    return "rtl" if lang in RTL else "ltr"


def language_name(lang: str) -> str:
    """The language's own name for itself, e.g. 'Türkçe' for tr."""
    name = Locale.parse(lang).get_display_name(lang) or lang
    return name[:1].upper() + name[1:]


def date(value: dt.date, lang: str) -> str:
    """A date in the language's usual short form, e.g. 01.03.2023 in German."""
    return format_date(value, "medium", locale=lang)


@cache
def translations(locales: Path, lang: str) -> NullTranslations:
    """The catalog for `lang`, compiled from its .po file in memory; fuzzy entries are dropped.

    German is the source language and needs no catalog. A missing catalog gives German text.
    """
    po_path = locales / lang / "LC_MESSAGES" / "messages.po"
    if lang == "de" or not po_path.is_file():
        return NullTranslations()
    with po_path.open("rb") as fp:
        catalog = read_po(fp, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)  # a fuzzy entry is not a translation
    buffer.seek(0)
    return Translations(fp=buffer)
