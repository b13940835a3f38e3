"""The feedback presentation given on site on the last day, as PowerPoint or as Markdown.

Both come from one list of slides built from the letter's content, so the two formats show the
same deck. Slides are for reading at a glance: each finding is its title line only, at most six
bullets to a list (more go on "(continued)" slides), and the findings' bodies go in the speaker
notes for the presenter. A focus area's strengths and areas for development share one slide,
side by side, where both lists fit.

Whether text fits is estimated from its length, the type size and the boxes of the design (the
built-in one, or a template's), so a long list spills onto another slide rather than out of its
box and a long title gets a smaller size rather than a third line.

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
    from .content import LetterContent, LetterFinding, MethodCounts

DRAFT_PREFIX = DRAFT_MARK + " "  # as in the letter
MAX_BULLETS = 6
TITLE_LIMIT = 110  # characters; a longer title is cut at a word, with an ellipsis
QUOTE_LIMIT = 110

# Type sizes, in points.
TITLE_SLIDE_PT = (54, 48, 44, 40, 36)  # the review's title on the first slide: as large as fits
TITLE_PT = (36, 32, 28, 24)  # a slide's title: the largest size that fits
BULLET_PT = 24
SMALL_BULLET_PT = 20  # for lists that would not fit otherwise (two columns, the team)
QUOTE_PT = 20
COLUMN_HEADING_PT = 24
SPACE_BEFORE_PT = 10
QUOTE_SPACE_BEFORE_PT = 2
# Average glyph width as a share of the type size. Calibri's is about 0.48; these also cover the
# wider fallback fonts LibreOffice uses when Calibri (or Carlito) is not installed (DejaVu Sans
# is about 0.51, 0.58 in bold).
GLYPH_EM = 0.55
BOLD_GLYPH_EM = 0.6
LINE_SPACING = 1.2
INSET = 0.1  # a text frame's default left and right inset, in inches
BULLET_INDENT = 342900 / 914400  # a first-level bullet's indent, in inches

# The presentation's own words; a schedule's review.presentation.next_steps replaces NEXT_STEPS.
NEXT_STEPS = (
    "The team will confirm this feedback in a letter to the council",
    "The letter sets out the strengths and areas for development presented today",
    "The team is glad to discuss the findings and how to follow them up",
)


@dataclass(frozen=True)
class Box:
    """A rectangle on the slide, in inches."""

    left: float
    top: float
    width: float
    height: float


@dataclass(frozen=True)
class Geometry:
    """Where text goes on a slide, in inches: the built-in design's boxes, or a template's
    (its "Title and Content" layout's title and body)."""

    width: float = 13.333
    height: float = 7.5
    title: Box = Box(0.6, 0.3, 12.133, 1.3)
    body: Box = Box(0.6, 1.85, 12.133, 4.95)
    gutter: float = 0.5
    cover_title: Box = Box(0.8, 1.0, 11.733, 2.8)  # the first slide's
    cover_subtitle: Box = Box(0.8, 4.5, 11.733, 2.2)

    def column_width(self, columns: int) -> float:
        return (self.body.width - self.gutter * (columns - 1)) / columns

    def column(self, number: int, columns: int) -> Box:
        width = self.column_width(columns)
        body = self.body
        return Box(body.left + number * (width + self.gutter), body.top, width, body.height)


BUILT_IN = Geometry()


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
    title_size: int = TITLE_PT[0]

    @property
    def is_title_slide(self) -> bool:
        return not self.columns


def deck(content: LetterContent, geometry: Geometry = BUILT_IN) -> list[Slide]:
    """The slides, in order, for both the PowerPoint and the Markdown export."""
    g = geometry
    slides = [_title_slide(content, g), *_scope_and_method(content, g)]
    slides += _list_slides("Key messages", None, _presented(content, content.key_messages), g)
    for area in content.areas:
        slides += _area_slides(
            area.title,
            _presented(content, area.strengths),
            _presented(content, area.developments),
            g,
        )
    slides += _list_slides("Recommendations", None, _presented(content, content.recommendations), g)
    steps = [Bullet(shorten(step)) for step in content.deck_next_steps or NEXT_STEPS]
    slides += _pages("Next steps", None, steps, g)
    slides.append(_thank_you(content, g))
    return slides


def footer_text(content: LetterContent) -> str:
    """What the foot of every slide says: the marking, and DRAFT on a draft."""
    draft = "DRAFT" if content.include_drafts and content.has_drafts else ""
    return " · ".join(part for part in (draft, content.marking) if part)


def _title_slide(content: LetterContent, g: Geometry) -> Slide:
    lines = [content.council, review_dates(content.start, content.end)]
    if content.lead is not None:
        lead = content.lead
        lines.append(f"Review lead: {lead.name}" + (f", {lead.organisation}" if lead.organisation else ""))
    if content.include_drafts and content.has_drafts:
        lines.append("Draft: includes findings not yet agreed")
    title, size = fit_title(
        content.review_title, "", g.cover_title, sizes=TITLE_SLIDE_PT, lines=3, one_line_first=False
    )
    return Slide(title=title, subtitle=tuple(lines), title_size=size)


def _scope_and_method(content: LetterContent, g: Geometry) -> list[Slide]:
    """One slide with the focus areas beside the method; a review with more focus areas than
    fit in a column gets "Scope" slides and a "Method" slide instead."""
    areas = tuple(Bullet(shorten(title)) for _, title in content.focus_areas)
    method = tuple(map(Bullet, method_lines(content.method)))
    notes = _method_notes(content.method)
    for size in (BULLET_PT, SMALL_BULLET_PT):
        columns = (Column(areas, "Focus areas", size), Column(method, "Method", size))
        if all(_fits(column, g.column_width(2), g) for column in columns):
            return [_slide("Scope and method", columns, g, notes=notes)]
    scope = _pages("Scope", "Focus areas", list(areas), g)
    return [*scope, *_pages("Method", None, list(method), g, notes=notes)]


def method_lines(counts: MethodCounts) -> list[str]:
    """The method at a glance, every kind of session counted, in at most six lines."""
    sessions = [
        _count(counts.interviews, "interview"),
        _count(counts.focus_groups, "focus group"),
        _count(counts.meetings, "meeting"),
        _count(counts.other_sessions, "other session"),
    ]
    visits = [
        _count(counts.site_visits, "site visit"),
        _count(counts.observations, "observation of practice", "observations of practice"),
    ]
    read = [
        _count(counts.documents, "document"),
        _count(counts.performance_indicators, "performance indicator"),
    ]
    if counts.case_files:
        files = _count(counts.case_files, "case file")
        audits = f"{'At least ' + files if counts.uncounted_audits else files} audited"
    elif counts.case_file_audits:
        audits = f"Case files audited in {_count(counts.case_file_audits, 'session')}"
    else:
        audits = ""
    lines = [
        f"{_count(counts.sessions_held, 'session')} with {_count(counts.people_met, 'person', 'people')}",
        _and([part for part in sessions if part]),
        audits,
        _and([part for part in visits if part]),
        _and([part for part in read if part]) + (" read" if any(read) else ""),
        _count(counts.questionnaire_responses, "questionnaire response"),
    ]
    return [line[:1].upper() + line[1:] for line in lines if line]


def _method_notes(counts: MethodCounts) -> str:
    """Every count, for the presenter."""
    kinds = [
        _count(counts.interviews, "interview"),
        _count(counts.focus_groups, "focus group"),
        _count(counts.meetings, "meeting"),
        _count(counts.case_file_audits, "case file audit session"),
        _count(counts.site_visits, "site visit"),
        _count(counts.observations, "observation of practice", "observations of practice"),
        _count(counts.other_sessions, "other session"),
    ]
    lines = [
        f"Sessions held: {counts.sessions_held} ({', '.join(kind for kind in kinds if kind)}), meeting "
        f"{_count(counts.people_met, 'person', 'people')}.",
        f"Documents read: {counts.documents}. Performance indicators: {counts.performance_indicators}.",
    ]
    if counts.case_files:
        lines.append(f"Case files audited: {counts.case_files}.")
    if counts.questionnaire_responses:
        lines.append(
            f"Questionnaire: {_count(counts.questionnaire_responses, 'response')} "
            "(the most answering any one question)."
        )
    return "\n".join(lines)


def _area_slides(
    title: str, strengths: list[LetterFinding], developments: list[LetterFinding], g: Geometry
) -> list[Slide]:
    """A focus area's strengths beside its areas for development on one slide where both fit;
    otherwise each list on slides of its own."""
    if strengths and developments:
        for size in (BULLET_PT, SMALL_BULLET_PT):
            columns = (
                Column(_bullets(strengths), "Strengths", size),
                Column(_bullets(developments), "Areas for development", size),
            )
            if all(_fits(column, g.column_width(2), g) for column in columns):
                notes = (
                    _notes(strengths, "Strengths") + "\n\n" + _notes(developments, "Areas for development")
                )
                return [_slide(title, columns, g, notes=notes)]
    return _list_slides(title, "Strengths", strengths, g) + _list_slides(
        title, "Areas for development", developments, g
    )


def _thank_you(content: LetterContent, g: Geometry) -> Slide:
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
        if all(_fits(column, g.column_width(len(columns)), g, headed=True) for column in columns)
    )
    return _slide("Thank you", next(fitting, layouts[-1]), g)


