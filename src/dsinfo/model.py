"""The shape of school files and catalog files, as frozen pydantic models.

Every model forbids unknown keys, so a typo is an error, not a silently ignored line.
`validate()` turns pydantic's errors into positioned, plain-language problems.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import functools
import re
import types
import typing
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar, Union
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)
from pydantic_core import PydanticCustomError

from .errors import MAX_PROBLEMS_PER_FILE, InputError, Problem, shown
from .i18n import LANGUAGES
from .load import Document, Loc
from .messages import ENGLISH, Either, Msg, Msgs, Seq
from .messages import Text as Said

# ---------------------------------------------------------------------------- value types

PLACEHOLDER_PREFIX = "TODO"


def is_placeholder(value: object) -> bool:
    """A value the school still has to fill in, written as 'TODO: what is missing'."""
    return isinstance(value, str) and value.startswith(PLACEHOLDER_PREFIX)


def missing_of(placeholder: str) -> Said:
    """What a placeholder says is missing: 'TODO: Telefon' -> 'Telefon' (else 'a value')."""
    return placeholder.removeprefix(PLACEHOLDER_PREFIX).lstrip(": ") or Msg("a value")


def refused(kind: str, message: Msg) -> PydanticCustomError:
    """A validation error of the models, in the words of `message`: pydantic's own text of it
    is the English, and `validate` gives the problem the message itself (to be translated)."""
    return PydanticCustomError(kind, "{message}", {"message": message})


def _checked(kind: str, test: str | Callable[[str], bool], hint: Msg) -> AfterValidator:
    """A validator: `value` must be a placeholder or pass `test` (a pattern for the whole
    value, or a function); `hint` says what it must be ("an e-mail address like ...")."""
    passes = test if callable(test) else functools.partial(_fullmatch, re.compile(test))

    def check(value: str) -> str:
        if is_placeholder(value) or passes(value):
            return value
        raise refused(kind, Msg("'{value}' is not {hint}", value=shown(value), hint=hint))

    return AfterValidator(check)


def _fullmatch(regex: re.Pattern[str], value: str) -> bool:
    return regex.fullmatch(value) is not None


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20000)]


@dataclasses.dataclass(frozen=True)
class Printed:
    """Marks a catalog field whose German text is printed in a notice: it is extracted into
    locales/messages.pot (dsinfo.extract) and translated through the `t` template filter.
    `hint` is shown to translators next to the text."""

    hint: str = ""


PrintedText = Annotated[Text, Printed()]
PrintedLongText = Annotated[LongText, Printed()]
LawName = Annotated[Text, Printed("The name of a German law: keep it in German and add a "
                                  "translation in parentheses, e.g. 'Thüringer Schulgesetz "
                                  "(Thuringian School Act)'.")]
# E-mail addresses and web addresses are checked here and nowhere else: the school file's
# fields, the wizard's answers and the links in the schools' Markdown (render.py) all ask
# is_email / is_web_address / is_safe_link.
DOMAIN = r"(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+(?:[^\W\d_]{2,63}|xn--[a-z0-9-]{1,59})"
# The local part and the domain, nothing else: no '?', '&', '%' or '#', which would turn a
# mailto: link into one that adds recipients (?bcc=...) or a subject.
EMAIL = rf"[\w+-]+(?:\.[\w+-]+)*@{DOMAIN}"
_EMAIL = re.compile(EMAIL)
_HOST = re.compile(rf"{DOMAIN}(?::\d{{1,5}})?")
_URL_REST = re.compile(r"[^\s<>\"'`\\\x00-\x1f\x7f-\x9f]*")
POSTCODE = r"\d{5}"
PHONE = r"\+?[0-9 ()/\-]{4,30}"


def is_email(value: str) -> bool:
    """An e-mail address: a local part of letters, digits, '.', '_', '+' and '-', and a domain
    name; nothing a mailto: link would read as more (name@schule.de?bcc=... is not one)."""
    return len(value) <= 254 and _EMAIL.fullmatch(value) is not None


def is_web_address(value: str) -> bool:
    """An http(s) address of a named host: no user name or password before the host
    (https://schule.de@elsewhere.example/ goes to elsewhere.example), no backslash, spaces,
    quotes or angle brackets anywhere."""
    try:
        parts = urlsplit(value)
    except ValueError:  # e.g. an unclosed '[' in the host
        return False
    return (parts.scheme in ("http", "https") and value.startswith(f"{parts.scheme}://")
            and _HOST.fullmatch(parts.netloc) is not None
            and _URL_REST.fullmatch(value) is not None)


def is_safe_link(url: str) -> bool:
    """A link the schools' Markdown may make: a web address, a plain mailto: address, or an
    anchor on the same page."""
    if url.startswith("#"):
        return _URL_REST.fullmatch(url) is not None
    if url.lower().startswith("mailto:"):
        return is_email(url[len("mailto:"):])
    return is_web_address(url)


Email = Annotated[Text, _checked("email", is_email, Msg("an e-mail address like name@schule.de"))]
Url = Annotated[Text, _checked("url", is_web_address, Msg(
    "a web address: write it with https:// at the start, e.g. https://www.schule.de"))]
Postcode = Annotated[Text, _checked("postcode", POSTCODE, Msg("a German postcode of five digits"))]
Phone = Annotated[Text, _checked("phone", PHONE, Msg(
    "a phone number like 036338 12345 (only digits, spaces and + ( ) / -)"))]
Id = Annotated[str, _checked("id", r"[a-z0-9][a-z0-9_-]{0,63}",
                             Msg("a name of lowercase letters, digits, '-' and '_'"))]
Confidence = Literal["high", "medium", "low"]
Sources = Annotated[list[Text], Field(min_length=1)]
GroupId = Literal["pupils", "guardians", "teachers", "staff"]  # the groups the catalog names
MAX_ENTRIES = 50  # per list in a school file: recipients, extra paragraphs, platforms, modules
if TYPE_CHECKING:  # mypy cannot read a Literal from a tuple; pydantic validates the Literal below
    Lang = str
else:
    Lang = Literal[LANGUAGES]  # the languages the build offers (i18n.LANGUAGES)
UNKNOWN = "unknown"


FIRST_YEAR, LAST_YEAR = 2000, 2098  # school years 2000/01 to 2098/99; dates in 1900 to 2099


def _school_year(value: str) -> str:
    match = re.fullmatch(r"(\d{4})/(\d{2})", value)
    if not match or (int(match[1]) + 1) % 100 != int(match[2]):
        raise refused("school_year", Msg("'{value}' is not a school year like 2023/24",
                                         value=shown(value)))
    if not FIRST_YEAR <= int(match[1]) <= LAST_YEAR:
        raise refused("school_year", Msg("'{value}' is not a school year between {first} and {last}",
                                         value=shown(value), first=school_year_from(FIRST_YEAR),
                                         last=school_year_from(LAST_YEAR)))
    return value


SchoolYear = Annotated[Text, AfterValidator(_school_year)]


def _iso_date(value: Any) -> Any:
    """Only YYYY-MM-DD is a date: pydantic alone would also take '1754006400' (seconds since
    1970) and '2025-08-01T00:00:00'. A year outside 1900-2099 is a typo."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        day = value
    elif isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            day = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise PydanticCustomError("date_parsing", "not a date") from None  # see _message
    else:
        raise PydanticCustomError("date_parsing", "not a date")
    if not 1900 <= day.year <= LAST_YEAR + 1:
        raise refused("date_range", Msg("'{value}' is not a date between 1900 and {last}: is the "
                                        "year right?", value=shown(value), last=LAST_YEAR + 1))
    return day


Date = Annotated[dt.date, BeforeValidator(_iso_date)]


def school_year_from(start: int) -> str:
    """The school year that starts in `start`: 2025 -> '2025/26'."""
    return f"{start}/{(start + 1) % 100:02d}"


def _as_local(value: Any) -> Any:
    """A plain string is the German text; a mapping gives the text per language."""
    return {"de": value} if isinstance(value, str) else value


def _german_first(value: dict[str, str]) -> dict[str, str]:
    if "de" not in value:
        raise refused("german_missing", Msg("the German text ('de:') is missing: German is the "
                                            "binding version"))
    return value


LocalText = Annotated[dict[Lang, Text], BeforeValidator(_as_local), AfterValidator(_german_first)]
LocalMarkdown = Annotated[dict[Lang, LongText], BeforeValidator(_as_local),
                          AfterValidator(_german_first)]


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_max_length=20000)


