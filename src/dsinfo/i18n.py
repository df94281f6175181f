"""Languages: Babel catalogs compiled in memory, German fallback, coverage, locale helpers.

German is the source language: every msgid is the German text. A translation is used only
when it is complete and not fuzzy. `pybabel update` marks an entry fuzzy when its German
source changed (a "stale" translation); such an entry, like a missing one, falls back to the
German text, and the build warns about it (`Catalogs.fallbacks`).
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_interval
from babel.lists import format_list
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, denormalize, read_po
from babel.support import Translations

from .errors import InputError, Problem, shown
from .messages import Msg

SOURCE = "de"


@dataclass(frozen=True)
class Language:
    """What the build needs to know about a language, in one place.

    `date_locale` is the Babel locale for dates and school years; `digits` the digits dates are
    written in ("latn" 0-9, "arabext" ۰-۹); `quotes` the primary and alternate quotation marks
    (CLDR delimiters: Babel 2.19 does not carry them); `hyphenation` the pyphen dictionary that
    WeasyPrint and the web pages' soft hyphens use, or None where pyphen has none.
    """

    code: str
    direction: str = "ltr"
    date_locale: str = ""
    digits: str = "latn"
    quotes: tuple[str, str, str, str] = ("“", "”", "‘", "’")
    hyphenation: str | None = None

    @property
    def locale(self) -> str:
        return self.date_locale or self.code


# The only list of the project's languages. A language in PREPARED has its facts, glossary and
# fonts but no catalog yet: the build does not offer it until it moves to LANGUAGES.
TABLE: dict[str, Language] = {language.code: language for language in (
    Language("de", quotes=("„", "“", "‚", "‘"), hyphenation="de_DE"),
    # English for parents in Germany: day before month, as in British English ("1 Aug 2025")
    Language("en", date_locale="en_GB", hyphenation="en_GB"),
    Language("tr"),
    # Arabic print uses guillemets; CLDR's ar delimiters are ” “ (the catalog keeps « »)
    Language("ar", direction="rtl", quotes=("«", "»", "‹", "›")),
    Language("uk", quotes=("«", "»", "„", "“"), hyphenation="uk_UA"),
    Language("ru", quotes=("«", "»", "„", "“"), hyphenation="ru_RU"),
    # Persian: Gregorian dates (German documents) in Persian digits; Babel writes 0-9
    Language("fa", direction="rtl", digits="arabext", quotes=("«", "»", "‹", "›")),
    Language("ro", quotes=("„", "”", "«", "»"), hyphenation="ro_RO"),
    Language("ku"),  # Kurmanji, Latin script (Babel's ku); CLDR root quotes
    Language("bg", quotes=("„", "“", "„", "“"), hyphenation="bg_BG"),
    Language("pl", quotes=("„", "”", "«", "»"), hyphenation="pl_PL"),
    Language("sq", quotes=("«", "»", "“", "”"), hyphenation="sq_AL"),
)}
LANGUAGES = ("de", "en", "tr", "ar", "uk", "ru", "fa", "ku", "pl", "ro", "bg", "sq")
PREPARED: tuple[str, ...] = ()  # languages with a glossary and a table entry, not yet a catalog
_DIGITS = {"arabext": str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")}


def N_(text: str) -> str:
    """Marks a German text in the code for extraction; it is translated where it is printed."""
    return text


def language(lang: str) -> Language:
    """The facts of `lang`; a code outside the table gets the defaults (left to right, Babel)."""
    return TABLE.get(lang) or Language(lang)


def direction(lang: str) -> str:
    """'rtl' for right-to-left scripts, else 'ltr'."""
    return language(lang).direction


@functools.cache
def language_name(lang: str) -> str:
    """The language's own name for itself, e.g. 'Türkçe' for tr."""
    name = Locale.parse(lang).get_display_name(lang) or lang
    return name[:1].upper() + name[1:]


