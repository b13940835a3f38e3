"""The week in the store: loading a schedule (first time or revised) and reading it back."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..clashes import Slot, find_clashes
from ..names import Names
from ..ownership import Change
from ..rows import (
    SCHEDULE_AUTHOR,
    DayRow,
    FocusAreaRow,
    ReviewerRow,
    SessionOrigin,
    SessionRow,
    SessionStatus,
    new_id,
    now,
)
from . import audit
from .connection import StoreError
from .ownership import require
from .review import Store

if TYPE_CHECKING:
    from sqlite_utils import Database

    from ..models import Schedule


@dataclass
class ScheduleChanges:
    """What loading a schedule did, for the user to read."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)  # gone from the file, kept for their notes
    removed: list[str] = field(default_factory=list)  # gone from the file, nothing attached
    other_updates: int = 0  # focus areas, reviewers and days added, changed or retired

    def summary(self) -> str:
        parts = [
            f"{len(self.added)} sessions added",
            f"{len(self.updated)} updated",
            f"{len(self.removed)} removed",
        ]
        if self.cancelled:
            parts.append(f"{len(self.cancelled)} cancelled (removed from the file but kept: they have notes)")
        if self.restored:
            parts.append(f"{len(self.restored)} restored")
        if self.other_updates:
            parts.append(f"{self.other_updates} changes to focus areas, reviewers or days")
        return ", ".join(parts)


def apply_schedule(store: Store, schedule: Schedule, sha256: str) -> ScheduleChanges:
    """Load ``schedule`` into the store, or update the review already there by id.

    Notes are never lost: a session that has notes and is no longer in the file is marked
    cancelled, not deleted. Sessions added on site are left alone.
    """
    stamp = now()
    changes = ScheduleChanges()
    with store.write() as db:
        existing = next(db.query("SELECT id FROM review"), None)
        if existing and existing["id"] != schedule.review.id:
            raise StoreError(
                f"this database holds review '{existing['id']}', the file is for "
                f"'{schedule.review.id}'; use another --db for another review"
            )
        info = schedule.review
        _upsert(
            db,
            "review",
            {
                info.id: {
                    "title": info.title,
                    "council": info.council,
                    "start_date": info.start.isoformat(),
                    "end_date": info.end.isoformat(),
                    "letter": info.letter.model_dump_json() if info.letter else None,
                    "presentation": info.presentation.model_dump_json() if info.presentation else None,
                    "schedule_sha256": sha256,
                }
            },
            stamp,
        )
        for table, wanted in _schedule_rows(schedule).items():
            added, updated = _upsert(db, table, wanted, stamp)
            retired = _retire_missing(db, table, wanted, stamp)
            changes.other_updates += len(added) + len(updated) + retired
        _apply_sessions(db, schedule, stamp, changes)
    return changes


def _schedule_rows(schedule: Schedule) -> dict[str, dict[str, dict[str, Any]]]:
    return {
        "focus_areas": {
            area.id: {
                "position": i,
                "title": area.title,
                "lines_of_enquiry": _json(area.lines_of_enquiry),
                "retired": 0,
            }
            for i, area in enumerate(schedule.focus_areas)
        },
        "reviewers": {
            person.id: {
                "position": i,
                "name": person.name,
                "role": person.role,
                "organisation": person.organisation,
                "is_lead": int(person.lead),
                "retired": 0,
            }
            for i, person in enumerate(schedule.reviewers)
        },
        "days": {day.date.isoformat(): {"title": day.title, "retired": 0} for day in schedule.days},
    }


def _apply_sessions(db: Database, schedule: Schedule, stamp: str, changes: ScheduleChanges) -> None:
    wanted = {
        session.id: {
            "day": day.date.isoformat(),
            "start_time": session.start,
            "end_time": session.end,
            "title": session.title,
            "kind": session.kind.value,
            "location": session.location,
            "reviewers": _json(session.reviewers),
            "focus_areas": _json(session.focus_areas),
            "participants": _json([p.model_dump() for p in session.participants]),
            "prompts": _json(session.prompts),
            "cases": session.cases,
            "origin": SessionOrigin.SCHEDULE.value,
            "removed_at": None,
        }
        for day, session in schedule.sessions()
    }
    returning = {
        row["id"]
        for row in db.query("SELECT id FROM sessions WHERE removed_at IS NOT NULL")
        if row["id"] in wanted
    }
    added, updated = _upsert(db, "sessions", wanted, stamp)
    changes.added = added
    changes.updated = [i for i in updated if i not in returning]
    changes.restored = sorted(returning)
    if returning:
        db.execute(
            "UPDATE sessions SET status = 'planned' WHERE status = 'cancelled' AND id IN "
            "(SELECT value FROM json_each(?))",
            [_json(sorted(returning))],
        )
    gone = [
        row
        for row in db.query(
            "SELECT id, EXISTS (SELECT 1 FROM notes WHERE session_id = sessions.id) "
            "OR EXISTS (SELECT 1 FROM evidence WHERE session_id = sessions.id) "
            "OR EXISTS (SELECT 1 FROM follow_ups WHERE session_id = sessions.id) AS kept "
            "FROM sessions WHERE origin = 'schedule' AND removed_at IS NULL"
        )
        if row["id"] not in wanted
    ]
    for row in gone:
        if row["kept"]:
            db.execute(
                "UPDATE sessions SET status = 'cancelled', removed_at = ?, updated_at = ?, "
                "updated_by = ? WHERE id = ?",
                [stamp, stamp, SCHEDULE_AUTHOR, row["id"]],
            )
            changes.cancelled.append(row["id"])
        else:
            db.execute("DELETE FROM sessions WHERE id = ?", [row["id"]])
            changes.removed.append(row["id"])


