"""The feedback presentation as a PowerPoint file: the deck from ``slides``, drawn with
python-pptx (imported only here, and only when a deck is written).

Without a template the deck gets a sober built-in design on 16:9 slides: a dark title band on
the first slide, slide titles in dark blue over a short accent rule, the marking in the footer
of every slide and the slide number beside it. With a template (``--template DECK.pptx`` or
``.potx``) its slide master, layouts, colours and fonts are kept and its own slides dropped; the
text goes in the boxes of its "Title and Content" layout, and the footer and slide number in its
footer placeholders.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .content import TemplateError, template_as_document, write_privately
from .slides import (
    BULLET_INDENT,
    COLUMN_HEADING_PT,
    QUOTE_PT,
    QUOTE_SPACE_BEFORE_PT,
    SPACE_BEFORE_PT,
    Box,
    Column,
    Geometry,
    Slide,
    deck,
    footer_text,
)
from .text import printable_content

if TYPE_CHECKING:
    from pptx.dml.color import RGBColor
    from pptx.enum.text import PP_PARAGRAPH_ALIGNMENT
    from pptx.presentation import Presentation as PptxPresentation
    from pptx.shapes.base import BaseShape
    from pptx.slide import Slide as PptxSlide
    from pptx.slide import SlideLayout
    from pptx.text.text import TextFrame, _Paragraph

    from .content import LetterContent
    from .pptx_parts import Footers, NotesPages

_TEMPLATE_TYPE = b"presentationml.template.main+xml"
_DOCUMENT_TYPE = b"presentationml.presentation.main+xml"
FOOTER_PT = 12
SUBTITLE_PT = 20
COUNCIL_PT = 28
# The built-in design's colours (RGB).
NAVY = (0x1F, 0x2A, 0x44)
ACCENT = (0x00, 0x7A, 0x87)
INK = (0x26, 0x26, 0x26)
SOFT = (0x59, 0x59, 0x59)
WHITE = (0xFF, 0xFF, 0xFF)


@dataclass
class _Design:
    """The presentation being written and where its text goes."""

    presentation: PptxPresentation
    geometry: Geometry
    cover: SlideLayout  # the first slide's layout
    content: SlideLayout  # a title and one body
    two: SlideLayout | None  # a title and two bodies side by side, if the template has one
    built_in: bool
    # each layout's placeholders by kind (ftr, sldNum, ...), looked up once per layout
    kinds: dict[int, dict[str, Any]] = field(default_factory=dict)
    # what every slide repeats, made once and copied (pptx_parts): set when the deck is written
    notes: NotesPages | None = None
    footers: Footers | None = None

    def placeholder(self, layout: SlideLayout, kind: str) -> Any:
        if id(layout) not in self.kinds:
            self.kinds[id(layout)] = {_kind(shape): shape for shape in reversed(_placeholders(layout))}
        return self.kinds[id(layout)].get(kind)


def write_slides_pptx(content: LetterContent, path: Path, template: Path | None = None) -> None:
    """Write the deck at ``path``, readable only by its owner; ``TemplateError`` if the template
    cannot be used. The file is written beside ``path`` first and moved into place, so a failure
    never leaves a half-written deck. Control characters in the text are left out (PowerPoint
    cannot hold them)."""
    content = printable_content(content)
    from .pptx_parts import Footers, NotesPages, PartNames

    design = _open_template(template) if template else _built_in()
    presentation = design.presentation
    PartNames(presentation)
    design.notes, design.footers = NotesPages(), Footers()
    _set_properties(presentation, content)
    footer = footer_text(content)
    for number, slide in enumerate(deck(content, design.geometry), start=1):
        if slide.is_title_slide:
            _add_title_slide(design, slide, footer)
        else:
            _add_content_slide(design, slide, footer, number)
    write_privately(Path(path), lambda temp: presentation.save(str(temp)))


# --- The design: built in, or a template's -------------------------------------------------


def _built_in() -> _Design:
    """python-pptx's default presentation made 16:9, its layouts widened to match (so a slide
    someone adds later lines up too)."""
    from pptx import Presentation
    from pptx.util import Inches

    presentation = Presentation()
    geometry = Geometry()
    old_width = presentation.slide_width or Inches(10)
    presentation.slide_width, presentation.slide_height = Inches(geometry.width), Inches(geometry.height)
    scale = Inches(geometry.width) / old_width
    for holder in (presentation.slide_master, *presentation.slide_layouts):
        for shape in holder.placeholders:
            if shape._element.spPr.find(_qn("a:xfrm")) is not None:  # its own position, not inherited
                shape.left, shape.width = round(shape.left * scale), round(shape.width * scale)
    layouts = presentation.slide_layouts
    return _Design(
        presentation, geometry, cover=layouts[0], content=layouts[1], two=layouts[3], built_in=True
    )


def _open_template(path: Path) -> _Design:
    """The template's design with its own slides dropped; a .potx is read as the deck it makes."""
    from pptx import Presentation
    from pptx.exc import PackageNotFoundError

    try:
        data = template_as_document(path.read_bytes(), _TEMPLATE_TYPE, _DOCUMENT_TYPE)
        presentation = Presentation(io.BytesIO(data))
    except OSError as error:
        raise TemplateError(f"cannot read the template {path}: {error.strerror}") from None
    except (zipfile.BadZipFile, ValueError, KeyError, PackageNotFoundError, SyntaxError):
        # (lxml's XMLSyntaxError, for a damaged part, is a SyntaxError)
        raise TemplateError(f"{path} is not a PowerPoint presentation or template (.pptx or .potx)") from None
    slides = presentation.slides._sldIdLst
    for slide_id in list(slides):
        presentation.part.drop_rel(slide_id.rId)
        slides.remove(slide_id)
    layouts = list(presentation.slide_layouts)
    content = _layout(layouts, bodies=1)
    if content is None:
        raise TemplateError(f"{path} has no layout with a title and one content box (Title and Content)")
    cover = next((layout for layout in layouts if _kinds(layout) & {"ctrTitle"}), content)
    title, body = _box(_title_of(content)), _box(_bodies(content)[0])
    cover_title = _title_of(cover)
    cover_body = next(iter(_bodies(cover, ("subTitle", "body"))), None)
    emu = 914400
    geometry = Geometry(
        width=(presentation.slide_width or 10 * emu) / emu,  # unset: PowerPoint's 4:3 default
        height=(presentation.slide_height or 7.5 * emu) / emu,
        title=title,
        body=body,
        gutter=min(0.5, body.width / 20),
        cover_title=_box(cover_title) if cover_title is not None else title,
        cover_subtitle=(
            _box(cover_body)
            if cover_body is not None
            else Box(body.left, body.top, body.width, min(2.0, body.height))
        ),
    )
    return _Design(
        presentation, geometry, cover=cover, content=content, two=_layout(layouts, bodies=2), built_in=False
    )


