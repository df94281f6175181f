"""Message extraction: the catalog's printed German texts for Babel, and the current set of
every text the build can print (templates, catalog, code), read exactly as `pybabel extract`
reads it.

The catalog extractor is registered in pyproject.toml ([[tool.babel.mappings]], method
`dsinfo.extract:extract_catalog`), so state and platform texts land in locales/messages.pot
next to the template texts, each with its file and line: translators work in one .po file.
"""

from __future__ import annotations

import tempfile
import typing
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Annotated, Any

from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po
from pydantic import BaseModel

from . import i18n
from .catalog import ConsentPurpose, Platform, Regime, State, SupervisoryAuthority
from .errors import InputError, Problem
from .load import Loc, parse_yaml
from .messages import Msg
from .model import UNKNOWN, Printed, is_placeholder, variants
from .project import shipped

# The documented extraction command (README, .ci/run); run from the project root.
EXTRACT_ARGS = ("extract", "-F", "pyproject.toml", "-o", "locales/messages.pot",
                "--add-comments=Translators:", "--project=dsinfo", "--no-wrap", ".")
MODELS: dict[str, type[BaseModel]] = {"states": State, "platforms": Platform,
                                       "consents": ConsentPurpose, "laws": Regime,
                                       "authorities": SupervisoryAuthority}


def extract_catalog(fileobj: IO[bytes], keywords: Any, comment_tags: Any,
                    options: Any) -> Iterator[tuple[int, None, str, list[str]]]:
    """Babel extraction method for catalog/states/*.yaml and catalog/platforms/*.yaml.

    Yields each printed German text (a field marked PRINTED in model.py) with its line; the
    comment names the key, and any hint the field gives translators. Notes and sources are
    internal and stay out.
    """
    path = Path(getattr(fileobj, "name", "catalog.yaml"))
    model = MODELS.get(path.parent.name)
    if model is None:
        return
    doc = parse_yaml(path, fileobj.read())
    for loc, text, printed in printed_texts(doc.data, model):
        comments = [".".join(str(part) for part in loc)]
        if printed.hint:
            comments.append(printed.hint)
        yield doc.mark(loc).line, None, text, comments


def printed_texts(data: Any, annotation: Any, loc: Loc = ()) -> Iterator[tuple[Loc, str, Printed]]:
    """Every (key path, text, marker) in `data` whose place in the model is marked PRINTED."""
    if isinstance(data, str):
        text = data.strip()
        printed = _printed(annotation)
        if printed and text and text != UNKNOWN and not is_placeholder(text):
            yield loc, text, printed
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from printed_texts(value, _member(annotation, key), (*loc, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from printed_texts(value, _member(annotation, index), (*loc, index))


def _member(annotation: Any, part: str | int) -> Any:
    """The annotation of a model field, a dict value or a list item below `annotation`."""
    for arg in variants(annotation):
        if isinstance(arg, type) and issubclass(arg, BaseModel) and isinstance(part, str):
            field = arg.model_fields.get(part)
            if field is None:
                return None
            return Annotated[(field.annotation, *field.metadata)] if field.metadata else field.annotation
        origin = typing.get_origin(arg)
        if origin is list and isinstance(part, int):
            return typing.get_args(arg)[0]
        if origin is dict and isinstance(part, str):
            return typing.get_args(arg)[1]
    return None


def _printed(annotation: Any) -> Printed | None:
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        base, *metadata = typing.get_args(annotation)
        return next((m for m in metadata if isinstance(m, Printed)), None) or _printed(base)
    if origin in (typing.Union, type(int | None)):
        return next((p for arg in typing.get_args(annotation) if (p := _printed(arg))), None)
    return None


def current_messages(root: Path) -> Catalog:
    """Every text the build can print now, extracted with the documented `pybabel extract`
    from the sources at `root` (not read from messages.pot, which may be out of date). Where
    the sources are not at hand (an installed tool), the shipped messages.pot is what the
    build prints."""
    if not (root / "pyproject.toml").is_file() or not (root / "src" / "dsinfo").is_dir():
        with (shipped("locales") / "messages.pot").open("rb") as fp:
            return read_po(fp)
    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / "messages.pot"
        args = [str(pot) if a == "locales/messages.pot" else a for a in EXTRACT_ARGS]
        args = [str(root / "pyproject.toml") if a == "pyproject.toml" else a for a in args]
        CommandLineInterface().run(["pybabel", "-q", *args[:-1], str(root)])  # type: ignore[no-untyped-call]
        with pot.open("rb") as fp:
            catalog = read_po(fp)
    for message in catalog:  # locations as in messages.pot: relative to the project
        message.locations = [(str(Path(path).relative_to(root)), line)
                             for path, line in message.locations]
    return catalog


def sources_of(root: Path) -> Catalog:
    """current_messages, with a template that cannot be read reported as bad input."""
    from jinja2 import TemplateSyntaxError

    try:
        return current_messages(root)
    except TemplateSyntaxError as exc:
        raise InputError([Problem(path=Path(exc.filename or "templates"), line=exc.lineno,
                                  message=Msg("template syntax: {reason}", reason=exc.message))]) from None


def pot_problem(locales: Path, current: Catalog) -> Problem | None:
    """A warning when locales/messages.pot does not hold the texts the sources have now."""
    pot = locales / "messages.pot"
    known = set()
    if pot.is_file():
        with pot.open("rb") as fp:
            known = {m.id for m in read_po(fp) if m.id}
    now = {m.id for m in current if m.id}
    if known == now:
        return None
    return Problem(path=pot, severity="warning",
                   message=Msg("out of date ({new} new, {gone} gone texts): run pybabel extract and "
                               "pybabel update (README, Translations)", new=len(now - known),
                               gone=len(known - now)))


def incomplete_languages(root: Path, locales: Path, langs: Sequence[str]) -> dict[str, Problem]:
    """Of `langs`, those not completely translated (for a strict build), each with its problem."""
    current = sources_of(root)
    outdated = pot_problem(locales, current)
    found = {}
    for lang in langs:
        report = i18n.coverage(current, locales, lang)
        if not report.complete or outdated:
            counts = {"missing": len(report.missing), "stale": len(report.stale),
                      "wrong": len(report.errors)}
            found[lang] = Problem(path=i18n.po_path(locales, lang), message=(
                Msg("{missing} missing, {stale} stale and {wrong} wrong translations, messages.pot "
                    "out of date (python build.py translations)", **counts) if outdated else
                Msg("{missing} missing, {stale} stale and {wrong} wrong translations "
                    "(python build.py translations)", **counts)))
    return found
