"""Roster sheets: every distinct sheet laid out once, every pupil's fields filled into a copy.

The sheets of a roster differ in a few fields only: the pupil's name and class and the token
of the QR code that the scan reads back. What else differs (the language of a bilingual sheet,
who signs, which consents are asked) makes a *variant*; a roster of 1,000 pupils has a dozen or
two. Each variant is laid out once by WeasyPrint; the template marks what is filled in or read
back with attributes (`data-field`, `data-box`, `data-mark`), and their places are read from
WeasyPrint's layout, so a changed template keeps working. The fields of a whole class are then
laid out in one small WeasyPrint document (the same fonts, the same text engine), and pikepdf
lays each of its pages over a copy of the variant's page: both become Form XObjects, drawn one
after the other, so the text stays text, the fonts stay embedded, and the bytes depend on the
input only.

Filled sheets are not tagged PDF: a tag tree cannot follow a page that is drawn from two
documents. They are printed, signed and scanned; the accessible consent sheet is consent.pdf.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import multiprocessing
import os
import re
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from .errors import BuildError
from .i18n import N_
from .messages import Msg
from .roster import Pupil, Signers, by_class, file_stem
from .views import consent_view, notice_spec
from .write import claimed, safe_path, write_atomic

if TYPE_CHECKING:
    from .compose import Notice
    from .documents import Press as Builder
    from .publish import Publication

PT_PER_PX = 0.75  # WeasyPrint lays out in CSS pixels (1/96 in), PDF counts points (1/72 in)


@dataclass(frozen=True)
class Variant:
    """What makes two pupils' sheets differ beyond their own fields."""

    lang: str  # "de", or the second language of a bilingual sheet
    signers: Signers
    consents: tuple[str, ...]  # ids of the consents asked, in the sheet's order

    @classmethod
    def of(cls, pupil: Pupil, consents: tuple[str, ...]) -> Variant:
        return cls(lang=pupil.language, signers=pupil.signers, consents=consents)


@dataclass(frozen=True)
class Spot:
    """A marked element on a laid-out page: its name and its content box, in PDF points from
    the top left of the page (page counts from 0). A field's `style` is the CSS of its text
    (font, size, weight, colour), so what is filled in looks like the template's own text."""

    page: int
    name: str
    x: float
    y: float
    width: float
    height: float
    style: str = ""

    @property
    def center(self) -> tuple[float, float]:
        return self.x + self.width / 2, self.y + self.height / 2


@dataclass(frozen=True)
class Layout:
    """Where things are on a laid-out template's pages: fields to fill, boxes to read, marks
    to align a scan by. Kept in the consent register, so a scan can be read years later."""

    width: float
    height: float
    pages: int
    fields: tuple[Spot, ...]
    boxes: tuple[Spot, ...]
    marks: tuple[Spot, ...]

    @property
    def id(self) -> str:
        return hashlib.sha256(self.to_json().encode()).hexdigest()[:16]

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Layout:
        data = json.loads(text)
        spots = {k: tuple(Spot(**s) for s in data[k]) for k in ("fields", "boxes", "marks")}
        return cls(width=data["width"], height=data["height"], pages=data["pages"], **spots)

    def on_page(self, spots: Iterable[Spot], page: int) -> list[Spot]:
        return [s for s in spots if s.page == page]


def layout_of(document: Any) -> Layout:
    """The marked elements of a WeasyPrint Document, page by page: `data-field`, `data-box` and
    `data-mark` attributes name them. Boxes and marks are measured by their border box (what
    is printed), fields by their content box (where text goes)."""
    found: dict[tuple[str, str, int, int], tuple[list[float], str]] = {}
    for number, page in enumerate(document.pages):
        for box in page._page_box.descendants():  # WeasyPrint is pinned: see pyproject.toml
            element = getattr(box, "element", None)
            if element is None or not hasattr(box, "border_box_x"):
                continue
            for kind in ("field", "box", "mark"):
                name = element.get(f"data-{kind}")
                if name is None or (kind, name, number, id(element)) in found:
                    continue  # an element's first box: where it starts
                if kind == "field":
                    x, y, w, h = box.content_box_x(), box.content_box_y(), box.width, box.height
                else:
                    x, y, w, h = (
                        box.border_box_x(),
                        box.border_box_y(),
                        box.border_width(),
                        box.border_height(),
                    )
                found[(kind, name, number, id(element))] = (
                    [x, y, w, h],
                    _text_style(box.style) if kind == "field" else "",
                )
    spots: dict[str, list[Spot]] = {"field": [], "box": [], "mark": []}
    for (kind, name, number, _), (edges, style) in sorted(
        found.items(), key=lambda i: (i[0][2], i[1][0][1], i[1][0][0], i[0][1])
    ):
        x, y, w, h = (round(v * PT_PER_PX, 2) for v in edges)
        spots[kind].append(Spot(page=number, name=name, x=x, y=y, width=w, height=h, style=style))
    first = document.pages[0]
    return Layout(
        width=round(first.width * PT_PER_PX, 2),
        height=round(first.height * PT_PER_PX, 2),
        pages=len(document.pages),
        fields=tuple(spots["field"]),
        boxes=tuple(spots["box"]),
        marks=tuple(spots["mark"]),
    )


