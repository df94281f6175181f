"""HTML to PDF with WeasyPrint: fonts and CSS loaded once, nothing fetched from outside.

WeasyPrint is imported here only, and only when a PDF is actually made: the import alone
takes about a second.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from .errors import BuildError
from .messages import Msg, Text
from .write import write_atomic


class _Collector(logging.Handler):
    """Keeps WeasyPrint's warnings (missing glyphs, refused URLs, CSS errors) for the build."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def make_fetcher(roots: list[Path]) -> Any:
    """A URL fetcher that serves only files inside `roots` and `data:` URLs, nothing else."""
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    allowed = [r.resolve() for r in roots]

    class SafeFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            parts = urlsplit(url)
            if parts.scheme == "data":
                return super().fetch(url, headers)
            if parts.scheme == "file" and parts.netloc in ("", "localhost"):
                path = Path(url2pathname(unquote(parts.path))).resolve()
                if path.is_file() and any(path.is_relative_to(root) for root in allowed):
                    if path.suffix == ".woff2":
                        return URLFetcherResponse(url, body=decoded_font(path),
                                                  headers={"Content-Type": "font/ttf"})
                    return super().fetch(url, headers)
            raise FatalURLFetchingError(Msg("refused to fetch {url}: only files in the project's "
                                            "asset folders may be used", url=url))

    return SafeFetcher(allowed_protocols={"file", "data"}, allow_redirects=False,
                       fail_on_errors=True)


def decoded_font(path: Path) -> bytes:
    """A WOFF2 font as the TrueType data WeasyPrint would decode from it itself (the same
    fontTools call, so the PDFs do not change), kept in a cache folder: fontTools decodes
    WOFF2 in pure Python, about 0.6 s per font, which every process paid for every font before
    its first PDF. The cache holds public font data only, named by a hash of the WOFF2 file."""
    import fontTools
    from fontTools.ttLib import woff2

    data = path.read_bytes()
    key = hashlib.sha256(data + fontTools.version.encode()).hexdigest()[:32]
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "dsinfo" / "fonts"
    cached = cache / f"{key}.ttf"
    try:
        return cached.read_bytes()
    except OSError:
        pass
    out = io.BytesIO()
    woff2.decompress(io.BytesIO(data), out)
    font = out.getvalue()
    with contextlib.suppress(OSError):  # a read-only home: decode again next time
        write_atomic(cached, font)
    return font


# Tagged and accessible by default; the archival variant is PDF/A-3a, which is tagged too.
ACCESSIBLE = "pdf/ua-1"
ARCHIVAL = "pdf/a-3a"
# PDF/A forbids images that viewers smooth when scaling (/Interpolate true)
ARCHIVAL_CSS = "img { image-rendering: crisp-edges; }"


class PdfMaker:
    """Turns print HTML into PDF bytes. Create one per process and reuse it."""

    def __init__(self, stylesheet: Path, asset_roots: list[Path]) -> None:
        import weasyprint
        from weasyprint.text.fonts import FontConfiguration

        self._weasyprint = weasyprint
        self.fetcher = make_fetcher(asset_roots)
        self.base_url = stylesheet.parent.resolve().as_uri() + "/"
        self.font_config = FontConfiguration()
        self._extra: dict[Path, Any] = {}
        with _collected():
            self.css = weasyprint.CSS(filename=str(stylesheet), font_config=self.font_config,
                                      url_fetcher=self.fetcher)
            self.archival_css = weasyprint.CSS(string=ARCHIVAL_CSS, font_config=self.font_config,
                                               url_fetcher=self.fetcher)

    def render(self, html: str, *, archival: bool = False) -> tuple[bytes, list[str]]:
        """The PDF for `html` (PDF/UA-1, or PDF/A-3a if `archival`) and the warnings WeasyPrint
        logged while making it."""
        stylesheets = [self.css, self.archival_css] if archival else [self.css]
        with _collected() as messages:
            try:
                document = self._weasyprint.HTML(string=html, base_url=self.base_url,
                                                 url_fetcher=self.fetcher)
                pdf = document.write_pdf(stylesheets=stylesheets, font_config=self.font_config,
                                         pdf_variant=ARCHIVAL if archival else ACCESSIBLE)
            except self._weasyprint.urls.FatalURLFetchingError as exc:
                raise BuildError(_refusal(exc)) from None
        return bytes(pdf), messages

    def lay_out(self, html: str, *, extra: Path | None = None) -> tuple[Any, list[str]]:
        """`html` laid out but not yet written (a WeasyPrint Document): sheets.py reads where
        its marked elements ended up, then writes it with `document.write_pdf()`. Untagged:
        filled sheets are printed, and a tag tree cannot follow their pages (see sheets.py).
        `extra` is a stylesheet applied after the maker's own (read once)."""
        stylesheets = [self.css]
        with _collected() as messages:
            if extra is not None:
                if extra not in self._extra:
                    self._extra[extra] = self._weasyprint.CSS(
                        filename=str(extra), font_config=self.font_config, url_fetcher=self.fetcher)
                stylesheets.append(self._extra[extra])
            try:
                document = self._weasyprint.HTML(string=html, base_url=self.base_url,
                                                 url_fetcher=self.fetcher).render(
                    stylesheets=stylesheets, font_config=self.font_config)
            except self._weasyprint.urls.FatalURLFetchingError as exc:
                raise BuildError(_refusal(exc)) from None
        return document, messages


def _refusal(exc: BaseException) -> Text:
    """What a fetch that stopped the rendering says: our fetcher's message, or WeasyPrint's
    own (English) text."""
    message = exc.args[0] if exc.args else None
    return message if isinstance(message, Msg) else str(exc)


@contextlib.contextmanager
def _collected() -> Iterator[list[str]]:
    """WeasyPrint's warnings while the block runs, collected (they still reach the loggers
    above); `SOURCE_DATE_EPOCH` set for the block, so that even the fontTools subsetter writes
    reproducible fonts. Both are as they were afterwards."""
    collector = _Collector()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ.setdefault("SOURCE_DATE_EPOCH", "0")
    try:
        yield collector.messages
    finally:
        logger.removeHandler(collector)
        if saved is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)

def has_fast_subsetter() -> bool:
    """True when HarfBuzz's subsetter is available (fast and byte-reproducible PDFs)."""
    from weasyprint.text.ffi import harfbuzz_subset

    return harfbuzz_subset is not None
