"""Latin runs in Arabic and Persian text are isolated (LRI ... PDI), so that a wrapped line keeps
a citation, a name or a placeholder whole and its brackets and full stop where they belong."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dsinfo.bidi import LRI, PDI, isolate_latin, isolated
from dsinfo.compose import compose
from dsinfo.load import read_yaml

from .project import ROOT, catalog, press


def shown(text: str) -> str:
    return text.replace(LRI, "⁅").replace(PDI, "⁆")


@pytest.mark.parametrize(("text", "expected"), [
    ("الأساس القانوني هو Art. 6 Abs. 1 lit. e DSGVO i.V.m. § 57 ThürSchulG.",
     "الأساس القانوني هو ⁅Art. 6 Abs. 1 lit. e DSGVO i.V.m. § 57 ThürSchulG⁆."),
    ("بموافقتكم (Art. 6 Abs. 1 UAbs. 1 lit. a DSGVO).", "بموافقتكم ⁅(Art. 6 Abs. 1 UAbs. 1 lit. a DSGVO)⁆."),
    ("سحب (الموافقة) Art. 7)", "سحب (الموافقة) ⁅Art. 7⁆)"),  # a bracket opened outside stays outside
    ("(IServ", "(⁅IServ⁆"),
    ("العام الدراسي 2022–2023", "العام الدراسي ⁅2022–2023⁆"),
    ("[E-Mail-Adresse der Schule].", "⁅[E-Mail-Adresse der Schule]⁆."),
    ("بدون نص لاتيني", "بدون نص لاتيني"),
    ("الإصدار @@version@@)", "الإصدار ⁅@@version@@⁆)"),  # replaced whole by the version later
    (f"DSGVO = {LRI}Art.{PDI} = مادة", "⁅DSGVO⁆ = ⁅Art.⁆ = مادة"),  # isolated already: once
])
def test_a_latin_run_is_isolated_with_its_own_brackets(text: str, expected: str) -> None:
    assert shown(isolated(text)) == expected


def test_markup_and_isolated_elements_stay_as_they_are() -> None:
    page = ('<html lang="ar" dir="rtl"><head><title>IServ</title><style>p{x:1}</style></head><body>'
            '<p title="Art. 6">وفق Art. 6 DSGVO و<bdi dir="ltr">99096 Erfurt</bdi>'
            '<a href="mailto:a@b.example" dir="ltr">a@b.example</a> <span lang="de">Art. 7 DSGVO</span></p>'
            '</body></html>')
    assert shown(isolate_latin(page, "ar")) == page.replace("وفق Art. 6 DSGVO و", "وفق ⁅Art. 6 DSGVO⁆ و")


def test_a_left_to_right_page_is_not_touched_but_its_right_to_left_parts_are() -> None:
    page = '<p>Art. 6 DSGVO</p>'
    assert isolate_latin(page, "de") is page
    sheet = '<p>Art. 6 DSGVO / <span lang="fa">بر اساس Art. 6 DSGVO</span></p>'
    assert shown(isolate_latin(sheet, "de")) == sheet.replace("بر اساس Art. 6 DSGVO",
                                                               "بر اساس ⁅Art. 6 DSGVO⁆")


@pytest.mark.parametrize("lang", ["ar", "fa"])
def test_the_built_pages_isolate_the_citations(web_built: Path, lang: str) -> None:
    page = (web_built / "loewentor-bleicherode" / lang / "notice.html").read_text("utf-8")
    english = (web_built / "loewentor-bleicherode" / "en" / "notice.html").read_text("utf-8")
    assert ('<bdi dir="ltr">Art. 6 Abs. 1 UAbs. 1 lit. e, Abs. 3 DSGVO i.V.m. § 57 Abs. 1 '
            'ThürSchulG</bdi>') in page  # isolated by the citation macro already
    assert f"{LRI}(GDPR){PDI}" in page  # what a citation macro did not isolate
    assert f"{LRI}2022–2023{PDI}" in page or lang == "fa"  # Persian writes the year in its digits
    version = re.findall(r'<span class="version">([0-9a-f]{8})</span>', english)[0]
    assert f'<span class="version">{LRI}{version}{PDI}</span>' in page  # not the stand-in
    assert "@@" not in page
    assert LRI not in english


def test_an_arabic_sheet_separates_with_the_arabic_semicolon(tmp_path: Path) -> None:
    """A consent whose data are kept for different periods lists them with the language's
    semicolon (the Mensa's orders and balance of the Gesamtschule)."""
    text = (ROOT / "schools" / "gesamtschule-am-fluss.yaml").read_text("utf-8")
    school = tmp_path / "schools" / "gesamtschule-am-fluss.yaml"
    school.parent.mkdir()
    school.write_text(text.replace("languages: [de, en]", "languages: [de, ar]"), "utf-8")
    notice = compose(read_yaml(school), catalog())
    retention = [re.sub(r"<[^>]+>", "", dd) for dd in re.findall(
        r"<dt>مدة الحفظ</dt><dd>(.*?)</dd>", press(formats=("html",)).web(notice, "ar")[0]["consent"], re.S)]
    mensa = next(dd for dd in retention if "Bestellungen" in dd)  # the school's texts, in German
    assert mensa == (f"{LRI}Name und Klasse: bis zum Ende des Schuljahres, in dem das Konto geschlossen "
                     f"wird{PDI}؛ {LRI}Bestellungen und Guthaben: zwölf Monate nach der Bestellung{PDI}")
