"""The shipped knowledge, as frozen pydantic models, and how it is read.

`catalog/states/<code>.yaml`: a Land (school law, the citation for notices, the supervisory
authority, private schools, staff data ...). `catalog/platforms/<id>.yaml`: a platform (vendor,
hosting options, modules with their data, purposes and retention). `catalog/consents/<id>.yaml`:
the consent library. `catalog/laws/<id>.yaml`: a data-protection regime (DSGVO, DSG-EKD, KDG,
KDR-OG) with the provision to cite per role and per legal basis. `catalog/authorities/<id>.yaml`:
a supervisory authority that is not a Land's public-sector one.

Every fact carries its source and a confidence; what could not be verified is 'unknown' with
the question the school's data protection officer must answer.
"""

from __future__ import annotations

import typing
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from .errors import InputError, Problem
from .load import Document, read_yaml
from .messages import Msg, Seq
from .model import (
    UNKNOWN,
    Basis,
    Confidence,
    Date,
    Email,
    GroupId,
    Hosting,
    Id,
    LawName,
    LongText,
    Model,
    Phone,
    Postcode,
    PrintedLongText,
    PrintedText,
    Role,
    Sources,
    Text,
    Url,
    _checked,
    refused,
    validate,
)

# ---------------------------------------------------------------------------- catalog: states


class Provision(Model):
    """A provision of school law, cited in notices. `title` may be 'unknown'."""

    ref: Text
    title: Text
    note: LongText | None = None
    in_force_since: Date | None = None  # where the source gives the date of this version
    confidence: Confidence
    sources: Sources


class SchoolLaw(Model):
    abbr: Text
    full_name: LawName
    provisions: Annotated[list[Provision], Field(min_length=1)]


class Law(Model):
    abbr: Text
    full_name: Text
    note: LongText | None = None
    confidence: Confidence
    sources: Sources


class Rule(Model):
    """A regulation or administrative rule next to the school law."""

    name: LongText
    confidence: Confidence
    sources: Sources


class Authority(Model):
    """The data protection supervisory authority (Art. 51 DSGVO) of a Land."""

    name: Text
    short: Text
    street: Text
    postcode: Postcode
    city: Text
    postal_address: Text  # 'unknown' where not verified
    website: Url
    email: Email | None = None
    note: LongText | None = None
    confidence: Confidence
    street_confidence: Confidence | None = None
    sources: Sources


class Citation(Model):
    """The legal basis the Land's notices cite, with how sure the research is of it."""

    text: Text
    confidence: Confidence
    note: LongText | None = None
    sources: Sources


def _sourced(sources: list[str], *, known: bool) -> list[str]:
    if known and not sources:
        raise refused("source_missing", Msg("a known fact needs at least one source"))
    return sources


def _asked_or_sourced(what: str, value: str, *, asked: bool, sources: list[str]) -> None:
    """An unknown value must say what the school's DPO must confirm; a known one its source.
    `what` is the key that is unknown ('ref', 'measure')."""
    if value == UNKNOWN and not asked:
        raise refused("question_missing", Msg("an unknown {what} needs a 'question:' that says what "
                                              "the school's DPO must confirm", what=what))
    _sourced(sources, known=value != UNKNOWN)


class SourcedRef(Model):
    """A provision cited for one role (a right, a legal basis, staff data ...), or 'unknown' with
    the question the school's data protection officer must answer. An unknown ref is never
    printed; a known one needs a source."""

    ref: Text  # 'unknown' where not verified
    title: Text | None = None
    note: LongText | None = None
    question: LongText | None = None  # what the school's DPO must confirm (internal)
    confidence: Confidence
    sources: list[Text] = Field(default_factory=list)

    @model_validator(mode="after")
    def _sourced_or_asked(self) -> SourcedRef:
        _asked_or_sourced("ref", self.ref, asked=bool(self.question or self.note),
                          sources=self.sources)
        return self


class Condition(Model):
    """What must be true before a fact holds: the notice states it, the school confirms it."""

    text: PrintedText  # printed in the notice, e.g. "Die Schulkonferenz hat ... beschlossen"
    confirm: LongText  # the question the check asks the school (internal)
    provision: Text | None = None
    confidence: Confidence
    sources: Sources


class OpenQuestion(Model):
    """A point of a Land's law that could not be verified and has no field of its own."""

    topic: Id
    question: LongText
    note: LongText | None = None
    sources: list[Text] = Field(default_factory=list)


