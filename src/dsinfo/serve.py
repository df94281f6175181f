"""A local preview: HTML rebuilt on every change, PDF made when asked for, errors in the page;
and the review page of the consent register (the crops the scan was not sure about).

Runs on loopback only and answers only its own host names. The pages are built into a
temporary folder (never into output/), and a few lines of script, added only to previewed
pages, reload the browser after a rebuild. The review page shows personal data: it needs the
token the preview prints when it starts (a new one each start), in its address and in every
answer sent, so that no other page in the browser can read or change the register.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import datetime as dt
import http.server
import secrets
import shutil
import tempfile
import threading
import traceback
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

import watchfiles

from .catalog import load_catalog
from .consentdb import Register, RegisterError, default_path
from .documents import Press
from .errors import DsinfoError, InputError, debugging, internal_error, one_line
from .messages import Msg, Msgs, Voice
from .pipeline import Options, build, load_school
from .project import Project

RELOAD_SCRIPT = """<script>
(function () {
  var seen = null;
  setInterval(function () {
    fetch("/__version").then(function (r) { return r.text(); }).then(function (v) {
      if (seen !== null && v !== seen) { location.reload(); }
      seen = v;
    }).catch(function () {});
  }, 700);
})();
</script>"""


class Preview:
    """Builds the selected schools' HTML into a temporary folder and keeps it current."""

    def __init__(self, project: Project, schools: tuple[str, ...], *, voice: Voice) -> None:
        self.project = project
        self.schools = schools
        self.voice = voice  # the language of the messages in the terminal and the browser
        self.out = Path(tempfile.mkdtemp(prefix="dsinfo-preview-"))
        self.version = 0
        self.errors: list[str] = []  # shown as they are: in the language of `voice`
        self.lock = threading.Lock()
        # kept: WeasyPrint stays warm between PDFs; refreshed when the files change (rebuild)
        self._press = Press(project, draft=True)
        self.token = secrets.token_urlsafe(18)  # for the review page: printed at start only

    def rebuild(self) -> None:
        """Rebuild every page (HTML only, marked as drafts); on bad input keep the old pages
        and show the errors. A boundary: whatever goes wrong is shown, and the preview keeps
        running."""
        with self.lock:
            try:
                self._press.refresh()  # the PDFs too: templates and translations as they are now
                summary = build(self.project, self.out, self.schools,
                                Options(formats=("html",), draft=True, jobs=1, force=True))
                say = self.voice.say
                self.errors = [p.said(self.voice) for p in summary.problems] + [
                    f"{r.notice.id}: {say(failure)}" for r in summary.results.values()
                    for failure in r.failed]
            except DsinfoError as exc:
                self.errors = self.said(exc)
            except Exception as exc:
                self.errors = [self.voice.say(internal_error(exc, self._while()))]
                if debugging():
                    self.errors.append(traceback.format_exc())
            self.version += 1

    def _while(self) -> Msg:
        if self.schools:
            return Msg("while rebuilding the preview of {schools}", schools=list(self.schools))
        return Msg("while rebuilding the preview")

    def said(self, exc: DsinfoError) -> list[str]:
        """An error for the page, in the language of `voice`: each problem, or one line."""
        if isinstance(exc, InputError):
            return [p.said(self.voice) for p in exc.problems]
        return [one_line(self.voice.say(exc.message))]

    def pdf(self, school: str, lang: str, name: str) -> bytes:
        """One PDF, made now from the current files."""
        with self.lock:
            if school not in {p.stem for p in self.project.school_files(self.schools)}:
                raise KeyError(school)
            notice = load_school(self.project.schools / f"{school}.yaml",
                                 load_catalog(self.project.catalogs))
            return self._press.document_pdf(notice, lang, name)

    def registers(self) -> dict[str, Path]:
        """The selected schools that have a consent register, with its path."""
        schools = {p.stem for p in self.project.school_files(self.schools)}
        return {sid: path for sid in sorted(schools)
                if (path := default_path(self.project.root, sid)).is_file()}

    def review_page(self, school: str, reviews: list[Any], titles: dict[str, str]) -> str:
        """The review page of a school's register (templates/review.html, autoescaped); where
        each crop is from and why it is asked, in the language of `voice`."""
        reviews = [dataclasses.replace(r, place=self.voice.say(r.place), reason=self.voice.say(r.reason))
                   for r in reviews]
        return self._press.renderer("de").page("review.html", None, "web", static="/_static/",
                                               school=school, reviews=reviews, titles=titles,
                                               token=self.token, crops={
                                                   r.id: base64.b64encode(r.crop).decode("ascii")
                                                   for r in reviews})

    def error_page(self, errors: list[str]) -> str:
        """The error page (templates/preview_error.html, autoescaped, styled like the
        documents) in the language of `voice`."""
        say = self.voice.say
        return self._press.renderer("de").page(
            "preview_error.html", None, "web", static="/_static/", lang=self.voice.lang,
            title=say(BUILD_ERROR), heading=say(HAS_ERRORS), hint=say(SHOWN_AGAIN), errors=errors)

    def review_url(self, base: str, school: str) -> str:
        return f"{base}__consents/{quote(school)}/review?token={self.token}"

    def watched(self) -> list[Path]:
        """The folders whose files the pages are made from."""
        return [folder for folder in (self.project.schools, *self.project.catalogs,
                                      *self.project.templates, self.project.locales)
                if folder.is_dir()]

    def close(self) -> None:
        shutil.rmtree(self.out, ignore_errors=True)


