"""A new school file, written from a few answers, with comments that explain every key.

The wizard asks (or takes from flags) only what the catalog cannot know; the result is the
same kind of file a person would write by hand, and it passes validation.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import click

from .catalog import Catalog, Platform
from .clihelp import voice_of
from .errors import DsinfoError, shown
from .i18n import LANGUAGES
from .load import first_control
from .messages import Either, Msg, Msgs, Seq
from .model import PHONE, POSTCODE, UNKNOWN, is_email, school_year_from
from .write import write_atomic

UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue"})


@dataclass
class PlatformChoice:
    id: str
    hosting: str
    modules: list[str] = field(default_factory=list)


@dataclass
class Answers:
    """Everything the wizard asks; empty strings become 'TODO' placeholders in the file."""

    name: str
    state: str
    street: str = ""
    postcode: str = ""
    city: str = ""
    email: str = ""
    phone: str = ""
    authority: str = ""
    dpo_name: str = ""
    dpo_email: str = ""
    platforms: list[PlatformChoice] = field(default_factory=list)
    languages: list[str] = field(default_factory=lambda: ["de"])
    consents: list[str] = field(default_factory=list)
    school_year: str = ""
    stand: dt.date = field(default_factory=dt.date.today)


def slug(name: str) -> str:
    """A school id from its name: 'Grundschule am Park, Erfurt' -> 'grundschule-am-park-erfurt'."""
    text = unicodedata.normalize("NFKD", name.translate(UMLAUTS)).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return text[:64].rstrip("-") or "schule"


def school_year_of(day: dt.date) -> str:
    """The school year a date falls in (from 1 August): 2025-09-01 -> '2025/26'."""
    return school_year_from(day.year if day.month >= 8 else day.year - 1)


def _q(value: str) -> str:
    """A YAML scalar that stays text as written: a JSON string (valid YAML), in which every
    character that is not printable is an escape too. JSON leaves U+2028, U+2029 and U+0085
    as they are, and YAML breaks lines there: a name carrying them would become keys."""
    return "".join(c if c.isprintable() else _escape(c) for c in json.dumps(value, ensure_ascii=False))


def _escape(character: str) -> str:
    code = ord(character)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _comment(text: str) -> str:
    """A catalog text for a comment: on one line, whatever it holds."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def one_line_problem(value: str) -> Msg | None:
    """Why a typed value cannot go into the school file, or None: text that is not UTF-8 (a
    command line in another encoding), a line break or an invisible control character."""
    if any(0xD800 <= ord(c) <= 0xDFFF for c in value):
        return Msg("the value is not UTF-8 text: type it again, or set the terminal to UTF-8")
    if first_control(value) is not None or any(c in value for c in "\n\u2028\u2029"):
        return Msg("the value holds a line break or an invisible control character: give it on "
                   "one line")
    return None


def _said(message: Msg) -> str:
    """A message for a click error, in the language of this run (click's errors hold text)."""
    return voice_of(click.get_current_context(silent=True)).say(message)


def _or_todo(value: str, what: str) -> str:
    return _q(value) if value.strip() else _q(f"TODO: {what}")


