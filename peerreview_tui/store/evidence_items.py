"""Evidence items: marked note lines, re-derived on every save with ids that survive small edits
(so links from findings do), and items from documents and imports. A line that is gone but
cited by a finding leaves its item ``detached``: a broken link the lead sees, never lost."""

from __future__ import annotations

import datetime as dt
import difflib
import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlite_utils import Database

from ..evidence import _TAG, Mark, line_id, parse_marks, strip_lines
from ..rows import (
    EvidenceItem,
    EvidenceKind,
    SessionKind,
    SessionRow,
    SourceKind,
    new_id,
    now,
    string_list,
)
from . import week
from .review import Store

if TYPE_CHECKING:  # pydantic's models load only where notes are written
    from ..models import Note

# Each session kind is the source kind of the same name, but for a presentation (the council's,
# to the team): a meeting.
SOURCE_OF_SESSION: dict[SessionKind, SourceKind] = {
    kind: SourceKind.MEETING if kind is SessionKind.PRESENTATION else SourceKind(kind.value)
    for kind in SessionKind
}
SIMILAR = 0.6  # difflib ratio at which an edited line is still "the same line"
# An edited line stays near where it was: similarity is tried only against the nearest few
# unmatched lines, so even rewriting a whole note stays linear rather than quadratic.
NEAREST_CANDIDATES = 8
MAX_RATIOS = 200  # ~0.2 ms each: past this (a note rewritten wholesale) lines count as new

Line = tuple[str, str, int]  # kind, text, line number


@dataclass(frozen=True)
class EvidenceView:
    """An item with what a list of evidence shows beside it."""

    item: EvidenceItem
    session_title: str | None
    day: dt.date | None
    start_time: str | None
    author_name: str
    linked_findings: int


def evidence_text(mark: Mark) -> str:
    """The mark's words without its focus-area tags and lines of enquiry, whitespace collapsed."""
    tags = set(mark.tags)
    text = strip_lines(mark.text, mark.lines) if mark.lines else mark.text
    text = _TAG.sub(lambda m: " " if m.group(1).rstrip("-").lower() in tags else m.group(0), text)
    return " ".join(text.split())


def match_lines(new: Sequence[Line], old: Sequence[Line], *, similar: bool = True) -> dict[int, int]:
    """Pairs new lines with old ones (index -> index): same kind and text first, then (with
    ``similar``) same kind and similar text, best ratio first, nearest line on a tie."""
    pairs: dict[int, int] = {}
    by_text: dict[tuple[str, str], list[int]] = {}
    for j, (kind, text, _) in enumerate(old):
        by_text.setdefault((kind, text), []).append(j)
    for i, (kind, text, line_no) in enumerate(new):
        if same := by_text.get((kind, text)):
            pairs[i] = min(same, key=lambda j: abs(old[j][2] - line_no))
            same.remove(pairs[i])
    left_old = sorted(set(range(len(old))) - set(pairs.values()))
    left_new = [i for i in range(len(new)) if i not in pairs] if similar and left_old else []
    matchers: dict[int, difflib.SequenceMatcher[str]] = {}
    scored: list[tuple[float, int, int, int]] = []
    budget = MAX_RATIOS
    for i in left_new:
        kind, text, line_no = new[i]
        near = sorted((j for j in left_old if old[j][0] == kind), key=lambda j: abs(old[j][2] - line_no))
        for j in near[:NEAREST_CANDIDATES]:
            if j not in matchers:  # a matcher caches its analysis of seq2, the old text
                matchers[j] = difflib.SequenceMatcher(None, b=old[j][1], autojunk=False)
            matcher = matchers[j]
            matcher.set_seq1(text)
            if budget and matcher.real_quick_ratio() >= SIMILAR and matcher.quick_ratio() >= SIMILAR:
                budget -= 1
                if (ratio := matcher.ratio()) >= SIMILAR:
                    scored.append((-ratio, abs(old[j][2] - line_no), i, j))
    taken: set[int] = set()
    for _, _, i, j in sorted(scored):
        if i not in pairs and j not in taken:
            pairs[i] = j
            taken.add(j)
    return pairs


