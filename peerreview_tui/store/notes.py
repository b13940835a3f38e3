"""Notes: one per reviewer per session, saved whole on every autosave."""

from __future__ import annotations

import json

from ..models import Attendee, Note, SessionRow, note_id, now
from . import evidence_items
from .connection import StoreError
from .review import Store


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
    same transaction; the caller keeps its text on failure. ``actor`` defaults to the author."""
    actor = actor or author_id
    review = store.review()
    if review is None:
        raise StoreError("no review loaded")
    stamp = now()
    row_id = note_id(review.id, session_id, author_id)
    fields: dict[str, str] = {"body": body}
    if attendance is not None:
        fields["attendance"] = json.dumps([a.model_dump() for a in attendance], ensure_ascii=False)
    with store.write() as db:
        exists = next(db.query("SELECT 1 AS x FROM notes WHERE id = ?", [row_id]), None)
        if exists:
            db.table("notes").update(row_id, {**fields, "updated_by": actor, "updated_at": stamp})
        else:
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
        session = SessionRow.model_validate(
            next(db.query("SELECT * FROM sessions WHERE id = ?", [session_id]))
        )
        evidence_items.sync_note_evidence(db, note, session, actor)
    return note


def append_to_note(store: Store, session_id: str, author_id: str, text: str) -> Note:
    """Add ``text`` at the end of the reviewer's note, on a new line."""
    with store.lock:  # read-modify-write, kept whole against the UI's autosave
        current = get_note(store, session_id, author_id)
        body = current.body if current else ""
        if body and not body.endswith("\n"):
            body += "\n"
        return save_note(store, session_id, author_id, body + text)


def note_authors(store: Store) -> dict[str, set[str]]:
    """For each session with notes, who has written some (for the schedule's status marks)."""
    authors: dict[str, set[str]] = {}
    with store.read() as db:
        for row in db.query("SELECT session_id, author_id FROM notes WHERE body != ''"):
            authors.setdefault(row["session_id"], set()).add(row["author_id"])
    return authors
