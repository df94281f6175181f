"""Layer the catalog under a school file: state law + platform facts + the school's own data.

The result, a `Notice`, holds everything a template needs, already resolved: which data are
imported or collected, for which purposes and on which legal basis, who processes them and
for how long. Unknown references (a Land, a platform, a module) become positioned errors.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import InputError, Problem, shown
from .load import Document, Loc, read_yaml
from .model import (
    Basis,
    ConsentText,
    HostingOption,
    Module,
    Platform,
    PlatformUse,
    School,
    State,
    is_placeholder,
    validate,
)

ID_PATTERN = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?")


@dataclass(frozen=True)
class Catalog:
    """The shipped knowledge: state profiles and platform profiles, keyed by id."""

    states: dict[str, State]
    platforms: dict[str, Platform]
    files: tuple[Path, ...]


@dataclass(frozen=True)
class DataLine:
    label: str
    platform: str
    retention: str
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
    task: str
    platform: str
    location: str
    third_country: str | None


@dataclass(frozen=True)
class ConsentItem:
    id: str
    title: str
    text: str
    platform: str


@dataclass(frozen=True)
class RetentionGroup:
    labels: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class PlatformView:
    id: str
    platform: Platform
    use: PlatformUse
    hosting: HostingOption
    modules: tuple[tuple[str, Module], ...]


@dataclass(frozen=True)
class Notice:
    """One school, fully resolved against the catalog."""

    id: str
    path: Path
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

    @property
    def platform_names(self) -> str:
        """Short names for running text, e.g. "IServ" or "IServ, WebUntis"."""
        return ", ".join(p.platform.short_name for p in self.platforms)


def load_catalog(root: Path) -> Catalog:
    """Read every state and platform profile under `root` (catalog/)."""
    problems: list[Problem] = []
    states = _load_dir(root / "states", State, problems)
    platforms = _load_dir(root / "platforms", Platform, problems)
    for key, state in states.items():
        if state.code.lower() != key:
            problems.append(Problem(path=root / "states" / f"{key}.yaml", line=1, column=1,
                                    message=f"code '{state.code}' does not match the file name"))
    for key, platform in platforms.items():
        problems.extend(_check_platform(root / "platforms" / f"{key}.yaml", platform))
    if problems:
        raise InputError(problems)
    files = tuple(sorted((root / "states").glob("*.yaml")) + sorted((root / "platforms").glob("*.yaml")))
    return Catalog(states={k.upper(): v for k, v in states.items()}, platforms=platforms, files=files)


def _load_dir(folder: Path, cls: type[Any], problems: list[Problem]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for path in sorted(folder.glob("*.yaml")):
        try:
            result[path.stem] = validate(read_yaml(path), cls)
        except InputError as exc:
            problems.extend(exc.problems)
    return result


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
    if problems or state is None:
        raise InputError(problems)
    return _assemble(sid, doc, school, state, [v for v in views if v is not None])


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
    chosen = [(mid, m) for mid, m in platform.modules.items() if m.required or mid in use.modules]
    return PlatformView(id=pid, platform=platform, use=use, hosting=hosting, modules=tuple(chosen))


def _suggest(word: str, options: list[str], known: list[str] | None = None) -> str:
    # two-letter codes are too short for a useful guess: list them instead
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.5) if len(word) > 3 else []
    if close:
        return f" (did you mean '{close[0]}'?)"
    return f" (known: {', '.join(sorted(known or options))})"


def _assemble(sid: str, doc: Document, school: School, state: State,
              views: list[PlatformView]) -> Notice:
    data = [(v, item) for v in views for _, m in v.modules for item in m.data]
    lines = [DataLine(label=item.label, platform=v.platform.short_name,
                      retention=v.platform.retention[item.retention].text, voluntary=item.voluntary)
             for v, item in data]
    return Notice(
        id=sid, path=doc.path, school=school, state=state, platforms=tuple(views),
        imported=tuple(ln for ln, (_, item) in zip(lines, data, strict=True) if item.source == "import"),
        collected=tuple(ln for ln, (_, item) in zip(lines, data, strict=True) if item.source == "use"),
        purposes=tuple(PurposeLine(text=p.text, basis=p.basis, platform=v.platform.short_name)
                       for v in views for _, m in v.modules for p in m.purposes),
        processors=tuple(p for v in views if (p := _processor(v)) is not None),
        retention=_retention_groups(lines),
        retention_notes=tuple(v.platform.retention["backups"].text for v in views
                              if "backups" in v.platform.retention),
        consents=tuple(_consent(v, mid, m.consent) for v in views for mid, m in v.modules
                       if m.consent is not None),
        placeholders=tuple(_placeholders(doc)),
    )


def _processor(view: PlatformView) -> Processor | None:
    task = view.use.processor_task or view.hosting.processor_task
    if task is None:
        return None
    who = view.use.processor or view.platform.vendor
    return Processor(name=who.name, street=who.street, postcode=who.postcode, city=who.city,
                     task=task, platform=view.platform.name,
                     location=view.use.location or view.hosting.location,
                     third_country=view.hosting.third_country)


def _consent(view: PlatformView, mid: str, text: ConsentText) -> ConsentItem:
    return ConsentItem(id=f"{view.id}.{mid}", title=text.title, text=text.text,
                       platform=view.platform.short_name)


def _retention_groups(lines: list[DataLine]) -> tuple[RetentionGroup, ...]:
    groups: dict[str, list[str]] = {}
    for line in lines:
        groups.setdefault(line.retention, []).append(line.label)
    return tuple(RetentionGroup(labels=tuple(labels), text=text) for text, labels in groups.items())


def _placeholders(doc: Document) -> Iterator[Problem]:
    for loc, value in _walk(doc.data, ()):
        if is_placeholder(value):
            what = value.removeprefix("TODO").lstrip(": ") or "a value"
            yield doc.problem(loc, f"placeholder still to fill in: {what}", severity="warning")


def _walk(data: Any, loc: Loc) -> Iterator[tuple[Loc, Any]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _walk(value, (*loc, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _walk(value, (*loc, index))
    else:
        yield loc, data