_AREAS_SQL = "SELECT id, lines_of_enquiry FROM focus_areas"


def sync_note_evidence(db: Database, note: Note, session: SessionRow, actor: str) -> None:
    """Re-derive the note's evidence items, inside the caller's write transaction."""
    areas = [(row["id"], json.loads(row["lines_of_enquiry"])) for row in db.query(_AREAS_SQL)]
    known = frozenset(area for area, _ in areas)
    lines = frozenset(line_id(area, n) for area, texts in areas for n in range(1, len(texts) + 1))
    marks = [(mark, text) for mark in parse_marks(note.body, known, lines) if (text := evidence_text(mark))]
    new = [(mark.kind.value, text, mark.line_no) for mark, text in marks]
    rows = list(db.query("SELECT * FROM evidence WHERE note_id = ? ORDER BY line_no", [note.id]))
    live = [row for row in rows if not row["detached"]]
    pairs = match_lines(new, [_line(row) for row in live])
    matched, kept = {i: live[j] for i, j in pairs.items()}, set(pairs.values())
    gone = [row for j, row in enumerate(live) if j not in kept]
    # A deleted line typed back (an undo) re-attaches the item its findings still cite.
    detached = [row for row in rows if row["detached"]]
    waiting = [i for i in range(len(new)) if i not in matched]
    again = match_lines([new[i] for i in waiting], [_line(row) for row in detached], similar=False)
    matched |= {waiting[k]: detached[j] for k, j in again.items()}
    stamp, source = now(), SOURCE_OF_SESSION[session.kind].value
    changed: list[dict[str, Any]] = []
    inserted: list[dict[str, Any]] = []
    for i, (mark, text) in enumerate(marks):
        fields: dict[str, Any] = {
            "kind": mark.kind.value,
            "source_kind": source,
            "text": text,
            "focus_areas": compact_json(mark.tags),
            "lines_of_enquiry": compact_json(mark.lines) if mark.lines else "[]",  # most lines: none
        }
        fields |= {
            "session_id": note.session_id,
            "line_no": mark.line_no,
            "author_id": note.author_id,
            "detached": 0,
        }
        if (row := matched.get(i)) is None:
            inserted.append(_record(actor, stamp, id=new_id(), note_id=note.id, **fields))
        elif any(row[key] != value for key, value in fields.items()):
            changed.append({**fields, "id": row["id"], "updated_by": actor, "updated_at": stamp})
    cited = _cited(db, [row["id"] for row in gone])
    for row in gone:
        if row["id"] in cited:
            changed.append({**row, "detached": 1, "updated_by": actor, "updated_at": stamp})
        else:
            db.execute("DELETE FROM evidence WHERE id = ?", [row["id"]])
    # Inserting a line shifts every line below it: one statement for all, not one per row.
    db.conn.executemany(_UPDATE_SQL, changed)
    db.conn.executemany(_INSERT_SQL, inserted)


def _line(row: dict[str, Any]) -> Line:
    return row["kind"], row["text"], row["line_no"] or 0


def _cited(db: Database, evidence_ids: list[str]) -> set[str]:
    """Items a finding cites, someone tagged or tied to a line of enquiry, or a follow-up's state
    names (the follow-up or its answer). Any such row counts, live or a tombstone: deleting its
    item would break the foreign key, so the item is kept, detached."""
    ids = "IN (SELECT value FROM json_each(:ids))"
    sql = (
        f"SELECT evidence_id FROM finding_evidence WHERE evidence_id {ids} "
        f"UNION SELECT evidence_id FROM evidence_tags WHERE evidence_id {ids} "
        f"UNION SELECT evidence_id FROM evidence_lines WHERE evidence_id {ids} "
        f"UNION SELECT evidence_id FROM follow_ups WHERE evidence_id {ids} "
        f"UNION SELECT answer_id FROM follow_ups WHERE answer_id {ids}"
    )
    return {row["evidence_id"] for row in db.query(sql, {"ids": compact_json(evidence_ids)})}


