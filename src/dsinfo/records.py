"""The register of processing activities (Verzeichnis von Verarbeitungstätigkeiten, Art. 30
Abs. 1 DSGVO; § 31 DSG-EKD, § 31 KDG): made from the same facts as the notice.

One entry per activity (a catalog platform, a system of the school's own, the website), with
every element Art. 30 Abs. 1 lists (lit. a to g), the legal basis of each purpose, the date of
the entry and the register's version. The register is an internal document, in German: it is
written to a folder outside output/ and never linked from the website. Its check (`findings`)
names what an entry lacks, at its place in the school file.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

from .check import Finding, activity_loc, finding_at, ordered
from .compose import Activity, Notice, Party, Text, german, retention_groups
from .messages import Msg
from .model import UNKNOWN, is_placeholder
from .publish import content_hash

# the register's parts, as a DPO's spreadsheet names them (Art. 30 Abs. 1 lit. a to g, and
# what a register keeps beside them)
COLUMNS = (
    ("number", "Nr."),
    ("name", "Verarbeitungstätigkeit"),
    ("description", "Beschreibung"),
    ("controller", "Verantwortlicher (lit. a)"),
    ("dpo", "Datenschutzbeauftragte/r (lit. a)"),
    ("purposes", "Zwecke der Verarbeitung (lit. b)"),
    ("bases", "Rechtsgrundlagen"),
    ("subjects", "Kategorien betroffener Personen (lit. c)"),
    ("data", "Kategorien personenbezogener Daten (lit. c)"),
    ("recipients", "Empfänger, auch Auftragsverarbeiter (lit. d)"),
    ("transfers", "Übermittlung in Drittländer und Garantien (lit. e)"),
    ("erasure", "Fristen für die Löschung (lit. f)"),
    ("measures", "Technische und organisatorische Maßnahmen, Art. 32 Abs. 1 (lit. g)"),
    ("location", "Speicherort der Daten"),
    ("stand", "Stand des Eintrags"),
    ("version", "Version"),
)


def neutral(label: str) -> str:
    """A column's heading without the letter of Art. 30 Abs. 1 DSGVO."""
    return label.split(" (lit.")[0].removesuffix(", Art. 32 Abs. 1")


SHEETS = {"platform": "Plattformen", "system": "Eigene Systeme", "website": "Website"}
MISSING = "[fehlt]"  # an element the school file does not give yet (the check names it)
NOT_KNOWN = "[unbekannt]"  # a fact the catalog does not know


@dataclass(frozen=True)
class Entry:
    """One processing activity in the register: every value is German text, lines as tuples."""

    number: int
    sheet: str
    name: str
    description: tuple[str, ...]
    controller: tuple[str, ...]
    dpo: tuple[str, ...]
    purposes: tuple[str, ...]
    bases: tuple[str, ...]
    subjects: tuple[str, ...]
    data: tuple[str, ...]
    recipients: tuple[str, ...]
    transfers: tuple[str, ...]
    erasure: tuple[str, ...]
    measures: tuple[str, ...]
    location: tuple[str, ...]
    stand: str


@dataclass(frozen=True)
class Register:
    """A school's register: who keeps it, and its entries."""

    school: str
    school_year: str
    controller: tuple[str, ...]
    represented_by: str | None
    dpo: tuple[str, ...]
    authority: tuple[str, ...]  # the Schulträger, beside the controller
    recipients: tuple[str, ...]  # the school's recipients, for all its activities
    law: str
    provision: str | None  # the law's provision on the register ("Art. 30 DSGVO"); None: unknown
    stand: str
    version: str
    entries: tuple[Entry, ...]

    @property
    def title(self) -> str:
        """The register's title with its provision (what the law the school is under asks)."""
        return f"Verzeichnis von Verarbeitungstätigkeiten ({self.provision or self.law})"

    @property
    def columns(self) -> tuple[tuple[str, str], ...]:
        """The columns; their letters are those of Art. 30 Abs. 1 DSGVO, shown only under it
        (a church law numbers its own)."""
        if self.law == "DSGVO":
            return COLUMNS
        return tuple((key, neutral(label)) for key, label in COLUMNS)

    def cell(self, entry: Entry, column: str) -> str:
        """What the spreadsheet shows of `entry` in `column` (the version is the register's)."""
        value = self.version if column == "version" else getattr(entry, column)
        return "\n".join(value) if isinstance(value, tuple) else str(value)

    def sheets(self) -> list[tuple[str, list[Entry]]]:
        """The entries by sheet (platforms, the school's own systems, the website), none empty."""
        return [(name, [e for e in self.entries if e.sheet == name]) for name in SHEETS.values()
                if any(e.sheet == name for e in self.entries)]


