"""Synthetic scans (no real pupils): printed roster sheets, ticked the way people tick, degraded
the way copiers degrade. Used by tests/test_scan.py and benchmarks/scan.py.

Each page's truth says, per consent, what the person meant and whether the mark is one the
scan must not decide alone ("review": both or no box ticked, a tick scribbled over, faint
pencil).
"""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from dsinfo.consentdb import Register
from dsinfo.scan import find_token, known_sheets
from dsinfo.sheets import Spot

CLEAR_STYLES = ["cross"] * 40 + ["tick"] * 35 + ["filled"] * 10 + ["round"] * 7
HARD_STYLES = ["both", "neither", "crossed_out", "faint"]


@dataclass
class PageTruth:
    token: str
    answers: dict[str, str] = field(default_factory=dict)  # consent -> yes / no / review
    upside_down: bool = False


@dataclass(frozen=True)
class Copier:
    """How a copier degrades a page."""

    dpi: int = 200
    max_angle: float = 3.0
    max_shear: float = 0.01
    max_shift_mm: float = 3.0
    noise: float = 8.0
    jpeg: tuple[int, int] = (55, 85)
    upside_down: float = 0.05  # share of pages fed the wrong way round
    hard: float = 0.0  # share of consents marked in a way the scan must send to review


def render(pdf: Path, dpi: int) -> list[Image.Image]:
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        return [page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L") for page in document]
    finally:
        document.close()


def tick_stack(
    pdfs: list[Path], register_path: Path, copier: Copier, seed: int = 1
) -> tuple[list[Image.Image], list[PageTruth]]:
    """Every page of the class PDFs, ticked and degraded, with what each page means."""
    rng = random.Random(seed)
    with Register.open(register_path) as register:
        sheets = known_sheets(register)
    pages, truths = [], []
    for pdf in pdfs:
        for image in render(pdf, copier.dpi):
            found, _ = find_token(np.asarray(image))
            assert found is not None, f"{pdf}: a page without a token"
            token = found.token
            layout = sheets[(token.pupil, token.version)].layout
            truth = PageTruth(token=str(token))
            draw = ImageDraw.Draw(image)
            groups: dict[str, list[Spot]] = {}
            for spot in layout.on_page(layout.boxes, token.page - 1):
                groups.setdefault(spot.name.rsplit(":", 1)[0], []).append(spot)
            for consent, spots in groups.items():
                truth.answers[consent] = _mark(draw, spots, copier, rng)
            image = degrade(image, copier, rng, truth)
            pages.append(image)
            truths.append(truth)
    return pages, truths


def _mark(draw: ImageDraw.ImageDraw, spots: list[Spot], copier: Copier, rng: random.Random) -> str:
    scale = copier.dpi / 72
    boxes = {s.name.rsplit(":", 1)[1]: (s.x * scale, s.y * scale, s.width * scale) for s in spots}
    if len(boxes) == 1:  # the acknowledgement: usually ticked
        if rng.random() < 0.9:
            _draw(draw, boxes["yes"], rng.choice(CLEAR_STYLES), copier, rng)
            return "yes"
        return "no"
    if rng.random() < copier.hard:
        style = rng.choice(HARD_STYLES)
        if style == "both":
            _draw(draw, boxes["yes"], "cross", copier, rng)
            _draw(draw, boxes["no"], "tick", copier, rng)
        elif style == "crossed_out":  # ticked one, scribbled it out, ticked the other
            first, second = rng.sample(["yes", "no"], 2)
            _draw(draw, boxes[first], "tick", copier, rng)
            _draw(draw, boxes[first], "scribble", copier, rng)
            _draw(draw, boxes[second], "cross", copier, rng)
        elif style == "faint":
            _draw(draw, boxes[rng.choice(["yes", "no"])], "faint", copier, rng)
        return "review"
    answer = rng.choice(["yes", "no"])
    _draw(draw, boxes[answer], rng.choice(CLEAR_STYLES), copier, rng)
    return answer


def _draw(
    draw: ImageDraw.ImageDraw, box: tuple[float, float, float], style: str, copier: Copier, rng: random.Random
) -> None:
    x, y, size = box
    pen = max(2, round(rng.uniform(0.35, 0.6) * copier.dpi / 25.4))
    ink = rng.randint(20, 80)

    def at(u: float, v: float) -> tuple[float, float]:  # box units, with a hand's wobble
        return x + size * (u + rng.uniform(-0.06, 0.06)), y + size * (v + rng.uniform(-0.06, 0.06))

    if style == "cross":
        over = rng.uniform(-0.05, 0.25)
        draw.line([at(-over, -over), at(1 + over, 1 + over)], fill=ink, width=pen)
        draw.line([at(1 + over, -over), at(-over, 1 + over)], fill=ink, width=pen)
    elif style == "tick":
        draw.line([at(0.12, 0.5), at(0.4, 0.88), at(1.05, -0.2)], fill=ink, width=pen, joint="curve")
    elif style == "round":  # a circle drawn inside the box
        draw.ellipse([at(0.15, 0.15), at(0.85, 0.85)], outline=ink, width=pen)
    elif style == "filled":
        draw.polygon([at(0.12, 0.12), at(0.9, 0.1), at(0.88, 0.9), at(0.1, 0.88)], fill=ink)
    elif style == "scribble":
        for n in range(14):
            v = n / 13
            draw.line([at(-0.1, v), at(1.1, min(1.0, v + 0.08))], fill=ink, width=pen)
    elif style == "faint":  # light pencil
        light = rng.randint(185, 215)
        draw.line([at(0.1, 0.1), at(0.9, 0.9)], fill=light, width=max(1, pen // 2))
        draw.line([at(0.9, 0.1), at(0.1, 0.9)], fill=light, width=max(1, pen // 2))


def degrade(image: Image.Image, copier: Copier, rng: random.Random, truth: PageTruth) -> Image.Image:
    """Turned a little, sheared, shifted, noisy, blurred and JPEG-compressed; sometimes upside down.
    The copier's glass is 4 mm larger than the sheet on every side (a sheet fed 3 degrees askew
    would otherwise lose its corners in any scan)."""
    pad = round(4 * copier.dpi / 25.4)
    glass = Image.new("L", (image.width + 2 * pad, image.height + 2 * pad), 255)
    glass.paste(image, (pad, pad))
    image = glass
    angle = math.radians(rng.uniform(-copier.max_angle, copier.max_angle))
    shear = rng.uniform(-copier.max_shear, copier.max_shear)
    scale = rng.uniform(0.985, 1.015)
    shift = copier.max_shift_mm * copier.dpi / 25.4
    dx, dy = rng.uniform(-shift, shift), rng.uniform(-shift, shift)
    cx, cy = image.width / 2, image.height / 2
    cos, sin = math.cos(angle) / scale, math.sin(angle) / scale
    # the inverse map PIL wants: output pixel -> input pixel
    a, b = cos, sin + shear
    d, e = -sin, cos
    c = cx - a * (cx + dx) - b * (cy + dy)
    f = cy - d * (cx + dx) - e * (cy + dy)
    image = image.transform(
        image.size,
        Image.Transform.AFFINE,
        (a, b, c, d, e, f),
        resample=Image.Resampling.BILINEAR,
        fillcolor=255,
    )
    if rng.random() < copier.upside_down:
        image = image.rotate(180)
        truth.upside_down = True
    image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 0.8)))
    pixels = np.asarray(image, dtype=np.float32)
    noisy = pixels + np.random.default_rng(rng.randrange(1 << 30)).normal(0, copier.noise, pixels.shape)
    image = Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=rng.randint(*copier.jpeg))
    return Image.open(io.BytesIO(buffer.getvalue())).convert("L")


def save_pdf(pages: list[Image.Image], path: Path, dpi: int) -> Path:
    """The pages as one scanned PDF (JPEG inside), as a copier writes it."""
    pages[0].save(path, format="PDF", save_all=True, append_images=pages[1:], resolution=dpi)
    return path
