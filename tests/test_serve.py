"""`python build.py serve`: starts on loopback, serves pages, rebuilds after a change, shows
errors in the page, makes PDFs on request. Bounded in time."""

from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from dsinfo.messages import ENGLISH
from dsinfo.project import Project
from dsinfo.serve import Preview, serve

from .conftest import pdf_text
from .project import VALID, copy_repository, make_project


@pytest.fixture
def running(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    make_project(tmp_path, {"gs-park": VALID})
    lines: list[str] = []
    stop = threading.Event()
    thread = threading.Thread(target=serve, args=(Project(tmp_path), (), 0),
                              kwargs={"echo": lines.append, "stop": stop, "voice": ENGLISH},
                              daemon=True)
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
    draft = "<p class=\"draft-mark\" role=\"note\">ENTWURF – nicht veröffentlichen</p>".encode()
    assert draft in page                              # a preview is never taken for the real thing
    assert draft in get(url + "gs-park/index.html")[1]
    assert not (project / "output").exists()          # the preview never writes output/
    school = project / "schools" / "gs-park.yaml"
    school.write_text(VALID.replace("Grundschule am Park", "Grundschule im Park"), encoding="utf-8")
    wait_for(lambda: b"Grundschule im Park" in get(url + "gs-park/de/notice.html")[1])
    school.write_text(VALID.replace("stand: 2025-08-01", "stand: gestern"), encoding="utf-8")

    def error_page() -> bytes | None:
        page = get(url + "gs-park/de/notice.html")[1]
        return page if b"The school files have errors" in page else None

    assert b"stand: &#39;gestern&#39; is not a date" in wait_for(error_page)


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

def status(url: str, host: str | None = "", method: str = "GET") -> tuple[int, bytes]:
    """Status and body of a request with this Host header ("": the right one; None: none)."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.netloc, timeout=60)
    try:
        connection.putrequest(method, parts.path, skip_host=True, skip_accept_encoding=True)
        if host is not None:
            connection.putheader("Host", host or parts.netloc)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_answers_only_its_own_host_names(running: tuple[Path, str]) -> None:
    """A page elsewhere that points its own name at 127.0.0.1 (DNS rebinding) sends that name
    as Host: it gets nothing, not the pages, not the error pages."""
    _, url = running
    port = url.rstrip("/").rsplit(":", 1)[1]
    for host in ("127.0.0.1", "localhost", "LOCALHOST", "[::1]"):
        assert status(url + "gs-park/de/notice.html", f"{host}:{port}")[0] == 200, host
    for host in ("evil.example", f"evil.example:{port}", "127.0.0.1", f"127.0.0.1:{int(port) + 1}",
                 f"localhost.evil.example:{port}", " ", None):
        code, body = status(url + "gs-park/de/notice.html", host)
        assert code == 403, host
        assert b"Grundschule am Park" not in body
    assert status(url + "gs-park/de/consent.pdf", "evil.example")[0] == 403
    assert status(url + "_static/fonts.css", "evil.example", method="HEAD")[0] == 403
    assert status(url + "_static/fonts.css", method="HEAD")[0] == 200


@pytest.mark.parametrize("path", ["%00.html", "%00.css", "gs-park/de/%00.pdf", "a%5Cb.html", "%1b.html"])
def test_odd_paths_are_not_found_and_the_preview_goes_on(running: tuple[Path, str], path: str) -> None:
    _, url = running
    assert status(url + path)[0] == 404
    assert status(url + "gs-park/de/notice.html")[0] == 200


NESTED = "x: " + "[" * 400 + "\n"


@pytest.mark.parametrize(("change", "message"), [
    (lambda text: text + NESTED, b"nested deeper than the limit of 20 levels"),
    (lambda text: text + 'publish:\n  logo: "logos/a\\0.png"\n',
     b"an invisible control character (U+0000) is in this value"),
])
def test_a_file_saved_broken_while_it_runs(running: tuple[Path, str], change, message) -> None:  # type: ignore[no-untyped-def]
    project, url = running
    school = project / "schools" / "gs-park.yaml"
    school.write_text(change(VALID), encoding="utf-8")

    def error_page() -> bytes | None:
        page = get(url + "gs-park/de/notice.html")[1]
        return page if b"The school files have errors" in page else None

    assert message in wait_for(error_page)
    school.write_text(VALID.replace("Grundschule am Park", "Grundschule im Park"), encoding="utf-8")
    wait_for(lambda: b"Grundschule im Park" in get(url + "gs-park/de/notice.html")[1])


def test_an_unexpected_error_in_a_request_is_one_line(running: tuple[Path, str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    _, url = running

    def broken(*args: object) -> bytes:
        raise RuntimeError("a value from the roster: Mustermann")

    monkeypatch.setattr(Preview, "pdf", broken)
    code, page = status(url + "gs-park/de/consent.pdf")
    assert code == 500
    items = re.findall(rb"<li><code>(.*?)</code></li>", page)
    assert items == [b"internal error (RuntimeError) while answering this request: this is a bug "
                     b"in dsinfo, not a mistake in your files; run the command again with --debug "
                     b"to see the traceback, and please report it"]
    monkeypatch.undo()
    assert status(url + "gs-park/de/consent.pdf")[0] == 200


def test_an_unexpected_error_in_a_rebuild_is_one_line(running: tuple[Path, str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    project, url = running

    def broken(*args: object) -> None:
        raise MemoryError

    monkeypatch.setattr("dsinfo.serve.build", broken)
    (project / "schools" / "gs-park.yaml").write_text(VALID + "\n", encoding="utf-8")

    def error_page() -> bytes | None:
        page = get(url + "gs-park/de/notice.html")[1]
        return page if b"The school files have errors" in page else None

    assert re.findall(rb"<li><code>(.*?)</code></li>", wait_for(error_page)) == [
        b"internal error (MemoryError) while rebuilding the preview: this is a bug in dsinfo, "
        b"not a mistake in your files; run the command again with --debug to see the traceback, "
        b"and please report it"]
    monkeypatch.undo()
    (project / "schools" / "gs-park.yaml").write_text(VALID, encoding="utf-8")
    wait_for(lambda: b"The school files have errors" not in get(url + "gs-park/de/notice.html")[1])


def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 12), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def test_the_review_page_needs_the_printed_token_and_settles(tmp_path: Path) -> None:
    import datetime as dt

    from dsinfo.consentdb import Register, default_path

    from .test_consentdb import _with_sheets, pupil

    make_project(tmp_path, {"gs-park": VALID})
    with Register.open(default_path(tmp_path, "gs-park")) as register:
        (number,) = _with_sheets(register, [pupil("Müller", "Anna")]).values()
        register.record_page(file_hash="f", file_name="stapel.pdf", page=3, token="T", status="recorded",
                             pupil=number, document_version="v1", answers={"photos": "unclear"},
                             reviews=[("photos", "both boxes are ticked", _png())], day=dt.date(2025, 9, 1))
    lines: list[str] = []
    stop = threading.Event()
    thread = threading.Thread(target=serve, args=(Project(tmp_path), (), 0),
                              kwargs={"echo": lines.append, "stop": stop, "voice": ENGLISH},
                              daemon=True)
    thread.start()
    try:
        review = wait_for(lambda: next((ln.split(": ", 1)[1] for ln in lines
                                        if ln.startswith("Review the scans of gs-park: ")), None))
        base, token = review.split("?token=")
        assert base.endswith("/__consents/gs-park/review")
        with urllib.request.urlopen(review, timeout=30) as response:
            page = response.read().decode("utf-8")
            assert response.headers["X-Frame-Options"] == "DENY"
            assert response.headers["Cache-Control"] == "no-store"
        assert "<h2>Müller, Anna · 5a: Fotos</h2>" in page
        assert "stapel.pdf, page 3 · both boxes are ticked" in page
        assert 'src="data:image/png;base64,' in page
        # without the token, or with another one: refused, also for answers
        for wrong in (base, base + "?token=x" + token):
            with pytest.raises(urllib.error.HTTPError) as info:
                urllib.request.urlopen(wrong, timeout=30)
            assert info.value.code == 403
        host, port = urllib.parse.urlsplit(base).netloc.split(":")
        review_id = re.search(r'name="review" value="(\d+)"', page)[1]  # type: ignore[index]
        for form, status in (({"token": "x", "review": review_id, "answer": "yes"}, 403),
                             ({"token": token, "review": review_id, "answer": "yes"}, 303)):
            connection = http.client.HTTPConnection(host, int(port), timeout=30)
            body = urllib.parse.urlencode(form)
            connection.request("POST", urllib.parse.urlsplit(base).path, body=body,
                               headers={"Content-Type": "application/x-www-form-urlencoded"})
            assert connection.getresponse().status == status
            connection.close()
        with Register.open(default_path(tmp_path, "gs-park")) as register:
            assert register.open_reviews() == []
            assert [s.state for s in register.statuses()] == ["yes"]
    finally:
        stop.set()
        thread.join(timeout=10)