def upsert_evidence(db: Database, items: Iterable[dict[str, Any]], actor: str) -> None:
    """Write items from another source by id: new ones inserted, changed ones updated (stamped
    only if something changed). An item without focus areas keeps the tags added by hand."""
    stamp = now()
    rows = [
        {**item, "focus_areas": compact_json(item["focus_areas"]), "data": compact_json(item["data"])}
        for item in items
    ]
    db.conn.executemany(_INSERT_SQL + _UPDATE_IF_CHANGED, [_record(actor, stamp, **row) for row in rows])


def _record(actor: str, stamp: str, **fields: Any) -> dict[str, Any]:
    """A whole evidence row: ``fields`` over the defaults, stamped as made by ``actor``."""
    row = {
        "title": "",
        "focus_areas": "[]",
        "lines_of_enquiry": "[]",
        "session_id": None,
        "note_id": None,
        "line_no": None,
        "detached": 0,
    }
    row |= {"data": "{}", "author_id": actor, **fields, "created_by": actor, "created_at": stamp}
    return row | {"updated_by": actor, "updated_at": stamp}


_COLUMNS = (
    "id",
    "kind",
    "source_kind",
    "text",
    "title",
    "focus_areas",
    "lines_of_enquiry",
    "session_id",
    "note_id",
    "line_no",
    "author_id",
    "detached",
    "data",
    "created_by",
    "created_at",
    "updated_by",
    "updated_at",
)
_INSERT_SQL = f"INSERT INTO evidence ({', '.join(_COLUMNS)}) VALUES ({', '.join(':' + c for c in _COLUMNS)})"
_UPDATE_IF_CHANGED = """
ON CONFLICT (id) DO UPDATE SET
    kind = excluded.kind, source_kind = excluded.source_kind, text = excluded.text, title = excluded.title,
    data = excluded.data, detached = 0, updated_by = excluded.updated_by, updated_at = excluded.updated_at,
    focus_areas = iif(excluded.focus_areas = '[]', evidence.focus_areas, excluded.focus_areas)
WHERE (evidence.kind, evidence.source_kind, evidence.text, evidence.title, evidence.data, evidence.detached)
    != (excluded.kind, excluded.source_kind, excluded.text, excluded.title, excluded.data, 0)
    OR (excluded.focus_areas != '[]' AND evidence.focus_areas != excluded.focus_areas)
"""
_UPDATE_SQL = """
UPDATE evidence SET kind = :kind, source_kind = :source_kind, text = :text, focus_areas = :focus_areas,
    lines_of_enquiry = :lines_of_enquiry, session_id = :session_id, line_no = :line_no, author_id = :author_id, detached = :detached,
    updated_by = :updated_by, updated_at = :updated_at
WHERE id = :id
"""


# --- Reading ---------------------------------------------------------------------------


# An item's focus areas as readers see them: its author's tags, then those others added
# (``tagging``) in the order they were added, each once; most items have none added, and read
# their own column as it is (the same list, without taking it apart and putting it together).
def _own_then_added(own: str, table: str, alias: str, column: str, value: str) -> str:
    """SQL for an item's ``own`` list, then the values of ``table`` added to it later that it
    does not have, in the order they were added; the column as it is when none were added."""
    return f"""(CASE WHEN NOT EXISTS (
    SELECT 1 FROM {table} {alias} WHERE {alias}.evidence_id = e.id AND {alias}.deleted_at IS NULL
) THEN e.{own} ELSE (SELECT json_group_array({value}) FROM (
    SELECT value AS {value}, 0 AS source, key AS place FROM json_each(e.{own})
    UNION ALL
    SELECT {alias}.{column}, 1, {alias}.created_at FROM {table} {alias}
    WHERE {alias}.evidence_id = e.id AND {alias}.deleted_at IS NULL
        AND {alias}.{column} NOT IN (SELECT value FROM json_each(e.{own}))
    ORDER BY source, place
)) END)"""