def render(answers: Answers, catalog: Catalog) -> str:
    """The school file's text, commented for the person who maintains it."""
    state = catalog.states[answers.state]
    lines = [  # every value as _q() writes it; the comments hold the catalog's texts only
        "# Datenschutzhinweise und Einwilligung",
        "# Erstellt mit `python build.py new`. Werte mit \"TODO\" sind noch auszufüllen;",
        "# `python build.py check` zeigt, was fehlt. Schlüssel und Bedeutung: README.md.",
        "",
        "school:  # die Schule ist Verantwortliche (Art. 4 Nr. 7 DSGVO)",
        f"  name: {_q(answers.name)}",
        f"  street: {_or_todo(answers.street, 'Straße und Hausnummer')}",
        f"  postcode: {_or_todo(answers.postcode, 'PLZ')}",
        f"  city: {_or_todo(answers.city, 'Ort')}",
        f"  email: {_or_todo(answers.email, 'E-Mail-Adresse der Schule')}",
    ]
    if answers.phone.strip():
        lines.append(f"  phone: {_q(answers.phone)}")
    lines += [
        "",
        f"state: {answers.state}  # {_comment(state.name)}: Schulrecht, Rechtsgrundlage und Aufsichtsbehörde "
        "kommen aus catalog/states/",
        f"school_year: {_q(answers.school_year or school_year_of(answers.stand))}",
        f"stand: {answers.stand.isoformat()}  # Stand dieser Fassung (JJJJ-MM-TT)",
        f"languages: [{', '.join(answers.languages)}]  # Deutsch ist immer dabei und verbindlich",
        "",
        "school_authority:  # Schulträger",
        f"  name: {_or_todo(answers.authority, 'Schulträger (Landkreis oder Stadt)')}",
        "",
        "dpo:  # Datenschutzbeauftragte/r (Art. 37 DSGVO)",
    ]
    if answers.dpo_name.strip():
        lines.append(f"  name: {_q(answers.dpo_name)}")
    lines += [f"  email: {_or_todo(answers.dpo_email, 'E-Mail der oder des Datenschutzbeauftragten')}",
              "", "platforms:"]
    for choice in answers.platforms:
        platform = catalog.platforms[choice.id]
        lines += [f"  {choice.id}:  # {_comment(platform.name)}",
                  f"    hosting: {choice.hosting}  # on_premises (in der Schule) oder cloud",
                  f"    modules: [{', '.join(choice.modules)}]"]
        optional = [m for m, module in platform.modules.items() if not module.required]
        lines.append(f"    # weitere Module: {', '.join(m for m in optional if m not in choice.modules)}")
        hosting = platform.hosting[choice.hosting]  # type: ignore[index]
        if hosting.location == "unknown":
            where = _q("TODO: Speicherort der Daten laut Auftragsverarbeitungsvertrag")
            lines.append(f"    location: {where}")
        if hosting.processor_task and not hosting.processor_is_vendor:
            lines += ["    processor:  # wer die Plattform für die Schule betreibt",
                      f"      name: {_q('TODO: Name des Dienstleisters')}"]
        unknown = _unknown_retention(platform, choice.modules)
        if unknown:
            lines.append("    retention:  # Löschfristen, die der Katalog nicht kennt "
                         "(Art. 13 Abs. 2 lit. a DSGVO)")
            lines += [f"      {rule}: {_q(f'TODO: Löschfrist für {labels}')}" for rule, labels in unknown]
    if answers.consents:
        lines += ["", "consents:  # Einwilligungen aus catalog/consents/"]
        lines += [f"  - {c}  # {_comment(catalog.consents[c].title)}" for c in answers.consents]
    lines += ["", "# Ab dem zweiten Schuljahr: die Hinweise beginnen mit einem Kasten, der den Eltern",
              "# zeigt, was sich gegenüber dem Vorjahr geändert hat.", "# show_changes: true"]
    return "\n".join(lines) + "\n"


def _unknown_retention(platform: Platform, chosen: list[str]) -> list[tuple[str, str]]:
    """(rule id, the data it is for) of every retention rule the platform's modules in use
    need and the catalog does not know: the school gives them, or the check stops the build."""
    used: dict[str, list[str]] = {}
    for module_id, module in platform.modules.items():
        if module.required or module_id in chosen:
            for item in module.data:
                used.setdefault(item.retention, []).append(str(item.label))
    return [(rule, ", ".join(dict.fromkeys(labels))) for rule, labels in sorted(used.items())
            if platform.retention[rule].text == UNKNOWN or platform.retention[rule].set_by_school]


# ---------------------------------------------------------------------------- asking


def ask_answers(catalog: Catalog, values: dict[str, str | None], *, platform_specs: tuple[str, ...],
                languages: tuple[str, ...], consents: tuple[str, ...], stand: dt.date | None,
                no_input: bool) -> Answers:
    """The answers from flags, asking for the rest (in German: the reader is school staff).
    A typed answer is checked at once and asked again; flags are checked by `_validate`."""
    ask = Asker(no_input)
    land = ask.text("Land (Name oder Kürzel, z. B. Thüringen oder TH)", values["land"], required=True,
                    accept=lambda value: _known_state(value, catalog))
    answers = Answers(name=ask.text("Name der Schule", values["name"], required=True),
                      state=_state_code(land, catalog), stand=stand or dt.date.today())
    for key, prompt, valid in (
            ("street", "Straße und Hausnummer", None), ("postcode", "PLZ (fünf Ziffern)", _postcode),
            ("city", "Ort", None), ("email", "E-Mail-Adresse der Schule", is_email),
            ("phone", "Telefon (optional)", _phone), ("authority", "Schulträger", None),
            ("dpo_name", "Name der/des Datenschutzbeauftragten (optional)", None),
            ("dpo_email", "E-Mail der/des Datenschutzbeauftragten", is_email)):
        setattr(answers, key, ask.text(prompt, values[key], valid=valid))
    answers.platforms = _platforms(ask, platform_specs, catalog)
    more = ask.text("Weitere Sprachen (" + ", ".join(c for c in LANGUAGES if c != "de") + "; leer: keine)",
                    ",".join(languages) if languages or no_input else None,
                    accept=lambda value: _known("Sprache", _list(value), list(LANGUAGES)))
    answers.languages = ["de", *(code for code in _list(more) if code != "de")]
    answers.consents = _list(ask.text(
        "Einwilligungen (" + ", ".join(catalog.consents) + "; leer: keine)",
        ",".join(consents) if consents or no_input else None,
        accept=lambda value: _known("Einwilligung", _list(value), list(catalog.consents))))
    _validate(answers, catalog)
    return answers


