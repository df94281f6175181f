"""The check: does every document of a school give what the law asks, right for its Land and
its law, without stating an unknown as a fact or contradicting itself?

One function per rule. Each yields findings with a stable id, a severity, the place in the
school file and a hint in plain words: the reader is a school secretary, not a lawyer. Rules
about the facts read the composed notice; rules about what readers are told read the rendered
German documents, so a school's own template cannot silently drop a right. An error keeps the
school's documents unpublished (pipeline.py).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from .catalog import Catalog
from .compose import Activity, Notice, PlatformView, german
from .errors import SEVERITY, Problem, Severity, display_path
from .i18n import LANGUAGES
from .load import Loc
from .messages import ENGLISH, Msg, Msgs, Seq, Text, Voice
from .model import UNKNOWN, is_placeholder, missing_of
from .views import DocumentSpec, View, documents_of, notice_spec, view_of


@dataclass(frozen=True, kw_only=True)
class Finding:
    """One result of the check: what is wrong or doubtful, where, and what to do."""

    id: str
    severity: Severity
    message: Text
    hint: Text
    path: Path
    line: int
    column: int

    def __str__(self) -> str:
        return self.said(ENGLISH)

    def said(self, voice: Voice) -> str:
        """Two lines in the language of `voice`: where, what and the rule id; what to do."""
        return (f"{display_path(self.path)}:{self.line}:{self.column}: "
                f"{voice.say(SEVERITY[self.severity])}: {voice.say(self.message)} [{self.id}]\n"
                f"    {voice.say(WHAT_TO_DO)} {voice.say(self.hint)}")

    def as_problem(self) -> Problem:
        return Problem(path=self.path, line=self.line, column=self.column, severity=self.severity,
                       message=Msg("{message} [{rule}]", message=self.message, rule=self.id))


WHAT_TO_DO = Msg("what to do:")


@dataclass(frozen=True)
class Page:
    """One rendered German document: its view, its HTML and its text."""

    view: View
    html: str
    text: str

    @property
    def kind(self) -> str:
        return self.view.spec.kind.name

    def has_section(self, section: str) -> bool:
        return re.search(rf'<section id="{section}"[^>]*>', self.html) is not None


@dataclass(frozen=True)
class Context:
    notice: Notice
    catalog: Catalog
    pages: tuple[Page, ...]

    @property
    def main(self) -> Page | None:
        """The school's main notice (the first of the notice kind)."""
        return next((p for p in self.pages if p.kind == "notice"), None)

    @property
    def text(self) -> str:
        main = self.main
        return main.text if main else ""

    def finding(self, rule: str, severity: Severity, loc: Loc, message: Text, hint: Text,
                *, prefer_key: bool = True) -> Finding:
        return finding_at(self.notice, rule, severity, loc, message, hint, prefer_key=prefer_key)


def finding_at(notice: Notice, rule: str, severity: Severity, loc: Loc, message: Text, hint: Text,
               *, prefer_key: bool = True) -> Finding:
    """A finding at `loc` in the school file (at its key, if `prefer_key`)."""
    mark = notice.doc.mark(loc, prefer_key=prefer_key)
    return Finding(id=rule, severity=severity, message=message, hint=hint,
                   path=notice.path, line=mark.line, column=mark.column)


def ordered(findings: Iterable[Finding]) -> list[Finding]:
    """Errors first, then in file order."""
    return sorted(findings, key=lambda f: (f.severity != "error", f.line, f.column, f.id))


Rule = Callable[[Context], Iterator[Finding]]
RULES: list[Rule] = []


def rule(func: Rule) -> Rule:
    RULES.append(func)
    return func


def check(notice: Notice, catalog: Catalog, pages: Mapping[str, str]) -> list[Finding]:
    """Every finding for one school, errors first, then in file order. `pages`: the German
    documents' web pages by document id (or, for a school with only its notice, the notice's
    page as a string)."""
    rendered = {"notice": pages} if isinstance(pages, str) else pages
    found = tuple(Page(view=view_of(notice, spec), html=str(rendered[spec.id]),
                       text=plain_text(str(rendered[spec.id])))
                  for spec in documents_of(notice) if spec.id in rendered)
    ctx = Context(notice=notice, catalog=catalog, pages=found)
    return ordered(f for r in RULES for f in r(ctx))


def counts(findings: list[Finding]) -> dict[str, int]:
    """How many errors and warnings, as the manifest keeps them."""
    return {"errors": sum(f.severity == "error" for f in findings),
            "warnings": sum(f.severity == "warning" for f in findings)}


def plain_text(page: str) -> str:
    """The visible text of an HTML page, whitespace collapsed (soft hyphens removed)."""
    page = re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.S)
    # without the soft hyphens of the web pages' headings (hyphenate.py)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).replace("\xad", "").split())


def activity_loc(activity: Activity) -> Loc:
    """Where an activity is in the school file."""
    if activity.kind == "website":
        return ("website",)
    return ("platforms" if activity.kind == "platform" else "systems", activity.id)


# ---------------------------------------------------------------------------- controller, DPO


CONTACT_FIELDS = {"street": Msg("street"), "postcode": Msg("postcode"), "city": Msg("city"),
                  "email": Msg("e-mail address")}
# the data protection officer's fields that may hold a placeholder
DPO_FIELDS = {"name": Msg("name"), "organisation": Msg("organisation"), "street": Msg("street"),
              "postcode": Msg("postcode"), "city": Msg("city"), "phone": Msg("phone")}