class Fact(Model):
    """A yes / no / unknown fact with its source; an unknown fact may have no source."""

    value: Literal["yes", "no", "unknown"]
    provision: Text | None = None
    only: Text | None = None  # "yes" holds only for this (e.g. a state platform), not in general
    condition: Condition | None = None  # "yes" holds only once the school confirms this
    note: LongText | None = None
    question: LongText | None = None  # what the school's DPO must confirm (internal)
    confidence: Confidence
    sources: list[Text] = Field(default_factory=list)

    @field_validator("sources")
    @classmethod
    def _known_needs_source(cls, value: list[str], info: Any) -> list[str]:
        return _sourced(value, known=info.data.get("value") in ("yes", "no"))


class ConsentAge(Model):
    """Who signs a consent: guardians alone below the first age, both in between, pupil alone
    from the second."""

    guardians_only_under: Annotated[int, Field(ge=0, le=18)]
    pupil_alone_from: Annotated[int, Field(ge=0, le=18)]
    note: LongText | None = None
    confidence: Confidence
    sources: Sources


class Templates(Model):
    """Official templates or guidance of the Land, if any ('unknown' where none was found)."""

    url: Literal["unknown"] | Url
    note: LongText | None = None
    confidence: Confidence


class AuthorityRef(Model):
    """Which supervisory authority is competent: 'land' (this file's supervisory_authority) or
    the id of a file in catalog/authorities/."""

    id: Id
    note: LongText | None = None
    confidence: Confidence
    sources: Sources


class PrivateSchools(Model):
    """Schools in private sponsorship (Ersatzschulen) that are not church bodies."""

    authority: AuthorityRef
    school_law: Fact  # whether the Land's school data law applies to Ersatzschulen
    general_law: SourcedRef | None = None  # e.g. the BDSG for non-public bodies
    note: LongText | None = None
    question: LongText | None = None


class JointCustody(Model):
    """Whether one guardian may sign a school consent for both, or both must sign."""

    signers: Literal["one", "both", "unknown"]
    only: Text | None = None  # the rule holds only for this (e.g. pupils under 14)
    provision: Text | None = None
    note: LongText | None = None
    question: LongText | None = None
    confidence: Confidence
    sources: list[Text] = Field(default_factory=list)

    @field_validator("sources")
    @classmethod
    def _known_needs_source(cls, value: list[str], info: Any) -> list[str]:
        return _sourced(value, known=info.data.get("signers") in ("one", "both"))


class State(Model):
    """A Land: its school law, the citation for notices and the supervisory authority."""

    code: Annotated[str, _checked("state_code", r"[A-Z]{2}", Msg("a two-letter Land code like TH"))]
    name: PrintedText
    as_of: Date  # when the facts below were compiled
    school_law: SchoolLaw
    related_rules: list[Rule] = Field(default_factory=list)
    general_note: Citation | None = None
    notice_citation: Citation
    duty_to_provide: Provision | None = None
    platforms_covered: Fact
    consent_age: ConsentAge
    data_protection_law: Law
    supervisory_authority: Authority
    templates: Templates | None = None
    private_schools: PrivateSchools | None = None
    staff_data: list[SourcedRef] = Field(default_factory=list)  # teachers' and other staff's data
    website_basis: SourcedRef | None = None  # a public school's website and server logs
    joint_custody: JointCustody | None = None
    consent_forms: Fact | None = None  # whether official model consent forms must be used
    open_questions: list[OpenQuestion] = Field(default_factory=list)
    confidence: Confidence
    sources: Sources


# ---------------------------------------------------------------------------- catalog: platforms

DataSource = Literal["import", "use"]


class Vendor(Model):
    """The company that makes a platform (and, for vendor hosting, processes the data)."""

    name: Text
    street: Text  # 'unknown' where not found
    postcode: Text | None = None  # in the vendor's country's format
    city: Text
    country: PrintedText = "Deutschland"
    website: Url | None = None
    note: LongText | None = None
    confidence: Confidence
    sources: Sources


MeasureKind = Literal["encryption_transit", "encryption_rest", "certification", "access_control",
                      "backup", "deletion", "location", "configuration", "organisation"]


class Measure(Model):
    """A technical or organisational measure (Art. 32 DSGVO), for the Art. 30 register."""

    kind: MeasureKind
    text: PrintedText  # 'unknown' where not found: then 'question:' says what to confirm
    by: Literal["vendor", "school"] = "vendor"  # who takes the measure
    note: LongText | None = None
    question: LongText | None = None
    confidence: Confidence
    sources: list[Text] = Field(default_factory=list)

    @model_validator(mode="after")
    def _sourced_or_asked(self) -> Measure:
        _asked_or_sourced("measure", self.text, asked=bool(self.question), sources=self.sources)
        return self


