"""The feedback presentation given on site on the last day, as PowerPoint or as Markdown.

Both come from one list of slides built from the letter's content, so the two formats show the
same deck. Slides are for reading at a glance: each finding is its title line only, at most six
bullets a slide (more go on "(continued)" slides), and the findings' bodies go in the speaker
notes for the presenter. Whether a slide's text fits is estimated from its length and the font
size, so a long list spills onto another slide rather than out of its box.

The PowerPoint file is written by ``slides_pptx``, the only module that imports python-pptx.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .letter_markdown import DRAFT_MARK, _md, review_dates, team_line
from .text import printable_content

if TYPE_CHECKING:
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
    if _fits(areas, column_width(2), heading=True):
        return [Slide("Scope and method", (Column(tuple(areas), "Focus areas"), method), notes=notes)]
    pages = paginate(areas, column_width(1), heading=True)
    scope = [
        Slide(
            title="Scope" + (" (continued)" if number else ""), columns=(Column(tuple(page), "Focus areas"),)
        )
        for number, page in enumerate(pages)
    ]
    return [*scope, Slide("Method", (method,), notes=notes)]


def _method_lines(content: LetterContent) -> list[str]:
    counts = content.method
    lines = [
        f"{_count(counts.sessions_held, 'session')} with {_count(counts.people_met, 'person', 'people')}"
    ]
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
        columns
        for columns in layouts
        if all(_fits(column.bullets, column_width(len(columns)), True, column.size) for column in columns)
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
    pages = paginate(bullets, width=column_width(1))
    slides = []
    start = 0
    for number, page in enumerate(pages):
        shown = findings[start : start + len(page)]
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
        if title_size(fitted) or limit <= 20:
            return fitted
        limit -= 5


def title_size(title: str) -> int | None:
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
        height += QUOTE_SPACE_BEFORE_PT / 72 + _lines(bullet.quote, text_width, QUOTE_PT) * _line_height(
            QUOTE_PT
        )
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
    even = [list(bullets[i : i + size]) for i in range(0, len(bullets), size)] if size else []
    if len(even) == len(greedy) and all(_fits(page, width, heading) for page in even):
        return even
    return greedy


def column_width(columns: int) -> float:
    return (SLIDE_W - 2 * MARGIN - GUTTER * (columns - 1)) / columns


# --- Small formatting helpers --------------------------------------------------------------


def _count(number: int, one: str, many: str | None = None) -> str:
    return f"{number} {one if number == 1 else (many or one + 's')}"


# --- Markdown ------------------------------------------------------------------------------


def slides_markdown(content: LetterContent) -> str:
    """The deck as Markdown: a ``# `` heading per slide, bullets, ``---`` between slides; the
    speaker notes as HTML comments, which Markdown viewers hide and slide tools (Marp) read.
    Control characters are left out."""
    return "\n---\n\n".join(_slide_markdown(slide) for slide in deck(printable_content(content)))


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
        notes = slide.notes.replace(
            "--", "\N{NON-BREAKING HYPHEN}" * 2
        )  # a "-->" would end the comment early
        lines += ["<!--", "Speaker notes:", "", notes, "-->", ""]
    return "\n".join(lines)
