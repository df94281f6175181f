"""Compose: a school file with the catalog under it becomes the facts its documents state.

The facts are processing activities, as Art. 30 DSGVO sees them: a catalog platform is a
pre-filled activity (the school switches modules on, overrides or adds to any part), a system
of the school's own is one the school fills in, and the website is one too. Each activity has
its data-subject groups, data categories (with their origin and retention), purposes (each
with its legal basis), processors, recipients, transfers and measures, and remembers which
parts came from the school. The law the controller is under (`Law`) says which provision to
cite for every role and basis. Everything stays typed up to notice.json: nothing is formatted
into a string and parsed back.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from .catalog import (
    Catalog,
    ConsentPurpose,
    Platform,
    Regime,
    State,
    SupervisoryAuthority,
    Vendor,
)
from .errors import InputError, Problem, shown
from .i18n import N_
from .load import Document, Loc
from .messages import Msg, Seq
from .model import (
    UNKNOWN,
    AgeRule,
    Basis,
    Confirmation,
    Contact,
    DataEntry,
    DataOrigin,
    Hosting,
    PlatformUse,
    ProcessorEntry,
    PurposeEntry,
    Recipient,
    School,
    SchoolConsent,
    SystemUse,
    TransferEntry,
    is_placeholder,
    missing_of,
    validate,
)

ID_PATTERN = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?")

# Text is either a German catalog string (translated through the gettext catalogs) or a school's
# own text per language ({"de": ..., "en": ...}); the template filter `t` handles both.
Text = str | Mapping[Any, str]

GROUP_NAMES = {"pupils": N_("Schülerinnen und Schüler"), "guardians": N_("Erziehungsberechtigte"),
               "teachers": N_("Lehrkräfte"), "staff": N_("weiteres Personal der Schule"),
               "visitors": N_("Besucherinnen und Besucher der Website")}
PLATFORM_USERS = ("pupils", "teachers")  # whose data a platform holds unless the catalog says
# the catalog's words for where data come from
ORIGIN: dict[str, DataOrigin] = {"import": "records", "use": "use"}


def unique(items: Iterable[Any]) -> tuple[Any, ...]:
    """The items in order, each once (texts per language are dicts: compared by value)."""
    seen: dict[str, Any] = {}
    for item in items:
        seen.setdefault(repr(sorted(item.items())) if isinstance(item, Mapping) else repr(item), item)
    return tuple(seen.values())


def german(text: Text | None) -> str | None:
    """The binding German wording of a text."""
    return text if text is None or isinstance(text, str) else text["de"]


# ---------------------------------------------------------------------------- facts


@dataclass(frozen=True)
class Party:
    """A company or body with its address (a vendor, a processor, a recipient)."""

    name: str
    street: str | None = None
    postcode: str | None = None
    city: str | None = None
    country: Text | None = None  # None: Germany
    website: str | None = None
    phone: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class LegalBasis:
    kind: Basis
    provision: str | None = None  # the provision the school names; None: the Land's or the law's


@dataclass(frozen=True)
class DataCategory:
    label: Text
    groups: tuple[str, ...]
    origin: DataOrigin  # given by the person, taken from the school's records, made during use
    retention: Text
    voluntary: bool
    activity: str  # the activity's short name
    from_school: bool = False


@dataclass(frozen=True)
class PurposeFact:
    text: Text
    basis: LegalBasis
    groups: tuple[str, ...]
    activity: str
    from_school: bool = False


@dataclass(frozen=True)
class ProcessorFact:
    party: Party
    task: Text
    location: Text
    activity: Text  # the activity's name
    safeguards: Text | None = None
    from_school: bool = False


@dataclass(frozen=True)
class RecipientFact:
    name: Text
    purpose: Text
    within: bool  # inside the school (staff of the school)
    activity: str | None = None


@dataclass(frozen=True)
class TransferFact:
    country: Text  # or, from the catalog, the whole statement of the transfer
    safeguard: Text | None
    copy_at: Text | None
    activity: str


Coverage = Literal["yes", "only", "no", "unknown", "condition", "confirmed", "none"]


@dataclass(frozen=True)
class Activity:
    """One processing activity: a catalog platform, a system of the school's own, the website."""

    id: str
    kind: Literal["platform", "system", "website"]
    name: Text
    short_name: str
    descriptions: tuple[Text, ...]
    vendor: Party | None
    hosting: Hosting | None
    location: Text
    groups: tuple[str, ...]
    data: tuple[DataCategory, ...]
    purposes: tuple[PurposeFact, ...]
    processors: tuple[ProcessorFact, ...]
    recipients: tuple[RecipientFact, ...]
    transfers: tuple[TransferFact, ...]
    measures: tuple[Text, ...]
    retention_notes: tuple[Text, ...] = ()
    not_for: Text | None = None  # what the platform is not used for (a statement of the school)
    coverage: Coverage = "none"  # whether the Land's law covers it, for its statutory purposes
    confirmation: Confirmation | None = None  # the school's decision where the law is open
    from_school: tuple[str, ...] = ()  # which parts the school gave ("location", "retention" ...)
    platform: PlatformView | None = None  # the catalog platform behind it

    def bases(self) -> set[Basis]:
        return {p.basis.kind for p in self.purposes}


