"""The command line in the reader's language: click's help pages and usage errors put into
words by the run's Voice.

click takes help texts as plain strings when the commands are defined; they are English (marked
H(...) for the catalog) and translated here when a help page is written. click's own words
("Usage:", "Options", its error messages) are translated here too, from the same catalog.
"""

from __future__ import annotations

import inspect
import os
import re

import click

from .messages import H, Msg, Voice, chosen, voice

CLICK_WORDS = (H("Usage: "), H("Options"), H("Commands"), H("[OPTIONS]"), H("COMMAND [ARGS]..."),
               H("Show this message and exit."), H("Show the version and exit."), H("default"),
               H("required"))


def voice_of(ctx: click.Context | None) -> Voice:
    """The voice of this run (set by cli.main), else the one the environment asks for."""
    obj = ctx.find_root().obj if ctx is not None else None
    found = obj.get("voice") if isinstance(obj, dict) else None
    if isinstance(found, Voice):
        return found
    return voice(chosen(None, os.environ))


class Formatter(click.HelpFormatter):
    voice: Voice

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, prefix or self.voice.plain("Usage: "))

    def write_heading(self, heading: str) -> None:
        super().write_heading(self.voice.plain(heading))


class Context(click.Context):
    def make_formatter(self) -> click.HelpFormatter:
        formatter = Formatter(width=self.terminal_width, max_width=self.max_content_width)
        formatter.voice = voice_of(self)
        return formatter


_EXTRA = re.compile(r"\s*\[([^\[\]]*)\]$")


def _help_record(param: click.Parameter, ctx: click.Context, say: Voice) -> tuple[str, str] | None:
    record = param.get_help_record(ctx)
    if record is None:
        return None
    names, text = record
    own = inspect.cleandoc(param.help) if isinstance(param, click.Option) and param.help else ""
    if own and text.startswith(own):
        text = say.plain(own) + text[len(own):]
    extra = _EXTRA.search(text)
    if extra:  # "[default: all; required]"
        parts = [say.plain(p[: p.index(":")]) + p[p.index(":"):] if ":" in p else say.plain(p)
                 for p in extra[1].split("; ")]
        text = text[: extra.start()] + f"  [{'; '.join(parts)}]"
    return names, text


class Command(click.Command):
    """A command whose help page is in the run's language."""

    context_class = Context

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        if self.help:
            text = voice_of(ctx).plain(inspect.cleandoc(self.help)).partition("\f")[0]
            formatter.write_paragraph()
            with formatter.indentation():
                formatter.write_text(text)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        say = voice_of(ctx)
        rows = [r for p in self.get_params(ctx) if not isinstance(p, click.Argument)
                if (r := _help_record(p, ctx, say))]
        if rows:
            with formatter.section("Options"):
                formatter.write_dl(rows)

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        say = voice_of(ctx)
        return [say.plain(piece) for piece in super().collect_usage_pieces(ctx)]


def short_help(command: click.Command, say: Voice, limit: int) -> str:
    if command.short_help:
        return say.plain(inspect.cleandoc(command.short_help))
    if command.help:
        first = " ".join(say.plain(inspect.cleandoc(command.help)).split("\n\n", 1)[0].split())
        sentence = first.split(". ", 1)[0].rstrip(".") + "."
        return sentence if len(sentence) <= limit else sentence[: limit - 3].rsplit(" ", 1)[0] + "..."
    return ""


class Group(click.Group, Command):
    """A group of commands whose help page is in the run's language."""

    command_class = Command

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        Command.format_options(self, ctx, formatter)
        self.format_commands(ctx, formatter)

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        return [*Command.collect_usage_pieces(self, ctx), voice_of(ctx).plain(self.subcommand_metavar)]

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        say = voice_of(ctx)
        names = [n for n in self.list_commands(ctx) if not self.commands[n].hidden]
        if names:
            limit = formatter.width - 6 - max(len(n) for n in names)
            with formatter.section("Commands"):
                formatter.write_dl([(n, short_help(self.commands[n], say, limit)) for n in names])


# click's usage errors, in its English words, read back to say them in the reader's language
_CLICK_MESSAGES: tuple[tuple[re.Pattern[str], Msg], ...] = (
    (re.compile(r"Option '(?P<name>[^']+)' requires an argument\."),
     Msg("Option '{name}' requires an argument.")),
    (re.compile(r"Got unexpected extra arguments? \((?P<name>.*)\)\.?"),
     Msg("Got unexpected extra arguments ({name}).")),
    (re.compile(r"'(?P<value>.*)' is not one of (?P<choices>.*)\."),
     Msg("'{value}' is not one of {choices}.")),
    (re.compile(r"'(?P<value>.*)' is not a valid integer\."), Msg("'{value}' is not a valid integer.")),
    (re.compile(r"'(?P<value>.*)' does not match the format (?P<format>.*)\."),
     Msg("'{value}' does not match the format {format}.")),
    (re.compile(r"(?P<value>.*) is not in the range (?P<range>.*)\."),
     Msg("{value} is not in the range {range}.")),
)


def _said(text: str, say: Voice) -> str:
    for pattern, msg in _CLICK_MESSAGES:
        match = pattern.fullmatch(text)
        if match:
            return say.say(Msg(msg.text, **match.groupdict()))
    return text


def error_lines(exc: click.ClickException, say: Voice, prog: str) -> list[str]:
    """What a usage error shows, in the reader's language: the usage line and where to find
    help (for a usage error), then the error."""
    lines = []
    if isinstance(exc, click.UsageError) and exc.ctx is not None:
        lines.append(exc.ctx.get_usage())
        names = exc.ctx.command.get_help_option_names(exc.ctx)
        lines.append(say.say(Msg("Try '{command} {option}' for help.",
                                 command=exc.ctx.command_path, option=names[0] if names else "--help")))
        lines.append("")
    if isinstance(exc, click.NoSuchOption):
        close = sorted(exc.possibilities or ())
        message = say.say(Msg("No such option '{name}'.", name=exc.option_name))
        if len(close) == 1:
            message += " " + say.say(Msg("Did you mean '{name}'?", name=close[0]))
        elif close:
            message += " " + say.say(Msg("(Did you mean one of: {names}?)",
                                         names=", ".join(f"'{c}'" for c in close)))
    elif isinstance(exc, click.MissingParameter) and exc.param is not None:
        hint = exc.param.get_error_hint(exc.ctx) if exc.ctx else exc.param.name
        message = say.say(Msg("Missing option {name}.", name=hint) if isinstance(exc.param, click.Option)
                          else Msg("Missing argument {name}.", name=hint))
    elif isinstance(exc, click.BadParameter):
        given = exc.param_hint or (exc.param.get_error_hint(exc.ctx) if exc.param and exc.ctx else "")
        hint = given if isinstance(given, str) else " / ".join(given)
        text = _said(exc.message, say)
        message = (say.say(Msg("Invalid value for {name}: {message}", name=hint, message=text))
                   if hint else text)
    else:
        message = _said(exc.message, say)
    lines.append(say.say(Msg("Error: {message}", message=message)))
    return lines