def _digits(text: str, lang: str) -> str:
    table = _DIGITS.get(language(lang).digits)
    return text.translate(table) if table else text


@functools.lru_cache(maxsize=4096)
def names(items: tuple[str, ...] | list[str], lang: str) -> str:
    """Names in running text the language's way: 'IServ, WebUntis und Moodle' (CLDR lists)."""
    return format_list(list(items), locale=language(lang).locale) if items else ""


def date(value: dt.date, lang: str) -> str:
    """A date in the language's usual short form, e.g. 01.03.2023 in German."""
    return _digits(format_date(value, "medium", locale=language(lang).locale), lang)


@functools.lru_cache(maxsize=4096)
def school_year(value: str, lang: str) -> str:
    """A school year '2025/26' as the language writes a span of years, e.g. 2025–2026."""
    start = int(value[:4])
    span = format_interval(dt.date(start, 8, 1), dt.date(start + 1, 7, 31), "y", locale=lang)
    return _digits(span, lang)


def po_path(locales: Path, lang: str) -> Path:
    return locales / lang / "LC_MESSAGES" / "messages.po"


def read_catalog(locales: Path, lang: str) -> Catalog | None:
    """The .po catalog of `lang`, or None when there is none; InputError when a line of it
    cannot be read (babel would otherwise skip it with a warning on stdout)."""
    path = po_path(locales, lang)
    if not path.is_file():
        return None
    try:
        raw = path.read_bytes()
        problems = po_line_problems(path, raw.decode("utf-8"))
        if problems:
            raise InputError(problems)
        return read_po(io.BytesIO(raw), locale=lang, abort_invalid=True)
    except PoFileError as exc:  # babel counts lines from 0 here
        raise InputError([Problem(path=path, line=exc.lineno + 1,
                                  message=Msg("cannot read this line of the translation file: "
                                              "{reason}", reason=str(exc).rsplit(" on ", 1)[0]))]) from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputError([Problem(path=path, line=1,
                                  message=Msg("cannot read the translation file: {reason}",
                                              reason=str(exc)))]) from None


# A line of a .po file outside comments: a keyword and one quoted text, or a quoted text that
# continues the one above. Babel reads more than that: `msgstr "Hello` as 'Hell', silently.
_PO_LINE = re.compile(r'(?:(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)[ \t]+)?"(?:[^"\\]|\\.)*"')


def po_line_problems(path: Path, text: str) -> list[Problem]:
    """Every line of a .po file that is not a comment, a keyword with one quoted text, or a
    quoted text: such a line would be read cut short or run together with the next."""
    return [Problem(path=path, line=number, column=1, message=Msg(
                "this line is not a keyword and one quoted text (msgstr \"...\"): a closing quote "
                "is missing, or a quote inside the text is not written as \\\""))
            for number, line in enumerate(text.splitlines(), start=1)
            if (stripped := line.strip()) and not stripped.startswith("#")
            and not _PO_LINE.fullmatch(stripped)]


def check_catalog(locales: Path, lang: str) -> list[Problem]:
    """Problems that stop a build before anything is written: a catalog that cannot be read,
    or a translation that brings markup of its own (see markup_problems)."""
    try:
        catalog = read_catalog(locales, lang) if lang != SOURCE else None
    except InputError as exc:
        return exc.problems
    return catalog_markup_problems(catalog, po_path(locales, lang)) if catalog else []


def catalog_markup_problems(catalog: Catalog, path: Path) -> list[Problem]:
    """markup_problems of every translated entry of a catalog."""
    return [p for message in catalog if is_translated(message)
            for p in markup_problems(path, message)]


_TAG = re.compile(r"<[^<>]*>")