_ALL_TAGS = _own_then_added("focus_areas", "evidence_tags", "t", "focus_area_id", "tag")
# Its lines of enquiry likewise: the author's ``#practice.2``, then those tied later (``enquiry``).
_ALL_LINES = _own_then_added("lines_of_enquiry", "evidence_lines", "l", "line_id", "line")
_READ_AS = {"focus_areas": _ALL_TAGS, "lines_of_enquiry": _ALL_LINES}
_ITEM_COLUMNS = ", ".join(f"{_READ_AS[c]} AS {c}" if c in _READ_AS else f"e.{c}" for c in _COLUMNS)
_VIEW_SQL = f"""
SELECT {_ITEM_COLUMNS}, s.title AS v_session_title, s.day AS v_day, s.start_time AS v_start_time,
       coalesce(r.name, e.author_id) AS v_author_name
FROM evidence e
LEFT JOIN sessions s ON s.id = e.session_id
LEFT JOIN reviewers r ON r.id = e.author_id
"""
# How many live findings cite each item: counted apart (joined to every item, SQLite built an
# index of the counts on each read: half of the ×10 week's listing).
_LINKS_SQL = """
SELECT fe.evidence_id, count(*) FROM finding_evidence fe JOIN findings f ON f.id = fe.finding_id
WHERE fe.deleted_at IS NULL AND f.deleted_at IS NULL
"""
_ORDER = """ ORDER BY s.day IS NULL, s.day, s.start_time, e.session_id, e.author_id, e.line_no,
    e.source_kind, e.title, e.id"""


def list_evidence(
    store: Store,
    *,
    focus_area: str | None = None,
    line_of_enquiry: str | None = None,
    source_kind: SourceKind | None = None,
    day: dt.date | None = None,
    author: str | None = None,
    kinds: Collection[EvidenceKind] | None = None,
    untagged: bool = False,
    include_detached: bool = False,
    ids: Collection[str] | None = None,
) -> list[EvidenceView]:
    """Items by day, start time and line (items from no session last); ``untagged`` gives those
    with no focus area (the "to tag" list); a ``day`` keeps only items from that day's sessions;
    ``line_of_enquiry`` ("practice.2") those tied to it; ``ids`` only these items."""
    filters: list[tuple[str, Any]] = [
        (f"EXISTS (SELECT 1 FROM json_each({_ALL_TAGS}) WHERE value = ?)", focus_area),
        (f"EXISTS (SELECT 1 FROM json_each({_ALL_LINES}) WHERE value = ?)", line_of_enquiry),
        ("e.source_kind = ?", source_kind and SourceKind(source_kind).value),
        ("s.day = ?", day and day.isoformat()),
        ("e.author_id = ?", author),
        (
            "e.kind IN (SELECT value FROM json_each(?))",
            None if kinds is None else compact_json([str(k) for k in kinds]),
        ),
        ("e.id IN (SELECT value FROM json_each(?))", None if ids is None else compact_json(sorted(ids))),
    ]
    where = [condition for condition, value in filters if value is not None]
    params = [value for _, value in filters if value is not None]
    where += [f"json_array_length({_ALL_TAGS}) = 0"] if untagged else []
    where += [] if include_detached else ["e.detached = 0"]
    sql = _VIEW_SQL + (" WHERE " + " AND ".join(where) if where else "") + _ORDER
    with store.lock:  # the items and their counts as of one moment
        rows = store.query(sql, params)
        links = _link_counts(store) if rows else {}
    return [_view(row, links.get(row["id"], 0)) for row in rows]


class EvidenceFact(NamedTuple):
    """What counting needs of an item, read without validating whole rows: the coverage matrix
    counts thousands of them (bench/)."""

    id: str
    kind: EvidenceKind
    source_kind: SourceKind
    focus_areas: list[str]
    session_id: str | None
    lines: list[str]  # lines of enquiry