def _kind(shape: Any) -> str:
    """A placeholder's type as the file names it: title, ctrTitle, subTitle, body, obj, ftr,
    sldNum, ..."""
    found = shape._element.xpath("./p:nvSpPr/p:nvPr/p:ph/@type")
    return str(found[0]) if found else "obj"  # the schema's default


def _placeholders(layout: SlideLayout) -> list[Any]:
    # (a list: python-pptx annotates LayoutPlaceholders.__iter__ in a way mypy refuses in a loop)
    return list(layout.placeholders)


def _kinds(layout: SlideLayout) -> set[str]:
    return {_kind(shape) for shape in _placeholders(layout)}


def _layout(layouts: list[SlideLayout], *, bodies: int) -> SlideLayout | None:
    """The first layout with a title and exactly ``bodies`` content boxes."""
    for layout in layouts:
        if _title_of(layout) is not None and len(_bodies(layout)) == bodies:
            return layout
    return None


def _title_of(layout: SlideLayout) -> Any:
    return next((s for s in _placeholders(layout) if _kind(s) in ("title", "ctrTitle")), None)


def _bodies(layout: SlideLayout, kinds: tuple[str, ...] = ("body", "obj")) -> list[Any]:
    return sorted(
        (s for s in _placeholders(layout) if _kind(s) in kinds),
        key=lambda shape: (shape.left or 0, shape.top or 0),
    )


def _box(shape: Any) -> Box:
    emu = 914400
    return Box(shape.left / emu, shape.top / emu, shape.width / emu, shape.height / emu)


# --- Slides ----------------------------------------------------------------------------------


def _set_properties(presentation: PptxPresentation, content: LetterContent) -> None:
    properties = presentation.core_properties
    author = content.lead.name if content.lead else "Peer review team"
    what = content.review_title[:1].lower() + content.review_title[1:]
    properties.title = f"{content.council}: {what} feedback"[:255]
    properties.subject = "Confidential: the speaker notes hold the findings in full"
    properties.author = properties.last_modified_by = author
    properties.comments = ""
    properties.keywords = ""
    now = dt.datetime.now().replace(microsecond=0)
    properties.created = properties.modified = now
    properties.revision = 1