@rule
def controller_contact(ctx: Context) -> Iterator[Finding]:
    school = ctx.notice.school.school
    missing = [f for f in CONTACT_FIELDS if is_placeholder(getattr(school, f))]
    if missing:
        yield ctx.finding("art13.controller", "warning", ("school", missing[0]),
                          Msgs("Parents cannot reach the school yet: its {listed} is a placeholder.",
                               "Parents cannot reach the school yet: its {listed} are placeholders.",
                               len(missing), listed=[CONTACT_FIELDS[f] for f in missing]),
                          Msg("Fill in the school's postal address and e-mail address (Art. 13 "
                              "Abs. 1 lit. a DSGVO)."))
    if ctx.notice.school.school_authority is None and school.kind == "public":
        yield ctx.finding("art13.controller", "error", (), Msg("A public school names its "
                          "Schulträger, but the school file has no 'school_authority:'."),
                          Msg("Add 'school_authority:' with the name of the Landkreis or the town "
                              "that maintains the school."))


@rule
def dpo_contact(ctx: Context) -> Iterator[Finding]:
    dpo = ctx.notice.school.dpo
    hint = Msg("Add 'dpo:' with the e-mail address (or postal address) of the school's data "
               "protection officer; the name is optional (Art. 13 Abs. 1 lit. b DSGVO).")
    if dpo is None:
        yield ctx.finding("art13.dpo_contact", "error", (),
                          Msg("The notice does not say how to reach the data protection officer."),
                          hint)
        return
    channels = [dpo.email, dpo.phone, dpo.street and dpo.city and dpo.street]
    if not any(channels):
        yield ctx.finding("art13.dpo_contact", "error", ("dpo",),
                          Msg("The data protection officer has no e-mail, phone or postal address."),
                          hint)
    elif all(c is None or is_placeholder(c) for c in channels):
        yield ctx.finding("art13.dpo_contact", "warning", ("dpo",),
                          Msg("The data protection officer's contact is still a placeholder."), hint)
    for field, name in DPO_FIELDS.items():
        value = getattr(dpo, field)
        if is_placeholder(value) and any(c and not is_placeholder(c) for c in channels):
            yield ctx.finding("placeholder", "warning", ("dpo", field),
                              Msg("The data protection officer's {field} is a placeholder.",
                                  field=name),
                              Msg("Replace the 'TODO' text with the real value, or remove the "
                                  "line."), prefer_key=False)
    school = ctx.notice.school.school
    same = [f for f in ("email", "phone") if getattr(dpo, f) and getattr(dpo, f) == getattr(school, f)
            and not is_placeholder(getattr(dpo, f))]
    if same:
        what = CONTACT_FIELDS["email"] if same[0] == "email" else Msg("phone number")
        yield ctx.finding("art13.dpo_independent", "warning", ("dpo", same[0]),
                          Msg("The data protection officer's {what} is the school office's.",
                              what=what),
                          Msg("Give the data protection officer's own contact: parents must be "
                              "able to reach the DPO as such, in confidence (Art. 38 Abs. 4 DSGVO)."),
                          prefer_key=False)


# ---------------------------------------------------------------------------- purposes, bases


@rule
def purposes(ctx: Context) -> Iterator[Finding]:
    for activity in ctx.notice.activities:
        if not activity.purposes:
            yield ctx.finding("art13.purposes", "error", activity_loc(activity),
                              Msg("No purpose is given for {name}.", name=activity.short_name),
                              Msg("Each processing needs its purpose (Art. 13 Abs. 1 lit. c DSGVO); "
                                  "the platform's catalog entry or the school file must list them."))


@rule
def legal_basis(ctx: Context) -> Iterator[Finding]:
    notice = ctx.notice
    statutory = [p for a in notice.activities for p in a.purposes
                 if p.basis.kind == "statute" and not p.basis.provision]
    if notice.school.citation and statutory and not notice.law.church and not re.search(
            r"Art\. 6 Abs\. 1 UAbs\. 1 lit\. e|Art\. 6 Abs\. 1 lit\. e", notice.school.citation):
        yield ctx.finding("art13.legal_basis", "error", ("citation",),
                          Msg("The legal basis '{citation}' does not cite Art. 6 Abs. 1 lit. e "
                              "DSGVO, on which the school's statutory processing rests.",
                              citation=notice.school.citation),
                          Msg("Remove 'citation:' to use the Land's citation, or cite Art. 6 Abs. 1 "
                              "UAbs. 1 lit. e, Abs. 3 DSGVO with the school-law provision."))
    if notice.school.citation:
        state = notice.state
        known_refs = [p.ref for p in state.school_law.provisions] + [r.name for r in state.related_rules]
        known_refs.append(state.notice_citation.text)
        if state.duty_to_provide:
            known_refs.append(state.duty_to_provide.ref)
        known = set().union(*(_paragraphs(ref) for ref in known_refs))
        for number in sorted(_paragraphs(notice.school.citation) - known):
            yield ctx.finding("art13.legal_basis.provision", "warning", ("citation",),
                              Msg("§/Art. {number} is not among the provisions known for {state}.",
                                  number=number, state=state.name),
                              Msg("Check the citation with your data protection officer; the "
                                  "Land's profile knows: {refs}.",
                                  refs=Seq(p.ref for p in state.school_law.provisions)),
                              prefer_key=False)


def _paragraphs(text: str) -> set[str]:
    """Numbers of the §§ and articles a citation names, apart from those of the DSGVO."""
    text = re.sub(r"Art\.[^§]*?DSGVO", " ", text)
    numbers: set[str] = set()
    for match in re.finditer(r"(?:§§?|Art\.)\s*((?:\d+[a-z]?(?:\s*(?:,|und|bis|–|-)\s*(?=\d))?)+)", text):
        numbers |= set(re.findall(r"\d+[a-z]?", match.group(1)))
    return numbers


BASIS_NAMES = {"statute": Msg("the statute (a public task)"), "consent": Msg("consent"),
               "obligation": Msg("a legal obligation"), "contract": Msg("a contract"),
               "legitimate_interest": Msg("legitimate interests")}


