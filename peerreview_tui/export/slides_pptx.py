"""The feedback presentation as a PowerPoint file: the deck from ``slides``, drawn with
python-pptx (imported only here, and only when a deck is written)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from .slides import (
    BODY_H,
    BODY_TOP,
    BULLET_INDENT,
    COLUMN_HEADING_PT,
    GUTTER,
    MARGIN,
    QUOTE_PT,
    QUOTE_SPACE_BEFORE_PT,
    SLIDE_H,
    SLIDE_W,
    SPACE_BEFORE_PT,
    TITLE_H,
    TITLE_SMALL_PT,
    TITLE_TOP,
    Column,
    Slide,
    column_width,
    deck,
    title_size,
)
from .text import printable_content

if TYPE_CHECKING:
    from pptx.enum.text import PP_PARAGRAPH_ALIGNMENT
    from pptx.presentation import Presentation as PptxPresentation
    from pptx.shapes.base import BaseShape
    from pptx.slide import Slide as PptxSlide
    from pptx.text.text import TextFrame, _Paragraph

    from .content import LetterContent


def write_slides_pptx(content: LetterContent, path: Path) -> None:
    """Write the deck as a 16:9 PowerPoint file at ``path``, readable only by its owner.

    The file is written beside ``path`` first and moved into place, so a failure never leaves a
    half-written deck. Control characters in the text are left out (PowerPoint cannot hold them)."""
    from pptx import Presentation
    from pptx.util import Inches

    from .content import write_privately

    content = printable_content(content)
    presentation = Presentation()
    presentation.slide_width, presentation.slide_height = Inches(SLIDE_W), Inches(SLIDE_H)
    _set_properties(presentation, content)
    for slide in deck(content):
        if slide.is_title_slide:
            _add_title_slide(presentation, slide)
        else:
            _add_bullet_slide(presentation, slide)

    write_privately(Path(path), lambda temp: presentation.save(str(temp)))


def _set_properties(presentation: PptxPresentation, content: LetterContent) -> None:
    properties = presentation.core_properties
    author = content.lead.name if content.lead else "Peer review team"
    properties.title = f"Peer review feedback: {content.council}"[:255]
    properties.subject = "Confidential: the speaker notes hold the findings in full"
    properties.author = properties.last_modified_by = author
    properties.comments = ""
    properties.keywords = ""
    now = dt.datetime.now().replace(microsecond=0)
    properties.created = properties.modified = now
    properties.revision = 1


def _add_title_slide(presentation: PptxPresentation, slide: Slide) -> None:
    from pptx.dml.color import RGBColor
    from pptx.enum.text import PP_ALIGN
    from pptx.util import Pt

    added = presentation.slides.add_slide(presentation.slide_layouts[0])  # Title Slide
    title, subtitle = added.placeholders[0], added.placeholders[1]
    _place(title, MARGIN, 1.6, SLIDE_W - 2 * MARGIN, 1.7)
    _place(subtitle, MARGIN + 0.8, 3.5, SLIDE_W - 2 * MARGIN - 1.6, 2.6)
    _write(title.text_frame, [slide.title], size=40, bold=True, align=PP_ALIGN.CENTER, anchor="b")
    _write(subtitle.text_frame, list(slide.subtitle), size=24, align=PP_ALIGN.CENTER, anchor="t")
    first = subtitle.text_frame.paragraphs[0]
    first.runs[0].font.size = Pt(28)
    for paragraph in subtitle.text_frame.paragraphs[1:]:
        paragraph.space_before = Pt(8)
    for paragraph in subtitle.text_frame.paragraphs:  # the template's pale grey is hard to read
        # python-pptx leaves RGBColor's constructor untyped
        paragraph.runs[0].font.color.rgb = RGBColor(0x40, 0x40, 0x40)  # type: ignore[no-untyped-call]


def _add_bullet_slide(presentation: PptxPresentation, slide: Slide) -> None:
    from pptx.enum.text import PP_ALIGN

    columns = len(slide.columns)
    layout = presentation.slide_layouts[1 if columns == 1 else 3]  # Title and Content / Two Content
    added = presentation.slides.add_slide(layout)
    title = added.shapes.title
    _place(title, MARGIN, TITLE_TOP, SLIDE_W - 2 * MARGIN, TITLE_H)
    size = title_size(slide.title) or TITLE_SMALL_PT
    _write(title.text_frame, [slide.title], size=size, bold=True, align=PP_ALIGN.LEFT, anchor="ctr")

    bodies = [shape for shape in added.placeholders if shape.placeholder_format.idx in (1, 2)]
    width = column_width(columns)
    # A column without a heading beside one with a heading starts a heading's height lower.
    headed = any(column.heading for column in slide.columns)
    for number, (body, column) in enumerate(zip(bodies, slide.columns, strict=True)):
        _place(body, MARGIN + number * (width + GUTTER), BODY_TOP, width, BODY_H)
        _write_bullets(body.text_frame, column, spacer=headed and not column.heading)
    if slide.notes:
        added.notes_slide.notes_text_frame.text = slide.notes
    _drop_empty_placeholders(added)


def _write_bullets(frame: TextFrame, column: Column, *, spacer: bool = False) -> None:
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
        elif kind == "bullet":
            paragraph.level = 0
            run.font.size = Pt(column.size)
            paragraph.space_before = Pt(SPACE_BEFORE_PT)
        else:
            # Under its finding, aligned with the bullet's text; a second-level paragraph
            # without a bullet, so it reads as part of the finding rather than a new point.
            paragraph.level = 1
            _no_bullet(paragraph, indent=BULLET_INDENT)
            run.font.size, run.font.italic = Pt(QUOTE_PT), True
            paragraph.space_before = Pt(QUOTE_SPACE_BEFORE_PT)


def _write(
    frame: TextFrame,
    lines: list[str],
    *,
    size: int,
    align: PP_PARAGRAPH_ALIGNMENT,
    anchor: str,
    bold: bool = False,
) -> None:
    from pptx.util import Pt

    _prepare(frame, anchor=anchor)
    for number, line in enumerate(lines):
        # python-pptx leaves TextFrame.add_paragraph untyped
        paragraph = frame.paragraphs[0] if number == 0 else frame.add_paragraph()  # type: ignore[no-untyped-call]
        paragraph.alignment = align
        run = paragraph.add_run()
        run.text = line
        run.font.size, run.font.bold = Pt(size), bold


def _prepare(frame: TextFrame, *, anchor: str) -> None:
    """An empty frame that wraps, never shrinks or grows (our own pagination keeps text in),
    anchored at the top ('t'), middle ('ctr') or bottom ('b')."""
    from pptx.enum.text import MSO_AUTO_SIZE

    frame.clear()  # type: ignore[no-untyped-call]  # python-pptx leaves TextFrame.clear untyped
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame._bodyPr.set("anchor", anchor)


def _no_bullet(paragraph: _Paragraph, *, indent: float) -> None:
    from pptx.oxml.ns import qn
    from pptx.util import Inches

    properties = paragraph._p.get_or_add_pPr()
    properties.set("marL", str(int(Inches(indent))))
    properties.set("indent", "0")
    for old in properties.findall(qn("a:buNone")):
        properties.remove(old)
    # a:buNone must come after spacing elements and before run properties in the schema.
    bu_none = properties.makeelement(qn("a:buNone"), {})
    later = [child for child in properties if child.tag in (qn("a:tabLst"), qn("a:defRPr"), qn("a:extLst"))]
    if later:
        later[0].addprevious(bu_none)
    else:
        properties.append(bu_none)


def _place(shape: BaseShape, left: float, top: float, width: float, height: float) -> None:
    from pptx.util import Inches

    shape.left, shape.top, shape.width, shape.height = (Inches(v) for v in (left, top, width, height))


def _drop_empty_placeholders(slide: PptxSlide) -> None:
    for shape in list(slide.placeholders):
        if shape.has_text_frame and not shape.text_frame.text.strip():
            shape._element.getparent().remove(shape._element)