def _add_title_slide(design: _Design, slide: Slide, footer: str) -> None:
    from pptx.enum.text import PP_ALIGN

    added = design.presentation.slides.add_slide(design.cover)
    built_in = design.built_in
    if built_in:
        band = design.geometry.cover_title
        bottom = band.top + band.height + 0.35
        _rectangle(added, Box(band.left + 0.1, bottom - 0.25, 1.6, 0.08), ACCENT)
        _rectangle(added, Box(0, 0, design.geometry.width, bottom), NAVY)  # behind the rule
    g = design.geometry
    title = added.shapes.title
    _place(title, g.cover_title)
    align = PP_ALIGN.LEFT if built_in else None
    _write(
        title.text_frame,
        [slide.title],
        size=slide.title_size,
        bold=True,
        align=align,
        anchor="b" if built_in else None,
        colour=WHITE if built_in else None,
    )
    under = next((s for s in added.placeholders if s.placeholder_format.idx == 1), None)
    box = g.cover_subtitle
    shape = under if under is not None else _textbox(added, box)
    _place(shape, box)
    frame = shape.text_frame
    _write(
        frame,
        list(slide.subtitle),
        size=SUBTITLE_PT,
        align=align,
        anchor="t",
        colour=INK if built_in else None,
    )
    from pptx.util import Pt

    for number, paragraph in enumerate(frame.paragraphs):
        _no_bullet(paragraph, indent=0)
        if number == 0:
            paragraph.runs[0].font.size, paragraph.runs[0].font.bold = Pt(COUNCIL_PT), True
            if built_in:
                _colour(paragraph.runs[0].font, NAVY)
        else:
            paragraph.space_before = Pt(4)
    _drop_empty_placeholders(added)
    _footer(design, added, design.cover, footer, None)


def _add_content_slide(design: _Design, slide: Slide, footer: str, number: int) -> None:
    from pptx.enum.text import PP_ALIGN

    g = design.geometry
    columns = len(slide.columns)
    layout = design.two if columns == 2 and design.two is not None else design.content
    added = design.presentation.slides.add_slide(layout)
    title = added.shapes.title
    _place(title, g.title)
    built_in = design.built_in
    _write(
        title.text_frame,
        [slide.title],
        size=slide.title_size,
        bold=True,
        align=PP_ALIGN.LEFT if built_in else None,
        anchor="b" if built_in else None,
        colour=NAVY if built_in else None,
    )
    if built_in:
        _rectangle(added, Box(g.title.left + 0.1, g.title.top + g.title.height + 0.08, 1.6, 0.07), ACCENT)

    bodies = [s for s in added.placeholders if _kind(s) in ("body", "obj")]
    bodies.sort(key=lambda shape: shape.placeholder_format.idx)
    # A column without a heading beside one with a heading starts a heading's height lower.
    headed = any(column.heading for column in slide.columns)
    for index, column in enumerate(slide.columns):
        box = g.column(index, columns)
        shape = bodies[index] if index < len(bodies) else _textbox(added, box)
        _place(shape, box)
        _write_bullets(
            shape.text_frame,
            column,
            spacer=headed and not column.heading,
            own_bullets=index >= len(bodies),
            built_in=built_in,
        )
    if slide.notes:
        assert design.notes is not None
        design.notes.add(added, slide.notes)
    _drop_empty_placeholders(added)
    _footer(design, added, layout, footer, number)


