"""Purge after the letter is issued: the words of the notes go, what the letter stands on stays.

Blanked: note bodies, the roles and organisations in attendance (who was present and who came
unplanned are kept, so head counts still work), the text of every evidence item (quotes are
evidence of kind quote) and the titles of items taken from notes. Kept: the schedule, the
findings (the team's own wording, in the letter), every notes and evidence row with its kind,
source, session and focus areas (the counts of the letter's method section and the coverage
matrix), the ``data`` of data items, document titles, the audit trail (field names and finding
wording, never note text). Purged rows are stamped as changed by ``purge`` now, so the purge is
the newest version of each row and an older copy in a bundle does not win a merge over it. The copies of notes and evidence rows that
sync keeps as JSON (a merge's losing versions in ``conflicts``, deleted rows in ``tombstones``)
are blanked the same way.

Then the search index is rebuilt from the blanked notes, the file is VACUUMed (secure_delete is
on for every connection as well) and its write-ahead log emptied, so the text is in no page of
any file. The review's backups are wiped (zeros, then unlinked) and replaced by one fresh backup
of the purged database: cheaper and surer than opening and purging each old copy.

A note that the purge has begun is written before anything changes (see ``unfinished``): if it
is interrupted, the next program to open the review does it again from the start, whatever point
it had reached, so no backup keeps the text.
"""

from __future__ import annotations

import json
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from sqlite_utils import Database

from ..models import ReviewRow, now
from .backup import Reason
from .connection import StoreError
from .unfinished import Unfinished, begin

LETTER_EXPORTED = "letter_exported_at"  # meta key the letter export writes
NOTES_PURGED = "notes_purged_at"
PURGE_AUTHOR = "purge"
# Tables of sync holding whole rows as JSON, and their column of JSON (when the schema has them)
_ROW_COPIES = {"conflicts": "loser", "tombstones": "row"}


@dataclass(frozen=True)
class Purged:
    notes: int
    evidence: int
    copies: int  # rows kept by sync (conflicts, tombstones)
    backups_removed: int
    backup: Path


class OpenReview(Protocol):
    """What a purge needs of ``Store`` (which imports this module to finish an interrupted
    purge when it opens a review, so this module cannot import it)."""

    path: Path

    def get_meta(self, key: str) -> str | None: ...
    def review(self) -> ReviewRow | None: ...
    def alone(self) -> AbstractContextManager[None]: ...
    def write(self) -> AbstractContextManager[Database]: ...
    def read(self) -> AbstractContextManager[Database]: ...
    def checkpoint(self) -> None: ...
    def replace_backups(self, reason: Reason) -> tuple[int, Path]: ...


def purge_notes(store: OpenReview, *, force: bool = False, unfinished: Unfinished | None = None) -> Purged:
    """Remove the text of the notes and evidence from the review and its backups. Refused until
    the letter has been exported, unless ``force``. ``unfinished``: the note of an interrupted
    purge, which this one completes."""
    if not force and store.get_meta(LETTER_EXPORTED) is None:
        raise StoreError(
            "the letter has not been exported from this review yet; purge the notes once it has been "
            "issued (or use --force)"
        )
    stamp = now()
    with store.alone():
        if unfinished is None:
            review = store.review()
            unfinished = begin(store.path, "purge", review.id if review else None)
        try:
            purged = _purge(store, stamp)
        except BaseException:
            unfinished.release()  # the next program to open the review completes it
            raise
    unfinished.done()
    return purged


def _purge(store: OpenReview, stamp: str) -> Purged:
    with store.write() as db:
        attendance = [
            {"id": row["id"], "attendance": _anonymous(row["attendance"])}
            for row in db.query("SELECT id, attendance FROM notes")
        ]
        db.conn.executemany("UPDATE notes SET attendance = :attendance WHERE id = :id", attendance)
        notes = db.execute(
            "UPDATE notes SET body = '', updated_by = ?, updated_at = ?", [PURGE_AUTHOR, stamp]
        ).rowcount
        evidence = db.execute(
            "UPDATE evidence SET text = '', title = iif(note_id IS NULL AND kind != 'quote', title, ''), "
            "updated_by = ?, updated_at = ?",
            [PURGE_AUTHOR, stamp],
        ).rowcount
        copies = _purge_row_copies(db, stamp)
        # 'rebuild' drops every index segment, old words included, and re-indexes the
        # (now empty) bodies
        db.execute("INSERT INTO notes_fts (notes_fts) VALUES ('rebuild')")
        db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [NOTES_PURGED, stamp],
        )
    with store.read() as db:
        db.execute("VACUUM")  # a new file from the live rows: no free page keeps old text
    store.checkpoint()
    removed, fresh = store.replace_backups("purge")
    return Purged(notes, evidence, copies, removed, fresh)


def _purge_row_copies(db: Database, stamp: str) -> int:
    """Blank the notes and evidence rows that sync keeps as JSON; returns how many."""
    count = 0
    for table, column in _ROW_COPIES.items():
        if not db[table].exists():
            continue
        stamped = "updated_by" in db[table].columns_dict
        rows = list(
            db.query(
                f"SELECT id, table_name, {column} AS copy FROM {table} WHERE table_name IN ('notes', 'evidence')"
            )
        )
        for row in rows:
            copy = _blanked(row["table_name"], json.loads(row["copy"]))
            values = {column: json.dumps(copy, ensure_ascii=False)}
            if stamped:
                values |= {"updated_by": PURGE_AUTHOR, "updated_at": stamp}
            db.table(table).update(row["id"], values)
        count += len(rows)
    return count


def _blanked(table: str, row: dict[str, Any]) -> dict[str, Any]:
    """A notes or evidence row as the purge leaves it."""
    if table == "notes":
        return row | {"body": "", "attendance": _anonymous(row.get("attendance") or "[]")}
    keep_title = row.get("note_id") is None and row.get("kind") != "quote"
    return row | {"text": "", "title": row.get("title", "") if keep_title else ""}


def _anonymous(attendance: str | list[Any]) -> str:
    """Each attendee kept as present or not, planned or not; their role and organisation gone."""
    try:
        people = json.loads(attendance or "[]") if isinstance(attendance, str) else attendance
    except ValueError:
        people = []
    kept = [
        {
            "role": "",
            "organisation": "",
            "present": bool(p.get("present", True)),
            "extra": bool(p.get("extra", False)),
        }
        for p in people
        if isinstance(p, dict)
    ]
    return json.dumps(kept)
