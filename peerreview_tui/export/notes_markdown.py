"""Everyone's notes as one Markdown document, by day and session, for the lead to read through.

Each note is copied verbatim inside a code fence (Markdown would otherwise turn its ``-`` and
``+`` marks into list bullets and run its lines together), after who attended (by role and
organisation, as the reviewer recorded it) and followed by its marks by kind. Stamps are in
local time. The output depends only on the database (and the clock's time zone), so exporting
twice gives the same bytes. Control characters a note holds are left out of the file
(``text``), and the caller is told where.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Collection, Iterable, Sequence

from ..evidence import Mark, parse_marks
from ..models import Attendee, EvidenceKind, Note, ReviewerRow, SessionRow, SessionStatus
from ..names import local_time
from ..store import Store
from .text import control_warnings, printable

CONFIDENTIAL = "Confidential: contains interview notes. Do not forward."

KIND_HEADINGS: dict[EvidenceKind, str] = {
    EvidenceKind.STRENGTH: "Strengths",
    EvidenceKind.DEVELOPMENT: "Areas for development",
    EvidenceKind.FOLLOW_UP: "Follow up",
    EvidenceKind.QUOTE: "Quotes",
}

_BACKTICKS = re.compile(r"`+")
# Characters that would turn a mark's text into emphasis, a link or HTML in a list item.
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>])")


def notes_markdown(store: Store, session_id: str | None = None, warnings: list[str] | None = None) -> str:
    """All notes (or one session's) as Markdown: a day heading, a session heading, then each
    reviewer's note and its marks. Sessions without notes are left out. Where control
    characters were left out is added to ``warnings``."""
    review = store.review()
    title = f"{review.title}: {review.council}" if review else "Peer review"
    with store.read() as db:
        where, params = ("WHERE notes.session_id = ?", [session_id]) if session_id else ("", [])
        notes = [
            Note.model_validate(row)
            for row in db.query(f"SELECT notes.* FROM notes {where} ORDER BY notes.id", params)
            if row["body"].strip()
        ]
        session_ids = sorted({note.session_id for note in notes})
        sessions = [
            SessionRow.from_row(row)
            for row in db.query(
                "SELECT * FROM sessions WHERE id IN (SELECT value FROM json_each(?)) "
                "ORDER BY day, start_time, end_time, id",
                [json.dumps(session_ids)],
            )
        ]
        reviewers = {row["id"]: ReviewerRow.from_row(row) for row in db.query("SELECT * FROM reviewers")}
        # Retired focus areas are still known tags: older notes carry them.
        known_tags = {row["id"] for row in db.query("SELECT id FROM focus_areas")}

    lines = [f"# {title}", "", CONFIDENTIAL, ""]
    if not sessions:
        lines += ["No notes yet.", ""]
    current_day: dt.date | None = None
    for session in sessions:
        if session.day != current_day:
            current_day = session.day
            lines += [f"## {_long_date(session.day)}", ""]
        lines += [_session_heading(session), ""]
        session_notes = [note for note in notes if note.session_id == session.id]
        session_notes.sort(key=lambda note: _author_order(note, reviewers))
        for note in session_notes:
            lines += _note_section(note, reviewers.get(note.author_id), known_tags)
            if warnings is not None:
                warnings += control_warnings([(f"{session.id}, {note.author_id}'s note", note.body)])
    return printable("\n".join(lines).rstrip("\n") + "\n")


def _note_section(note: Note, author: ReviewerRow | None, known_tags: Collection[str]) -> list[str]:
    name = author.name if author else note.author_id
    role = f" ({author.role})" if author else ""
    lines = [f"**{name}**{role}, last saved {local_time(note.updated_at)}", ""]
    lines += _attendance(note.attendance)
    lines += [*_fenced(note.body), ""]
    lines += _marks_by_kind(parse_marks(note.body, known_tags))
    return lines


def _attendance(attendance: Sequence[Attendee]) -> list[str]:
    """Who was there, as the reviewer ticked it in the capture panel: by role and organisation
    (never by name), those who turned up unplanned marked so, those absent listed apart."""
    present = [_attendee(a) + (" (not on the schedule)" if a.extra else "") for a in attendance if a.present]
    absent = [_attendee(a) for a in attendance if not a.present]
    if not present and not absent:
        return []
    lines = ["*Attended*", ""]
    lines += [f"- {who}" for who in present] or ["- nobody recorded"]
    lines.append("")
    if absent:
        lines += ["*Expected but not there*", "", *(f"- {who}" for who in absent), ""]
    return lines


def _attendee(attendee: Attendee) -> str:
    who = attendee.role + (f", {attendee.organisation}" if attendee.organisation else "")
    return _INLINE_SPECIAL.sub(r"\\\1", who)


def _marks_by_kind(marks: Iterable[Mark]) -> list[str]:
    by_kind: dict[EvidenceKind, list[Mark]] = {kind: [] for kind in KIND_HEADINGS}
    for mark in marks:
        by_kind[mark.kind].append(mark)
    lines: list[str] = []
    for kind, heading in KIND_HEADINGS.items():
        if not by_kind[kind]:
            continue
        lines += [f"*{heading}*", ""]
        lines += [_mark_item(mark) for mark in by_kind[kind]]
        lines.append("")
    return lines


def _mark_item(mark: Mark) -> str:
    # The tags are in the text already; unknown ones are flagged so the lead can fix them.
    item = "- " + _INLINE_SPECIAL.sub(r"\\\1", mark.text)
    if mark.unknown:
        item += " (not a focus area: " + ", ".join(f"#{tag}" for tag in mark.unknown) + ")"
    return item


def _fenced(body: str) -> list[str]:
    """``body`` in a code fence longer than any run of backticks inside it."""
    longest = max((len(run) for run in _BACKTICKS.findall(body)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + "text", *body.splitlines(), fence]


def _session_heading(session: SessionRow) -> str:
    details = [session.kind.label]
    if session.location:
        details.append(session.location)
    if session.status is SessionStatus.CANCELLED:
        details.append("cancelled")
    return f"### {session.start_time}–{session.end_time} {session.title} ({', '.join(details)})"


def _author_order(note: Note, reviewers: dict[str, ReviewerRow]) -> tuple[int, str]:
    author = reviewers.get(note.author_id)
    return (author.position if author else len(reviewers), note.author_id)


def _long_date(day: dt.date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"
