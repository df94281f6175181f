"""Command line: argument parsing, messages and exit codes (0 ok, 1 bad input, 2 usage)."""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from .builder import Builder, Project, SchoolResult, load_schools
from .errors import DsinfoError, InputError, Problem, display_path

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
              help="Refuse to build a school with warnings (e.g. placeholders left).")
@click.option("--pdf-a", "pdf_a", is_flag=True,
              help="Also write archival copies (PDF/A-3a) of every PDF to "
                   "ID/LANG/archive/DOC-STAND-VERSION.pdf.")
@click.pass_context
def build(ctx: click.Context, schools: tuple[str, ...], out: Path | None, strict: bool,
          pdf_a: bool) -> None:
    """Build notice and consent sheet, HTML and PDF, for every language of every school."""
    project = _project(ctx)
    out = out or project.root / "output"
    started = time.perf_counter()
    notices, _ = load_schools(project, schools)
    warned = [n for n in notices if n.placeholders]
    if strict and warned:
        raise InputError([p for n in warned for p in n.placeholders])
    results = Builder(project, out, pdf_a=pdf_a).build(notices, progress=_report)
    files = sum(len(r.files) for r in results)
    changed = sum(r.changed for r in results)
    click.echo(f"Built {len(results)} school{'s' if len(results) != 1 else ''}, {files} files "
               f"({changed} changed) in {display_path(out)}/ in {time.perf_counter() - started:.1f} s.")


def _report(result: SchoolResult) -> None:
    n = result.notice
    line = f"  {n.id}: {', '.join(n.school.languages)}: {len(result.files)} files"
    if n.placeholders:
        count = len(n.placeholders)
        line += (f"; {count} placeholder{'s' if count != 1 else ''} to fill in "
                 f"(python build.py check --school {n.id})")
    click.echo(line)
    for warning in result.warnings:
        click.echo(f"{display_path(n.path)}: warning: {warning}", err=True)


@cli.command()
@school_option
@click.pass_context
def check(ctx: click.Context, schools: tuple[str, ...]) -> None:
    """Check school files without building: errors, and placeholders still to fill in."""
    notices, _ = load_schools(_project(ctx), schools)
    findings: list[Problem] = [p for n in notices for p in n.placeholders]
    for problem in findings:
        click.echo(str(problem))
    click.echo(f"Checked {len(notices)} school{'s' if len(notices) != 1 else ''}: no errors, "
               f"{len(findings)} warning{'s' if len(findings) != 1 else ''}.")


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
