"""The completeness check: does a school's notice give everything Art. 13 DSGVO (and Art. 14
for data imported from the school administration software) asks for, right for its Land?

One function per rule. Each yields findings with a stable id, a severity, the place in the
school file and a hint in plain words: the reader is a school secretary, not a lawyer.
Rules about the facts read the composed notice; rules about what parents are told read the
rendered German notice, so a school's own template cannot silently drop a right.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .compose import Catalog, Notice, PlatformView
from .errors import Problem, Severity, display_path
from .i18n import LANGUAGES
from .load import Loc
from .model import UNKNOWN, is_placeholder
from .render import Renderer


@dataclass(frozen=True, kw_only=True)
class Finding:
    """One result of the check: what is wrong or doubtful, where, and what to do."""

    id: str
    severity: Severity
    message: str
    hint: str
    path: Path
    line: int
    column: int

    def __str__(self) -> str:
        return (f"{display_path(self.path)}:{self.line}:{self.column}: {self.severity}: "
                f"{self.message} [{self.id}]\n    what to do: {self.hint}")

    def as_problem(self) -> Problem:
        return Problem(path=self.path, line=self.line, column=self.column, severity=self.severity,
                       message=f"{self.message} [{self.id}]")


@dataclass(frozen=True)
class Context:
    notice: Notice
    catalog: Catalog
    text: str  # the rendered German notice as plain text

    def finding(self, rule: str, severity: Severity, loc: Loc, message: str, hint: str,
                *, prefer_key: bool = True) -> Finding:
        mark = self.notice.doc.mark(loc, prefer_key=prefer_key)
        return Finding(id=rule, severity=severity, message=message, hint=hint,
                       path=self.notice.path, line=mark.line, column=mark.column)


Rule = Callable[[Context], Iterator[Finding]]
RULES: list[Rule] = []


def rule(func: Rule) -> Rule:
    RULES.append(func)
    return func


def check(notice: Notice, catalog: Catalog, renderer: Renderer, *,
          page: str | None = None) -> list[Finding]:
    """Every finding for one school, errors first, then in file order. `page`: the German
    notice's web page, when the build has just rendered it (else `renderer` renders it)."""
    page = page if page is not None else renderer.page("notice.html", notice, "web")
    ctx = Context(notice=notice, catalog=catalog, text=plain_text(page))
    findings = [f for r in RULES for f in r(ctx)]
    return sorted(findings, key=lambda f: (f.severity != "error", f.line, f.column, f.id))


def plain_text(page: str) -> str:
    """The visible text of an HTML page, whitespace collapsed."""
    page = re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.S)
    # without the soft hyphens of the web pages' headings (hyphenate.py)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).replace("\xad", "").split())


# ---------------------------------------------------------------------------- Art. 13 (1)


CONTACT_FIELDS = {"street": "street", "postcode": "postcode", "city": "city",
                  "email": "e-mail address"}


@rule
def controller_contact(ctx: Context) -> Iterator[Finding]:
    school = ctx.notice.school.school
    missing = [f for f in CONTACT_FIELDS if is_placeholder(getattr(school, f))]
    if missing:
        names = [CONTACT_FIELDS[f] for f in missing]
        listed = ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]
        yield ctx.finding("art13.controller", "warning", ("school", missing[0]),
                          f"Parents cannot reach the school yet: its {listed} "
                          f"{'are placeholders' if len(names) > 1 else 'is a placeholder'}.",
                          "Fill in the school's postal address and e-mail address (Art. 13 "
                          "Abs. 1 lit. a DSGVO).")


