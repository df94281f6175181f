"""Command line: argument parsing, messages and exit codes (0 ok, 1 bad input, 2 usage)."""

from __future__ import annotations

import contextlib
import difflib
import os
import re
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import click
from babel.messages.catalog import Message
from babel.numbers import format_percent

from . import i18n
from .catalog import load_catalog
from .check import Finding
from .clihelp import Group, error_lines, voice_of
from .compose import ID_PATTERN, compose
from .documents import Press
from .errors import (
    DEBUG_ENV,
    SEVERITY,
    DsinfoError,
    InputError,
    Problem,
    debugging,
    display_path,
    internal_error,
    one_line,
)
from .extract import pot_problem, sources_of
from .load import parse_yaml
from .messages import LANGUAGES as MESSAGE_LANGUAGES
from .messages import H, Msg, Msgs, Seq, Text, chosen, voice
from .model import RosterColumns
from .plan import Shard
from .project import NoProject, Project, find_project
from .roster import by_class, read_roster
from .write import private_folder, write_atomic

TRANSLATED = [lang for lang in i18n.LANGUAGES if lang != i18n.SOURCE]
GROUP_OPTIONS = {"--project": True, "--debug": False, "--lang": True}  # option -> takes a value


def _global(args: list[str]) -> tuple[list[str], list[str]]:
    """(--debug and --lang wherever they stand before a `--`, the other arguments)."""
    end = args.index("--") if "--" in args else len(args)
    found, rest, index = [], [], 0
    while index < len(args):
        arg = args[index]
        if (index < end and arg == "--debug") or (index < end and arg.startswith("--lang=")):
            found.append(arg)
        elif index < end and arg == "--lang" and index + 1 < end:
            found += [arg, args[index + 1]]
            index += 1
        else:
            rest.append(arg)
        index += 1
    return found, rest


def _lang_given(args: list[str]) -> str | None:
    found, _ = _global(args)
    for index, arg in enumerate(found):
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
        if arg == "--lang":
            return found[index + 1]
    return None


class DefaultGroup(Group):
    """A group whose first argument may be omitted: `build.py --school x` means `build ...`;
    a misspelled command gets a suggestion. `--debug` and `--lang` may stand anywhere before
    a `--`."""

    group_class = Group  # `consents` is a plain group

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        found, rest = _global(args)
        args = [*found, *rest]
        index = 0
        while index < len(args) and args[index].split("=", 1)[0] in GROUP_OPTIONS:
            takes_value = GROUP_OPTIONS[args[index].split("=", 1)[0]] and "=" not in args[index]
            index += 2 if takes_value else 1
        rest = args[index:]
        if not rest or (rest[0].startswith("-") and rest[0] not in ctx.help_option_names
                        and rest[0] != "--version"):
            args = [*args[:index], "build", *rest]
        elif rest[0] not in self.commands and not rest[0].startswith("-"):
            close = difflib.get_close_matches(rest[0], list(self.commands), n=1, cutoff=0.6)
            commands = ", ".join(sorted(self.commands))
            message = (Msg("unknown command '{name}' (did you mean '{close}'?); the commands: {commands}",
                           name=rest[0], close=close[0], commands=commands) if close else
                       Msg("unknown command '{name}'; the commands: {commands}", name=rest[0],
                           commands=commands))
            raise click.UsageError(voice_of(ctx).say(message), ctx)
        return super().parse_args(ctx, args)



def _project(ctx: click.Context) -> Project:
    obj = ctx.find_root().obj
    obj.setdefault("command", ctx.info_name)  # for a message about an unexpected error
    if "project" not in obj:
        obj["project"] = find_project(None)
    project: Project = obj["project"]
    return project


def _say(ctx: click.Context, text: Text) -> str:
    """A message in the run's language, naming the command as it was invoked."""
    return _prog(ctx, voice_of(ctx).say(text))


def _echo(ctx: click.Context, text: Text, *, err: bool = False) -> None:
    click.echo(_say(ctx, text), err=err)


def _bad(ctx: click.Context, text: Text, param_hint: str | None = None) -> click.BadParameter:
    return click.BadParameter(_say(ctx, text), ctx=ctx, param_hint=param_hint)


NOT_AN_ID = Msg("'{id}' is not a school id (lowercase letters, digits, '-')")


def _check_ids(ctx: click.Context, param: click.Parameter, ids: tuple[str, ...]) -> tuple[str, ...]:
    project = _project(ctx)
    ctx.obj["schools"] = ids
    for sid in ids:
        if not ID_PATTERN.fullmatch(sid):
            raise _bad(ctx, Msg(NOT_AN_ID.text, id=sid))
        school = project.schools / f"{sid}.yaml"
        if not (school.is_file() or school.is_symlink()):  # a broken link: the loader says why
            known = ", ".join(p.stem for p in project.school_files()) or voice_of(ctx).say(Msg("none"))
            raise _bad(ctx, Msg("no school file {path}.yaml (known: {known})",
                                path=display_path(project.schools / sid), known=known))
    return ids


school_option = click.option("--school", "schools", multiple=True, metavar="ID",
                             callback=_check_ids, expose_value=True,
                             help=H("Only this school (the file name in schools/ without .yaml). "
                                    "Repeat for several."))
one_school = click.option("--school", "school", required=True, metavar="ID", help=H("The school."),
                          callback=lambda ctx, param, value: _check_ids(ctx, param, (value,))[0])