def allowed_hosts(port: int) -> frozenset[str]:
    """The Host headers the preview answers: its own loopback names. A page elsewhere that
    points its own name at 127.0.0.1 (DNS rebinding) sends its name and is refused."""
    return frozenset(f"{host}:{port}" for host in ("127.0.0.1", "localhost", "[::1]"))


class Handler(http.server.SimpleHTTPRequestHandler):
    preview: Preview
    hosts: frozenset[str] = frozenset()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, directory=str(self.preview.out), **kwargs)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: the terminal shows rebuilds and errors, not every request

    def parse_request(self) -> bool:
        """Every method: a request for another host name is refused before anything is read."""
        if not super().parse_request():
            return False
        if self.headers.get("Host", "").lower() not in self.hosts:
            self._refuse(403, Msg("This preview answers only to 127.0.0.1, localhost and [::1]"))
            return False
        return True

    def do_GET(self) -> None:
        self._guarded(self._get)

    def do_POST(self) -> None:
        self._guarded(self._post)

    def do_HEAD(self) -> None:
        self._guarded(super().do_HEAD)

    def _guarded(self, answer: Any) -> None:
        """The boundary of a request: anything unexpected becomes an error page of one line,
        and the preview keeps serving."""
        try:
            answer()
        except ConnectionError:
            pass  # the browser went away
        except Exception as exc:
            message = self.preview.voice.say(internal_error(exc, Msg("while answering this request")))
            if debugging():
                traceback.print_exc()
            with contextlib.suppress(Exception):  # the answer had begun already: nothing to add
                self._send(self._error_page([message]).encode(), "text/html; charset=utf-8",
                           status=500)

    def _get(self) -> None:
        path = unquote(urlsplit(self.path).path)
        if any(c in path for c in "\0\\") or not path.isprintable():
            return self._refuse(404, NO_PAGE)
        if path == "/__version":
            return self._send(str(self.preview.version).encode(), "text/plain")
        if path.startswith("/__consents/"):
            return self._review(path, parse_qs(urlsplit(self.path).query).get("token", [""])[0])
        if self.preview.errors and (path.endswith(".html") or path.endswith("/")):
            return self._send(self._error_page().encode(), "text/html; charset=utf-8")
        if path.endswith(".pdf"):
            return self._pdf(path)
        if path.endswith(".html") or path.endswith("/"):
            return self._html(path)
        return super().do_GET()

    # ------------------------------------------------------------------ the review page

    def _register(self, path: str, token: str) -> tuple[str, Path] | None:
        """The school and register a review address names, if the token is right; else the
        refusal is sent and None returned."""
        parts = path.strip("/").split("/")
        if not secrets.compare_digest(token.encode(), self.preview.token.encode()):
            self._refuse(403, Msg("the review page needs the address the preview printed at start"))
            return None
        registers = self.preview.registers()
        if len(parts) != 3 or parts[2] != "review" or parts[1] not in registers:
            self._refuse(404, Msg("no consent register of that school"))
            return None
        return parts[1], registers[parts[1]]

    def _review(self, path: str, token: str) -> None:
        found = self._register(path, token)
        if found is None:
            return
        school, register_path = found
        with Register.open(register_path) as register:
            reviews, titles = register.open_reviews(), register.consent_titles()
        page = self.preview.review_page(school, reviews, titles)
        self._send(page.encode("utf-8"), "text/html; charset=utf-8", private=True)

    def _post(self) -> None:
        path = unquote(urlsplit(self.path).path)
        length = int(self.headers.get("Content-Length") or 0)
        if not path.startswith("/__consents/") or not 0 < length <= 4096:
            return self._refuse(404 if not path.startswith("/__consents/") else 400, Msg("no such form"))
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode("utf-8", "replace")).items()}
        found = self._register(path, form.get("token", ""))
        if found is None:
            return
        school, register_path = found
        answers = {"yes": "yes", "no": "no", "unclear": "unclear", "close": None}
        answer = answers.get(form.get("answer", ""), "")
        if answer == "" or not form.get("review", "").isdigit():
            return self._refuse(400, Msg("no such answer"))
        try:
            with Register.open(register_path) as register:
                register.settle(int(form["review"]), answer, dt.date.today())  # type: ignore[arg-type]
        except RegisterError as exc:
            page = self._error_page(self.preview.said(exc)).encode()
            return self._send(page, "text/html; charset=utf-8", status=409)
        self.send_response(303)
        self.send_header("Location", f"/__consents/{quote(school)}/review?token={self.preview.token}")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _html(self, path: str) -> None:
        file = self.preview.out / (path.lstrip("/") + ("index.html" if path.endswith("/") else ""))
        if not file.resolve().is_relative_to(self.preview.out.resolve()) or not file.is_file():
            return self._refuse(404, NO_PAGE)
        text = file.read_text(encoding="utf-8").replace("</body>", RELOAD_SCRIPT + "\n</body>")
        self._send(text.encode("utf-8"), "text/html; charset=utf-8")

    def _pdf(self, path: str) -> None:
        parts = path.strip("/").split("/")
        if len(parts) != 3:
            return self._refuse(404, Msg("no such document"))
        school, lang, name = parts
        try:
            data = self.preview.pdf(school, lang, name.removesuffix(".pdf"))
        except DsinfoError as exc:
            return self._send(self._error_page(self.preview.said(exc)).encode(), "text/html; charset=utf-8")
        except (KeyError, IndexError) as exc:  # no such school, language or document
            return self._send(self._error_page([str(exc)]).encode(), "text/html; charset=utf-8")
        self._send(data, "application/pdf")

    def _refuse(self, code: int, message: Msg) -> None:
        """An HTTP error; the message in the page's text, in the reader's language (the status
        line takes Latin-1 only: it keeps the standard phrase)."""
        self.send_error(code, explain=self.preview.voice.say(message))

    def _error_page(self, errors: list[str] | None = None) -> str:
        return self.preview.error_page(errors or self.preview.errors).replace(
            "</body>", RELOAD_SCRIPT + "\n</body>")

    def _send(self, body: bytes, content_type: str, status: int = 200, *, private: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        if private:  # personal data: not in another page's frame, no address passed on
            self.send_header("X-Frame-Options", "DENY")
            self.send_header("Content-Security-Policy", "default-src 'none'; img-src data:; "
                             "style-src 'self' 'unsafe-inline'; font-src 'self'; form-action 'self'; "
                             "frame-ancestors 'none'")
            self.send_header("Referrer-Policy", "no-referrer")
        self.end_headers()
        self.wfile.write(body)



NO_PAGE = Msg("no such page")
BUILD_ERROR = Msg("Build error")
HAS_ERRORS = Msg("The school files have errors")
SHOWN_AGAIN = Msg("The preview shows the last good pages again once they are fixed.")


def serve(project: Project, schools: tuple[str, ...], port: int, *, voice: Voice,
          echo: Any = print, stop: threading.Event | None = None) -> None:
    """Serve the preview on 127.0.0.1:`port` until interrupted (or `stop` is set); its messages,
    in the terminal and in the browser, in the language of `voice`."""
    say = voice.say
    preview = Preview(project, schools, voice=voice)
    preview.rebuild()
    handler: Any = type("BoundHandler", (Handler,), {"preview": preview})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    handler.hosts = allowed_hosts(server.server_address[1])  # port 0: the one it was given
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    echo(say(Msg("Preview on {address} (Ctrl+C to stop)", address=base)))
    for school in preview.registers():  # the address with its token: only here, never in a page
        echo(say(Msg("Review the scans of {school}: {address}", school=school,
                     address=preview.review_url(base, school))))
    _report(preview, echo)
    try:
        # watchfiles (inotify): a save is seen at once; an editor's temporary file that comes
        # and goes is just one more change
        for _ in watchfiles.watch(*preview.watched(), stop_event=stop, debounce=300,
                                  raise_interrupt=False):
            try:
                preview.rebuild()
                _report(preview, echo)
            except Exception as exc:  # the preview keeps watching whatever happened
                echo(say(internal_error(exc, Msg("while watching the files"))))
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        preview.close()


def _report(preview: Preview, echo: Any) -> None:
    say = preview.voice.say
    if preview.errors:
        echo(say(Msgs("{n} problem; the page shows it:", "{n} problems; the page shows them:",
                      len(preview.errors))))
        for error in preview.errors:
            echo(f"  {error}")
    else:
        echo(say(Msg("Rebuilt (version {version}).", version=preview.version)))