@rule
def dpo_contact(ctx: Context) -> Iterator[Finding]:
    dpo = ctx.notice.school.dpo
    hint = ("Add 'dpo:' with the e-mail address (or postal address) of the school's data "
            "protection officer; the name is optional (Art. 13 Abs. 1 lit. b DSGVO).")
    if dpo is None:
        yield ctx.finding("art13.dpo_contact", "error", (),
                          "The notice does not say how to reach the data protection officer.", hint)
        return
    channels = [dpo.email, dpo.phone, dpo.street and dpo.city and dpo.street]
    if not any(channels):
        yield ctx.finding("art13.dpo_contact", "error", ("dpo",),
                          "The data protection officer has no e-mail, phone or postal address.",
                          hint)
    elif all(c is None or is_placeholder(c) for c in channels):
        yield ctx.finding("art13.dpo_contact", "warning", ("dpo",),
                          "The data protection officer's contact is still a placeholder.", hint)
    for field in ("name", "organisation", "street", "postcode", "city", "phone"):
        value = getattr(dpo, field)
        if is_placeholder(value) and any(c and not is_placeholder(c) for c in channels):
            yield ctx.finding("placeholder", "warning", ("dpo", field),
                              f"The data protection officer's {field} is a placeholder.",
                              "Replace the 'TODO' text with the real value, or remove the line.",
                              prefer_key=False)


@rule
def purposes(ctx: Context) -> Iterator[Finding]:
    for view in ctx.notice.platforms:
        if not any(p for _, m in view.modules for p in m.purposes):
            yield ctx.finding("art13.purposes", "error", ("platforms", view.id),
                              f"No purpose is given for {view.platform.short_name}.",
                              "Each processing needs its purpose (Art. 13 Abs. 1 lit. c DSGVO); "
                              "the platform's catalog entry must list them.")


@rule
def legal_basis(ctx: Context) -> Iterator[Finding]:
    notice = ctx.notice
    statutory = [p for p in notice.purposes if p.basis == "statute"]
    if statutory and not re.search(r"Art\. 6 Abs\. 1 UAbs\. 1 lit\. e|Art\. 6 Abs\. 1 lit\. e",
                                   notice.citation):
        yield ctx.finding("art13.legal_basis", "error", ("citation",),
                          f"The legal basis '{notice.citation}' does not cite Art. 6 Abs. 1 lit. e "
                          "DSGVO, on which the school's statutory processing rests.",
                          "Remove 'citation:' to use the Land's citation, or cite Art. 6 Abs. 1 "
                          "UAbs. 1 lit. e, Abs. 3 DSGVO with the school-law provision.")
    if notice.school.citation:
        state = notice.state
        known_refs = [p.ref for p in state.school_law.provisions] + [r.name for r in state.related_rules]
        known_refs.append(state.notice_citation.text)
        if state.duty_to_provide:
            known_refs.append(state.duty_to_provide.ref)
        known = set().union(*(_paragraphs(ref) for ref in known_refs))
        for number in sorted(_paragraphs(notice.school.citation) - known):
            yield ctx.finding("art13.legal_basis.provision", "warning", ("citation",),
                              f"§/Art. {number} is not among the provisions known for {state.name}.",
                              "Check the citation with your data protection officer; the Land's "
                              "profile knows: " + ", ".join(p.ref for p in state.school_law.provisions)
                              + ".", prefer_key=False)


def _paragraphs(text: str) -> set[str]:
    """Numbers of the §§ and articles a citation names, apart from those of the DSGVO."""
    text = re.sub(r"Art\.[^§]*?DSGVO", " ", text)
    numbers: set[str] = set()
    for match in re.finditer(r"(?:§§?|Art\.)\s*((?:\d+[a-z]?(?:\s*(?:,|und|bis|–|-)\s*(?=\d))?)+)", text):
        numbers |= set(re.findall(r"\d+[a-z]?", match.group(1)))
    return numbers


@rule
def platform_coverage(ctx: Context) -> Iterator[Finding]:
    covered = ctx.notice.state.platforms_covered
    for view in ctx.notice.platforms:
        if view.use.basis == "consent":
            continue
        if covered.value == "yes" and not covered.only:
            continue
        if covered.value == "yes":
            why = (f"the school law of {ctx.notice.state.name} covers only {covered.only} "
                   "expressly")
        elif covered.value == "no":
            why = f"the school law of {ctx.notice.state.name} does not cover learning platforms"
        else:
            why = (f"it is not known whether the school law of {ctx.notice.state.name} covers "
                   "learning platforms")
        yield ctx.finding("law.platform_coverage", "warning", ("platforms", view.id),
                          f"{view.platform.short_name} is used on the statute, but {why}.",
                          "Ask your data protection officer whether "
                          f"{covered.provision or 'the school law'} is enough; if not, set "
                          f"'basis: consent' under platforms.{view.id} to ask for consent.")