def _text_style(style: Any) -> str:
    red, green, blue = (round(c * 255) for c in style["color"].to("srgb").coordinates)
    families = ", ".join(f'"{f}"' for f in style["font_family"])
    line_height = style["line_height"]
    return (
        f"font-family: {families}; font-size: {style['font_size'] * PT_PER_PX:.2f}pt; "
        f"font-weight: {style['font_weight']}; font-style: {style['font_style']}; "
        f"color: rgb({red}, {green}, {blue}); line-height: "
        f"{line_height if isinstance(line_height, float | int) else 'normal'}"
    )


TOKEN = re.compile(r"DS1-([0-9A-F]{4})-([1-9][0-9]{0,6})-([0-9A-F]{8})-([1-9][0-9]?)")


@dataclass(frozen=True)
class Token:
    """What a sheet's QR code says: school (4 hex digits of a hash of its id), the pupil's
    number in the school's register, the document version and the page. No name, no birth
    date: a lost sheet's code tells nobody who it is about. Upper-case letters, digits and '-'
    only, so the code is QR's compact alphanumeric kind (version 2: 25 x 25 modules)."""

    school: str
    pupil: int
    version: str
    page: int

    def __str__(self) -> str:
        return f"DS1-{self.school}-{self.pupil}-{self.version.upper()}-{self.page}"

    @classmethod
    def parse(cls, text: str) -> Token | None:
        match = TOKEN.fullmatch(text.strip())
        if not match:
            return None
        return cls(school=match[1], pupil=int(match[2]), version=match[3].lower(), page=int(match[4]))


def school_code(school_id: str) -> str:
    return hashlib.sha256(school_id.encode()).hexdigest()[:4].upper()


@dataclass(frozen=True)
class LaidOut:
    """A template laid out once (a sheet variant, or a checklist of so many rows): its PDF,
    where its marked elements are, and the version it shows."""

    key: Hashable
    layout: Layout
    pdf: bytes
    version: str


@dataclass(frozen=True)
class Copy:
    """One filled copy of a template: the text of its fields, and a QR token per page (none
    on a checklist)."""

    template: LaidOut
    values: Mapping[str, str]
    tokens: tuple[str, ...] = ()


@dataclass(frozen=True)
class Printed:
    """What one pupil was given: which sheet, on which version (for the consent register)."""

    number: int
    version: str
    layout: Layout
    lang: str


@dataclass
class RosterResult:
    files: list[Path]
    printed: list[Printed]
    templates: int
    version: str  # of the German notice: what the acknowledgement box confirms


_job: dict[str, Any] = {}  # the running roster, inherited by forked workers


