"""What the wash-up sheet says (``washup.Washup`` as a short outline of tables and lists), for
``washup_sheet`` (Markdown, and the guard) and ``washup_docx`` (Word) alike."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..coverage import SOURCE_LABELS, cell_text
from ..store.evidence_items import EvidenceView
from ..washup import LineEvidence, Washup

MAX_SESSIONS = 3  # later sessions shown for each gap: the first three are tomorrow's choices


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: list[tuple[str, ...]]


@dataclass(frozen=True)
class Section:
    heading: str
    table: Table | None = None
    bullets: list[str] = field(default_factory=list)
    empty: str = ""  # said when there is neither table nor bullet


@dataclass(frozen=True)
class Sheet:
    title: str
    subtitle: str
    sections: list[Section]


def sheet_outline(washup: Washup, review_title: str) -> Sheet:
    """What the sheet says, section by section."""
    day = washup.day
    title = f"Wash-up: day {washup.day_number}, {day.id:%A %-d %B %Y}"
    return Sheet(
        title,
        f"{review_title}{f' ({day.title})' if day.title else ''}",
        [
            _arrived(washup),
            Section(
                "Lines of enquiry not yet tested",
                Table(
                    ("Line", "Question", "Evidence so far", "Kinds of source", "State"),
                    [_line_row(line) for line in washup.untested],
                )
                if washup.untested
                else None,
                bullets=[_tested(washup)] if len(washup.untested) < len(washup.lines) else [],
                empty="Every line of enquiry is tested.",
            ),
            Section(
                "Gaps, and the later sessions that could test them",
                bullets=[
                    _gap(
                        gap.line,
                        [f"{o.label} ({', '.join(o.reviewers) or 'no reviewer yet'})" for o in gap.sessions],
                    )
                    for gap in washup.gaps
                ],
                empty="Every line of enquiry is tested.",
            ),
            Section(
                "Open follow-ups",
                Table(
                    ("Question", "Raised by, in", "Owner", "To ask in"),
                    [
                        (
                            f.view.item.text,
                            f"{f.view.author_name}, {_where(f.view)}",
                            f.owner_name or "not handed out",
                            f.session_label or "",
                        )
                        for f in washup.follow_ups
                    ],
                )
                if washup.follow_ups
                else None,
                empty="No follow-up is open.",
            ),
            Section(
                "Thin so far: one session only",
                bullets=_thin(washup),
                empty="Nothing rests on a single session.",
            ),
        ],
    )


def _arrived(washup: Washup) -> Section:
    matrix, titles = washup.arrived, washup.area_titles
    kinds = [k for k in matrix.sources if any(matrix.cell(a, k).total for a in matrix.areas)]
    if not kinds:
        return Section("What came in today", empty="No evidence from this day's sessions yet.")
    rows = [
        (titles.get(area, area), *(cell_text(matrix.cell(area, kind)).strip() for kind in kinds))
        for area in matrix.areas
    ]
    return Section("What came in today", Table(("Focus area", *(SOURCE_LABELS[k] for k in kinds)), rows))


def _line_row(line: LineEvidence) -> tuple[str, ...]:
    counts = f"{line.strengths}+ {line.developments}- {line.follow_ups}?"
    if line.other:
        counts += f" {line.other} other"
    if line.today:
        counts += f" ({line.today} today)"
    kinds = ", ".join(SOURCE_LABELS[k] for k in line.kinds) or "none"
    return (line.line.id, line.line.text, counts if line.items else "none", kinds, line.state)


def _thin(washup: Washup) -> list[str]:
    """A bullet per focus area: its title, then each thin kind of session with its counts."""
    by_area: dict[str, list[str]] = {}
    for thin in washup.thin:
        counts = cell_text(thin.cell).rstrip("! ")
        by_area.setdefault(thin.area_id, []).append(f"{SOURCE_LABELS[thin.source]} ({counts})")
    titles = washup.area_titles
    return [f"{titles.get(area, area)}: {', '.join(cells)}" for area, cells in by_area.items()]


def _tested(washup: Washup) -> str:
    """'Tested so far (two kinds of source or more): practice.1 (3 kinds), practice.2 (2 kinds)'."""
    tested = [f"{line.line.id} ({len(line.kinds)} kinds)" for line in washup.lines if line.tested]
    return "Tested so far (two kinds of source or more): " + ", ".join(tested)


def _gap(line: LineEvidence, sessions: Sequence[str]) -> str:
    """'area.N (state): session label (reviewers); ...', the first few sessions."""
    shown = "; ".join(sessions[:MAX_SESSIONS])
    more = len(sessions) - MAX_SESSIONS
    where = shown + (f"; and {more} more" if more > 0 else "") if sessions else "no later session covers it"
    return f"{line.line.id} ({line.state}): {where}"


def _where(view: EvidenceView) -> str:
    if view.day is None or view.session_title is None:
        return "no session"
    return f"{view.day:%a} {view.start_time} {view.session_title}"


def sheet_texts(sheet: Sheet) -> list[tuple[str, str]]:
    """The words of the notes the sheet quotes (the follow-up questions), for the guard."""
    section = next(s for s in sheet.sections if s.heading == "Open follow-ups")
    rows = section.table.rows if section.table else []
    return [(f"open follow-up {n}", row[0]) for n, row in enumerate(rows, start=1)]
