"""The law a controller is under and the supervisory authorities beyond the Länder's.

`catalog/laws/<id>.yaml` is one data-protection regime (the DSGVO, the Protestant DSG-EKD, the
Catholic KDG and KDR-OG): per role the provision a notice cites (information, each right,
complaint, DPO, processors, consent) and per kind of legal basis the provision and its limits.
`catalog/authorities/<id>.yaml` is one supervisory authority that is not a Land's public-sector
authority (the church authorities, the Bavarian authority for private bodies).

Every fact carries its source and a confidence; a ref that could not be verified is
'unknown' with the question the school's data protection officer must answer. An unknown ref
is never printed: the check asks instead (`open_questions`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Literal, TypeVar

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from .errors import InputError, Problem
from .load import Document, read_yaml
from .model import (
    UNKNOWN,
    Confidence,
    Email,
    Id,
    LawName,
    LongText,
    Model,
    Phone,
    Postcode,
    SourcedRef,
    Sources,
    State,
    Text,
    Url,
    validate,
)

# ---------------------------------------------------------------------------- laws

Role = Literal[
    "information_direct",    # information at collection (Art. 13 DSGVO)
    "information_indirect",  # data not obtained from the data subject (Art. 14 DSGVO)
    "access", "rectification", "erasure", "restriction", "portability", "objection",
    "automated_decisions",
    "consent",               # what a consent is and when it is valid
    "consent_conditions",    # conditions of consent (Art. 7 DSGVO)
    "withdrawal",            # withdrawal of consent (Art. 7 Abs. 3 DSGVO)
    "consent_minors",        # minors' consent
    "complaint",             # complaint to the supervisory authority (Art. 77 DSGVO)
    "judicial_remedy",
    "dpo",                   # the data protection officer
    "processors",            # Auftragsverarbeitung (Art. 28 DSGVO)
    "security",              # technical and organisational measures (Art. 32 DSGVO)
    "records",               # the register of processing activities (Art. 30 DSGVO)
]
REQUIRED_ROLES: tuple[Role, ...] = (
    "information_direct", "information_indirect", "access", "rectification", "erasure",
    "restriction", "portability", "objection", "automated_decisions", "consent",
    "consent_conditions", "withdrawal", "complaint", "dpo", "processors")

BasisKind = Literal["statute", "consent", "obligation", "contract", "legitimate_interest"]
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
    in_force_since: dt.date | None = None
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
            raise PydanticCustomError("roles_missing", "missing roles or bases: {names} (use "
                                      "ref: unknown with a question where not verified)",
                                      {"names": ", ".join(missing)})
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

M = TypeVar("M", Regime, SupervisoryAuthority)


@dataclasses.dataclass(frozen=True)
class LawCatalog:
    laws: dict[str, Regime]
    authorities: dict[str, SupervisoryAuthority]
    files: tuple[Path, ...]


def load_law_catalog(root: Path) -> LawCatalog:
    """Read catalog/laws/ and catalog/authorities/ under `root` (catalog/); raise InputError
    with every problem: invalid files, ids that are not the file name, unknown cross-references."""
    problems: list[Problem] = []
    laws = _load(root / "laws", Regime, problems)
    authorities = _load(root / "authorities", SupervisoryAuthority, problems)
    # a file that exists but is invalid is reported once, not again by what refers to it
    law_files = {p.stem for p in (root / "laws").glob("*.yaml")}
    authority_files = {p.stem for p in (root / "authorities").glob("*.yaml")}
    for doc, regime in laws.values():
        problems += [doc.problem(("authorities", n), f"authorities: no file catalog/authorities/{a}.yaml")
                     for n, a in enumerate(regime.authorities) if a not in authority_files]
    for doc, authority in authorities.values():
        if authority.law not in law_files:
            problems.append(doc.problem(("law",), f"law: no file catalog/laws/{authority.law}.yaml"))
    if problems:
        raise InputError(problems)
    files = tuple(sorted(p for part in ("laws", "authorities") for p in (root / part).glob("*.yaml")))
    return LawCatalog(laws={k: v for k, (_, v) in laws.items()},
                      authorities={k: v for k, (_, v) in authorities.items()}, files=files)


def _load(folder: Path, cls: type[M], problems: list[Problem]) -> dict[str, tuple[Document, M]]:
    result: dict[str, tuple[Document, M]] = {}
    for path in sorted(folder.glob("*.yaml")):
        try:
            doc = read_yaml(path)
            item = validate(doc, cls)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        if item.id != path.stem:
            problems.append(doc.problem(("id",), f"id '{item.id}' does not match the "
                                        "file name"))
        result[path.stem] = (doc, item)
    return result


def state_problems(catalog: LawCatalog, states: dict[str, State], root: Path) -> list[Problem]:
    """References from catalog/states/ into this catalog that lead nowhere."""
    return [Problem(path=root / "states" / f"{code.lower()}.yaml",
                    message=f"private_schools.authority: no file catalog/authorities/{ref}.yaml")
            for code, state in states.items() if state.private_schools
            for ref in [state.private_schools.authority.id]
            if ref != "land" and ref not in catalog.authorities]


def open_questions(regime: Regime) -> Iterator[tuple[str, str]]:
    """(role or basis, question) for every ref of `regime` that is unknown or carries a
    question: what the check asks the school's data protection officer."""
    entries: list[tuple[str, SourcedRef]] = [*regime.roles.items(), *regime.bases.items()]
    for key, ref in entries:
        if ref.question or ref.ref == UNKNOWN:
            yield key, ref.question or ref.note or ""
