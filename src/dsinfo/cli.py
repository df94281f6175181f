"""Command line: argument parsing, messages and exit codes (0 ok, 1 bad input, 2 usage)."""

from __future__ import annotations

import contextlib
import os
import re
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import click
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from . import i18n
from .builder import Builder, Project, SchoolResult, load_schools
from .check import Finding
from .check import check as check_notice
from .compose import ID_PATTERN, compose, load_catalog
from .errors import (
    DEBUG_ENV,
    DsinfoError,
    InputError,
    Problem,
    debugging,
    display_path,
    internal_error,
    one_line,
)
from .extract import current_messages
from .load import parse_yaml
from .model import LANGUAGES, RosterColumns
from .parallel import Shard
from .render import Renderer
from .roster import by_class, read_roster
from .write import private_folder, write_atomic

TRANSLATED = [lang for lang in LANGUAGES if lang != i18n.SOURCE]

class DefaultGroup(click.Group):
    """A group whose first argument may be omitted: `build.py --school x` means `build ...`.
    `--debug` may stand anywhere before a `--`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        end = args.index("--") if "--" in args else len(args)
        if "--debug" in args[:end]:
            args = ["--debug", *(a for i, a in enumerate(args) if i >= end or a != "--debug")]
        rest = args[1:] if args[:1] == ["--debug"] else args
        if not rest or (rest[0] not in self.commands and rest[0] not in ctx.help_option_names
                        and rest[0] != "--version"):
            args = [*args[: len(args) - len(rest)], "build", *rest]
        return super().parse_args(ctx, args)


def _project(ctx: click.Context) -> Project:
    ctx.obj.setdefault("command", ctx.info_name)  # for a message about an unexpected error
    return Project(root=ctx.obj["root"])


def _check_ids(ctx: click.Context, param: click.Parameter, ids: tuple[str, ...]) -> tuple[str, ...]:
    project = _project(ctx)
    ctx.obj["schools"] = ids
    for sid in ids:
        if not ID_PATTERN.fullmatch(sid):
            raise click.BadParameter(f"'{sid}' is not a school id (lowercase letters, digits, '-')")
        school = project.schools / f"{sid}.yaml"
        if not (school.is_file() or school.is_symlink()):  # a broken link: the loader says why
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
@click.option("--debug", is_flag=True,
              help="Show the traceback of an internal error (a bug in dsinfo) instead of one line. "
                   "It may show values from your files: check it before you post it anywhere.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Privacy notices and consent sheets for schools, from one YAML file per school.

    Without a command, builds every school: python build.py
    """
    if debug:
        os.environ[DEBUG_ENV] = "1"  # the build's worker processes read it too


class _ShardType(click.ParamType[Any]):
    name = "shard"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, Shard):
            return value
        match = re.fullmatch(r"(\d+)/(\d+)", str(value))
        if not match or not 1 <= int(match[1]) <= int(match[2]):
            self.fail(f"'{value}' is not I/N with 1 <= I <= N, e.g. 2/4", param, ctx)
        return Shard(int(match[1]), int(match[2]))


SHARD = _ShardType()


@cli.command()
@school_option
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: output/ in the project).")
@click.option("--strict", is_flag=True,
              help="Refuse to build a school with any error or warning of the check, or with a "
                   "missing or stale translation in one of its languages.")
@click.option("--pdf-a", "pdf_a", is_flag=True,
              help="Also keep archival copies (PDF/A-3a) of every PDF in "
                   "ID/archive/YEAR/LANG/STAND_VERSION/.")
@click.option("--format", "output_format", type=click.Choice(["all", "html", "pdf"]),
              default="all", show_default=True,
              help="html: web pages only (quick); pdf: PDFs only; all: both.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, metavar="N",
              help="Worker processes (default: one per CPU core).")
@click.option("--shard", type=SHARD, default=None, metavar="I/N",
              help="Build only part I of N of the schools (a stable split by school id), e.g. "
                   "to spread a county over several machines.")