# ---------------------------------------------------------------------------- school files

Hosting = Literal["on_premises", "cloud"]
Basis = Literal["statute", "consent", "obligation", "contract", "legitimate_interest"]

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
# What 'law_refs:' in a school file may give: a role's provision, a basis's provision, the
# provision that obliges pupils and guardians to provide their data (Art. 13 Abs. 2 lit. e).
LawRefKey = Literal[Role, "basis.statute", "basis.consent", "basis.obligation", "basis.contract",
                    "basis.legitimate_interest", "duty_to_provide"]
# whose data: the groups every school has, and any the school names under `groups:`
GROUPS = ("pupils", "guardians", "teachers", "staff")
DataOrigin = Literal["person", "records", "use"]  # given by the person, school records, made in use
SchoolKind = Literal["public", "private", "church", "operator"]
ChurchLaw = Literal["dsg_ekd", "kdg", "kdr_og"]
SchoolType = Literal["grundschule", "foerderschule", "weiterfuehrende_schule", "gymnasium",
                     "berufsbildende_schule", "other"]


class Contact(Model):
    """An organisation or person with an address and ways to reach it."""

    name: Text
    street: Text | None = None
    postcode: Postcode | None = None
    city: Text | None = None
    country: LocalText | None = None  # where not Germany
    phone: Phone | None = None
    email: Email | None = None
    website: Url | None = None


