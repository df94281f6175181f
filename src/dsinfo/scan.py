"""Reading returned consent sheets back from a scan: which boxes are ticked, per pupil.

A page is read in steps, and any step that is not sure sends the page or the box to the
review list instead of guessing:

1. rasterize (pypdfium2, 200 dpi, grey) or read the picture (Pillow);
2. find the QR code (zxing-cpp) and its token: school, pupil number, version, page; a page
   without one, of another school, of an unknown or older sheet, or scanned before, is
   reported and not recorded; a page upside down (or sideways) is turned;
3. align the page: the QR code's corners and the three corner marks give an affine map from
   the laid-out page (its layout, kept in the register) to the picture; marks that are not
   where they should be, or a map that does not fit them, send the page to review;
4. measure each box: the box's printed frame is looked for near the mapped place, and the
   ink inside it is measured against the paper around it; empty, ticked (a cross, a tick, a
   filled box) or unclear (a faint or a tiny mark, a scribbled-over box);
5. decide per consent: one of Yes / No ticked and the other empty gives the answer; both,
   neither or an unclear box gives "unclear" and a review item with a crop of the boxes.

numpy does the measuring; nothing is written but the register (see consentdb.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import json
import multiprocessing
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from .consentdb import ACKNOWLEDGEMENT, Answer, Register
from .errors import InputError, Problem
from .messages import Msg, Text
from .sheets import Layout, Spot, Token, school_code

DPI = 200
MM = DPI / 25.4  # pixels per millimetre at the working resolution
PT = DPI / 72  # pixels per point
MAX_FILE_BYTES = 2 * 1024 * 1024 * 1024  # 1,000 pages at 300 dpi, JPEG
BoxState = Literal["empty", "marked", "unclear"]
PageStatus = Literal["recorded", "review", "duplicate", "not ours", "older version", "unreadable"]


@dataclass(frozen=True)
class BoxReading:
    name: str
    state: BoxState
    ink: float  # share of dark pixels inside the frame
    faint: float  # share of pixels a little darker than the paper
    reason: Text = ""


@dataclass
class PageResult:
    """What one page said, before it is recorded."""

    file: int
    page: int  # 1-based, in its file
    status: PageStatus
    message: Text = ""
    token: Token | None = None
    turned: int = 0  # degrees the picture was turned to read it
    answers: dict[str, Answer] = field(default_factory=dict)
    reviews: list[tuple[str | None, Text, bytes]] = field(default_factory=list)
    boxes: list[BoxReading] = field(default_factory=list)


@dataclass
class ScanSummary:
    pages: list[PageResult]

    def count(self, status: PageStatus) -> int:
        return sum(p.status == status for p in self.pages)

    @property
    def answers(self) -> int:
        return sum(len(p.answers) for p in self.pages if p.status == "recorded")

    @property
    def reviews(self) -> int:
        return sum(len(p.reviews) for p in self.pages if p.status in ("recorded", "review"))


@dataclass(frozen=True)
class Source:
    """A file given to the scan: a PDF (many pages) or a picture (one page)."""

    path: Path
    kind: Literal["pdf", "image"]
    pages: int
    digest: str


def open_sources(paths: Iterable[Path]) -> list[Source]:
    """Every file checked before anything is read or recorded; InputError for any that is not
    a readable PDF, PNG or JPEG."""
    sources, problems = [], []
    for path in paths:
        try:
            sources.append(_source(path))
        except ValueError as exc:
            message = exc.args[0] if exc.args else None
            problems.append(Problem(path=path, message=message if isinstance(message, Msg) else str(exc)))
    if problems:
        raise InputError(problems, outcome=Msg("nothing was recorded"))
    return sources


def _source(path: Path) -> Source:
    if not path.is_file():
        raise ValueError(Msg("there is no such file (give a scanned PDF, PNG or JPEG)"))
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ValueError(Msg("the file is larger than 2 GiB: scan the stack in parts"))
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if data.startswith(b"%PDF"):
        import pypdfium2

        try:
            pages = len(pypdfium2.PdfDocument(data))
        except pypdfium2.PdfiumError:
            raise ValueError(Msg("the PDF cannot be read (damaged, or protected by a password)")) from None
        if pages == 0:
            raise ValueError(Msg("the PDF has no pages"))
        return Source(path=path, kind="pdf", pages=pages, digest=digest)
    if data.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")):
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(io.BytesIO(data)) as image:
                image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError):
            raise ValueError(Msg("the picture cannot be read (damaged)")) from None
        return Source(path=path, kind="image", pages=1, digest=digest)
    raise ValueError(Msg("this is not a PDF, PNG or JPEG file: scan the sheets to PDF"))


def picture(source: Source, page: int) -> np.ndarray:
    """Page `page` (0-based) of a source as a grey picture at DPI dots per inch."""
    if source.kind == "pdf":
        import pypdfium2

        document = pypdfium2.PdfDocument(source.path)
        try:
            bitmap = document[page].render(scale=DPI / 72, grayscale=True)
            array = np.array(bitmap.to_numpy())
        finally:
            document.close()
        return array[:, :, 0] if array.ndim == 3 else array
    from PIL import Image

    with Image.open(source.path) as image:
        grey = image.convert("L")
        dpi = float(image.info.get("dpi", (0, 0))[0] or grey.width / (210 / 25.4))
        if abs(dpi - DPI) > 1:
            grey = grey.resize(
                (round(grey.width * DPI / dpi), round(grey.height * DPI / dpi)), Image.Resampling.LANCZOS
            )
        return np.asarray(grey)


# --- the QR code and the page's orientation -------------------------------------------------------


@dataclass(frozen=True)
class Found:
    token: Token
    corners: np.ndarray  # 4 x 2: top left, top right, bottom right, bottom left (in the code's own turn)


def find_token(image: np.ndarray) -> tuple[Found | None, list[str]]:
    """The sheet's token and where its QR code is; also the text of any other codes. At low
    resolutions (150 dpi: 3.5 pixels per module) a code zxing misses on the whole page is
    looked for again in each corner of the page, enlarged twice."""
    found, others = _decode(image, 0, 0, 1)
    if found is not None:
        return found, others
    from PIL import Image

    height, width = image.shape
    h, w = height // 4, width // 3
    for top, left in ((0, width - w), (height - h, 0), (0, 0), (height - h, width - w)):
        part = Image.fromarray(np.ascontiguousarray(image[top : top + h, left : left + w]))
        larger = np.asarray(part.resize((2 * part.width, 2 * part.height), Image.Resampling.LANCZOS))
        found, more = _decode(larger, left, top, 2)
        others.extend(more)
        if found is not None:
            return found, others
    return None, others


def _decode(image: np.ndarray, left: int, top: int, scale: int) -> tuple[Found | None, list[str]]:
    import zxingcpp

    others = []
    for barcode in zxingcpp.read_barcodes(
        image, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    ):
        token = Token.parse(barcode.text)
        if token is None:
            others.append(barcode.text)
            continue
        p = barcode.position
        corners = np.array(
            [
                [p.top_left.x, p.top_left.y],
                [p.top_right.x, p.top_right.y],
                [p.bottom_right.x, p.bottom_right.y],
                [p.bottom_left.x, p.bottom_left.y],
            ],
            dtype=float,
        ) / scale + np.array([left, top])
        return Found(token=token, corners=corners), others
    return None, others


def turn_upright(image: np.ndarray, found: Found) -> tuple[np.ndarray, Found, int]:
    """The picture turned so that the QR code stands upright (a page fed upside down or
    sideways); the code's corners turned with it."""
    top = found.corners[1] - found.corners[0]  # along the code's top edge
    angle = np.degrees(np.arctan2(top[1], top[0]))
    quarter = round(angle / 90) % 4  # 0: upright; 2: upside down
    if quarter == 0:
        return image, found, 0
    height, width = image.shape
    turned = np.rot90(image, k=quarter)  # counter-clockwise, undoing a clockwise turn
    corners = found.corners.copy()
    for _ in range(quarter):  # a point (x, y) after one counter-clockwise quarter turn
        corners = np.stack([corners[:, 1], width - 1 - corners[:, 0]], axis=1)
        height, width = width, height
    return np.ascontiguousarray(turned), Found(token=found.token, corners=corners), quarter * 90


