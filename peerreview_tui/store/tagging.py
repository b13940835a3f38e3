"""Tagging evidence with a focus area after the fact (the coverage screen's `g`).

A tag is a row of its own in ``evidence_tags``, owned by whoever tagged: it never edits the
item, nor the note the item came from (another reviewer's words stay theirs), and it merges
between laptops without meeting the author's own edits. Readers see an item's focus areas as
its author's tags and these together (``evidence_items``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..ownership import Change
from ..rows import now
from .evidence_items import check_focus_areas, get_evidence
from .ownership import require
from .review import Store


@dataclass(frozen=True)
class Tag:
    evidence_id: str
    item_text: str  # the marked line's text, as it was when tagged
    focus_area_id: str
    tagged_by: str
    tagger_name: str
    tagged_at: dt.datetime


def tag_evidence(store: Store, evidence_id: str, focus_area_id: str, actor: str) -> None:
    """Tag an item with a focus area (nothing happens if it already has it)."""
    check_focus_areas(store, [focus_area_id])
    view = get_evidence(store, evidence_id)
    if view is None:
        raise ValueError(f"no evidence item {evidence_id}")
    if focus_area_id in view.item.focus_areas:
        return
    stamp = now()
    with store.write() as db:
        require(db, actor, Change.TAG)
        db.execute(
            "INSERT INTO evidence_tags (evidence_id, focus_area_id, created_by, created_at, updated_by, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (evidence_id, focus_area_id) DO UPDATE SET "
            "deleted_at = NULL, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
            [evidence_id, focus_area_id, actor, stamp, actor, stamp],
        )


def tags_on_note(store: Store, note_id: str) -> dict[str, list[Tag]]:
    """Tags others gave to the items of one note, by item id: the author sees them beside the
    note ("tagged #practice by Priya Natarajan")."""
    sql = (
        "SELECT t.evidence_id, e.text, t.focus_area_id, t.updated_by, coalesce(r.name, t.updated_by) AS name, "
        "t.updated_at FROM evidence_tags t JOIN evidence e ON e.id = t.evidence_id "
        "LEFT JOIN reviewers r ON r.id = t.updated_by "
        "WHERE e.note_id = ? AND t.deleted_at IS NULL ORDER BY t.updated_at"
    )
    found: dict[str, list[Tag]] = {}
    with store.read() as db:
        for row in db.query(sql, [note_id]):
            at = dt.datetime.fromisoformat(row["updated_at"].replace("Z", "+00:00"))
            tag = Tag(
                row["evidence_id"], row["text"], row["focus_area_id"], row["updated_by"], row["name"], at
            )
            found.setdefault(tag.evidence_id, []).append(tag)
    return found