class Ages(Model):
    """The ages of a school's pupils, youngest and oldest."""

    youngest: Annotated[int, Field(ge=3, le=30)]
    oldest: Annotated[int, Field(ge=3, le=99)]

    @field_validator("oldest")
    @classmethod
    def _in_order(cls, value: int, info: Any) -> int:
        if value < info.data.get("youngest", 0):
            raise refused("age_order", Msg("must not be lower than {key}", key="youngest"))
        return value


class SchoolInfo(Model):
    """The controller (Verantwortlicher): a school, or an operator that runs a platform."""

    name: Text
    street: Text
    postcode: Postcode
    city: Text
    phone: Phone | None = None
    email: Email
    website: Url | None = None
    head: Text | None = None  # who represents it, e.g. the head of school "Dr. N. N."
    kind: SchoolKind = "public"
    church_law: ChurchLaw | None = None  # a church school: the church's data-protection law
    authority: Id | None = None  # a church school's supervisory authority (catalog/authorities/)
    type: SchoolType | None = None
    ages: Ages | None = None  # e.g. {youngest: 6, oldest: 10}: no pupil signs below 14

    @field_validator("church_law")
    @classmethod
    def _church_only(cls, value: str | None, info: Any) -> str | None:
        if value is not None and info.data.get("kind") != "church":
            raise refused("church_law", Msg("church_law is for a church school: set "
                                            "'kind: church' too, or remove it"))
        return value


class Dpo(Model):
    """The data protection officer (Art. 37 DSGVO); at least e-mail or postal address."""

    name: Text | None = None
    organisation: Text | None = None
    street: Text | None = None
    postcode: Postcode | None = None
    city: Text | None = None
    phone: Phone | None = None
    email: Email | None = None


class Group(Model):
    """A data-subject group of the school's own (besides pupils, guardians, teachers, staff)."""

    id: Id
    name: LocalText  # e.g. "Ausbilderinnen und Ausbilder der Ausbildungsbetriebe"


class DataEntry(Model):
    """A data category: whose, where it comes from, how long it is kept."""

    label: LocalText
    groups: Annotated[list[Id], Field(max_length=MAX_ENTRIES)] = []  # empty: the system's groups
    source: DataOrigin = "person"
    retention: LocalText  # how long: a period or an event ('6 Monate', 'bis zum Verlassen ...')
    voluntary: bool = False