def markup_problems(path: Path, message: Message) -> list[Problem]:
    """Translations are marked safe by Jinja's newstyle gettext, so a translation may only use
    the markup of its German source: no new tag, and no straight double quote, which could end
    an HTML attribute such as aria-label="..."."""
    sources = [message.id] if isinstance(message.id, str) else list(message.id)
    tags = {tag for source in sources for tag in _TAG.findall(source)}
    quotes = max(_without(source, tags).count('"') for source in sources)
    problems = []
    for string in _strings(message):
        rest = _without(string, tags)
        if "<" in rest:
            added = (_TAG.findall(rest) or ["<"])[0]
            problems.append(Msg("the translation of '{text}' adds markup ('{markup}') that the German "
                                "text does not have: remove it", text=shown(sources[0]),
                                markup=shown(added)))
        elif rest.count('"') > quotes:
            problems.append(Msg("the translation of '{text}' contains a straight double quote (\") "
                                "that the German text does not have: use typographic quotes “…”",
                                text=shown(sources[0])))
    if not problems:
        return []
    line = _msgstr_line(path, message.lineno or 1)  # reads the file: only when needed
    return [Problem(path=path, line=line, message=m) for m in problems]


def _without(text: str, tags: set[str]) -> str:
    for tag in tags:
        text = text.replace(tag, "")
    return text


def _msgstr_line(path: Path, msgid_line: int) -> int:
    """The line of the msgstr that follows the msgid on `msgid_line` (both 1-based)."""
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    for number in range(msgid_line - 1, len(lines)):
        if lines[number].startswith("msgstr"):
            return number + 1
    return msgid_line


def is_translated(message: Message) -> bool:
    """A usable translation: every form filled in, and not fuzzy (stale)."""
    return bool(message.id) and not message.fuzzy and all(_strings(message))


def compile_catalog(catalog: Catalog) -> Translations:
    """The usable translations of `catalog`, compiled in memory (no .mo file on disk)."""
    usable = Catalog(locale=catalog.locale, domain=catalog.domain)  # plural rule of the locale
    for message in catalog:
        if is_translated(message):
            usable[message.id] = message
    buffer = io.BytesIO()
    write_mo(buffer, usable)
    buffer.seek(0)
    return Translations(fp=buffer)


class _German(gettext.NullTranslations):
    """The last fallback: gives the German source text and notes that it did."""

    def __init__(self, shown: set[str]) -> None:
        super().__init__()
        self.shown = shown

    def gettext(self, message: str) -> str:
        self.shown.add(message)
        return message

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        self.shown.add(msgid1)
        return msgid1 if n == 1 else msgid2


class Catalogs:
    """Every language's translations for one project, loaded on first use.

    `fallbacks[lang]` collects the German texts that had to be shown in place of a missing or
    stale translation while rendering `lang`.
    """

    def __init__(self, locales: Path) -> None:
        self.locales = locales
        self.fallbacks: dict[str, set[str]] = defaultdict(set)
        self.local_fallbacks: dict[str, set[str]] = defaultdict(set)  # a school's own texts
        self._loaded: dict[str, gettext.NullTranslations] = {}
        self._memo: dict[tuple[str, str], tuple[str, bool]] = {}

    def take_fallbacks(self) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        """The German texts shown in place of a translation since the last call, per language
        (catalog texts, then the school's own texts); forgets them."""
        taken = ({lang: sorted(texts) for lang, texts in self.fallbacks.items() if texts},
                 {lang: sorted(texts) for lang, texts in self.local_fallbacks.items() if texts})
        for texts in (*self.fallbacks.values(), *self.local_fallbacks.values()):
            texts.clear()  # cleared in place: the compiled translations hold these sets
        return taken

    def translations(self, lang: str) -> gettext.NullTranslations:
        if lang not in self._loaded:
            german = _German(self.fallbacks[lang])
            catalog = read_catalog(self.locales, lang) if lang != SOURCE else None
            if catalog is None:
                loaded: gettext.NullTranslations = gettext.NullTranslations()
                if lang != SOURCE:
                    loaded.add_fallback(german)
            else:
                problems = catalog_markup_problems(catalog, po_path(self.locales, lang))
                if problems:  # load_schools reports these first; this guards every other way in
                    raise InputError(problems)
                loaded = compile_catalog(catalog)
                loaded.add_fallback(german)
            self._loaded[lang] = loaded
        return self._loaded[lang]

    def gettext(self, lang: str, message: str) -> str:
        # memoized: a page asks for the same few hundred texts again and again
        found = self._memo.get((lang, message))
        if found is None:
            before = len(self.fallbacks[lang])
            text = self.translations(lang).gettext(message)
            found = self._memo[(lang, message)] = (text, len(self.fallbacks[lang]) > before)
        elif found[1]:
            self.fallbacks[lang].add(message)  # shown in German again: still worth a warning
        return found[0]

    def ngettext(self, lang: str, singular: str, plural: str, n: int) -> str:
        return self.translations(lang).ngettext(singular, plural, n)