class Asker:
    """Takes a value from a flag, else asks (unless --no-input). An answer that is not `valid`
    or that `accept` refuses (with a German hint) is asked again."""

    def __init__(self, no_input: bool) -> None:
        self.no_input = no_input

    def text(self, prompt: str, given: str | None, *, required: bool = False,
             valid: Callable[[str], bool] | None = None,
             accept: Callable[[str], None] | None = None) -> str:
        if given is not None:
            return given
        if self.no_input:
            if required:
                raise click.UsageError(_said(Msg("--no-input needs a value for: {prompt}",
                                                 prompt=prompt)))
            return ""
        default = None if required else ""

        def check(value: str) -> str:
            value = value.strip()
            if one_line_problem(value) or (valid and value and not valid(value)):
                raise click.UsageError(f"'{shown(value)}' passt nicht: bitte noch einmal")
            if accept and value:
                try:
                    accept(value)
                except ValueError as exc:
                    raise click.UsageError(str(exc)) from None
            return value

        return str(click.prompt(prompt, default=default, show_default=bool(default), value_proc=check))


def _postcode(value: str) -> bool:
    return re.fullmatch(POSTCODE, value) is not None


def _phone(value: str) -> bool:
    return re.fullmatch(PHONE, value) is not None


def _known_state(value: str, catalog: Catalog) -> None:
    if _state_lookup(value, catalog) is None:
        names = ", ".join(f"{s.name} ({code})" for code, s in sorted(catalog.states.items(),
                                                                      key=lambda i: i[1].name))
        raise ValueError(f"'{shown(value)}' kenne ich nicht. Bitte eines von: {names}")


def _state_lookup(value: str, catalog: Catalog) -> str | None:
    """A Land's code from its code or name, in any case."""
    if value.upper() in catalog.states:
        return value.upper()
    return next((code for code, s in catalog.states.items()
                 if s.name.casefold() == value.casefold()), None)


def _known(what: str, given: list[str], known: Sequence[str]) -> None:
    unknown = [item for item in given if item not in known]
    if unknown:
        raise ValueError(f"{what} {', '.join(unknown)} kenne ich nicht. Bitte aus: {', '.join(known)}")


def _state_code(value: str, catalog: Catalog) -> str:
    code = _state_lookup(value, catalog)
    if code is None:
        raise click.BadParameter(_said(Msg("unknown Land '{value}' (known: {known})",
                                           value=shown(value), known=Seq(sorted(catalog.states)))),
                                 param_hint="--land")
    return code


def _list(text: str) -> list[str]:
    return [item.strip().lower() for item in re.split(r"[,\s]+", text) if item.strip()]


def _platforms(ask: Asker, specs: tuple[str, ...], catalog: Catalog) -> list[PlatformChoice]:
    if not specs and not ask.no_input:
        ids = _list(ask.text("Plattformen (" + ", ".join(catalog.platforms) + ")", None, required=True,
                             accept=lambda value: _known("Plattform", _list(value),
                                                         list(catalog.platforms))))
        specs = tuple(_ask_platform(ask, pid, catalog) for pid in ids)
    if not specs:
        raise click.UsageError(_said(Msg("give at least one --platform, e.g. --platform "
                                         "iserv:on_premises:files")))
    choices = []
    for spec in specs:
        pid, _, rest = spec.partition(":")
        hosting, _, modules = rest.partition(":")
        choices.append(PlatformChoice(id=pid, hosting=hosting, modules=_list(modules)))
    return choices


def _ask_platform(ask: Asker, pid: str, catalog: Catalog) -> str:
    platform = catalog.platforms[pid]
    where = {"on_premises": "on_premises (Server in der Schule)", "cloud": "cloud (beim Anbieter)"}
    options = list(platform.hosting)
    hosting = options[0] if len(options) == 1 else ask.text(
        f"{platform.short_name}: Betrieb ({' oder '.join(where.get(h, h) for h in options)})", None,
        required=True, accept=lambda value: _known("Betrieb", [value], options))
    optional = [m for m, module in platform.modules.items() if not module.required]
    modules = ask.text(f"{platform.short_name}: Module ({', '.join(optional)}; leer: nur "
                       "Grundfunktionen)", None,
                       accept=lambda value: _known("Modul", _list(value), list(platform.modules)))
    return f"{pid}:{hosting}:{modules}"


TEXT_FLAGS = ("name", "street", "postcode", "city", "email", "phone", "authority", "dpo_name",
              "dpo_email")


