"""Layer the catalog under a school file: state law + platform facts + the school's own data.

The result, a `Notice`, holds everything a template needs, already resolved: which data are
imported or collected, for which purposes and on which legal basis, who processes them and
for how long. Unknown references (a Land, a platform, a module) become positioned errors.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import InputError, Problem, shown
from .i18n import N_
from .load import Document, Loc, read_yaml
from .model import (
    AgeRule,
    Basis,
    ConsentPurpose,
    Contact,
    HostingOption,
    Model,
    Module,
    Platform,
    PlatformUse,
    School,
    SchoolConsent,
    State,
    Vendor,
    is_placeholder,
    validate,
)

ID_PATTERN = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?")


@dataclass(frozen=True)
class Catalog:
    """The shipped knowledge: state profiles, platform profiles and the consent library."""

    states: dict[str, State]
    platforms: dict[str, Platform]
    consents: dict[str, ConsentPurpose]
    paths: dict[tuple[str, str], Path]  # ("states", "th") -> the file it was read from

    @property
    def files(self) -> tuple[Path, ...]:
        return tuple(sorted(self.paths.values()))

    def path(self, part: str, key: str) -> Path | None:
        """The file an entry was read from (a project's own file takes a shipped one's place)."""
        return self.paths.get((part, key.lower()))


# Text is either a German catalog string (translated through the gettext catalogs) or a school's
# own text per language ({"de": ..., "en": ...}); the template filter `t` handles both.
Text = str | Mapping[Any, str]


@dataclass(frozen=True)
class DataLine:
    label: str
    platform: str
    retention: Text
    voluntary: bool


@dataclass(frozen=True)
class PurposeLine:
    text: str
    basis: Basis
    platform: str


@dataclass(frozen=True)
class Processor:
    name: str
    street: str | None
    postcode: str | None
    city: str | None
    country: str
    task: Text
    platform: str
    location: Text
    third_country: str | None


@dataclass(frozen=True)
class ConsentItem:
    """One consent on the sheet: what the signer agrees to, what is processed, who sees it,
    how long."""

    id: str
    title: Text
    text: Text
    data: tuple[Text, ...] = ()
    recipients: Text | None = None
    retention: tuple[Text, ...] = ()
    platform: str | None = None


@dataclass(frozen=True)
class RetentionGroup:
    labels: tuple[str, ...]
    text: Text


@dataclass(frozen=True)
class PlatformView:
    id: str
    platform: Platform
    use: PlatformUse
    hosting: HostingOption
    modules: tuple[tuple[str, Module], ...]

    @property
    def location(self) -> Text:
        return self.use.location or self.hosting.location

    def retention(self, rule: str) -> Text:
        """How long data under `rule` are kept: the school's own text, else the catalog's."""
        return self.use.retention.get(rule) or self.platform.retention[rule].text


@dataclass(frozen=True)
class Notice:
    """One school, fully resolved against the catalog."""

    id: str
    doc: Document
    school: School
    state: State
    platforms: tuple[PlatformView, ...]
    imported: tuple[DataLine, ...]
    collected: tuple[DataLine, ...]
    purposes: tuple[PurposeLine, ...]
    processors: tuple[Processor, ...]
    retention: tuple[RetentionGroup, ...]
    retention_notes: tuple[str, ...]
    consents: tuple[ConsentItem, ...]
    placeholders: tuple[Problem, ...]
    placeholder_locs: tuple[Loc, ...]

    @property
    def path(self) -> Path:
        return self.doc.path

    @property
    def platform_names(self) -> str:
        """Short names for running text, e.g. "IServ" or "IServ, WebUntis"."""
        return ", ".join(p.platform.short_name for p in self.platforms)

    @property
    def citation(self) -> str:
        """The legal-basis citation for statutory processing: the school's own, or the Land's."""
        return self.school.citation or self.state.notice_citation.text

    @property
    def authority(self) -> Contact:
        """The complaint authority (Art. 77): the Land's, unless the school file renames it."""
        if self.school.supervisory_authority:
            return self.school.supervisory_authority
        a = self.state.supervisory_authority
        return Contact(name=a.name, street=a.street, postcode=a.postcode, city=a.city,
                       email=a.email, website=a.website)

    def facts(self) -> dict[str, Any]:
        """What the notice states, as data in the binding German wording: what `diff` compares
        between school years (kept in notice.json, and so in the archive)."""
        def german(text: Text | None) -> str | None:
            return text if text is None or isinstance(text, str) else text["de"]

        return {
            "platforms": [v.platform.name for v in self.platforms],
            "data_imported": [line.label for line in self.imported],
            "data_collected": [line.label for line in self.collected],
            "purposes": [f"{p.text} ({'Einwilligung' if p.basis == 'consent' else 'Gesetz'})"
                         for p in self.purposes],
            "processors": [f"{p.name}: {p.task} ({german(p.location)})" for p in self.processors],
            "retention": {label: german(g.text) for g in self.retention for label in g.labels},
            "legal_basis": self.citation,
            "authority": self.authority.name,
            "consents": [german(c.title) for c in self.consents],
        }

    @property
    def age_rule(self) -> AgeRule:
        """Who signs a consent, by age: the school's rule, or the Land's."""
        rule = self.school.consent_age or self.state.consent_age
        return AgeRule(guardians_only_under=rule.guardians_only_under,
                       pupil_alone_from=rule.pupil_alone_from)


