"""Documents as views over the facts: which kinds there are, which documents a school
publishes, and what one document shows (its activities, its audience, its sections).

A kind is a template plus the rule of which facts it shows and what it is made into (a web
page, a PDF, a CMS fragment and JSON, a bilingual sheet). Adding a kind means a template and
an entry in KINDS.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .compose import (
    Activity,
    ConsentItem,
    DataCategory,
    LegalBasis,
    Notice,
    ProcessorFact,
    PurposeFact,
    RecipientFact,
    RetentionGroup,
    Text,
    TransferFact,
    retention_groups,
    unique,
)
from .i18n import N_, SOURCE
from .model import UNKNOWN, Basis, DocumentEntry, Extra

NOTICE_SECTIONS = ("intro", "controller", "dpo", "data", "purposes", "recipients", "third_country",
                   "retention", "rights", "obligation", "automated", "end")
WEBSITE_SECTIONS = ("intro", "controller", "dpo", "website", "cookies", "contact", "embeds",
                    "recipients", "third_country", "rights", "automated", "end")


@dataclass(frozen=True)
class Kind:
    """What a kind of document is made of and into."""

    name: str
    template: str  # the template of its web page and its print version
    label: str  # what the index pages call it (a German msgid)
    sections: tuple[str, ...] = ()  # a notice's sections, in their default order
    audience: tuple[str, ...] = ()  # the groups it is written for, unless the school says
    cms: bool = False  # also a fragment for a school's own website and a JSON file
    bilingual: bool = False  # also a sheet with the German text beside each translation
    signed: bool = False  # a sheet to sign and hand back
    german_only: bool = False  # made in German only (Leichte Sprache has no other language)


KINDS = {kind.name: kind for kind in (
    Kind("notice", "notice.html", N_("Datenschutzhinweise"), NOTICE_SECTIONS,
         ("pupils", "guardians"), cms=True),
    Kind("staff_notice", "notice.html", N_("Datenschutzhinweise für Lehrkräfte und Personal"),
         NOTICE_SECTIONS, ("teachers", "staff"), cms=True),
    Kind("website_notice", "notice.html", N_("Datenschutzerklärung der Website"),
         WEBSITE_SECTIONS, ("visitors",), cms=True),
    Kind("short_notice", "short.html", N_("Datenschutz auf einen Blick"), (),
         ("pupils", "guardians"), cms=True),
    Kind("pupil_notice", "pupils.html", N_("Datenschutz für Schülerinnen und Schüler"), (),
         ("pupils",), cms=True),
    # German only: its label is shown on German pages only and is no message to translate
    Kind("easy_notice", "easy.html", "Leichte Sprache", (), ("pupils", "guardians"),
         german_only=True),
    Kind("consent", "consent.html", N_("Einwilligung"), bilingual=True, signed=True),
    Kind("consent_letter", "letter.html", N_("Einwilligung (Brief)"), bilingual=True, signed=True),
    Kind("acknowledgement", "acknowledgement.html", N_("Bestätigung der Kenntnisnahme"),
         bilingual=True, signed=True),
    Kind("withdrawal", "withdrawal.html", N_("Widerruf")),
)}


@dataclass(frozen=True)
class DocumentSpec:
    """One document of a school: its id (the file name in output/<id>/<lang>/), its kind and
    what the school file says of it (None for the documents every school gets)."""

    id: str
    kind: Kind
    entry: DocumentEntry | None = None

    @property
    def acknowledge(self) -> bool:
        """A consent sheet that also confirms receipt of the notice (today's sheet)."""
        if self.entry is not None and self.entry.acknowledge is not None:
            return self.entry.acknowledge
        return self.entry is None and self.kind.name == "consent"


DEFAULT_DOCUMENTS = (("notice", "notice"), ("consent", "consent"), ("withdrawal", "withdrawal"))


def documents_of(notice: Notice, lang: str | None = None) -> tuple[DocumentSpec, ...]:
    """The documents a school publishes (in `lang`, if given: a German-only kind is made in
    German only): those its file lists, else the notice, the consent sheet and the withdrawal
    form at today's paths."""
    listed = notice.school.documents
    if not listed:
        return tuple(DocumentSpec(id=i, kind=KINDS[k]) for i, k in DEFAULT_DOCUMENTS)
    return tuple(DocumentSpec(id=e.id, kind=KINDS[e.kind], entry=e) for e in listed
                 if lang in (None, SOURCE) or not KINDS[e.kind].german_only)


def notice_spec(notice: Notice) -> DocumentSpec | None:
    """The school's main notice (what notice.json, the check's Art. 13 rules, diff and the
    short notice's link refer to): the first document of the notice kind."""
    return next((s for s in documents_of(notice) if s.kind.name == "notice"), None)


# ---------------------------------------------------------------------------- one document

HEADINGS: dict[str, tuple[str, str]] = {  # section: (heading, the same as a question)
    "controller": (N_("Verantwortliche Stelle"), N_("Wer ist für die Verarbeitung verantwortlich?")),
    "dpo": (N_("Datenschutzbeauftragte oder Datenschutzbeauftragter"),
            N_("Wen können Sie zum Datenschutz fragen?")),
    "data": (N_("Welche Daten verarbeitet werden"), N_("Welche Daten verarbeiten wir?")),
    "purposes": (N_("Zwecke und Rechtsgrundlagen"),
                 N_("Wozu und auf welcher Rechtsgrundlage verarbeiten wir die Daten?")),
    "recipients": (N_("Wer die Daten erhält"), N_("Wer erhält die Daten?")),
    "third_country": (N_("Übermittlung in Drittländer"),
                      N_("Werden Daten in Länder außerhalb der EU übermittelt?")),
    "retention": (N_("Wie lange die Daten gespeichert werden"), N_("Wie lange speichern wir die Daten?")),
    "rights": (N_("Ihre Rechte"), N_("Welche Rechte haben Sie?")),
    "obligation": (N_("Pflicht zur Bereitstellung der Daten"), N_("Müssen Sie die Daten angeben?")),
    "automated": (N_("Automatisierte Entscheidungen"),
                  N_("Entscheidet ein Computer automatisch über Sie?")),
    "website": (N_("Aufruf der Website und Protokolldateien"),
                N_("Was geschieht, wenn Sie die Website aufrufen?")),
    "cookies": (N_("Cookies und Speicherung im Browser"), N_("Verwendet die Website Cookies?")),
    "contact": (N_("Kontaktformular und E-Mail"), N_("Was geschieht mit Ihrer Anfrage?")),
    "embeds": (N_("Eingebundene Inhalte anderer Anbieter"),
               N_("Lädt die Website Inhalte anderer Anbieter?")),
}
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass(frozen=True)
class Heading:
    """A numbered section of a notice."""

    id: str
    number: str  # '1.', 'A', '§ 1' or ''
    title: Text  # a German msgid, or the school's own heading per language
    extra: Extra | None = None  # a section of the school's own


def _number(style: str, n: int) -> str:
    return {"decimal": f"{n}.", "letters": LETTERS[(n - 1) % 26], "paragraphs": f"§ {n}",
            "none": ""}[style]


BASIS_ORDER: tuple[Basis, ...] = ("statute", "obligation", "contract", "legitimate_interest", "consent")


@dataclass(frozen=True)
class BasisGroup:
    """Purposes resting on one legal basis (for statute: with one state of the Land's law)."""

    kind: Basis
    citation: str | None
    purposes: tuple[PurposeFact, ...]
    activities: tuple[Activity, ...]  # whose purposes they are
    coverage: str = "none"  # statute: whether the Land's law is known to cover them


@dataclass(frozen=True)
class View:
    """What one document shows: the activities it covers, for its audience."""

    notice: Notice
    spec: DocumentSpec
    activities: tuple[Activity, ...]
    audience: tuple[str, ...]
    consents: tuple[ConsentItem, ...]
    extras: tuple[Extra, ...] = field(default=())

    # -------------------------------------------------------------------- facts

    def concerns(self, groups: Iterable[str]) -> bool:
        return not self.audience or bool(set(groups) & set(self.audience))

    @property
    def several(self) -> bool:
        return len([a for a in self.activities if a.kind != "website"]) > 1

    @property
    def names(self) -> str:
        """The activities' short names, e.g. "IServ, WebUntis" (running text: `name_list|names`)."""
        return ", ".join(a.short_name for a in self.activities)

    @property
    def name_list(self) -> tuple[str, ...]:
        return tuple(a.short_name for a in self.activities)

    @property
    def platforms(self) -> tuple[Activity, ...]:
        return tuple(a for a in self.activities if a.kind == "platform")

    @property
    def data(self) -> tuple[DataCategory, ...]:
        return tuple(d for a in self.activities for d in a.data if self.concerns(d.groups))

    def data_from(self, origin: str) -> tuple[DataCategory, ...]:
        return tuple(d for d in self.data if d.origin == origin)

    @property
    def purposes(self) -> tuple[PurposeFact, ...]:
        return tuple(p for a in self.activities for p in a.purposes if self.concerns(p.groups))

    def bases(self) -> set[Basis]:
        return {p.basis.kind for p in self.purposes}

    @property
    def asks_consent(self) -> bool:
        """Whether the document's readers are asked for a consent (a purpose or a consent item)."""
        return "consent" in self.bases() or bool(self.consents)

    @property
    def consent_needless(self) -> bool:
        """Whether the notice says that its statutory purposes need no consent: the Land's law
        is known to cover each of them, or the school had it confirmed."""
        return all(g.coverage in ("yes", "none", "confirmed") for g in self.basis_groups()
                   if g.kind == "statute")

    def citation(self, basis: LegalBasis) -> str | None:
        """What this document cites for a basis: for staff, the Land's provisions on staff data
        (those the catalog knows) beside the law's statutory basis."""
        law = self.notice.law
        if self.spec.kind.name == "staff_notice" and basis.kind == "statute" and not basis.provision:
            known = [r.ref for r in self.notice.state.staff_data if r.ref != UNKNOWN]
            ref = law.basis_ref("statute")
            return f"{ref} i.V.m. {', '.join(known)}" if ref and known else None
        return law.citation(basis)

    def basis_groups(self) -> list[BasisGroup]:
        """The purposes by legal basis, in the order a notice lists them; statutory purposes
        by whether the Land's law is known to cover them. No group is empty."""
        groups: list[BasisGroup] = []
        for kind in BASIS_ORDER:
            keyed: dict[tuple[str | None, str], list[tuple[Activity, PurposeFact]]] = {}
            for a in self.activities:
                for p in a.purposes:
                    if p.basis.kind == kind and self.concerns(p.groups):
                        key = (self.citation(p.basis), a.coverage if kind == "statute"
                               else "none")
                        keyed.setdefault(key, []).append((a, p))
            for (citation, coverage), items in keyed.items():
                groups.append(BasisGroup(kind=kind, citation=citation, coverage=coverage,
                                         purposes=tuple(p for _, p in items),
                                         activities=tuple({a.id: a for a, _ in items}.values())))
        return groups

    @property
    def processors(self) -> tuple[ProcessorFact, ...]:
        return tuple(p for a in self.activities for p in a.processors)

    @property
    def recipients(self) -> tuple[RecipientFact, ...]:
        """The school's recipients and the activities' own."""
        school = tuple(RecipientFact(name=r.name, purpose=r.purpose, within=r.within)
                       for r in self.notice.school.recipients)
        return school + tuple(r for a in self.activities for r in a.recipients)

    @property
    def transfers(self) -> tuple[TransferFact, ...]:
        return tuple(t for a in self.activities for t in a.transfers)

    @property
    def retention(self) -> tuple[RetentionGroup, ...]:
        return retention_groups(self.data)

    @property
    def retention_notes(self) -> tuple[Text, ...]:
        return unique(n for a in self.activities for n in a.retention_notes)

    @property
    def from_school(self) -> list[tuple[Activity, tuple[str, ...]]]:
        """Catalog platforms whose facts the school changed or added to, and which parts."""
        return [(a, a.from_school) for a in self.activities if a.kind == "platform" and a.from_school]

    # -------------------------------------------------------------------- structure

    @property
    def headings(self) -> list[Heading]:
        """The numbered sections in the document's order, with the school's own sections."""
        entry = self.spec.entry
        order = list(entry.order) if entry and entry.order else list(self.spec.kind.sections)
        style = entry.numbering if entry else "decimal"
        questions = bool(entry and entry.questions)
        own: dict[str, Text] = {k: v for k, v in entry.headings.items()} if entry else {}
        result: list[Heading] = []
        for section in order:
            if section in HEADINGS and self._shown(section):
                title: Text = own.get(section) or HEADINGS[section][1 if questions else 0]
                result.append(Heading(id=section, number="", title=title))
            result += [Heading(id=f"extra-{n + 1}", number="", title=e.title or "", extra=e)
                       for n, e in enumerate(self.extras)
                       if e.section and e.after == section and e.title]
        return [Heading(id=h.id, number=_number(style, n), title=h.title, extra=h.extra)
                for n, h in enumerate(result, start=1)]

    @property
    def order(self) -> list[str]:
        """Every part of the document in order: sections and the unnumbered intro and end."""
        entry = self.spec.entry
        return list(entry.order) if entry and entry.order else list(self.spec.kind.sections)

    def _shown(self, section: str) -> bool:
        """A section that has something to say for this document."""
        site = self.notice.school.website
        if section == "cookies":
            return site is not None
        if section == "contact":
            return site is not None and site.contact_form
        if section == "embeds":
            return site is not None
        return True

    def extras_after(self, section: str) -> tuple[Extra, ...]:
        return tuple(e for e in self.extras if e.after == section and not (e.section and e.title))


def view_of(notice: Notice, spec: DocumentSpec) -> View:
    """The view a document is: what its entry covers (systems and platforms, consents), for its
    audience; a notice without `covers` shows every activity that concerns its audience."""
    entry = spec.entry
    audience = tuple(entry.audience) if entry and entry.audience else spec.kind.audience
    covers = set(entry.covers) if entry else set()
    activities = tuple(a for a in notice.activities if _covered(a, spec, covers, audience))
    consents = tuple(c for c in notice.consents if (c.id in covers if covers else (
        not audience or set(c.subjects) & set(audience))) or (covers and c.platform is not None and any(
            a.short_name == c.platform for a in activities if a.id in covers)))
    extras = tuple(entry.extra) if entry and entry.extra else (
        tuple(notice.school.extra) if spec.kind.name == "notice" and notice_first(notice, spec)
        else ())
    return View(notice=notice, spec=spec, activities=activities, audience=audience,
                consents=consents, extras=extras)


def notice_first(notice: Notice, spec: DocumentSpec) -> bool:
    main = notice_spec(notice)
    return main is not None and main.id == spec.id


def _covered(activity: Activity, spec: DocumentSpec, covers: set[str], audience: tuple[str, ...]) -> bool:
    if spec.kind.name == "website_notice":
        return activity.kind == "website"
    if activity.kind == "website" and spec.kind.name != "website_notice" and not covers:
        return False
    if covers:
        return activity.id in covers
    return not audience or bool(set(activity.groups) & set(audience))


def consent_view(notice: Notice) -> View:
    """The view of the school's consent sheet (the roster's pre-filled sheets are copies of
    it): its first document of the consent kind, else the sheet every school gets."""
    spec = next((s for s in documents_of(notice) if s.kind.name == "consent"), None)
    return view_of(notice, spec or DocumentSpec(id="consent", kind=KINDS["consent"]))


def consent_sheets(notice: Notice) -> bool:
    """Whether the school hands out a sheet or letter to sign its consents on."""
    return any(s.kind.name in ("consent", "consent_letter") and view_of(notice, s).consents
               for s in documents_of(notice))
