"""The daily wash-up: what came in today, which key lines of enquiry are tested and which are
not, the follow-ups still open, and which later sessions could close each gap.

A line of enquiry is *tested* once evidence on it comes from two kinds of source or more (two
interviews are one kind); evidence from one kind only leaves it untested, as no evidence does.
Evidence "so far" is that of the sessions up to the end of the chosen day, with the data, the
questionnaire and the documents (which belong to no day). A later session *can test* a gap when
it is planned on a later day, covers the line's focus area and is of a kind the line has no
evidence from yet; presentations and team meetings (a meeting that meets no one) test nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from .coverage import Cell, Coverage, coverage_of
from .evidence import LineOfEnquiry, lines_of_enquiry
from .rows import DayRow, EvidenceKind, FocusAreaRow, SessionKind, SessionRow, SessionStatus, SourceKind
from .store import Store, findings, week
from .store.evidence_items import SOURCE_OF_SESSION, EvidenceFact, evidence_facts, lines_of_items
from .store.follow_ups import FollowUp, list_follow_ups

TESTED_KINDS = 2  # kinds of source at which a line of enquiry counts as tested


class NoSuchDay(ValueError):
    """The day asked for is not one of the review's."""


@dataclass
class LineEvidence:
    """One line of enquiry and the evidence on it so far."""

    line: LineOfEnquiry
    strengths: int = 0
    developments: int = 0
    follow_ups: int = 0
    other: int = 0  # quotes, data, questionnaire, documents
    today: int = 0  # of them, items from the chosen day's sessions
    kinds: list[SourceKind] = field(default_factory=list)  # in SourceKind order
    sessions: set[str] = field(default_factory=set)
    evidence_ids: list[str] = field(default_factory=list)

    @property
    def items(self) -> int:
        return len(self.evidence_ids)

    @property
    def tested(self) -> bool:
        return len(self.kinds) >= TESTED_KINDS

    @property
    def state(self) -> str:
        """'no evidence', 'one kind of source', 'tested'."""
        if not self.evidence_ids:
            return "no evidence"
        return "tested" if self.tested else "one kind of source"

    def add(self, item: EvidenceFact, today: bool) -> None:
        if item.kind is EvidenceKind.STRENGTH:
            self.strengths += 1
        elif item.kind is EvidenceKind.DEVELOPMENT:
            self.developments += 1
        elif item.kind is EvidenceKind.FOLLOW_UP:
            self.follow_ups += 1
        else:
            self.other += 1
        self.today += today
        if item.source_kind not in self.kinds:
            self.kinds = [kind for kind in SourceKind if kind in {*self.kinds, item.source_kind}]
        self.sessions.add(item.session_id or f"source:{item.source_kind.value}")
        self.evidence_ids.append(item.id)


@dataclass(frozen=True)
class Opportunity:
    """A later session that could test a line of enquiry, with the reviewers who will be there."""

    session: SessionRow
    reviewers: tuple[str, ...]  # names
    kind: SourceKind  # the new kind of source it would bring

    @property
    def label(self) -> str:
        """'Wed 12 Sep 10:00 Focus group: health visitors'."""
        return f"{self.session.day:%a %-d %b} {self.session.start_time} {self.session.title}"


@dataclass(frozen=True)
class Gap:
    """An untested line of enquiry and the later sessions that could test it, earliest first."""

    line: LineEvidence
    sessions: tuple[Opportunity, ...]


@dataclass(frozen=True)
class ThinCell:
    """A focus area's evidence of one kind of source that rests on a single session or source."""

    area_id: str
    source: SourceKind
    cell: Cell


@dataclass
class Washup:
    day: DayRow
    day_number: int  # from 1
    area_titles: dict[str, str]
    arrived: Coverage  # the chosen day's evidence: focus areas x kinds of source
    lines: list[LineEvidence]  # no evidence first, then one kind of source, then tested
    thin: list[ThinCell]  # so far
    follow_ups: list[FollowUp]  # open, raised up to the end of the day
    gaps: list[Gap]  # the untested lines, in the order of ``lines``

    @property
    def untested(self) -> list[LineEvidence]:
        return [line for line in self.lines if not line.tested]

    def line(self, line_id: str) -> LineEvidence | None:
        return next((line for line in self.lines if line.line.id == line_id), None)


def day_of(days: list[DayRow], number: int | None, today: dt.date | None = None) -> tuple[int, DayRow]:
    """Day ``number`` (from 1) of ``days``; without one, ``today`` if it is one of them, else the
    first. ``NoSuchDay`` if there is no such day."""
    if not days:
        raise NoSuchDay("the review has no days")
    if number is None:
        found = next((n for n, d in enumerate(days, start=1) if d.id == (today or dt.date.today())), 1)
        return found, days[found - 1]
    if not 1 <= number <= len(days):
        raise NoSuchDay(f"the review has {len(days)} days: choose 1 to {len(days)}")
    return number, days[number - 1]


@dataclass(frozen=True)
class WashupWeek:
    """What every day's wash-up is worked out from, read at one moment: a screen reads it once
    and works out each day it is asked for without reading again."""

    days: list[DayRow]
    areas: list[FocusAreaRow]
    sessions: list[SessionRow]
    facts: list[EvidenceFact]
    names: dict[str, str]  # the reviewers' names by id
    follow_ups: list[FollowUp]  # the open ones