def _presented(content: LetterContent, findings: Sequence[LetterFinding]) -> list[LetterFinding]:
    """The findings to show: drafts only when the export asked for them."""
    return [finding for finding in findings if content.include_drafts or not finding.draft]


def _list_slides(
    title: str, heading: str | None, findings: Sequence[LetterFinding], g: Geometry
) -> list[Slide]:
    """One slide of title-line bullets, or several when they would not fit; none when empty."""
    if not findings:
        return []
    pages = paginate(_bullets(findings), g.column_width(1), g, heading=heading is not None)
    slides = []
    start = 0
    for number, page in enumerate(pages):
        shown = findings[start : start + len(page)]
        start += len(page)
        slides.append(
            _slide(title, (Column(tuple(page), heading),), g, continued=number > 0, notes=_notes(shown))
        )
    return slides


def _pages(
    title: str, heading: str | None, bullets: list[Bullet], g: Geometry, notes: str = ""
) -> list[Slide]:
    pages = paginate(bullets, g.column_width(1), g, heading=heading is not None)
    return [
        _slide(title, (Column(tuple(page), heading),), g, continued=number > 0, notes=notes)
        for number, page in enumerate(pages)
    ]


def _slide(
    title: str, columns: tuple[Column, ...], g: Geometry, *, continued: bool = False, notes: str = ""
) -> Slide:
    fitted, size = fit_title(title, " (continued)" if continued else "", g.title)
    return Slide(title=fitted, columns=columns, notes=notes, title_size=size)