def _footer(design: _Design, added: PptxSlide, layout: SlideLayout, text: str, number: int | None) -> None:
    """The marking at the foot of the slide and, but on the first slide, its number: in the
    layout's footer and slide-number placeholders, or in boxes of their own where it has none."""
    from pptx.enum.text import PP_ALIGN

    g = design.geometry
    top = g.height - 0.55
    places = {
        "ftr": (text, Box(g.body.left, top, g.body.width - 1.4, 0.4), PP_ALIGN.LEFT),
        "sldNum": (number, Box(g.body.left + g.body.width - 1.2, top, 1.2, 0.4), PP_ALIGN.RIGHT),
    }
    footers = design.footers
    assert footers is not None
    for kind, (what, box, align) in places.items():
        if not what or footers.copy_to(added, layout, kind, number):
            continue
        source = design.placeholder(layout, kind)
        if source is not None:
            added.shapes.clone_placeholder(source)
            shape = added.placeholders[source.placeholder_format.idx]
        else:
            shape = _textbox(added, box)
            _place(shape, box)
        if design.built_in:
            _place(shape, box)
        frame = shape.text_frame
        _prepare(frame, anchor="ctr" if design.built_in else None)
        paragraph = frame.paragraphs[0]
        if design.built_in or source is None:
            paragraph.alignment = align
        if kind == "sldNum":
            _slide_number_field(paragraph, int(what), design.built_in)
        else:
            run = paragraph.add_run()
            run.text = str(what)
            _size(run.font, FOOTER_PT)
            if design.built_in:
                _colour(run.font, SOFT)
        footers.keep(layout, kind, shape.element)


def _slide_number_field(paragraph: _Paragraph, number: int, built_in: bool) -> None:
    """A slide-number field showing ``number`` until the reader's program renumbers it."""
    from pptx.oxml.ns import qn

    field = paragraph._p.makeelement(qn("a:fld"), {"id": f"{{{uuid.uuid4()}}}".upper(), "type": "slidenum"})
    properties = field.makeelement(qn("a:rPr"), {"lang": "en-GB", "sz": str(FOOTER_PT * 100)})
    if built_in:
        fill = properties.makeelement(qn("a:solidFill"), {})
        fill.append(fill.makeelement(qn("a:srgbClr"), {"val": "".join(f"{c:02X}" for c in SOFT)}))
        properties.append(fill)
    text = field.makeelement(qn("a:t"), {})
    text.text = str(number)
    field.extend([properties, text])
    end = paragraph._p.find(qn("a:endParaRPr"))
    if end is not None:
        end.addprevious(field)
    else:
        paragraph._p.append(field)


def _write_bullets(
    frame: TextFrame,
    column: Column,
    *,
    spacer: bool = False,
    own_bullets: bool = False,
    built_in: bool = True,
) -> None:
    from pptx.util import Pt

    _prepare(frame, anchor="t")
    paragraphs = []
    if column.heading or spacer:
        paragraphs.append(("heading", column.heading or "\u00a0"))
    for bullet in column.bullets:
        paragraphs.append(("bullet", bullet.text))
        if bullet.quote:
            paragraphs.append(("quote", bullet.quote))
    for number, (kind, text) in enumerate(paragraphs):
        # python-pptx leaves TextFrame.add_paragraph untyped
        paragraph = frame.paragraphs[0] if number == 0 else frame.add_paragraph()  # type: ignore[no-untyped-call]
        run = paragraph.add_run()
        run.text = text
        if kind == "heading":
            _no_bullet(paragraph, indent=0)
            run.font.size, run.font.bold = Pt(COLUMN_HEADING_PT), True
            if built_in:
                _colour(run.font, ACCENT)
        elif kind == "bullet":
            paragraph.level = 0
            if own_bullets:
                _bullet(paragraph)
            run.font.size = Pt(column.size)
            paragraph.space_before = Pt(SPACE_BEFORE_PT)
            if built_in:
                _colour(run.font, INK)
        else:
            # Under its finding, aligned with the bullet's text; a second-level paragraph
            # without a bullet, so it reads as part of the finding rather than a new point.
            paragraph.level = 1
            _no_bullet(paragraph, indent=BULLET_INDENT)
            run.font.size, run.font.italic = Pt(min(QUOTE_PT, column.size)), True
            paragraph.space_before = Pt(QUOTE_SPACE_BEFORE_PT)
            if built_in:
                _colour(run.font, SOFT)


def _write(
    frame: TextFrame,
    lines: list[str],
    *,
    size: int,
    align: PP_PARAGRAPH_ALIGNMENT | None,
    anchor: str | None,
    bold: bool = False,
    colour: tuple[int, int, int] | None = None,
) -> None:
    """Lines of text at ``size``; alignment, anchor and colour left to the template when None."""
    _prepare(frame, anchor=anchor)
    for number, line in enumerate(lines):
        # python-pptx leaves TextFrame.add_paragraph untyped
        paragraph = frame.paragraphs[0] if number == 0 else frame.add_paragraph()  # type: ignore[no-untyped-call]
        if align is not None:
            paragraph.alignment = align
        run = paragraph.add_run()
        run.text = line
        _size(run.font, size)
        run.font.bold = bold
        if colour is not None:
            _colour(run.font, colour)