class SourcedText(Model):
    """A printed statement with its source (e.g. where a copy of the safeguards is available)."""

    text: PrintedLongText
    note: LongText | None = None
    confidence: Confidence
    sources: Sources


class Assessment(Model):
    """A supervisory authority's assessment of a platform: for the DPO and the check (internal)."""

    authority: Text
    date: Date
    title: Text
    summary: LongText
    scope: LongText | None = None  # for whom it holds (e.g. bodies in Hessen only)
    url: Url | None = None
    confidence: Confidence
    sources: Sources


class HostingOption(Model):
    """How a platform is run: where the data are, and what the vendor does as processor."""

    description: PrintedLongText
    processor_task: PrintedText | None = None  # None: no processor in this set-up
    processor_is_vendor: bool = True  # False: the school names its hosting company
    location: PrintedText  # 'unknown' where the catalog cannot say; the school file then names it
    third_country: PrintedLongText | None = None  # None: no transfer to a third country
    safeguards_copy: SourcedText | None = None  # where a copy of the safeguards is (Art. 13 (1) f)
    # measures of this hosting option (see Platform.measures)
    measures: list[Measure] = Field(default_factory=list)
    confidence: Confidence
    sources: Sources


class RetentionRule(Model):
    text: PrintedLongText
    # the period is a setting the school chooses in the product (its default may keep data
    # for ever): the school must say what it set, the text alone is not a storage period
    set_by_school: bool = False
    confidence: Confidence
    sources: Sources


class DataItem(Model):
    label: PrintedText
    source: DataSource
    retention: Id  # a key of the platform's `retention` rules
    voluntary: bool = False
    # whose data these are; empty: the platform's users
    groups: list[GroupId] = Field(default_factory=list)


class Purpose(Model):
    text: PrintedText
    basis: Basis = "statute"


class ConsentText(Model):
    """What the consent sheet says for one consent purpose of a platform module."""

    title: PrintedText
    text: PrintedLongText
    recipients: PrintedLongText | None = None  # who sees the data; what and how long: the module


def _pupils() -> list[GroupId]:
    return ["pupils"]


class ConsentPurpose(Model):
    """A consent from the shipped library (catalog/consents/): what is processed, who sees it,
    how long. Schools switch it on by id and may override any text."""

    title: PrintedText
    text: PrintedLongText
    data: PrintedLongText
    recipients: PrintedLongText
    retention: PrintedLongText
    # whose data it covers
    subjects: Annotated[list[GroupId], Field(min_length=1)] = Field(default_factory=_pupils)
    note: LongText | None = None
    sources: Sources


class Module(Model):
    name: PrintedText
    required: bool = False
    data: list[DataItem] = Field(default_factory=list)
    purposes: list[Purpose] = Field(default_factory=list)
    consent: ConsentText | None = None
    third_country: LongText | None = None  # a transfer this module adds to its platform's
    question: LongText | None = None  # what the school's DPO must confirm before turning it on
    sources: Sources

    @field_validator("consent")
    @classmethod
    def _consent_needs_consent_purpose(cls, value: ConsentText | None, info: Any) -> ConsentText | None:
        purposes = info.data.get("purposes", [])
        if value is None and any(p.basis == "consent" for p in purposes):
            raise refused("consent_text", Msg("a purpose with basis 'consent' needs a 'consent:' "
                                              "text for the consent sheet"))
        return value


class Platform(Model):
    name: PrintedText
    short_name: Text  # a brand, the same in every language
    description: PrintedLongText
    not_for: PrintedLongText | None = None
    # modules with which `not_for` is false: drop it when one is on
    not_with: list[Id] = Field(default_factory=list)
    vendor: Vendor
    hosting: dict[Hosting, HostingOption]
    retention: dict[Id, RetentionRule]
    modules: dict[Id, Module]
    measures: list[Measure] = Field(default_factory=list)  # measures for every hosting option
    own_purposes: SourcedText | None = None  # what the vendor processes as its own controller
    assessments: list[Assessment] = Field(default_factory=list)
    sources: Sources

    @model_validator(mode="after")
    def _not_with_known_modules(self) -> Platform:
        unknown = [m for m in self.not_with if m not in self.modules]
        if unknown:
            raise refused("not_with", Msg("not_with names modules that are not under 'modules:': "
                                          "{names}", names=Seq(unknown)))
        return self


# ---------------------------------------------------------------------------- laws

REQUIRED_ROLES: tuple[Role, ...] = (
    "information_direct", "information_indirect", "access", "rectification", "erasure",
    "restriction", "portability", "objection", "automated_decisions", "consent",
    "consent_conditions", "withdrawal", "complaint", "dpo", "processors")