def evidence_facts(
    store: Store, *, day: dt.date | None = None, author: str | None = None
) -> list[EvidenceFact]:
    """Every item that counts (detached ones aside), filtered like ``list_evidence``."""
    sql = (
        f"SELECT e.id, e.kind, e.source_kind, {_ALL_TAGS}, e.session_id, {_ALL_LINES} FROM evidence e "
        "LEFT JOIN sessions s ON s.id = e.session_id WHERE e.detached = 0"
    )
    params: list[str] = []
    if day is not None:
        sql += " AND s.day = ?"
        params.append(day.isoformat())
    if author is not None:
        sql += " AND e.author_id = ?"
        params.append(author)
    kinds, sources = {k.value: k for k in EvidenceKind}, {k.value: k for k in SourceKind}
    with store.read() as db:
        rows = db.execute(sql, params).fetchall()
    return [
        EvidenceFact(i, kinds[k], sources[src], string_list(areas), session, string_list(lines))
        for i, k, src, areas, session, lines in rows
    ]


def lines_of_items(store: Store, evidence_ids: Collection[str]) -> dict[str, list[str]]:
    """The lines of enquiry of each of ``evidence_ids`` that counts (detached ones aside), as
    ``evidence_facts`` reads them: for a few items, without reading every item."""
    sql = (
        f"SELECT e.id, {_ALL_LINES} FROM evidence e "
        "WHERE e.detached = 0 AND e.id IN (SELECT value FROM json_each(?))"
    )
    with store.read() as db:
        rows = db.execute(sql, [compact_json(sorted(evidence_ids))]).fetchall()
    return {evidence_id: string_list(lines) for evidence_id, lines in rows}


def get_evidence(store: Store, evidence_id: str) -> EvidenceView | None:
    with store.lock:
        rows = store.query(_VIEW_SQL + " WHERE e.id = ?", [evidence_id])
        links = _link_counts(store, evidence_id) if rows else {}
    return _view(rows[0], links.get(evidence_id, 0)) if rows else None


def evidence_count_by_source(store: Store) -> dict[SourceKind, int]:
    """Items of each source kind that has any (detached ones aside), in ``SourceKind`` order."""
    sql = "SELECT source_kind, count(*) AS n FROM evidence WHERE detached = 0 GROUP BY source_kind"
    with store.read() as db:
        counts = {row["source_kind"]: row["n"] for row in db.query(sql)}
    return {kind: counts[kind.value] for kind in SourceKind if kind.value in counts}


def _link_counts(store: Store, evidence_id: str | None = None) -> dict[str, int]:
    """How many live findings cite each item (or the one item ``evidence_id``)."""
    sql, params = _LINKS_SQL, []
    if evidence_id is not None:
        sql, params = sql + " AND fe.evidence_id = ?", [evidence_id]
    with store.read() as db:
        return dict(db.execute(sql + " GROUP BY fe.evidence_id", params).fetchall())


def _view(row: dict[str, Any], links: int) -> EvidenceView:
    day = dt.date.fromisoformat(row["v_day"]) if row["v_day"] else None
    return EvidenceView(
        EvidenceItem.from_row(row),
        row["v_session_title"],
        day,
        row["v_start_time"],
        row["v_author_name"],
        links,
    )


# --- Changes by hand -------------------------------------------------------------------


def add_document(
    store: Store, *, title: str, summary: str, focus_areas: list[str], actor: str
) -> EvidenceItem:
    """A document the team read, with what it shows."""
    title, summary = " ".join(title.split()), summary.strip()
    if not title or not summary:
        raise ValueError("a document needs a title and a summary of what it shows")
    areas = list(dict.fromkeys(focus_areas))
    check_focus_areas(store, areas)
    record = _record(
        actor,
        now(),
        id=new_id(),
        kind=EvidenceKind.OBSERVATION.value,
        text=summary,
        title=title,
        source_kind=SourceKind.DOCUMENT.value,
        focus_areas=compact_json(areas),
    )
    with store.write() as db:
        db.execute(_INSERT_SQL, record)
    return EvidenceItem.from_row(record)


def check_focus_areas(store: Store, areas: Iterable[str]) -> None:
    """Refuse focus area ids that this review does not have."""
    known = [area.id for area in week.focus_areas(store)]
    if unknown := [area for area in areas if area not in known]:
        raise ValueError(f"unknown focus area {', '.join(map(repr, unknown))} (known: {', '.join(known)})")


def compact_json(value: Any) -> str:
    """JSON as stored in the evidence table: compact and key-sorted, so equal values compare equal."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