# ---------------------------------------------------------------------------- coverage


@dataclass
class Coverage:
    """How much of the current German text one language's catalog translates."""

    lang: str
    total: int
    missing: list[Message] = field(default_factory=list)
    stale: list[Message] = field(default_factory=list)  # fuzzy: the German source changed
    errors: list[tuple[Message, str]] = field(default_factory=list)  # e.g. a wrong placeholder

    @property
    def translated(self) -> int:
        return self.total - len(self.missing) - len(self.stale)

    @property
    def share(self) -> float:
        return self.translated / self.total if self.total else 1.0

    @property
    def complete(self) -> bool:
        return not (self.missing or self.stale or self.errors)


def coverage(current: Catalog, locales: Path, lang: str) -> Coverage:
    """Compare `lang`'s catalog with the `current` German texts (see extract.current_messages).

    A text is missing when the catalog has no translation of it (or the catalog itself is
    missing), stale when its entry is fuzzy: `pybabel update` marks an entry fuzzy when the
    German source it translated changed; `#| msgid` then shows the old source.
    """
    catalog = read_catalog(locales, lang) or Catalog(locale=lang)
    previous = previous_sources(po_path(locales, lang))
    sources = [m for m in current if m.id]
    result = Coverage(lang=lang, total=len(sources))
    for source in sources:
        entry = catalog.get(source.id)
        if entry is not None and entry.fuzzy and any(_strings(entry)):
            entry.previous_id = [previous[entry.id]] if entry.id in previous else []
            result.stale.append(_located(entry, source))
        elif entry is None or not is_translated(entry):
            result.missing.append(source)
    for message, errors in catalog.check():
        if is_translated(message):
            result.errors.extend((message, str(error)) for error in errors)
    return result


def _strings(message: Message) -> tuple[str, ...]:
    if isinstance(message.string, tuple | list):
        return tuple(message.string)
    return (message.string or "",)


def _located(entry: Message, source: Message) -> Message:
    """The catalog entry with the source's current locations (the .po may not be updated)."""
    entry.locations = source.locations
    return entry


def previous_sources(path: Path) -> dict[str, str]:
    """msgid -> the German source it had when it was translated: the `#| msgid` comments that
    `pybabel update --previous` writes for fuzzy entries (Babel's reader skips them)."""
    result: dict[str, str] = {}
    if not path.is_file():
        return result
    previous: list[str] = []
    msgid: list[str] = []
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if line.startswith("#| msgid "):
            previous = [line.removeprefix("#| msgid ")]
        elif line.startswith('#| "') and previous and not msgid:
            previous.append(line.removeprefix("#| "))
        elif line.startswith("msgid ") and previous:
            msgid = [line.removeprefix("msgid ")]
        elif line.startswith('"') and msgid:
            msgid.append(line)
        elif msgid:
            result[denormalize("\n".join(msgid))] = denormalize("\n".join(previous))
            previous, msgid = [], []
    return result