@rule
def bases(ctx: Context) -> Iterator[Finding]:
    """Each basis is available to this controller, and the law names its provision."""
    notice = ctx.notice
    kind = notice.school.school.kind
    for activity in notice.activities:
        for n, purpose in enumerate(activity.purposes):
            loc = (*activity_loc(activity), "purposes", n) if purpose.from_school else activity_loc(activity)
            basis = purpose.basis.kind
            if basis == "legitimate_interest" and kind == "public":
                yield ctx.finding("basis.legitimate_interest", "error", loc,
                                  Msg("'{purpose}' rests on legitimate interests, which a public "
                                      "school cannot use for its tasks (Art. 6 Abs. 1 UAbs. 2 "
                                      "DSGVO).", purpose=german(purpose.text)),
                                  Msg("Name the statutory basis (basis: statute, with the "
                                      "provision) or ask for consent (basis: consent)."),
                                  prefer_key=False)
            elif basis == "contract" and kind == "public":
                yield ctx.finding("basis.contract", "warning", loc,
                                  Msg("'{purpose}' rests on a contract, but a public school's "
                                      "relationship with its pupils is not a contract.",
                                      purpose=german(purpose.text)),
                                  Msg("Use basis: statute (with the provision) or consent, unless "
                                      "the school really contracts for this (e.g. a paid service)."),
                                  prefer_key=False)
            elif notice.law.citation(purpose.basis) is None and activity.kind != "website" \
                    and not (ctx.main and ctx.main.view.spec.kind.name == "staff_notice"):
                yield ctx.finding("law.unknown_ref", "error", loc,
                                  Msg("The provision for {basis} under {law} is not known, so the "
                                      "notice cannot cite it.", basis=BASIS_NAMES[basis],
                                      law=notice.law.abbr),
                                  Msg("Ask your data protection officer and give it in the school "
                                      "file: 'law_refs: {{basis.{basis}: \"...\"}}', or a "
                                      "'provision:' for the purpose.", basis=basis),
                                  prefer_key=False)


ROLES = [("access", Msg("access")), ("rectification", Msg("rectification")),
         ("erasure", Msg("erasure")), ("restriction", Msg("restriction")),
         ("portability", Msg("portability")), ("objection", Msg("objection")),
         ("automated_decisions", Msg("automated decisions")), ("withdrawal", Msg("withdrawal")),
         ("complaint", Msg("complaint"))]


@rule
def unknown_refs(ctx: Context) -> Iterator[Finding]:
    """A right whose provision the catalog does not know (church law): the DPO gives it."""
    law = ctx.notice.law
    for role, name in ROLES:
        if law.ref(role) is None:
            yield ctx.finding("law.unknown_ref", "error", ("school",),
                              Msg("The provision of {right} under {law} is not known, so the "
                                  "notice cannot cite it.", right=name, law=law.abbr),
                              Msg("Ask your data protection officer and add it to the school file: "
                                  "'law_refs: {{{role}: \"§ ... {law}\"}}'.", role=role,
                                  law=law.abbr))


@rule
def platform_coverage(ctx: Context) -> Iterator[Finding]:
    state = ctx.notice.state
    covered = state.platforms_covered
    for activity in ctx.notice.activities:
        if activity.kind != "platform" or activity.coverage in ("none", "yes", "confirmed"):
            continue
        ask = Msg("Ask your data protection officer whether {provision} is enough. If so, record "
                  "the decision under platforms.{id}: 'statute_confirmed: {{by: ..., on: "
                  "YYYY-MM-DD}}'; if not, set 'basis: consent' to ask for consent.",
                  provision=covered.provision or Msg("the school law"), id=activity.id)
        why: Msg
        if activity.coverage == "condition" and covered.condition is not None:
            why = Msg("in {state} only when this holds: {condition}", state=state.name,
                      condition=covered.condition.text.rstrip("."))
            ask = Msg("{question} If it has, record the decision under platforms.{id}: "
                      "'statute_confirmed: {{by: ..., on: YYYY-MM-DD}}'; if not, set 'basis: "
                      "consent' to ask for consent.", question=covered.condition.confirm.strip(),
                      id=activity.id)
        elif activity.coverage == "only":
            why = Msg("the school law of {state} covers only {only} expressly", state=state.name,
                      only=covered.only)
        elif activity.coverage == "no":
            why = Msg("the school law of {state} does not cover learning platforms", state=state.name)
        else:
            why = Msg("it is not known whether the school law of {state} covers learning platforms",
                      state=state.name)
        yield ctx.finding("law.platform_coverage", "warning", activity_loc(activity),
                          Msg("{name} is used on the statute, but {why}; the documents therefore "
                              "do not say that no consent is needed.", name=activity.short_name,
                              why=why),
                          ask)


# ---------------------------------------------------------------------------- recipients, places


@rule
def recipients(ctx: Context) -> Iterator[Finding]:
    for activity in ctx.notice.activities:
        view = activity.platform
        if view is None:
            if activity.kind == "system" and activity.hosting == "cloud" and not activity.processors \
                    and not ctx.notice.school.systems[activity.id].no_processor:
                yield ctx.finding("art13.recipients", "error", activity_loc(activity),
                                  Msg("{name} runs in a cloud, but no processor is named.",
                                      name=activity.short_name),
                                  Msg("Add 'processors:' under systems.{id} with the company that "
                                      "runs it (name, address, task, location), or 'no_processor: "
                                      "true' if nobody outside the school has access.",
                                      id=activity.id))
            continue
        task = view.use.processor_task["de"] if view.use.processor_task else view.hosting.processor_task
        if task is None:
            continue
        name = view.platform.short_name
        if view.use.no_processor:
            cloud = view.use.hosting == "cloud"
            severity: Severity = "error" if cloud else "warning"
            yield ctx.finding("art13.recipients", severity, ("platforms", view.id, "no_processor"),
                              Msg("No processor is named for {name}, although {who} usually does "
                                  "this as a processor: {task}.", name=name, task=task,
                                  who=Msg("the hosting company") if cloud
                                  else view.platform.vendor.name),
                              Msg("Name everyone outside the school who can access the data "
                                  "(Art. 13 Abs. 1 lit. e DSGVO): remove 'no_processor', or give "
                                  "'processor:' with name and address."))
        elif view.use.processor is None and not view.hosting.processor_is_vendor:
            yield ctx.finding("art13.recipients", "error", ("platforms", view.id, "hosting"),
                              Msg("{name} is hosted by a company the school chooses, but the "
                                  "school file does not name it.", name=name),
                              Msg("Add 'processor:' with name and address under platforms.{id} "
                                  "(the company in your processing contract).", id=view.id))


