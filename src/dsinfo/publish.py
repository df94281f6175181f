"""What the documents carry besides the notice itself: version, QR code and the school's logo.

A document's version is a short hash of what it says (school year and Stand date alone do not
tell two printings apart); the QR code on the consent sheet leads to the notice online; the
logo is read only from inside the folder of the school files.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from .compare import Changes
from .compose import Notice
from .errors import BuildError, Problem, display_path
from .load import Document

MAX_LOGO_BYTES = 1024 * 1024
IMAGE_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


@dataclass(frozen=True)
class Publication:
    """Per school and language: what the templates show around the notice's content."""

    version: str  # short hash of the German documents' content: the binding version
    content_hash: str  # the full SHA-256 of this language's documents, for notice.json
    notice_url: str | None
    logo: str | None  # data: URI of the school's logo
    logo_alt: str | None
    changes: Changes | None = None  # since the last school year, when the school shows them
    translation: str = ""  # a translation: short hash of its own content ('' in German)
    draft: bool = False  # marked "ENTWURF – nicht veröffentlichen" on every page

    @cached_property
    def qr(self) -> str | None:
        """A data: URI of an SVG QR code leading to notice_url; made when a printed sheet asks
        for it (it takes a few milliseconds, and web pages have no use for it)."""
        return qr_code(self.notice_url) if self.notice_url else None

    def versioned(self, content_hash: str) -> Publication:
        """The German documents: their hash is the version."""
        return dataclasses.replace(self, version=content_hash[:8], content_hash=content_hash)

    def translated(self, version: str, content_hash: str) -> Publication:
        """A translation of the German documents of `version`, identified by its own hash too."""
        return dataclasses.replace(self, version=version, content_hash=content_hash,
                                   translation=content_hash[:6])

    @property
    def full_version(self) -> str:
        """What tells two printings apart: '3f2a9c1e', or '3f2a9c1e-7c1d0a' for a translation."""
        return f"{self.version}-{self.translation}" if self.translation else self.version


def publication(notice: Notice, lang: str) -> Publication:
    """Everything but the version, which needs the rendered documents (see `content_hash`)."""
    url = notice_url(notice, lang)
    publish = notice.school.publish
    alt = publish.logo_alt if publish else None
    return Publication(version="", content_hash="", notice_url=url, logo=logo_data_uri(notice),
                       logo_alt=_local(alt, lang) if alt else None)


def notice_url(notice: Notice, lang: str) -> str | None:
    """The web address of the notice in `lang` (or of the binding German one), if published."""
    urls = notice.school.publish.notice_url if notice.school.publish else None
    if not urls:
        return None
    return _local(urls, lang).replace("{lang}", lang)


def _local(texts: Mapping[Any, str], lang: str) -> str:
    """The text for `lang`, or the binding German one."""
    return texts.get(lang) or texts["de"]


def qr_code(url: str) -> str:
    """A QR code for `url` as an SVG data: URI (vector: sharp in print at any size)."""
    import segno  # only printed sheets carry a QR code: an HTML build does without

    return str(segno.make(url, error="m", micro=False).svg_data_uri(border=0, omitsize=True))


def content_hash(documents: Iterable[str]) -> str:
    """SHA-256 over rendered documents: the same content gives the same hash on every build."""
    digest = hashlib.sha256()
    for text in documents:
        digest.update(text.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def check_logo(doc: Document, notice: Notice) -> list[Problem]:
    """Problems with the school's logo file, positioned at `publish.logo`."""
    try:
        _read_logo(notice)
    except BuildError as exc:
        return [doc.problem(("publish", "logo"), f"publish.logo: {exc}")]
    return []


def logo_data_uri(notice: Notice) -> str | None:
    logo = _read_logo(notice)
    if logo is None:
        return None
    mime, data = logo
    return _data_uri(mime, data)


@functools.lru_cache(maxsize=16)
def _data_uri(mime: str, data: bytes) -> str:
    """The logo as a data: URI, encoded once however many languages and documents show it."""
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def _read_logo(notice: Notice) -> tuple[str, bytes] | None:
    relative = notice.school.publish.logo if notice.school.publish else None
    if relative is None:
        return None
    folder = notice.path.parent.resolve()
    path = (folder / relative).resolve()
    if not path.is_relative_to(folder):
        raise BuildError(f"'{relative}' leads outside the folder {display_path(folder)}/ "
                         "(through a symbolic link): the logo must be a file inside it")
    if not path.is_file():
        raise BuildError(f"there is no file {display_path(folder / relative)}")
    stat = path.stat()
    if stat.st_size > MAX_LOGO_BYTES:
        raise BuildError(f"'{relative}' is larger than 1 MB: use a smaller image")
    data = _logo_bytes(path, stat.st_mtime_ns, stat.st_size)
    mime = next((m for magic, m in IMAGE_TYPES.items() if data.startswith(magic)), None)
    if mime is None:
        raise BuildError(f"'{relative}' is not a PNG or JPEG image")
    return mime, data


@functools.lru_cache(maxsize=16)
def _logo_bytes(path: Path, mtime_ns: int, size: int) -> bytes:
    """A logo file's bytes, read once per version of the file (the check reads it, and then
    every language of the school shows it)."""
    return path.read_bytes()