def _text(value: Text | None) -> str:
    """A fact in German as the register shows it: a placeholder as it is, unknown marked."""
    text = german(value)
    if text is None or text == "":
        return MISSING
    if text == UNKNOWN:
        return NOT_KNOWN
    return text


def _party(party: Party) -> str:
    place = " ".join(p for p in (party.postcode, party.city) if p)
    country = german(party.country) if party.country else None  # None: Germany
    return ", ".join(p for p in (party.name, party.street, place, country) if p)


def _recipient(recipient: Any) -> str:
    """A recipient of the school file or of an activity (model.Recipient, RecipientFact)."""
    return f"{_text(recipient.name)}: {_text(recipient.purpose)}"


def _contact(*lines: str | None) -> tuple[str, ...]:
    return tuple(line for line in lines if line)


def register_of(notice: Notice) -> Register:
    """The register of a school, from its composed facts."""
    school = notice.school
    info = school.school
    controller = _contact(info.name, info.street, f"{info.postcode} {info.city}",
                          f"Telefon: {info.phone}" if info.phone else None, f"E-Mail: {info.email}")
    dpo = school.dpo
    dpo_lines = _contact(dpo.name, dpo.organisation, dpo.street,
                         " ".join(p for p in (dpo.postcode, dpo.city) if p) or None,
                         f"Telefon: {dpo.phone}" if dpo.phone else None,
                         f"E-Mail: {dpo.email}" if dpo.email else None) if dpo else ()
    short_controller = (f"{info.name}, E-Mail: {info.email}",)
    short_dpo = (", ".join(_contact(dpo.name, dpo.organisation,
                                    f"E-Mail: {dpo.email}" if dpo.email else None)),) if dpo else ()
    stand = school.stand.isoformat()
    entries = [_entry(notice, n, a, short_controller, short_dpo or (MISSING,), stand)
               for n, a in enumerate(notice.activities, start=1)]
    general = tuple(_recipient(r) for r in school.recipients)
    version = content_hash([json.dumps([asdict(e) for e in entries], ensure_ascii=False),
                            *controller, *dpo_lines, *general])[:8]
    return Register(
        school=info.name, school_year=school.school_year, controller=controller,
        represented_by=german(info.head) if info.head else None, dpo=dpo_lines or (MISSING,),
        authority=(school.school_authority.name,) if school.school_authority else (),
        recipients=general, law=notice.law.abbr, provision=notice.law.ref("records"),
        stand=stand, version=version, entries=tuple(entries))