def _bullets(findings: Sequence[LetterFinding]) -> tuple[Bullet, ...]:
    return tuple(Bullet(_bullet_text(finding), _first_quote(finding)) for finding in findings)


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


def _notes(findings: Sequence[LetterFinding], heading: str = "") -> str:
    """What the presenter reads: each finding's title, body and chosen quotes."""
    blocks = [f"{heading}:"] if heading else []
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


def fit_title(
    title: str,
    suffix: str,
    box: Box,
    *,
    sizes: tuple[int, ...] = TITLE_PT,
    lines: int = 2,
    one_line_first: bool = True,
) -> tuple[str, int]:
    """The title and the size to show it at in ``box``: the largest size but the smallest at
    which it takes one line (unless not ``one_line_first``), else the largest at which it takes
    no more than ``lines`` lines (and no more than the box holds), else cut at a word until it
    does. The suffix ("(continued)") is kept whole."""
    width = box.width - 2 * INSET
    title = " ".join(title.split())

    def room(size: int) -> int:
        return min(lines, max(1, int((box.height - 2 * 0.05) / _line_height(size))))

    # One line at any size but the smallest (which is for titles that need two lines anyway),
    # else as few lines as fit, at the largest size.
    tries = [(1, size) for size in sizes[:-1]] if one_line_first else []
    tries += [(lines, size) for size in sizes]
    for wanted, size in tries:
        if _lines(title + suffix, width, size, bold=True) <= min(wanted, room(size)):
            return title + suffix, size
    size = sizes[-1]
    limit = len(title)
    while limit > 20:
        limit -= 5
        fitted = shorten(title, limit) + suffix
        if _lines(fitted, width, size, bold=True) <= room(size):
            return fitted, size
    return shorten(title, 20) + suffix, size


