"""What changed between two versions of a school's notice: first the facts (data, purposes,
processors, retention, legal basis), then the text, section by section.

A version is an archived one (output/<id>/archive/...: its German notice.json holds the facts
and the sections) or the current school file, composed and rendered now.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

from . import archive
from .compare import FACTS, differences, shown
from .compose import Notice
from .documents import Press
from .errors import DsinfoError
from .fragment import main_content, sections
from .messages import ENGLISH, Msg, Text, Voice
from .model import school_year_from


@dataclass(frozen=True)
class Side:
    """One version of the notice, as diff sees it."""

    label: Msg
    school_year: str
    version: str
    facts: dict[str, Any]
    sections: list[dict[str, Any]]


@dataclass
class Report:
    old: Side
    new: Side
    facts: list[tuple[Msg, str, Text]] = field(default_factory=list)  # (what, +/-/~, text)
    text: list[tuple[str, list[str]]] = field(default_factory=list)  # (section, diff lines)

    @property
    def empty(self) -> bool:
        return not self.facts and not self.text


def current(press: Press, notice: Notice) -> Side:
    """The school file as it is now (German)."""
    pages, edition = press.web(notice, "de")
    return Side(label=Msg("{year} (now: Stand {stand}, version {version})",
                          year=notice.school.school_year, stand=notice.school.stand.isoformat(),
                          version=edition.full_version), school_year=notice.school.school_year,
                version=edition.full_version, facts=notice.facts(),
                sections=sections(main_content(pages["notice"])))


def archived(version: archive.Version) -> Side:
    data = archive.notice_data(version.folder)
    if data is None:
        raise DsinfoError(Msg("the archived version {version} of {year} has no German notice.json "
                              "to compare", version=version.version, year=version.school_year))
    return Side(label=Msg("{year} (Stand {stand}, version {version})", year=version.school_year,
                          stand=version.stand, version=version.version),
                school_year=version.school_year, version=version.version,
                facts=dict(data.get("facts") or {}),  # type: ignore[call-overload]
                sections=list(data.get("sections") or []))  # type: ignore[call-overload]


def school_year(text: str) -> str:
    """'2025/26', '2025-26' or '2025' as '2025/26'."""
    match = re.fullmatch(r"(\d{4})(?:[/-](\d{2}))?", text.strip())
    if not match:
        raise DsinfoError(Msg("'{text}' is not a school year like 2025/26", text=text))
    return school_year_from(int(match[1]))


def choose(press: Press, out: Path, notice: Notice, old_year: str | None,
           new_year: str | None) -> tuple[Side, Side]:
    """The two versions to compare: `new_year`'s latest (default: now) and `old_year`'s latest
    (default: the latest archived version before it), from the archive in `out`."""
    versions = archive.versions(out, notice.id, "de")
    now = current(press, notice)
    if new_year is None or school_year(new_year) == now.school_year:
        new, before = now, [v for v in versions if v.school_year <= now.school_year]
    else:
        latest = _latest(versions, school_year(new_year))
        new, before = archived(latest), [v for v in versions if v.sort_key < latest.sort_key]
    candidates = [v for v in before if v.version != new.version
                  and (old_year is None or v.school_year == school_year(old_year))]
    if not candidates:
        if old_year:
            raise DsinfoError(Msg("no earlier version of {year} is archived for {school}: versions "
                                  "are kept when a build replaces them (python build.py next-year)",
                                  year=school_year(old_year), school=notice.id))
        raise DsinfoError(Msg("no earlier version is archived for {school}: versions are kept when "
                              "a build replaces them (python build.py next-year)", school=notice.id))
    return archived(candidates[-1]), new


def _latest(versions: list[archive.Version], year: str) -> archive.Version:
    found = [v for v in versions if v.school_year == year]
    if not found:
        raise DsinfoError(Msg("no version of {year} is archived", year=year))
    return found[-1]


def compare(old: Side, new: Side) -> Report:
    report = Report(old=old, new=new)
    report.facts = [(FACTS[change[0]], change[1], shown(change, old.facts, new.facts))
                    for change in differences(old.facts, new.facts)]
    old_sections = {s["id"]: s for s in old.sections}
    for section in new.sections:
        earlier = old_sections.pop(section["id"], None)
        title = _title(section)
        if earlier is None:
            report.text.append((title, [f"+ {line}" for line in _sentences(section["text"])]))
        elif earlier["text"] != section["text"]:
            report.text.append((title, _changed(earlier["text"], section["text"])))
    for section in old_sections.values():
        report.text.append((_title(section),
                            [f"- {line}" for line in _sentences(section["text"])]))
    return report


# what stands before the first section and after the last (fragment.sections)
_LOOSE = {"intro": "Einleitung", "end": "Schluss"}


def _title(section: dict[str, Any]) -> str:
    return str(section.get("title") or _LOOSE.get(section["id"], section["id"]))


def _sentences(text: str) -> list[str]:
    return [s for line in text.splitlines() for s in re.split(r"(?<=[.:;!?])\s+", line) if s]


def _changed(before: str, after: str) -> list[str]:
    return [line for line in difflib.ndiff(_sentences(before), _sentences(after))
            if line[:1] in "+-"]


NO_CHANGES = Msg("No changes.")
FACTS_HEADING, TEXT_HEADING = Msg("What the notice states"), Msg("Text, section by section")


def _from(report: Report) -> Msg:
    return Msg("From {label}", label=report.old.label)


def _to(report: Report) -> Msg:
    return Msg("to {label}", label=report.new.label)


def as_text(report: Report, voice: Voice = ENGLISH) -> str:
    """The report for the terminal, in the language of `voice` (the notice's own texts stay
    as they are: German)."""
    say = voice.say
    lines = [say(_from(report)), "  " + say(_to(report)), ""]
    if report.empty:
        return "\n".join([*lines, say(NO_CHANGES)]) + "\n"
    if report.facts:
        lines.append(say(FACTS_HEADING) + ":")
        lines += [f"  {sign} {say(what)}: {say(text)}" for what, sign, text in report.facts]
        lines.append("")
    if report.text:
        lines.append(say(TEXT_HEADING) + ":")
        for title, changes in report.text:
            lines.append(f"  {title}")
            lines += [f"    {change}" for change in changes]
    return "\n".join(lines) + "\n"


def as_html(report: Report, school: str, voice: Voice = ENGLISH) -> str:
    """A standalone report page (no scripts, no external requests), in the language of `voice`."""
    say = voice.say

    def item(sign: str, text: str) -> str:
        kind = {"+": "added", "-": "removed", "~": "changed"}[sign]
        return f'<li class="{kind}"><span class="sign">{escape(sign)}</span> {escape(text)}</li>'

    groups: dict[str, list[str]] = {}
    for what, sign, line in report.facts:
        groups.setdefault(say(what), []).append(item(sign, say(line)))
    facts = "".join(f"<h3>{escape(what)}</h3><ul>{''.join(items)}</ul>" for what, items in groups.items())
    text = "".join(f"<h3>{escape(title)}</h3><ul>{''.join(item(c[0], c[2:]) for c in changes)}</ul>"
                   for title, changes in report.text)
    body = (f"<h2>{escape(say(FACTS_HEADING))}</h2>{facts}" if facts else "") + (
        f"<h2>{escape(say(TEXT_HEADING))}</h2>{text}" if text else "") or \
        f"<p>{escape(say(NO_CHANGES))}</p>"
    title = escape(say(Msg("Changes: {school}", school=school)))
    return (f'<!DOCTYPE html><html lang="{voice.lang}"><head><meta charset="utf-8"><meta '
            f'name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>'
            f"<style>{STYLE}</style></head><body><main><h1>{title}</h1>"
            f"<p>{escape(say(_from(report)))}<br>{escape(say(_to(report)))}</p>{body}"
            f"</main></body></html>\n")


STYLE = ("body{font-family:sans-serif;line-height:1.5;margin:0}main{max-width:50rem;margin:auto;"
         "padding:1rem}ul{padding-left:1.2rem}li.added{background:#e6f4ea}li.removed{background:"
         "#fde8e8;text-decoration:line-through}li.changed{background:#fff6d6}.sign{font-weight:700}")


def write_report(out: Path, school_id: str, report: Report, voice: Voice = ENGLISH) -> Path:
    from .write import safe_path, write_atomic

    path = safe_path(out, school_id, "changes.html")
    write_atomic(path, as_html(report, school_id, voice))
    return path
