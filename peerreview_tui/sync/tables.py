"""What travels in a bundle, and how two versions of one row compare.

A *version* is a row as some laptop held it. Versions of one row are ordered by their stamp
(``updated_at``, ``at`` for audit rows), then a deletion before a row, then who, then a hash of
the whole row: a total order every laptop computes alike, so "the greatest version wins" gives
the same database whatever order bundles arrive in.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from ..models import SCHEDULE_AUTHOR

Row = dict[str, Any]
STAMPS = frozenset({"created_by", "created_at", "updated_by", "updated_at"})


@dataclass(frozen=True)
class Table:
    name: str
    key: tuple[str, ...] = ("id",)
    stamp: str = "updated_at"
    by: str = "updated_by"
    tombstones: bool = False  # rows deleted outright leave a tombstone (see migrations)

    def row_key(self, row: Mapping[str, Any]) -> str:
        return "/".join(str(row[column]) for column in self.key)

    def order(self, row: Mapping[str, Any]) -> tuple[Any, ...]:
        resolved = self.name == "conflicts" and row["resolved_at"] is not None
        # A resolved conflict stays resolved, whoever detects it again later.
        return (resolved, row[self.stamp], 0, row[self.by], row_hash(row))


# Parents before children, so each row's references are in place when it is written.
TABLES: tuple[Table, ...] = (
    Table("days"),
    Table("focus_areas"),
    Table("reviewers"),
    Table("review"),
    Table("sessions", tombstones=True),
    Table("notes"),
    Table("evidence", tombstones=True),
    Table("evidence_tags", key=("evidence_id", "focus_area_id")),
    Table("evidence_lines", key=("evidence_id", "line_id")),
    Table("follow_ups", key=("evidence_id",)),
    Table("findings"),
    Table("finding_evidence", key=("finding_id", "evidence_id")),
    Table("audit", stamp="at", by="actor"),
    Table("conflicts"),
)
BY_NAME = {table.name: table for table in TABLES}
# Which rows keep a row with a tombstone from being deleted (it is kept, marked, instead).
REFERENCED_BY: dict[str, tuple[tuple[str, str], ...]] = {
    "evidence": (
        ("finding_evidence", "evidence_id"),
        ("evidence_tags", "evidence_id"),
        ("evidence_lines", "evidence_id"),
        ("follow_ups", "evidence_id"),
        ("follow_ups", "answer_id"),
    ),
    "sessions": (("notes", "session_id"), ("evidence", "session_id"), ("follow_ups", "session_id")),
}


@dataclass
class State:
    """One table as it stands here during a merge."""

    table: Table
    rows: dict[str, Row]
    tombs: dict[str, Row]
    seen: dict[str, set[str]]  # row key -> hashes of versions known here

    def is_new(self, key: str, row: Mapping[str, Any]) -> bool:
        """Whether ``row`` is a version this laptop has never held nor heard of."""
        digest, local = row_hash(row), self.rows.get(key)
        return (local is None or row_hash(local) != digest) and digest not in self.seen.get(key, ())

    def wins(self, key: str, row: Mapping[str, Any]) -> bool:
        """Whether ``row`` is greater than the version here and any deletion of it."""
        local, tomb = self.rows.get(key), self.tombs.get(key)
        order = self.table.order(row)
        return (local is None or order > self.table.order(local)) and (
            tomb is None or order > tombstone_order(tomb)
        )


# One encoder for every hash: ``json.dumps`` with these arguments makes one per call.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def row_hash(row: Mapping[str, Any]) -> str:
    if type(row) is Version:
        return row.digest
    return _digest(row)


def _digest(row: Mapping[str, Any]) -> str:
    return hashlib.sha256(_CANONICAL.encode(row).encode()).hexdigest()[:32]


class Version(dict[str, Any]):
    """A row as a merge reads it, from a bundle or from here: never changed, so its hash is
    worked out once (a merge checks a version's signature, then compares it, often several
    times). Changing it raises; a changed copy (``version | {...}``) is a plain dict."""

    __slots__ = ("_digest",)
    _digest: str

    @property
    def digest(self) -> str:
        try:
            return self._digest
        except AttributeError:
            self._digest = _digest(self)
            return self._digest

    def _unchangeable(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("a row version read for a merge is never changed")

    __setitem__ = __delitem__ = __ior__ = clear = pop = popitem = setdefault = update = _unchangeable


def content(row: Mapping[str, Any]) -> Row:
    """The row without who made it and when: two laptops that loaded the same schedule file hold
    rows that differ only there, which is no conflict."""
    return {key: value for key, value in row.items() if key not in STAMPS}


def tombstone_order(tomb: Mapping[str, Any]) -> tuple[Any, ...]:
    # On an equal stamp the deletion wins: the trigger stamps it no earlier than the row it removed.
    return (False, tomb["deleted_at"], 1, tomb["deleted_by"], row_hash(tomb))


def kept_row(table: str, tomb: Mapping[str, Any]) -> Row:
    """A deleted row that something still refers to is kept, marked the way the store marks it
    (a session cancelled and removed, an evidence item detached), stamped as the deletion."""
    row: Row = json.loads(tomb["row"])
    if table == "sessions":
        row |= {"status": "cancelled", "removed_at": tomb["deleted_at"]}
    else:
        row |= {"detached": 1}
    return row | {"updated_by": tomb["deleted_by"], "updated_at": tomb["deleted_at"]}


def remakeable(table: Table, row: Mapping[str, Any]) -> bool:
    """A version written by loading the schedule file can be made again from the file: when it
    loses a merge it is not kept as a conflict."""
    return table.by == "updated_by" and row.get("updated_by") == SCHEDULE_AUTHOR


def columns(db: Database, table: str) -> list[str]:
    return [row[1] for row in db.execute(f"PRAGMA table_info({table})").fetchall()]


def upsert(db: Database, table: Table, row: Mapping[str, Any]) -> None:
    """Write ``row`` whole, inserting it or replacing the row with its key (an UPDATE, so the
    notes' search index follows through its triggers)."""
    db.execute(upsert_sql(table, tuple(row)), list(row.values()))


@functools.lru_cache(maxsize=256)
def upsert_sql(table: Table, names: tuple[str, ...]) -> str:
    """The statement ``upsert`` runs for a row of ``table`` with the columns ``names`` (one per
    table and set of columns: a merge writes thousands of rows with it, in batches)."""
    updates = ", ".join(f"{name} = excluded.{name}" for name in names if name not in table.key)
    return (
        f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))}) "
        f"ON CONFLICT ({', '.join(table.key)}) DO UPDATE SET {updates}"
    )