def read_washup_week(store: Store) -> WashupWeek:
    return WashupWeek(
        week.days(store),
        week.focus_areas(store),
        week.sessions(store),
        evidence_facts(store),
        {r.id: r.name for r in week.reviewers(store)},
        list_follow_ups(store, open_only=True),
    )


def compute_washup(store: Store, number: int | None = None, *, today: dt.date | None = None) -> Washup:
    """The wash-up of day ``number`` (from 1; default: today, else the first day)."""
    return washup_of(read_washup_week(store), number, today=today)


def washup_of(read: WashupWeek, number: int | None = None, *, today: dt.date | None = None) -> Washup:
    """The wash-up of day ``number`` of the week ``read`` (as ``compute_washup``)."""
    number, day = day_of(read.days, number, today)
    areas, sessions, facts = read.areas, read.sessions, read.facts
    day_of_session = {s.id: s.day for s in sessions}
    so_far = [
        item
        for item in facts
        if item.session_id is None or day_of_session.get(item.session_id, day.id) <= day.id
    ]
    todays = {s.id for s in sessions if s.day == day.id}
    lines = line_evidence(lines_of_enquiry(areas), so_far, todays)
    gaps = [
        Gap(line, tuple(opportunities(line, sessions, day.id, read.names)))
        for line in lines
        if not line.tested
    ]
    follow_ups = [f for f in read.follow_ups if f.view.day is None or f.view.day <= day.id]
    return Washup(
        day,
        number,
        {area.id: area.title for area in areas},
        # the day's matrix (``compute_coverage(store, day=...)``) from the items already read
        coverage_of([item for item in facts if item.session_id in todays], [area.id for area in areas]),
        lines,
        thin_cells(so_far, [area.id for area in areas]),
        follow_ups,
        gaps,
    )


def line_evidence(
    lines: Iterable[LineOfEnquiry], items: Iterable[EvidenceFact], today: Collection[str] = ()
) -> list[LineEvidence]:
    """Each line with the items on it (``today``: the ids of the chosen day's sessions); lines
    with no evidence first, then those from one kind of source, then the tested; the schedule's
    order within each."""
    found = {line.id: LineEvidence(line) for line in lines}
    for item in items:
        for line_id in item.lines:
            if (entry := found.get(line_id)) is not None:
                entry.add(item, item.session_id in today)
    rank = {"no evidence": 0, "one kind of source": 1, "tested": 2}
    return sorted(found.values(), key=lambda entry: rank[entry.state])


def opportunities(
    line: LineEvidence, sessions: Iterable[SessionRow], after: dt.date, names: dict[str, str]
) -> list[Opportunity]:
    """The sessions planned after ``after`` that could test ``line``: its focus area, a kind of
    source it has no evidence from, people to meet; earliest first."""
    found = []
    for session in sessions:
        kind = SOURCE_OF_SESSION[session.kind]
        if (
            session.day > after
            and session.status is SessionStatus.PLANNED
            and session.removed_at is None
            and line.line.area_id in session.focus_areas
            and kind not in line.kinds
            and can_test(session)
        ):
            people = tuple(names.get(reviewer, reviewer) for reviewer in session.reviewers)
            found.append(Opportunity(session, people, kind))
    return sorted(found, key=lambda o: (o.session.day, o.session.start_time, o.session.id))


def can_test(session: SessionRow) -> bool:
    """Whether a session meets people or sees practice: not a presentation, nor a team meeting."""
    if session.kind is SessionKind.PRESENTATION:
        return False
    return not (session.kind is SessionKind.MEETING and not session.participants)


def thin_cells(items: Iterable[EvidenceFact], areas: list[str]) -> list[ThinCell]:
    """Cells (focus area, kind of session) with evidence that rests on one session, in the
    schedule's order of areas and ``SourceKind`` order. Data, the questionnaire and documents are
    one source each by nature: never listed."""
    cells: dict[tuple[str, SourceKind], Cell] = {}
    for item in items:
        if item.session_id is None:  # data, the questionnaire, documents: one source each by nature
            continue
        for area in item.focus_areas:
            cells.setdefault((area, item.source_kind), Cell()).add(item)
    order = {area: n for n, area in enumerate(areas)}
    kinds = list(SourceKind)
    thin = [ThinCell(area, source, cell) for (area, source), cell in cells.items() if cell.thin]
    return sorted(thin, key=lambda t: (order.get(t.area_id, len(order)), kinds.index(t.source)))


def lines_of_findings(
    store: Store, views: Iterable[findings.FindingView] | None = None
) -> dict[str, list[str]]:
    """Each finding's lines of enquiry (by finding id): those of the evidence it cites, in the
    schedule's order; the findings screen shows, per focus area, which lines its findings rest on.
    ``views``: the findings, when the caller has read them already (else they are read here)."""
    views = findings.list_findings(store) if views is None else views
    # only the cited items' lines are read, not every item's
    lines_of = lines_of_items(store, {cited for view in views for cited in view.evidence_ids})
    order = {line.id: n for n, line in enumerate(lines_of_enquiry(week.focus_areas(store)))}
    found: dict[str, list[str]] = {}
    for view in views:
        lines = {line for cited in view.evidence_ids for line in lines_of.get(cited, ())}
        found[view.finding.id] = sorted((line for line in lines if line in order), key=order.__getitem__)
    return found