# --- aligning the page ------------------------------------------------------------------------------


def _affine(page_points: np.ndarray, image_points: np.ndarray) -> tuple[np.ndarray, float]:
    """The affine map page pt -> picture px fitting the points best, and its worst miss (px)."""
    ones = np.ones((len(page_points), 1))
    source = np.hstack([page_points, ones])
    matrix, *_ = np.linalg.lstsq(source, image_points, rcond=None)
    misses = np.linalg.norm(source @ matrix - image_points, axis=1)
    return matrix, float(misses.max())


def _apply(matrix: np.ndarray, points: np.ndarray) -> np.ndarray:
    return np.asarray(np.hstack([points, np.ones((len(points), 1))]) @ matrix)


def align(image: np.ndarray, found: Found, layout: Layout, page: int) -> tuple[np.ndarray | None, Text]:
    """The map from the page's layout (pt) to the picture (px): first from the QR code alone,
    then refined by the three corner marks found near where the code says they are."""
    spot = next(f for f in layout.on_page(layout.fields, page) if f.name == "token")
    code = np.array(
        [
            [spot.x, spot.y],
            [spot.x + spot.width, spot.y],
            [spot.x + spot.width, spot.y + spot.width],
            [spot.x, spot.y + spot.width],
        ]
    )
    rough, _ = _affine(code, found.corners)
    page_points, image_points = list(code), list(found.corners)
    marks = layout.on_page(layout.marks, page)
    for mark in marks:
        centre = _apply(rough, np.array([mark.center]))[0]
        located = _blob(image, centre, mark.width * PT)
        if located is not None:
            page_points.append(np.array(mark.center))
            image_points.append(located)
    # a copier may cut off a corner of a page fed askew: two marks and the code still span it
    if len(page_points) - 4 < min(2, len(marks)):
        return None, Msg("the corner marks were not found (the page is cut off, or not one of our "
                         "sheets)")
    matrix, miss = _affine(np.array(page_points), np.array(image_points))
    if miss > 1.0 * MM:
        return None, Msg("the page is bent or distorted (the marks are {off} mm off)",
                         off=float(miss / MM))
    return matrix, ""


