"""Notes: one per reviewer per session, saved whole on every autosave.

A note can change under the app that has it open: ``peerreview note add`` in another terminal,
or a merge bringing the same reviewer's other laptop. So the app's save says what it last read
(a ``Base``); inside the write transaction the row is compared with it, and if it changed the
two are merged three ways, the text last read being the base. Lines changed on both sides are
all kept, the writer's first: nothing typed anywhere is lost, and the writer is told.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

from sqlite_utils import Database

from ..models import Attendee, Note, SessionRow, note_id, now, validated_session_row
from ..ownership import Change
from . import audit, evidence_items
from .connection import StoreError
from .ownership import require
from .review import Store


@dataclass(frozen=True)
class Base:
    """What a writer's text grew from: the body and attendance it last read or wrote, and the
    version of the row that held them ("" for no row; None when that text was never a row of
    its own, e.g. the writer's half of a merge, so the next save merges again)."""

    body: str
    attendance: tuple[Attendee, ...] = ()
    version: str | None = ""


@dataclass(frozen=True)
class SavedNote:
    note: Note  # the row as written: the writer's text, or the merge of it
    merged: bool = False  # the note had changed since the writer's base: the two were merged
    collisions: int = 0  # places changed on both sides, where both versions were kept
    restored_session: bool = False  # the session was gone: it is back, cancelled, with the note


def version(note: Note | None) -> str:
    """A token that changes whenever the row is written with other content (or stamp)."""
    if note is None:
        return ""
    text = json.dumps([note.updated_at, note.body, _attendance_json(note.attendance)])
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def base_of(note: Note | None) -> Base:
    """The base for a writer that has just read ``note`` (None: there was no note)."""
    if note is None:
        return Base("")
    return Base(note.body, tuple(note.attendance), version(note))


def merge_text(base: str, mine: str, theirs: str) -> tuple[str, int]:
    """Three-way merge of note text, line by line (merge3). Where both sides changed the same
    lines, all of them are kept, ``mine`` first; returns the text and how many such places."""
    # Split on "\n" only, keeping the empty string after a final newline as a line of its own:
    # a last line typed without a newline then never runs into a line appended after it.
    from merge3 import Merge3  # only when two writers met: kept off the app's start-up path

    merger = Merge3(base.split("\n"), mine.split("\n"), theirs.split("\n"))
    lines: list[str] = []
    collisions = 0
    for region in merger.reprocess_merge_regions(merger.merge_regions()):
        kind = region[0]
        if kind == "unchanged":
            lines += merger.base[region[1] : region[2]]
        elif kind in ("a", "same"):
            lines += merger.a[region[1] : region[2]]
        elif kind == "b":
            lines += merger.b[region[1] : region[2]]
        else:  # a conflict: both kept
            assert len(region) == 7
            collisions += 1
            lines += merger.a[region[3] : region[4]]
            lines += merger.b[region[5] : region[6]]
    return _tidy("\n".join(lines)), collisions


def _tidy(text: str) -> str:
    # A collision at the end keeps both sides' final empty "line": one newline at the end is enough.
    return text[: len(text.rstrip("\n")) + 1] if text.endswith("\n\n") else text


def get_note(store: Store, session_id: str, author_id: str) -> Note | None:
    with store.read() as db:
        row = next(
            db.query("SELECT * FROM notes WHERE session_id = ? AND author_id = ?", [session_id, author_id]),
            None,
        )
    return Note.model_validate(row) if row else None


def notes_for_session(store: Store, session_id: str) -> list[Note]:
    with store.read() as db:
        rows = list(db.query("SELECT * FROM notes WHERE session_id = ? ORDER BY author_id", [session_id]))
    return [Note.model_validate(row) for row in rows]


def session_note_authors(store: Store, session_id: str) -> set[str]:
    """Who has written in a note for the session (a note opened and left empty aside)."""
    with store.read() as db:
        rows = db.query("SELECT author_id FROM notes WHERE session_id = ? AND body != ''", [session_id])
        return {row["author_id"] for row in rows}


def save_note(
    store: Store,
    session_id: str,
    author_id: str,
    body: str,
    attendance: list[Attendee] | None = None,
    *,
    actor: str | None = None,
) -> Note:
    """Write the whole note (creating it the first time) and re-derive its evidence items in the
    same transaction; the caller keeps its text on failure. ``actor`` defaults to the author.

    This replaces whatever the note holds: for a writer with no earlier version of it (a demo,
    a version chosen to settle a conflict). An editor that read the note first uses
    ``save_note_since``."""
    with store.write() as db:
        current = _current(db, store, session_id, author_id)
        return _write(db, store, session_id, author_id, body, attendance, current, actor or author_id).note


def save_note_since(
    store: Store,
    session_id: str,
    author_id: str,
    body: str,
    attendance: Sequence[Attendee] | None = None,
    *,
    base: Base,
    actor: str | None = None,
    session: SessionRow | None = None,
) -> SavedNote:
    """Save ``body`` (and ``attendance``) typed over ``base``. If the note is no longer the
    version ``base`` came from, the note as it is now and ``body`` are merged three ways (and
    attendance changed by the writer wins over the other side's). If the session is gone (a
    reload removed it meanwhile) it comes back cancelled, from its tombstone or else from
    ``session`` as the writer read it, so the text is never refused."""
    actor = actor or author_id
    with store.write() as db:
        current = _current(db, store, session_id, author_id)
        merged, collisions = False, 0
        if current is not None:
            now_there = _content(current.body, current.attendance)
            if version(current) != base.version and now_there != _content(base.body, base.attendance):
                merged = True
                body, collisions = merge_text(base.body, body, current.body)
                if attendance is None or _attendance_json(attendance) == _attendance_json(base.attendance):
                    attendance = current.attendance
            if _content(body, current.attendance if attendance is None else attendance) == now_there:
                return SavedNote(current, merged, collisions)  # nothing new to write: no write
        restored = _restore_session(db, session_id, session, actor)
        saved = _write(db, store, session_id, author_id, body, attendance, current, actor)
        return SavedNote(saved.note, merged, collisions, restored)


def append_to_note(store: Store, session_id: str, author_id: str, text: str) -> Note:
    """Add ``text`` at the end of the reviewer's note, on a new line. Read and written in one
    write transaction, so appends from several programs at once all land, in turn."""
    with store.write() as db:
        current = _current(db, store, session_id, author_id)
        body = current.body if current else ""
        if body and not body.endswith("\n"):
            body += "\n"
        return _write(db, store, session_id, author_id, body + text, None, current, author_id).note


# --- inside the write transaction ----------------------------------------------------------


def _current(db: Database, store: Store, session_id: str, author_id: str) -> Note | None:
    row = next(db.query("SELECT * FROM notes WHERE id = ?", [_note_id(store, session_id, author_id)]), None)
    return Note.model_validate(row) if row else None


def _note_id(store: Store, session_id: str, author_id: str) -> str:
    review = store.review()
    if review is None:
        raise StoreError("no review loaded")
    return note_id(review.id, session_id, author_id)


def _write(
    db: Database,
    store: Store,
    session_id: str,
    author_id: str,
    body: str,
    attendance: Sequence[Attendee] | None,
    current: Note | None,
    actor: str,
) -> SavedNote:
    """Write the note whole and re-derive its evidence items; only its author may."""
    require(db, actor, Change.NOTE, author=author_id)
    stamp = now()
    row_id = _note_id(store, session_id, author_id)
    fields: dict[str, str] = {"body": body}
    if attendance is not None:
        fields["attendance"] = _attendance_json(attendance)
    if current is not None:
        db.table("notes").update(row_id, {**fields, "updated_by": actor, "updated_at": stamp})
    else:
        if next(db.query("SELECT 1 AS x FROM sessions WHERE id = ?", [session_id]), None) is None:
            raise StoreError(f"no session '{session_id}' in this review")
        db.table("notes").insert(
            {
                "id": row_id,
                "session_id": session_id,
                "author_id": author_id,
                "attendance": "[]",
                **fields,
                "created_by": actor,
                "created_at": stamp,
                "updated_by": actor,
                "updated_at": stamp,
            }
        )
    note = Note.model_validate(next(db.query("SELECT * FROM notes WHERE id = ?", [row_id])))
    session = SessionRow.from_row(next(db.query("SELECT * FROM sessions WHERE id = ?", [session_id])))
    evidence_items.sync_note_evidence(db, note, session, actor)
    return SavedNote(note)


def _restore_session(db: Database, session_id: str, known: SessionRow | None, actor: str) -> bool:
    """Bring back a session that is gone, as cancelled and removed from the schedule (as a
    reload keeps a session with notes): from its tombstone, else as the writer read it.
    False if it was there all along; StoreError if there is nothing to bring back."""
    if next(db.query("SELECT 1 AS x FROM sessions WHERE id = ?", [session_id]), None) is not None:
        return False
    stamp = now()
    tomb = next(
        db.query(
            "SELECT row, deleted_at FROM tombstones WHERE table_name = 'sessions' AND row_id = ?",
            [session_id],
        ),
        None,
    )
    row = _from_tombstone(tomb["row"]) if tomb else None
    if row is None and known is not None and known.id == session_id:
        row = _session_record(known)
    if row is None:
        raise StoreError(f"no session '{session_id}' in this review")
    row |= {
        "status": "cancelled",
        "removed_at": row.get("removed_at") or (tomb["deleted_at"] if tomb else stamp),
        "updated_by": actor,
        "updated_at": stamp,
    }
    db.table("sessions").insert(row)
    audit.record(
        db,
        at=stamp,
        actor=actor,
        table="sessions",
        row_id=session_id,
        action="restore",
        changes={"status": [None, "cancelled"]},  # back, for a note saved after a reload removed it
    )
    return True


_SESSION_FIELDS = tuple(field.name for field in fields(SessionRow))


def _from_tombstone(text: str) -> dict[str, Any] | None:
    """The deleted row, if the tombstone holds a whole one (it may have come in a bundle)."""
    try:
        row = json.loads(text)
        validated_session_row(row)
    except (ValueError, TypeError):  # bad JSON, or not a session row (pydantic's error is a ValueError)
        return None
    return {name: row[name] for name in _SESSION_FIELDS if name in row}


def _session_record(session: SessionRow) -> dict[str, Any]:
    return session.to_row()


def _content(body: str, attendance: Sequence[Attendee]) -> tuple[str, str]:
    return body, _attendance_json(attendance)


def _attendance_json(attendance: Sequence[Attendee]) -> str:
    return json.dumps([a.model_dump() for a in attendance], ensure_ascii=False)
