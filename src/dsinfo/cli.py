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
from .check import Finding
from .check import check as check_notice
from .errors import DsinfoError, InputError, display_path
from .render import Renderer

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
              help="Refuse to build a school with any error or warning of the check.")
@click.pass_context
def build(ctx: click.Context, schools: tuple[str, ...], out: Path | None, strict: bool) -> None:
    """Build notice and consent sheet, HTML and PDF, for every language of every school."""
    project = _project(ctx)
    out = out or project.root / "output"
    started = time.perf_counter()
    notices, catalog = load_schools(project, schools)
    builder = Builder(project, out)
    findings = {n.id: check_notice(n, catalog, builder.renderer("de")) for n in notices}
    if strict and any(findings.values()):
        raise InputError([f.as_problem() for n in notices for f in findings[n.id]])
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
