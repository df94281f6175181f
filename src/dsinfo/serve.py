"""A local preview: HTML rebuilt on every change, PDF made when asked for, errors in the page.

Runs on loopback only. The pages are built into a temporary folder (never into output/), and
a few lines of script, added only to previewed pages, reload the browser after a rebuild.
"""

from __future__ import annotations

import contextlib
import html
import http.server
import shutil
import tempfile
import threading
import traceback
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import watchfiles

from .catalog import load_catalog
from .documents import Press
from .errors import DsinfoError, InputError, debugging, internal_error, one_line
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

    def __init__(self, project: Project, schools: tuple[str, ...]) -> None:
        self.project = project
        self.schools = schools
        self.out = Path(tempfile.mkdtemp(prefix="dsinfo-preview-"))
        self.version = 0
        self.errors: list[str] = []
        self.lock = threading.Lock()
        # kept: WeasyPrint stays warm between PDFs; refreshed when the files change (rebuild)
        self._press = Press(project, draft=True)

    def rebuild(self) -> None:
        """Rebuild every page (HTML only, marked as drafts); on bad input keep the old pages
        and show the errors. A boundary: whatever goes wrong is shown, and the preview keeps
        running."""
        with self.lock:
            try:
                self._press.refresh()  # the PDFs too: templates and translations as they are now
                summary = build(self.project, self.out, self.schools,
                                Options(formats=("html",), draft=True, jobs=1, force=True))
                self.errors = [str(p) for p in summary.problems] + [
                    f"{r.notice.id}: {failure}" for r in summary.results.values() for failure in r.failed]
            except InputError as exc:
                self.errors = [str(p) for p in exc.problems]
            except DsinfoError as exc:
                self.errors = [one_line(str(exc))]
            except Exception as exc:
                self.errors = [internal_error(exc, f"while rebuilding the preview{self._of()}")]
                if debugging():
                    self.errors.append(traceback.format_exc())
            self.version += 1

    def _of(self) -> str:
        return f" of {', '.join(self.schools)}" if self.schools else ""

    def pdf(self, school: str, lang: str, name: str) -> bytes:
        """One PDF, made now from the current files."""
        with self.lock:
            if school not in {p.stem for p in self.project.school_files(self.schools)}:
                raise KeyError(school)
            notice = load_school(self.project.schools / f"{school}.yaml",
                                 load_catalog(self.project.catalogs))
            return self._press.document_pdf(notice, lang, name)

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
            self.send_error(403, "This preview answers only to 127.0.0.1, localhost and [::1]")
            return False
        return True

    def do_GET(self) -> None:
        self._guarded(self._get)

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
            message = internal_error(exc, "while answering this request")
            if debugging():
                traceback.print_exc()
            with contextlib.suppress(Exception):  # the answer had begun already: nothing to add
                self._send(self._error_page([message]).encode(), "text/html; charset=utf-8",
                           status=500)

    def _get(self) -> None:
        path = unquote(urlsplit(self.path).path)
        if any(c in path for c in "\0\\") or not path.isprintable():
            return self.send_error(404, "no such page")
        if path == "/__version":
            return self._send(str(self.preview.version).encode(), "text/plain")
        if self.preview.errors and (path.endswith(".html") or path.endswith("/")):
            return self._send(self._error_page().encode(), "text/html; charset=utf-8")
        if path.endswith(".pdf"):
            return self._pdf(path)
        if path.endswith(".html") or path.endswith("/"):
            return self._html(path)
        return super().do_GET()

    def _html(self, path: str) -> None:
        file = self.preview.out / (path.lstrip("/") + ("index.html" if path.endswith("/") else ""))
        if not file.resolve().is_relative_to(self.preview.out.resolve()) or not file.is_file():
            return self.send_error(404, "no such page")
        text = file.read_text(encoding="utf-8").replace("</body>", RELOAD_SCRIPT + "\n</body>")
        self._send(text.encode("utf-8"), "text/html; charset=utf-8")

    def _pdf(self, path: str) -> None:
        parts = path.strip("/").split("/")
        if len(parts) != 3:
            return self.send_error(404, "no such document")
        school, lang, name = parts
        try:
            data = self.preview.pdf(school, lang, name.removesuffix(".pdf"))
        except (DsinfoError, KeyError, IndexError) as exc:
            return self._send(self._error_page([str(exc)]).encode(), "text/html; charset=utf-8")
        self._send(data, "application/pdf")

    def _error_page(self, errors: list[str] | None = None) -> str:
        items = "".join(f"<li><code>{html.escape(e)}</code></li>" for e in errors or self.preview.errors)
        return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Build error'
                f"</title></head><body><main><h1>The school files have errors</h1><p>The preview "
                f"shows the last good pages again once they are fixed.</p><ul>{items}</ul></main>"
                f"{RELOAD_SCRIPT}</body></html>")

    def _send(self, body: bytes, content_type: str, status: int = 200) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)


def serve(project: Project, schools: tuple[str, ...], port: int, *,
          echo: Any = print, stop: threading.Event | None = None) -> None:
    """Serve the preview on 127.0.0.1:`port` until interrupted (or `stop` is set)."""
    preview = Preview(project, schools)
    preview.rebuild()
    handler: Any = type("BoundHandler", (Handler,), {"preview": preview})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    handler.hosts = allowed_hosts(server.server_address[1])  # port 0: the one it was given
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    echo(f"Preview on http://127.0.0.1:{server.server_address[1]}/ (Ctrl+C to stop)")
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
                echo(internal_error(exc, "while watching the files"))
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        preview.close()


def _report(preview: Preview, echo: Any) -> None:
    if preview.errors:
        echo(f"{len(preview.errors)} problem(s); the page shows them:")
        for error in preview.errors:
            echo(f"  {error}")
    else:
        echo(f"Rebuilt (version {preview.version}).")