class PurposeEntry(Model):
    """A purpose with its legal basis."""

    text: LocalText
    basis: Basis
    provision: Text | None = None  # the provision the basis rests on, e.g. "§ 31 NSchG"
    groups: Annotated[list[Id], Field(max_length=MAX_ENTRIES)] = []


class ProcessorEntry(Model):
    """A processor (Art. 28 DSGVO): who, what it does, where the data are, its safeguards."""

    name: Text
    street: Text | None = None
    postcode: Text | None = None  # in the processor's country's format
    city: Text | None = None
    country: LocalText | None = None  # where not Germany
    task: LocalText
    location: LocalText  # where the data are, e.g. "Rechenzentrum in Frankfurt am Main"
    safeguards: LocalText | None = None  # certifications or contract terms, as the school states them


class TransferEntry(Model):
    """A transfer to a third country and its safeguard (Art. 13 Abs. 1 lit. f DSGVO)."""

    country: LocalText
    safeguard: LocalText  # e.g. "Standardvertragsklauseln (Art. 46 DSGVO)"
    copy_at: LocalText | None = None  # where a copy of the safeguard can be obtained


class Recipient(Model):
    name: LocalText
    purpose: LocalText
    within: bool = False  # a recipient inside the school (a group of its staff)


class Confirmation(Model):
    """A decision the school took where the law leaves it open: who confirmed it, and when."""

    by: Text  # e.g. "die Datenschutzbeauftragte des Schulamts"
    on: Date
    note: LocalText | None = None


class SystemUse(Model):
    """A system or processing activity of the school's own (not in the catalog): the school
    gives every fact a catalog platform would bring."""

    name: LocalText
    description: LocalText | None = None
    vendor: Contact | None = None  # who makes or runs it
    hosting: Hosting | None = None
    location: LocalText | None = None  # where the data are
    processors: Annotated[list[ProcessorEntry], Field(max_length=MAX_ENTRIES)] = []
    no_processor: bool = False  # nobody outside the school has access
    groups: Annotated[list[Id], Field(min_length=1, max_length=MAX_ENTRIES)]
    data: Annotated[list[DataEntry], Field(min_length=1, max_length=MAX_ENTRIES)]
    purposes: Annotated[list[PurposeEntry], Field(min_length=1, max_length=MAX_ENTRIES)]
    recipients: Annotated[list[Recipient], Field(max_length=MAX_ENTRIES)] = []
    transfers: Annotated[list[TransferEntry], Field(max_length=MAX_ENTRIES)] = []
    measures: Annotated[list[LocalText], Field(max_length=MAX_ENTRIES)] = []  # Art. 32 DSGVO
    statute_confirmed: Confirmation | None = None


class PlatformUse(Model):
    """A platform from the catalog the school uses: how it is hosted, which optional modules are
    on, on which basis, and what differs from or adds to the catalog."""

    hosting: Hosting
    modules: Annotated[list[Id], Field(max_length=MAX_ENTRIES)] = []
    # "consent": the whole platform on consent; {module: consent, ...}: those modules only
    basis: Basis | dict[Id, Basis] | None = None
    location: LocalText | None = None  # where the data are, if the catalog does not know
    processor: Contact | None = None  # a processor other than the vendor (e.g. a county IT service)
    processor_task: LocalText | None = None
    no_processor: bool = False  # nobody outside the school has access (e.g. self-maintained server)
    retention: dict[Id, LocalText] = {}  # the school's own text for a retention rule of the catalog
    description: LocalText | None = None  # the school's own description instead of the catalog's
    groups: Annotated[list[Id], Field(max_length=MAX_ENTRIES)] = []  # empty: pupils and teachers
    data: Annotated[list[DataEntry], Field(max_length=MAX_ENTRIES)] = []  # in addition
    purposes: Annotated[list[PurposeEntry], Field(max_length=MAX_ENTRIES)] = []  # in addition
    processors: Annotated[list[ProcessorEntry], Field(max_length=MAX_ENTRIES)] = []  # in addition
    recipients: Annotated[list[Recipient], Field(max_length=MAX_ENTRIES)] = []
    transfers: Annotated[list[TransferEntry], Field(max_length=MAX_ENTRIES)] = []
    measures: Annotated[list[LocalText], Field(max_length=MAX_ENTRIES)] = []
    statute_confirmed: Confirmation | None = None  # where the Land's law leaves the platform open


