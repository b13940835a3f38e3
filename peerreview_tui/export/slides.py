"""The feedback presentation given on site on the last day, as PowerPoint or as Markdown.

Both come from one list of slides built from the letter's content, so the two formats show the
same deck. Slides are for reading at a glance: each finding is its title line only, at most six
bullets a slide (more go on "(continued)" slides), and the findings' bodies go in the speaker
notes for the presenter. Whether a slide's text fits is estimated from its length and the font
size, so a long list spills onto another slide rather than out of its box.

python-pptx is imported only when a deck is written, so the CLI can import this module cheaply
and the Markdown export never loads it.
"""

from __future__ import annotations

import datetime as dt
import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .letter_markdown import DRAFT_MARK, _md, review_dates, team_line

if TYPE_CHECKING:
    from pptx.slide import Slide as PptxSlide
    from pptx.text.text import TextFrame

    from .content import LetterContent, LetterFinding

DECK_TITLE = "Children's safeguarding peer review: feedback"
DRAFT_PREFIX = DRAFT_MARK + " "  # as in the letter
MAX_BULLETS = 6
TITLE_LIMIT = 110  # characters; a longer title is cut at a word, with an ellipsis
QUOTE_LIMIT = 110

# Geometry of a 16:9 slide, in inches. The default template is 4:3; its placeholders are moved
# onto this grid slide by slide.
SLIDE_W, SLIDE_H = 13.333, 7.5
MARGIN = 0.6
TITLE_TOP, TITLE_H = 0.3, 1.3
BODY_TOP = TITLE_TOP + TITLE_H + 0.15
BODY_H = SLIDE_H - BODY_TOP - 0.45
GUTTER = 0.5
INSET = 0.1  # the text frame's default left/right inset
BULLET_INDENT = 342900 / 914400  # the template's first-level bullet indent, in inches

# Type sizes, in points.
TITLE_PT = 36
TITLE_SMALL_PT = 32
BULLET_PT = 24
SMALL_BULLET_PT = 20  # for a list that would not fit otherwise (the team on the last slide)
QUOTE_PT = 20
COLUMN_HEADING_PT = 24
SPACE_BEFORE_PT = 10
QUOTE_SPACE_BEFORE_PT = 2
# Average glyph width as a share of the type size. Calibri's is about 0.48; 0.55 also covers the
# wider fallback fonts LibreOffice uses when Calibri (or Carlito) is not installed.
GLYPH_EM = 0.55
LINE_SPACING = 1.2


# --- The deck, independent of the file format ---------------------------------------------


@dataclass(frozen=True)
class Bullet:
    text: str
    quote: str | None = None


@dataclass(frozen=True)
class Column:
    bullets: tuple[Bullet, ...]
    heading: str | None = None
    size: int = BULLET_PT


@dataclass(frozen=True)
class Slide:
    title: str
    columns: tuple[Column, ...] = ()
    subtitle: tuple[str, ...] = ()  # the title slide's lines under its title
    notes: str = ""

    @property
    def is_title_slide(self) -> bool:
        return not self.columns


def deck(content: LetterContent) -> list[Slide]:
    """The slides, in order, for both the PowerPoint and the Markdown export."""
    slides = [_title_slide(content), *_scope_and_method(content)]
    slides += _finding_slides("Key messages", _presented(content, content.key_messages))
    for area in content.areas:
        slides += _finding_slides(f"{area.title}: strengths", _presented(content, area.strengths))
        slides += _finding_slides(
            f"{area.title}: areas for development", _presented(content, area.developments)
        )
    slides += _finding_slides("Recommendations", _presented(content, content.recommendations))
    slides += [_next_steps(), _thank_you(content)]
    return slides


def _title_slide(content: LetterContent) -> Slide:
    lines = [DECK_TITLE, review_dates(content.start, content.end)]
    if content.lead is not None:
        lead = content.lead
        lines.append(f"Review lead: {lead.name}" + (f", {lead.organisation}" if lead.organisation else ""))
    if content.include_drafts and content.has_drafts:
        lines.append("Draft: includes findings not yet agreed")
    return Slide(title=shorten(content.council), subtitle=tuple(lines))


