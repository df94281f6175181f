"""Messages to the people who run dsinfo: written in English in the code, shown in German.

A message is made where the problem is found, as data: `Msg("no school file {name}", name=x)`
(or `Msgs(singular, plural, n)` for a count). It is put into words only where it is shown (the
command line, the preview), by a `Voice` in the reader's language: German by default, English
with `--lang en` or an English locale. So library code holds no "current language", a
message made in a worker process travels back as it is, and `str(msg)` is the English text
(what tests and tracebacks read).

The German texts are a gettext catalog, `locales/de/LC_MESSAGES/cli.po` (English msgids, the
usual convention for a program's messages); `tests/test_messages.py` checks that it has every
message of the code and of the command line's help, with the same placeholders. Rule ids,
option names and file names are never translated.
"""

from __future__ import annotations

import contextlib
import gettext
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from babel.lists import format_list
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

LANGUAGES = ("de", "en")  # the languages of the tool's own messages (not of the documents)
DEFAULT = "de"
LANG_ENV = "DSINFO_LANG"
DOMAIN = "cli"


@dataclass(frozen=True, slots=True, init=False)
class Msg:
    """A message in English with named placeholders ({name}); values may be messages, lists
    (joined as the language joins them: "a, b und c") or floats (one decimal, "3,5")."""

    text: str
    params: tuple[tuple[str, Any], ...] = ()
    plural: str | None = None
    n: int = 0

    def __init__(self, text: str, /, **params: Any) -> None:
        object.__setattr__(self, "text", text)
        object.__setattr__(self, "params", tuple(params.items()))
        object.__setattr__(self, "plural", None)
        object.__setattr__(self, "n", 0)

    def __str__(self) -> str:
        return ENGLISH.say(self)

    def __add__(self, other: object) -> str:  # a message is never glued to text unseen
        return NotImplemented

    __radd__ = __add__


def Msgs(singular: str, plural: str, n: int, /, **params: Any) -> Msg:
    """A message with a count: `Msgs("{n} school", "{n} schools", 3)`; {n} is the count."""
    msg = Msg(singular, n=n, **params)
    object.__setattr__(msg, "plural", plural)
    object.__setattr__(msg, "n", n)
    return msg


def H(text: str) -> str:
    """Marks a help text of the command line for the catalog; click gets it as it is, and the
    command line translates it when it shows the help."""
    return text


class Seq(tuple[Any, ...]):
    """A parameter value shown as its items joined by ", " (a list is joined as a sentence
    joins it: "a, b and c")."""

    __slots__ = ()


class Either(tuple[Any, ...]):
    """A parameter value shown as alternatives, joined as the language does: "a, b or c"
    ("a, b oder c")."""

    __slots__ = ()


Text = str | Msg  # what a message field holds: a message, or text that is shown as it is


@dataclass(frozen=True)
class Voice:
    """Puts messages into words in one language."""

    lang: str
    translations: gettext.NullTranslations = field(default_factory=gettext.NullTranslations)

    def say(self, text: Text) -> str:
        if not isinstance(text, Msg):
            return str(text)
        if text.plural is not None:
            template = self.translations.ngettext(text.text, text.plural, text.n)
        else:
            template = self.translations.gettext(text.text)
        values = {key: self._value(value) for key, value in text.params}
        try:
            return template.format(**values)
        except (KeyError, IndexError, ValueError):  # a broken translation: the English text
            return text.text.format(**values)

    def plain(self, text: str) -> str:
        """A plain text of the catalog (a help text, a heading)."""
        return self.translations.gettext(text) if text else text

    def _value(self, value: Any) -> Any:
        if isinstance(value, Msg):
            return self.say(value)
        if isinstance(value, Seq):
            return ", ".join(str(self._value(v)) for v in value)
        if isinstance(value, Either):
            return format_list([str(self._value(v)) for v in value], style="or", locale=self.locale)
        if isinstance(value, list | tuple):
            return format_list([str(self._value(v)) for v in value], locale=self.locale)
        if isinstance(value, float):
            return format_decimal(value, format="#,##0.0", locale=self.locale)
        return value

    @property
    def locale(self) -> str:
        return "de_DE" if self.lang == "de" else "en_GB"


ENGLISH = Voice("en")


def to_json(text: Text) -> str:
    """A message as a file keeps it (the consent register's reasons): plain text as it is, a
    Msg as JSON of its English text and values, to be put into words when it is shown."""
    return text if isinstance(text, str) else json.dumps(_data(text), ensure_ascii=False)


def from_json(text: str) -> Text:
    """What `to_json` kept: the message again (plain text, an older register's too, as it is)."""
    if text.startswith('{"msg":'):
        with contextlib.suppress(ValueError, TypeError, KeyError):
            value = _message(json.loads(text))
            if isinstance(value, Msg):
                return value
    return text


def _data(value: Any) -> Any:
    if isinstance(value, Msg):
        return {"msg": value.text, "plural": value.plural, "n": value.n,
                "params": {key: _data(v) for key, v in value.params}}
    if isinstance(value, list | tuple):
        return [_data(v) for v in value]
    return value if value is None or isinstance(value, str | int | float) else str(value)


def _message(data: Any) -> Any:
    if isinstance(data, list):
        return [_message(v) for v in data]
    if not isinstance(data, dict):
        return data
    params = {str(key): _message(v) for key, v in data["params"].items()}
    if data.get("plural") is None:
        return Msg(str(data["msg"]), **params)
    params.pop("n", None)
    return Msgs(str(data["msg"]), str(data["plural"]), int(data["n"]), **params)


def catalog_path(locales: Path, lang: str = "de") -> Path:
    return locales / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def voice(lang: str, locales: Path | None = None) -> Voice:
    """The voice of `lang` ("de" or "en"); German from the shipped catalog (`locales`: another
    folder, for tests)."""
    if lang == "en":
        return ENGLISH
    if locales is None:
        from .project import shipped

        locales = shipped("locales")
    from .i18n import compile_catalog  # the documents' way: translated, not fuzzy, in memory

    catalog = read_po(io.BytesIO(catalog_path(locales, lang).read_bytes()), locale=lang, domain=DOMAIN)
    return Voice(lang, compile_catalog(catalog))


def chosen(given: str | None, environ: Mapping[str, str]) -> str:
    """The language of the messages: `--lang`, else DSINFO_LANG, else English when the
    locale (LC_ALL, LC_MESSAGES, LANG) is English, else German."""
    for value in (given, environ.get(LANG_ENV)):
        if value and value in LANGUAGES:
            return value
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name)
        if value:
            return "en" if value.lower().startswith("en") else DEFAULT
    return DEFAULT
