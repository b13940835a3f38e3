"""The text a new note starts from: shaped by the session, naming roles and never participants."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from peerreview_tui.evidence import parse_marks
from peerreview_tui.models import SessionKind, SessionRow
from peerreview_tui.store import Store, week
from peerreview_tui.templates import MARKS_REMINDER, note_template

STARTED = dt.time(10, 47)


def _template(store: Store, session_id: str) -> str:
    session = week.session(store, session_id)
    assert session is not None
    return note_template(session, week.focus_areas(store), week.reviewers(store), STARTED)


def test_an_interview_template_has_the_session_attendees_reviewers_and_enquiry(store: Store) -> None:
    text = _template(store, "mon-1045-ce")
    lines = text.splitlines()
    assert lines[0] == (
        "Interview: Chief Executive — Monday 10 September 2012, 10:45–11:30, Civic Centre, Room 3.02"
    )
    assert lines[1] == "Started [10:47]"
    assert "Attendees\n• Chief Executive, Northborough Borough Council\n" in text
    assert "Reviewers: Helen Marchbank, Tom Rendell" in lines
    assert "• How does the chief executive assure herself that children are safe?" in lines
    assert (
        "• How effectively does the LSCB challenge partners and hold them to account? #partnership" in lines
    )
    assert lines[-1] == MARKS_REMINDER


def test_only_the_sessions_focus_areas_are_listed_each_line_with_its_tag(store: Store) -> None:
    text = _template(store, "mon-1045-ce")  # partnership and commissioning
    assert "#partnership" in text and "#commissioning" in text
    assert "#practice" not in text and "#early-help" not in text
    enquiry = text.split("Lines of enquiry\n")[1].split("\n\n")[0].splitlines()
    tagged = [line for line in enquiry if line.startswith("• ") and "#" in line]
    assert len(tagged) == 8
    assert all(line.endswith(("#partnership", "#commissioning")) for line in tagged)


def test_a_single_focus_area_session_tags_its_own_prompts(store: Store) -> None:
    text = _template(store, "mon-1045-files")
    assert "• Is the child seen, and seen alone, and does their voice shape the plan? #practice" in text


def test_a_focus_group_lists_roles_with_counts(store: Store) -> None:
    text = _template(store, "mon-1400-swfg")
    assert "Attendees (11 people)" in text
    assert "• 5 × Social worker (assessment teams), Northborough Borough Council" in text
    assert "• 2 × Newly qualified social worker, Northborough Borough Council" in text
    assert "Themes heard from more than one person" in text


def test_a_case_file_audit_has_a_block_per_case(store: Store) -> None:
    text = _template(store, "mon-1045-files")
    block = [
        "Case reference:",
        "What the file shows:",
        "Voice of the child:",
        "Plan quality:",
        "Management oversight:",
    ]
    lines = text.splitlines()
    start = lines.index("Case reference:")
    assert lines[start : start + 5] == block


@pytest.mark.parametrize(
    ("session_id", "heading"),
    [
        ("tue-0900-mash", "What we saw and heard"),  # site visit
        ("tue-1330-strategy", "What we saw and heard"),  # observation
        ("mon-0930-dcs", "Actions"),  # meeting
        ("fri-1400-feedback", "Actions"),  # presentation
        ("mon-1045-ce", "Role and remit"),  # interview
    ],
)
def test_each_kind_of_session_gets_its_own_sections(store: Store, session_id: str, heading: str) -> None:
    assert heading in _template(store, session_id).splitlines()


def test_a_template_never_names_a_participant(store: Store, example_schedule) -> None:
    named = {p.name for _, s in example_schedule.sessions() for p in s.participants if p.name}
    assert "Sarah Whitcombe" in named
    for session in week.sessions(store):
        text = _template(store, session.id)
        assert [name for name in named if name in text] == [], session.id


def test_no_template_line_is_a_mark(store: Store) -> None:
    for session in week.sessions(store):
        assert parse_marks(_template(store, session.id)) == [], session.id


def test_a_title_that_looks_like_a_mark_does_not_become_one(store: Store) -> None:
    session = week.session(store, "mon-1045-ce")
    odd = replace(session, title="- drop-in session", kind=SessionKind.OTHER)
    text = note_template(odd, week.focus_areas(store), week.reviewers(store), STARTED)
    assert text.startswith("• - drop-in session")
    assert parse_marks(text) == []


def test_a_session_with_nobody_listed_still_reads_well(store: Store) -> None:
    session = week.session(store, "mon-1630-team")
    bare: SessionRow = replace(session, participants=[], reviewers=[], focus_areas=[])
    text = note_template(bare, week.focus_areas(store), week.reviewers(store), dt.time(9, 5))
    assert "Started [09:05]" in text
    assert "None listed on the schedule: note who came, by role." in text
    assert "Reviewers: none assigned" in text
    assert "None set for this session." in text