def _blob(image: np.ndarray, centre: np.ndarray, size: float) -> np.ndarray | None:
    """The centre of the dark square mark of `size` px nearest to `centre`, or None."""
    reach = int(8 * MM)
    x0, y0 = int(centre[0]) - reach, int(centre[1]) - reach
    window = image[max(y0, 0) : y0 + 2 * reach, max(x0, 0) : x0 + 2 * reach]
    if window.size == 0:
        return None
    dark = window < _paper(window) * 0.5
    if int(dark.sum()) < 0.3 * size * size:
        return None
    # the mark is the densest square of about its size: find it by summing over such squares
    table = np.pad(dark.cumsum(0).cumsum(1), ((1, 0), (1, 0)))
    s = max(int(size), 2)
    sums = table[s:, s:] - table[:-s, s:] - table[s:, :-s] + table[:-s, :-s]
    y, x = np.unravel_index(int(np.argmax(sums)), sums.shape)
    if sums[y, x] < 0.6 * s * s:
        return None
    box = dark[y : y + s, x : x + s]
    ys, xs = np.nonzero(box)
    return np.array([max(x0, 0) + x + xs.mean(), max(y0, 0) + y + ys.mean()])


def _paper(window: np.ndarray) -> float:
    return float(np.percentile(window, 90))


# --- measuring boxes -------------------------------------------------------------------------------

PATCH = 10  # px per mm of a box's patch
EMPTY_INK, MARK_INK, HEAVY_INK, FILLED_INK = 0.03, 0.07, 0.55, 0.85
FAINT = 0.05


def patch(image: np.ndarray, matrix: np.ndarray, spot: Spot, margin_mm: float) -> np.ndarray:
    """The picture around `spot`, resampled upright at PATCH px per mm (bilinear)."""
    margin = margin_mm * 72 / 25.4
    width_pt, height_pt = spot.width + 2 * margin, spot.height + 2 * margin
    cols, rows = round(width_pt / 72 * 25.4 * PATCH), round(height_pt / 72 * 25.4 * PATCH)
    gx, gy = np.meshgrid(
        np.linspace(spot.x - margin, spot.x - margin + width_pt, cols),
        np.linspace(spot.y - margin, spot.y - margin + height_pt, rows),
    )
    points = _apply(matrix, np.stack([gx.ravel(), gy.ravel()], axis=1))
    x, y = points[:, 0], points[:, 1]
    x0, y0 = (
        np.clip(np.floor(x).astype(int), 0, image.shape[1] - 2),
        np.clip(np.floor(y).astype(int), 0, image.shape[0] - 2),
    )
    fx, fy = np.clip(x - x0, 0, 1), np.clip(y - y0, 0, 1)
    img = image.astype(np.float32)
    value = (
        img[y0, x0] * (1 - fx) * (1 - fy)
        + img[y0, x0 + 1] * fx * (1 - fy)
        + img[y0 + 1, x0] * (1 - fx) * fy
        + img[y0 + 1, x0 + 1] * fx * fy
    )
    return np.asarray(value.reshape(rows, cols))


