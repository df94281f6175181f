"""Templates: escaping, Markdown without HTML, strict undefined, placeholders."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from jinja2 import StrictUndefined

from dsinfo.errors import BuildError
from dsinfo.render import Renderer, fill, markdown

from .conftest import ROOT
from .test_model import VALID, build


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer(ROOT / "templates", ROOT / "locales", "de")


@pytest.mark.parametrize(("source", "expected"), [
    ("**fett** und [Link](https://example.org)",
     '<p><strong>fett</strong> und <a href="https://example.org">Link</a></p>\n'),
    ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"),
    ("<img src=x onerror=alert(1)>", "<p>&lt;img src=x onerror=alert(1)&gt;</p>\n"),
    ("[x](javascript:alert(1))", "<p>[x](javascript:alert(1))</p>\n"),
    ("[x](JaVaScRiPt:alert(1))", "<p>[x](JaVaScRiPt:alert(1))</p>\n"),
    ("[x](data:text/html;base64,PHNjcmlwdD4=)", "<p>[x](data:text/html;base64,PHNjcmlwdD4=)</p>\n"),
    ("[x](file:///etc/passwd)", "<p>[x](file:///etc/passwd)</p>\n"),
    ("[x](../../etc/passwd)", "<p>[x](../../etc/passwd)</p>\n"),
    ("![bild](file:///etc/passwd)", "<p>![bild](file:///etc/passwd)</p>\n"),
    ("# Überschrift", "<p># Überschrift</p>\n"),
    ("[mail](mailto:a@b.de)", '<p><a href="mailto:a@b.de">mail</a></p>\n'),
    # raw HTML in every form stays text
    ('<div onclick="alert(1)">x</div>', "<p>&lt;div onclick=&quot;alert(1)&quot;&gt;x&lt;/div&gt;</p>\n"),
    ('<a href="javascript:alert(1)">x</a>',
     "<p>&lt;a href=&quot;javascript:alert(1)&quot;&gt;x&lt;/a&gt;</p>\n"),
    ("<style>body{display:none}</style>", "<p>&lt;style&gt;body{display:none}&lt;/style&gt;</p>\n"),
    ("<!-- <script>alert(1)</script> -->",
     "<p>&lt;!-- &lt;script&gt;alert(1)&lt;/script&gt; --&gt;</p>\n"),
    ("    <script>alert(1)</script>", "<pre><code>&lt;script&gt;alert(1)&lt;/script&gt;\n</code></pre>\n"),
    # links to anything but web pages, mail and anchors stay text, however they are spelt
    ("<javascript:alert(1)>", "<p>&lt;javascript:alert(1)&gt;</p>\n"),
    ("[x][1]\n\n[1]: javascript:alert(1)", "<p>[x][1]</p>\n<p>[1]: javascript:alert(1)</p>\n"),
    ("[x](&#106;avascript:alert(1))", "<p>[x](javascript:alert(1))</p>\n"),
    ("[x](  javascript:alert(1))", "<p>[x](  javascript:alert(1))</p>\n"),
    ("[x](vbscript:msgbox(1))", "<p>[x](vbscript:msgbox(1))</p>\n"),
    ("[x](data:image/png;base64,iVBORw0KGgo=)", "<p>[x](data:image/png;base64,iVBORw0KGgo=)</p>\n"),
    ("[x](//evil.example/x)", "<p>[x](//evil.example/x)</p>\n"),
    ("[x](/etc/passwd)", "<p>[x](/etc/passwd)</p>\n"),
    # what may be a link cannot break out of its attribute
    ('[x](https://a.example "t\\" onmouseover=\\"alert(1)")',
     '<p><a href="https://a.example" title="t&quot; onmouseover=&quot;alert(1)">x</a></p>\n'),
    ('[x](https://a.example/"onmouseover=alert(1))',
     '<p><a href="https://a.example/%22onmouseover=alert(1)">x</a></p>\n'),
    # the school file's own rules for addresses (model.is_safe_link): a mailto: link names one
    # address and nothing more, a web address no user before its host
    ("[x](mailto:a@b.de?body=<script>)", "<p>[x](mailto:a@b.de?body=&lt;script&gt;)</p>\n"),
    ("[DSB](mailto:dsb@schule.example?bcc=someone%40elsewhere.example)",
     "<p>[DSB](mailto:dsb@schule.example?bcc=someone%40elsewhere.example)</p>\n"),
    ("[DSB](mailto:dsb@schule.example,other@elsewhere.example)",
     "<p>[DSB](mailto:dsb@schule.example,other@elsewhere.example)</p>\n"),
    ("[Schule](https://schule.example@elsewhere.example/)",
     "<p>[Schule](https://schule.example@elsewhere.example/)</p>\n"),
    ("<https://schule.example@elsewhere.example/>",
     "<p>&lt;https://schule.example@elsewhere.example/&gt;</p>\n"),
    ("[Schule](https://schule.example/datenschutz?x=1#rechte)",
     '<p><a href="https://schule.example/datenschutz?x=1#rechte">Schule</a></p>\n'),
    ("[Rechte](#rights)", '<p><a href="#rights">Rechte</a></p>\n'),
    # an image becomes a link to it, never something the browser or WeasyPrint fetches
    ("![i](https://evil.example/track.png)", '<p>!<a href="https://evil.example/track.png">i</a></p>\n'),
])
def test_markdown_is_neutralised(source: str, expected: str) -> None:
    assert str(markdown(source)) == expected


def test_fill_marks_placeholders_and_escapes() -> None:
    assert str(fill("TODO: E-Mail <x>")) == '<mark class="todo">[E-Mail &lt;x&gt;]</mark>'
    assert str(fill("<b>Schule</b>")) == "&lt;b&gt;Schule&lt;/b&gt;"


def test_environment_is_strict_and_escaping(renderer: Renderer) -> None:
    assert renderer.env.undefined is StrictUndefined
    assert renderer.env.autoescape("notice.html") is True  # type: ignore[operator]


def test_script_in_school_data_is_escaped(tmp_path: Path, renderer: Renderer) -> None:
    from dsinfo.catalog import load_catalog

    text = VALID.replace("Grundschule am Park", '"<script>alert(1)</script> & Co"')
    from dsinfo.views import documents_of, view_of

    notice = build(tmp_path, load_catalog(ROOT / "catalog"), text)
    for spec in documents_of(notice):
        html = renderer.page(spec.kind.template, notice, "web", view=view_of(notice, spec))
        assert "<script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in html


def test_template_errors_are_build_errors(tmp_path: Path) -> None:
    (tmp_path / "broken.html").write_text("line one\n{{ missing.value }}\n", encoding="utf-8")
    renderer = Renderer(tmp_path, ROOT / "locales", "de")
    with pytest.raises(BuildError) as info:
        renderer.page("broken.html", None, "web")
    assert str(info.value) == f"{tmp_path}/broken.html:2: template error: 'missing' is undefined"


def test_a_compiled_template_is_never_older_than_its_file(tmp_path: Path) -> None:
    """The cache of compiled templates (a folder shared by every run) checks the text: an edit
    shows in the next run, even where the file keeps its size and time."""
    page = tmp_path / "page.html"
    page.write_text("alt {{ 1 }}\n", encoding="utf-8")
    os.utime(page, (1_700_000_000, 1_700_000_000))
    assert Renderer(tmp_path, ROOT / "locales", "de").page("page.html", None, "web") == "alt 1"
    page.write_text("neu {{ 1 }}\n", encoding="utf-8")
    os.utime(page, (1_700_000_000, 1_700_000_000))
    assert Renderer(tmp_path, ROOT / "locales", "de").page("page.html", None, "web") == "neu 1"


def test_without_a_folder_for_the_cache_templates_are_compiled(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "page.html").write_text("{{ 2 * 3 }}\n", encoding="utf-8")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing"))  # Jinja cannot make its folder
    renderer = Renderer(tmp_path, ROOT / "locales", "de")
    assert renderer.env.bytecode_cache is None
    assert renderer.page("page.html", None, "web") == "6"


# ---------------------------------------------------------------------------- catalog texts by school


def test_iserv_says_it_records_no_absences_only_while_the_module_is_off(tmp_path: Path) -> None:
    from .project import german_pages

    statement = "keine Funktionen zur Notenerfassung, Schülerbewertung oder Anwesenheitskontrolle"
    assert statement in german_pages(tmp_path, VALID)["notice"]
    with_absences = VALID.replace("modules: [files]", "modules: [files, absences]")
    notice = german_pages(tmp_path, with_absences)["notice"]
    assert statement not in notice
    assert "Abwesenheiten" in notice


def test_microsoft_365_names_its_own_purposes_and_where_the_clauses_are(tmp_path: Path) -> None:
    from .project import german_pages

    school = VALID.split("platforms:")[0] + (
        "platforms:\n  microsoft365:\n    hosting: cloud\n    retention:\n"
        "      diagnostics: 30 Tage nach der Erhebung\n")
    notice = " ".join(german_pages(tmp_path, school)["notice"].split())
    assert "Microsoft verarbeitet einzelne Daten auch für eigene Geschäftszwecke" in notice
    assert "er ist unter https://aka.ms/DPA abrufbar" in notice


def test_a_public_school_has_no_school_contract(tmp_path: Path) -> None:
    from .project import german_pages

    # Niedersachsen: no provision of a duty to provide data is known
    public = german_pages(tmp_path, VALID.replace("state: TH", "state: NI"))["notice"]
    assert ("Welche Angaben für den Schulbesuch erforderlich sind, ergibt sich aus den Vorschriften, "
            "die für die Schule gelten.</p>") in public
    assert "Schulvertrag" not in public