BasisKind = Basis
# Controllers a legal basis is not available to: public authorities performing their tasks
# (Art. 6 Abs. 1 UAbs. 2 DSGVO), church bodies organised under public law (§ 6 Abs. 1 lit. g
# Satz 2 KDG). Which school is which follows from its kind and its Träger's legal form.
Excluded = Literal["public_authority", "church_public_law_body"]
SchoolKind = Literal["public", "private", "church", "operator"]


class BasisRef(SourcedRef):
    """The provision of one kind of legal basis, and for whom it is not available."""

    not_for: list[Excluded] = Field(default_factory=list)
    limit: LongText | None = None  # the limit in the law's words (internal)


class Version(Model):
    text: LongText
    in_force_since: Date | None = None
    note: LongText | None = None
    confidence: Confidence
    sources: Sources


class Regime(Model):
    """One data-protection law a school can be under: `catalog/laws/<id>.yaml`."""

    id: Id  # the file stem
    name: LawName
    abbr: Text
    applies_to: Annotated[list[SchoolKind], Field(min_length=1)]
    version: Version
    supplements: list[SourcedRef] = Field(default_factory=list)  # BDSG, Land laws ...
    roles: dict[Role, SourcedRef]
    bases: dict[BasisKind, BasisRef]
    authorities: list[Id] = Field(default_factory=list)  # files in catalog/authorities/
    note: LongText | None = None
    sources: Sources

    @model_validator(mode="after")
    def _every_role_and_basis(self) -> Regime:
        missing = [r for r in REQUIRED_ROLES if r not in self.roles]
        missing += [b for b in typing.get_args(BasisKind) if b not in self.bases]
        if missing:
            raise refused("roles_missing", Msg("missing roles or bases: {names} (use ref: unknown "
                                               "with a question where not verified)",
                                               names=Seq(missing)))
        return self


# ---------------------------------------------------------------------------- authorities

MaybePostcode = Literal["unknown"] | Postcode
MaybeEmail = Literal["unknown"] | Email
MaybePhone = Literal["unknown"] | Phone
AuthorityField = Literal["name", "street", "postcode", "city", "postal_address", "phone", "email",
                         "website", "complaint_form", "head", "covers"]
LandCode = Annotated[str, Field(pattern=r"[A-Z]{2}")]


class Covers(Model):
    """For whom an authority is competent."""

    dioceses: list[Text] = Field(default_factory=list)
    landeskirchen: list[Text] = Field(default_factory=list)
    laender: list[LandCode] = Field(default_factory=list)  # Länder codes of catalog/states/
    bodies: Text | None = None  # in words, where no list fits (e.g. all bodies under DSG-EKD)
    note: LongText | None = None


class Office(Model):
    """A regional office of an authority (e.g. an Außenstelle of the BfD EKD)."""

    name: Text
    street: Text  # 'unknown' where not found
    postcode: MaybePostcode
    city: Text
    phone: MaybePhone | None = None
    email: MaybeEmail | None = None
    covers: Covers | None = None
    note: LongText | None = None
    confidence: Confidence
    sources: Sources


class SupervisoryAuthority(Model):
    """A data protection supervisory authority: `catalog/authorities/<id>.yaml`."""

    id: Id  # the file stem
    name: Text  # a German authority keeps its German name in every language
    short: Text
    law: Id  # the regime it supervises under (a file in catalog/laws/)
    street: Text  # 'unknown' where not found
    postcode: MaybePostcode
    city: Text
    postal_address: Text  # 'unknown' where not verified
    phone: MaybePhone | None = None
    fax: MaybePhone | None = None
    email: MaybeEmail | None = None
    website: Url | None = None
    complaint_form: Url | None = None
    head: Text | None = None  # changes with elections and appointments
    covers: Covers
    offices: list[Office] = Field(default_factory=list)
    # fields less certain than the rest of the record
    field_confidence: dict[AuthorityField, Confidence] = Field(default_factory=dict)
    note: LongText | None = None
    question: LongText | None = None  # what the school's DPO must confirm
    confidence: Confidence
    sources: Sources


# ---------------------------------------------------------------------------- loading


def open_questions(regime: Regime) -> Iterator[tuple[str, str]]:
    """(role or basis, question) for every ref of `regime` that is unknown or carries a
    question: what the check asks the school's data protection officer."""
    entries: list[tuple[str, SourcedRef]] = [*regime.roles.items(), *regime.bases.items()]
    for key, ref in entries:
        if ref.question or ref.ref == UNKNOWN:
            yield key, ref.question or ref.note or ""