@dataclass(frozen=True)
class ConsentItem:
    """One consent asked for: what the signer agrees to, what is processed, who sees it, how
    long, whose data it is."""

    id: str
    title: Text
    text: Text
    data: tuple[Text, ...] = ()
    recipients: Text | None = None
    retention: tuple[Text, ...] = ()
    platform: str | None = None  # the activity it belongs to (its short name)
    subjects: tuple[str, ...] = ("pupils",)
    external: bool = False  # the data go to people or bodies outside the school
    # (data, retention) where the data of one consent are kept for different periods
    retention_of: tuple[tuple[Text, Text], ...] = ()
    # a system's declared recipients and processors, where the consent names none itself
    seen_by: tuple[Text, ...] = ()
    processed_by: tuple[str, ...] = ()

    @property
    def guardians_data(self) -> bool:
        """It covers the guardians' own data: each guardian signs for them."""
        return "guardians" in self.subjects


@dataclass(frozen=True)
class RetentionGroup:
    labels: tuple[Text, ...]
    text: Text


@dataclass(frozen=True)
class PlatformView:
    """A catalog platform as the school uses it."""

    id: str
    platform: Platform
    use: PlatformUse
    hosting: Any  # catalog.HostingOption
    modules: tuple[tuple[str, Any], ...]  # (id, catalog.Module), required ones included

    @property
    def location(self) -> Text:
        return self.use.location or self.hosting.location

    def retention(self, rule: str) -> Text:
        """How long data under `rule` are kept: the school's own text, else the catalog's."""
        return self.use.retention.get(rule) or self.platform.retention[rule].text

    def module_basis(self, module: str, catalog_basis: Basis) -> Basis:
        """The basis of a module's purposes: the school's choice (for the platform or the
        module), else the catalog's."""
        chosen = self.use.basis
        if isinstance(chosen, dict):
            return chosen.get(module, catalog_basis)
        return chosen or catalog_basis


@dataclass(frozen=True)
class Law:
    """The data-protection law a controller is under, with the Land's school law: which
    provision to cite for every role and legal basis. An unknown provision is None (never
    printed; the check asks for it)."""

    regime: Regime
    state: State
    school: School

    @property
    def id(self) -> str:
        return self.regime.id

    @property
    def church(self) -> bool:
        return self.regime.id != "dsgvo"

    @property
    def abbr(self) -> str:
        return self.regime.abbr

    def ref(self, role: str) -> str | None:
        """The provision of a role (access, erasure, complaint ...), or None when unknown."""
        if role in self.school.law_refs:
            return self.school.law_refs[role]
        entry = self.regime.roles.get(role)  # type: ignore[call-overload]
        return entry.ref if entry is not None and entry.ref != UNKNOWN else None

    @property
    def duty_ref(self) -> str | None:
        """The provision that obliges pupils and guardians to provide their data: the school's
        own (`law_refs: {duty_to_provide: ...}`), else the Land's for a public school, else None."""
        if "duty_to_provide" in self.school.law_refs:
            return self.school.law_refs["duty_to_provide"]
        duty = self.state.duty_to_provide
        return duty.ref if duty is not None and self.school.school.kind == "public" else None

    def basis_ref(self, kind: Basis) -> str | None:
        key = f"basis.{kind}"
        if key in self.school.law_refs:
            return self.school.law_refs[key]
        entry = self.regime.bases.get(kind)
        return entry.ref if entry is not None and entry.ref != UNKNOWN else None

    def citation(self, basis: LegalBasis) -> str | None:
        """What a notice cites for a purpose: e.g. 'Art. 6 Abs. 1 UAbs. 1 lit. e, Abs. 3 DSGVO
        i.V.m. § 57 ThürSchulG'; None when the law's provision is not known."""
        if basis.kind == "statute" and basis.provision is None:
            if self.school.citation:  # the school's own citation, whatever law it is under
                return self.school.citation
            if not self.church and self.school.school.kind == "public":
                return self.state.notice_citation.text
        ref = self.basis_ref(basis.kind)
        if ref is None:
            return None
        return f"{ref} i.V.m. {basis.provision}" if basis.provision else ref


