"""One comparer for the facts a notice states: what `diff` reports, what the parents' box
"Was sich seit dem Schuljahr ... geändert hat" shows, what the register's history lists.

Facts are the data of `Notice.facts()` (kept in notice.json, and so in the archive): typed
entries, each compared by its name. Archives written before the facts were typed (lists of
texts such as "Zweck (Gesetz)") are read into the same form first.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from .messages import Msg, Text

FACTS = {  # how `diff` names each fact
    "activities": Msg("Platforms and systems"),
    "data": Msg("Data"),
    "purposes": Msg("Purposes (legal basis)"),
    "processors": Msg("Processors"),
    "recipients": Msg("Recipients"),
    "transfers": Msg("Transfers to third countries"),
    "retention": Msg("Retention"),
    "law": Msg("Data protection law"),
    "legal_basis": Msg("Legal basis"),
    "authority": Msg("Complaint authority"),
    "consents": Msg("Consents asked"),
}
# how each list's entries are named, and which of their fields are compared
_KEYED = {"data": ("label", ("origin", "groups")), "purposes": ("text", ("basis", "citation")),
          "processors": ("name", ("task", "location")), "recipients": ("name", ("purpose",)),
          "transfers": ("country", ("safeguard",))}
BASIS_WORDS = {"statute": "Gesetz", "consent": "Einwilligung", "obligation": "rechtliche Pflicht",
               "contract": "Vertrag", "legitimate_interest": "berechtigtes Interesse"}

Change = tuple[str, str, Text]  # (the fact's key, "+" / "-" / "~", what)
NONE = Msg("(none)")  # a fact a version does not state


def typed(facts: dict[str, Any]) -> dict[str, Any]:
    """Facts as `Notice.facts()` gives them, also from an archive of before they were typed."""
    if "activities" in facts:
        return facts
    purposes = []
    for text in facts.get("purposes") or []:
        match = re.search(r" \((Gesetz|Einwilligung)\)$", str(text))
        basis = "consent" if match and match[1] == "Einwilligung" else "statute"
        purposes.append({"text": str(text)[:match.start()] if match else str(text), "basis": basis,
                         "citation": None, "activity": None})
    retention = facts.get("retention") or {}
    data = [{"label": label, "origin": origin, "groups": [], "activity": None,
             "retention": retention.get(label)}
            for origin, key in (("records", "data_imported"), ("use", "data_collected"))
            for label in facts.get(key) or []]
    processors = [{"name": str(p).split(": ", 1)[0], "task": None, "location": None, "activity": None}
                  for p in facts.get("processors") or []]
    return {"activities": list(facts.get("platforms") or []), "data": data, "purposes": purposes,
            "processors": processors, "recipients": [], "transfers": [], "law": "DSGVO",
            "legal_basis": facts.get("legal_basis"), "authority": facts.get("authority"),
            "consents": list(facts.get("consents") or [])}


def differences(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Every fact that came, went or changed between two versions."""
    old, new = typed(old), typed(new)
    found: list[Change] = []
    for key in FACTS:
        if key == "retention":
            found += [("retention", "~", f"{label}: {was} → {now}")
                      for label, (was, now) in _retention_changes(old, new).items()]
        elif key in _KEYED:
            found += _list_changes(key, old.get(key) or [], new.get(key) or [])
        elif isinstance(old.get(key), list) or isinstance(new.get(key), list):
            before, after = list(old.get(key) or []), list(new.get(key) or [])
            found += [(key, "-", str(v)) for v in before if v not in after]
            found += [(key, "+", str(v)) for v in after if v not in before]
        elif old.get(key) != new.get(key) and old.get(key) is not None:
            found.append((key, "~", Msg("{was} → {now}", was=_fact(old.get(key)),
                                        now=_fact(new.get(key)))))
    return found


def _fact(value: Any) -> Text:
    return str(value) if value else NONE


def shown(change: Change, old: dict[str, Any], new: dict[str, Any]) -> Text:
    """A change as `diff` prints it: a purpose that came or went with its legal basis."""
    key, sign, text = change
    if key == "purposes" and sign in "+-" and isinstance(text, str):
        entry = _by_name("purposes", typed(new if sign == "+" else old)["purposes"]).get(text)
        if entry is not None:
            return f"{text} ({_word(entry['basis'])})"
    return text


def _by_name(key: str, entries: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    name = _KEYED[key][0]
    return {str(e[name]): e for e in entries}


def _list_changes(key: str, old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[Change]:
    before, after = _by_name(key, old), _by_name(key, new)
    found: list[Change] = [(key, "-", name) for name in before if name not in after]
    found += [(key, "+", name) for name in after if name not in before]
    for name, entry in after.items():
        was = before.get(name)
        if was is None:
            continue
        for field in _KEYED[key][1]:
            if was.get(field) is not None and was.get(field) != entry.get(field):
                found.append((key, "~", f"{name}: {_word(was.get(field))} → {_word(entry.get(field))}"))
    return found


def _word(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return BASIS_WORDS.get(str(value), str(value))


def _retention_changes(old: dict[str, Any], new: dict[str, Any]) -> dict[str, tuple[str, str]]:
    was = {str(d["label"]): d.get("retention") for d in old.get("data") or []}
    return {str(d["label"]): (str(was[str(d["label"])]), str(d.get("retention")))
            for d in new.get("data") or []
            if was.get(str(d["label"])) not in (None, d.get("retention"))}


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
    items: list[tuple[str, str, Any]]  # (activities, data, purposes, processors or consents;
    #                                      "+" or "-"; the text)
    retention: list[str]  # data whose retention period changed
    basis: list[tuple[str, str]]  # purposes whose legal basis changed: (text, the new basis)


_FOR_PARENTS = ("activities", "data", "purposes", "processors", "consents")


def for_parents(earlier: Earlier, facts: dict[str, Any], texts: dict[str, Any]) -> Changes:
    """What the notice says differently from `earlier`, as parents see it; `texts` gives a
    school's or library text in every language by its German wording."""
    found: list[tuple[str, str, Any]] = []
    basis: list[tuple[str, str]] = []
    new = typed(facts)
    for key, sign, text in differences(earlier.facts, new):
        if not isinstance(text, str):  # a fact of its own (law, legal basis, authority)
            continue
        if key in _FOR_PARENTS and sign in "+-":
            found.append((key, sign, texts.get(text, text)))
        elif key == "purposes" and sign == "~" and " → " in text:
            name = text.split(": ", 1)[0]
            entry = _by_name("purposes", new["purposes"]).get(name)
            if entry is not None and f"{_word(entry['basis'])}" == text.rsplit(" → ", 1)[1]:
                basis.append((texts.get(name, name), str(entry["basis"])))
    retention = [texts.get(label, label) for label in _retention_changes(typed(earlier.facts), new)]
    return Changes(school_year=earlier.school_year, stand=dt.date.fromisoformat(earlier.stand),
                   items=found, retention=retention, basis=basis)