def print_roster(
    builder: Builder,
    notice: Notice,
    pupils: list[Pupil],
    out: Path,
    *,
    numbers: Mapping[Pupil, int] | None = None,
    jobs: int | None = None,
) -> RosterResult:
    """Per class `<class>.pdf` (a filled sheet per pupil) and `<class>-checklist.pdf`, mode
    0600, in `out`. `numbers` are the pupils' numbers in the consent register (their QR
    tokens); without it, their places in the roster. `jobs` worker processes (default: one per
    core) lay out the templates, then fill the classes."""
    numbers = numbers or {p: n for n, p in enumerate(pupils, start=1)}
    consents = tuple(c.id for c in consent_view(notice).consents)
    classes = list(by_class(pupils).items())
    variants = sorted(
        {Variant.of(p, consents) for p in pupils},
        key=lambda v: (v.lang != "de", v.lang, v.signers, v.consents),
    )
    keys: list[Hashable] = [*variants, *sorted({("checklist", len(m)) for _, m in classes})]
    sheet_id = consent_view(notice).spec.id
    german = builder.web(notice, "de")[1]  # rendered once: every translation names its versions
    pubs = {lang: german[sheet_id] if lang == "de" else
            builder.web(notice, lang, versions=german.versions)[1][sheet_id]
            for lang in {"de", *(v.lang for v in variants)}}
    main = notice_spec(notice)
    taken: set[str] = set()
    stems = [file_stem(c, taken) for c, _ in classes]
    _job.update(
        builder=builder,
        notice=notice,
        pubs=pubs,
        keys=keys,
        classes=classes,
        stems=stems,
        numbers=numbers,
        out=out,
        consents=consents,
    )
    try:
        with claimed(out):
            # the first template in this process: WeasyPrint imported and the German
            # hyphenation dictionary loaded once, before the workers fork
            laid = [_lay_out(0), *_map(_lay_out, range(1, len(keys)), jobs)]
            _job["laid"] = {item.key: item for item in laid}
            files = [path for paths in _map(_write_class, range(len(classes)), jobs) for path in paths]
        sheet = {p: _job["laid"][Variant.of(p, consents)] for p in pupils}
        printed = [
            Printed(number=numbers[p], version=sheet[p].version, layout=sheet[p].layout, lang=p.language)
            for p in pupils
        ]
        return RosterResult(files=files, printed=printed, templates=len(keys),
                            version=german[main.id].version if main else "")
    finally:
        _job.clear()


def _map(func: Any, items: Iterable[int], jobs: int | None) -> Iterator[Any]:
    todo = list(items)
    jobs = min(jobs or os.cpu_count() or 1, len(todo))
    if jobs <= 1:
        yield from map(func, todo)
        return
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        yield from pool.imap(func, todo)


def _lay_out(index: int) -> LaidOut:
    """Template `index` (a sheet variant or a checklist), laid out once."""
    builder: Builder = _job["builder"]
    notice: Notice = _job["notice"]
    key = _job["keys"][index]
    pubs: dict[str, Publication] = _job["pubs"]
    german = builder.renderer("de")
    if isinstance(key, Variant):
        # the sheet is our own autoescaped template output, so it may go in as markup
        sheet = Markup(
            german.page(
                "roster_sheet.html",
                notice,
                "print",
                pupil=key,
                view=consent_view(notice),
                pub=pubs[key.lang],
                second=None if key.lang == "de" else key.lang,
            )
        )
        html = german.page("roster.html", notice, "print", pub=pubs["de"], sheet=sheet)
        version = pubs[key.lang].version
    else:
        html = german.page(
            "checklist.html",
            notice,
            "print",
            pub=pubs["de"],
            view=consent_view(notice),
            rows=key[1],
            school_class=Markup('<span class="fill-inline" data-field="school_class"></span>'),
        )
        version = pubs["de"].version
    document, warnings = builder.pdf_maker().lay_out(html)
    if warnings:
        raise BuildError(Msg("roster template {template}: {warning}", template=str(key),
                             warning=warnings[0]))
    layout = layout_of(document)
    if isinstance(key, Variant) and not any(f.name == "token" for f in layout.fields):
        raise BuildError(Msg('the roster sheet has no place for the QR code (data-field="token")'))
    pages: dict[str, set[int]] = {}
    for spot in layout.boxes:
        pages.setdefault(spot.name.rsplit(":", 1)[0], set()).add(spot.page)
    split = sorted(name for name, on in pages.items() if len(on) > 1)
    if split:  # a scan reads a consent's answer from both its boxes on one page
        raise BuildError(Msg("roster template {template}: the boxes of '{consent}' fall on two "
                             "pages; keep each consent's Yes and No together (break-inside: avoid)",
                             template=str(key), consent=split[0]))
    return LaidOut(key=key, layout=layout, pdf=bytes(document.write_pdf()), version=version)


