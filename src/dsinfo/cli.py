"""Command line: argument parsing, messages and exit codes (0 ok, 1 bad input, 2 usage)."""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from . import i18n
from .builder import Builder, Project, SchoolResult, load_schools
from .check import Finding
from .check import check as check_notice
from .errors import DsinfoError, InputError, Problem, display_path
from .extract import current_messages
from .model import LANGUAGES
from .render import Renderer

TRANSLATED = [lang for lang in LANGUAGES if lang != i18n.SOURCE]

ID_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?")


class DefaultGroup(click.Group):
    """A group whose first argument may be omitted: `build.py --school x` means `build ...`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ctx.help_option_names
                        and args[0] != "--version"):
            args = ["build", *args]
        return super().parse_args(ctx, args)


def _project(ctx: click.Context) -> Project:
    return Project(root=ctx.obj["root"])


def _check_ids(ctx: click.Context, param: click.Parameter, ids: tuple[str, ...]) -> tuple[str, ...]:
    project = _project(ctx)
    for sid in ids:
        if not ID_RE.fullmatch(sid):
            raise click.BadParameter(f"'{sid}' is not a school id (lowercase letters, digits, '-')")
        if not (project.schools / f"{sid}.yaml").is_file():
            known = ", ".join(p.stem for p in project.school_files()) or "none"
            raise click.BadParameter(f"no school file {display_path(project.schools / sid)}.yaml "
                                     f"(known: {known})")
    return ids


school_option = click.option("--school", "schools", multiple=True, metavar="ID",
                             callback=_check_ids, expose_value=True,
                             help="Only this school (the file name in schools/ without .yaml). "
                                  "Repeat for several.")


@click.group(cls=DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dsinfo")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Privacy notices and consent sheets for schools, from one YAML file per school.

    Without a command, builds every school: python build.py
    """


@cli.command()
@school_option
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: output/ in the project).")
@click.option("--strict", is_flag=True,
              help="Refuse to build a school with any error or warning of the check, or with a "
                   "missing or stale translation in one of its languages.")
@click.pass_context
def build(ctx: click.Context, schools: tuple[str, ...], out: Path | None, strict: bool) -> None:
    """Build notice and consent sheet, HTML and PDF, for every language of every school."""
    project = _project(ctx)
    out = out or project.root / "output"
    started = time.perf_counter()
    notices, catalog = load_schools(project, schools)
    builder = Builder(project, out)
    findings = {n.id: check_notice(n, catalog, builder.renderer("de")) for n in notices}
    if strict:
        langs = sorted({lang for n in notices for lang in n.school.languages} - {i18n.SOURCE})
        problems = [f.as_problem() for n in notices for f in findings[n.id]]
        if langs:
            problems += _translation_problems(project, langs)
        if problems:
            raise InputError(problems)
    results = builder.build(notices, progress=lambda r: _report(r, findings[r.notice.id]))
    files = sum(len(r.files) for r in results)
    changed = sum(r.changed for r in results)
    click.echo(f"Built {len(results)} school{'s' if len(results) != 1 else ''}, {files} files "
               f"({changed} changed) in {display_path(out)}/ in {time.perf_counter() - started:.1f} s.")


def _report(result: SchoolResult, findings: list[Finding]) -> None:
    n = result.notice
    line = f"  {n.id}: {', '.join(n.school.languages)}: {len(result.files)} files"
    if findings:
        line += f"; {_counts(findings)} (python build.py check --school {n.id})"
    click.echo(line)
    for warning in result.warnings:
        click.echo(f"{display_path(n.path)}: warning: {warning}", err=True)


@cli.command()
@school_option
@click.pass_context
def check(ctx: click.Context, schools: tuple[str, ...]) -> None:
    """Check school files against GDPR Art. 13/14 without building.

    Lists each finding with its place in the school file and what to do; exits with 1 when
    there are errors.
    """
    project = _project(ctx)
    notices, catalog = load_schools(project, schools)
    renderer = Renderer(project.templates, project.locales, "de")
    findings = [f for n in notices for f in check_notice(n, catalog, renderer)]
    for finding in findings:
        click.echo(str(finding))
    plural = "s" if len(notices) != 1 else ""
    click.echo(f"Checked {len(notices)} school{plural}: {_counts(findings) or 'no findings'}.")
    if any(f.severity == "error" for f in findings):
        ctx.exit(1)


@cli.command()
@click.option("--lang", "langs", multiple=True, type=click.Choice(TRANSLATED), metavar="LANG",
              help=f"Only this language ({', '.join(TRANSLATED)}). Repeat for several.")
@click.option("--strict", is_flag=True,
              help="Exit with 1 when a text is missing or stale, a placeholder is wrong, or "
                   "locales/messages.pot is out of date.")