def _entry(notice: Notice, number: int, a: Activity, controller: tuple[str, ...],
           dpo: tuple[str, ...], stand: str) -> Entry:
    law = notice.law
    purposes = tuple(_text(p.text) for p in a.purposes)
    by_basis: dict[str, list[str]] = {}
    for p in a.purposes:
        by_basis.setdefault(law.citation(p.basis) or NOT_KNOWN, []).append(_text(p.text))
    bases = tuple(f"{citation} (für: {'; '.join(texts)})" for citation, texts in by_basis.items())
    recipients = [_recipient(r) for r in a.recipients]
    recipients += [f"Auftragsverarbeiter: {_party(p.party)}; Aufgabe: {_text(p.task)}"
                   for p in a.processors]
    transfers = tuple(f"{_text(t.country)}" + (f"; Garantie: {_text(t.safeguard)}" if t.safeguard else "")
                      for t in a.transfers) or ("keine",)
    erasure = tuple(f"{', '.join(_text(label) for label in g.labels)}: {_text(g.text)}"
                    for g in retention_groups(a.data))
    return Entry(
        number=number, sheet=SHEETS[a.kind], name=_text(a.name),
        description=tuple(_text(d) for d in a.descriptions if d),
        controller=controller, dpo=dpo, purposes=purposes or (MISSING,), bases=bases or (MISSING,),
        subjects=tuple(_text(notice.group_names.get(g, g)) for g in a.groups) or (MISSING,),
        data=tuple(_text(d.label) for d in a.data) or (MISSING,),
        recipients=tuple(recipients) or ("keine Empfänger außerhalb der Schule angegeben",),
        transfers=transfers, erasure=erasure or (MISSING,),
        measures=tuple(_text(m) for m in a.measures) or (MISSING,),
        location=(_text(a.location),), stand=stand)


# ---------------------------------------------------------------------------- the check


def findings(notice: Notice) -> list[Finding]:
    """What the register's entries lack (rule ids art30.*), errors first, in file order."""
    return ordered(_findings(notice))


def _findings(notice: Notice) -> Iterator[Finding]:
    dpo = notice.school.dpo
    if dpo is None or not (dpo.email or dpo.phone):
        yield finding_at(notice, "art30.dpo", "error", ("dpo",), Msg(
            "the register names the data protection officer with a contact ({ref})",
            ref=_cite(notice, "a")), Msg("Add 'dpo:' with at least 'email:'."))
    if notice.law.ref("records") is None:
        yield finding_at(notice, "art30.provision", "warning", ("school",), Msg(
            "the provision of {law} on the register of processing activities is not known to the "
            "catalog", law=notice.law.abbr), Msg(
            "Ask your data protection officer and give it as 'law_refs: {{records: ...}}'."))
    for a in notice.activities:
        loc, name = activity_loc(a), german(a.short_name)
        if not a.measures:
            yield finding_at(notice, "art30.measures", "error", loc, Msg(
                "{name}: the register describes the technical and organisational measures "
                "({ref}), and none are known", name=name, ref=_cite(notice, "g")), Msg(
                "Add 'measures:' to {name} in the school file: e.g. access rights, encryption, "
                "backups, who administers it.", name=name))
        for p in a.purposes:
            if notice.law.citation(p.basis) is None:
                yield finding_at(notice, "art30.basis", "error", loc, Msg(
                    "{name}: no legal provision is known for the purpose '{purpose}'",
                    name=name, purpose=_short(german(p.text))), Msg(
                    "Name the provision with 'provision:' at the purpose, or in 'law_refs:'."))
        for n, d in enumerate(a.data):
            retention = german(d.retention)
            if retention in (None, "", UNKNOWN) or is_placeholder(retention):
                # a system's data are the school file's, in its order; a platform's come from the catalog too
                at = (*loc, "data", n, "retention") if a.kind == "system" else loc
                yield finding_at(notice, "art30.erasure", "warning", at, Msg(
                    "{name}: no erasure period for '{data}' ({ref})", ref=_cite(notice, "f"),
                    name=name, data=_short(german(d.label))), Msg(
                    "Give the retention of these data in the school file."))
        for t in a.transfers:
            if not t.safeguard:
                yield finding_at(notice, "art30.safeguards", "warning", loc, Msg(
                    "{name}: a transfer to a third country without its safeguard ({ref})",
                    name=name, ref=_cite(notice, "e")), Msg(
                    "Name the transfer with its safeguard under 'transfers:' ('country:', 'safeguard:')."))


