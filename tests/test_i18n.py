"""Translations: compiled in memory, and unable to bring markup into the pages.

Jinja's newstyle gettext marks every translation safe, so a .po file could put a <script> on
the school's website; the catalog is refused when a msgstr adds markup its msgid lacks.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dsinfo import i18n
from dsinfo.errors import InputError
from dsinfo.render import Renderer

from .conftest import ROOT, make_project, run_in
from .test_model import VALID

HEADER = '''\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Last-Translator: N. N. <nn@example.org>\\n"

'''

PAGE = ('msgid "Seite <span class=\\"page-number\\"></span> von <span class=\\"page-count\\"></span>"\n'
        'msgstr ""\n'
        '"Page <span class=\\"page-number\\"></span> of "\n'
        '"<span class=\\"page-count\\"></span>"\n')


def write_po(locales: Path, body: str, lang: str = "en") -> Path:
    path = locales / lang / "LC_MESSAGES" / "messages.po"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def problems(locales: Path, lang: str = "en") -> list[str]:
    i18n.translations.cache_clear()
    with pytest.raises(InputError) as info:
        i18n.translations(locales, lang)
    return [f"{p.path.name}:{p.line}: {p.message}" for p in info.value.problems]


def test_translation_is_used_and_may_keep_the_source_markup(tmp_path: Path) -> None:
    write_po(tmp_path, 'msgid "Dokumente"\nmsgstr "Documents"\n\n' + PAGE)
    i18n.translations.cache_clear()
    renderer = Renderer(ROOT / "templates", tmp_path, "en")
    assert renderer.catalog_text("Dokumente") == "Documents"
    html = renderer.env.from_string('{% trans %}Seite <span class="page-number"></span> von '
                                    '<span class="page-count"></span>{% endtrans %}').render()
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
    (PAGE.replace('of "\n"<span class=\\"page-count\\">', 'of "\n"<span onclick=\\"x()\\">'),
     "messages.po:7: the translation of 'Seite <span class=\"page-number\"></span> von <span "
     "class=\"pa…' adds markup ('<span onclick=\"x()\">') that the German text does not have: remove it"),
    # the string is used in aria-label="...": a straight quote would end the attribute
    ('msgid "Dokumente"\nmsgstr "Docs\\" onfocus=\\"alert(1)"\n',
     "messages.po:7: the translation of 'Dokumente' contains a straight double quote (\") that the "
     "German text does not have: use typographic quotes “…”"),
    ('msgid "%(num)d Dokument"\nmsgid_plural "%(num)d Dokumente"\nmsgstr[0] "%(num)d document"\n'
     'msgstr[1] "%(num)d <b>documents</b>"\n',
     "messages.po:8: the translation of '%(num)d Dokument' adds markup ('<b>') that the German text "
     "does not have: remove it"),
])
def test_markup_in_a_translation_is_refused(tmp_path: Path, body: str, expected: str) -> None:
    write_po(tmp_path, body)
    assert problems(tmp_path) == [expected]


def test_fuzzy_entries_are_not_used_and_not_checked(tmp_path: Path) -> None:
    write_po(tmp_path, '#, fuzzy\nmsgid "Dokumente"\nmsgstr "<b>Documents</b>"\n')
    i18n.translations.cache_clear()
    assert i18n.translations(tmp_path, "en").gettext("Dokumente") == "Dokumente"


def test_unreadable_catalog_is_a_positioned_error(tmp_path: Path) -> None:
    write_po(tmp_path, 'msgid "Dokumente"\nmsgstr "Documents"\nkaputt\n')
    assert problems(tmp_path) == [
        "messages.po:8: cannot read this line of the translation file: Unknown or misformatted "
        "keyword"]


def test_build_refuses_the_catalog_before_writing(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    (project / "locales").unlink()
    shutil.copytree(ROOT / "locales", project / "locales")
    write_po(project / "locales", 'msgid "Dokumente"\nmsgstr "Documents<script>"\n')
    (project / "schools" / "gs-park.yaml").write_text(VALID, encoding="utf-8")
    (project / "schools" / "gs-zwei.yaml").write_text(
        VALID.replace("modules: [files]", "modules: [files]\nlanguages: [de, en]"), encoding="utf-8")
    result = run_in(project)
    assert result.stderr.splitlines() == [
        "locales/en/LC_MESSAGES/messages.po:7: error: the translation of 'Dokumente' adds markup "
        "('<script>') that the German text does not have: remove it",
        "1 problem found; no files were written.",
    ]
    assert result.returncode == 1
    assert not (project / "output").exists()