def _write_class(index: int) -> list[Path]:
    """One class: the filled sheets and the checklist, written readable by the owner only."""
    builder: Builder = _job["builder"]
    notice: Notice = _job["notice"]
    school_class, members = _job["classes"][index]
    laid: dict[Hashable, LaidOut] = _job["laid"]
    code = school_code(notice.id)
    sheets = []
    for pupil in members:
        template = laid[Variant.of(pupil, _job["consents"])]
        tokens = tuple(
            str(Token(school=code, pupil=_job["numbers"][pupil], version=template.version, page=page))
            for page in range(1, template.layout.pages + 1)
        )
        sheets.append(Copy(template=template, values=_values(pupil), tokens=tokens))
    rows = {f"name-{n}": f"{p.last_name}, {p.first_name}" for n, p in enumerate(members, start=1)}
    checklist = Copy(
        template=laid[("checklist", len(members))], values={"school_class": school_class, **rows}
    )
    de = builder.renderer("de")
    author = notice.school.school.name
    stem: str = _job["stems"][index]
    files = {
        f"{stem}.pdf": fill(
            builder, sheets, title=de.gettext(CLASS_SHEETS) % {"name": school_class}, author=author
        ),
        f"{stem}-checklist.pdf": fill(
            builder, [checklist], author=author, title=de.gettext(CLASS_CHECKLIST) % {"name": school_class}
        ),
    }
    written = []
    for name, data in files.items():
        path = safe_path(_job["out"], name)
        write_atomic(path, data, mode=0o600)  # children's personal data
        written.append(path)
    return written


CLASS_SHEETS = N_("Einwilligungen der Klasse %(name)s")
CLASS_CHECKLIST = N_("Rücklaufliste der Klasse %(name)s")


def _values(pupil: Pupil) -> dict[str, str]:
    """The fields a template may mark with data-field, for one pupil."""
    return {
        "name_and_class": pupil.name_and_class,
        "first_name": pupil.first_name,
        "last_name": pupil.last_name,
        "school_class": pupil.school_class,
        "birth_date": pupil.birth_date.strftime("%d.%m.%Y"),
    }