class AgeRule(Model):
    """Who signs a consent, by the pupil's age (overrides the Land's rule)."""

    guardians_only_under: Annotated[int, Field(ge=0, le=18)]
    pupil_alone_from: Annotated[int, Field(ge=0, le=18)]

    @field_validator("pupil_alone_from")
    @classmethod
    def _in_order(cls, value: int, info: Any) -> int:
        if value < info.data.get("guardians_only_under", 0):
            raise refused("age_order", Msg("must not be lower than {key}", key="guardians_only_under"))
        return value


class SchoolConsent(Model):
    """A consent the school asks for: a library id, with any text of its own; or all its own."""

    id: Id
    title: LocalText | None = None
    text: LocalText | None = None
    data: LocalText | None = None
    recipients: LocalText | None = None
    retention: LocalText | None = None
    covers: Text | None = None  # a platform or system id, or platform.module, it is about
    subjects: Annotated[list[Id], Field(max_length=MAX_ENTRIES)] = []  # whose data; default pupils
    external: bool | None = None  # the data go outside the school (e.g. to training companies)


def _consent_id_alone(value: Any) -> Any:
    """`- photos_website` is short for `- id: photos_website`."""
    return {"id": value} if isinstance(value, str) else value


JointCustody = Literal["both_sign", "one_confirms"]


class ConsentSheet(Model):
    """How consent sheets are signed and handed back."""

    return_by: Date | None = None
    return_to: LocalText | None = None  # e.g. "an die Klassenleitung"
    joint_custody: JointCustody | None = None  # with joint custody: both sign, or one confirms


class RosterColumns(Model):
    """Column names of the roster export from the school administration software."""

    last_name: Text = "Nachname"
    first_name: Text = "Vorname"
    school_class: Text = "Klasse"
    birth_date: Text = "Geburtsdatum"
    language: Text = "Sprache"  # optional in the file: the parent's language for a bilingual sheet


Section = Literal["intro", "controller", "dpo", "data", "purposes", "recipients", "third_country",
                  "retention", "rights", "obligation", "automated", "website", "cookies",
                  "contact", "embeds", "end"]


class Extra(Model):
    """A paragraph of the school's own, in Markdown, placed after a section of a notice; with
    `section: true` a section of its own (numbered, in the table of contents) after it."""

    after: Section
    title: LocalText | None = None
    text: LocalMarkdown
    section: bool = False


LOGO_SUFFIXES = (".png", ".jpg", ".jpeg")


def _logo_path(value: str) -> str:
    # Only a plain relative path; where it really leads (symbolic links) is checked on the disk.
    parts = value.split("/")
    if value.startswith("/") or "\\" in value or re.match(r"[A-Za-z]:", value) or ".." in parts:
        raise refused("logo_path", Msg("'{value}' is not a path inside the folder of the school "
                                       "files: write it relative to that folder, without '..', "
                                       "e.g. logos/gs-am-park.png", value=shown(value)))
    if not value.lower().endswith(LOGO_SUFFIXES):
        raise refused("logo_type", Msg("'{value}' is not a PNG or JPEG file (.png, .jpg)",
                                       value=shown(value)))
    return value


LocalUrl = Annotated[dict[Lang, Url], BeforeValidator(_as_local), AfterValidator(_german_first)]
LogoPath = Annotated[Text, AfterValidator(_logo_path)]


class Publish(Model):
    """Where the notice is online (for the QR code on the consent sheet) and the school's logo."""

    notice_url: LocalUrl | None = None  # '{lang}' in it becomes the language code
    logo: LogoPath | None = None  # relative to the folder of the school file (schools/)
    logo_alt: LocalText | None = None


class Cookie(Model):
    name: Text
    purpose: LocalText
    duration: LocalText  # e.g. "bis zum Ende der Sitzung"
    necessary: bool = True  # strictly necessary (§ 25 Abs. 2 Nr. 2 TDDDG); else it needs consent


class Embed(Model):
    """Content of another provider shown on the website (a map, a video)."""

    name: LocalText
    provider: Contact
    purpose: LocalText
    consent: bool = True  # loaded only after the visitor agrees (two clicks)