@rule
def recipients(ctx: Context) -> Iterator[Finding]:
    for view in ctx.notice.platforms:
        task = view.use.processor_task["de"] if view.use.processor_task else view.hosting.processor_task
        if task is None:
            continue
        name = view.platform.short_name
        if view.use.no_processor:
            cloud = view.use.hosting == "cloud"
            severity: Severity = "error" if cloud else "warning"
            yield ctx.finding("art13.recipients", severity, ("platforms", view.id, "no_processor"),
                              f"No processor is named for {name}, although "
                              f"{'the hosting company' if cloud else view.platform.vendor.name} "
                              f"usually does this as a processor: {task}.",
                              "Name everyone outside the school who can access the data "
                              "(Art. 13 Abs. 1 lit. e DSGVO): remove 'no_processor', or give "
                              "'processor:' with name and address.")
        elif view.use.processor is None and not view.hosting.processor_is_vendor:
            yield ctx.finding("art13.recipients", "error", ("platforms", view.id, "hosting"),
                              f"{name} is hosted by a company the school chooses, but the school "
                              "file does not name it.",
                              f"Add 'processor:' with name and address under platforms.{view.id} "
                              "(the company in your processing contract).")


@rule
def third_country(ctx: Context) -> Iterator[Finding]:
    for view in ctx.notice.platforms:
        has_processor = any(p.platform == view.platform.name for p in ctx.notice.processors)
        if view.location == UNKNOWN and (has_processor or view.use.hosting == "on_premises"):
            yield ctx.finding("art13.third_country", "error", ("platforms", view.id, "hosting"),
                              f"It is not known where the data of {view.platform.short_name} are "
                              "stored, so the notice cannot say whether they leave the EU.",
                              f"Add 'location:' under platforms.{view.id}, e.g. 'Rechenzentrum in "
                              "Deutschland' as stated in your processing contract (Art. 13 Abs. 1 "
                              "lit. f DSGVO).")


# ---------------------------------------------------------------------------- Art. 13 (2)

_SPECIFIC = re.compile(r"\d|Tag|Woche|Monat|Jahr|Verlassen|Ende|Abschluss|Austritt|Löschung des "
                       r"Kontos|Widerruf|Schulzugehörigkeit|bis zur Löschung", re.I)


@rule
def retention(ctx: Context) -> Iterator[Finding]:
    for view in ctx.notice.platforms:
        used = {item.retention for _, m in view.modules for item in m.data}
        for rule_id in sorted(used):
            own = view.use.retention.get(rule_id)
            text = own["de"] if own else view.platform.retention[rule_id].text
            loc: Loc = ("platforms", view.id, "retention", rule_id) if own else ("platforms", view.id)
            if text == UNKNOWN:
                yield ctx.finding("art13.retention", "error", loc,
                                  f"How long {view.platform.short_name} keeps '{_labels(view, rule_id)}' "
                                  "is not known.",
                                  f"Add under platforms.{view.id}.retention a line '{rule_id}: ...' "
                                  "with the period or the rule you set (Art. 13 Abs. 2 lit. a DSGVO).")
            elif own and not _SPECIFIC.search(text):
                yield ctx.finding("art13.retention", "error", loc,
                                  "The retention text names no period and no event after which "
                                  "the data are deleted.",
                                  "Say how long, e.g. '6 Monate' or 'bis zum Verlassen der Schule' "
                                  "(Art. 13 Abs. 2 lit. a DSGVO); 'as long as necessary' is not "
                                  "enough.", prefer_key=False)


def _labels(view: PlatformView, rule_id: str) -> str:
    return ", ".join(item.label for _, m in view.modules for item in m.data
                     if item.retention == rule_id)


RIGHTS = [
    ("art13.right_access", "Art. 15 DSGVO", "access"),
    ("art13.right_rectification", "Art. 16 DSGVO", "rectification"),
    ("art13.right_erasure", "Art. 17 DSGVO", "erasure"),
    ("art13.right_restriction", "Art. 18 DSGVO", "restriction of processing"),
    ("art13.right_portability", "Art. 20 DSGVO", "data portability"),
    ("art13.right_object", "Art. 21 DSGVO", "objection"),
    ("art13.automated_decision", "Art. 22 DSGVO", "the statement on automated decisions"),
]