@rule
def third_country(ctx: Context) -> Iterator[Finding]:
    for activity in ctx.notice.activities:
        where = german(activity.location)
        if where != UNKNOWN:
            continue
        if activity.kind == "system" or activity.processors or activity.hosting == "on_premises":
            part = "platforms" if activity.kind == "platform" else "systems"
            yield ctx.finding("art13.third_country", "error", (*activity_loc(activity), "hosting"),
                              Msg("It is not known where the data of {name} are stored, so the "
                                  "notice cannot say whether they leave the EU.",
                                  name=activity.short_name),
                              Msg("Add 'location:' under {part}.{id}, e.g. 'Rechenzentrum in "
                                  "Deutschland' as stated in your processing contract (Art. 13 "
                                  "Abs. 1 lit. f DSGVO).", part=part, id=activity.id))


_IN_SCHOOL = re.compile(r"\bin der Schule\b|\bSchulserver\b|\bim Schulgebäude\b", re.I)
# a data centre of the school's own Schulträger is the school's side (on_premises), a vendor's is not
_ELSEWHERE = re.compile(r"Rechenzentrum(?! (des Schulträgers|der Stadt|des (Land)?[Kk]reises|der Gemeinde|"
                        r"der Schule))|\bCloud\b|beim Anbieter|des Anbieters|Hosting", re.I)


@rule
def hosting_consistency(ctx: Context) -> Iterator[Finding]:
    """A location or description of the school's that contradicts the hosting it chose."""
    for activity in ctx.notice.activities:
        platform = activity.platform
        use = platform.use if platform else ctx.notice.school.systems.get(activity.id)
        if use is None or activity.hosting is None:
            continue
        for field in ("location", "description"):
            text = german(getattr(use, field, None))
            if not text:
                continue
            wrong = _ELSEWHERE if activity.hosting == "on_premises" else _IN_SCHOOL
            if wrong.search(text):
                said = Msg("on the school's own server") if activity.hosting == "on_premises" \
                    else Msg("in the cloud")
                params = {"name": activity.short_name, "text": text, "said": said}
                yield ctx.finding("consistency.hosting", "error", (*activity_loc(activity), field),
                                  Msg("The location of {name} ('{text}') contradicts its hosting: "
                                      "the school file says it runs {said}.", **params)
                                  if field == "location" else
                                  Msg("The description of {name} ('{text}') contradicts its "
                                      "hosting: the school file says it runs {said}.", **params),
                                  Msg("Correct the hosting (on_premises or cloud) or the text, so "
                                      "that the notice says one thing."), prefer_key=False)


_ONLY_INSIDE = re.compile(r"nur (innerhalb|in) der Schule|ausschließlich (innerhalb der )?Schule", re.I)
# bodies outside the school ('Betrieb' alone is also the running of a system: only the companies)
_OUTSIDE = re.compile(r"andere(n)? Schulen|Ausbildungsbetrieb|Praktikumsbetrieb|Betriebe\b|Betrieben\b|"
                      r"Praktikum|extern|Verein|Träger|Kammer|Behörde", re.I)


@rule
def recipients_consistency(ctx: Context) -> Iterator[Finding]:
    """'Only inside the school' beside a purpose or consent that involves others."""
    notice = ctx.notice
    outside = [r for r in notice.school.recipients  # a recipient saying 'only inside' is not
               if not r.within and not _ONLY_INSIDE.search(german(r.purpose) or "")] + [
        c for c in notice.consents if c.external]
    texts: list[tuple[Loc, str]] = [(("recipients", n, "purpose"), german(r.purpose) or "")
                                     for n, r in enumerate(notice.school.recipients)]
    for key, use in notice.school.systems.items():
        texts += [(("systems", key, "recipients", n, "purpose"), german(r.purpose) or "")
                  for n, r in enumerate(use.recipients)]
    involved = bool(outside) or any(_OUTSIDE.search(german(p.text) or "")
                                    for a in notice.activities for p in a.purposes if p.from_school)
    for loc, text in texts:
        if _ONLY_INSIDE.search(text) and involved:
            yield ctx.finding("consistency.recipients", "error", loc,
                              Msg("'{text}' says the data stay inside the school, but other "
                                  "purposes or consents involve people or bodies outside it.",
                                  text=text),
                              Msg("Name those recipients instead of 'nur innerhalb der Schule'."),
                              prefer_key=False)


# ---------------------------------------------------------------------------- retention

_SPECIFIC = re.compile(r"\d|Tag|Woche|Monat|Jahr|Verlassen|Ende|Abschluss|Austritt|Löschung des "
                       r"Kontos|Widerruf|Schulzugehörigkeit|Sitzung", re.I)
_VAGUE = re.compile(r"solange (wie )?(es )?(erforderlich|nötig|notwendig)|bis zur Löschung "
                    r"gespeichert|bis auf Weiteres|unbegrenzt|dauerhaft", re.I)


def _vague(text: str) -> bool:
    return not _SPECIFIC.search(text) or (bool(_VAGUE.search(text)) and not re.search(r"\d", text))


def _school_retention(ctx: Context) -> Iterator[tuple[Loc, str]]:
    school = ctx.notice.school
    for pid, use in school.platforms.items():
        yield from ((("platforms", pid, "retention", r), t["de"]) for r, t in use.retention.items())
        yield from ((("platforms", pid, "data", n, "retention"), d.retention["de"])
                    for n, d in enumerate(use.data))
    for sid, system in school.systems.items():
        yield from ((("systems", sid, "data", n, "retention"), d.retention["de"])
                    for n, d in enumerate(system.data))
    for n, consent in enumerate(school.consents):
        if consent.retention:
            yield ("consents", n, "retention"), consent.retention["de"]
    if school.website:
        yield ("website", "log_retention"), school.website.log_retention["de"]


