"""Languages: Babel catalogs compiled in memory, locale-aware dates and directions."""

from __future__ import annotations

import datetime as dt
import io
import re
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from babel.support import NullTranslations, Translations

from .errors import InputError, Problem, shown

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
    catalog = _read_catalog(po_path, lang)
    problems = [p for message in catalog if not message.fuzzy
                for p in _markup_problems(po_path, message)]
    if problems:
        raise InputError(problems)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)  # a fuzzy entry is not a translation
    buffer.seek(0)
    return Translations(fp=buffer)


def _read_catalog(po_path: Path, lang: str) -> Catalog:
    try:
        with po_path.open("rb") as fp:
            return read_po(fp, locale=lang, abort_invalid=True)
    except PoFileError as exc:  # babel counts lines from 0 here
        raise InputError([Problem(path=po_path, line=exc.lineno + 1,
                                  message="cannot read this line of the translation file: "
                                          f"{str(exc).rsplit(' on ', 1)[0]}")]) from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputError([Problem(path=po_path, line=1, column=1,
                                  message=f"cannot read the translation file: {exc}")]) from None


_TAG = re.compile(r"<[^<>]*>")


def _markup_problems(po_path: Path, message: Message) -> list[Problem]:
    """Translations are marked safe by Jinja's newstyle gettext, so a translation may only use
    the markup of its German source: no new tag, and no straight double quote, which could end
    an HTML attribute such as aria-label="..."."""
    sources = [message.id] if isinstance(message.id, str) else list(message.id)
    strings = [message.string] if isinstance(message.string, str) else list(message.string or ())
    if not message.id:
        return []  # the catalog header
    tags = {tag for source in sources for tag in _TAG.findall(source)}
    quotes = max(_without(source, tags).count('"') for source in sources)
    problems = []
    for string in strings:
        rest = _without(string or "", tags)
        if "<" in rest:
            added = (_TAG.findall(rest) or ["<"])[0]
            problems.append(f"the translation of '{shown(sources[0])}' adds markup ('{shown(added)}') "
                            "that the German text does not have: remove it")
        elif rest.count('"') > quotes:
            problems.append(f"the translation of '{shown(sources[0])}' contains a straight double "
                            "quote (\") that the German text does not have: use typographic quotes “…”")
    line = _msgstr_line(po_path, message.lineno or 1)
    return [Problem(path=po_path, line=line, message=m) for m in problems]


def _without(text: str, tags: set[str]) -> str:
    for tag in tags:
        text = text.replace(tag, "")
    return text


def _msgstr_line(po_path: Path, msgid_line: int) -> int:
    """The line of the msgstr that follows the msgid on `msgid_line` (both 1-based)."""
    lines = po_path.read_text(encoding="utf-8", errors="replace").splitlines()
    for number in range(msgid_line - 1, len(lines)):
        if lines[number].startswith("msgstr"):
            return number + 1
    return msgid_line