@click.option("--force", is_flag=True, help="Build everything again, changed or not.")
@click.pass_context
def build(ctx: click.Context, schools: tuple[str, ...], out: Path | None, strict: bool,
          pdf_a: bool, output_format: str, jobs: int | None, shard: Shard | None,
          force: bool) -> None:
    """Build notice, consent sheet and withdrawal form, HTML and PDF, for every language of
    every school; only what changed since the last build."""
    from .parallel import build as run_build

    project = _project(ctx)
    out = out or project.root / "output"
    formats = {"all": ("html", "pdf"), "html": ("html",), "pdf": ("html", "pdf")}[output_format]
    with _progress_bar() as bar:
        summary = run_build(project, out, schools, formats=formats, jobs=jobs, shard=shard,
                            strict=strict, pdf_a=pdf_a, progress=bar, force=force,
                            strict_problems=lambda notices: _strict_translations(project, notices))
    for sid, result in sorted(summary.results.items()):
        _report(result, summary.findings.get(sid, []))
    click.echo(_summary_line(summary, out))
    if summary.failed:
        ctx.exit(1)


def _summary_line(summary: Any, out: Path) -> str:
    """One line: what was built, what was unchanged or failed, where, how long."""
    def count(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    files = sum(len(r.files) for r in summary.results.values())
    changed = sum(r.changed for r in summary.results.values())
    built = (f"Built {count(len(summary.results), 'school')} ({count(len(summary.built), 'language')},"
             f" {count(files, 'file')}, {changed} changed)" if summary.results else "Nothing to build")
    return (f"{built}; {count(len(summary.unchanged), 'language')} unchanged, "
            f"{len(summary.failed)} failed; {display_path(out)}/ in {summary.seconds:.1f} s.")


def _strict_translations(project: Project, notices: list[Any]) -> list[Problem]:
    langs = sorted({lang for n in notices for lang in n.school.languages} - {i18n.SOURCE})
    return _translation_problems(project, langs) if langs else []




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


def _report(result: SchoolResult, findings: list[Finding]) -> None:
    n = result.notice
    line = f"  {n.id}: {', '.join(n.school.languages)}: {len(result.files)} files"
    if findings:
        line += f"; {_counts(findings)} (python build.py check --school {n.id})"
    click.echo(line)
    for warning in result.warnings:  # each line made safe; a --debug traceback keeps its lines
        text = "\n".join(one_line(line) for line in str(warning).splitlines())
        click.echo(f"{display_path(n.path)}: warning: {text}", err=True)


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


@cli.command()
@click.option("--school", "school", required=True, metavar="ID", help="The school whose sheets to print.",
              callback=lambda ctx, param, value: _check_ids(ctx, param, (value,))[0])
@click.option("--csv", "csv_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The roster: a CSV export of the school administration software.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the class PDFs (default: next to the CSV, '<csv name>-<school>').")
@click.option("--column", "columns", multiple=True, metavar="FIELD=NAME",
              help="A column name of the CSV, e.g. --column last_name=Familienname "
                   "(fields: last_name, first_name, school_class, birth_date, language).")
@click.pass_context
def roster(ctx: click.Context, school: str, csv_path: Path, out: Path | None,
           columns: tuple[str, ...]) -> None:
    """Pre-filled consent sheets per pupil and a return checklist per class, from a roster.

    The roster is personal data: it is read into memory only, and the PDFs go to a folder of
    their own, not into the website output.
    """
    project = _project(ctx)
    notices, _ = load_schools(project, [school])
    notice = notices[0]
    names = _column_names(notice.school.roster_columns, columns)
    pupils = read_roster(csv_path, names, notice.age_rule, notice.school.stand)
    out = out or csv_path.parent / f"{csv_path.stem}-{school}"
    if out.resolve().is_relative_to((project.root / "output").resolve()):
        click.echo(f"warning: {display_path(out)} is inside output/, the folder for the website: "
                   "the sheets hold pupils' names", err=True)
    existed = out.is_dir()
    private_folder(out)  # created readable by the user only, like the sheets in it
    if existed and out.stat().st_mode & 0o077:
        click.echo(f"warning: other users of this computer may open {display_path(out)}/: "
                   "the sheets in it are private, the folder is not (chmod 700, or another --out)",
                   err=True)
    started = time.perf_counter()
    Builder(project, out).roster(notice, pupils, out)
    classes = len(by_class(pupils))
    click.echo(f"Wrote consent sheets for {len(pupils)} pupils in {classes} "
               f"class{'es' if classes != 1 else ''} to {display_path(out)}/ "
               f"in {time.perf_counter() - started:.1f} s.")
    click.echo("They contain personal data: keep them safe and delete them once the sheets are back.")


def _column_names(base: RosterColumns, overrides: tuple[str, ...]) -> RosterColumns:
    values = base.model_dump()
    for item in overrides:
        field, sep, name = item.partition("=")
        if not sep or field not in values or not name.strip():
            raise click.BadParameter(f"'{item}' is not FIELD=NAME with FIELD one of "
                                     f"{', '.join(values)}", param_hint="--column")
        values[field] = name.strip()
    return RosterColumns(**values)


@cli.command()
@click.option("--id", "school_id", help="The school id (file name); default: made from the name.")
@click.option("--land", help="The Land, as code (TH) or name (Thüringen).")
@click.option("--name", help="The school's name.")
@click.option("--street")
@click.option("--postcode")
@click.option("--city")
@click.option("--email", help="The school's e-mail address.")
@click.option("--phone")
@click.option("--authority", help="The Schulträger (maintaining body).")
@click.option("--dpo-name", help="The data protection officer's name (optional).")
@click.option("--dpo-email", help="The data protection officer's e-mail address.")
@click.option("--platform", "platform_specs", multiple=True, metavar="ID:HOSTING[:MODULE,...]",
              help="A platform, e.g. iserv:on_premises:files,email. Repeat for several.")
@click.option("--language", "languages", multiple=True,
              help="A language besides German (en, tr, ar, uk, ru).")
@click.option("--consent", "consents", multiple=True, help="A consent from catalog/consents/.")
@click.option("--stand", type=click.DateTime(["%Y-%m-%d"]), help="Stand date (default: today).")
@click.option("--no-input", is_flag=True, help="Ask nothing: missing values become TODO placeholders.")
@click.pass_context
def new(ctx: click.Context, /, school_id: str | None, no_input: bool, platform_specs: tuple[str, ...],
        languages: tuple[str, ...], consents: tuple[str, ...], stand: Any, **values: str | None) -> None:
    """Create a new school file, asking for what the catalog cannot know.

    Writes schools/<id>.yaml with comments on every key and runs the check on it. With
    --no-input (or flags for every answer) it asks nothing.
    """
    from .wizard import ask_answers, render, slug

    project = _project(ctx)
    catalog = load_catalog(project.catalog)
    answers = ask_answers(catalog, values, platform_specs=platform_specs, languages=languages,
                          consents=consents, stand=stand.date() if stand else None, no_input=no_input)
    sid = school_id or (slug(answers.name) if no_input else
                        str(click.prompt("Kennung (Dateiname)", default=slug(answers.name))))
    if not ID_PATTERN.fullmatch(sid):
        raise click.BadParameter(f"'{sid}' is not a school id (lowercase letters, digits, '-')",
                                 param_hint="--id")
    path = project.schools / f"{sid}.yaml"
    if path.exists():
        raise click.UsageError(f"{display_path(path)} exists already: choose another --id")
    text = render(answers, catalog)
    compose(parse_yaml(path, text.encode("utf-8")), catalog)  # a file that would not load: not written
    write_atomic(path, text)
    click.echo(f"Wrote {display_path(path)}.")
    ctx.invoke(check, schools=(sid,))


@cli.command()
@school_option
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port on 127.0.0.1 (0: any free port).")
@click.pass_context
def serve(ctx: click.Context, schools: tuple[str, ...], port: int) -> None:
    """Preview the pages locally; they rebuild and reload when a file changes.

    HTML is rebuilt at once, a PDF is made when you open it; errors are shown in the page.
    Only this computer can reach the preview (127.0.0.1).
    """
    from .serve import serve as run_preview

    run_preview(_project(ctx), schools, port, echo=click.echo)


@cli.command()
@click.option("--school", "school", required=True, metavar="ID", help="The school.",
              callback=lambda ctx, param, value: _check_ids(ctx, param, (value,))[0])
@click.option("--from", "old_year", metavar="YEAR", help="The earlier school year, e.g. 2024/25 "
              "(default: the version before the newer one).")
@click.option("--to", "new_year", metavar="YEAR", help="The later school year (default: the "
              "school file as it is now).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder holding the archive (default: output/ in the project).")
@click.pass_context
def diff(ctx: click.Context, school: str, old_year: str | None, new_year: str | None,
         out: Path | None) -> None:
    """What changed in a school's notice: the facts (data, purposes, processors, retention,
    legal basis) and the text, section by section.

    Compares with the versions kept in output/ID/archive/; also writes the report as
    output/ID/changes.html.
    """
    from .diff import as_text, choose, compare, write_report

    project = _project(ctx)
    out = out or project.root / "output"
    notices, _ = load_schools(project, [school])
    old, new = choose(Builder(project, out, formats=["html"]), notices[0], old_year, new_year)
    report = compare(old, new)
    click.echo(as_text(report), nl=False)
    click.echo(f"Report: {display_path(write_report(out, school, report))}")


@cli.command("next-year")
@click.option("--school", "school", required=True, metavar="ID", help="The school.",
              callback=lambda ctx, param, value: _check_ids(ctx, param, (value,))[0])
@click.option("--stand", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="The new Stand date (default: today).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder holding the archive (default: output/ in the project).")
@click.pass_context
def next_year(ctx: click.Context, school: str, stand: Any, out: Path | None) -> None:
    """Start the next school year: keep the current documents in the archive, then set the
    school file's school year and Stand date (comments and layout stay)."""
    import datetime as dt

    from .archive import keep_current, mentions, next_school_year

    project = _project(ctx)
    out = out or project.root / "output"
    load_schools(project, [school])  # a broken school file is reported, not changed
    path = project.schools / f"{school}.yaml"
    day = (stand.date() if stand else dt.date.today()).isoformat()
    try:
        text, old, new = next_school_year(path.read_text(encoding="utf-8"), day)
    except ValueError as exc:
        raise InputError([Problem(path=path, line=1, column=1, message=str(exc))]) from None
    kept = keep_current(out, school)
    write_atomic(path, text)
    click.echo(f"{display_path(path)}: school year {old} -> {new}, Stand {day}.")
    if kept:
        click.echo(f"The documents of {old} are kept in {display_path(kept[0].parent.parent)}/.")
    for line, column in mentions(text, old):
        click.echo(f"{display_path(path)}:{line}:{column}: still mentions {old}; "
                   f"change it if it should say {new}.")
    click.echo(f"Next: edit what changed, then `python build.py diff --school {school}` and "
               f"`python build.py --school {school}`.")


def main(argv: Sequence[str] | None = None, *, root: Path | None = None) -> int:
    """Entry point for `dsinfo` and `python build.py`; returns the exit code. The boundary of
    the command line: whatever goes wrong ends in one line on stderr (a traceback only with
    --debug) and exit code 1."""
    obj: dict[str, Any] = {"root": (root or Path.cwd()).resolve()}
    debug_before = os.environ.get(DEBUG_ENV)
    try:
        return _run(list(argv) if argv is not None else sys.argv[1:], root, obj)
    finally:  # --debug holds for this run only (tests call main() in one process)
        if debug_before is None:
            os.environ.pop(DEBUG_ENV, None)
        else:
            os.environ[DEBUG_ENV] = debug_before


def _run(args: list[str], root: Path | None, obj: dict[str, Any]) -> int:
    try:
        code = cli.main(args=args, prog_name=_prog_name(root), obj=obj, standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return 1
    except click.ClickException as exc:
        setattr(exc, "message", one_line(exc.message))  # noqa: B010 (Final in click's types): a flag's value may hold anything
        exc.show()
        return exc.exit_code
    except InputError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        count = exc.count
        click.echo(f"{count} problem{'s' if count != 1 else ''} found; no files were written.",
                   err=True)
        return 1
    except DsinfoError as exc:
        click.echo(f"error: {one_line(str(exc))}", err=True)
        return 1
    except Exception as exc:
        if debugging():
            traceback.print_exc()
        click.echo(f"error: {internal_error(exc, _while(obj))}", err=True)
        return 1
    return code if isinstance(code, int) else 0


def _while(obj: dict[str, Any]) -> str:
    """'while running build for gs-park': the command and the schools it was given."""
    schools = obj.get("schools") or ()
    where = f"while running '{obj.get('command', 'dsinfo')}'"
    return where + (f" for {', '.join(schools)}" if schools else "")


def _prog_name(root: Path | None) -> str:
    return "python build.py" if root is not None else "dsinfo"