@rule
def retention(ctx: Context) -> Iterator[Finding]:
    for activity in ctx.notice.activities:
        view = activity.platform
        if view is None:
            continue
        used = {item.retention for _, m in view.modules for item in m.data}
        for rule_id in sorted(used):
            if rule_id in view.use.retention:
                continue
            rule_ = view.platform.retention[rule_id]
            if rule_.text == UNKNOWN:
                yield ctx.finding("art13.retention", "error", ("platforms", view.id),
                                  Msg("How long {name} keeps '{labels}' is not known.",
                                      name=view.platform.short_name, labels=_labels(view, rule_id)),
                                  Msg("Add under platforms.{id}.retention a line '{rule}: ...' with "
                                      "the period or the rule you set (Art. 13 Abs. 2 lit. a DSGVO).",
                                      id=view.id, rule=rule_id))
            elif rule_.set_by_school:
                yield ctx.finding("art13.retention", "error", ("platforms", view.id),
                                  Msg("How long {name} keeps '{labels}' is a setting of the "
                                      "school's; without it the data may be kept for ever.",
                                      name=view.platform.short_name, labels=_labels(view, rule_id)),
                                  Msg("Set the period in {name} and write it under "
                                      "platforms.{id}.retention as '{rule}: ...' (e.g. 'nach 30 "
                                      "Tagen gelöscht (Einstellung der Schule)'; Art. 13 Abs. 2 "
                                      "lit. a, Art. 5 Abs. 1 lit. e DSGVO).",
                                      name=view.platform.short_name, id=view.id, rule=rule_id))
    for loc, text in _school_retention(ctx):
        if not is_placeholder(text) and _vague(text):
            yield ctx.finding("art13.retention", "error", loc,
                              Msg("The retention text names no period and no event after which "
                                  "the data are deleted."),
                              Msg("Say how long, e.g. '6 Monate' or 'bis zum Verlassen der Schule' "
                                  "(Art. 13 Abs. 2 lit. a DSGVO); 'as long as necessary' is not "
                                  "enough."), prefer_key=False)


def _labels(view: PlatformView, rule_id: str) -> str:
    return ", ".join(item.label for _, m in view.modules for item in m.data
                     if item.retention == rule_id)


# ---------------------------------------------------------------------------- what readers are told


RIGHTS = [
    ("art13.right_access", "access", Msg("access")),
    ("art13.right_rectification", "rectification", Msg("rectification")),
    ("art13.right_erasure", "erasure", Msg("erasure")),
    ("art13.right_restriction", "restriction", Msg("restriction of processing")),
    ("art13.right_portability", "portability", Msg("data portability")),
    ("art13.right_object", "objection", Msg("objection")),
    ("art13.automated_decision", "automated_decisions", Msg("the statement on automated decisions")),
]


def _notices(ctx: Context) -> Iterator[Page]:
    return (p for p in ctx.pages if p.kind in ("notice", "staff_notice", "website_notice"))


@rule
def rights(ctx: Context) -> Iterator[Finding]:
    law = ctx.notice.law
    for page in _notices(ctx):
        where = f" ({page.view.spec.id})" if page.view.spec.id != "notice" else ""
        bases = page.view.bases()
        for rule_id, role, name in RIGHTS:
            ref = law.ref(role)
            if ref is None:
                continue  # law.unknown_ref asks for it
            if role == "objection" and not bases & {"statute", "legitimate_interest"}:
                continue  # no processing it applies to
            if ref not in page.text:
                yield ctx.finding(rule_id, "error", (),
                                  Msg("The notice{where} does not mention the right of {right} "
                                      "({ref}).", where=where, right=name, ref=ref),
                                  Msg("Keep the rights section of the standard template; a school "
                                      "template override must not drop it (Art. 13 Abs. 2 lit. b "
                                      "DSGVO)."))
        asks = bool(page.view.consents) or "consent" in bases
        withdrawal = law.ref("withdrawal")
        if asks and withdrawal and withdrawal not in page.text:
            yield ctx.finding("art13.withdraw_consent", "error", (),
                              Msg("Consent is asked, but the notice{where} does not say it can be "
                                  "withdrawn ({ref}).", where=where, ref=withdrawal),
                              Msg("Keep the sentence on withdrawal in the rights section (Art. 13 "
                                  "Abs. 2 lit. c DSGVO)."))
        if page.kind != "website_notice" and not page.has_section("obligation"):
            yield ctx.finding("art13.statutory_requirement", "error", (),
                              Msg("The notice{where} does not say whether the data must be "
                                  "provided and what happens if not.", where=where),
                              Msg("Keep the section on the duty to provide the data (Art. 13 Abs. 2 "
                                  "lit. e DSGVO)."))


# open questions another rule asks in its own words
_ASKED_ELSEWHERE = {"duty_to_provide"}


@rule
def open_question(ctx: Context) -> Iterator[Finding]:
    """What the catalog could not settle about the Land's law (e.g. which section the
    citation should name): asked, until the school gives its own citation."""
    notice = ctx.notice
    if notice.law.church or notice.school.citation is not None:
        return
    for question in notice.state.open_questions:
        if question.topic not in _ASKED_ELSEWHERE:
            yield ctx.finding("law.open_question", "warning", ("state",),
                              Msg("A question about {state}'s law that the catalog could not "
                                  "settle: {question}", state=notice.state.name,
                                  question=" ".join(question.question.split())),
                              Msg("Ask your data protection officer. If the notice should cite "
                                  "another provision, give the whole citation as 'citation:' in the "
                                  "school file (the check tests it)."))