def _upsert(
    db: Database, table: str, wanted: dict[str, dict[str, Any]], stamp: str
) -> tuple[list[str], list[str]]:
    """Insert new rows and update changed ones, stamping both; returns (added, updated) ids."""
    current = {row["id"]: row for row in db.query(f"SELECT * FROM {table}")}
    added, updated = [], []
    for row_id, fields in wanted.items():
        old = current.get(row_id)
        if old is None:
            record = {"id": row_id, **fields}
            if table == "sessions":
                record["status"] = SessionStatus.PLANNED.value
            record |= {"created_by": SCHEDULE_AUTHOR, "created_at": stamp}
            record |= {"updated_by": SCHEDULE_AUTHOR, "updated_at": stamp}
            db.table(table).insert(record)
            added.append(row_id)
        elif any(old[key] != value for key, value in fields.items()):
            db.table(table).update(row_id, {**fields, "updated_by": SCHEDULE_AUTHOR, "updated_at": stamp})
            updated.append(row_id)
    return added, updated


def _retire_missing(db: Database, table: str, wanted: dict[str, Any], stamp: str) -> int:
    gone = [
        row["id"] for row in db.query(f"SELECT id FROM {table} WHERE retired = 0") if row["id"] not in wanted
    ]
    for row_id in gone:
        db.table(table).update(row_id, {"retired": 1, "updated_by": SCHEDULE_AUTHOR, "updated_at": stamp})
    return len(gone)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# --- Reading the week back ---------------------------------------------------------------


# The app opens a review through these: plain rows, one query each, no sqlite-utils.


def days(store: Store) -> list[DayRow]:
    rows = store.query("SELECT * FROM days WHERE retired = 0 ORDER BY id")
    return [DayRow.from_row(row) for row in rows]


def reviewers(store: Store) -> list[ReviewerRow]:
    rows = store.query("SELECT * FROM reviewers WHERE retired = 0 ORDER BY position")
    return [ReviewerRow.from_row(row) for row in rows]


def focus_areas(store: Store) -> list[FocusAreaRow]:
    rows = store.query("SELECT * FROM focus_areas WHERE retired = 0 ORDER BY position")
    return [FocusAreaRow.from_row(row) for row in rows]


def sessions(store: Store, day: dt.date | None = None) -> list[SessionRow]:
    """Sessions in time order, for one day or the whole week."""
    sql = "SELECT * FROM sessions"
    params: list[str] = []
    if day is not None:
        sql += " WHERE day = ?"
        params.append(day.isoformat())
    rows = store.query(sql + " ORDER BY day, start_time, end_time, id", params)
    return [SessionRow.from_row(row) for row in rows]


def session(store: Store, session_id: str) -> SessionRow | None:
    rows = store.query("SELECT * FROM sessions WHERE id = ?", [session_id])
    return SessionRow.from_row(rows[0]) if rows else None


def note_authors(store: Store, day: dt.date) -> dict[str, frozenset[str]]:
    """For each session of ``day`` with notes, who has written some (the schedule's marks), in
    one aggregate query."""
    rows = store.query(
        "SELECT notes.session_id AS id, group_concat(notes.author_id, ' ') AS authors "
        "FROM sessions JOIN notes ON notes.session_id = sessions.id "
        "WHERE sessions.day = ? AND notes.body != '' GROUP BY notes.session_id",
        [day.isoformat()],
    )
    return {row["id"]: frozenset(row["authors"].split(" ")) for row in rows}


# --- Changes made on site ----------------------------------------------------------------

EDITABLE = {"day", "start_time", "end_time", "title", "kind", "location", "reviewers", "focus_areas"}