def read_box(image: np.ndarray, matrix: np.ndarray, spot: Spot) -> BoxReading:
    """One box: its printed frame found within 1.5 mm of where the map puts it, then the ink
    inside the frame measured against the paper around the box."""
    margin = 3.0
    area = patch(image, matrix, spot, margin)
    paper = _paper(area)
    dark = area < paper * 0.55
    faint = (area < paper * 0.85) & ~dark
    size = round(spot.width / 72 * 25.4 * PATCH)
    frame = _frame(dark, size, int(margin * PATCH))
    if frame is None:
        return BoxReading(spot.name, "unclear", 0.0, 0.0, Msg("the box's frame was not found"))
    top, left = frame
    inset = int(0.9 * PATCH)  # inside the frame line (0.35 mm) and what a scan blurs of it
    inner = (slice(top + inset, top + size - inset), slice(left + inset, left + size - inset))
    ink, pale = float(dark[inner].mean()), float(faint[inner].mean())
    if ink >= FILLED_INK or MARK_INK <= ink < HEAVY_INK:
        return BoxReading(spot.name, "marked", ink, pale)
    if ink >= HEAVY_INK:
        return BoxReading(spot.name, "unclear", ink, pale, Msg("a box ticked and scribbled over"))
    if ink < EMPTY_INK and pale < FAINT:
        return BoxReading(spot.name, "empty", ink, pale)
    if ink < EMPTY_INK:
        return BoxReading(spot.name, "unclear", ink, pale, Msg("a faint mark"))
    return BoxReading(spot.name, "unclear", ink, pale, Msg("a small mark"))


def _frame(dark: np.ndarray, size: int, expected: int) -> tuple[int, int] | None:
    """Top left of the square outline of `size` px best matching the dark pixels, searched
    within 1.5 mm of `expected` (the patch's margin)."""
    reach = int(1.5 * PATCH)
    line = max(int(0.6 * PATCH), 2)
    table = np.pad(dark.astype(np.int32).cumsum(0).cumsum(1), ((1, 0), (1, 0)))

    def total(y: int, x: int, h: int, w: int) -> int:
        return int(table[y + h, x + w] - table[y, x + w] - table[y + h, x] + table[y, x])

    best, where = -1.0, None
    for y in range(max(expected - reach, 0), expected + reach + 1):
        for x in range(max(expected - reach, 0), expected + reach + 1):
            if y + size + line > dark.shape[0] or x + size + line > dark.shape[1]:
                continue
            # the four sides, each a band `line` wide on the outline
            sides = [
                total(y, x, line, size),
                total(y + size - line, x, line, size),
                total(y, x, size, line),
                total(y, x + size - line, size, line),
            ]
            score = min(sides) / (line * size)  # a frame has all four sides
            if score > best:
                best, where = score, (y, x)
    return where if best >= 0.45 else None


def decide(readings: list[BoxReading]) -> tuple[Answer, Text]:
    """A consent's answer from its boxes ("<id>:yes", "<id>:no"), or 'unclear' and why."""
    unclear = [r for r in readings if r.state == "unclear"]
    if unclear:
        return "unclear", unclear[0].reason
    marked = [r.name.rsplit(":", 1)[1] for r in readings if r.state == "marked"]
    if [r.name for r in readings] == [f"{ACKNOWLEDGEMENT}:yes"]:  # its one box: ticked or not
        return ("yes" if marked else "no"), ""
    if len(readings) == 1:  # a consent's other box is not on this page: never guess from one
        return "unclear", Msg("only one of the consent's two boxes is on this page")
    if len(marked) == 1 and marked[0] in ("yes", "no"):
        return marked[0], ""  # type: ignore[return-value]
    return "unclear", Msg("both boxes are ticked") if marked else Msg("no box is ticked")