@click.group(cls=DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dsinfo", help=H("Show the version and exit."))
@click.option("--project", "given", type=click.Path(file_okay=False, path_type=Path),
              default=None, metavar="DIR",
              help=H("The project folder (with schools/); default: $DSINFO_PROJECT, else the "
                     "current folder."))
@click.option("--lang", "lang", type=click.Choice(MESSAGE_LANGUAGES), default=None,
              help=H("The language of the messages: de (default) or en; also DSINFO_LANG, or an "
                     "English locale (LANG=en_GB.UTF-8). The documents' languages are the school's."))
@click.option("--debug", is_flag=True,
              help=H("Show the traceback of an internal error (a bug in dsinfo) instead of one line. "
                     "It may show values from your files: check it before you post it anywhere."))
@click.pass_context
def cli(ctx: click.Context, given: Path | None, lang: str | None, debug: bool) -> None:
    """Privacy notices and consent sheets for schools, from one YAML file per school.

    Without a command, builds every school.
    """
    if given is not None:  # --project takes the place of the folder build.py is in
        ctx.obj["project"] = find_project(given)
    ctx.obj["debug"] = debug or ctx.obj.get("debug", False)
    if debug:
        os.environ[DEBUG_ENV] = "1"  # the build's worker processes read it too


class _ShardType(click.ParamType[Any]):
    name = "shard"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, Shard):
            return value
        match = re.fullmatch(r"(\d+)/(\d+)", str(value))
        if not match or not 1 <= int(match[1]) <= int(match[2]):
            self.fail(voice_of(ctx).say(Msg("'{value}' is not I/N with 1 <= I <= N, e.g. 2/4",
                                            value=value)), param, ctx)
        return Shard(int(match[1]), int(match[2]))


SHARD = _ShardType()


@cli.command(short_help=H("Build the documents of every school."))
@school_option
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help=H("Output folder (default: output/ in the project)."))
@click.option("--strict", is_flag=True,
              help=H("Refuse to build a school with any error or warning of the check, or with a "
                     "missing or stale translation in one of its languages."))
@click.option("--pdf-a", "pdf_a", is_flag=True,
              help=H("Also keep archival copies (PDF/A-3a) of every PDF in "
                     "ID/archive/YEAR/LANG/STAND_VERSION/."))
@click.option("--format", "output_format", type=click.Choice(["all", "html", "pdf"]),
              default="all", show_default=True,
              help=H("html: web pages only (quick); pdf: PDFs only; all: both."))
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, metavar="N",
              help=H("Worker processes (default: one per CPU core)."))
@click.option("--shard", type=SHARD, default=None, metavar="I/N",
              help=H("Build only part I of N of the schools (a stable split by school id), e.g. "
                     "to spread a county over several machines."))
@click.option("--force", is_flag=True, help=H("Build everything again, changed or not."))
@click.option("--draft", is_flag=True,
              help=H("Build even with errors of the check: every page is marked "
                     "'ENTWURF – nicht veröffentlichen', not indexed, nothing archived."))
@click.pass_context
def build(ctx: click.Context, schools: tuple[str, ...], out: Path | None, strict: bool,
          pdf_a: bool, output_format: str, jobs: int | None, shard: Shard | None,
          force: bool, draft: bool) -> None:
    """Build the documents of every school, HTML and PDF, in every language it lists.

    Only what changed since the last build is made again. A school whose check finds an
    error is not published (its earlier documents stay); the other schools are built.
    """
    from .pipeline import Options
    from .pipeline import build as run_build

    project = _project(ctx)
    out = out or project.output
    formats = {"all": ("html", "pdf"), "html": ("html",), "pdf": ("html", "pdf")}[output_format]
    options = Options(formats=formats, jobs=jobs, shard=shard, strict=strict, draft=draft,
                      pdf_a=pdf_a, force=force, debug=ctx.find_root().obj["debug"])
    with _progress_bar() as bar:
        summary = run_build(project, out, schools, options, progress=bar)
    say = voice_of(ctx)
    for problem in summary.problems:
        click.echo(_prog(ctx, problem.said(say)), err=True)
    for _, result in sorted(summary.results.items()):
        _report(ctx, result)
    for sid in summary.strict_refused:
        _echo(ctx, Msg("  {id}: not built again: {counts} (python build.py check --school {id})",
                       id=sid, counts=_counts_of(summary.counts[sid])), err=True)
    click.echo(say.say(_summary_line(summary, out)))
    if not summary.ok:
        ctx.exit(1)


def _summary_line(summary: Any, out: Path) -> Msg:
    """One line: what was built, what was unchanged, refused or failed, where, how long."""
    written = [r for r in summary.results.values() if r.files]
    files = sum(len(r.files) for r in written)
    changed = sum(r.changed for r in written)
    parts = [Msgs("{n} language", "{n} languages", len(summary.built)),
             Msgs("{n} file", "{n} files", files), Msg("{n} changed", n=changed)]
    if summary.made:
        parts.append(Msgs("{n} PDF made", "{n} PDFs made", len(summary.made)))
    built = (Msgs("Built {n} school ({parts})", "Built {n} schools ({parts})", len(written),
                  parts=Seq(parts))
             if written else Msg("Nothing built") if summary.failed or summary.refused
             else Msg("Nothing to build"))
    rest = [Msgs("{n} language unchanged", "{n} languages unchanged", len(summary.unchanged)),
            Msg("{n} failed", n=len(summary.failed))]
    if summary.refused:
        rest.append(Msg("{n} not published", n=len(summary.refused)))
    if summary.problems:  # a "N more" line stands for N of them
        problems = InputError(summary.problems).count
        rest.append(Msgs("{n} problem in school files", "{n} problems in school files", problems))
    return Msg("{built}; {rest}; {folder}/ in {seconds} s.", built=built,
               rest=Seq(rest),
               folder=display_path(out), seconds=float(summary.seconds))


def _prog(ctx: click.Context, text: str) -> str:
    """A message naming the command as it was invoked (python build.py, dsinfo ...)."""
    return _named(text, ctx.find_root().info_name or "dsinfo")