@rule
def rights(ctx: Context) -> Iterator[Finding]:
    for rule_id, article, name in RIGHTS:
        if article not in ctx.text:
            yield ctx.finding(rule_id, "error", (),
                              f"The notice does not mention the right of {name} ({article}).",
                              "Keep the rights section of the standard template; a school "
                              "template override must not drop it (Art. 13 Abs. 2 lit. b DSGVO).")
    asks_consent = ctx.notice.consents or any(p.basis == "consent" for p in ctx.notice.purposes)
    if asks_consent and "Art. 7 Abs. 3" not in ctx.text:
        yield ctx.finding("art13.withdraw_consent", "error", (),
                          "Consent is asked, but the notice does not say it can be withdrawn "
                          "(Art. 7 Abs. 3 DSGVO).",
                          "Keep the sentence on withdrawal in the rights section (Art. 13 Abs. 2 "
                          "lit. c DSGVO).")
    if "Pflicht zur Bereitstellung" not in ctx.text:
        yield ctx.finding("art13.statutory_requirement", "error", (),
                          "The notice does not say whether the data must be provided and what "
                          "happens if not.",
                          "Keep the section 'Pflicht zur Bereitstellung der Daten' (Art. 13 Abs. 2 "
                          "lit. e DSGVO).")


@rule
def complaint_authority(ctx: Context) -> Iterator[Finding]:
    state = ctx.notice.state
    own = state.supervisory_authority
    override = ctx.notice.school.supervisory_authority
    if override is not None and not _same_authority(override.name, own.name, own.short):
        other = next((s for s in ctx.catalog.states.values()
                      if _same_authority(override.name, s.supervisory_authority.name,
                                         s.supervisory_authority.short)), None)
        if other is not None:
            why = f"'{override.name}' is the authority of {other.name}, not of {state.name}."
        elif re.search(r"schulamt|schulaufsicht|landesamt für schule|bildung", override.name, re.I):
            why = (f"'{override.name}' is a school supervision office, not a data protection "
                   "supervisory authority.")
        else:
            why = f"'{override.name}' is not the data protection authority of {state.name}."
        yield ctx.finding("art77.authority", "error", ("supervisory_authority", "name"),
                          "Wrong complaint authority: " + why,
                          f"Remove 'supervisory_authority:'; the notice then names {own.name} "
                          f"({own.short}), {own.street}, {own.postcode} {own.city} (Art. 77 DSGVO).",
                          prefer_key=False)
    elif ctx.notice.authority.name not in ctx.text or "Art. 77" not in ctx.text:
        yield ctx.finding("art77.authority", "error", (),
                          "The notice does not name the authority to complain to (Art. 77 DSGVO).",
                          "Keep the complaint paragraph of the standard template.")


def _same_authority(name: str, official: str, short: str) -> bool:
    """Equal up to the article and the title's grammatical form, which change with the office
    holder ("Der Thüringer Landesbeauftragte" / "Thüringer Landesbeauftragter")."""
    def core(text: str) -> str:
        text = re.sub(r"\b(der|die|den|dem)\b", " ", text.lower())
        text = re.sub(r"beauftragter?n?\b", "beauftragte", text)
        return re.sub(r"\W+", "", text)

    return core(name) == core(official) or name.strip() == short


@rule
def data_source(ctx: Context) -> Iterator[Finding]:
    if ctx.notice.imported and ("Schulverwaltungsprogramm" not in ctx.text or "Art. 14" not in ctx.text):
        yield ctx.finding("art14.source", "error", (),
                          "Data are imported from the school administration software, but the "
                          "notice does not say where they come from.",
                          "Keep the paragraph on imported data (Art. 14 Abs. 2 lit. f DSGVO).")


# ---------------------------------------------------------------------------- consent


