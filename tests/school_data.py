"""School data for the injection and property tests: a file that uses every field, and
hypothesis strategies for valid school files."""

from __future__ import annotations

import datetime as dt
import typing
from collections.abc import Callable
from typing import Any

import yaml
from hypothesis import strategies as st
from pydantic import BaseModel

from dsinfo.catalog import Catalog, Platform
from dsinfo.i18n import LANGUAGES
from dsinfo.model import Section

# Keys whose values have a fixed form (checked by a pattern or a list of choices); every other
# text in a school file is free text that the school writes and the notice shows.
FORMATTED = frozenset({"postcode", "phone", "email", "state", "school_year", "stand",
                       "languages", "hosting", "modules", "after", "basis", "id", "covers",
                       "return_by", "guardians_only_under", "pupil_alone_from", "no_processor",
                       "notice_url", "logo", "kind", "church_law", "authority", "type", "source",
                       "subjects", "joint_custody", "numbering", "order", "on", "url"})
# Keys that are free text at the top of the file and a list of ids (or a choice) below it
FORMATTED_BELOW = frozenset({"groups", "audience", "website"})

CONTACT = {"name": "Stadt Erfurt", "street": "Rathausplatz 1", "postcode": "99084",
           "city": "Erfurt", "country": {"de": "Deutschland", "en": "Germany"},
           "phone": "0361 6550", "email": "schulamt@erfurt.example",
           "website": "https://erfurt.example"}
PROCESSOR = {"name": "Kreis-IT", "street": "Am Rechenzentrum 3", "postcode": "A-1010",
             "city": "Wien", "country": {"de": "Österreich", "en": "Austria"},
             "task": {"de": "Betrieb der Server", "en": "Running the servers"},
             "location": {"de": "Rechenzentrum in Wien", "en": "Data centre in Vienna"},
             "safeguards": {"de": "ISO 27001", "en": "ISO 27001 certified"}}
USE = {"groups": ["pupils", "trainers"],
       "recipients": [{"name": {"de": "Lehrkräfte", "en": "Teachers"},
                       "purpose": {"de": "Unterricht", "en": "Teaching"}, "within": True}],
       "transfers": [{"country": {"de": "USA", "en": "USA"},
                      "safeguard": {"de": "Standardvertragsklauseln", "en": "Standard clauses"},
                      "copy_at": {"de": "beim Sekretariat", "en": "at the office"}}],
       "measures": [{"de": "Verschlüsselung", "en": "Encryption"}],
       "statute_confirmed": {"by": "die Datenschutzbeauftragte des Schulamts", "on": "2025-07-01",
                             "note": {"de": "schriftlich", "en": "in writing"}}}
DATA = [{"label": {"de": "Noten", "en": "Marks"}, "groups": ["pupils"], "source": "records",
         "retention": {"de": "zwei Jahre", "en": "two years"}, "voluntary": False}]
PURPOSES = [{"text": {"de": "Zeugnisse", "en": "Reports"}, "basis": "statute",
             "provision": "§ 57 ThürSchulG", "groups": ["pupils"]}]


def document(id: str, kind: str, **fields: Any) -> dict[str, Any]:
    """A document entry of the given kind, with the fields every kind has."""
    return {"id": id, "kind": kind, "title": {"de": f"Titel {id}", "en": f"Title {id}"},
            "audience": ["pupils", "guardians"], "numbering": "decimal", "questions": False,
            **fields}