def _named(text: str, prog: str) -> str:
    return text.replace("python build.py", prog)


@contextlib.contextmanager
def _progress_bar() -> Iterator[Callable[[str, int, int], None] | None]:
    """A progress bar on a terminal; nothing when the output goes to a file, pipe or CI log."""
    if not sys.stderr.isatty() or os.environ.get("CI"):
        yield None
        return
    from tqdm import tqdm

    with tqdm(total=0, unit="doc", file=sys.stderr, leave=False) as bar:
        def update(school: str, done: int, total: int) -> None:
            bar.total = total
            bar.set_description(school)
            bar.update(done - bar.n)

        yield update


def _report(ctx: click.Context, result: Any) -> None:
    n, say = result.notice, voice_of(ctx)
    if result.refused == "translation":
        _echo(ctx, Msg("  {id}: not published with --strict: a language is not completely "
                       "translated (python build.py translations)", id=n.id), err=True)
    elif result.refused:
        message = (Msg("  {id}: not published with --strict: {counts} of the check; its earlier "
                       "documents stay as they were (--draft builds it marked as a draft)",
                       id=n.id, counts=_counts(result.findings))
                   if result.refused == "warnings" else
                   Msg("  {id}: not published: {counts} of the check; its earlier documents stay "
                       "as they were (--draft builds it marked as a draft)",
                       id=n.id, counts=_counts(result.findings)))
        _echo(ctx, message, err=True)
        for finding in result.findings:
            click.echo(_prog(ctx, finding.said(say)), err=True)
    else:
        files = Msgs("{n} file", "{n} files", len(result.files))
        if result.findings:
            _echo(ctx, Msg("  {id}: {languages}: {files}; {counts} (python build.py check --school {id})",
                           id=n.id, languages=", ".join(n.school.languages), files=files,
                           counts=_counts(result.findings)))
        else:
            _echo(ctx, Msg("  {id}: {languages}: {files}", id=n.id,
                           languages=", ".join(n.school.languages), files=files))
    for severity, texts in (("error", result.failed), ("warning", result.warnings)):
        for text in texts:  # each line made safe; a --debug traceback keeps its lines
            lines = "\n".join(one_line(line) for line in say.say(text).splitlines())
            click.echo(f"{display_path(n.path)}: {say.say(SEVERITY[severity])}: {_prog(ctx, lines)}",
                       err=True)


@cli.command(short_help=H("Check school files (Art. 13/14 DSGVO)."))
@school_option
@click.pass_context
def check(ctx: click.Context, schools: tuple[str, ...]) -> None:
    """Check school files against GDPR Art. 13/14 without building.

    Lists each finding with its place in the school file and what to do; exits with 1 when
    there are errors.
    """
    from .pipeline import check_schools

    notices, findings, problems = check_schools(_project(ctx), schools)
    if problems:
        raise InputError(problems)
    say = voice_of(ctx)
    for finding in findings:
        click.echo(_prog(ctx, finding.said(say)))
    _echo(ctx, Msgs("Checked {n} school: {counts}.", "Checked {n} schools: {counts}.", len(notices),
                    counts=_counts(findings) if findings else Msg("no findings")))
    if any(f.severity == "error" for f in findings):
        ctx.exit(1)


@cli.command(short_help=H("The register of processing activities (Art. 30 DSGVO)."))
@one_school
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help=H("Folder for the register (default: private/ID/ in the project; never under "
                     "output/)."))
@click.pass_context
def register(ctx: click.Context, school: str, out: Path | None) -> None:
    """The school's register of processing activities (Art. 30 Abs. 1 DSGVO) as a spreadsheet
    (XLSX), a PDF and a web page, from the same facts as its notice.

    One entry per activity (platform, the school's own system, the website) with every
    element of Art. 30 Abs. 1, the legal bases, the date and the version. The register is an
    internal document: it is written outside output/ and never linked from the website. What
    an entry lacks is listed like the check's findings; with errors nothing is written.
    """
    from . import records
    from .pipeline import load_school
    from .write import private_folder, write_atomic

    project = _project(ctx)
    notice = load_school(project.schools / f"{school}.yaml", load_catalog(project.catalogs))
    out = out or project.root / "private" / school
    if project.publishes(out):
        raise _bad(ctx, Msg("{path} is inside output/, the folder for the website: the register "
                            "of processing activities is an internal document",
                            path=display_path(out)), param_hint="--out")
    say = voice_of(ctx)
    findings = records.findings(notice)
    for finding in findings:
        click.echo(_prog(ctx, finding.said(say)))
    if any(f.severity == "error" for f in findings):
        _echo(ctx, Msg("The register was not written: {counts}.", counts=_counts(findings)), err=True)
        ctx.exit(1)
    register_ = records.register_of(notice)
    made = records.files(Press(project), notice, register_)
    private_folder(out)
    for name, data in made.items():
        write_atomic(out / name, data)
    _echo(ctx, Msgs("Wrote the register of processing activities ({n} activity, version {version}) "
                    "to {folder}/: {files}.",
                    "Wrote the register of processing activities ({n} activities, version {version}) "
                    "to {folder}/: {files}.", len(register_.entries), version=register_.version,
                    folder=display_path(out), files=Seq(list(made))))


@cli.command(short_help=H("How complete each translation is."))
@click.option("--language", "langs", multiple=True, type=click.Choice(TRANSLATED), metavar="LANG",
              help=H("Only this language (its code, e.g. tr). Repeat for several."))
@click.option("--strict", is_flag=True,
              help=H("Exit with 1 when a text is missing or stale, a placeholder is wrong, or "
                     "locales/messages.pot is out of date."))