CATALOG_PARTS: dict[str, type[Model]] = {"states": State, "platforms": Platform,
                                         "consents": ConsentPurpose}


def load_catalog(roots: Path | Sequence[Path]) -> Catalog:
    """Every state, platform and consent profile under the catalog folders `roots`; a file in
    a later folder (a project's own catalog) takes the place of one of the same name before."""
    paths: dict[tuple[str, str], Path] = {}
    for root in [roots] if isinstance(roots, Path) else roots:
        for part in CATALOG_PARTS:
            paths.update(((part, p.stem), p) for p in sorted((root / part).glob("*.yaml")))
    problems: list[Problem] = []
    entries: dict[str, dict[str, Any]] = {part: {} for part in CATALOG_PARTS}
    for (part, key), path in sorted(paths.items()):
        try:
            entries[part][key] = validate(read_yaml(path), CATALOG_PARTS[part])
        except InputError as exc:
            problems.extend(exc.problems)
    for key, state in entries["states"].items():
        if state.code.lower() != key:
            problems.append(Problem(path=paths[("states", key)], line=1, column=1,
                                    message=f"code '{state.code}' does not match the file name"))
    for key, platform in entries["platforms"].items():
        problems.extend(_check_platform(paths[("platforms", key)], platform))
    if problems:
        raise InputError(problems)
    return Catalog(states={k.upper(): v for k, v in entries["states"].items()},
                   platforms=entries["platforms"], consents=entries["consents"], paths=paths)


def _check_platform(path: Path, platform: Platform) -> list[Problem]:
    return [Problem(path=path, message=f"modules.{mid}: data item '{item.label}' refers to "
                    f"retention rule '{item.retention}', which is not under 'retention:'")
            for mid, module in platform.modules.items() for item in module.data
            if item.retention not in platform.retention]


def school_id(path: Path) -> str:
    """The id of a school file is its file stem, which becomes a folder name under output/."""
    return path.stem


def compose(doc: Document, catalog: Catalog) -> Notice:
    """Validate a school document and resolve it against the catalog."""
    problems: list[Problem] = []
    sid = school_id(doc.path)
    if not ID_PATTERN.fullmatch(sid):
        problems.append(Problem(path=doc.path, line=1, column=1, message=(
            "the file name cannot be used as the school's id (its folder under output/): rename "
            "the file with lowercase letters, digits and '-' only, e.g. 'gs-am-park.yaml'")))
    try:
        school = validate(doc, School)
    except InputError as exc:
        raise InputError(problems + exc.problems) from None
    state = _resolve_state(doc, school, catalog, problems)
    views = [_resolve_platform(doc, pid, use, catalog, problems)
             for pid, use in school.platforms.items()]
    _check_covers(doc, school, catalog, problems)
    _check_consents(doc, school, catalog, problems)
    if problems or state is None:
        raise InputError(problems)
    return _assemble(sid, doc, school, state, [v for v in views if v is not None], catalog)


def _resolve_state(doc: Document, school: School, catalog: Catalog,
                   problems: list[Problem]) -> State | None:
    code = school.state.upper()
    if code in catalog.states:
        return catalog.states[code]
    by_name = {s.name.lower(): c for c, s in catalog.states.items()}
    if school.state.lower() in by_name:
        return catalog.states[by_name[school.state.lower()]]
    hint = _suggest(school.state, [*catalog.states, *(s.name for s in catalog.states.values())],
                    known=list(catalog.states))
    problems.append(doc.problem(("state",), f"state: unknown Land '{shown(school.state)}'{hint}"))
    return None