def _scope_and_method(content: LetterContent) -> list[Slide]:
    """One slide with the focus areas beside the method; a review with more focus areas than
    fit in a column gets "Scope" slides and a "Method" slide instead."""
    areas = [Bullet(shorten(title)) for _, title in content.focus_areas]
    method = Column(tuple(map(Bullet, _method_lines(content))), "Method")
    notes = _method_notes(content)
    if _fits(areas, _column_width(2), heading=True):
        return [Slide("Scope and method", (Column(tuple(areas), "Focus areas"), method), notes=notes)]
    pages = paginate(areas, _column_width(1), heading=True)
    scope = [
        Slide(title="Scope" + (" (continued)" if number else ""), columns=(Column(tuple(page), "Focus areas"),))
        for number, page in enumerate(pages)
    ]
    return [*scope, Slide("Method", (method,), notes=notes)]


def _method_lines(content: LetterContent) -> list[str]:
    counts = content.method
    lines = [f"{_count(counts.sessions_held, 'session')} with {_count(counts.people_met, 'person', 'people')}"]
    for number, one, many in (
        (counts.interviews, "interview", None),
        (counts.focus_groups, "focus group", None),
        (counts.case_file_audits, "case file audit session", None),
        (counts.documents, "document read", "documents read"),
        (counts.questionnaire_responses, "questionnaire response", None),
    ):
        if number:
            lines.append(_count(number, one, many))
    return lines


def _method_notes(content: LetterContent) -> str:
    """The counts the slide leaves out, for the presenter to mention."""
    counts = content.method
    kinds = [
        _count(counts.interviews, "interview"),
        _count(counts.focus_groups, "focus group"),
        _count(counts.case_file_audits, "case file audit session"),
        _count(counts.site_visits, "site visit"),
        _count(counts.observations, "observation of practice", "observations of practice"),
    ]
    lines = [
        f"Sessions held: {counts.sessions_held} ({', '.join(kinds)}), meeting {_count(counts.people_met, 'person', 'people')}.",
        f"Documents read: {counts.documents}. Performance indicators: {counts.performance_indicators}.",
    ]
    if counts.questionnaire_responses:
        lines.append(
            f"Questionnaire: {_count(counts.questionnaire_responses, 'response')} "
            "(the most answering any one question)."
        )
    return "\n".join(lines)


def _next_steps() -> Slide:
    bullets = (
        Bullet("A formal letter setting out strengths and areas for development within about ten days"),
        Bullet("The letter comes from the findings presented today"),
        Bullet("The council may include the letter in a report to its members"),
        Bullet("We offer a follow-up conversation on the council's priorities for action"),
    )
    return Slide(title="Next steps", columns=(Column(bullets),))


def _thank_you(content: LetterContent) -> Slide:
    """The team by name, role and organisation: in one column, or two, at the larger size that
    fits (a team of six with long job titles needs two columns at the smaller size)."""
    members = tuple(Bullet(team_line(member)) for member in content.team)
    half = math.ceil(len(members) / 2)
    layouts = [
        columns
        for size in (BULLET_PT, SMALL_BULLET_PT)
        for columns in (
            (Column(members, "The review team", size),),
            (Column(members[:half], "The review team", size), Column(members[half:], size=size)),
        )
    ]
    fitting = (
        columns for columns in layouts
        if all(_fits(column.bullets, _column_width(len(columns)), True, column.size) for column in columns)
    )
    return Slide(title="Thank you", columns=next(fitting, layouts[-1]))


def _presented(content: LetterContent, findings: Sequence[LetterFinding]) -> list[LetterFinding]:
    """The findings to show: drafts only when the export asked for them."""
    return [finding for finding in findings if content.include_drafts or not finding.draft]


def _finding_slides(title: str, findings: Sequence[LetterFinding]) -> list[Slide]:
    """One slide of title-line bullets, or several when they would not fit; none when empty."""
    if not findings:
        return []
    bullets = [Bullet(_bullet_text(finding), _first_quote(finding)) for finding in findings]
    pages = paginate(bullets, width=_column_width(1))
    slides = []
    start = 0
    for number, page in enumerate(pages):
        shown = findings[start:start + len(page)]
        start += len(page)
        suffix = " (continued)" if number else ""
        slides.append(
            Slide(
                title=_slide_title(title, suffix),
                columns=(Column(tuple(page)),),
                notes=_notes(shown),
            )
        )
    return slides


def _bullet_text(finding: LetterFinding) -> str:
    prefix = DRAFT_PREFIX if finding.draft else ""
    return shorten(prefix + _title_line(finding.title))