@click.pass_context
def translations(ctx: click.Context, langs: tuple[str, ...], strict: bool) -> None:
    """Show, per language, the share of the German text that is translated, and list the
    missing and the stale translations (German source changed: fuzzy in the .po file).

    Missing and stale texts are shown in German in the documents; the build warns about them.
    """
    project = _project(ctx)
    current = sources_of(project.root)
    total = sum(1 for m in current if m.id)
    _echo(ctx, Msg("German source: {n} texts (templates, catalog, code).", n=total))
    outdated = pot_problem(project.locales, current)
    if outdated:
        click.echo(_prog(ctx, outdated.said(voice_of(ctx))))
    reports = [i18n.coverage(current, project.locales, lang) for lang in langs or TRANSLATED]
    for report in reports:
        _print_coverage(ctx, project, report)
    if strict and (outdated or not all(r.complete for r in reports)):
        ctx.exit(1)


def _print_coverage(ctx: click.Context, project: Project, report: i18n.Coverage) -> None:
    say = voice_of(ctx)
    name = i18n.language_name(report.lang)
    share = format_percent(report.share, "##0.0%", locale=say.locale)
    line = f"{report.lang}  {name:<12} {share:>6}  " + say.say(
        Msg("{done} of {total} translated", done=report.translated, total=report.total))
    if not report.complete:
        line += ": " + say.say(Msg("{missing} missing, {stale} stale", missing=len(report.missing),
                                   stale=len(report.stale)))
    click.echo(line)
    for kind, messages in ((Msg("missing"), report.missing), (Msg("stale"), report.stale)):
        for message in messages:
            click.echo(f"    {say.say(kind)}: {_where(message)}: {_short(message.id)}")
            if kind.text == "stale" and message.previous_id:
                _echo(ctx, Msg("        German was: {text}", text=_short(message.previous_id)))
    po = i18n.po_path(project.locales, report.lang)
    for message, error in report.errors:
        click.echo(f"    {display_path(po)}:{message.lineno}: {say.say(SEVERITY['error'])}: "
                   f"{say.say(error)}: {_short(message.id)}")


def _where(message: Message) -> str:
    return ", ".join(f"{path}:{line}" for path, line in message.locations[:2]) or "?"


def _short(text: str | tuple[str, ...] | list[str]) -> str:
    first = text[0] if isinstance(text, tuple | list) else text
    return repr(first if len(first) <= 72 else first[:69] + "...")


def _counts(findings: list[Finding]) -> Seq:
    return _counts_of({"errors": sum(f.severity == "error" for f in findings),
                       "warnings": sum(f.severity == "warning" for f in findings)})


def _counts_of(counts: dict[str, int]) -> Seq:
    """"2 errors, 1 warning" (what is zero left out)."""
    errors, warnings = counts.get("errors", 0), counts.get("warnings", 0)
    return Seq([*([Msgs("{n} error", "{n} errors", errors)] if errors else []),
                *([Msgs("{n} warning", "{n} warnings", warnings)] if warnings else [])])


register_option = click.option(
    "--register", "register_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help=H("The school's consent register (default: private/ID/consents.sqlite in the project)."))


def _register_path(ctx: click.Context, school: str, path: Path | None) -> Path:
    """The register's file; never under output/, which is published."""
    from .consentdb import default_path

    project = _project(ctx)
    path = path or default_path(project.root, school)
    if project.publishes(path):
        raise _bad(ctx, Msg("{path} is inside output/, the folder for the website: the register "
                            "holds personal data", path=display_path(path)), param_hint="--register")
    return path


@cli.command(short_help=H("Pre-filled consent sheets per pupil."))
@one_school
@click.option("--csv", "csv_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help=H("The roster: a CSV export of the school administration software."))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help=H("Folder for the class PDFs (default: next to the CSV, '<csv name>-<school>')."))
@click.option("--column", "columns", multiple=True, metavar="FIELD=NAME",
              help=H("A column name of the CSV, e.g. --column last_name=Familienname "
                     "(fields: last_name, first_name, school_class, birth_date, language)."))
@register_option
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, metavar="N",
              help=H("Worker processes (default: one per CPU core)."))
@click.pass_context
def roster(ctx: click.Context, school: str, csv_path: Path, out: Path | None,
           columns: tuple[str, ...], register_path: Path | None, jobs: int | None) -> None:
    """Pre-filled consent sheets per pupil and a return checklist per class, from a roster.

    Each sheet carries a QR code (school, the pupil's number in the register, version, page;
    no name) for `consents scan`. The pupils and the sheets they were given are recorded in
    the school's consent register. The roster is personal data: it is read into memory only,
    and the PDFs go to a folder of their own, not into the website output.
    """
    import datetime as dt

    from .consentdb import Register
    from .pipeline import load_school
    from .sheets import print_roster

    project = _project(ctx)
    notice = load_school(project.schools / f"{school}.yaml", load_catalog(project.catalogs))
    names = _column_names(ctx, notice.school.roster_columns, columns)
    pupils = read_roster(csv_path, names, notice.age_rule, notice.school.stand)
    out = out or csv_path.parent / f"{csv_path.stem}-{school}"
    if project.publishes(out):
        _echo(ctx, Msg("warning: {path} is inside output/, the folder for the website: the sheets "
                       "hold pupils' names", path=display_path(out)), err=True)
    path = _register_path(ctx, school, register_path)
    existed = out.is_dir()
    private_folder(out)  # created readable by the user only, like the sheets in it
    if existed and out.stat().st_mode & 0o077:
        _echo(ctx, Msg("warning: other users of this computer may open {path}/: the sheets in it "
                       "are private, the folder is not (chmod 700, or another --out)",
                       path=display_path(out)), err=True)
    started = time.perf_counter()
    today = dt.date.today()
    with Register.open(path) as register:
        numbers = register.record_roster(pupils, today)
        result = print_roster(Press(project), notice, pupils, out, numbers=numbers, jobs=jobs)
        register.record_sheets(result.printed, _asked(notice, result.version), today)
    classes = len(by_class(pupils))
    _echo(ctx, Msgs("Wrote consent sheets for {pupils} pupils in {n} class to {folder}/ in {seconds} s; "
                    "recorded in {register}.",
                    "Wrote consent sheets for {pupils} pupils in {n} classes to {folder}/ in {seconds} s; "
                    "recorded in {register}.", classes, pupils=len(pupils), folder=display_path(out),
                    seconds=time.perf_counter() - started, register=display_path(path)))
    _echo(ctx, Msg("They contain personal data: keep them safe and delete them once the sheets are back."))


def _asked(notice: Any, version: str) -> list[tuple[str, str, str]]:
    """(id, version, German title) of what a roster sheet asks: the acknowledgement (its
    version is the German notice's: a new notice asks for it again, a changed consent text
    does not), then each consent (a hash of what it says)."""
    from .consentdb import ACKNOWLEDGEMENT, consent_version

    def german(text: Any) -> str:
        return text if isinstance(text, str) else text["de"]

    return [(ACKNOWLEDGEMENT, version, "Kenntnisnahme"),
            *((c.id, consent_version(c.text, c.data, c.recipients, c.retention), german(c.title))
              for c in notice.consents)]


@cli.group(short_help=H("Scanned consent sheets: the register."))
def consents() -> None:
    """The consent register: read scanned sheets, settle unclear answers, list who consented.

    Every school has its own register (default private/ID/consents.sqlite in the project,
    readable by its owner only); `roster` records the pupils and the sheets they were given.
    Everything here is personal data: nothing is written under output/.
    """


school_required = click.option(
    "--school", "school", required=True, metavar="ID", help=H("The school whose register to use."),
    callback=lambda ctx, param, value: _check_ids(ctx, param, (value,))[0])


def _open_register(ctx: click.Context, school: str, path: Path | None, *, create: bool = False) -> Any:
    from .consentdb import Register, RegisterError

    path = _register_path(ctx, school, path)
    if not create and not path.is_file():
        raise RegisterError(Msg("there is no consent register {path} yet: print the sheets with "
                                "`python build.py roster --school {school} --csv ROSTER.csv` first",
                                path=display_path(path), school=school))
    return Register.open(path)


@consents.command("scan")
@school_required
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@register_option
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, metavar="N",
              help=H("Worker processes (default: one per CPU core)."))