def _resolve_platform(doc: Document, pid: str, use: PlatformUse, catalog: Catalog,
                      problems: list[Problem]) -> PlatformView | None:
    platform = catalog.platforms.get(pid)
    if platform is None:
        problems.append(doc.problem(("platforms", pid), f"platforms: unknown platform '{pid}'"
                                    f"{_suggest(pid, list(catalog.platforms))}", prefer_key=True))
        return None
    hosting = platform.hosting.get(use.hosting)
    if hosting is None:
        offered = ", ".join(platform.hosting)
        problems.append(doc.problem(("platforms", pid, "hosting"), f"platforms.{pid}.hosting: "
                                    f"{platform.short_name} is not offered as '{use.hosting}' "
                                    f"(offered: {offered})"))
        return None
    for index, mid in enumerate(use.modules):
        if mid not in platform.modules:
            problems.append(doc.problem(("platforms", pid, "modules", index),
                                        f"platforms.{pid}.modules: unknown module '{mid}'"
                                        f"{_suggest(mid, list(platform.modules))}"))
    for rule in use.retention:
        if rule not in platform.retention:
            problems.append(doc.problem(("platforms", pid, "retention", rule),
                                        f"platforms.{pid}.retention: unknown retention rule '{rule}'"
                                        f"{_suggest(rule, list(platform.retention))}", prefer_key=True))
    chosen = [(mid, m) for mid, m in platform.modules.items() if m.required or mid in use.modules]
    return PlatformView(id=pid, platform=platform, use=use, hosting=hosting, modules=tuple(chosen))


def _check_covers(doc: Document, school: School, catalog: Catalog, problems: list[Problem]) -> None:
    for index, consent in enumerate(school.consents):
        if consent.covers is None:
            continue
        pid, _, mid = consent.covers.partition(".")
        platform = catalog.platforms.get(pid)
        if pid not in school.platforms or platform is None or (mid and mid not in platform.modules):
            known = [f"{p}.{m}" for p in school.platforms if p in catalog.platforms
                     for m in catalog.platforms[p].modules] + list(school.platforms)
            problems.append(doc.problem(("consents", index, "covers"),
                                        f"consents.covers: '{consent.covers}' is not a platform or "
                                        f"module this school uses{_suggest(consent.covers, known)}"))


def _check_consents(doc: Document, school: School, catalog: Catalog, problems: list[Problem]) -> None:
    seen: set[str] = set()
    for index, consent in enumerate(school.consents):
        if consent.id in seen:
            problems.append(doc.problem(("consents", index, "id"),
                                        f"consents: '{consent.id}' is listed twice"))
        seen.add(consent.id)
        if consent.id in catalog.consents:
            continue
        missing = [k for k in ("title", "text") if getattr(consent, k) is None]
        if missing:
            problems.append(doc.problem(("consents", index), f"consents: '{consent.id}' is not in the "
                                        f"consent library{_suggest(consent.id, list(catalog.consents))};"
                                        f" a consent of your own needs {' and '.join(missing)}"))


def _suggest(word: str, options: list[str], known: list[str] | None = None) -> str:
    # two-letter codes are too short for a useful guess: list them instead
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.5) if len(word) > 3 else []
    if close:
        return f" (did you mean '{close[0]}'?)"
    return f" (known: {', '.join(sorted(known or options))})"


def _assemble(sid: str, doc: Document, school: School, state: State,
              views: list[PlatformView], catalog: Catalog) -> Notice:
    data = [(v, item) for v in views for _, m in v.modules for item in m.data]
    lines = [DataLine(label=item.label, platform=v.platform.short_name,
                      retention=v.retention(item.retention),
                      voluntary=item.voluntary)
             for v, item in data]
    sources = [item.source for _, item in data]
    placeholders = list(_placeholders(doc))  # the school file walked once
    return Notice(
        id=sid, doc=doc, school=school, state=state, platforms=tuple(views),
        imported=tuple(ln for ln, src in zip(lines, sources, strict=True) if src == "import"),
        collected=tuple(ln for ln, src in zip(lines, sources, strict=True) if src == "use"),
        purposes=tuple(PurposeLine(text=p.text, basis=v.use.basis or p.basis,
                                   platform=v.platform.short_name)
                       for v in views for _, m in v.modules for p in m.purposes),
        processors=tuple(p for v in views if (p := _processor(v)) is not None),
        retention=_retention_groups(lines),
        retention_notes=tuple(v.platform.retention["backups"].text for v in views
                              if "backups" in v.platform.retention),
        consents=tuple(_consents(views, school, catalog)),
        placeholders=tuple(p for p, _ in placeholders),
        placeholder_locs=tuple(loc for _, loc in placeholders),
    )