def _first_quote(finding: LetterFinding) -> str | None:
    """The first chosen quote, short, in quotation marks; never with who said it (the content
    carries the words only)."""
    for quote in finding.quotes:
        words = " ".join(quote.split()).strip("\"'“”‘’ ")
        if words:
            return f"“{shorten(words, QUOTE_LIMIT)}”"
    return None


def _notes(findings: Sequence[LetterFinding]) -> str:
    """What the presenter reads: each finding's title, body and chosen quotes."""
    blocks = []
    for finding in findings:
        lines = [(DRAFT_PREFIX if finding.draft else "") + finding.title.strip()]
        if finding.body.strip():
            lines.append(finding.body.strip())
        lines += [f"“{' '.join(quote.split())}”" for quote in finding.quotes if quote.strip()]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


# --- Fitting text --------------------------------------------------------------------------


def shorten(text: str, limit: int = TITLE_LIMIT) -> str:
    """``text`` on one line, cut at a word with an ellipsis when longer than ``limit``."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.-–—") + "…"


def _title_line(title: str) -> str:
    return title.strip().splitlines()[0] if title.strip() else ""


def _slide_title(title: str, suffix: str) -> str:
    """``title`` shortened to two lines at the smaller title size; the suffix ("(continued)",
    which tells the audience where they are) is kept whole."""
    limit = TITLE_LIMIT - len(suffix)
    while True:
        fitted = shorten(title, limit) + suffix
        if _title_size(fitted) or limit <= 20:
            return fitted
        limit -= 5


def _title_size(title: str) -> int | None:
    """The largest title size at which ``title`` takes at most two lines, if any."""
    for size in (TITLE_PT, TITLE_SMALL_PT):
        if _lines(title, SLIDE_W - 2 * MARGIN - 2 * INSET, size) <= 2:
            return size
    return None


def _lines(text: str, width_in: float, size_pt: float) -> int:
    """How many lines ``text`` takes in a box ``width_in`` wide, wrapped at words."""
    per_line = max(1, int(width_in * 72 / (size_pt * GLYPH_EM)))
    return max(1, len(textwrap.wrap(text, per_line, break_long_words=True)))


def _line_height(size_pt: float) -> float:
    return size_pt * LINE_SPACING / 72


def _bullet_height(bullet: Bullet, width: float, size: int = BULLET_PT) -> float:
    text_width = width - 2 * INSET - BULLET_INDENT
    height = SPACE_BEFORE_PT / 72 + _lines(bullet.text, text_width, size) * _line_height(size)
    if bullet.quote:
        height += QUOTE_SPACE_BEFORE_PT / 72 + _lines(bullet.quote, text_width, QUOTE_PT) * _line_height(QUOTE_PT)
    return height


def _fits(bullets: Sequence[Bullet], width: float, heading: bool = False, size: int = BULLET_PT) -> bool:
    """Whether ``bullets`` fit in a body box ``width`` wide (under a column heading, or not)."""
    room = BODY_H - 0.1 - (_line_height(COLUMN_HEADING_PT) + SPACE_BEFORE_PT / 72 if heading else 0)
    return len(bullets) <= MAX_BULLETS and sum(_bullet_height(b, width, size) for b in bullets) <= room


def paginate(bullets: Sequence[Bullet], width: float, heading: bool = False) -> list[list[Bullet]]:
    """Bullets split into slides of at most six that fit, as evenly as the fit allows
    (eight findings make two slides of four, not six and two)."""
    greedy: list[list[Bullet]] = []
    for bullet in bullets:
        if greedy and _fits([*greedy[-1], bullet], width, heading):
            greedy[-1].append(bullet)
        else:
            greedy.append([bullet])
    size = math.ceil(len(bullets) / len(greedy)) if greedy else 0
    even = [list(bullets[i:i + size]) for i in range(0, len(bullets), size)] if size else []
    if len(even) == len(greedy) and all(_fits(page, width, heading) for page in even):
        return even
    return greedy


def _column_width(columns: int) -> float:
    return (SLIDE_W - 2 * MARGIN - GUTTER * (columns - 1)) / columns


# --- Small formatting helpers --------------------------------------------------------------


def _count(number: int, one: str, many: str | None = None) -> str:
    return f"{number} {one if number == 1 else (many or one + 's')}"


# --- Markdown ------------------------------------------------------------------------------


def slides_markdown(content: LetterContent) -> str:
    """The deck as Markdown: a ``# `` heading per slide, bullets, ``---`` between slides; the
    speaker notes as HTML comments, which Markdown viewers hide and slide tools (Marp) read."""
    return "\n---\n\n".join(_slide_markdown(slide) for slide in deck(content))


def _slide_markdown(slide: Slide) -> str:
    lines = [f"# {_md(slide.title)}", ""]
    if slide.is_title_slide:
        lines += [*(f"{_md(line)}  " for line in slide.subtitle[:-1]), _md(slide.subtitle[-1]), ""]
    for column in slide.columns:
        if column.heading:
            lines += [f"## {_md(column.heading)}", ""]
        for bullet in column.bullets:
            lines.append(f"- {_md(bullet.text)}")
            if bullet.quote:
                lines.append(f"  *{_md(bullet.quote)}*")
        lines.append("")
    if slide.notes:
        notes = slide.notes.replace("--", "‑‑")  # a "-->" would end the comment early
        lines += ["<!--", "Speaker notes:", "", notes, "-->", ""]
    return "\n".join(lines)


# --- PowerPoint ----------------------------------------------------------------------------


def write_slides_pptx(content: LetterContent, path: Path) -> None:
    """Write the deck as a 16:9 PowerPoint file at ``path``, readable only by its owner.

    The file is written beside ``path`` first and moved into place, so a failure never leaves a
    half-written deck."""
    from pptx import Presentation
    from pptx.util import Inches

    from .content import write_privately

    presentation = Presentation()
    presentation.slide_width, presentation.slide_height = Inches(SLIDE_W), Inches(SLIDE_H)
    _set_properties(presentation, content)
    for slide in deck(content):
        if slide.is_title_slide:
            _add_title_slide(presentation, slide)
        else:
            _add_bullet_slide(presentation, slide)

    write_privately(Path(path), presentation.save)


def _set_properties(presentation, content: LetterContent) -> None:
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


def _add_title_slide(presentation, slide: Slide) -> None:
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
        paragraph.runs[0].font.color.rgb = RGBColor(0x40, 0x40, 0x40)


def _add_bullet_slide(presentation, slide: Slide) -> None:
    from pptx.enum.text import PP_ALIGN

    columns = len(slide.columns)
    layout = presentation.slide_layouts[1 if columns == 1 else 3]  # Title and Content / Two Content
    added = presentation.slides.add_slide(layout)
    title = added.shapes.title
    _place(title, MARGIN, TITLE_TOP, SLIDE_W - 2 * MARGIN, TITLE_H)
    size = _title_size(slide.title) or TITLE_SMALL_PT
    _write(title.text_frame, [slide.title], size=size, bold=True, align=PP_ALIGN.LEFT, anchor="ctr")

    bodies = [shape for shape in added.placeholders if shape.placeholder_format.idx in (1, 2)]
    width = _column_width(columns)
    # A column without a heading beside one with a heading starts a heading's height lower.
    headed = any(column.heading for column in slide.columns)
    for number, (body, column) in enumerate(zip(bodies, slide.columns)):
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
        paragraph = frame.paragraphs[0] if number == 0 else frame.add_paragraph()
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


def _write(frame: TextFrame, lines: list[str], *, size: int, align, anchor: str, bold: bool = False) -> None:
    from pptx.util import Pt

    _prepare(frame, anchor=anchor)
    for number, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if number == 0 else frame.add_paragraph()
        paragraph.alignment = align
        run = paragraph.add_run()
        run.text = line
        run.font.size, run.font.bold = Pt(size), bold


def _prepare(frame: TextFrame, *, anchor: str) -> None:
    """An empty frame that wraps, never shrinks or grows (our own pagination keeps text in),
    anchored at the top ('t'), middle ('ctr') or bottom ('b')."""
    from pptx.enum.text import MSO_AUTO_SIZE

    frame.clear()
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame._bodyPr.set("anchor", anchor)


def _no_bullet(paragraph, *, indent: float) -> None:
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


def _place(shape, left: float, top: float, width: float, height: float) -> None:
    from pptx.util import Inches

    shape.left, shape.top, shape.width, shape.height = (Inches(v) for v in (left, top, width, height))


def _drop_empty_placeholders(slide: PptxSlide) -> None:
    for shape in list(slide.placeholders):
        if shape.has_text_frame and not shape.text_frame.text.strip():
            shape._element.getparent().remove(shape._element)