def add_session(
    store: Store,
    *,
    day: dt.date,
    start_time: str,
    end_time: str,
    title: str,
    kind: str,
    location: str,
    reviewers: list[str],
    focus_areas: list[str],
    actor: str,
) -> SessionRow:
    """A session added on site; a reload of the schedule never touches it."""
    slug = "-".join(title.lower().split())[:16].strip("-")
    slug = "".join(c for c in slug if c.isalnum() or c == "-") or "session"
    session_id = f"{day.strftime('%a').lower()}-{start_time.replace(':', '')}-{slug}-{new_id()[:4]}"
    stamp = now()
    with store.write() as db:
        require(db, actor, Change.SCHEDULE)
        changes = {"title": [None, title], "day": [None, day.isoformat()]}
        audit.record(
            db, at=stamp, actor=actor, table="sessions", row_id=session_id, action="add", changes=changes
        )
        db.table("sessions").insert(
            {
                "id": session_id,
                "day": day.isoformat(),
                "start_time": start_time,
                "end_time": end_time,
                "title": title,
                "kind": kind,
                "location": location,
                "reviewers": _json(reviewers),
                "focus_areas": _json(focus_areas),
                "participants": "[]",
                "prompts": "[]",
                "origin": SessionOrigin.ONSITE.value,
                "status": SessionStatus.PLANNED.value,
                "created_by": actor,
                "created_at": stamp,
                "updated_by": actor,
                "updated_at": stamp,
            }
        )
    added = session(store, session_id)
    assert added is not None
    return added


def change_session(store: Store, session_id: str, actor: str, **fields: Any) -> None:
    """Move a session (day, time, room), retitle it or swap its reviewers."""
    unknown = set(fields) - EDITABLE
    if unknown:
        raise ValueError(f"cannot change {', '.join(sorted(unknown))}")
    values = {
        key: _json(value)
        if isinstance(value, list)
        else value.isoformat()
        if isinstance(value, dt.date)
        else value
        for key, value in fields.items()
    }
    _change(store, session_id, actor, "change", values)


def set_session_status(store: Store, session_id: str, status: SessionStatus, actor: str) -> None:
    """Done or cancelled: for the reviewers of the session and the lead."""
    _change(store, session_id, actor, "status", {"status": status.value})


def _change(store: Store, session_id: str, actor: str, action: str, values: dict[str, Any]) -> None:
    """Write an on-site change and its audit row (who, when, what: before and after) together."""
    stamp = now()
    with store.write() as db:
        before = next(db.query("SELECT * FROM sessions WHERE id = ?", [session_id]), None)
        if before is None:
            raise StoreError(f"no session '{session_id}' in this review")
        if action == "status":
            require(db, actor, Change.SESSION_STATUS, session_reviewers=json.loads(before["reviewers"]))
        else:
            require(db, actor, Change.SCHEDULE)
        changed = {key: [before[key], value] for key, value in values.items() if before[key] != value}
        if not changed:
            return
        db.table("sessions").update(session_id, {**values, "updated_by": actor, "updated_at": stamp})
        audit.record(
            db, at=stamp, actor=actor, table="sessions", row_id=session_id, action=action, changes=changed
        )


def names(store: Store, day: dt.date | None = None) -> Names:
    """Reviewers, sessions (of ``day``, or all) and focus areas by name, retired and cancelled
    ones too (an old change or conflict may name them)."""
    where, params = ("WHERE day = ?", [day.isoformat()]) if day is not None else ("", [])
    people = [(r["id"], r["name"]) for r in store.query("SELECT id, name FROM reviewers")]
    areas = [(a["id"], a["title"]) for a in store.query("SELECT id, title FROM focus_areas")]
    slots = [
        (s["id"], dt.date.fromisoformat(s["day"]), s["start_time"], s["title"])
        for s in store.query(f"SELECT id, day, start_time, title FROM sessions {where}", params)
    ]
    return Names.of(people, slots, areas)


@dataclass(frozen=True)
class DaySchedule:
    """One day as the schedule shows it."""

    day: dt.date
    sessions: list[SessionRow]
    authors: dict[str, frozenset[str]]  # session id -> who has written a note for it
    clashes: dict[str, list[str]]  # session id -> warnings


def day_schedule(store: Store, day: dt.date) -> DaySchedule:
    """A day's sessions, note marks and clashes: a few queries, whatever the size of the week."""
    day_sessions = sessions(store, day)
    clashes = clashes_by_session(day_sessions, names(store, day))
    return DaySchedule(day, day_sessions, note_authors(store, day), clashes)


def clashes_by_session(all_sessions: list[SessionRow], names: Names) -> dict[str, list[str]]:
    """Warnings for each session booked at the same time as another (cancelled ones aside), in
    the words of ``names``."""
    slots = [
        Slot(s.id, s.day, s.start_time, s.end_time, s.reviewers, s.location)
        for s in all_sessions
        if s.status is not SessionStatus.CANCELLED
    ]
    warnings: dict[str, list[str]] = {}
    for clash in find_clashes(slots):
        warnings.setdefault(clash.first, []).append(clash.describe(names))
        warnings.setdefault(clash.second, []).append(clash.describe(names))
    return warnings