@click.pass_context
def consents_scan(ctx: click.Context, school: str, files: tuple[Path, ...], register_path: Path | None,
                  jobs: int | None) -> None:
    """Read scanned consent sheets (PDF, PNG or JPEG; 150 to 300 dpi) into the register.

    Each page is found by its QR code, aligned by the code and the corner marks, and each box
    measured: Yes, No, or unclear (both or neither ticked, a faint or scribbled-over mark).
    Nothing is guessed: unclear boxes and pages that cannot be read go to the review list
    (`consents review`). Pages of another school or form, pages read before and pages of an
    older sheet are reported and not taken. Each page is recorded in one transaction.
    """
    try:
        from .scan import scan
    except ImportError as exc:  # the optional extra is not installed
        raise click.UsageError(_say(ctx, Msg("reading scans needs the 'scan' extra ({name} is missing): "
                                             "pip install 'dsinfo[scan]'", name=exc.name))) from None

    with _open_register(ctx, school, register_path) as register:
        summary = scan(register, school, list(files), jobs=jobs)
    say = voice_of(ctx)
    for result in summary.pages:
        where = f"{display_path(files[result.file])}:{result.page}"
        if result.turned:
            _echo(ctx, Msg("{where}: note: the page was turned by {degrees} degrees to be read",
                           where=where, degrees=result.turned))
        if result.status == "recorded" and result.reviews:
            about = Seq([c or Msg("page") for c, _, _ in result.reviews])
            _echo(ctx, Msg("{where}: {n} of {total} answers to review ({about})", where=where,
                           n=len(result.reviews), total=len(result.answers), about=about))
        elif result.status != "recorded":
            click.echo(f"{where}: {say.say(PAGE_STATUS.get(result.status, result.status))}: "
                       f"{_say(ctx, result.message)}")
    pages, recorded = len(summary.pages), summary.count("recorded")
    _echo(ctx, Msgs("Read {n} page: {recorded} recorded with {answers} answers; {reviews} to review; "
                    "{before} read before, {refused} not taken.",
                    "Read {n} pages: {recorded} recorded with {answers} answers; {reviews} to review; "
                    "{before} read before, {refused} not taken.", pages, recorded=recorded,
                    answers=summary.answers, reviews=summary.reviews, before=summary.count("duplicate"),
                    refused=summary.count("not ours") + summary.count("older version")))
    if summary.reviews:
        _echo(ctx, Msg("Settle the unclear ones: python build.py consents review --school {school}",
                       school=school))


PAGE_STATUS = {"review": Msg("review"), "duplicate": Msg("duplicate"), "not ours": Msg("not ours"),
               "older version": Msg("older version"), "unreadable": Msg("unreadable")}