@dataclass(frozen=True)
class Notice:
    """One school, fully resolved against the catalog: the facts every document shows."""

    id: str
    doc: Document
    school: School
    state: State
    law: Law
    authority: Party  # the complaint authority (Art. 77)
    authority_entry: SupervisoryAuthority | None  # a church or private-sector one from the catalog
    activities: tuple[Activity, ...]
    consents: tuple[ConsentItem, ...]
    group_names: dict[str, Text]
    placeholders: tuple[Problem, ...]
    placeholder_locs: tuple[Loc, ...]

    @property
    def path(self) -> Any:
        return self.doc.path

    @property
    def platforms(self) -> tuple[PlatformView, ...]:
        return tuple(a.platform for a in self.activities if a.platform is not None)

    @property
    def platform_names(self) -> str:
        """The catalog platforms' short names, e.g. "IServ, WebUntis" (running text:
        `platform_list|names`)."""
        return ", ".join(self.platform_list)

    @property
    def platform_list(self) -> tuple[str, ...]:
        return tuple(a.short_name for a in self.activities if a.kind == "platform")

    @property
    def activity_names(self) -> str:
        """The platforms' and systems' short names, e.g. "IServ, Schulverwaltungsprogramm"."""
        return ", ".join(a.short_name for a in self.activities if a.kind != "website")

    @property
    def only_platforms(self) -> bool:
        """Whether the school's documents are about catalog platforms alone (a title can then
        name them)."""
        return bool(self.platform_names) and all(
            a.kind == "platform" for a in self.activities if a.kind != "website")

    @property
    def citation(self) -> str:
        """The Land's (or the school's) citation for statutory processing."""
        return self.school.citation or self.state.notice_citation.text

    @property
    def age_rule(self) -> AgeRule:
        """Who signs a consent, by age: the school's rule, or the Land's."""
        rule = self.school.consent_age or self.state.consent_age
        return AgeRule(guardians_only_under=rule.guardians_only_under,
                       pupil_alone_from=rule.pupil_alone_from)

    @property
    def pupils_sign(self) -> bool:
        """Whether any pupil is old enough to sign (a primary school: none is)."""
        oldest = self.school.school.ages.oldest if self.school.school.ages else None
        if oldest is None and self.school.school.type == "grundschule":
            oldest = 11
        return oldest is None or oldest >= self.age_rule.guardians_only_under

    def facts(self) -> dict[str, Any]:
        """What the notice states, as typed data in the binding German wording: kept in
        notice.json (and so in the archive), compared by `compare`."""
        return facts_of(self, self.activities)


def facts_of(notice: Notice, activities: Iterable[Activity]) -> dict[str, Any]:
    chosen = list(activities)
    return {
        "activities": [german(a.name) for a in chosen],
        "data": [{"label": german(d.label), "groups": list(d.groups), "origin": d.origin,
                  "activity": d.activity, "retention": german(d.retention)}
                 for a in chosen for d in a.data],
        "purposes": [{"text": german(p.text), "basis": p.basis.kind,
                      "citation": notice.law.citation(p.basis), "activity": p.activity}
                     for a in chosen for p in a.purposes],
        "processors": [{"name": p.party.name, "task": german(p.task),
                        "location": german(p.location), "activity": german(p.activity)}
                       for a in chosen for p in a.processors],
        "recipients": [{"name": german(r.name), "purpose": german(r.purpose)}
                       for a in chosen for r in a.recipients],
        "transfers": [{"country": german(t.country), "safeguard": german(t.safeguard)}
                      for a in chosen for t in a.transfers],
        "law": notice.law.abbr,
        "legal_basis": notice.citation,
        "authority": notice.authority.name,
        "consents": [german(c.title) for c in notice.consents],
    }


# ---------------------------------------------------------------------------- composing


def school_id(path: Any) -> str:
    """The id of a school file is its file stem, which becomes a folder name under output/."""
    return str(path.stem)


def compose(doc: Document, catalog: Catalog) -> Notice:
    """Validate a school document and resolve it against the catalog."""
    problems: list[Problem] = []
    sid = school_id(doc.path)
    if not ID_PATTERN.fullmatch(sid):
        problems.append(Problem(path=doc.path, line=1, column=1, message=Msg(
            "the file name cannot be used as the school's id (its folder under output/): rename "
            "the file with lowercase letters, digits and '-' only, e.g. 'gs-am-park.yaml'")))
    try:
        school = validate(doc, School)
    except InputError as exc:
        raise InputError(problems + exc.problems) from None
    state = _resolve_state(doc, school, catalog, problems)
    groups = _groups(doc, school, problems)
    views = [_resolve_platform(doc, pid, use, catalog, problems)
             for pid, use in school.platforms.items()]
    regime, authority = _law(doc, school, state, catalog, problems)
    _check_ids(doc, school, groups, problems)
    _check_covers(doc, school, catalog, problems)
    _check_consents(doc, school, catalog, problems)
    if problems or state is None or regime is None:
        raise InputError(problems)
    activities = [_platform_activity(v, state) for v in views if v is not None]
    activities += [_system_activity(sid_, use) for sid_, use in school.systems.items()]
    if school.website is not None:
        activities.append(_website_activity(school, state))
    placeholders = list(_placeholders(doc))  # the school file walked once
    law = Law(regime=regime, state=state, school=school)
    return Notice(
        id=sid, doc=doc, school=school, state=state, law=law,
        authority=_authority_party(school, state, authority), authority_entry=authority,
        activities=tuple(activities),
        consents=tuple(_consents(activities, school, catalog)),
        group_names=groups,
        placeholders=tuple(p for p, _ in placeholders),
        placeholder_locs=tuple(loc for _, loc in placeholders))


