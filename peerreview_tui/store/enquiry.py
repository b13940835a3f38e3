"""Tying evidence to a key line of enquiry after the fact (coverage and wash-up screens).

As its author types ``#practice.2`` on a marked line, the item speaks to that line of enquiry
(``evidence_items`` derives it from the note). Anyone may tie an item to a line later: a row of
its own in ``evidence_lines``, owned by whoever tied it, that never edits the item nor the note
it came from. Tying also tags the item with the line's focus area (``tagging``), so it counts
there too; untying leaves that tag, which may still be right.
"""

from __future__ import annotations

from ..evidence import LineOfEnquiry, area_of_line, lines_of_enquiry
from ..ownership import Change
from ..rows import now
from . import week
from .evidence_items import get_evidence
from .ownership import require
from .review import Store

_TIE_SQL = (
    "INSERT INTO evidence_lines (evidence_id, line_id, created_by, created_at, updated_by, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (evidence_id, line_id) DO UPDATE SET deleted_at = NULL, "
    "updated_by = excluded.updated_by, updated_at = excluded.updated_at"
)
_TAG_SQL = (
    "INSERT INTO evidence_tags (evidence_id, focus_area_id, created_by, created_at, updated_by, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (evidence_id, focus_area_id) DO UPDATE SET deleted_at = NULL, "
    "updated_by = excluded.updated_by, updated_at = excluded.updated_at"
)


def review_lines(store: Store) -> list[LineOfEnquiry]:
    """The review's lines of enquiry, focus area by focus area, in the schedule's order."""
    return lines_of_enquiry(week.focus_areas(store))


def find_line(store: Store, line_id: str) -> LineOfEnquiry:
    """The line of enquiry ``line_id`` ("practice.2"); ``ValueError`` naming the known ones if none."""
    lines = review_lines(store)
    found = next((line for line in lines if line.id == line_id), None)
    if found is None:
        area = area_of_line(line_id)
        mine = [line.id for line in lines if line.area_id == area] or [line.id for line in lines]
        raise ValueError(f"no line of enquiry {line_id!r} (known: {', '.join(mine) or 'none'})")
    return found


def tie_line(store: Store, evidence_id: str, line_id: str, actor: str) -> None:
    """Tie an item to a line of enquiry, and tag it with the line's focus area (nothing happens
    if it already has both)."""
    line = find_line(store, line_id)
    view = get_evidence(store, evidence_id)
    if view is None:
        raise ValueError(f"no evidence item {evidence_id}")
    item = view.item
    if line.id in item.lines_of_enquiry and line.area_id in item.focus_areas:
        return
    stamp = now()
    with store.write() as db:
        require(db, actor, Change.TIE)
        if line.id not in item.lines_of_enquiry:
            db.execute(_TIE_SQL, [evidence_id, line.id, actor, stamp, actor, stamp])
        if line.area_id not in item.focus_areas:
            db.execute(_TAG_SQL, [evidence_id, line.area_id, actor, stamp, actor, stamp])


def untie_line(store: Store, evidence_id: str, line_id: str, actor: str) -> None:
    """Undo a tie made after the fact; a ``#practice.2`` in the note is its author's to remove."""
    view = get_evidence(store, evidence_id)
    if view is None:
        raise ValueError(f"no evidence item {evidence_id}")
    stamp = now()
    with store.write() as db:
        require(db, actor, Change.TIE)
        updated = db.execute(
            "UPDATE evidence_lines SET deleted_at = ?, updated_by = ?, updated_at = ? "
            "WHERE evidence_id = ? AND line_id = ? AND deleted_at IS NULL",
            [stamp, actor, stamp, evidence_id, line_id],
        ).rowcount
    if not updated and line_id in view.item.lines_of_enquiry:
        raise ValueError(f"the note itself says #{line_id}: its author can take it out of the line")