class Website(Model):
    """The school's website, for the website notice: its host, server logs, cookies, forms."""

    url: Url
    host: ProcessorEntry  # the web host: a processor
    log_data: Annotated[list[LocalText], Field(max_length=MAX_ENTRIES)] = []  # default: the usual
    log_retention: LocalText
    log_provision: Text | None = None  # the provision the logs rest on, where the Land's is unknown
    cookies: Annotated[list[Cookie], Field(max_length=MAX_ENTRIES)] = []
    contact_form: bool = False
    contact_retention: LocalText | None = None  # how long enquiries are kept (with contact_form)
    embeds: Annotated[list[Embed], Field(max_length=MAX_ENTRIES)] = []
    cms: Text | None = None  # the content management system, e.g. TYPO3


DocumentKind = Literal["notice", "website_notice", "staff_notice", "short_notice", "pupil_notice",
                       "easy_notice", "consent", "consent_letter", "acknowledgement", "withdrawal"]
Numbering = Literal["decimal", "letters", "paragraphs", "none"]


class UsageRules(Model):
    """The rules of use an acknowledgement sheet names (Nutzungsordnung)."""

    title: LocalText
    url: LocalUrl | None = None


class DocumentEntry(Model):
    """One document the school publishes: output/<school>/<lang>/<id>.html and .pdf."""

    id: Annotated[str, _checked("document_id", r"[a-z0-9][a-z0-9-]{0,40}",
                                Msg("a file name of lowercase letters, digits and '-'"))]
    kind: DocumentKind
    title: LocalText | None = None
    audience: Annotated[list[Id], Field(max_length=MAX_ENTRIES)] = []  # groups; default: by kind
    covers: Annotated[list[Text], Field(max_length=MAX_ENTRIES)] = []  # systems, consents, documents
    numbering: Numbering = "decimal"
    questions: bool = False  # headings as questions ("Welche Daten verarbeiten wir?")
    order: Annotated[list[Section], Field(max_length=MAX_ENTRIES)] = []  # the sections, in order
    headings: dict[Section, LocalText] = {}  # the school's own headings
    extra: Annotated[list[Extra], Field(max_length=MAX_ENTRIES)] = []
    acknowledge: bool | None = None  # a consent sheet that also confirms receipt of the notice
    rules: UsageRules | None = None  # an acknowledgement of the rules of use too
    salutation: LocalText | None = None  # a consent letter's salutation


class School(Model):
    """One school file: `schools/<id>.yaml`."""

    school: SchoolInfo
    state: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
    school_year: SchoolYear
    stand: Date
    languages: Annotated[list[Lang], Field(min_length=1)] = ["de"]
    title: LocalText | None = None
    audience: LocalText | None = None
    publish: Publish | None = None
    school_authority: Contact | None = None  # the Schulträger, where there is one
    school_supervision: Contact | None = None
    dpo: Dpo | None = None  # required by Art. 13 DSGVO: the check reports it when missing
    groups: Annotated[list[Group], Field(max_length=MAX_ENTRIES)] = []
    platforms: Annotated[dict[Id, PlatformUse], Field(max_length=MAX_ENTRIES)] = {}
    systems: Annotated[dict[Id, SystemUse], Field(max_length=MAX_ENTRIES)] = {}
    website: Website | None = None
    recipients: Annotated[list[Recipient], Field(max_length=MAX_ENTRIES)] = []
    citation: Text | None = None  # the school's own legal-basis citation instead of the Land's
    law_refs: dict[LawRefKey, Text] = {}  # provisions the catalog does not know (church law)
    supervisory_authority: Contact | None = None  # only if the Land's authority must be renamed
    consent_age: AgeRule | None = None
    consents: Annotated[list[Annotated[SchoolConsent, BeforeValidator(_consent_id_alone)]],
                        Field(max_length=MAX_ENTRIES)] = []
    consent_sheet: ConsentSheet = ConsentSheet()
    documents: Annotated[list[DocumentEntry], Field(max_length=MAX_ENTRIES)] = []
    roster_columns: RosterColumns = RosterColumns()
    extra: Annotated[list[Extra], Field(max_length=MAX_ENTRIES)] = []
    show_changes: bool = False  # the notice lists what changed since the last school year

    @field_validator("languages")
    @classmethod
    def _german_is_binding(cls, value: list[str]) -> list[str]:
        if "de" not in value:
            raise refused("german_missing", Msg("'de' must be among the languages: the German "
                                                "text is the binding one"))
        if len(set(value)) != len(value):
            raise refused("duplicate", Msg("a language is listed twice"))
        return value