def _lines(text: str, width_in: float, size_pt: float, *, bold: bool = False) -> int:
    """How many lines ``text`` takes in a box ``width_in`` wide, wrapped at words."""
    em = BOLD_GLYPH_EM if bold else GLYPH_EM
    per_line = max(1, int(width_in * 72 / (size_pt * em)))
    return max(1, len(textwrap.wrap(text, per_line, break_long_words=True)))


def _line_height(size_pt: float) -> float:
    return size_pt * LINE_SPACING / 72


def _bullet_height(bullet: Bullet, width: float, size: int = BULLET_PT) -> float:
    text_width = width - 2 * INSET - BULLET_INDENT
    quote_size = min(QUOTE_PT, size)
    height = SPACE_BEFORE_PT / 72 + _lines(bullet.text, text_width, size) * _line_height(size)
    if bullet.quote:
        height += QUOTE_SPACE_BEFORE_PT / 72 + _lines(bullet.quote, text_width, quote_size) * _line_height(
            quote_size
        )
    return height


def _fits(column: Column, width: float, g: Geometry, *, headed: bool = False) -> bool:
    """Whether ``column`` fits in a body box ``width`` wide; ``headed``: under a heading's
    height, whether it has a heading or stands beside one that has."""
    heading = _line_height(COLUMN_HEADING_PT) + SPACE_BEFORE_PT / 72 if column.heading or headed else 0
    room = g.body.height - 0.1 - heading
    bullets = column.bullets
    return len(bullets) <= MAX_BULLETS and sum(_bullet_height(b, width, column.size) for b in bullets) <= room


def paginate(
    bullets: Sequence[Bullet], width: float, g: Geometry = BUILT_IN, heading: bool = False
) -> list[list[Bullet]]:
    """Bullets split into slides of at most six that fit, as evenly as the fit allows
    (eight findings make two slides of four, not six and two)."""

    def fits(page: Sequence[Bullet]) -> bool:
        return _fits(Column(tuple(page)), width, g, headed=heading)

    greedy: list[list[Bullet]] = []
    for bullet in bullets:
        if greedy and fits([*greedy[-1], bullet]):
            greedy[-1].append(bullet)
        else:
            greedy.append([bullet])
    size = math.ceil(len(bullets) / len(greedy)) if greedy else 0
    even = [list(bullets[i : i + size]) for i in range(0, len(bullets), size)] if size else []
    if len(even) == len(greedy) and all(fits(page) for page in even):
        return even
    return greedy


# --- Small formatting helpers --------------------------------------------------------------


def _count(number: int, one: str, many: str | None = None) -> str:
    """'13 interviews'; '' for none."""
    return f"{number} {one if number == 1 else (many or one + 's')}" if number else ""


def _and(parts: list[str]) -> str:
    if not parts:
        return ""
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


# --- Markdown ------------------------------------------------------------------------------


def slides_markdown(content: LetterContent) -> str:
    """The deck as Markdown: a ``# `` heading per slide, bullets, ``---`` between slides; the
    speaker notes as HTML comments, which Markdown viewers hide and slide tools (Marp) read.
    Control characters are left out."""
    content = printable_content(content)
    footer = footer_text(content)
    return "\n---\n\n".join(
        _slide_markdown(slide, footer if number == 0 else "") for number, slide in enumerate(deck(content))
    )


def _slide_markdown(slide: Slide, marking: str = "") -> str:
    lines = [f"# {_md(slide.title)}", ""]
    if slide.is_title_slide:
        lines += [*(f"{_md(line)}  " for line in slide.subtitle[:-1]), _md(slide.subtitle[-1]), ""]
        if marking:
            lines += [f"*{_md(marking)}*", ""]
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