@click.pass_context
def translations(ctx: click.Context, langs: tuple[str, ...], strict: bool) -> None:
    """Show, per language, the share of the German text that is translated, and list the
    missing and the stale translations (German source changed: fuzzy in the .po file).

    Missing and stale texts are shown in German in the documents; the build warns about them.
    """
    project = _project(ctx)
    current = _current_messages(project)
    total = sum(1 for m in current if m.id)
    click.echo(f"German source: {total} texts (templates, catalog, code).")
    outdated = _pot_problem(project, current)
    if outdated:
        click.echo(str(outdated))
    reports = [i18n.coverage(current, project.locales, lang) for lang in langs or TRANSLATED]
    for report in reports:
        _print_coverage(project, report)
    if strict and (outdated or not all(r.complete for r in reports)):
        ctx.exit(1)


def _current_messages(project: Project) -> Catalog:
    from jinja2 import TemplateSyntaxError

    try:
        return current_messages(project.root)
    except TemplateSyntaxError as exc:
        raise InputError([Problem(path=Path(exc.filename or "templates"), line=exc.lineno,
                                  message=f"template syntax: {exc.message}")]) from None


def _pot_problem(project: Project, current: Catalog) -> Problem | None:
    """A warning when locales/messages.pot does not hold the texts the sources have now."""
    pot = project.locales / "messages.pot"
    known = set()
    if pot.is_file():
        with pot.open("rb") as fp:
            known = {m.id for m in read_po(fp) if m.id}
    now = {m.id for m in current if m.id}
    if known == now:
        return None
    return Problem(path=pot, severity="warning",
                   message=f"out of date ({len(now - known)} new, {len(known - now)} gone texts): "
                           "run pybabel extract and pybabel update (README, Translations)")


def _print_coverage(project: Project, report: i18n.Coverage) -> None:
    name = i18n.language_name(report.lang)
    line = (f"{report.lang}  {name:<12} {report.share:6.1%}  {report.translated} of "
            f"{report.total} translated")
    if not report.complete:
        line += f": {len(report.missing)} missing, {len(report.stale)} stale"
    click.echo(line)
    for kind, messages in (("missing", report.missing), ("stale", report.stale)):
        for message in messages:
            click.echo(f"    {kind}: {_where(message)}: {_short(message.id)}")
            if kind == "stale" and message.previous_id:
                click.echo(f"        German was: {_short(message.previous_id)}")
    po = i18n.po_path(project.locales, report.lang)
    for message, error in report.errors:
        click.echo(f"    {display_path(po)}:{message.lineno}: error: {error}: {_short(message.id)}")


def _where(message: Message) -> str:
    return ", ".join(f"{path}:{line}" for path, line in message.locations[:2]) or "?"


def _short(text: str | tuple[str, ...] | list[str]) -> str:
    first = text[0] if isinstance(text, tuple | list) else text
    return repr(first if len(first) <= 72 else first[:69] + "...")


def _translation_problems(project: Project, langs: Sequence[str]) -> list[Problem]:
    """For a strict build: one problem per language that is not completely translated."""
    current = _current_messages(project)
    problems = [p for p in [_pot_problem(project, current)] if p]
    for lang in langs:
        report = i18n.coverage(current, project.locales, lang)
        if not report.complete:
            problems.append(Problem(
                path=i18n.po_path(project.locales, lang),
                message=f"{len(report.missing)} missing, {len(report.stale)} stale and "
                        f"{len(report.errors)} wrong translations (python build.py translations)"))
    return problems


def _counts(findings: list[Finding]) -> str:
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    parts = [f"{errors} error{'s' if errors != 1 else ''}" if errors else "",
             f"{warnings} warning{'s' if warnings != 1 else ''}" if warnings else ""]
    return ", ".join(p for p in parts if p)


def main(argv: Sequence[str] | None = None, *, root: Path | None = None) -> int:
    """Entry point for `dsinfo` and `python build.py`; returns the exit code."""
    obj: dict[str, Any] = {"root": (root or Path.cwd()).resolve()}
    try:
        code = cli.main(args=list(argv) if argv is not None else sys.argv[1:],
                        prog_name=_prog_name(root), obj=obj, standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return 1
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except InputError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        count = len(exc.problems)
        click.echo(f"{count} problem{'s' if count != 1 else ''} found; no files were written.",
                   err=True)
        return 1
    except DsinfoError as exc:
        click.echo(f"error: {exc}", err=True)
        return 1
    return code if isinstance(code, int) else 0


def _prog_name(root: Path | None) -> str:
    return "python build.py" if root is not None else "dsinfo"
