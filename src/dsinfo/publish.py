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
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from .compare import Changes
from .compose import Notice
from .errors import BuildError, Problem, display_path, shown
from .load import Document
from .messages import Msg

MAX_LOGO_BYTES = 1024 * 1024
MAX_LOGO_SIDE = 4000  # pixels across and down: at most 64 MB decoded, in the check and each PDF
LOGO_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}  # Pillow's names -> MIME types


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
        return [doc.problem(("publish", "logo"), Msg("publish.logo: {problem}", problem=exc.message))]
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
    try:
        path = (folder / relative).resolve()
        inside, is_file = path.is_relative_to(folder), path.is_file()
        stat = path.stat() if is_file else None
    except (OSError, RuntimeError, ValueError):  # a link loop, a NUL byte, a name too long
        raise BuildError(Msg("'{file}' cannot be opened as a file: check the name",
                             file=shown(relative))) from None
    if not inside:
        raise BuildError(Msg("'{file}' leads outside the folder {folder}/ (through a symbolic link): "
                             "the logo must be a file inside it", file=shown(relative),
                             folder=display_path(folder)))
    if stat is None:
        raise BuildError(Msg("there is no file {file}", file=shown(display_path(folder / relative), 200)))
    if stat.st_size > MAX_LOGO_BYTES:
        raise BuildError(Msg("'{file}' is larger than 1 MB: use a smaller image", file=shown(relative)))
    return _decoded_logo(path, stat.st_mtime_ns, stat.st_size, shown(relative))


@functools.lru_cache(maxsize=16)
def _decoded_logo(path: Path, mtime_ns: int, size: int, name: str) -> tuple[str, bytes]:
    """A logo file's type and bytes, read and decoded once per version of the file (the check
    reads it, then every language of the school shows it). Decoded here, with Pillow, so that
    a file that only starts like a PNG, or a small file of a huge picture (12000 x 12000
    pixels are 140 KB as PNG and 385 MB in each PDF), is refused before WeasyPrint meets it."""
    from PIL import Image, ImageFile  # only a school with a logo needs it

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BuildError(Msg("'{file}' cannot be read: {reason}", file=name,
                             reason=exc.strerror or "")) from None
    if len(data) > MAX_LOGO_BYTES:
        raise BuildError(Msg("'{file}' is larger than 1 MB: use a smaller image", file=name))
    unreadable = BuildError(Msg("'{file}' is not a PNG or JPEG image that can be read: save it "
                                "again as PNG or JPEG", file=name))
    pixels = pixel_size(data)  # read here, before Pillow, which warns on huge images as it opens
    if pixels is None:
        raise unreadable
    if max(pixels) > MAX_LOGO_SIDE:
        raise BuildError(Msg("'{file}' is {width} x {height} pixels, more than the limit of "
                             "{limit} x {limit}: make it smaller (a logo needs some 600 pixels "
                             "across)", file=name, width=pixels[0], height=pixels[1],
                             limit=MAX_LOGO_SIDE))
    try:
        with Image.open(io.BytesIO(data), formats=list(LOGO_FORMATS)) as image:
            mime = LOGO_FORMATS[str(image.format)]
            if image.size != pixels:
                raise unreadable
            # every pixel: a broken or truncated file fails here, not in a PDF. WeasyPrint sets
            # Pillow's LOAD_TRUNCATED_IMAGES for the whole process once it is imported: not here
            lenient, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
            try:
                image.load()
            finally:
                ImageFile.LOAD_TRUNCATED_IMAGES = lenient
    except BuildError:
        raise
    except Exception:  # Pillow raises many kinds on a broken file; any of them means the same
        raise unreadable from None
    return mime, data


def pixel_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from a PNG's or JPEG's header, or None when it has neither header."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR" and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if not data.startswith(b"\xff\xd8"):
        return None
    at = 2
    while at + 9 <= len(data):  # segments: FF, marker, 2-byte length; SOFn holds the size
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker in (0xFF, 0x01) or 0xD0 <= marker <= 0xD7:  # fill byte, standalone markers
            at += 1 if marker == 0xFF else 2
            continue
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            return int.from_bytes(data[at + 7:at + 9], "big"), int.from_bytes(data[at + 5:at + 7], "big")
        at += 2 + int.from_bytes(data[at + 2:at + 4], "big")
    return None