# ---------------------------------------------------------------------------- validation

M = TypeVar("M", bound=BaseModel)


def validate(doc: Document, cls: type[M]) -> M:
    """Validate a document against a model; raise InputError listing every problem."""
    if not isinstance(doc.data, dict):
        raise InputError([doc.problem((), Msg("expected keys and values (like 'name: ...') "
                                              "at the top of the file"))])
    try:
        return cls.model_validate(doc.data)
    except ValidationError as exc:
        found = _dedupe([(_problem(doc, cls, err, suggest=False), err)
                         for err in exc.errors(include_url=False)])
        # "did you mean ...?" costs a comparison with every allowed key: made only for the
        # problems that are shown (a file with 20,000 unknown keys took 4 s for it)
        raise InputError([_problem(doc, cls, err) if n < MAX_PROBLEMS_PER_FILE else problem
                          for n, (problem, err) in enumerate(found)]) from None


def _dedupe(found: list[tuple[Problem, Any]]) -> list[tuple[Problem, Any]]:
    """Each problem once (pydantic may report one place twice), in the order of the file."""
    seen: dict[tuple[int, int, str], tuple[Problem, Any]] = {}
    for problem, err in found:
        seen.setdefault((problem.line, problem.column, ENGLISH.say(problem.message)), (problem, err))
    return sorted(seen.values(), key=lambda pair: (pair[0].line, pair[0].column))


def _problem(doc: Document, cls: type[BaseModel], err: Any, *, suggest: bool = True) -> Problem:
    loc = _file_loc(doc.data, err["loc"])
    kind = err["type"]
    where = ".".join(shown(p, 40) for p in loc if isinstance(p, str))
    if kind == "missing":
        name = loc[-1]
        parent = ".".join(str(p) for p in loc[:-1] if isinstance(p, str))
        message = (Msg("{parent}: missing required key '{name}'", parent=parent, name=name) if parent
                   else Msg("missing required key '{name}'", name=name))
        return doc.problem(loc[:-1], message, prefer_key=True)
    if kind == "extra_forbidden":
        known = _field_names(cls, loc[:-1])
        key = str(loc[-1])
        close = [k for k in known if k == key.lower()] or (
            difflib.get_close_matches(key, known, n=1, cutoff=0.6) if suggest else [])
        if close:
            message = Msg("{where}: unknown key (did you mean '{close}'?)", where=where, close=close[0])
        elif known and len(known) <= 16:
            message = Msg("{where}: unknown key (allowed: {keys})", where=where, keys=Seq(known))
        else:
            message = Msg("{where}: unknown key", where=where)
        return doc.problem(loc, message, prefer_key=True)
    said = _message(kind, err)
    return doc.problem(loc, Msg("{where}: {message}", where=where, message=said) if where else said)


def _file_loc(data: Any, loc: tuple[str | int, ...]) -> Loc:
    """pydantic's error location as keys of the file: without the validator names it adds, such
    as 'function-after[...]' or '[key]', unless the file really has a key of that name."""
    result: list[str | int] = []
    for part in loc:
        found, data = _child(data, part)
        if not found and isinstance(part, str) and ("[" in part or part.startswith("function-")):
            continue
        result.append(part)
    return tuple(result)


def _child(data: Any, part: str | int) -> tuple[bool, Any]:
    """(True, the value at `part`) when the file's data has it, else (False, None)."""
    if isinstance(data, dict) and part in data:
        return True, data[part]
    if isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
        return True, data[part]
    return False, None