@rule
def duty_to_provide(ctx: Context) -> Iterator[Finding]:
    state = ctx.notice.state
    if ctx.notice.school.school.kind == "public" and ctx.notice.law.duty_ref is None:
        asked = next((q.question for q in state.open_questions if q.topic == "duty_to_provide"), None)
        yield ctx.finding("law.duty_to_provide", "warning", ("state",),
                          Msg("It is not known which provision of {state}'s school law obliges "
                              "pupils and guardians to provide their data; the notice says it in "
                              "general words only.", state=state.name),
                          Msg("{question} Ask your data protection officer and give the provision "
                              "in the school file: 'law_refs: {{duty_to_provide: \"§ ...\"}}'.",
                              question=asked) if asked else
                          Msg("Ask your data protection officer and give the provision in the "
                              "school file: 'law_refs: {{duty_to_provide: \"§ ...\"}}'."))


@rule
def complaint_authority(ctx: Context) -> Iterator[Finding]:
    notice = ctx.notice
    state = notice.state
    if notice.law.church:
        if notice.authority_entry is None and notice.school.supervisory_authority is None:
            fits = [a for a, entry in ctx.catalog.authorities.items() if entry.law == notice.law.id]
            yield ctx.finding("art77.authority", "error", ("school",),
                              Msg("A school under {law} names its church's supervisory "
                                  "authority, but the school file does not say which one.",
                                  law=notice.law.abbr),
                              Msg("Add 'authority:' under school: one of {authorities} (the one "
                                  "for your diocese or Landeskirche).", authorities=Seq(fits)))
        elif notice.authority_entry is not None and notice.authority_entry.question:
            yield ctx.finding("art77.authority", "warning", ("school", "authority"),
                              Msg("The catalog is not sure of {authority}'s details: {question}",
                                  authority=notice.authority_entry.short,
                                  question=notice.authority_entry.question),
                              Msg("Check the address with your data protection officer; a corrected "
                                  "one goes under 'supervisory_authority:'."), prefer_key=False)
        return
    own = state.supervisory_authority
    override = notice.school.supervisory_authority
    if override is not None and not _same_authority(override.name, own.name, own.short):
        other = next((s for s in ctx.catalog.states.values()
                      if _same_authority(override.name, s.supervisory_authority.name,
                                         s.supervisory_authority.short)), None)
        if other is not None:
            why = Msg("'{name}' is the authority of {other}, not of {state}.", name=override.name,
                      other=other.name, state=state.name)
        elif re.search(r"schulamt|schulaufsicht|landesamt für schule|bildung", override.name, re.I):
            why = Msg("'{name}' is a school supervision office, not a data protection supervisory "
                      "authority.", name=override.name)
        else:
            why = Msg("'{name}' is not the data protection authority of {state}.",
                      name=override.name, state=state.name)
        yield ctx.finding("art77.authority", "error", ("supervisory_authority", "name"),
                          Msg("Wrong complaint authority: {why}", why=why),
                          Msg("Remove 'supervisory_authority:'; the notice then names {name} "
                              "({short}), {street}, {postcode} {city} (Art. 77 DSGVO).",
                              name=own.name, short=own.short, street=own.street,
                              postcode=own.postcode, city=own.city),
                          prefer_key=False)
    elif override is not None and (override.street, override.postcode) != (None, None) and (
            (override.street, override.postcode) != (own.street, own.postcode)):
        yield ctx.finding("art77.address", "error", ("supervisory_authority",),
                          Msg("The complaint authority is {short}, but its address differs from "
                              "the catalog's ({street}, {postcode} {city}).", short=own.short,
                              street=own.street, postcode=own.postcode, city=own.city),
                          Msg("Remove the address under 'supervisory_authority:' (the catalog's is "
                              "printed), or tell the project if the authority has moved."))
    main = ctx.main
    if main and (notice.authority.name not in main.text or "Art. 77" not in main.text):
        yield ctx.finding("art77.authority", "error", (),
                          Msg("The notice does not name the authority to complain to (Art. 77 "
                              "DSGVO)."),
                          Msg("Keep the complaint paragraph of the standard template."))


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
    main = ctx.main
    ref = ctx.notice.law.ref("information_indirect")
    if main and main.view.data_from("records") and ("Schulverwaltungsprogramm" not in main.text
                                                    or (ref and ref not in main.text)):
        yield ctx.finding("art14.source", "error", (),
                          Msg("Data are taken from the school's records, but the notice does not "
                              "say where they come from."),
                          Msg("Keep the paragraph on data from the school's records (Art. 14 "
                              "Abs. 2 lit. f DSGVO)."))


# ---------------------------------------------------------------------------- consents


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
                view.module_basis(mid, p.basis) == "statute" for p in module.purposes))
            if about and statutory:
                yield ctx.finding("consent.for_statutory", "error", ("consents", index),
                                  Msg("Consent is asked for {name}, although the school uses it "
                                      "on the statute ({citation}).", name=view.platform.short_name,
                                      citation=ctx.notice.citation),
                                  Msg("Remove this consent: what the law allows needs no consent, "
                                      "and asking for it suggests parents could refuse. If the "
                                      "platform should rest on consent instead, set 'basis: "
                                      "consent' under platforms.{id}.", id=view.id))


@rule
def consent_facts(ctx: Context) -> Iterator[Finding]:
    """Every consent says what is processed, who sees it and how long."""
    index = {c.id: n for n, c in enumerate(ctx.notice.school.consents)}
    for consent in ctx.notice.consents:
        if consent.id not in index:
            continue  # a platform's consent: its data and retention come from the catalog
        missing = [key for key, value in (("data", consent.data), ("recipients", consent.recipients),
                                          ("retention", consent.retention)) if not value]
        if missing:
            yield ctx.finding("consent.facts", "error", ("consents", index[consent.id]),
                              Msg("The consent '{title}' does not say {missing}.",
                                  title=german(consent.title),
                                  missing=[CONSENT_FACTS[key] for key in missing]),
                              Msg("Add {keys} to it: a consent is valid only when the signer knows "
                                  "what is processed, who sees it and for how long (Art. 7, "
                                  "Art. 13 DSGVO).", keys=[repr(key + ":") for key in missing]))


