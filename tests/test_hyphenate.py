"""Soft hyphens in web headings and table cells, in each element's language, nowhere else."""

from __future__ import annotations

from pathlib import Path

from dsinfo.hyphenate import soft_hyphens

PAGE = ('<html lang="de"><head><title>Datenschutzhinweise</title></head><body>'
        '<h1 class="t">Datenschutzhinweise &amp; Erziehungsberechtigte</h1>'
        '<p>Datenschutzhinweise</p><img alt="Datenschutzhinweise">'
        '<ul><li lang="en"><h2>Responsibilities</h2></li><li lang="tr"><h2>Bilgilendirmesinin</h2></li></ul>'
        '<table><tr><td>Aufbewahrungsfristen<br>Unterschrift</td></tr></table></body></html>')


def test_long_words_of_headings_and_cells_get_soft_hyphens() -> None:
    out = soft_hyphens(PAGE, "de")
    assert ('<h1 class="t">Daten&shy;schutz&shy;hin&shy;weise &amp; '
            'Erzie&shy;hungs&shy;be&shy;rech&shy;tigte</h1>') in out
    assert "<td>Auf&shy;be&shy;wah&shy;rungs&shy;fris&shy;ten<br>Unterschrift</td>" in out  # 12 letters: fits
    assert "<h2>Respons&shy;ib&shy;il&shy;it&shy;ies</h2>" in out  # the English dictionary for lang="en"
    assert "<h2>Bilgilendirmesinin</h2>" in out  # pyphen has no Turkish: overflow-wrap is the last resort
    # everything else stays as it was: title, paragraphs, attributes
    assert out.replace("&shy;", "") == PAGE
    assert soft_hyphens(out, "de") == out


def test_built_web_pages_keep_their_text(web_built: Path) -> None:
    html = (web_built / "loewentor-bleicherode" / "de" / "notice.html").read_text(encoding="utf-8")
    assert "<h1>Daten&shy;schutz&shy;hin&shy;weise zur IServ Schul&shy;platt&shy;form</h1>" in html
    assert "<title>Datenschutzhinweise zur IServ Schulplattform" in html