@dataclass(frozen=True)
class Catalog:
    """The shipped knowledge: Länder, platforms, the consent library, laws, authorities."""

    states: dict[str, State]
    platforms: dict[str, Platform]
    consents: dict[str, ConsentPurpose]
    laws: dict[str, Regime]
    authorities: dict[str, SupervisoryAuthority]
    paths: dict[tuple[str, str], Path]  # ("states", "th") -> the file it was read from

    @property
    def files(self) -> tuple[Path, ...]:
        return tuple(sorted(self.paths.values()))

    def path(self, part: str, key: str) -> Path | None:
        """The file an entry was read from (a project's own file takes a shipped one's place)."""
        return self.paths.get((part, key.lower()))


CATALOG_PARTS: dict[str, type[Model]] = {
    "states": State, "platforms": Platform, "consents": ConsentPurpose, "laws": Regime,
    "authorities": SupervisoryAuthority}


def load_catalog(roots: Path | Sequence[Path]) -> Catalog:
    """Every catalog file under the catalog folders `roots`; a file in a later folder (a
    project's own catalog) takes the place of one of the same name before. InputError lists
    every problem: invalid files, ids that are not the file name, references that lead nowhere."""
    paths: dict[tuple[str, str], Path] = {}
    for root in [roots] if isinstance(roots, Path) else roots:
        for part in CATALOG_PARTS:
            paths.update(((part, p.stem), p) for p in sorted((root / part).glob("*.yaml")))
    problems: list[Problem] = []
    entries: dict[str, dict[str, Any]] = {part: {} for part in CATALOG_PARTS}
    docs: dict[tuple[str, str], Document] = {}
    for (part, key), path in sorted(paths.items()):
        try:
            docs[(part, key)] = read_yaml(path)
            entries[part][key] = validate(docs[(part, key)], CATALOG_PARTS[part])
        except InputError as exc:
            problems.extend(exc.problems)
    for key, state in entries["states"].items():
        if state.code.lower() != key:
            problems.append(Problem(path=paths[("states", key)], line=1, column=1,
                                    message=Msg("code '{code}' does not match the file name",
                                                code=state.code)))
    for key, platform in entries["platforms"].items():
        problems.extend(_check_platform(paths[("platforms", key)], platform))
    problems += _check_references(entries, paths, docs)
    if problems:
        raise InputError(problems)
    return Catalog(states={k.upper(): v for k, v in entries["states"].items()},
                   platforms=entries["platforms"], consents=entries["consents"],
                   laws=entries["laws"], authorities=entries["authorities"], paths=paths)


def _check_references(entries: dict[str, dict[str, Any]], paths: dict[tuple[str, str], Path],
                      docs: dict[tuple[str, str], Document]) -> list[Problem]:
    """Ids that are not their file's name; laws, authorities and Länder that point at a file
    that is not there (a file that is there but invalid is reported once, by itself)."""
    problems = [docs[(part, key)].problem(("id",), Msg("id '{id}' does not match the file name",
                                                       id=item.id))
                for part in ("laws", "authorities") for key, item in entries[part].items()
                if item.id != key]
    there = {part: {key for (p, key) in paths if p == part} for part in ("laws", "authorities")}
    for key, regime in entries["laws"].items():
        problems += [docs[("laws", key)].problem(("authorities", n), Msg(
                         "authorities: no file {path}", path=_file("authorities", a)))
                     for n, a in enumerate(regime.authorities) if a not in there["authorities"]]
    for key, authority in entries["authorities"].items():
        if authority.law not in there["laws"]:
            problems.append(docs[("authorities", key)].problem(
                ("law",), Msg("law: no file {path}", path=_file("laws", authority.law))))
    for key, state in entries["states"].items():
        ref = state.private_schools.authority.id if state.private_schools else "land"
        if ref != "land" and ref not in there["authorities"]:
            problems.append(Problem(path=paths[("states", key)], message=Msg(
                "private_schools.authority: no file {path}", path=_file("authorities", ref))))
    return problems


def _file(part: str, key: str) -> str:
    """A catalog file as a message names it: catalog/laws/dsgvo.yaml."""
    return f"catalog/{part}/{key}.yaml"


def _check_platform(path: Path, platform: Platform) -> list[Problem]:
    return [Problem(path=path, message=Msg("modules.{module}: data item '{label}' refers to "
                                           "retention rule '{rule}', which is not under 'retention:'",
                                           module=mid, label=item.label, rule=item.retention))
            for mid, module in platform.modules.items() for item in module.data
            if item.retention not in platform.retention]