def crop_png(image: np.ndarray, matrix: np.ndarray, spots: list[Spot]) -> bytes:
    """The boxes of a consent and their labels, as a small PNG for the person reviewing it."""
    from PIL import Image

    x0 = min(s.x for s in spots) - 6
    y0 = min(s.y for s in spots) - 6
    x1 = max(s.x + s.width for s in spots) + 120
    y1 = max(s.y + s.height for s in spots) + 6
    area = patch(image, matrix, Spot(page=0, name="", x=x0, y=y0, width=x1 - x0, height=y1 - y0), 0)
    return _png(Image.fromarray(np.clip(area, 0, 255).astype(np.uint8)))


def page_png(image: np.ndarray) -> bytes:
    """A whole page, small (about 60 dpi), for a page-level review."""
    from PIL import Image

    picture = Image.fromarray(image)
    picture.thumbnail((500, 700))
    return _png(picture)


def _png(picture: Any) -> bytes:
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


# --- one page, all pages ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Sheet:
    layout: Layout
    consents: Mapping[str, str]  # id -> version, as asked on that sheet
    latest: bool  # the pupil's newest sheet
    withdrawn: frozenset[str] = frozenset()  # consents whose latest answer is a withdrawal


def read_page(
    image: np.ndarray, school: str, sheets: Mapping[tuple[int, str], Sheet], file: int = 0, page: int = 1
) -> PageResult:
    """Everything one page says, or why it cannot be taken."""
    found, others = find_token(image)
    if found is None:  # another form, or one of ours with its code damaged: a person decides
        why = (Msg("no code of our sheets found (only another QR code)") if others
               else Msg("no code of our sheets found"))
        return PageResult(
            file,
            page,
            "review",
            Msg("{why}: a page of another form, or its code is damaged", why=why),
            reviews=[(None, why, page_png(image))],
        )
    token = found.token
    if token.school != school_code(school):
        return PageResult(file, page, "not ours", Msg("a sheet of another school"), token=token)
    image, found, turned = turn_upright(image, found)
    sheet = sheets.get((token.pupil, token.version))
    if sheet is None:
        return PageResult(
            file,
            page,
            "not ours",
            Msg("the register has no such sheet (another register, or a sheet "
                "printed before the pupils were recorded)"),
            token=token,
            turned=turned,
        )
    if not 1 <= token.page <= sheet.layout.pages:
        return PageResult(
            file, page, "not ours", Msg("the code names a page the sheet does not have"), token=token
        )
    if not sheet.latest:
        return PageResult(
            file,
            page,
            "older version",
            Msg("a sheet of the older version {version}: not taken (the pupil was given a newer one)",
                version=token.version),
            token=token,
            turned=turned,
            reviews=[(None, Msg("a sheet of an older version"), page_png(image))],
        )
    number = token.page - 1
    matrix, problem = align(image, found, sheet.layout, number)
    if matrix is None:
        return PageResult(
            file,
            page,
            "review",
            problem,
            token=token,
            turned=turned,
            reviews=[(None, problem, page_png(image))],
        )
    result = PageResult(file, page, "recorded", token=token, turned=turned)
    groups: dict[str, list[Spot]] = {}
    for spot in sheet.layout.on_page(sheet.layout.boxes, number):
        groups.setdefault(spot.name.rsplit(":", 1)[0], []).append(spot)
    for consent, spots in groups.items():
        readings = [read_box(image, matrix, s) for s in spots]
        result.boxes.extend(readings)
        answer, reason = decide(readings)
        if answer == "yes" and consent in sheet.withdrawn:  # a person decides: new, or signed before?
            answer, reason = "unclear", Msg("withdrawn before; this sheet says yes: a new consent, or "
                                            "a sheet signed before the withdrawal?")
            result.reviews.append((consent, reason, crop_png(image, matrix, spots)))
            continue  # no answer recorded: the withdrawal stands until the review says otherwise
        result.answers[consent] = answer
        if answer == "unclear":
            result.reviews.append((consent, reason, crop_png(image, matrix, spots)))
    return result


_job: dict[str, Any] = {}  # the running scan, inherited by forked workers


