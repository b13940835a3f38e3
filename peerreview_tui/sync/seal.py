"""Sealing: signing this laptop's own versions before they leave it (``peerreview_tui.signing``
says why at bundle time, not as they are typed).

A version is this laptop's own when no signed log entry covers it: merge takes in no version
without one, so an unsigned version was made here. Three kinds are left unsigned on purpose:
rows loaded from the schedule file, a purge's blanking, and the row merge keeps (marked) when a
deletion wins over a row others still refer to, which every laptop derives from the signed
deletion itself.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from sqlite_utils import Database

from ..models import SCHEDULE_AUTHOR, now
from ..store import signatures
from ..store.purge import PURGE_AUTHOR
from .tables import BY_NAME, TABLES, kept_row, row_hash

# Who writes unsigned versions, and of which tables (nowhere else is their name taken unsigned).
UNSIGNED = {
    SCHEDULE_AUTHOR: frozenset({"review", "days", "focus_areas", "reviewers", "sessions", "tombstones"}),
    PURGE_AUTHOR: frozenset({"notes", "evidence", "conflicts", "tombstones"}),
}


def unsigned_on_purpose(table: str, author: Any) -> bool:
    return table in UNSIGNED.get(author, ())


TOMBSTONES = "tombstones"  # the table name a deletion is signed under


def author_of(table: str, row: Mapping[str, Any]) -> Any:
    return row["deleted_by"] if table == TOMBSTONES else row[BY_NAME[table].by]


def stamp_of(table: str, row: Mapping[str, Any]) -> Any:
    return row["deleted_at"] if table == TOMBSTONES else row[BY_NAME[table].stamp]


def key_of(table: str, row: Mapping[str, Any]) -> str:
    return str(row["id"]) if table == TOMBSTONES else BY_NAME[table].row_key(row)


def is_derived(
    table: str, row: Mapping[str, Any], tombs: Mapping[tuple[str, str], Mapping[str, Any]]
) -> bool:
    """Whether ``row`` is the marked row merge keeps for a deletion (``tables.kept_row``)."""
    tomb = tombs.get((table, key_of(table, row)))
    return tomb is not None and row_hash(kept_row(table, tomb)) == row_hash(row)


def pending(db: Database) -> Iterator[tuple[str, str, str, str, str]]:
    """(table, row key, hash, stamp, author) of each version here that needs its author's
    signature and has none yet."""
    signed = signatures.signed_versions(db)
    signed_audit = {key for table, key, _, _ in signed if table == "audit"}
    team = {row["id"] for row in db.query("SELECT id FROM reviewers")}
    tombs = {(t["table_name"], t["row_id"]): t for t in db.query("SELECT * FROM tombstones")}
    for name in [*(table.name for table in TABLES), TOMBSTONES]:
        for row in db.query(f"SELECT * FROM {name}"):
            author = author_of(name, row)
            if unsigned_on_purpose(name, author) or author not in team:
                continue  # a version by no reviewer stays unsigned, and is refused where it arrives
            version = (name, key_of(name, row), row_hash(row), author)
            if name == "audit" and version[1] in signed_audit:
                continue  # written once: a changed entry is not signed again (verify reports it)
            if version not in signed and not is_derived(name, row, tombs):
                yield (*version[:3], stamp_of(name, row), author)


def seal(db: Database, actor: str | None) -> int:
    """Sign what is pending (the key pairs made as needed, the acting reviewer's always); on
    the lead's laptop, pin the lead's key and enrol the keys this laptop holds. Returns how many
    versions were signed."""
    if actor is not None and next(db.query("SELECT 1 AS x FROM reviewers WHERE id = ?", [actor]), None):
        signatures.ensure_key(db, actor)
    count = signatures.sign_versions(db, sorted(pending(db), key=lambda v: (v[3], v[0], v[1])))
    pin_own_lead_key(db)
    return count


def pin_own_lead_key(db: Database) -> None:
    """A laptop holding the lead's key pair is the lead's: it pins that key, and enrols every key
    it holds (their owners work on the lead's own laptop)."""
    lead = next(db.query("SELECT id FROM reviewers WHERE is_lead = 1 AND retired = 0"), None)
    held = signatures.held_keys(db)
    if lead is None or lead["id"] not in held:
        return
    if signatures.lead_key(db) is None:
        signatures.pin_lead_key(db, held[lead["id"]])
    if signatures.lead_key(db) != held[lead["id"]]:
        return  # another key was pinned as the lead's (this one was made after joining): not the lead's
    enrolled = signatures.enrolments(db)
    for reviewer, public in held.items():
        if public not in enrolled:
            signatures.enrol(db, reviewer, public, at=now())
