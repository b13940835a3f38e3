"""The wash-up matrix: focus areas × source kinds, and where the evidence is thin.

A cell is thin when its evidence comes from one session or none. A source that is not a session
(the performance data, the questionnaire, documents read) counts as one "session" per source
kind: a cell resting on the data alone is as thin as one resting on a single interview.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field

from .evidence import lines_of_enquiry
from .names import shorten
from .rows import EvidenceItem, EvidenceKind, SourceKind
from .store import Store, week
from .store.evidence_items import EvidenceFact, evidence_facts

ALWAYS_SHOWN = (SourceKind.INTERVIEW, SourceKind.FOCUS_GROUP)
MAX_WIDTH = 120
SOURCE_LABELS = {
    SourceKind.INTERVIEW: "interview",
    SourceKind.FOCUS_GROUP: "focus group",
    SourceKind.CASE_FILE_AUDIT: "case audit",
    SourceKind.SITE_VISIT: "site visit",
    SourceKind.OBSERVATION: "observed",
    SourceKind.MEETING: "meeting",
    SourceKind.PERFORMANCE_DATA: "data",
    SourceKind.QUESTIONNAIRE: "survey",
    SourceKind.DOCUMENT: "documents",
    SourceKind.OTHER: "other",
}
LEGEND = (
    '+ strength  - for development  ? follow-up  " quote  obs data, survey or document  · none  '
    "! thin: one session or source"
)


@dataclass
class Cell:
    """The evidence on one focus area from one kind of source."""

    strengths: int = 0
    developments: int = 0
    follow_ups: int = 0
    quotes: int = 0
    observations: int = 0
    sessions: set[str] = field(default_factory=set)  # session ids, or the source kind for data
    evidence_ids: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.strengths + self.developments + self.follow_ups + self.quotes + self.observations

    @property
    def thin(self) -> bool:
        return len(self.sessions) <= 1

    def add(self, item: EvidenceItem | EvidenceFact) -> None:
        counter = _COUNTERS[item.kind]
        setattr(self, counter, getattr(self, counter) + 1)
        self.sessions.add(source_key(item))
        self.evidence_ids.append(item.id)


_COUNTERS = {
    EvidenceKind.STRENGTH: "strengths",
    EvidenceKind.DEVELOPMENT: "developments",
    EvidenceKind.FOLLOW_UP: "follow_ups",
    EvidenceKind.QUOTE: "quotes",
    EvidenceKind.OBSERVATION: "observations",
}


def source_key(item: EvidenceItem | EvidenceFact) -> str:
    """What counts as one independent source: the session, or the kind of a non-session source."""
    return item.session_id or f"source:{item.source_kind.value}"


@dataclass
class Coverage:
    areas: list[str]  # focus-area ids in the schedule's order
    sources: list[SourceKind]  # kinds with evidence, in SourceKind order; interview and focus group always
    cells: dict[tuple[str, SourceKind], Cell]
    untagged_cells: dict[SourceKind, Cell] = field(default_factory=dict)  # the "to tag" list by source

    @property
    def untagged(self) -> int:
        """Items with no focus area."""
        return sum(cell.total for cell in self.untagged_cells.values())

    def cell(self, area: str, source: SourceKind) -> Cell:
        return self.cells.get((area, source)) or Cell()

    def untagged_cell(self, source: SourceKind) -> Cell:
        return self.untagged_cells.get(source) or Cell()

    def thin_areas(self) -> list[str]:
        """Areas whose whole row rests on one session or source, or none."""
        return [area for area in self.areas if len(self._row_sources(area)) <= 1]

    def _row_sources(self, area: str) -> set[str]:
        return {key for (row, _), cell in self.cells.items() if row == area for key in cell.sessions}


def compute_coverage(store: Store, *, day: dt.date | None = None, author: str | None = None) -> Coverage:
    """The matrix over the evidence of ``day``'s sessions (or the week, data included) and of
    one reviewer (or all). An item tagged with two areas counts in both rows; detached items
    do not count."""
    return coverage_of(
        evidence_facts(store, day=day, author=author), [area.id for area in week.focus_areas(store)]
    )


def coverage_of(items: Sequence[EvidenceFact], areas: list[str]) -> Coverage:
    """The matrix over ``items``, a row per focus area of ``areas`` (in that order) and per area
    an item is tagged with that is no longer among them."""
    areas = list(areas)
    cells: dict[tuple[str, SourceKind], Cell] = {}
    untagged: dict[SourceKind, Cell] = {}
    for item in items:
        if not item.focus_areas:
            untagged.setdefault(item.source_kind, Cell()).add(item)
        for area in item.focus_areas:
            if area not in areas:  # a focus area since dropped from the schedule keeps its row
                areas.append(area)
            cells.setdefault((area, item.source_kind), Cell()).add(item)
    present = {item.source_kind for item in items} | set(ALWAYS_SHOWN)
    sources = [kind for kind in SourceKind if kind in present]
    return Coverage(areas, sources, cells, untagged)


def matrix_widths(
    coverage: Coverage, titles: list[str], width: int, gap: int, most: int = 40
) -> tuple[int, list[int]]:
    """How wide the focus-area column and each source column should be to fit ``width``: the
    counts whole, always (a cut number misleads); the titles get what is left, up to ``most``."""
    columns = [
        [
            SOURCE_LABELS[source],
            *(cell_text(coverage.cell(area, source)) for area in coverage.areas),
            cell_text(coverage.untagged_cell(source), mark_thin=False),
        ]
        for source in coverage.sources
    ]
    widths = [max(map(len, column)) for column in columns]
    wanted = min(most, max(map(len, titles)))
    return max(12, min(wanted, width - sum(w + gap for w in widths))), widths


def compute_line_coverage(store: Store, *, day: dt.date | None = None, author: str | None = None) -> Coverage:
    """The matrix by key line of enquiry rather than focus area: a row per line ("practice.2"),
    in the schedule's order, filtered like ``compute_coverage``; ``untagged`` counts the items
    tied to no line of enquiry."""
    items = evidence_facts(store, day=day, author=author)
    lines = [line.id for line in lines_of_enquiry(week.focus_areas(store))]
    cells: dict[tuple[str, SourceKind], Cell] = {}
    untied: dict[SourceKind, Cell] = {}
    for item in items:
        if not item.lines:
            untied.setdefault(item.source_kind, Cell()).add(item)
        for line in item.lines:
            if line in lines:
                cells.setdefault((line, item.source_kind), Cell()).add(item)
    present = {item.source_kind for item in items} | set(ALWAYS_SHOWN)
    sources = [kind for kind in SourceKind if kind in present]
    return Coverage(lines, sources, cells, untied)


def format_coverage(coverage: Coverage, area_titles: dict[str, str]) -> str:
    """The matrix as plain text for the terminal, at most 120 columns for a usual week."""
    columns = [
        [SOURCE_LABELS[source]] + [cell_text(coverage.cell(area, source)) for area in coverage.areas]
        for source in coverage.sources
    ]
    titles = ["Focus area", *(area_titles.get(area, area) for area in coverage.areas)]
    area_width, widths = matrix_widths(coverage, titles, MAX_WIDTH, gap=2)
    gap = 2
    if area_width < min(40, max(map(len, titles))):  # titles before spacing
        area_width, widths = matrix_widths(coverage, titles, MAX_WIDTH, gap=1)
        gap = 1
    lines = []
    for row, title in enumerate(titles):
        cells = [column[row].rjust(width) for column, width in zip(columns, widths, strict=True)]
        lines.append((" " * gap).join([shorten(title, area_width).ljust(area_width), *cells]).rstrip())
    thin = [area_titles.get(area, area) for area in coverage.thin_areas()]
    lines += ["", LEGEND]
    if thin:
        lines += textwrap.wrap(
            f"Thin across every source: {'; '.join(thin)}", MAX_WIDTH, subsequent_indent="  "
        )
    count = coverage.untagged
    lines.append(f"{count} item{'' if count == 1 else 's'} not tagged to a focus area")
    return "\n".join(lines)


def cell_text(cell: Cell, mark_thin: bool = True) -> str:
    """``3+ 1- 0?``, with quotes and data items when there are any, and ``!`` when thin."""
    parts = []
    if cell.strengths or cell.developments or cell.follow_ups or cell.quotes:
        parts.append(f"{cell.strengths}+ {cell.developments}- {cell.follow_ups}?")
    if cell.quotes:
        parts.append(f'{cell.quotes}"')
    if cell.observations:
        parts.append(f"{cell.observations} obs")
    if not parts:
        return "· "  # empty: thin too, but a gap reads better without the mark
    return " ".join(parts) + ("!" if mark_thin and cell.thin else " ")