def _validate(answers: Answers, catalog: Catalog) -> None:
    for key in TEXT_FLAGS:
        problem = one_line_problem(getattr(answers, key))
        if problem:
            raise click.BadParameter(_said(problem), param_hint=f"--{key.replace('_', '-')}")
    for choice in answers.platforms:
        platform = catalog.platforms.get(choice.id)
        if platform is None:
            raise click.BadParameter(_said(Msg("unknown platform '{id}' (known: {known})",
                                               id=shown(choice.id), known=Seq(catalog.platforms))),
                                     param_hint="--platform")
        if choice.hosting not in platform.hosting:
            raise click.BadParameter(_said(Msg("{id}: hosting must be {hosting}", id=choice.id,
                                               hosting=Either(platform.hosting))),
                                     param_hint="--platform")
        unknown = [m for m in choice.modules if m not in platform.modules]
        if unknown:
            raise click.BadParameter(_said(Msgs(
                "{id}: unknown module {modules} (known: {known})",
                "{id}: unknown modules {modules} (known: {known})", len(unknown), id=choice.id,
                modules=Seq(unknown), known=Seq(platform.modules))), param_hint="--platform")
    bad = [lang for lang in answers.languages if lang not in LANGUAGES]
    if bad:
        raise click.BadParameter(_said(Msgs("unknown language {codes} (known: {known})",
                                            "unknown languages {codes} (known: {known})", len(bad),
                                            codes=Seq(bad), known=Seq(LANGUAGES))),
                                 param_hint="--language")
    missing = [c for c in answers.consents if c not in catalog.consents]
    if missing:
        raise click.BadParameter(_said(Msgs("unknown consent {ids} (known: {known})",
                                            "unknown consents {ids} (known: {known})", len(missing),
                                            ids=Seq(missing), known=Seq(catalog.consents))),
                                 param_hint="--consent")
    if answers.postcode and not re.fullmatch(POSTCODE, answers.postcode):
        raise click.BadParameter(_said(Msg("'{value}' is not a postcode of five digits",
                                           value=shown(answers.postcode))), param_hint="--postcode")
    for key in ("email", "dpo_email"):
        value = getattr(answers, key)
        if value and not is_email(value):
            raise click.BadParameter(_said(Msg("'{value}' is not an e-mail address", value=shown(value))),
                                     param_hint=f"--{key.replace('_', '-')}")




# ---------------------------------------------------------------------------- a new project

PROJECT_README = """# Datenschutzhinweise der Schule

Ein Projektordner für dsinfo: eine YAML-Datei je Schule in `schools/`.

    dsinfo new            # eine weitere Schule anlegen (fragt nach allem Nötigen)
    dsinfo check          # die Schuldateien prüfen (Art. 13/14 DSGVO)
    dsinfo build          # alle Dokumente nach output/ bauen
    dsinfo serve          # Vorschau im Browser, baut bei jeder Änderung neu

`templates/` und `catalog/` dürfen eigene Vorlagen und Katalogeinträge aufnehmen: Eine Datei
dort ersetzt die mitgelieferte Datei gleichen Namens (z. B. `templates/notice.html` oder
`catalog/platforms/iserv.yaml`). Leer lassen, wenn die mitgelieferten passen.
"""

OWN_FOLDER_NOTE = """Eigene {what} dieses Projekts. Eine Datei hier ersetzt die mitgelieferte Datei
gleichen Namens; was hier fehlt, kommt aus dem Programm. Leer lassen, wenn die mitgelieferten
passen.
"""

EXAMPLE = Answers(name="Grundschule Beispielstadt", state="TH", street="Schulstraße 1", postcode="99084",
                  city="Erfurt", email="sekretariat@gs-beispielstadt.example",
                  authority="Stadt Erfurt (Beispiel)", dpo_email="datenschutz@gs-beispielstadt.example",
                  platforms=[PlatformChoice(id="moodle", hosting="on_premises", modules=[])],
                  stand=dt.date(2025, 8, 1))


def init_project(folder: Path, catalog: Catalog) -> list[Path]:
    """A new project folder: schools/ with one commented example, a README, and folders for
    the project's own templates and catalog entries. Refuses a folder that has schools/."""
    if (folder / "schools").exists():
        raise DsinfoError(Msg("{folder}/schools exists already: this is a project", folder=str(folder)))
    files = {
        folder / "schools" / "grundschule-beispielstadt.yaml": render(EXAMPLE, catalog),
        folder / "README.md": PROJECT_README,
        folder / "templates" / "README.txt": OWN_FOLDER_NOTE.format(what="Vorlagen (Jinja2-HTML)"),
        folder / "catalog" / "README.txt": OWN_FOLDER_NOTE.format(
            what="Katalogeinträge (states/, platforms/, consents/)"),
    }
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, text)
    return list(files)