def _resolve_state(doc: Document, school: School, catalog: Catalog,
                   problems: list[Problem]) -> State | None:
    code = state_code(school.state, catalog)
    if code is not None:
        return catalog.states[code]
    hint = suggest(school.state, [*catalog.states, *(s.name for s in catalog.states.values())],
                   known=list(catalog.states))
    problems.append(doc.problem(("state",), Msg("state: unknown Land '{value}' ({hint})",
                                                value=shown(school.state), hint=hint)))
    return None


def state_code(value: str, catalog: Catalog) -> str | None:
    """A Land's code from its code or its name, in any case: 'th', 'Thüringen' -> 'TH'."""
    if value.upper() in catalog.states:
        return value.upper()
    return next((code for code, s in catalog.states.items()
                 if s.name.casefold() == value.strip().casefold()), None)


def _groups(doc: Document, school: School, problems: list[Problem]) -> dict[str, Text]:
    """The data-subject groups: the four every school has and the school's own."""
    names: dict[str, Text] = dict(GROUP_NAMES)
    for index, group in enumerate(school.groups):
        if group.id in names:
            problems.append(doc.problem(("groups", index, "id"), Msg(
                "groups: '{id}' is listed twice (pupils, guardians, teachers and staff are there "
                "without listing them)", id=group.id)))
        names[group.id] = group.name
    return names


def _check_ids(doc: Document, school: School, groups: dict[str, Text],
               problems: list[Problem]) -> None:
    """Groups named anywhere exist; a system's id is not a platform's."""
    for sid in set(school.systems) & set(school.platforms):
        problems.append(doc.problem(("systems", sid), Msg(
            "systems: '{id}' is a platform of this school too: give the system another id", id=sid),
            prefer_key=True))
    if not school.platforms and not school.systems and school.website is None:
        problems.append(doc.problem(("platforms",), Msg(
            "the school file names no platform, no system and no website: add 'platforms:' or "
            "'systems:'")))
    for loc, group in _group_refs(school):
        if group not in groups:
            problems.append(doc.problem(loc, Msg("{where}: unknown group '{group}' ({hint})",
                                                 where=".".join(str(p) for p in loc[:-1]),
                                                 group=group, hint=suggest(group, list(groups)))))


def _group_refs(school: School) -> Iterator[tuple[Loc, str]]:
    for part, uses in (("platforms", school.platforms), ("systems", school.systems)):
        for key, use in uses.items():
            yield from ((((part, key, "groups", i), g)) for i, g in enumerate(use.groups))
            for kind in ("data", "purposes"):
                for n, entry in enumerate(getattr(use, kind)):
                    yield from (((part, key, kind, n, "groups", i), g)
                                for i, g in enumerate(entry.groups))
    for n, consent in enumerate(school.consents):
        yield from ((("consents", n, "subjects", i), g) for i, g in enumerate(consent.subjects))
    for n, document in enumerate(school.documents):
        yield from ((("documents", n, "audience", i), g) for i, g in enumerate(document.audience))


def _law(doc: Document, school: School, state: State | None, catalog: Catalog,
         problems: list[Problem]) -> tuple[Regime | None, SupervisoryAuthority | None]:
    """The regime the school is under and, where it is not the Land's public-sector authority,
    its supervisory authority from the catalog."""
    info = school.school
    if info.kind == "church":
        if info.church_law is None:
            problems.append(doc.problem(("school",), Msg(
                "school: a church school names its church's data-protection law: 'church_law: "
                "dsg_ekd' (Protestant), 'kdg' (Catholic) or 'kdr_og' (orders of papal right)"),
                prefer_key=True))
            return None, None
        regime = catalog.laws[info.church_law]
        authority = None
        if info.authority is not None:
            authority = catalog.authorities.get(info.authority)
            if authority is None or authority.law != regime.id:
                fits = [a for a, entry in catalog.authorities.items() if entry.law == regime.id]
                problems.append(doc.problem(("school", "authority"), Msg(
                    "school.authority: '{id}' is not a supervisory authority under {law} (known: "
                    "{known})", id=info.authority, law=regime.abbr, known=Seq(fits))))
        return regime, authority
    if info.authority is not None:
        problems.append(doc.problem(("school", "authority"), Msg(
            "school.authority is for church schools: a school under the DSGVO has its Land's "
            "authority")))
    private = state.private_schools if state else None
    if info.kind == "private" and private and private.authority.id != "land":
        return catalog.laws["dsgvo"], catalog.authorities.get(private.authority.id)
    return catalog.laws["dsgvo"], None