def _processor(view: PlatformView) -> Processor | None:
    task = view.use.processor_task or view.hosting.processor_task
    if task is None or view.use.no_processor:
        return None
    who: Contact | Vendor | None = view.use.processor
    if who is None and view.hosting.processor_is_vendor:
        who = view.platform.vendor
    if who is None:
        return None  # the school must name its hoster: the check reports it
    country = who.country if isinstance(who, Vendor) else "Deutschland"
    return Processor(name=who.name, street=who.street, postcode=who.postcode, city=who.city,
                     country=country, task=task, platform=view.platform.name, location=view.location,
                     third_country=view.hosting.third_country)


def _consents(views: list[PlatformView], school: School, catalog: Catalog) -> Iterator[ConsentItem]:
    """Consents asked for: a whole platform the school runs on consent, the consent modules,
    and the school's own (from the library, with its own texts where given)."""
    for v in views:
        if v.use.basis == "consent":
            yield ConsentItem(id=v.id, title=v.platform.name, text=PLATFORM_CONSENT,
                              data=tuple(i.label for _, m in v.modules for i in m.data),
                              retention=_rule_texts(v, [i.retention for _, m in v.modules for i in m.data]),
                              platform=v.platform.short_name)
            continue
        for mid, module in v.modules:
            if module.consent is not None:
                yield ConsentItem(id=f"{v.id}.{mid}", title=module.consent.title,
                                  text=module.consent.text, data=tuple(i.label for i in module.data),
                                  recipients=module.consent.recipients,
                                  retention=_rule_texts(v, [i.retention for i in module.data]),
                                  platform=v.platform.short_name)
    for c in school.consents:
        yield _school_consent(c, catalog.consents.get(c.id))


def _school_consent(own: SchoolConsent, base: ConsentPurpose | None) -> ConsentItem:
    """The library entry with the school's own texts on top (or the school's texts alone)."""
    def pick(mine: Text | None, library: str | None) -> Text | None:
        return mine if mine is not None else library

    title = pick(own.title, base.title if base else None)
    text = pick(own.text, base.text if base else None)
    assert title is not None  # ensured by _check_consents
    assert text is not None
    data = pick(own.data, base.data if base else None)
    retention = pick(own.retention, base.retention if base else None)
    return ConsentItem(id=own.id, title=title, text=text,
                       data=(data,) if data is not None else (),
                       recipients=pick(own.recipients, base.recipients if base else None),
                       retention=(retention,) if retention is not None else ())


def _rule_texts(view: PlatformView, rules: list[str]) -> tuple[Text, ...]:
    return tuple(view.retention(r) for r in dict.fromkeys(rules))


PLATFORM_CONSENT = N_("Ich willige ein, dass die Schule die in den Datenschutzhinweisen genannten "
                       "Daten für die Nutzung der Plattform zu den dort genannten Zwecken verarbeitet.")


def _retention_groups(lines: list[DataLine]) -> tuple[RetentionGroup, ...]:
    groups: dict[str, tuple[Text, list[str]]] = {}
    for line in lines:
        key = line.retention if isinstance(line.retention, str) else repr(sorted(line.retention.items()))
        groups.setdefault(key, (line.retention, []))[1].append(line.label)
    return tuple(RetentionGroup(labels=tuple(labels), text=text) for text, labels in groups.values())


def _placeholders(doc: Document) -> Iterator[tuple[Problem, Loc]]:
    for loc, value in _walk(doc.data, ()):
        if is_placeholder(value):
            what = value.removeprefix("TODO").lstrip(": ") or "a value"
            yield doc.problem(loc, f"placeholder still to fill in: {what}", severity="warning"), loc


def _walk(data: Any, loc: Loc) -> Iterator[tuple[Loc, Any]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _walk(value, (*loc, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _walk(value, (*loc, index))
    else:
        yield loc, data
