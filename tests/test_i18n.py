"""Languages: catalogs current and complete, no German left in a translation, right-to-left,
glyphs, the translations command with a missing and a stale entry, the German fallback."""

from __future__ import annotations

import datetime as dt
import html
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from pypdf import PdfReader

from dsinfo import i18n
from dsinfo.bidi import isolate_latin, isolated
from dsinfo.catalog import load_catalog
from dsinfo.check import plain_text
from dsinfo.compose import compose
from dsinfo.documents import Press
from dsinfo.errors import InputError
from dsinfo.extract import EXTRACT_ARGS, current_messages, extract_catalog
from dsinfo.load import read_yaml
from dsinfo.pdf import PdfMaker
from dsinfo.project import Project
from dsinfo.render import Renderer

from .conftest import LANGUAGES, ROOT, pdf_text
from .project import SHIPPED, VALID, copy_repository, run_copy
from .test_model import build

TRANSLATED = [lang for lang in LANGUAGES if lang != "de"]
SCHOOLS = list(SHIPPED)


def read(path: Path) -> Catalog:
    with path.open("rb") as fp:
        return read_po(fp)


@pytest.fixture(scope="module")
def current() -> Catalog:
    return current_messages(ROOT)


# ---------------------------------------------------------------------------- catalogs


def test_messages_pot_is_current(current: Catalog) -> None:
    pot = read(ROOT / "locales" / "messages.pot")
    assert [(m.id, m.locations) for m in pot if m.id] == [(m.id, m.locations) for m in current if m.id], \
        "run pybabel extract (README, Translations)"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalog_is_updated_and_complete(current: Catalog, lang: str) -> None:
    po = read(i18n.po_path(ROOT / "locales", lang))
    assert {m.id for m in po if m.id} == {m.id for m in current if m.id}, "run pybabel update"
    report = i18n.coverage(current, ROOT / "locales", lang)
    assert (report.missing, report.stale, report.errors) == ([], [], [])
    assert report.share == 1.0


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translations_add_no_markup_and_copy_only_names(lang: str) -> None:
    for message in read(i18n.po_path(ROOT / "locales", lang)):
        if not message.id:
            continue  # the header
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert not any("<" in s for s in strings), message.id
        # a text left as it is must be a name (one word: Moodle, Berlin ...), not German prose
        if strings[0] == message.id:
            assert " " not in message.id, message.id


def test_readme_documents_the_extract_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"pybabel {' '.join(EXTRACT_ARGS)}" in readme


def test_catalog_extractor_takes_printed_text_only(tmp_path: Path) -> None:
    path = tmp_path / "platforms" / "x.yaml"
    path.parent.mkdir()
    path.write_text((ROOT / "catalog" / "platforms" / "iserv.yaml").read_text(encoding="utf-8"),
                    encoding="utf-8")
    with path.open("rb") as fp:
        found = list(extract_catalog(fp, None, [], {}))
    texts = {text: (line, comments) for line, _, text, comments in found}
    assert texts["Protokolldaten werden automatisch nach 6 Monaten gelöscht."] == (
        _line_of(path, "    text: Protokolldaten werden"), ["retention.logs.text"])
    assert "IServ GmbH" not in texts  # the vendor's name is a name
    assert not any("doku.iserv" in text or "school's statement" in text for text in texts)
    assert all(text == text.strip() and "\n" not in text for text in texts)


def _line_of(path: Path, start: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if line.startswith(start))


# ---------------------------------------------------------------------------- output


def visible_text(html: str) -> str:
    """The page's text without the school's 'TODO' placeholders (they are German on purpose)."""
    return plain_text(re.sub(r'<mark class="todo">.*?</mark>', " ", html))