def _authority_party(school: School, state: State, entry: SupervisoryAuthority | None) -> Party:
    """The complaint authority: the school's rename, a catalog authority, or the Land's."""
    if school.supervisory_authority:
        a = school.supervisory_authority
        return Party(name=a.name, street=a.street, postcode=a.postcode, city=a.city,
                     country=a.country, website=a.website, email=a.email, phone=a.phone)
    if entry is not None:
        known = {k: None if v == UNKNOWN else v for k, v in
                 (("street", entry.street), ("postcode", entry.postcode))}
        return Party(name=entry.name, street=known["street"], postcode=known["postcode"],
                     city=entry.city, website=entry.website,
                     email=None if entry.email in (None, UNKNOWN) else entry.email)
    land = state.supervisory_authority
    return Party(name=land.name, street=land.street, postcode=land.postcode, city=land.city,
                 website=land.website, email=land.email)


def _resolve_platform(doc: Document, pid: str, use: PlatformUse, catalog: Catalog,
                      problems: list[Problem]) -> PlatformView | None:
    platform = catalog.platforms.get(pid)
    if platform is None:
        problems.append(doc.problem(("platforms", pid), Msg(
            "platforms: unknown platform '{id}' ({hint})", id=pid,
            hint=suggest(pid, list(catalog.platforms))), prefer_key=True))
        return None
    hosting = platform.hosting.get(use.hosting)
    if hosting is None:
        problems.append(doc.problem(("platforms", pid, "hosting"), Msg(
            "platforms.{id}.hosting: {platform} is not offered as '{hosting}' (offered: {offered})",
            id=pid, platform=platform.short_name, hosting=use.hosting,
            offered=Seq(platform.hosting))))
        return None
    for index, mid in enumerate(use.modules):
        if mid not in platform.modules:
            problems.append(doc.problem(("platforms", pid, "modules", index), Msg(
                "platforms.{id}.modules: unknown module '{module}' ({hint})", id=pid, module=mid,
                hint=suggest(mid, list(platform.modules)))))
    for rule in use.retention:
        if rule not in platform.retention:
            problems.append(doc.problem(("platforms", pid, "retention", rule), Msg(
                "platforms.{id}.retention: unknown retention rule '{rule}' ({hint})", id=pid,
                rule=rule, hint=suggest(rule, list(platform.retention))), prefer_key=True))
    chosen = [(mid, m) for mid, m in platform.modules.items() if m.required or mid in use.modules]
    if isinstance(use.basis, dict):
        for mid in use.basis:
            if mid not in dict(chosen):
                problems.append(doc.problem(("platforms", pid, "basis", mid), Msg(
                    "platforms.{id}.basis: '{module}' is not a module the school uses ({hint})",
                    id=pid, module=mid, hint=suggest(mid, [m for m, _ in chosen])), prefer_key=True))
    return PlatformView(id=pid, platform=platform, use=use, hosting=hosting, modules=tuple(chosen))


def _party(who: Contact | Vendor | ProcessorEntry) -> Party:
    country: Text | None = who.country if not isinstance(who, Vendor) else (
        None if who.country == "Deutschland" else who.country)
    return Party(name=who.name, street=who.street, postcode=who.postcode, city=who.city,
                 country=country, website=getattr(who, "website", None))


def _coverage(state: State, confirmation: Confirmation | None) -> Coverage:
    covered = state.platforms_covered
    if confirmation is not None:
        return "confirmed"
    if covered.value == "yes" and covered.condition is not None:
        return "condition"
    if covered.value == "yes":
        return "only" if covered.only else "yes"
    return "no" if covered.value == "no" else "unknown"