CONSENT_FACTS = {"data": Msg("data"), "recipients": Msg("recipients"),
                 "retention": Msg("retention")}


_COUPLED = re.compile(r"ohne (diese |die |Ihre )?Einwilligung (ist |kann )?.{0,40}(nicht möglich|"
                      r"nicht teilnehmen|ausgeschlossen|nicht besuchen)|Voraussetzung für (die "
                      r"Aufnahme|den Schulbesuch|die Teilnahme)", re.I)


@rule
def consent_coupling(ctx: Context) -> Iterator[Finding]:
    """'Freiwillig, keine Nachteile' beside a text that makes schooling depend on the consent."""
    if not ctx.notice.consents:
        return
    texts = [(("consents", n, key), t["de"]) for n, c in enumerate(ctx.notice.school.consents)
             for key in ("text", "title") if (t := getattr(c, key))]
    texts += [(("extra", n, "text"), e.text["de"]) for n, e in enumerate(ctx.notice.school.extra)]
    for loc, text in texts:
        if _COUPLED.search(text):
            yield ctx.finding("consent.coupling", "error", loc,
                              Msg("A text says schooling or the platform is not possible without "
                                  "the consent, while the sheet says consent is voluntary and "
                                  "refusing it has no disadvantage."),
                              Msg("A consent that schooling depends on is not voluntary (Art. 7 "
                                  "Abs. 4 DSGVO): put what the school needs on the statute, and "
                                  "keep the consent for what is really optional."), prefer_key=False)


# the library's consents to publish pupils' data or pictures
_PUBLICATION = ("class_photo", "photos_print", "photos_website", "press", "yearbook")


@rule
def land_forms(ctx: Context) -> Iterator[Finding]:
    """A Land whose schools must use its own model consent forms for publications (Bayern)."""
    notice = ctx.notice
    forms = notice.state.consent_forms
    if forms is None or forms.value != "yes" or notice.school.school.kind != "public":
        return
    asked = [c for c in notice.consents if c.id in _PUBLICATION]
    if asked:
        yield ctx.finding("consent.land_forms", "warning", ("consents",),
                          Msg("{state} has model consent forms for publications ({provision}) that "
                              "bind {bound}; this sheet asks for {titles} on its own form.",
                              state=notice.state.name, provision=forms.provision,
                              bound=forms.only or Msg("its schools"),
                              titles=Seq(f"'{german(c.title)}'" for c in asked)),
                          Msg("{question} If it must, hand out the Land's forms for these consents "
                              "and leave them out of 'consents:' here.",
                              question=forms.question or Msg("Does the school use the model forms?")))


@rule
def consent_age(ctx: Context) -> Iterator[Finding]:
    rule_ = ctx.notice.state.consent_age
    if ctx.notice.consents and ctx.notice.school.consent_age is None and rule_.confidence == "low" \
            and ctx.notice.pupils_sign:  # where no pupil is old enough, the rule changes nothing
        yield ctx.finding("consent.age_rule", "warning", (),
                          Msg("Who signs the consent follows a common practice (guardians alone "
                              "under {under}, pupils alone from {alone_from}), not a rule of "
                              "{state}'s law.", under=rule_.guardians_only_under,
                              alone_from=rule_.pupil_alone_from, state=ctx.notice.state.name),
                          Msg("Confirm it with your data protection officer, or set 'consent_age:' "
                              "in the school file."))


@rule
def joint_custody(ctx: Context) -> Iterator[Finding]:
    known = ctx.notice.state.joint_custody
    if ctx.notice.consents and ctx.notice.school.consent_sheet.joint_custody is None and (
            known is None or known.signers == "unknown"):
        yield ctx.finding("consent.joint_custody", "warning", (),
                          Msg("It is not known whether in {state} one guardian may sign for both; "
                              "the sheets ask for both signatures or the signer's confirmation "
                              "that the other agrees.", state=ctx.notice.state.name),
                          Msg("Decide it with your data protection officer and set 'consent_sheet: "
                              "{{joint_custody: both_sign}}' or 'one_confirms'."))


# ---------------------------------------------------------------------------- documents


@rule
def document_kinds(ctx: Context) -> Iterator[Finding]:
    """What each kind of document needs besides the facts."""
    notice = ctx.notice
    for n, spec in enumerate(documents_of(notice)):
        yield from _document(ctx, n, spec)