@pytest.mark.parametrize("lang", TRANSLATED)
def test_no_german_source_text_in_a_translation(current: Catalog, lang: str) -> None:
    catalogs = i18n.Catalogs(ROOT / "locales")
    press = Press(Project(ROOT), formats=("html",))
    catalog = load_catalog(ROOT / "catalog")
    german = [m.id for m in current if isinstance(m.id, str) and " " in m.id
              and m.id not in catalogs.gettext(lang, m.id)]  # law names keep their German name
    assert len(german) > 200
    for school in SCHOOLS:
        notice = compose(read_yaml(ROOT / "schools" / f"{school}.yaml"), catalog)
        if lang not in notice.school.languages:
            continue
        pages = {**press.web(notice, lang)[0], **press.print_pages(notice, lang)}
        for name, page in pages.items():
            if name.endswith("-bilingual.pdf"):
                continue  # the German half is German on purpose
            text = visible_text(page)
            left = [m for m in german if m in text]
            assert left == [], f"{school} {lang} {name}"
    assert press.renderer(lang).catalogs.take_fallbacks() == ({}, {})


@pytest.mark.parametrize("lang", LANGUAGES)
def test_pdf_language_direction_and_fonts(built: Path, lang: str) -> None:
    reader = PdfReader(built / "loewentor-bleicherode" / lang / "notice.pdf")
    assert reader.trailer["/Root"]["/Lang"] == lang
    fonts = {str(font["/BaseFont"]).split("+")[-1] for page in reader.pages
             for font in page["/Resources"]["/Font"].values()}
    # only the bundled fonts (templates/static/fonts/): no system font filled in a missing glyph
    assert "Noto-Sans-dsinfo" in fonts
    assert ("Noto-Sans-Arabic-dsinfo" in fonts) == (lang in ("ar", "fa"))
    assert all(font.startswith(("Noto-Sans-dsinfo", "Noto-Sans-Arabic-dsinfo")) for font in fonts)
    html = (built / "loewentor-bleicherode" / lang / "notice.html").read_text(encoding="utf-8")
    assert f'<html lang="{lang}" dir="{"rtl" if lang in ("ar", "fa") else "ltr"}">' in html


def test_arabic_pdf_has_shaped_arabic_text(built: Path) -> None:
    text = pdf_text(built / "loewentor-bleicherode" / "ar" / "consent.pdf")
    assert "التوقيع" in text  # "signature", read back from the glyphs' Unicode mapping
    assert "Staatliche Regelschule Löwentor Bleicherode" in text