def _platform_activity(view: PlatformView, state: State) -> Activity:
    platform, use, name = view.platform, view.use, view.platform.short_name
    users = tuple(use.groups) or PLATFORM_USERS
    data = [DataCategory(label=item.label, groups=tuple(item.groups) or users,
                         origin=ORIGIN[item.source], retention=view.retention(item.retention),
                         voluntary=item.voluntary, activity=name,
                         from_school=item.retention in use.retention)
            for _, module in view.modules for item in module.data]
    data += [_data(entry, users, name) for entry in use.data]
    purposes = [PurposeFact(text=p.text, basis=LegalBasis(view.module_basis(mid, p.basis)),
                            groups=users, activity=name)
                for mid, module in view.modules for p in module.purposes]
    purposes += [_purpose(entry, users, name) for entry in use.purposes]
    processor = _processor(view)
    processors = ([processor] if processor else []) + [_processor_entry(p, platform.name)
                                                      for p in use.processors]
    transfers = [TransferFact(country=view.hosting.third_country, safeguard=None,
                              copy_at=view.hosting.safeguards_copy.text
                              if view.hosting.safeguards_copy else None, activity=name)
                 ] if view.hosting.third_country and processor is not None else []
    transfers += [TransferFact(country=module.third_country, safeguard=None, copy_at=None,
                               activity=name)
                  for _, module in view.modules if module.third_country]
    transfers += [_transfer(t, name) for t in use.transfers]
    modules = {mid for mid, _ in view.modules}
    school_parts = [part for part, given in (
        ("description", use.description), ("location", use.location),
        ("processor", use.processor or use.processor_task or use.processors),
        ("retention", use.retention), ("data", use.data), ("purposes", use.purposes),
        ("basis", use.basis), ("recipients", use.recipients), ("transfers", use.transfers))
        if given]
    statute = any(p.basis.kind == "statute" for p in purposes)
    return Activity(
        id=view.id, kind="platform", name=platform.name, short_name=name,
        # the catalog's words on who runs it hold only while the school names no processor of its own
        descriptions=(use.description or platform.description,
                      *(() if use.processor or use.processors else (view.hosting.description,))),
        vendor=_party(platform.vendor), hosting=use.hosting, location=view.location,
        groups=unique([*users, *(g for d in data for g in d.groups)]),
        data=tuple(data), purposes=tuple(purposes), processors=tuple(processors),
        recipients=tuple(_recipient(r, name) for r in use.recipients),
        transfers=tuple(transfers),
        measures=tuple(m.text for m in [*platform.measures, *view.hosting.measures]
                       if m.text != UNKNOWN) + tuple(use.measures),
        retention_notes=tuple(platform.retention[r].text for r in ("backups",)
                              if r in platform.retention),
        not_for=platform.not_for if platform.not_for and not modules & set(platform.not_with)
        else None,
        coverage=_coverage(state, use.statute_confirmed) if statute else "none",
        confirmation=use.statute_confirmed,
        from_school=tuple(school_parts), platform=view)


def _processor(view: PlatformView) -> ProcessorFact | None:
    task = view.use.processor_task or view.hosting.processor_task
    if task is None or view.use.no_processor:
        return None
    who: Contact | Vendor | None = view.use.processor
    if who is None and view.hosting.processor_is_vendor:
        who = view.platform.vendor
    if who is None:
        return None  # the school must name its hoster: the check reports it
    return ProcessorFact(party=_party(who), task=task, location=view.location,
                         activity=view.platform.name,
                         from_school=view.use.processor is not None or bool(view.use.processor_task))


def _system_activity(sid: str, use: SystemUse) -> Activity:
    name = german(use.name) or sid
    groups = tuple(use.groups)
    data = [_data(entry, groups, name) for entry in use.data]
    return Activity(
        id=sid, kind="system", name=use.name, short_name=name,
        descriptions=(use.description,) if use.description else (),
        vendor=_party(use.vendor) if use.vendor else None, hosting=use.hosting,
        location=use.location or UNKNOWN,
        groups=unique([*groups, *(g for d in data for g in d.groups)]),
        data=tuple(data), purposes=tuple(_purpose(p, groups, name) for p in use.purposes),
        processors=tuple(_processor_entry(p, use.name) for p in use.processors),
        recipients=tuple(_recipient(r, name) for r in use.recipients),
        transfers=tuple(_transfer(t, name) for t in use.transfers),
        measures=tuple(use.measures),
        coverage="confirmed" if use.statute_confirmed else "none",
        confirmation=use.statute_confirmed, from_school=("all",))


LOG_DATA = (N_("IP-Adresse des aufrufenden Geräts"), N_("Datum und Uhrzeit des Abrufs"),
            N_("aufgerufene Seite oder Datei"), N_("übertragene Datenmenge und Statuscode"),
            N_("Browser und Betriebssystem (wie vom Browser übermittelt)"),
            N_("zuvor besuchte Seite (Referrer), wenn der Browser sie übermittelt"))


