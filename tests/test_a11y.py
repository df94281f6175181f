"""Accessibility in a real browser: axe-core in headless Chromium on every generated page.

The pages are served over HTTP from 127.0.0.1, as a school website would serve them, so the
browser loads the fonts from output/_static/ exactly as a visitor's browser does.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from .conftest import ROOT
from .project import EXAMPLE_DOCUMENTS, VALID, make_project, run_process
from .test_output import SCHOOLS, WEB_KINDS

AXE = ROOT / "tests" / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
PAGES = ["index.html"] + [f"{s}/index.html" for s in SCHOOLS] + [
    f"{s}/{lang}/{doc}.html" for s, lang, doc, _ in EXAMPLE_DOCUMENTS]
FRAGMENTS = [f"{s}/{lang}/{doc}.fragment.html" for s, lang, doc, kind in EXAMPLE_DOCUMENTS
             if kind in WEB_KINDS]
# a page of a school website with the fragment pasted into its content area
HOST_PAGE = """<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Datenschutz</title>
</head><body><header><p>Website der Schule</p></header><main>{fragment}</main>
<footer><p>Impressum</p></footer></body></html>"""

pytestmark = pytest.mark.slow


def _browser_paths() -> tuple[str, str]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if chromium and driver:
        return chromium, driver
    reason = "needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)"
    if os.environ.get("CI"):
        pytest.fail(f"{reason}: CI must run the accessibility tests")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    chromium, chromedriver = _browser_paths()
    if not AXE.is_file():
        pytest.fail(f"{AXE.relative_to(ROOT)} is missing: run `npm ci --prefix tests/a11y` first")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--window-size=1280,900"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)
    driver.set_script_timeout(120)
    try:
        yield driver
    finally:
        driver.quit()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """`folder` served on a free port of 127.0.0.1; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 functools.partial(_QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def site(built: Path) -> Iterator[str]:
    with serve(built) as url:
        yield url


@pytest.fixture(scope="module")
def rtl_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The example school with a right-to-left language (its text stays German until the
    catalogs are translated; direction, fonts and layout are what is checked)."""
    project = make_project(tmp_path_factory.mktemp("rtl"), examples=True)
    school = project / "schools" / "beispiel-gymnasium-musterstadt.yaml"
    school.write_text(school.read_text("utf-8").replace("languages: [de]", "languages: [de, ar]"),
                      encoding="utf-8")
    result = run_process(project, "--school", "beispiel-gymnasium-musterstadt", "--out", "out")
    assert result.returncode == 0, result.stderr
    with serve(project / "out") as url:
        yield url + "beispiel-gymnasium-musterstadt/ar/"


def axe_violations(driver: Any) -> list[str]:
    """Every axe-core violation on the current page, one line each."""
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']})"
        ".then(r => done(r.violations), e => done('axe failed: ' + e));")
    assert isinstance(result, list), result
    return [f"{v['id']} ({v['impact']}): {v['help']}: "
            f"{', '.join(str(n['target']) for n in v['nodes'])}" for v in result]


def test_every_page_is_checked(built: Path) -> None:
    pages = sorted(str(p.relative_to(built)) for p in built.rglob("*.html"))
    assert pages == sorted(PAGES + FRAGMENTS)


@pytest.mark.parametrize("page", PAGES)
def test_no_axe_violations(browser: Any, site: str, page: str) -> None:
    browser.get(site + page)
    assert axe_violations(browser) == []


@pytest.mark.parametrize("fragment", FRAGMENTS)
def test_no_axe_violations_in_a_school_website(browser: Any, site: str, built: Path,
                                               fragment: str) -> None:
    html = HOST_PAGE.format(fragment=(built / fragment).read_text(encoding="utf-8"))
    browser.get(site + "index.html")
    browser.execute_script("document.open(); document.write(arguments[0]); document.close();", html)
    assert axe_violations(browser) == []


def page_width_at_320_px(browser: Any, url: str) -> int:
    # WCAG 1.4.10 Reflow: 320 CSS px is a 1280 px window at 400 % zoom (and a 640 px one at
    # 200 %); the page must not scroll sideways
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": 320, "height": 800, "deviceScaleFactor": 1, "mobile": True})
    try:
        browser.get(url)
        return int(browser.execute_script("return document.documentElement.scrollWidth;"))
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


@pytest.mark.parametrize("page", PAGES)
def test_readable_at_320_px(browser: Any, site: str, page: str) -> None:
    assert page_width_at_320_px(browser, site + page) <= 320


@pytest.mark.parametrize("page", ["notice.html", "consent.html", "withdrawal.html"])
def test_right_to_left_pages(browser: Any, rtl_site: str, page: str) -> None:
    browser.get(rtl_site + page)
    assert browser.execute_script("return document.documentElement.dir;") == "rtl"
    assert axe_violations(browser) == []
    assert page_width_at_320_px(browser, rtl_site + page) <= 320


@pytest.mark.parametrize("page", PAGES)
def test_fonts_come_from_the_site_itself(browser: Any, site: str, page: str) -> None:
    browser.get(site + page)
    loaded = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "document.fonts.ready.then(() => done([...document.fonts]"
        ".filter(f => f.status === 'loaded').map(f => f.family.replaceAll('\"', ''))));")
    requests = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name);")
    assert "Noto Sans dsinfo" in loaded
    assert requests, "the page loaded no font"
    # the browser asks the site for /favicon.ico by itself, on the first page it opens (which
    # page that is depends on how pytest-xdist shares out the tests): not a request of the page
    assert [url for url in requests
            if not url.startswith(site + "_static/") and url != site + "favicon.ico"] == []


@pytest.fixture(scope="module")
def changes_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A school in its second year that shows parents what changed (show_changes)."""
    project = make_project(tmp_path_factory.mktemp("changes"))
    school = project / "schools" / "gs-park.yaml"
    school.write_text(VALID.replace("school_year:", "show_changes: true\nlanguages: [de, ar]\n"
                                    "school_year:"), encoding="utf-8")
    for args in (("--format", "html"), ("next-year", "--school", "gs-park", "--stand", "2026-08-03")):
        result = run_process(project, *args)
        assert result.returncode == 0, result.stderr
    school.write_text(school.read_text("utf-8").replace("modules: [files]", "modules: [email]"),
                      encoding="utf-8")
    result = run_process(project, "--format", "html")
    assert result.returncode == 0, result.stderr
    with serve(project / "output") as url:
        yield url + "gs-park/"


@pytest.mark.parametrize("lang", ["de", "ar"])
def test_the_changes_box(browser: Any, changes_site: str, lang: str) -> None:
    browser.get(changes_site + f"{lang}/notice.html")
    assert browser.execute_script("return document.querySelectorAll('aside.changes li').length;") == 4
    assert axe_violations(browser) == []
    assert page_width_at_320_px(browser, changes_site + f"{lang}/notice.html") <= 320
