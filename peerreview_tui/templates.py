"""The text a new note starts from, shaped by the kind of session.

Attendees are listed by role and organisation only, never by name: notes attribute what was
said to a role, and a name typed into a note would travel with every bundle and backup. No
line of a template is a mark (see ``evidence``), so a fresh note holds no evidence until the
reviewer types some.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from .evidence import parse_line
from .rows import FocusAreaRow, ParticipantRow, ReviewerRow, SessionKind, SessionRow

BULLET = "• "
MARKS_REMINDER = "Marks: + strength  - area for development  ? follow up  ! quote  #tag focus area"

CASE_BLOCK = [
    "Case 1",
    "Case reference:",
    "What the file shows:",
    "Voice of the child:",
    "Plan quality:",
    "Management oversight:",
    "(Copy this block for each further case.)",
]

# What a reviewer writes under in each kind of session, after the lines of enquiry.
_SECTIONS: dict[SessionKind, list[str]] = {
    SessionKind.INTERVIEW: ["Role and remit", "", "Notes", ""],
    SessionKind.FOCUS_GROUP: ["Notes", "", "Themes heard from more than one person", ""],
    SessionKind.CASE_FILE_AUDIT: [*CASE_BLOCK, "", "Themes across the cases", ""],
    SessionKind.SITE_VISIT: ["Setting", "", "What we saw and heard", "", "What it shows", ""],
    SessionKind.OBSERVATION: ["Setting", "", "What we saw and heard", "", "What it shows", ""],
}
_DEFAULT_SECTIONS = ["Notes", "", "Actions", ""]
# The 'Started [10:47]' line: its time is the moment the note was opened, so matched by its shape.
_STARTED = re.compile(r"Started \[\d{2}:\d{2}\]")


def note_template(
    session: SessionRow,
    focus_areas: Sequence[FocusAreaRow],
    reviewers: Sequence[ReviewerRow],
    started: dt.time,
) -> str:
    """The starting text of a reviewer's note for ``session``."""
    lines = [
        _title_line(session),
        f"Started [{started:%H:%M}]",
        "",
        *_attendees(session.participants),
        "",
        _reviewers_line(session, reviewers),
        "",
        *_lines_of_enquiry(session, focus_areas),
        "",
        *_SECTIONS.get(session.kind, _DEFAULT_SECTIONS),
        MARKS_REMINDER,
    ]
    return "\n".join(_unmarked(line) for line in lines) + "\n"


def template_lines(
    session: SessionRow, focus_areas: Sequence[FocusAreaRow], reviewers: Sequence[ReviewerRow]
) -> frozenset[str]:
    """The lines a note for ``session`` starts with, stripped, and every kind of session's
    headings (the kind may have changed since): what the reviewer did not write. A line of
    template made before the schedule changed (reviewers swapped, a title edited) is not known."""
    started = dt.time(0, 0)  # the 'Started' line is told by its shape: see is_template_line
    text = note_template(session, focus_areas, reviewers, started)
    headings = [line for section in [*_SECTIONS.values(), _DEFAULT_SECTIONS] for line in section]
    return frozenset(line.strip() for line in [*text.splitlines(), *headings, MARKS_REMINDER]) - {""}


def is_template_line(line: str, template: frozenset[str]) -> bool:
    """Whether ``line`` is one of ``template``'s (see template_lines), left as the template had it."""
    stripped = line.strip()
    return stripped in template or _STARTED.fullmatch(stripped) is not None


def _title_line(session: SessionRow) -> str:
    day = session.day
    when = f"{day:%A} {day.day} {day:%B %Y}, {session.start_time}–{session.end_time}"
    where = f", {session.location}" if session.location else ""
    return f"{session.title} — {when}{where}"


def _attendees(participants: Sequence[ParticipantRow]) -> list[str]:
    total = sum(p.count for p in participants)
    heading = f"Attendees ({total} people)" if total > 1 else "Attendees"
    if not participants:
        return [heading, "None listed on the schedule: note who came, by role."]
    # By role and organisation only: a participant's name never goes into a note.
    return [heading, *(BULLET + _participant(p) for p in participants)]


def _participant(participant: ParticipantRow) -> str:
    count = f"{participant.count} × " if participant.count > 1 else ""
    organisation = f", {participant.organisation}" if participant.organisation else ""
    return f"{count}{participant.role}{organisation}"


def _reviewers_line(session: SessionRow, reviewers: Sequence[ReviewerRow]) -> str:
    names = {reviewer.id: reviewer.name for reviewer in reviewers}
    assigned = [names.get(reviewer_id, reviewer_id) for reviewer_id in session.reviewers]
    return "Reviewers: " + (", ".join(assigned) if assigned else "none assigned")


def _lines_of_enquiry(session: SessionRow, focus_areas: Sequence[FocusAreaRow]) -> list[str]:
    by_id = {area.id: area for area in focus_areas}
    areas = [by_id[area_id] for area_id in session.focus_areas if area_id in by_id]
    lines = ["Lines of enquiry"]
    # A session's own prompts belong to its focus area only when it has just one.
    own_tag = f" #{areas[0].id}" if len(areas) == 1 else ""
    if session.prompts:
        lines.append("This session")
        lines += [f"{BULLET}{prompt}{own_tag}" for prompt in session.prompts]
    for area in areas:
        lines.append(f"{area.title} #{area.id}")
        lines += [f"{BULLET}{question} #{area.id}" for question in area.lines_of_enquiry]
    if len(lines) == 1:
        lines.append("None set for this session.")
    return lines


def _unmarked(line: str) -> str:
    """A line that would read as a mark (say, a title starting with '-') gets a bullet first."""
    return line if parse_line(line) is None else BULLET + line.lstrip()