def _website_activity(school: School, state: State) -> Activity:
    site = school.website
    assert site is not None
    visitors = ("visitors",)
    log_data = tuple(site.log_data) or LOG_DATA
    basis = LegalBasis("legitimate_interest" if school.school.kind in ("private",) else "statute",
                       site.log_provision or (state.website_basis.ref if state.website_basis and
                                              state.website_basis.ref != UNKNOWN else None))
    purposes = [PurposeFact(text=N_("Bereitstellung der Website und Auslieferung ihrer Seiten"),
                            basis=basis, groups=visitors, activity="website"),
                PurposeFact(text=N_("Sicherheit des Betriebs: Erkennen und Abwehren von Angriffen "
                                    "und Störungen (Protokolldateien)"),
                            basis=basis, groups=visitors, activity="website")]
    if site.contact_form:
        purposes.append(PurposeFact(text=N_("Beantwortung von Anfragen über das Kontaktformular "
                                            "oder per E-Mail"),
                                    basis=basis, groups=visitors, activity="website"))
    purposes += [PurposeFact(text=cookie.purpose, basis=LegalBasis("consent"), groups=visitors,
                             activity="website") for cookie in site.cookies if not cookie.necessary]
    data = [DataCategory(label=label, groups=visitors, origin="use", retention=site.log_retention,
                         voluntary=False, activity="website") for label in log_data]
    if site.contact_form:
        data.append(DataCategory(label=N_("Angaben im Kontaktformular oder in der E-Mail (Name, "
                                          "E-Mail-Adresse, Nachricht)"),
                                 groups=visitors, origin="person",
                                 retention=site.contact_retention or UNKNOWN,  # the check asks
                                 voluntary=True, activity="website"))
    return Activity(
        id="website", kind="website", name=N_("Website der Schule"), short_name="Website",
        descriptions=(), vendor=None, hosting="cloud", location=site.host.location,
        groups=visitors, data=tuple(data), purposes=tuple(purposes),
        processors=(_processor_entry(site.host, N_("Website der Schule")),),
        recipients=(), transfers=(), measures=(N_("Verschlüsselte Übertragung (HTTPS)"),),
        from_school=("all",))


def _data(entry: DataEntry, groups: tuple[str, ...], activity: str) -> DataCategory:
    return DataCategory(label=entry.label, groups=tuple(entry.groups) or groups,
                        origin=entry.source, retention=entry.retention,
                        voluntary=entry.voluntary, activity=activity, from_school=True)


def _purpose(entry: PurposeEntry, groups: tuple[str, ...], activity: str) -> PurposeFact:
    return PurposeFact(text=entry.text, basis=LegalBasis(entry.basis, entry.provision),
                       groups=tuple(entry.groups) or groups, activity=activity, from_school=True)


def _processor_entry(entry: ProcessorEntry, activity: Text) -> ProcessorFact:
    return ProcessorFact(party=_party(entry), task=entry.task, location=entry.location,
                         activity=activity, safeguards=entry.safeguards, from_school=True)


def _recipient(entry: Recipient, activity: str | None) -> RecipientFact:
    return RecipientFact(name=entry.name, purpose=entry.purpose, within=entry.within,
                         activity=activity)


def _transfer(entry: TransferEntry, activity: str) -> TransferFact:
    return TransferFact(country=entry.country, safeguard=entry.safeguard, copy_at=entry.copy_at,
                        activity=activity)


def _check_covers(doc: Document, school: School, catalog: Catalog, problems: list[Problem]) -> None:
    for index, consent in enumerate(school.consents):
        if consent.covers is None:
            continue
        pid, _, mid = consent.covers.partition(".")
        platform = catalog.platforms.get(pid)
        known_platform = pid in school.platforms and platform is not None and (
            not mid or mid in platform.modules)
        if not known_platform and not (pid in school.systems and not mid):
            known = [f"{p}.{m}" for p in school.platforms if p in catalog.platforms
                     for m in catalog.platforms[p].modules] + list(school.platforms) + list(school.systems)
            problems.append(doc.problem(("consents", index, "covers"), Msg(
                "consents.covers: '{covers}' is not a platform, module or system this school uses "
                "({hint})", covers=consent.covers, hint=suggest(consent.covers, known))))


def _check_consents(doc: Document, school: School, catalog: Catalog, problems: list[Problem]) -> None:
    seen: set[str] = set()
    for index, consent in enumerate(school.consents):
        if consent.id in seen:
            problems.append(doc.problem(("consents", index, "id"),
                                        Msg("consents: '{id}' is listed twice", id=consent.id)))
        seen.add(consent.id)
        if consent.id in catalog.consents:
            continue
        missing = [k for k in ("title", "text") if getattr(consent, k) is None]
        if missing:
            problems.append(doc.problem(("consents", index), Msg(
                "consents: '{id}' is not in the consent library ({hint}); a consent of your own "
                "needs {keys}", id=consent.id, hint=suggest(consent.id, list(catalog.consents)),
                keys=missing)))