def test_build_logs_no_missing_glyph_and_no_german_fallback(
        build_run: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    stderr = build_run[1].stderr
    assert ".notdef" not in stderr
    assert "shown in German" not in stderr


def test_missing_glyph_is_reported() -> None:
    maker = PdfMaker(ROOT / "templates" / "static" / "print.css", [ROOT / "templates" / "static"])
    _, warnings = maker.render('<html lang="de"><title>t</title><body><p>\ue000</p></body></html>')
    assert any(w.startswith(".notdef glyph rendered for Unicode string unsupported by fonts")
               for w in warnings)


def test_language_switcher_and_alternate_links(web_built: Path) -> None:
    html = (web_built / "loewentor-bleicherode" / "en" / "consent.html").read_text(encoding="utf-8")
    for lang in LANGUAGES:
        assert f'<link rel="alternate" hreflang="{lang}" href="../{lang}/consent.html">' in html
    assert '<link rel="alternate" hreflang="x-default" href="../de/consent.html">' in html
    nav = re.search(r'<nav class="languages" aria-label="Language">(.*?)</nav>', html, re.S)
    assert nav is not None
    links = re.findall(r'<a href="\.\./(\w+)/consent\.html" hreflang="(\w+)" lang="(\w+)" dir="(\w+)"'
                       r'( aria-current="page")?>([^<]+)</a>', nav.group(1))
    assert [(link[0], link[4] != "", link[5]) for link in links] == [
        ("de", False, "Deutsch"), ("en", True, "English"), ("tr", False, "Türkçe"),
        ("ar", False, "العربية"), ("uk", False, "Українська"), ("ru", False, "Русский"),
        ("fa", False, "فارسی"), ("ku", False, "Kurdî (kurmancî)"), ("pl", False, "Polski"),
        ("ro", False, "Română"), ("bg", False, "Български"), ("sq", False, "Shqip")]
    assert all(link[0] == link[1] == link[2] for link in links)
    assert ("ar", "rtl") in [(link[0], link[3]) for link in links]


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translation_says_german_is_binding(built: Path, lang: str) -> None:
    for doc in ("notice", "consent"):  # each names the version of its own German document
        german_page = (built / "loewentor-bleicherode" / "de" / f"{doc}.html").read_text("utf-8")
        version = re.findall(r'<span class="version">([0-9a-f]+)</span>', german_page)[0]
        note = i18n.Catalogs(ROOT / "locales").gettext(
            lang, "Dies ist eine Übersetzung der deutschen Fassung (Version %(version)s). Rechtlich "
                  "verbindlich ist allein die deutsche Fassung.") % {"version": version}
        text = pdf_text(built / "loewentor-bleicherode" / lang / f"{doc}.pdf")
        # sentence by sentence; word by word on right-to-left pages, whose text comes out of the
        # PDF in visual order
        pieces = note.split() if lang in ("ar", "fa") else note.split(". ")
        # (a zero-width non-joiner of Persian does not survive the PDF's text layer)
        plain = text.replace("\u200c", "")
        assert all(piece.strip(".()").replace("\u200c", "") in plain for piece in pieces), note
        html = (built / "loewentor-bleicherode" / lang / f"{doc}.html").read_text(encoding="utf-8")
        assert f'<p class="binding" role="note">{isolate_latin(note, lang)}' in html
        assert f'<a href="../de/{doc}.html" hreflang="de" data-site>' in html
    german = (built / "loewentor-bleicherode" / "de" / "notice.html").read_text(encoding="utf-8")
    assert 'class="binding"' not in german


# ---------------------------------------------------------------------------- locale helpers


@pytest.mark.parametrize(("lang", "date", "year"), [
    ("de", "01.08.2025", "2025–2026"),
    ("en", "1 Aug 2025", "2025\u2009–\u20092026"),
    ("tr", "1 Ağu 2025", "2025–2026"),
    ("ar", "01\u200f/08\u200f/2025", "2025–2026"),
    ("uk", "1 серп. 2025\u202fр.", "2025–2026"),
    ("ru", "1 авг. 2025\u202fг.", "2025—2026"),
])
def test_dates_and_school_years(lang: str, date: str, year: str) -> None:
    assert i18n.date(dt.date(2025, 8, 1), lang) == date
    assert i18n.school_year("2025/26", lang) == year


@pytest.mark.parametrize(("lang", "counts"), [
    ("de", {1: "1 Schülerin oder Schüler", 2: "2 Schülerinnen und Schüler"}),
    ("en", {1: "1 pupil", 2: "2 pupils"}),
    ("ru", {1: "1 учащийся", 2: "2 учащихся", 5: "5 учащихся", 21: "21 учащийся"}),
    ("ar", {1: "تلميذ واحد", 2: "تلميذان", 3: "3 تلاميذ", 11: "11 تلميذًا", 100: "100 تلميذ"}),
])
def test_plural_forms(lang: str, counts: dict[int, str]) -> None:
    catalogs = i18n.Catalogs(ROOT / "locales")
    for n, expected in counts.items():
        text = catalogs.ngettext(lang, "%(num)d Schülerin oder Schüler",
                                 "%(num)d Schülerinnen und Schüler", n)
        assert (text % {"num": n}) == expected


def test_a_part_of_a_page_in_a_second_language(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text(
        '{{ _("Unterschrift") }} | {% with lang="de" %}{% include "part.html" %}{% endwith %}'
        ' | {{ "Thüringen"|t }}', encoding="utf-8")
    (tmp_path / "part.html").write_text('{{ _("Unterschrift") }} {{ "Thüringen"|t }} {{ lang }}',
                                        encoding="utf-8")
    renderer = Renderer(tmp_path, ROOT / "locales", "uk")
    assert renderer.page("page.html", None, "print") == "Підпис | Unterschrift Thüringen de | Тюрингія"
    assert renderer.language("tr").gettext("Unterschrift") == "İmza"
    assert renderer.gettext("Unterschrift") == "Підпис"


def test_school_text_missing_in_a_language_is_a_finding(tmp_path: Path) -> None:
    from dsinfo.check import check

    catalog = load_catalog(ROOT / "catalog")
    text = VALID + "languages: [de, en, tr]\ntitle:\n  de: Unsere Hinweise\n  en: Our notice\n"
    notice = build(tmp_path, catalog, text)
    page = Press(Project(ROOT), formats=("html",)).web(notice, "de")[0]["notice"]
    found = [f for f in check(notice, catalog, plain_text(page)) if f.id == "i18n.school_text"]
    assert [(f.line, str(f.message)) for f in found] == [
        (20, "title has no text in tr: those documents show the German text.")]


# ---------------------------------------------------------------------------- the command


run = run_copy


def pybabel(project: Path, *args: str) -> None:
    result = subprocess.run([sys.executable, "-c", "from babel.messages.frontend import main; main()",
                             *args], cwd=project, capture_output=True, text=True, timeout=120,
                            check=False, env={"PYTHONPATH": str(project / "src"), "PATH": "/usr/bin"})
    assert result.returncode == 0, result.stderr


SCHOOL_TR = VALID.replace("state: TH", "state: TH\nlanguages: [de, tr]")
LOGS = "Protokolldaten werden automatisch nach 6 Monaten gelöscht."


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_repository(tmp_path, {"gs-park": SCHOOL_TR})


def test_translations_command_complete(project: Path) -> None:
    result = run(project, "translations", "--strict")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert re.fullmatch(r"German source: \d+ texts \(templates, catalog, code\)\.", lines[0])
    assert lines[1:] == [f"{lang}  {i18n.language_name(lang):<12} 100.0%  {lines[0].split()[2]} of "
                         f"{lines[0].split()[2]} translated" for lang in TRANSLATED]


@pytest.mark.slow
def test_translations_command_finds_missing_and_stale(project: Path) -> None:
    po_path = i18n.po_path(project / "locales", "tr")
    po = read(po_path)
    po["Unterschrift"].string = ""  # missing
    with po_path.open("wb") as fp:
        write_po(fp, po, width=0)
    iserv = project / "catalog" / "platforms" / "iserv.yaml"  # stale: the German source changes
    iserv.write_text(iserv.read_text(encoding="utf-8").replace("nach 6 Monaten", "nach 3 Monaten"),
                     encoding="utf-8")
    result = run(project, "translations", "--language", "tr")
    assert result.returncode == 0
    assert "locales/messages.pot: warning: out of date (1 new, 1 gone texts)" in result.stdout
    assert "    missing: templates/_consent.html:" in result.stdout
    pybabel(project, "extract", *EXTRACT_ARGS[1:])  # the translator's workflow (README)
    pybabel(project, "update", "-i", "locales/messages.pot", "-d", "locales", "--previous", "--no-wrap")
    result = run(project, "translations", "--language", "tr", "--strict")
    assert result.returncode == 1
    out = result.stdout.splitlines()
    assert re.fullmatch(r"tr  Türkçe\s+99\.\d%  (\d+) of \d+ translated: 1 missing, 1 stale", out[1])
    assert re.fullmatch(r"    missing: templates/_consent\.html:\d+, templates/withdrawal\.html:\d+: "
                        r"'Unterschrift'", out[2])
    assert re.fullmatch(r"    stale: catalog/platforms/iserv\.yaml:\d+: 'Protokolldaten werden "
                        r"automatisch nach 3 Monaten gelöscht\.'", out[3])
    assert out[4] == f"        German was: '{LOGS}'"
    # the build shows German for both, warns, and refuses with --strict
    built = run(project)
    assert built.returncode == 0, built.stderr
    assert ("schools/gs-park.yaml: warning: tr: 2 texts shown in German: the translation is missing "
            "or stale (python build.py translations): 'Protokolldaten werden automatisch nach 3 "
            "Monaten gelöscht.', 'Unterschrift'") in built.stderr
    html = (project / "output" / "gs-park" / "tr" / "consent.html").read_text(encoding="utf-8")
    assert "<h2>Unterschrift</h2>" in html
    strict = run(project, "--strict", "--force")
    assert strict.returncode == 1
    assert "locales/tr/LC_MESSAGES/messages.po: error: 1 missing, 1 stale and 0 wrong translations " \
           "(python build.py translations)" in strict.stderr.splitlines()


def test_translations_help(tmp_path: Path) -> None:
    result = run(copy_repository(tmp_path, {}), "translations", "--help")
    assert result.returncode == 0
    assert result.stdout.startswith("Usage: python build.py translations [OPTIONS]")
    assert "--language LANG" in result.stdout
    assert "--strict" in result.stdout


# ---------------------------------------------------------------------------- markup


# Jinja's newstyle gettext marks every translation safe, so a .po file could put a <script> on
# the school's website: a catalog whose msgstr adds markup its msgid lacks is refused.

PO_HEADER = '''\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Last-Translator: N. N. <nn@example.org>\\n"

'''

PAGE_NUMBERS = ('msgid "Seite <span class=\\"page-number\\"></span> von <span class=\\"page-count\\">'
                '</span>"\nmsgstr ""\n"Page <span class=\\"page-number\\"></span> of "\n'
                '"<span class=\\"page-count\\"></span>"\n')


PO_LINE = ("this line is not a keyword and one quoted text (msgstr \"...\"): a closing quote is "
           "missing, or a quote inside the text is not written as \\\"")


def write_translation(locales: Path, body: str, lang: str = "en") -> Path:
    path = i18n.po_path(locales, lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(PO_HEADER + body, encoding="utf-8")
    return path


def markup(locales: Path) -> list[str]:
    return [f"{p.path.name}:{p.line}: {p.message}" for p in i18n.check_catalog(locales, "en")]


def test_translation_may_keep_the_markup_of_its_source(tmp_path: Path) -> None:
    write_translation(tmp_path, 'msgid "Dokumente"\nmsgstr "Documents"\n\n' + PAGE_NUMBERS)
    assert markup(tmp_path) == []
    renderer = Renderer(ROOT / "templates", tmp_path, "en")
    assert renderer.gettext("Dokumente") == "Documents"
    html = renderer.env.from_string('{% trans %}Seite <span class="page-number"></span> von '
                                    '<span class="page-count"></span>{% endtrans %}').render(lang="en")
    assert html == 'Page <span class="page-number"></span> of <span class="page-count"></span>'


@pytest.mark.parametrize(("body", "expected"), [
    ('msgid "Dokumente"\nmsgstr "Documents<script>alert(1)</script>"\n',
     "messages.po:7: the translation of 'Dokumente' adds markup ('<script>') that the German text "
     "does not have: remove it"),
    ('msgid "Stand"\nmsgstr "<img src=x onerror=alert(1)>As of"\n',
     "messages.po:7: the translation of 'Stand' adds markup ('<img src=x onerror=alert(1)>') that "
     "the German text does not have: remove it"),
    ('msgid "Stand"\nmsgstr "As of <"\n',
     "messages.po:7: the translation of 'Stand' adds markup ('<') that the German text does not "
     "have: remove it"),
    # a tag of the source with other attributes is a new tag
    (PAGE_NUMBERS.replace('of "\n"<span class=\\"page-count\\">', 'of "\n"<span onclick=\\"x()\\">'),
     "messages.po:7: the translation of 'Seite <span class=\"page-number\"></span> von <span "
     "class=\"pa…' adds markup ('<span onclick=\"x()\">') that the German text does not have: "
     "remove it"),
    # the string is used in aria-label="...": a straight quote would end the attribute
    ('msgid "Dokumente"\nmsgstr "Docs\\" onfocus=\\"alert(1)"\n',
     "messages.po:7: the translation of 'Dokumente' contains a straight double quote (\") that the "
     "German text does not have: use typographic quotes “…”"),
    ('msgid "%(num)d Dokument"\nmsgid_plural "%(num)d Dokumente"\nmsgstr[0] "%(num)d document"\n'
     'msgstr[1] "%(num)d <b>documents</b>"\n',
     "messages.po:8: the translation of '%(num)d Dokument' adds markup ('<b>') that the German text "
     "does not have: remove it"),
    ('msgid "Dokumente"\nmsgstr "Documents"\nkaputt\n', f"messages.po:8: {PO_LINE}"),
    # Babel reads each of these silently cut short or run together ('Documen', 'Docu"ments')
    ('msgid "Dokumente"\nmsgstr "Documents\n', f"messages.po:7: {PO_LINE}"),
    ('msgid "Dokumente"\nmsgstr "Docu"ments"\n', f"messages.po:7: {PO_LINE}"),
    ('msgid "Dokumente"\nmsgstr "Documents" x\n', f"messages.po:7: {PO_LINE}"),
    ('msgid "Dokumente"\nmsgstr Documents\n', f"messages.po:7: {PO_LINE}"),
    ('msgid "Dokumente"\nmsgstr ""\n"Docu\n"ments"\n', f"messages.po:8: {PO_LINE}"),
    ('msgid "Dokumente\\"\nmsgstr "Documents"\n', f"messages.po:6: {PO_LINE}"),
])
def test_markup_in_a_translation_is_refused(tmp_path: Path, body: str, expected: str) -> None:
    write_translation(tmp_path, body)
    assert markup(tmp_path) == [expected]
    with pytest.raises(InputError):  # whatever path loads it (preview, roster)
        i18n.Catalogs(tmp_path).translations("en")


def test_fuzzy_entries_are_not_used_and_not_checked(tmp_path: Path) -> None:
    write_translation(tmp_path, '#, fuzzy\nmsgid "Dokumente"\nmsgstr "<b>Documents</b>"\n')
    assert markup(tmp_path) == []
    assert i18n.Catalogs(tmp_path).gettext("en", "Dokumente") == "Dokumente"


def test_build_refuses_the_catalog_before_writing(tmp_path: Path) -> None:
    project = copy_repository(tmp_path, {})
    path = i18n.po_path(project / "locales", "en")
    po = path.read_text(encoding="utf-8")
    assert 'msgid "Dokumente"\nmsgstr "Documents"\n' in po
    path.write_text(po.replace('msgid "Dokumente"\nmsgstr "Documents"\n',
                               'msgid "Dokumente"\nmsgstr "Documents<script>"\n'), encoding="utf-8")
    line = po[: po.index('msgid "Dokumente"')].count("\n") + 2
    (project / "schools" / "gs-park.yaml").write_text(VALID, encoding="utf-8")
    (project / "schools" / "gs-zwei.yaml").write_text(
        VALID.replace("modules: [files]", "modules: [files]\nlanguages: [de, en]"), encoding="utf-8")
    result = run(project)
    assert result.stderr.splitlines() == [
        f"locales/en/LC_MESSAGES/messages.po:{line}: error: the translation of 'Dokumente' adds "
        "markup ('<script>') that the German text does not have: remove it",
        "1 problem found; no files were written.",
    ]
    assert result.returncode == 1
    assert not (project / "output").exists()


@pytest.mark.parametrize("lang", LANGUAGES[1:])
def test_a_translation_explains_the_german_legal_abbreviations(web_built: Path, lang: str) -> None:
    """The law is cited the German way (to be looked up); every translated notice says what
    DSGVO, Art., Abs., UAbs., lit., i.V.m. and § mean, every translated sheet what DSGVO is."""
    catalogs = i18n.Catalogs(ROOT / "locales")
    school = web_built / "loewentor-bleicherode"
    note = catalogs.gettext(lang, "Gesetze werden mit ihren deutschen Abkürzungen genannt, damit man "
                                  "sie nachschlagen kann: DSGVO = Datenschutz-Grundverordnung der EU; "
                                  "Art. = Artikel; Abs. = Absatz; UAbs. = Unterabsatz; lit. = Buchstabe; "
                                  "i.V.m. = in Verbindung mit; § = Paragraf.")
    line = catalogs.gettext(lang, "DSGVO = Datenschutz-Grundverordnung der EU.")
    # (as shown: on a right-to-left page with its Latin runs isolated, see test_bidi.py)
    assert isolate_latin(f'<p class="small abbreviations">{html.escape(note, quote=False)}</p>',
                         lang) in (school / lang / "notice.html").read_text("utf-8")
    shown = html.escape(line, quote=False)
    assert (isolated(shown) if lang in ("ar", "fa") else shown) in (
        school / lang / "consent.html").read_text("utf-8")
    for abbr in ("DSGVO", "Art.", "Abs.", "UAbs.", "lit.", "i.V.m.", "§"):
        assert abbr in note, (lang, abbr)
    assert "abbreviations" not in (school / "de" / "notice.html").read_text("utf-8")