def _read(task: tuple[int, int]) -> PageResult:
    file, page = task
    source: Source = _job["sources"][file]
    try:
        image = picture(source, page)
    except Exception:  # a page pdfium cannot draw: the page goes to review, not the scan down
        return PageResult(file, page + 1, "unreadable", Msg("the page cannot be drawn (damaged)"))
    try:
        return read_page(image, _job["school"], _job["sheets"], file, page + 1)
    except Exception:  # whatever one odd page does to the reading, the other pages are read
        return PageResult(file, page + 1, "unreadable", Msg("the page could not be read: look at it "
                                                            "and enter its answers with `consents record`"))


def read_pages(
    sources: list[Source], school: str, sheets: Mapping[tuple[int, str], Sheet], jobs: int | None = None
) -> Iterator[PageResult]:
    """Every page of every source, read in `jobs` worker processes, in order."""
    tasks = [(f, p) for f, source in enumerate(sources) for p in range(source.pages)]
    _job.update(sources=sources, school=school, sheets=sheets)
    try:
        jobs = min(jobs or os.cpu_count() or 1, len(tasks))
        if jobs <= 1:
            yield from map(_read, tasks)
            return
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            yield from pool.imap(_read, tasks, chunksize=2)
    finally:
        _job.clear()


def known_sheets(register: Register) -> dict[tuple[int, str], Sheet]:
    """Every sheet the register knows, with its layout, for the workers."""
    rows = register.db.execute(
        "SELECT s.pupil, s.version, l.data, s.consents, s.printed, s.rowid FROM sheets s "
        "JOIN layouts l ON l.id = s.layout"
    ).fetchall()
    layouts: dict[str, Layout] = {}
    newest: dict[int, tuple[str, int]] = {}
    for pupil, _, _, _, printed, rowid in rows:
        if (printed, rowid) > newest.get(pupil, ("", -1)):
            newest[pupil] = (printed, rowid)
    withdrawn: dict[int, set[str]] = {}
    for pupil, consent in register.db.execute(
        "SELECT pupil, consent FROM answers a WHERE answer = 'withdrawn' AND id = "
        "(SELECT MAX(id) FROM answers b WHERE b.pupil = a.pupil AND b.consent = a.consent)"
    ):
        withdrawn.setdefault(pupil, set()).add(consent)
    sheets = {}
    for pupil, version, data, consents, printed, rowid in rows:
        layout = layouts.setdefault(data, Layout.from_json(data))
        sheets[(pupil, version)] = Sheet(
            layout=layout, consents=json.loads(consents), latest=newest[pupil] == (printed, rowid),
            withdrawn=frozenset(withdrawn.get(pupil, ())),
        )
    return sheets


def scan(
    register: Register, school: str, paths: list[Path], *, day: dt.date | None = None, jobs: int | None = None
) -> ScanSummary:
    """Read the files and record every page that can be taken, each page in one transaction:
    its answers, and what goes to review. A file read before is skipped page by page (a
    duplicate), as is a page whose sheet was recorded before from another file."""
    sources = open_sources(paths)
    day = day or dt.date.today()
    sheets = known_sheets(register)
    results = []
    seen: set[str] = set()
    for result in read_pages(sources, school, sheets, jobs):
        source = sources[result.file]
        token = str(result.token) if result.token else None
        if register.page_seen(source.digest, result.page):
            result = dataclasses.replace(
                result,
                status="duplicate",
                answers={},
                reviews=[],
                message=Msg("this file's page was read before: not taken again"),
            )
        elif result.status == "recorded" and token and (token in seen or register.token_recorded(token)):
            result = dataclasses.replace(
                result,
                status="duplicate",
                answers={},
                reviews=[],
                message=Msg("this sheet's page was read before: not taken again"),
            )
        if result.status in ("recorded", "review", "older version"):
            assert result.token is not None or result.status == "review"
            sheet = sheets.get((result.token.pupil, result.token.version)) if result.token else None
            register.record_page(
                file_hash=source.digest,
                file_name=source.path.name,
                page=result.page,
                token=token,
                status=result.status,
                pupil=result.token.pupil if result.token and sheet else None,
                document_version=result.token.version if result.token else None,
                answers=result.answers if result.status == "recorded" else None,
                consent_versions=sheet.consents if sheet else None,
                reviews=result.reviews,
                day=day,
            )
            if token and result.status == "recorded":
                seen.add(token)
        results.append(result)
    return ScanSummary(pages=results)