def _prepare(frame: TextFrame, *, anchor: str | None) -> None:
    """An empty frame that wraps, never shrinks or grows (our own pagination keeps text in),
    anchored at the top ('t'), middle ('ctr') or bottom ('b'), or as the template has it."""
    from pptx.enum.text import MSO_AUTO_SIZE

    frame.clear()  # type: ignore[no-untyped-call]  # python-pptx leaves TextFrame.clear untyped
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    if anchor is not None:
        frame._bodyPr.set("anchor", anchor)


def _size(font: Any, points: int) -> None:
    from pptx.util import Pt

    font.size = Pt(points)


def _colour(font: Any, rgb: tuple[int, int, int]) -> None:
    """The run's colour, written straight into its properties (python-pptx's own setter is slow
    enough to show in a deck of fifty slides)."""
    properties = font._rPr
    for old in properties.findall(_qn("a:solidFill")):
        properties.remove(old)
    fill = properties.makeelement(_qn("a:solidFill"), {})
    fill.append(fill.makeelement(_qn("a:srgbClr"), {"val": "".join(f"{c:02X}" for c in rgb)}))
    later = [child for child in properties if child.tag != _qn("a:ln")]  # a fill comes after a:ln only
    if later:
        later[0].addprevious(fill)
    else:
        properties.append(fill)


def _rgb(rgb: tuple[int, int, int]) -> RGBColor:
    from pptx.dml.color import RGBColor

    # python-pptx leaves RGBColor's constructor untyped
    return RGBColor(*rgb)  # type: ignore[no-untyped-call]


def _rectangle(slide: PptxSlide, box: Box, rgb: tuple[int, int, int]) -> None:
    """A filled rectangle without outline, behind everything else on the slide."""
    from pptx.enum.shapes import MSO_SHAPE
    from pptx.util import Inches

    shape = slide.shapes.add_shape(
        MSO_SHAPE.RECTANGLE, *(Inches(v) for v in (box.left, box.top, box.width, box.height))
    )
    shape.fill.solid()
    shape.fill.fore_color.rgb = _rgb(rgb)
    shape.line.fill.background()
    shape.shadow.inherit = False
    tree = slide.shapes._spTree
    tree.remove(shape._element)
    tree.insert(2, shape._element)  # after the tree's own properties: at the back


def _textbox(slide: PptxSlide, box: Box) -> Any:
    from pptx.util import Inches

    return slide.shapes.add_textbox(*(Inches(v) for v in (box.left, box.top, box.width, box.height)))


def _bullet(paragraph: _Paragraph) -> None:
    """A bullet on a paragraph of a plain text box (a placeholder has its own)."""
    from pptx.util import Inches

    properties = paragraph._p.get_or_add_pPr()
    properties.set("marL", str(int(Inches(BULLET_INDENT))))
    properties.set("indent", str(-int(Inches(BULLET_INDENT))))
    _bullet_element(properties, "a:buChar", {"char": "•"})


def _no_bullet(paragraph: _Paragraph, *, indent: float) -> None:
    from pptx.util import Inches

    properties = paragraph._p.get_or_add_pPr()
    properties.set("marL", str(int(Inches(indent))))
    properties.set("indent", "0")
    _bullet_element(properties, "a:buNone", {})


def _bullet_element(properties: Any, tag: str, attributes: dict[str, str]) -> None:
    for old in properties.findall(_qn("a:buNone")) + properties.findall(_qn("a:buChar")):
        properties.remove(old)
    # The bullet comes after spacing elements and before run properties in the schema.
    element = properties.makeelement(_qn(tag), attributes)
    later = [
        child for child in properties if child.tag in (_qn("a:tabLst"), _qn("a:defRPr"), _qn("a:extLst"))
    ]
    if later:
        later[0].addprevious(element)
    else:
        properties.append(element)


def _qn(tag: str) -> str:
    from pptx.oxml.ns import qn

    return qn(tag)


def _place(shape: BaseShape, box: Box) -> None:
    from pptx.util import Inches

    shape.left, shape.top, shape.width, shape.height = (
        Inches(v) for v in (box.left, box.top, box.width, box.height)
    )


def _drop_empty_placeholders(slide: PptxSlide) -> None:
    for shape in list(slide.placeholders):
        if shape.has_text_frame and not shape.text_frame.text.strip():
            shape._element.getparent().remove(shape._element)
