"""The audit trail: who changed what and when, for findings, on-site schedule changes, conflict
choices and merges.

Rows hold field names, wording of findings and ids, never note text. One writer for every kind
of change, so the row's shape is written down once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..rows import new_id
from .review import Store

if TYPE_CHECKING:
    from sqlite_utils import Database


@dataclass(frozen=True)
class AuditEntry:
    at: str
    actor: str
    action: str
    changes: dict[str, Any]


def record(
    db: Database, *, at: str, actor: str, table: str, row_id: str, action: str, changes: dict[str, Any]
) -> None:
    """Write one audit row, inside the caller's write transaction."""
    db.execute(
        "INSERT INTO audit (id, at, actor, table_name, row_id, action, changes) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [new_id(), at, actor, table, row_id, action, json.dumps(changes, ensure_ascii=False)],
    )


def trail(store: Store, table: str, row_id: str) -> list[AuditEntry]:
    """The changes to one row, oldest first."""
    sql = (
        "SELECT at, actor, action, changes FROM audit WHERE table_name = ? AND row_id = ? ORDER BY at, rowid"
    )
    with store.read() as db:
        rows = list(db.query(sql, [table, row_id]))
    return [AuditEntry(row["at"], row["actor"], row["action"], json.loads(row["changes"])) for row in rows]