# Every field of the School model, optional ones included (test_injection checks that none is
# missing, so a field added later gets its injection test too).
FULL: dict[str, Any] = {
    "school": {"name": "Grundschule am Park", "street": "Parkweg 1", "postcode": "99084",
               "city": "Erfurt", "phone": "0361 123456", "email": "sekretariat@gs-park.example",
               "website": "https://gs-park.example", "head": "Dr. N. N.", "kind": "church",
               "church_law": "dsg_ekd", "authority": "bfd_ekd", "type": "grundschule",
               "ages": {"youngest": 6, "oldest": 11}},
    "state": "TH",
    "school_year": "2025/26",
    "stand": "2025-08-01",
    "languages": ["de", "en"],
    "title": {"de": "Datenschutzhinweise", "en": "Privacy notice"},
    "audience": {"de": "für alle", "en": "for everyone"},
    "publish": {"notice_url": "https://gs-park.example/datenschutz/{lang}/", "logo": "logo.png",
                "logo_alt": {"de": "Logo der Schule", "en": "The school's logo"}},
    "school_authority": dict(CONTACT),
    "school_supervision": {**CONTACT, "name": "Staatliches Schulamt Mittelthüringen"},
    "dpo": {"name": "Erika Muster", "organisation": "Datenschutz GmbH", "street": "Hauptstraße 2",
            "postcode": "99084", "city": "Erfurt", "phone": "0361 99999",
            "email": "dsb@gs-park.example"},
    "groups": [{"id": "trainers", "name": {"de": "Ausbilder", "en": "Trainers"}}],
    "platforms": {"iserv": {"hosting": "cloud", "modules": ["files", "profile_picture"],
                            "location": {"de": "Rechenzentrum in Braunschweig",
                                         "en": "Data centre in Braunschweig"},
                            "processor": {**CONTACT, "name": "Kreis-IT"},
                            "processor_task": "Betrieb der Server",
                            "basis": {"profile_picture": "consent"},
                            "no_processor": False,
                            "retention": {"content": {"de": "bis zum Schuljahresende",
                                                      "en": "until the end of the school year"}},
                            "description": {"de": "Schulserver", "en": "School server"},
                            "data": DATA, "purposes": PURPOSES, "processors": [PROCESSOR],
                            **USE}},
    "systems": {"verwaltung": {"name": {"de": "Schulverwaltung", "en": "School administration"},
                               "description": {"de": "Programm", "en": "Software"},
                               "vendor": {**CONTACT, "name": "Softwarehaus"},
                               "hosting": "on_premises",
                               "location": {"de": "im Sekretariat", "en": "in the office"},
                               "processors": [PROCESSOR], "no_processor": False,
                               "data": DATA, "purposes": PURPOSES, **USE}},
    "website": {"url": "https://gs-park.example", "host": PROCESSOR,
                "log_data": [{"de": "IP-Adresse", "en": "IP address"}],
                "log_retention": {"de": "sieben Tage", "en": "seven days"},
                "log_provision": "§ 5 ThürDSG",
                "cookies": [{"name": "session", "purpose": {"de": "Anmeldung", "en": "Login"},
                             "duration": {"de": "Sitzung", "en": "Session"}, "necessary": True}],
                "contact_form": True,
                "contact_retention": {"de": "drei Monate", "en": "three months"},
                "embeds": [{"name": {"de": "Karte", "en": "Map"},
                            "provider": {**CONTACT, "name": "Kartendienst"},
                            "purpose": {"de": "Anfahrt", "en": "Directions"}, "consent": True}],
                "cms": "TYPO3"},
    "recipients": [{"name": {"de": "Schulträger", "en": "School authority"},
                    "purpose": {"de": "Wartung", "en": "Maintenance"}, "within": False}],
    "citation": "§ 57 ThürSchulG",
    "law_refs": {"access": "§ 19 DSG-EKD", "duty_to_provide": "§ 58 ThürSchulG"},
    "supervisory_authority": {**CONTACT, "name": "Landesbeauftragter für den Datenschutz"},
    "consent_age": {"guardians_only_under": "14", "pupil_alone_from": "16"},
    "consents": [{"id": "photos_website", "title": {"de": "Fotos", "en": "Photos"},
                  "text": {"de": "Fotos auf der Website", "en": "Photos on the website"},
                  "data": {"de": "Fotos", "en": "Photos"},
                  "recipients": {"de": "alle", "en": "everyone"},
                  "retention": {"de": "ein Jahr", "en": "one year"}, "covers": "iserv",
                  "subjects": ["pupils"], "external": True}],
    "consent_sheet": {"return_by": "2025-09-01",
                      "return_to": {"de": "an die Klassenleitung", "en": "to the class teacher"},
                      "joint_custody": "one_confirms"},
    "documents": [
        # the main notice takes the file's title, audience and extra sections
        {"id": "datenschutz", "kind": "notice", "covers": ["iserv", "verwaltung"],
         "order": ["intro", "controller", "dpo", "data", "purposes", "recipients", "third_country",
                   "retention", "rights", "obligation", "automated", "end"],
         "headings": {"data": {"de": "Unsere Daten", "en": "Our data"}}},
        document("personal", "staff_notice", audience=["teachers", "staff", "trainers"],
                 extra=[{"after": "retention", "title": {"de": "Archiv", "en": "Archive"},
                         "text": {"de": "Im Keller.", "en": "In the cellar."}, "section": True}]),
        document("website", "website_notice", audience=[]),
        document("kurz", "short_notice"),
        document("schueler", "pupil_notice", audience=["pupils"]),
        document("leicht", "easy_notice"),
        document("einwilligung", "consent", acknowledge=True,
                 rules={"title": {"de": "Nutzungsordnung", "en": "Rules of use"},
                        "url": "https://gs-park.example/regeln"}),
        document("brief", "consent_letter", salutation={"de": "Liebe Eltern,", "en": "Dear parents,"}),
        document("kenntnis", "acknowledgement",
                 rules={"title": {"de": "Hausordnung", "en": "House rules"}}),
        document("widerruf", "withdrawal")],
    "roster_columns": {"last_name": "Name", "first_name": "Rufname", "school_class": "Klasse",
                       "birth_date": "Geburtsdatum", "language": "Sprache"},
    "extra": [{"after": "retention", "title": {"de": "Sicherung", "en": "Backups"},
               "text": {"de": "Jede Nacht.", "en": "Every night."}, "section": False}],
    "show_changes": True,
}