def suggest(word: str, options: list[str], known: list[str] | None = None) -> Msg:
    """"did you mean 'x'?" for a near miss, else "known: ...": the one suggester (a message
    says it in parentheses)."""
    # two-letter codes are too short for a useful guess: list them instead
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.5) if len(word) > 3 else []
    if close:
        return Msg("did you mean '{name}'?", name=close[0])
    return Msg("known: {names}", names=Seq(sorted(known or options)))


def _consents(activities: list[Activity], school: School, catalog: Catalog) -> Iterator[ConsentItem]:
    """Consents asked for: the consent purposes of the platforms (a whole platform the school
    runs on consent, the consent modules), of the school's own systems, and the school's own
    consents (from the library, with its own texts where given)."""
    for activity in activities:
        view = activity.platform
        if view is None:
            yield from _system_consents(activity)
            continue
        if view.use.basis == "consent":
            yield ConsentItem(id=view.id, title=view.platform.name, text=PLATFORM_CONSENT,
                              data=tuple(d.label for d in activity.data),
                              retention=unique(d.retention for d in activity.data),
                              platform=activity.short_name,
                              subjects=tuple(g for g in activity.groups if g != "teachers"))
            continue
        for mid, module in view.modules:
            basis = view.module_basis(mid, module.purposes[0].basis if module.purposes else "statute")
            if basis != "consent":
                continue
            text = module.consent.text if module.consent else MODULE_CONSENT
            title = module.consent.title if module.consent else module.name
            yield ConsentItem(id=f"{view.id}.{mid}", title=title, text=text,
                              data=tuple(i.label for i in module.data),
                              recipients=module.consent.recipients if module.consent else None,
                              retention=unique(view.retention(i.retention)
                                                            for i in module.data),
                              platform=activity.short_name,
                              retention_of=tuple((i.label, view.retention(i.retention))
                                                 for i in module.data))
    for c in school.consents:
        yield _school_consent(c, catalog.consents.get(c.id))


def _system_consents(activity: Activity) -> Iterator[ConsentItem]:
    """A system's purposes on consent, one consent each."""
    for n, purpose in enumerate(p for p in activity.purposes if p.basis.kind == "consent"):
        used = [d for d in activity.data if set(d.groups) & set(purpose.groups)]
        yield ConsentItem(id=f"{activity.id}.{n + 1}", title=purpose.text, text=SYSTEM_CONSENT,
                          data=tuple(d.label for d in used), retention=unique(d.retention for d in used),
                          platform=activity.short_name,
                          subjects=tuple(g for g in purpose.groups if g != "teachers") or ("pupils",),
                          retention_of=tuple((d.label, d.retention) for d in used),
                          seen_by=tuple(r.name for r in activity.recipients),
                          processed_by=tuple(p.party.name for p in activity.processors))


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
    subjects = tuple(own.subjects) or (tuple(base.subjects) if base else ("pupils",))
    return ConsentItem(id=own.id, title=title, text=text,
                       data=(data,) if data is not None else (),
                       recipients=pick(own.recipients, base.recipients if base else None),
                       retention=(retention,) if retention is not None else (),
                       subjects=subjects, external=bool(own.external))


PLATFORM_CONSENT = N_("Ich willige ein, dass die Schule die in den Datenschutzhinweisen genannten "
                       "Daten für die Nutzung der Plattform zu den dort genannten Zwecken verarbeitet.")
MODULE_CONSENT = N_("Ich willige ein, dass die Schule die unten genannten Daten für diese Funktion "
                     "der Plattform verarbeitet.")
SYSTEM_CONSENT = N_("Ich willige ein, dass die Schule die unten genannten Daten zu diesem Zweck "
                     "verarbeitet.")


def retention_groups(data: Iterable[DataCategory]) -> tuple[RetentionGroup, ...]:
    """Data categories grouped by their retention text, in order."""
    groups: dict[str, tuple[Text, list[Text]]] = {}
    for line in data:
        key = line.retention if isinstance(line.retention, str) else repr(sorted(line.retention.items()))
        labels = groups.setdefault(key, (line.retention, []))[1]
        if line.label not in labels:
            labels.append(line.label)
    return tuple(RetentionGroup(labels=tuple(labels), text=text) for text, labels in groups.values())


def _placeholders(doc: Document) -> Iterator[tuple[Problem, Loc]]:
    for loc, value in _walk(doc.data, ()):
        if is_placeholder(value):
            yield doc.problem(loc, Msg("placeholder still to fill in: {what}", what=missing_of(value)),
                              severity="warning"), loc


def _walk(data: Any, loc: Loc) -> Iterator[tuple[Loc, Any]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _walk(value, (*loc, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _walk(value, (*loc, index))
    else:
        yield loc, data