def _document(ctx: Context, n: int, spec: DocumentSpec) -> Iterator[Finding]:
    notice = ctx.notice
    kind = spec.kind.name
    loc: Loc = ("documents", n) if spec.entry is not None else ()
    known = {*notice.school.systems, *notice.school.platforms, *(c.id for c in notice.consents),
             *(s.id for s in documents_of(notice)), "website"}
    for i, cover in enumerate(spec.entry.covers if spec.entry else []):
        if cover not in known:
            yield ctx.finding("documents.covers", "error", (*loc, "covers", i),
                              Msg("documents.{id}: covers '{cover}', which is no system, "
                                  "platform, consent or document of this school.", id=spec.id,
                                  cover=cover),
                              Msg("Use one of: {known}.", known=Seq(sorted(known))),
                              prefer_key=False)
    if kind == "website_notice":
        site = notice.school.website
        if site is None:
            yield ctx.finding("website.missing", "error", loc,
                              Msg("documents.{id} is a website notice, but the school file has no "
                                  "'website:' with the host, the log retention and the cookies.",
                                  id=spec.id),
                              Msg("Add 'website:' (see the README, Website notice)."))
        elif (notice.state.website_basis is None or notice.state.website_basis.ref == UNKNOWN) \
                and site.log_provision is None and notice.school.school.kind == "public":
                yield ctx.finding("website.basis", "warning", ("website",),
                                  Msg("It is not known which provision of {state}'s law the "
                                      "website and its server logs rest on.",
                                      state=notice.state.name),
                                  Msg("Ask your data protection officer (usually the general "
                                      "clause of the Land's data protection law) and give it as "
                                      "'log_provision:' under website."))
        if site is not None and site.contact_form and site.contact_retention is None:
            yield ctx.finding("website.contact_retention", "error", ("website", "contact_form"),
                              Msg("The website notice does not say how long enquiries from the "
                                  "contact form and by e-mail are kept."),
                              Msg("Add 'contact_retention:' under website, e.g. 'bis die Anfrage "
                                  "erledigt ist, danach spätestens nach sechs Monaten gelöscht' "
                                  "(the school's own rule; Art. 13 Abs. 2 lit. a DSGVO)."),
                              prefer_key=False)
    if kind in ("consent", "consent_letter") and spec.entry and not view_of(notice, spec).consents:
        yield ctx.finding("documents.empty", "error", loc,
                          Msg("documents.{id} asks for no consent: none of its 'covers' is a "
                              "consent of this school.", id=spec.id),
                          Msg("List the consents it asks for under 'covers', or remove the "
                              "document."))
    if kind == "short_notice" and not (notice.school.publish and notice.school.publish.notice_url):
        yield ctx.finding("documents.short_link", "warning", loc,
                          Msg("The short notice {id} should lead to the full notice online, but "
                              "the school file gives no address.", id=spec.id),
                          Msg("Set 'publish: {{notice_url: ...}}': the printed short notice shows "
                              "it as a link and a QR code."))
    if kind in ("pupil_notice", "easy_notice") and notice_spec(notice) is None:
        yield ctx.finding("documents.full_notice", "error", loc,
                          Msg("The document {id} says what the full privacy notice says in "
                              "simpler words and refers to it, but the school publishes no "
                              "notice.", id=spec.id),
                          Msg("Add a document of kind 'notice' under documents."))
    if kind == "staff_notice" and not [r for r in notice.state.staff_data if r.ref != UNKNOWN]:
        yield ctx.finding("staff.provisions", "warning", loc,
                          Msg("The catalog does not know {state}'s provisions for teachers' and "
                              "staff data, so the staff notice cannot cite them.",
                              state=notice.state.name),
                          Msg("Ask your data protection officer and give the provision with each "
                              "purpose ('provision:')."))


@rule
def module_questions(ctx: Context) -> Iterator[Finding]:
    """What the catalog asks a school to confirm before it turns a module on."""
    for view in ctx.notice.platforms:
        for mid, module in view.modules:
            if module.question and not module.required:
                index = view.use.modules.index(mid) if mid in view.use.modules else None
                loc: Loc = ("platforms", view.id, "modules", index) if index is not None else (
                    "platforms", view.id)
                yield ctx.finding("catalog.question", "warning", loc,
                                  Msg("{platform} {module}: {question}",
                                      platform=view.platform.short_name, module=module.name,
                                      question=module.question),
                                  Msg("Answer it with your data protection officer; where the "
                                      "answer changes what the notice says, add it to the school "
                                      "file."), prefer_key=False)


@rule
def assessments(ctx: Context) -> Iterator[Finding]:
    """What supervisory authorities found about a platform the school uses: for its DPO."""
    for view in ctx.notice.platforms:
        for found in view.platform.assessments:
            said = {"authority": found.authority, "platform": view.platform.short_name,
                    "date": found.date.isoformat(), "title": found.title}
            yield ctx.finding("catalog.assessment", "warning", ("platforms", view.id),
                              Msg("{authority} assessed {platform} on {date}: {title}. For whom: "
                                  "{scope}", scope=" ".join(found.scope.split()), **said)
                              if found.scope else
                              Msg("{authority} assessed {platform} on {date}: {title}.", **said),
                              Msg("Read it with your data protection officer ({source}) and record "
                                  "what the school does about it; the notice states the "
                                  "platform's own purposes and transfers as the catalog knows them.",
                                  source=found.url or Msg("its source is in the catalog")),
                              prefer_key=False)


# ---------------------------------------------------------------------------- catalog and file


@rule
def doubtful_facts(ctx: Context) -> Iterator[Finding]:
    for view in ctx.notice.platforms:
        printed = [p for a in ctx.notice.activities if a.platform is view for p in a.processors
                   if p.party.name == view.platform.vendor.name]
        if printed and view.use.processor is None and view.platform.vendor.confidence == "low":
            yield ctx.finding("catalog.confidence", "warning", ("platforms", view.id),
                              Msg("The address of {vendor} in the catalog is uncertain.",
                                  vendor=view.platform.vendor.name),
                              Msg("Compare it with your processing contract; if it differs, give "
                                  "'processor:' with name and address under platforms.{id}.",
                                  id=view.id))


@rule
def placeholders(ctx: Context) -> Iterator[Finding]:
    """Every other 'TODO' left in the school file (contacts are reported by their own rules)."""
    covered = [("school", f) for f in CONTACT_FIELDS] + [("dpo",)]
    for p, loc in zip(ctx.notice.placeholders, ctx.notice.placeholder_locs, strict=True):
        if any(loc[: len(c)] == c for c in covered):
            continue
        # the message from the value (compose's problem text is lowercase, as a file problem's)
        yield Finding(id="placeholder", severity="warning",
                      message=Msg("Placeholder still to fill in: {what}",
                                  what=missing_of(str(_value_at(ctx.notice.doc.data, loc)))),
                      hint=Msg("Replace the 'TODO' text with the real value."), path=p.path,
                      line=p.line, column=p.column)


def _value_at(data: object, loc: Loc) -> object:
    """The value of the school file at `loc`."""
    for part in loc:
        data = data[part]  # type: ignore[index]
    return data


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
                              Msg("{where} has no text in {languages}: those documents show the "
                                  "German text.", where=where, languages=Seq(missing)),
                              Msg("Give the text per language, e.g. {{de: ..., {lang}: ...}}, or "
                                  "remove the language from 'languages:'.", lang=missing[0]),
                              prefer_key=False)


def _local_texts(data: object, loc: Loc) -> Iterable[tuple[Loc, dict[str, str]]]:
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