def _cite(notice: Notice, letter: str) -> str:
    """The provision an element of the register comes from: Art. 30 Abs. 1 with its letter
    under the DSGVO, else the church law's provision on the register (or its name)."""
    if notice.law.id == "dsgvo":
        return f"Art. 30 Abs. 1 lit. {letter}" + (", Art. 32 DSGVO" if letter == "g" else " DSGVO")
    return notice.law.ref("records") or notice.law.abbr


def _short(text: str | None, limit: int = 60) -> str:
    text = text or ""
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------------------- the spreadsheet


def xlsx(register: Register) -> bytes:
    """The register as a spreadsheet: a cover sheet, then one sheet per group of activities
    with one row per activity. The same register gives the same bytes (XlsxWriter writes
    fixed times into the file; the creation date is the register's date)."""
    import datetime as dt

    import xlsxwriter  # type: ignore[import-untyped]

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False,
                                        "strings_to_formulas": False, "strings_to_urls": False})
    created = dt.datetime.fromisoformat(register.stand)
    book.set_properties({"title": f"Verzeichnis von Verarbeitungstätigkeiten – {register.school}",
                         "subject": register.provision or register.law, "created": created,
                         "author": register.school})
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#E8EEF4",
                            "border": 1})
    wrap = book.add_format({"text_wrap": True, "valign": "top", "border": 1})
    title = book.add_format({"bold": True, "font_size": 14})
    first = book.add_worksheet("Deckblatt")
    first.set_column(0, 0, 34)
    first.set_column(1, 1, 70)
    first.write(0, 0, register.title, title)
    for row, (label, value) in enumerate(cover(register), start=2):
        first.write(row, 0, label, bold)
        first.write(row, 1, value, wrap)
    for name, entries in register.sheets():
        sheet = book.add_worksheet(name)
        for col, (_, heading) in enumerate(register.columns):
            sheet.write(0, col, heading, bold)
            sheet.set_column(col, col, 6 if col == 0 else 36)
        for row, entry in enumerate(entries, start=1):
            for col, (key, _) in enumerate(COLUMNS):
                sheet.write(row, col, register.cell(entry, key), wrap)
        sheet.freeze_panes(1, 2)
        sheet.autofilter(0, 0, len(entries), len(COLUMNS) - 1)
    book.close()
    return buffer.getvalue()


def cover(register: Register) -> list[tuple[str, str]]:
    """The cover sheet's rows (label, value), in the spreadsheet, the web page and the PDF."""
    rows = [("Verantwortlicher", "\n".join(register.controller))]
    if register.represented_by:
        rows.append(("vertreten durch", register.represented_by))
    rows += [("Datenschutzbeauftragte/r", "\n".join(register.dpo))]
    if register.authority:
        rows.append(("Schulträger", "\n".join(register.authority)))
    if register.recipients:
        rows.append(("Empfänger bei allen Tätigkeiten", "\n".join(register.recipients)))
    rows += [("Datenschutzrecht", register.law), ("Schuljahr", register.school_year),
             ("Stand", register.stand), ("Version", register.version),
             ("Verarbeitungstätigkeiten", str(len(register.entries))),
             ("Geprüft und freigegeben (Datum, Unterschrift der Schulleitung)", "")]
    return rows


# ---------------------------------------------------------------------------- the files

FILE_NAME = "verzeichnis"  # verzeichnis.xlsx, verzeichnis.pdf, verzeichnis.html


def files(press: Any, notice: Notice, register: Register) -> dict[str, bytes]:
    """The register's files by name: spreadsheet, PDF and web page (a documents.Press renders
    the page and the PDF, with the project's templates)."""
    renderer = press.renderer("de")
    context = {"register": register, "cover": cover(register)}
    page = renderer.page("register.html", notice, "web", **context)
    printed = renderer.page("register.html", notice, "print", **context)
    return {f"{FILE_NAME}.xlsx": xlsx(register), f"{FILE_NAME}.pdf": press.pdf_strict(printed),
            f"{FILE_NAME}.html": page.encode("utf-8")}