@rule
def consent_for_statutory(ctx: Context) -> Iterator[Finding]:
    for index, consent in enumerate(ctx.notice.school.consents):
        for view in ctx.notice.platforms:
            if view.use.basis == "consent":
                continue
            pid, _, mid = (consent.covers or "").partition(".")
            words = " ".join(t["de"] for t in (consent.title, consent.text) if t)
            about = pid == view.id or (consent.covers is None and re.search(
                rf"\b{re.escape(view.platform.short_name)}\b", words))
            module = dict(view.modules).get(mid) if mid else None
            statutory = (module is None and not mid) or (module is not None and all(
                p.basis == "statute" for p in module.purposes))
            if about and statutory:
                yield ctx.finding("consent.for_statutory", "error", ("consents", index),
                                  f"Consent is asked for {view.platform.short_name}, although the "
                                  f"school uses it on the statute ({ctx.notice.citation}).",
                                  "Remove this consent: what the law allows needs no consent, and "
                                  "asking for it suggests parents could refuse. If the platform "
                                  "should rest on "
                                  f"consent instead, set 'basis: consent' under platforms.{view.id}.")


@rule
def consent_age(ctx: Context) -> Iterator[Finding]:
    rule_ = ctx.notice.state.consent_age
    if ctx.notice.consents and ctx.notice.school.consent_age is None and rule_.confidence == "low":
        yield ctx.finding("consent.age_rule", "warning", (),
                          f"Who signs the consent follows a common practice (guardians alone under "
                          f"{rule_.guardians_only_under}, pupils alone from {rule_.pupil_alone_from}), "
                          f"not a rule of {ctx.notice.state.name}'s law.",
                          "Confirm it with your data protection officer, or set 'consent_age:' "
                          "in the school file.")


# ---------------------------------------------------------------------------- catalog and file


@rule
def doubtful_facts(ctx: Context) -> Iterator[Finding]:
    for view in ctx.notice.platforms:
        printed = [p for p in ctx.notice.processors if p.platform == view.platform.name]
        vendor = view.platform.vendor
        if printed and view.use.processor is None and vendor.confidence == "low":
            yield ctx.finding("catalog.confidence", "warning", ("platforms", view.id),
                              f"The address of {vendor.name} in the catalog is uncertain.",
                              "Compare it with your processing contract; if it differs, give "
                              f"'processor:' with name and address under platforms.{view.id}.")


@rule
def placeholders(ctx: Context) -> Iterator[Finding]:
    """Every other 'TODO' left in the school file (contacts are reported by their own rules)."""
    covered = [("school", f) for f in CONTACT_FIELDS] + [("dpo",)]
    for p, loc in zip(ctx.notice.placeholders, ctx.notice.placeholder_locs, strict=True):
        if any(loc[: len(c)] == c for c in covered):
            continue
        yield Finding(id="placeholder", severity="warning", message=p.message[0].upper() + p.message[1:],
                      hint="Replace the 'TODO' text with the real value.", path=p.path,
                      line=p.line, column=p.column)


@rule
def school_text_languages(ctx: Context) -> Iterator[Finding]:
    """The school's own texts exist in every language it publishes (else German is shown)."""
    wanted = [lang for lang in ctx.notice.school.languages if lang != "de"]
    for loc, texts in _local_texts(ctx.notice.school.model_dump(), ()):
        missing = [lang for lang in wanted if not texts.get(lang)]
        if loc[-1:] == ("notice_url",) and "{lang}" in texts["de"]:
            continue  # one address for every language
        if missing and not is_placeholder(texts["de"]):
            where = ".".join(str(part) for part in loc)
            yield ctx.finding("i18n.school_text", "warning", loc,
                              f"{where} has no text in {', '.join(missing)}: those documents show "
                              "the German text.",
                              f"Give the text per language, e.g. {{de: ..., {missing[0]}: ...}}, or "
                              "remove the language from 'languages:'.", prefer_key=False)


def _local_texts(data: object, loc: Loc) -> Iterator[tuple[Loc, dict[str, str]]]:
    """Every text of the school file given per language ({de: ..., en: ...})."""
    if isinstance(data, dict):
        if "de" in data and set(data) <= set(LANGUAGES):
            yield loc, data
            return
        for key, value in data.items():
            yield from _local_texts(value, (*loc, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _local_texts(value, (*loc, index))