def unset_fields(value: Any, path: str = "") -> list[str]:
    """Fields of a validated model (and the models inside it) that the data left unset: for a
    list or a mapping of models, the fields that no item sets."""
    if isinstance(value, BaseModel):
        missing = [f"{path}{name}" for name in type(value).model_fields
                   if name not in value.model_fields_set]
        return missing + [m for name in value.model_fields_set
                          for m in unset_fields(getattr(value, name), f"{path}{name}.")]
    items = list(value.values()) if isinstance(value, dict) else value
    if isinstance(items, (list, tuple)) and items:
        each = [set(unset_fields(item, path)) for item in items]
        return sorted(set.intersection(*each))
    return []


def map_texts(data: Any, change: Callable[[tuple[str, ...], str], str],
              path: tuple[str, ...] = ()) -> Any:
    """A copy of `data` with every free text replaced by change(path, text)."""
    if isinstance(data, dict):
        return {k: data[k] if k in FORMATTED or (k in FORMATTED_BELOW and path)
                else map_texts(v, change, (*path, k)) for k, v in data.items()}
    if isinstance(data, list):
        return [map_texts(v, change, (*path, str(i))) for i, v in enumerate(data)]
    return change(path, data) if isinstance(data, str) else data


class _Dumper(yaml.SafeDumper):
    """Every value written out where it stands: school files have no anchors or aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump(data: Any) -> str:
    """School data as YAML, the way a school file would be written."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


# ---------------------------------------------------------------------------- strategies

DAY_MIN, DAY_MAX = dt.date(1900, 1, 1), dt.date(2099, 12, 31)  # the dates a school file takes

# Letters, digits, punctuation, symbols, spaces, line separators and invisible format
# characters of every script. Control characters are left out: the loader refuses them.
_CHARS = st.characters(categories=["L", "M", "N", "P", "S", "Zs", "Zl", "Zp", "Cf"])
text = st.text(_CHARS, min_size=1, max_size=40).map(str.strip).filter(bool)
long_text = st.text(st.one_of(_CHARS, st.sampled_from("\n*_`[]()#>-")), min_size=1,
                    max_size=300).map(str.strip).filter(bool)
postcode = st.from_regex(r"\d{5}", fullmatch=True)
phone = st.from_regex(r"\+?[0-9][0-9 ()/\-]{3,20}[0-9]", fullmatch=True)
# a domain label neither starts nor ends with '-'; a local part has no dot at either end
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?"
email = st.from_regex(rf"[a-z0-9_-]{{1,6}}(?:\.[a-z0-9_-]{{1,6}})?@{_LABEL}\.(de|org|example)",
                      fullmatch=True)
website = st.from_regex(rf"https://{_LABEL}\.(de|org)(/[a-z0-9_-]{{1,8}})?", fullmatch=True)


@st.composite
def school_year(draw: st.DrawFn) -> str:
    year = draw(st.integers(2000, 2098))
    return f"{year}/{(year + 1) % 100:02d}"


def optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A value, or the marker that the key is left out."""
    return st.one_of(st.just(None), strategy)


def local(strategy: st.SearchStrategy[str], languages: list[str]) -> st.SearchStrategy[Any]:
    """A plain German text, or a text per language with German among them."""
    per_language = st.fixed_dictionaries(
        {"de": strategy}, optional={lang: strategy for lang in languages if lang != "de"})
    return st.one_of(strategy, per_language)


def contact(required: tuple[str, ...] = ("name",)) -> st.SearchStrategy[dict[str, Any]]:
    fields = {"name": text, "street": text, "postcode": postcode, "city": text, "phone": phone,
              "email": email, "website": website}
    return st.fixed_dictionaries({k: v for k, v in fields.items() if k in required},
                                 optional={k: v for k, v in fields.items() if k not in required})


@st.composite
def platform_use(draw: st.DrawFn, platform: Platform) -> dict[str, Any]:
    """How a school uses one catalog platform: hosting, modules and its own texts."""
    return draw(st.fixed_dictionaries(
        {"hosting": st.sampled_from(sorted(platform.hosting))},
        optional={"modules": st.lists(st.sampled_from(sorted(platform.modules)), unique=True),
                  "basis": st.sampled_from(["statute", "consent"]), "location": text,
                  "processor": contact(), "processor_task": text,
                  "no_processor": st.sampled_from(["true", "false"]),
                  "retention": st.dictionaries(st.sampled_from(sorted(platform.retention)),
                                               text, max_size=2)}))


@st.composite
def school_data(draw: st.DrawFn, catalog: Catalog) -> dict[str, Any]:
    """A valid school file's data: every optional part sometimes there, texts of any script."""
    languages = ["de", *draw(st.lists(st.sampled_from(LANGUAGES[1:]), unique=True, max_size=3))]
    states = [*catalog.states, *(s.name for s in catalog.states.values())]
    platforms = draw(st.lists(st.sampled_from(sorted(catalog.platforms)), min_size=1, max_size=2,
                              unique=True))
    own_consent = st.fixed_dictionaries(
        {"id": st.from_regex(r"eigene-[a-z0-9]{1,8}", fullmatch=True),
         "title": local(text, languages), "text": local(long_text, languages)},
        optional={"data": local(text, languages), "recipients": local(text, languages),
                  "retention": local(text, languages), "covers": st.sampled_from(platforms)})
    ages = draw(st.lists(st.integers(0, 18), min_size=2, max_size=2).map(sorted))
    data: dict[str, Any] = {
        "school": draw(st.fixed_dictionaries(
            {"name": text, "street": text, "postcode": postcode, "city": text, "email": email},
            optional={"phone": phone, "website": website, "head": text})),
        "state": draw(st.sampled_from(states)),
        "school_year": draw(school_year()),
        "stand": draw(st.dates(DAY_MIN, DAY_MAX)).isoformat(),
        "languages": languages,
        "title": draw(optional(local(text, languages))),
        "audience": draw(optional(local(text, languages))),
        "school_authority": draw(contact()),
        "school_supervision": draw(optional(contact())),
        "dpo": draw(optional(st.fixed_dictionaries({}, optional={
            "name": text, "organisation": text, "street": text, "postcode": postcode,
            "city": text, "phone": phone, "email": email}))),
        "platforms": {pid: draw(platform_use(catalog.platforms[pid])) for pid in platforms},
        "recipients": draw(st.lists(st.fixed_dictionaries(
            {"name": local(text, languages), "purpose": local(text, languages)}), max_size=3)),
        "citation": draw(optional(text)),
        "supervisory_authority": draw(optional(contact())),
        "consent_age": draw(optional(st.just(
            {"guardians_only_under": str(ages[0]), "pupil_alone_from": str(ages[1])}))),
        "consents": draw(st.lists(st.one_of(st.sampled_from(sorted(catalog.consents)), own_consent),
                                  max_size=3, unique_by=lambda c: c if isinstance(c, str) else c["id"])),
        "consent_sheet": draw(st.fixed_dictionaries({}, optional={
            "return_by": st.dates(DAY_MIN, DAY_MAX).map(lambda d: d.isoformat()),
            "return_to": local(text, languages)})),
        "extra": draw(st.lists(st.fixed_dictionaries(
            {"after": st.sampled_from(typing.get_args(Section)), "text": local(long_text, languages)},
            optional={"title": local(text, languages)}), max_size=3)),
    }
    return {k: v for k, v in data.items() if v is not None}