@consents.command("review")
@school_required
@register_option
@click.pass_context
def consents_review(ctx: click.Context, school: str, register_path: Path | None) -> None:
    """Settle what the scan was not sure about, one by one, in the terminal.

    Shows where it was found, who it is about and the boxes as a picture in the terminal;
    answer y (yes), n (no), u (keep it unclear), s (skip for now) or q (quit). A page that
    could not be read is shown small: d closes it (enter its answers by hand).
    """
    import datetime as dt

    from .review import as_blocks

    with _open_register(ctx, school, register_path) as register:
        titles = register.consent_titles()
        reviews = register.open_reviews()
        if not reviews:
            _echo(ctx, Msg("Nothing to review."))
            return
        settled, say = 0, voice_of(ctx)
        for n, review in enumerate(reviews, start=1):
            what = titles.get(review.consent or "", review.consent or say.say(Msg("the whole page")))
            who = review.name or say.say(Msg("unknown pupil"))
            click.echo(f"[{n}/{len(reviews)}] {say.say(review.place)}: {who}: {what}: "
                       f"{say.say(review.reason)}")
            click.echo(as_blocks(review.crop, width=72 if review.consent else 48))
            choices = ["d", "s", "q"] if review.consent is None else ["y", "n", "u", "s", "q"]
            choice = click.prompt(say.say(Msg("Answer")), type=click.Choice(choices), show_choices=True)
            if choice == "q":
                break
            if choice == "s":
                continue
            answer = {"y": "yes", "n": "no", "u": "unclear", "d": None}[choice]
            register.settle(review.id, answer, dt.date.today())
            settled += 1
    _echo(ctx, Msg("Settled {n} of {total}.", n=settled, total=len(reviews)))


@consents.command("record")
@school_required
@click.option("--pupil", type=click.IntRange(min=1), required=True, metavar="N",
              help=H("The pupil's number in the register (column Nr. of `consents list`)."))
@click.option("--consent", required=True, metavar="ID", help=H("The consent, e.g. photos_website."))
@click.option("--answer", type=click.Choice(["yes", "no", "withdrawn"]), required=True,
              help=H("yes or no as given on paper; withdrawn for a withdrawal."))
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              metavar="YYYY-MM-DD", help=H("The day it was given or declared (default: today)."))
@register_option
@click.pass_context
def consents_record(ctx: click.Context, school: str, pupil: int, consent: str, answer: str,
                    day: Any, register_path: Path | None) -> None:
    """Record an answer given outside a scan (a sheet read by hand, a page the scan could not
    read), or a withdrawal on the day it was declared: it counts from then on, and a later
    scan of an older sheet does not undo it."""
    import datetime as dt

    from .consentdb import RegisterError

    when = day.date() if day else dt.date.today()
    with _open_register(ctx, school, register_path) as register:
        titles = register.consent_titles()
        if consent not in titles:
            raise _bad(ctx, Msg(NOT_A_CONSENT.text, consent=consent, known=", ".join(titles)),
                       param_hint="--consent")
        try:
            register.record_answer(pupil, consent, answer,
                                   when, source="withdrawal" if answer == "withdrawn" else "manual")
        except RegisterError as exc:
            raise _bad(ctx, exc.message, param_hint="--pupil") from None
    _echo(ctx, Msg("Recorded for pupil {pupil}: {consent}: {answer} on {day}.", pupil=pupil,
                   consent=titles[consent], answer=ANSWERS[answer], day=when.isoformat()))


NOT_A_CONSENT = Msg("'{consent}' is not a consent of this register (known: {known})")
ANSWERS = {"yes": Msg("yes"), "no": Msg("no"), "withdrawn": Msg("withdrawn")}


@consents.command("list")
@school_required
@click.option("--class", "school_class", metavar="CLASS", help=H("Only this class, e.g. 5a."))
@click.option("--consent", metavar="ID", help=H("Only this consent, e.g. photos_website."))
@click.option("--format", "output_format", type=click.Choice(["text", "csv", "pdf"]), default="text",
              show_default=True, help=H("text for the terminal, csv, or pdf (needs --out)."))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help=H("Write to this file (mode 0600) instead of the terminal; not inside output/."))
@register_option
@click.pass_context
def consents_list(ctx: click.Context, school: str, school_class: str | None, consent: str | None,
                  output_format: str, out: Path | None, register_path: Path | None) -> None:
    """A teacher's list: who may, who may not, and who has not answered, per consent.

    States: yes, no, withdrawn, unclear (to review), renewal (answered on an earlier text of
    the consent: ask again), not returned.
    """
    from .review import list_csv, list_text

    project = _project(ctx)
    if output_format == "pdf" and out is None:
        raise click.UsageError(_say(ctx, Msg("--format pdf needs --out FILE.pdf")))
    with _open_register(ctx, school, register_path) as register:
        titles = register.consent_titles()
        if consent and consent not in titles:
            raise _bad(ctx, Msg(NOT_A_CONSENT.text, consent=consent, known=", ".join(titles)),
                       param_hint="--consent")
        statuses = register.statuses(school_class=school_class, consent=consent)
    if school_class and not statuses:
        raise _bad(ctx, Msg("the register has no pupil in class '{name}'", name=school_class),
                   param_hint="--class")
    if output_format == "pdf":
        assert out is not None
        from .pipeline import load_school

        notice = load_school(project.schools / f"{school}.yaml", load_catalog(project.catalogs))
        press = Press(project)
        page = press.renderer("de").page("consent_list.html", notice, "print", statuses=statuses,
                                         titles=titles, school_class=school_class)
        data: bytes | str = press.pdf_strict(page)
    else:
        data = (list_csv(statuses, titles) if output_format == "csv"
                else list_text(statuses, titles, voice_of(ctx)))
    _deliver(ctx, project, data, out)


@consents.command("export")
@school_required
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help=H("Write to this file (mode 0600) instead of the terminal; not inside output/."))
@register_option
@click.pass_context
def consents_export(ctx: click.Context, school: str, out: Path | None, register_path: Path | None) -> None:
    """A CSV for the school administration software: one line per pupil, one column per
    consent (ja, nein, widerrufen, unklar, erneuern, offen), ';'-separated, UTF-8 with BOM."""
    from .review import export_csv

    with _open_register(ctx, school, register_path) as register:
        data = export_csv(register.statuses(), register.consent_titles())
    _deliver(ctx, _project(ctx), data, out)