def _message(kind: str, err: dict[str, Any]) -> Said:
    value = err.get("input")
    text = shown(value) if isinstance(value, str) else None
    ctx = err.get("ctx") or {}
    if isinstance(ctx.get("message"), Msg):  # one of ours (refused)
        said: Msg = ctx["message"]
        return said
    if kind in {"date_from_datetime_parsing", "date_parsing", "date_type"}:
        return Msg("'{value}' is not a date: write it as YYYY-MM-DD, e.g. 2023-03-01", value=text)
    if (kind in {"string_type", "str_type"} and value is None) or kind == "string_too_short":
        return EMPTY
    if kind in {"string_type", "str_type"}:
        return Msg("expected text, found {found}", found=_kind_of(value))
    if kind in {"dict_type", "model_type", "model_attributes_type"}:
        return Msg("expected keys and values (key: value), found {found}", found=_kind_of(value))
    if kind == "list_type":
        return Msg("expected a list (lines starting with '- '), found {found}", found=_kind_of(value))
    if kind == "bool_parsing" or kind == "bool_type":
        return Msg("'{value}' is not yes or no: write true or false", value=text)
    if kind == "literal_error":
        expected = str(ctx.get("expected", ""))
        choices = re.findall(r"'([^']*)'", expected)  # pydantic's "'a', 'b' or 'c'"
        return Msg("'{value}' is not allowed here: use one of {choices}", value=text,
                   choices=Either(choices) if choices else expected.replace("'", ""))
    if kind == "string_too_long":
        return Msg("the text has {length} characters, more than the limit of {limit}: shorten it",
                   length=len(str(value)), limit=ctx.get("max_length"))
    if kind == "too_short":
        return Msgs("needs at least {n} entry", "needs at least {n} entries",
                    int(ctx.get("min_length") or 0))
    if kind == "too_long":
        actual = ctx.get("actual_length")
        if actual is None and isinstance(value, dict | list):  # pydantic does not count a mapping
            actual = len(value)
        return Msg("{actual} entries, more than the limit of {limit}: is this list meant to be so "
                   "long?", actual=actual, limit=ctx.get("max_length"))
    if kind in {"int_parsing", "int_type"}:
        return Msg("'{value}' is not a whole number", value=text)
    # pydantic's own words for the rest (kept as pydantic says them in English)
    if kind == "greater_than_equal":
        return Msg("Input should be greater than or equal to {limit}", limit=ctx.get("ge"))
    if kind == "less_than_equal":
        return Msg("Input should be less than or equal to {limit}", limit=ctx.get("le"))
    if kind == "string_pattern_mismatch":
        return Msg("String should match pattern '{pattern}'", pattern=ctx.get("pattern"))
    msg = str(err.get("msg", "invalid value"))  # a case none of the above foresaw: in English
    return msg.removeprefix("Value error, ")


EMPTY = Msg("no value: write it after the ':' (or \"TODO: what is missing\" to fill it in later)")


def _kind_of(value: Any) -> Said:
    if value is None:
        return Msg("nothing (an empty value)")
    if isinstance(value, dict):
        return Msg("keys and values")
    if isinstance(value, list):
        return Msg("a list")
    return f"'{shown(value)}'"


def _field_names(cls: type[BaseModel], loc: Loc) -> list[str]:
    """The keys allowed at `loc` inside `cls`, for "did you mean" hints."""
    target: Any = cls
    for part in loc:
        target = _step(target, part)
        if target is None:
            return []
    model = _model_in(target)
    return list(model.model_fields) if model else []


def _step(annotation: Any, part: str | int) -> Any:
    model = _model_in(annotation)
    if model is not None and isinstance(part, str):
        info = model.model_fields.get(part)
        return info.annotation if info else None
    for arg in variants(annotation):
        origin = typing.get_origin(arg)
        if origin is list and isinstance(part, int):
            return typing.get_args(arg)[0]
        if origin is dict:
            return typing.get_args(arg)[1]
    return None


def variants(annotation: Any) -> list[Any]:
    """The plain types an annotation allows: Annotated unwrapped, unions split."""
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return variants(typing.get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return [a for arg in typing.get_args(annotation) for a in variants(arg)]
    return [annotation]


def _model_in(annotation: Any) -> type[BaseModel] | None:
    for arg in variants(annotation):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    return None
