"""Templates: escaping, Markdown without HTML, strict undefined, placeholders."""

from __future__ import annotations

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
    from dsinfo.compose import load_catalog

    text = VALID.replace("Grundschule am Park", '"<script>alert(1)</script> & Co"')
    notice = build(tmp_path, load_catalog(ROOT / "catalog"), text)
    for page in ("notice.html", "consent.html"):
        html = renderer.page(page, notice, "web")
        assert "<script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in html


def test_template_errors_are_build_errors(tmp_path: Path) -> None:
    (tmp_path / "broken.html").write_text("line one\n{{ missing.value }}\n", encoding="utf-8")
    renderer = Renderer(tmp_path, ROOT / "locales", "de")
    with pytest.raises(BuildError) as info:
        renderer.page("broken.html", None, "web")
    assert str(info.value) == f"{tmp_path}/broken.html:2: template error: 'missing' is undefined"