def _deliver(ctx: click.Context, project: Project, data: bytes | str, out: Path | None) -> None:
    """To the terminal, or to a file readable by its owner only (never under output/)."""
    if out is None:
        click.echo(data if isinstance(data, str) else data.decode("utf-8"), nl=False)
        return
    if project.publishes(out):
        raise _bad(ctx, Msg("{path} is inside output/, the folder for the website: the list holds "
                            "personal data", path=display_path(out)), param_hint="--out")
    write_atomic(out, data, mode=0o600)
    _echo(ctx, Msg(WROTE.text, path=display_path(out)))


WROTE = Msg("Wrote {path}.")


def _column_names(ctx: click.Context, base: RosterColumns, overrides: tuple[str, ...]) -> RosterColumns:
    values = base.model_dump()
    for item in overrides:
        field, sep, name = item.partition("=")
        if not sep or field not in values or not name.strip():
            raise _bad(ctx, Msg("'{item}' is not FIELD=NAME with FIELD one of {fields}", item=item,
                                fields=", ".join(values)), param_hint="--column")
        values[field] = name.strip()
    return RosterColumns(**values)


@cli.command(short_help=H("Create a new school file."))
@click.option("--id", "school_id", help=H("The school id (file name); default: made from the name."))
@click.option("--land", help=H("The Land, as code (TH) or name (Thüringen)."))
@click.option("--name", help=H("The school's name."))
@click.option("--street", help=H("Street and number."))
@click.option("--postcode", help=H("Postcode (five digits)."))
@click.option("--city", help=H("Town or city."))
@click.option("--email", help=H("The school's e-mail address."))
@click.option("--phone", help=H("The school's phone number."))
@click.option("--authority", help=H("The Schulträger (maintaining body)."))
@click.option("--dpo-name", help=H("The data protection officer's name (optional)."))
@click.option("--dpo-email", help=H("The data protection officer's e-mail address."))
@click.option("--platform", "platform_specs", multiple=True, metavar="ID:HOSTING[:MODULE,...]",
              help=H("A platform, e.g. iserv:on_premises:files,email. Repeat for several."))
@click.option("--language", "languages", multiple=True,
              help=H("A language besides German (its code, e.g. tr; `translations` lists them)."))
@click.option("--consent", "consents", multiple=True, help=H("A consent from catalog/consents/."))
@click.option("--stand", type=click.DateTime(["%Y-%m-%d"]), help=H("Stand date (default: today)."))
@click.option("--no-input", is_flag=True, help=H("Ask nothing: missing values become TODO placeholders."))
@click.pass_context
def new(ctx: click.Context, /, school_id: str | None, no_input: bool, platform_specs: tuple[str, ...],
        languages: tuple[str, ...], consents: tuple[str, ...], stand: Any, **values: str | None) -> None:
    """Create a new school file, asking for what the catalog cannot know.

    Writes schools/<id>.yaml with comments on every key and runs the check on it. With
    --no-input (or flags for every answer) it asks nothing.
    """
    from .wizard import ask_answers, render, slug

    project = _project(ctx)
    catalog = load_catalog(project.catalogs)
    answers = ask_answers(catalog, values, platform_specs=platform_specs, languages=languages,
                          consents=consents, stand=stand.date() if stand else None, no_input=no_input)
    sid = school_id or (slug(answers.name) if no_input else
                        str(click.prompt("Kennung (Dateiname)", default=slug(answers.name))))
    if not ID_PATTERN.fullmatch(sid):
        raise _bad(ctx, Msg(NOT_AN_ID.text, id=sid), param_hint="--id")
    path = project.schools / f"{sid}.yaml"
    if path.exists():
        raise click.UsageError(_say(ctx, Msg("{path} exists already: choose another --id",
                                             path=display_path(path))))
    text = render(answers, catalog)
    compose(parse_yaml(path, text.encode("utf-8")), catalog)  # a file that would not load: not written
    write_atomic(path, text)
    _echo(ctx, Msg(WROTE.text, path=display_path(path)))
    ctx.invoke(check, schools=(sid,))


@cli.command(short_help=H("Make a new project folder."))
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.pass_context
def init(ctx: click.Context, folder: Path) -> None:
    """Make a new project folder: schools/ with one commented example school, a short
    README, and empty folders for the project's own templates and catalog entries."""
    from .wizard import init_project

    for path in init_project(folder, load_catalog(Project(folder).catalogs)):
        _echo(ctx, Msg(WROTE.text, path=display_path(path)))
    prog = ctx.find_root().info_name or "dsinfo"
    _echo(ctx, Msg("Next: cd {folder} && {prog} new, or edit the example, then {prog} build.",
                   folder=display_path(folder), prog=prog))


@cli.command(short_help=H("Preview the pages while you edit."))
@school_option
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help=H("Port on 127.0.0.1 (0: any free port)."))
@click.pass_context
def serve(ctx: click.Context, schools: tuple[str, ...], port: int) -> None:
    """Preview the pages locally; they rebuild and reload when a file changes.

    HTML is rebuilt at once, a PDF is made when you open it; errors are shown in the page.
    Only this computer can reach the preview (127.0.0.1).
    """
    from .serve import serve as run_preview

    run_preview(_project(ctx), schools, port, echo=click.echo, voice=ctx.find_root().obj["voice"])


@cli.command(short_help=H("What changed between two versions."))
@one_school
@click.option("--from", "old_year", metavar="YEAR", help=H("The earlier school year, e.g. 2024/25 "
                "(default: the version before the newer one)."))
@click.option("--to", "new_year", metavar="YEAR", help=H("The later school year (default: the "
                "school file as it is now)."))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help=H("Output folder holding the archive (default: output/ in the project)."))
