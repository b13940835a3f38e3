"""Conflicts: versions of a row that lost a merge to a concurrent change, kept for the lead."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, Literal

from ..models import Attendee, now
from ..names import Names, session_label
from ..ownership import Change
from ..store import Store, audit, notes
from ..store.ownership import require
from .bundle import SyncError
from .tables import BY_NAME, Row, content, upsert

Keep = Literal["winner", "loser"]


@dataclass(frozen=True)
class Conflict:
    id: str
    table_name: str
    row_id: str
    loser: Row  # the version kept aside
    winner_updated_by: str
    winner_updated_at: str
    merged_by: str  # who merged the bundle that showed it, and when
    merged_at: str
    resolution: Keep | None
    resolved_by: str | None
    resolved_at: str | None

    @property
    def short_id(self) -> str:
        return self.id[:8]

    @property
    def loser_updated_by(self) -> str:
        return str(self.loser.get("updated_by", "?"))

    @property
    def loser_updated_at(self) -> str:
        return str(self.loser.get("updated_at", "?"))

    def subject(self, names: Names | None = None) -> str:
        """What the row is, in words: "Priya Natarajan's note for Monday 09:30 Director of
        children's services" (ids only where ``names`` does not know them)."""
        names = names or Names()
        row = self.loser
        if self.table_name == "notes":
            return f"{names.reviewer(row['author_id'])}'s note for {names.session(row['session_id'])}"
        if self.table_name == "findings":
            return f"finding '{row['title']}'"
        if self.table_name == "sessions":
            return (
                f"session {session_label(dt.date.fromisoformat(row['day']), row['start_time'], row['title'])}"
            )
        if self.table_name == "evidence":
            return f"{names.reviewer(row['author_id'])}'s evidence item: {_excerpt(row['text'])}"
        if self.table_name == "finding_evidence":
            return f"citation of evidence {row['evidence_id'][:8]} in finding {row['finding_id'][:8]}"
        return f"{self.table_name} row {self.row_id}"


def _excerpt(text: object, width: int = 40) -> str:
    words = " ".join(str(text).split())
    return f"'{words}'" if len(words) <= width else f"'{words[: width - 1].rstrip()}…'"


def list_conflicts(store: Store, *, include_resolved: bool = False) -> list[Conflict]:
    """Open conflicts (with ``include_resolved``, all), oldest first."""
    where = "" if include_resolved else " WHERE resolution IS NULL"
    with store.read() as db:
        rows = list(db.query(f"SELECT * FROM conflicts{where} ORDER BY created_at, id"))
    return [_conflict(row) for row in rows]


def get_conflict(store: Store, conflict_id: str) -> Conflict:
    """By id or by the start of one (as the CLI shows it)."""
    with store.read() as db:
        rows = list(db.query("SELECT * FROM conflicts WHERE id LIKE ? || '%' LIMIT 2", [conflict_id.lower()]))
    if not rows or not conflict_id:
        raise SyncError(f"no conflict '{conflict_id}'; 'peerreview conflicts' lists them")
    if len(rows) > 1:
        raise SyncError(f"'{conflict_id}' names several conflicts; give more of its id")
    return _conflict(rows[0])


def current_row(store: Store, conflict: Conflict) -> Row | None:
    """The version in place now (None if the row was deleted)."""
    table = BY_NAME[conflict.table_name]
    where = " AND ".join(f"{column} = ?" for column in table.key)
    values = [conflict.loser[column] for column in table.key]
    with store.read() as db:
        return next(db.query(f"SELECT * FROM {table.name} WHERE {where}", values), None)


def differences(store: Store, conflict: Conflict) -> dict[str, tuple[Any, Any]]:
    """Field -> (in place, kept aside), for the fields that differ (stamps aside)."""
    now_row = content(current_row(store, conflict) or {})
    kept = content(conflict.loser)
    return {key: (now_row.get(key), value) for key, value in kept.items() if now_row.get(key) != value}


def resolve_conflict(store: Store, conflict_id: str, keep: Keep, actor: str) -> Conflict:
    """Settle a conflict: keep the ``winner`` in place (the other version is dropped), or put the
    ``loser`` back in place as a new change by ``actor``, which then travels like any change."""
    if keep not in ("winner", "loser"):
        raise ValueError(f"keep the 'winner' or the 'loser', not {keep!r}")
    conflict = get_conflict(store, conflict_id)
    if conflict.resolution is not None:
        raise SyncError(
            f"conflict {conflict.short_id} was already settled by {conflict.resolved_by} (kept the {conflict.resolution})"
        )
    stamp = now()
    author = conflict.loser.get("author_id") if conflict.table_name == "notes" else None
    with store.write() as db:
        require(db, actor, Change.RESOLVE_CONFLICT, author=author)
        if keep == "loser":
            _restore(store, conflict, actor, stamp)
        db.execute(
            "UPDATE conflicts SET resolution = ?, resolved_by = ?, resolved_at = ?, updated_by = ?, updated_at = ? "
            "WHERE id = ?",
            [keep, actor, stamp, actor, stamp, conflict.id],
        )
        changes = {
            "conflict": conflict.id,
            "kept": keep,
            "other_by": conflict.winner_updated_by if keep == "loser" else conflict.loser_updated_by,
        }
        audit.record(
            db,
            at=stamp,
            actor=actor,
            table=conflict.table_name,
            row_id=conflict.row_id,
            action="resolve conflict",
            changes=changes,
        )
    return get_conflict(store, conflict.id)


def _restore(store: Store, conflict: Conflict, actor: str, stamp: str) -> None:
    row = conflict.loser
    if conflict.table_name == "notes":
        # Through the store, so the note's evidence items follow its restored text. The text is
        # the author's own earlier version: it stays theirs; the audit row says who settled.
        attendance = [Attendee.model_validate(a) for a in json.loads(row["attendance"])]
        notes.save_note(store, row["session_id"], row["author_id"], row["body"], attendance)
        return
    with store.write() as db:
        upsert(db, BY_NAME[conflict.table_name], row | {"updated_by": actor, "updated_at": stamp})


def _conflict(row: Row) -> Conflict:
    return Conflict(
        id=row["id"],
        table_name=row["table_name"],
        row_id=row["row_id"],
        loser=json.loads(row["loser"]),
        winner_updated_by=row["winner_updated_by"],
        winner_updated_at=row["winner_updated_at"],
        merged_by=row["created_by"],
        merged_at=row["created_at"],
        resolution=row["resolution"],
        resolved_by=row["resolved_by"],
        resolved_at=row["resolved_at"],
    )