def fill(builder: Builder, copies: Sequence[Copy], *, title: str, author: str) -> bytes:
    """One PDF of the filled copies: each copy's template pages, with the text of its fields
    and its QR codes drawn over them.

    All the text of the copies is laid out by WeasyPrint in one small document (one page,
    each value at a height of its own, in the style of the field it goes into), and pikepdf
    cuts that page's content into one Form XObject per value: a page of the result draws its
    template page, then the Form XObjects of its own values, each moved to its field and
    clipped to it. So no page holds another pupil's text, and the cost per pupil is a line of
    text, not a page layout."""
    import pikepdf

    texts = [
        (c, s, c.values[s.name]) for c in copies for s in c.template.layout.fields if c.values.get(s.name)
    ]
    fill_pdf = _text_page(builder, [(s, value) for _, s, value in texts])
    out = pikepdf.new()
    source = pikepdf.open(io.BytesIO(fill_pdf))
    forms = iter(_split_text(out, source, len(texts)))
    per_copy: dict[int, list[tuple[Spot, pikepdf.Object]]] = {}
    for copy, spot, _ in texts:
        per_copy.setdefault(id(copy), []).append((spot, next(forms)))
    templates: dict[Hashable, list[pikepdf.Object]] = {}
    opened = [source]
    for copy in copies:
        laid = copy.template
        if laid.key not in templates:
            pdf = pikepdf.open(io.BytesIO(laid.pdf))
            opened.append(pdf)
            templates[laid.key] = [out.copy_foreign(page.as_form_xobject()) for page in pdf.pages]
        for number, form in enumerate(templates[laid.key]):
            placed = [(s, f) for s, f in per_copy.get(id(copy), []) if s.page == number]
            token = copy.tokens[number] if copy.tokens else None
            out.pages.append(_page(out, laid.layout, form, placed, token))
    out.docinfo[pikepdf.Name.Title] = title
    out.docinfo[pikepdf.Name.Author] = author
    out.docinfo[pikepdf.Name.Creator] = "dsinfo"
    out.Root.Lang = pikepdf.String("de")
    buffer = io.BytesIO()
    out.save(buffer, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    for pdf in opened:
        pdf.close()
    return buffer.getvalue()


LINE = 40.0  # CSS px between two values on the text page: more than any field's line


def _text_page(builder: Builder, texts: list[tuple[Spot, str]]) -> bytes:
    """One page with every value at the height LINE x its index, in its field's style."""
    html = builder.renderer("de").page(
        "roster_fill.html", None, "print", texts=texts, line=LINE, height=max(1, len(texts)) * LINE
    )
    document, warnings = builder.pdf_maker().lay_out(html, extra=builder.project.static / "fill.css")
    if warnings:
        raise BuildError(Msg("roster fields: {warning}", warning=warnings[0]))
    return bytes(document.write_pdf())


def _split_text(out: Any, source: Any, count: int) -> list[Any]:
    """The text page's content cut into one Form XObject per value, by the height at which
    WeasyPrint set each text object (its text matrix, in the page's CSS pixels)."""
    import pikepdf

    page = source.pages[0]
    resources = out.copy_foreign(page.Resources)
    groups: list[list[Any]] = [[] for _ in range(count)]
    state: list[Any] = []  # graphics state set since the last 'q' (opacity, colour)
    block: list[Any] | None = None
    for instruction in pikepdf.parse_content_stream(page):
        op = str(instruction.operator)
        if block is not None:
            block.append(instruction)
            if op == "Tm":
                where = int(float(instruction.operands[5]) // LINE)
            if op == "ET":
                groups[min(max(where, 0), count - 1)].extend([*state, *block])
                block = None
        elif op == "BT":
            block, where = [instruction], 0
        elif op in ("gs", "rg", "g", "k"):
            state.append(instruction)
        elif op in ("q", "Q"):
            state = []
    forms = []
    for index, group in enumerate(groups):
        content = pikepdf.unparse_content_stream(
            [
                pikepdf.ContentStreamInstruction([], pikepdf.Operator("q")),
                *group,
                pikepdf.ContentStreamInstruction([], pikepdf.Operator("Q")),
            ]
        )
        form = out.make_stream(content)
        form.Type, form.Subtype = pikepdf.Name.XObject, pikepdf.Name.Form
        # the value's own line of the text page, in CSS pixels, y downwards
        form.BBox = [0, index * LINE, 100000, (index + 1) * LINE]
        form.Resources = resources
        forms.append(form)
    return forms


def _page(out: Any, layout: Layout, template: Any, placed: list[tuple[Spot, Any]], token: str | None) -> Any:
    """A page: the template page, the values moved into their fields, the QR code."""
    import pikepdf

    xobjects = pikepdf.Dictionary(Sheet=template)
    ops = ["q /Sheet Do Q"]
    for n, (spot, form) in enumerate(placed):
        xobjects[f"/V{n}"] = form
        top = layout.height - spot.y  # PDF y of the field's top
        index = float(form.BBox[1]) / LINE
        # clip to the field (a little below it too, for descenders), then map the value's
        # line (CSS px, y down, from index x LINE) onto the field (pt, y up)
        ops.append(
            f"q {spot.x:.2f} {top - spot.height - 4:.2f} {spot.width:.2f} {spot.height + 4:.2f} re W n "
            f"{PT_PER_PX} 0 0 {-PT_PER_PX} {spot.x:.2f} {top + index * LINE * PT_PER_PX:.2f} cm /V{n} Do Q"
        )
    if token:
        spot = next(f for f in layout.fields if f.name == "token")
        ops.append(_qr_ops(token, spot, layout.height))
    return pikepdf.Page(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Page,
            MediaBox=[0, 0, layout.width, layout.height],
            Resources=pikepdf.Dictionary(XObject=xobjects),
            Contents=out.make_stream("\n".join(ops).encode("ascii")),
        )
    )


def _qr_ops(token: str, spot: Spot, page_height: float) -> str:
    """The token's QR code as filled squares in the field (vector, sharp at any size)."""
    import segno

    # a fixed mask: choosing the best of eight takes six times as long, and a code this small
    # and this clean is read with any of them
    matrix = segno.make(token, error="m", micro=False, mask=0, boost_error=False).matrix
    size = len(matrix)
    module = min(spot.width, spot.height) / size
    left, top = spot.x, page_height - spot.y
    rects = [
        f"{left + c * module:.3f} {top - (r + 1) * module:.3f} {module:.3f} {module:.3f} re"
        for r, row in enumerate(matrix)
        for c, dark in enumerate(row)
        if dark
    ]
    return "q 0 g " + " ".join(rects) + " f Q"
