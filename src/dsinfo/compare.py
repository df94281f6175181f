"""One comparer for the facts a notice states: what `diff` reports, what the parents' box
"Was sich seit dem Schuljahr ... geändert hat" shows, what the register's history lists.

Facts are the data of `Notice.facts()` (kept in notice.json, and so in the archive): lists of
texts and a mapping of data categories to their retention.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

FACTS = {
    "platforms": "Platforms",
    "data_imported": "Data taken from the school administration software",
    "data_collected": "Data collected during use",
    "purposes": "Purposes (legal basis)",
    "processors": "Processors",
    "retention": "Retention",
    "legal_basis": "Legal basis",
    "authority": "Complaint authority",
    "consents": "Consents asked",
}

Change = tuple[str, str, str]  # (the fact's key, "+" / "-" / "~", what)


def differences(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Every fact that came, went or changed between two versions."""
    found: list[Change] = []
    for key in FACTS:
        before, after = old.get(key), new.get(key)
        if isinstance(before, list) or isinstance(after, list):
            before_items, after_items = list(before or []), list(after or [])
            found += [(key, "-", item) for item in before_items if item not in after_items]
            found += [(key, "+", item) for item in after_items if item not in before_items]
        elif isinstance(before, dict) or isinstance(after, dict):
            before_map, after_map = dict(before or {}), dict(after or {})
            for name in sorted(set(before_map) | set(after_map)):
                was, now = before_map.get(name), after_map.get(name)
                if was == now:
                    continue
                if was is None or now is None:  # a data category came or went
                    found.append((key, "+" if was is None else "-",
                                  f"{name}: {now if was is None else was}"))
                else:
                    found.append((key, "~", f"{name}: {was} → {now}"))
        elif before != after:
            found.append((key, "~", f"{before or '(none)'} → {after or '(none)'}"))
    return found


@dataclass(frozen=True)
class Earlier:
    """The facts of the last version of an earlier school year (its German notice.json)."""

    school_year: str
    stand: str
    facts: dict[str, Any]


@dataclass(frozen=True)
class Changes:
    """What the notice says differently from the last version of an earlier school year: the
    box for parents (school file: show_changes). Items are catalog texts (German msgids) or a
    school's texts per language."""

    school_year: str  # the earlier school year
    stand: dt.date
    items: list[tuple[str, str, Any]]  # (platforms, data, purposes, processors or consents;
    #                                      "+" or "-"; the text)
    retention: list[str]  # data whose retention period changed
    basis: list[tuple[str, str]]  # purposes whose legal basis changed: (text, statute or consent)


_BASIS = re.compile(r" \((Gesetz|Einwilligung)\)$")  # how Notice.facts() marks a purpose
_FOR_PARENTS = ("platforms", "data_imported", "data_collected", "purposes", "processors", "consents")


def for_parents(earlier: Earlier, facts: dict[str, Any], titles: dict[str, Any]) -> Changes:
    """What the notice says differently from `earlier`, as parents see it: a purpose without
    its legal basis, a processor by its name; `titles` gives a consent's title in every
    language by its German title."""
    old = earlier.facts
    found: list[tuple[str, str, Any]] = []
    for key in _FOR_PARENTS:
        before, after = _as_parents_see(old, key), _as_parents_see(facts, key)
        found += [(key, "+", titles.get(v, v)) for v in after if v not in before]
        found += [(key, "-", v) for v in before if v not in after]
    was, now = old.get("retention") or {}, facts["retention"]
    retention = [label for label in now if label in was and was[label] != now[label]]
    bases = dict(_purpose(str(p)) for p in old.get("purposes") or [])
    basis = [(text, "consent" if marked == "Einwilligung" else "statute")
             for text, marked in map(_purpose, facts["purposes"])
             if text in bases and bases[text] != marked]
    return Changes(school_year=earlier.school_year, stand=dt.date.fromisoformat(earlier.stand),
                   items=found, retention=retention, basis=basis)


def _purpose(fact: str) -> tuple[str, str | None]:
    """'Dateimanagement (Gesetz)' -> ('Dateimanagement', 'Gesetz')."""
    match = _BASIS.search(fact)
    return (fact[:match.start()], match[1]) if match else (fact, None)


def _as_parents_see(facts: dict[str, Any], key: str) -> list[str]:
    values = [str(v) for v in facts.get(key) or []]
    if key == "purposes":
        return [_purpose(v)[0] for v in values]
    if key == "processors":
        return list(dict.fromkeys(v.split(": ", 1)[0] for v in values))
    return values
