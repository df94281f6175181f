"""`python build.py serve`: starts on loopback, serves pages, rebuilds after a change, shows
errors in the page, makes PDFs on request. Bounded in time."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from dsinfo.project import Project
from dsinfo.serve import serve

from .conftest import pdf_text
from .project import VALID, copy_repository, make_project


@pytest.fixture
def running(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    make_project(tmp_path, {"gs-park": VALID})
    lines: list[str] = []
    stop = threading.Event()
    thread = threading.Thread(target=serve, args=(Project(tmp_path), (), 0),
                              kwargs={"echo": lines.append, "stop": stop}, daemon=True)
    thread.start()
    url = wait_for(lambda: next((ln.split(" ")[2] for ln in lines if ln.startswith("Preview on")), None))
    assert url.startswith("http://127.0.0.1:")
    yield tmp_path, url
    stop.set()
    thread.join(timeout=10)


def wait_for(probe, timeout: float = 30.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out")


def get(url: str) -> tuple[str, bytes]:
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.headers["Content-Type"], response.read()


def test_serves_rebuilds_and_reports(running: tuple[Path, str]) -> None:
    project, url = running
    kind, page = get(url + "gs-park/de/notice.html")
    assert kind == "text/html; charset=utf-8"
    assert b"Grundschule am Park" in page
    assert b'fetch("/__version")' in page            # the reload script, only in the preview
    assert not (project / "output").exists()          # the preview never writes output/
    school = project / "schools" / "gs-park.yaml"
    school.write_text(VALID.replace("Grundschule am Park", "Grundschule im Park"), encoding="utf-8")
    wait_for(lambda: b"Grundschule im Park" in get(url + "gs-park/de/notice.html")[1])
    school.write_text(VALID.replace("stand: 2025-08-01", "stand: gestern"), encoding="utf-8")

    def error_page() -> bytes | None:
        page = get(url + "gs-park/de/notice.html")[1]
        return page if b"The school files have errors" in page else None

    assert b"stand: &#x27;gestern&#x27; is not a date" in wait_for(error_page)


def test_pdf_on_request(running: tuple[Path, str]) -> None:
    _, url = running
    kind, data = get(url + "gs-park/de/consent.pdf")
    assert kind == "application/pdf"
    assert data.startswith(b"%PDF")


def test_only_loopback(running: tuple[Path, str]) -> None:
    _, url = running
    assert url.startswith("http://127.0.0.1:")


@pytest.mark.parametrize("path", ["gs-park/xx/notice.pdf", "gs-park/../notice.pdf",
                                  "gs-park/fr/notice.pdf", "gs-park/de/..pdf", "../de/notice.pdf"])
def test_pdf_only_for_the_schools_documents_and_languages(running: tuple[Path, str],
                                                         path: str) -> None:
    _, url = running
    kind, page = get(url + path)
    assert kind == "text/html; charset=utf-8"
    assert b"The school files have errors" in page


@pytest.mark.slow
def test_a_translation_edit_reaches_the_pdf(tmp_path: Path) -> None:
    """A translator's edit in a checkout of the repository: the preview runs from there."""
    copy = copy_repository(tmp_path, {"gs-park": VALID.replace(
        "school_year:", "languages: [de, en]\nconsents: [photos_website]\nschool_year:")})
    process = subprocess.Popen([sys.executable, "build.py", "serve", "--port", "0"], cwd=copy,
                               stdout=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        assert process.stdout is not None
        url = next(line.split(" ")[2] for line in process.stdout if line.startswith("Preview on"))
        po = copy / "locales" / "en" / "LC_MESSAGES" / "messages.po"
        pdf = tmp_path / "consent.pdf"
        pdf.write_bytes(get(url + "gs-park/en/consent.pdf")[1])  # WeasyPrint warm, English loaded
        assert "Consent (voluntary)" in pdf_text(pdf)
        po.write_text(po.read_text("utf-8").replace('msgstr "Consent (voluntary)"',
                                                    'msgstr "Consent (optional)"'), "utf-8")
        wait_for(lambda: b"Consent (optional)" in get(url + "gs-park/en/consent.html")[1])
        pdf.write_bytes(get(url + "gs-park/en/consent.pdf")[1])
        assert "Consent (optional)" in pdf_text(pdf)
    finally:
        process.terminate()
        process.wait(timeout=30)