@click.pass_context
def diff(ctx: click.Context, school: str, old_year: str | None, new_year: str | None,
         out: Path | None) -> None:
    """What changed in a school's notice: the facts (data, purposes, processors, retention,
    legal basis) and the text, section by section.

    Compares with the versions kept in output/ID/archive/; also writes the report as
    output/ID/changes.html.
    """
    from .diff import as_text, choose, compare, write_report
    from .pipeline import load_school

    project = _project(ctx)
    out = out or project.output
    notice = load_school(project.schools / f"{school}.yaml", load_catalog(project.catalogs))
    old, new = choose(Press(project, formats=("html",)), out, notice, old_year, new_year)
    report = compare(old, new)
    say = voice_of(ctx)
    click.echo(as_text(report, say), nl=False)
    _echo(ctx, Msg("Report: {path}", path=display_path(write_report(out, school, report, say))))


@cli.command("next-year", short_help=H("Start the next school year."))
@one_school
@click.option("--stand", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help=H("The new Stand date (default: today)."))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help=H("Output folder holding the archive (default: output/ in the project)."))
@click.pass_context
def next_year(ctx: click.Context, school: str, stand: Any, out: Path | None) -> None:
    """Start the next school year: keep the current documents in the archive, then set the
    school file's school year and Stand date (comments and layout stay)."""
    import datetime as dt

    from .archive import keep_current, mentions, next_school_year
    from .pipeline import load_school

    project = _project(ctx)
    out = out or project.output
    path = project.schools / f"{school}.yaml"
    load_school(path, load_catalog(project.catalogs))  # a broken school file is reported, not changed
    day = (stand.date() if stand else dt.date.today()).isoformat()
    try:
        text, old, new = next_school_year(path.read_text(encoding="utf-8"), day)
    except ValueError as exc:
        message = exc.args[0] if exc.args and isinstance(exc.args[0], Msg) else str(exc)
        raise InputError([Problem(path=path, line=1, column=1, message=message)]) from None
    kept = keep_current(out, school)
    write_atomic(path, text)
    _echo(ctx, Msg("{path}: school year {old} -> {new}, Stand {day}.", path=display_path(path),
                   old=old, new=new, day=day))
    if kept:
        _echo(ctx, Msg("The documents of {old} are kept in {folder}/.", old=old,
                       folder=display_path(kept[0].parent.parent)))
    for line, column in mentions(text, old):
        _echo(ctx, Msg("{path}:{line}:{column}: still mentions {old}; change it if it should say {new}.",
                       path=display_path(path), line=line, column=column, old=old, new=new))
    _echo(ctx, Msg("Next: edit what changed, then `python build.py diff --school {school}` and "
                   "`python build.py --school {school}`.", school=school))


def main(argv: Sequence[str] | None = None, *, root: Path | None = None,
         prog_name: str | None = None) -> int:
    """Entry point for `dsinfo`, `python -m dsinfo` and `python build.py` (which passes its
    own folder as `root`); returns the exit code. The boundary of the command line: whatever
    goes wrong ends in one line on stderr (a traceback only with --debug) and exit code 1."""
    debug_before = os.environ.get(DEBUG_ENV)
    try:
        return _run(list(argv) if argv is not None else sys.argv[1:], root, prog_name)
    finally:  # --debug holds for this run only (tests call main() in one process)
        if debug_before is None:
            os.environ.pop(DEBUG_ENV, None)
        else:
            os.environ[DEBUG_ENV] = debug_before


def _run(args: list[str], root: Path | None, prog_name: str | None) -> int:
    prog = prog_name or ("python build.py" if root is not None else "dsinfo")
    given = _lang_given(args)
    say = voice(chosen(given if given in MESSAGE_LANGUAGES else None, os.environ))
    obj: dict[str, Any] = {"voice": say}
    if root is not None:
        obj["project"] = Project(root.resolve())

    def error(text: Text) -> None:
        line = say.say(Msg("error: {message}", message=text))
        click.echo(_named(one_line(line), prog), err=True)

    try:
        code = cli.main(args=args, prog_name=prog, obj=obj, standalone_mode=False)
    except click.exceptions.Abort:
        click.echo(say.say(Msg("Aborted.")), err=True)
        return 1
    except click.ClickException as exc:
        setattr(exc, "message", one_line(exc.message))  # noqa: B010 (Final in click's types): a flag's value may hold anything
        for line in error_lines(exc, say, prog):
            click.echo(line, err=True)
        return exc.exit_code
    except NoProject as exc:
        error(Msg("{folder} is not a dsinfo project: it has no folder schools/. Give the project "
                  "with --project DIR (or DSINFO_PROJECT), or make one with `{prog} init DIR`.",
                  folder=exc.message, prog=prog))
        return 1
    except InputError as exc:
        for problem in exc.problems:
            click.echo(_named(problem.said(say), prog), err=True)
        click.echo(say.say(Msgs("{n} problem found; {outcome}.", "{n} problems found; {outcome}.",
                                exc.count, outcome=exc.outcome)), err=True)
        return 1
    except DsinfoError as exc:
        error(exc.message)
        return 1
    except Exception as exc:  # the last boundary: one line, the traceback only when asked
        if debugging():
            traceback.print_exc()
        error(internal_error(exc, _while(obj)))
        return 1
    return code if isinstance(code, int) else 0


def _while(obj: dict[str, Any]) -> Msg:
    """'while running build for gs-park': the command and the schools it was given."""
    schools = obj.get("schools") or ()
    command = obj.get("command", "dsinfo")
    if schools:
        return Msg("while running '{command}' for {schools}", command=command, schools=", ".join(schools))
    return Msg("while running '{command}'", command=command)
