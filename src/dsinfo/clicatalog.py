"""The catalog of the tool's own messages (locales/de/LC_MESSAGES/cli.po): what the code and the
command line's help say, extracted; and the update that keeps the German catalog in step.

`python -m dsinfo.clicatalog` adds new messages (untranslated, for a translator to fill in),
marks a message whose English changed as fuzzy (shown in English until it is looked at) and
drops messages the code no longer has; `tests/test_messages.py` fails while any is open.
"""

from __future__ import annotations

import datetime as dt
import inspect
import io
import sys
from collections.abc import Iterator
from pathlib import Path

import click
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from .messages import DOMAIN, catalog_path

KEYWORDS = {"Msg": None, "Msgs": (1, 2), "H": None}
HEADER = ("# German messages of the dsinfo command line and preview (English msgids).\n"
          "# Updated by `python -m dsinfo.clicatalog`; see src/dsinfo/messages.py.")
STAMP = dt.datetime(2026, 12, 7, tzinfo=dt.UTC)


def code_messages(src: Path) -> Iterator[tuple[str | tuple[str, ...], str, int]]:
    """(msgid, file, line) of every Msg, Msgs and H in the Python files below `src`."""
    for filename, line, message, _, _ in extract_from_dir(
            str(src), method_map=[("**.py", "python")], keywords=KEYWORDS, comment_tags=()):
        yield message, filename, line


def help_texts(command: click.Command, path: str = "") -> Iterator[tuple[str, str]]:
    """(text, command) of every help text of `command` and its subcommands and options."""
    name = f"{path} {command.name}".strip()
    for text in (command.help, command.short_help):
        if text:
            yield inspect.cleandoc(text), name
    for param in command.params:
        if isinstance(param, click.Option) and param.help:
            yield inspect.cleandoc(param.help), name
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            yield from help_texts(sub, name)


def current(root: Path) -> Catalog:
    """Every message the tool can say now, as a catalog without translations."""
    from .cli import cli

    catalog = Catalog(domain=DOMAIN, project="dsinfo", locale="de")
    src = root / "src" / "dsinfo"
    for message, filename, line in code_messages(src):
        catalog.add(message, locations=[(f"src/dsinfo/{filename}", line)])
    for text, command in help_texts(cli):
        if text not in catalog:
            catalog.add(text, auto_comments=[f"help: {command}"])
    return catalog


def update(root: Path) -> tuple[int, int, int]:
    """Brings the German catalog in step with the code; (new, changed, dropped)."""
    path = catalog_path(root / "locales")
    old = read_po(io.BytesIO(path.read_bytes()), locale="de") if path.is_file() else Catalog(locale="de")
    template = current(root)
    known = {m.id for m in old if m.id}
    new_ids = {m.id for m in template if m.id}
    old.update(template, no_fuzzy_matching=False)
    changed = sum(1 for m in old if m.id and m.fuzzy and m.id not in known)
    old.obsolete.clear()
    old.project, old.version, old.msgid_bugs_address = "dsinfo", "", ""
    old.creation_date = old.revision_date = STAMP
    old.last_translator, old.language_team = "dsinfo", "dsinfo"
    old.header_comment = HEADER
    buffer = io.BytesIO()
    write_po(buffer, old, width=0, omit_header=False, include_previous=True, sort_by_file=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())
    return len(new_ids - known) - changed, changed, len(known - new_ids)


if __name__ == "__main__":
    new, changed, dropped = update(Path(sys.argv[1]) if len(sys.argv) > 1 else Path.cwd())
    print(f"{catalog_path(Path('locales'))}: {new} new, {changed} changed (fuzzy), {dropped} dropped")
