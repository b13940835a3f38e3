"""Everyone's notes as one Markdown document: by day, by session, each note verbatim with its marks."""

from __future__ import annotations

import time

import pytest

from peerreview_tui.export.notes_markdown import CONFIDENTIAL, notes_markdown
from peerreview_tui.models import Attendee, SessionStatus
from peerreview_tui.store import Store, notes


def _headings(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("#")]


def test_an_empty_review_says_so_under_the_header(store: Store) -> None:
    text = notes_markdown(store)
    assert text.splitlines()[:3] == [
        "# Children's safeguarding peer review: Northborough Borough Council",
        "",
        CONFIDENTIAL,
    ]
    assert "No notes yet." in text


def test_notes_come_by_day_then_session_in_time_order(store: Store) -> None:
    notes.save_note(store, "tue-0900-mash", "officer2", "Tuesday note")
    notes.save_note(store, "mon-1330-lscb", "health", "Monday afternoon")
    notes.save_note(store, "mon-0930-dcs", "lead", "Monday morning")
    assert _headings(notes_markdown(store))[1:] == [
        "## Monday 10 September 2012",
        "### 09:30–10:30 Opening meeting with the Director of Children's Services (meeting, Civic Centre, Room 2.14)",
        "### 13:30–14:30 Interview: LSCB Independent Chair (interview, Civic Centre, Room 2.14)",
        "## Tuesday 11 September 2012",
        "### 09:00–10:30 Site visit: Multi-Agency Safeguarding Hub (front door) "
        "(site visit, Northgate House, MASH (ground floor))",
    ]


def test_sessions_without_notes_are_left_out(store: Store) -> None:
    notes.save_note(store, "mon-0930-dcs", "lead", "something")
    notes.save_note(store, "mon-1045-ce", "lead", "   \n")  # opened, nothing typed
    text = notes_markdown(store)
    assert "Opening meeting" in text
    assert "Chief Executive" not in text and "Case file audit" not in text


def test_each_authors_note_is_copied_verbatim_in_team_order(store: Store) -> None:
    body = "Context line\n  indented\n[10:50] + quick triage #partnership\n\n# not a heading"
    notes.save_note(store, "mon-1045-ce", "manager", body)
    notes.save_note(store, "mon-1045-ce", "lead", "lead's note")
    text = notes_markdown(store)
    assert text.index("**Helen Marchbank** (Review lead") < text.index(
        "**Tom Rendell** (Peer review manager)"
    )
    assert f"```text\n{body}\n```\n" in text


@pytest.fixture
def new_york(monkeypatch: pytest.MonkeyPatch):
    """The clock's time zone is New York's (UTC-4 in September) for the test."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_when_a_note_was_last_saved_is_in_local_time(store: Store, new_york) -> None:
    notes.save_note(store, "mon-1045-ce", "lead", "a line")
    with store.write() as db:
        db.execute("UPDATE notes SET updated_at = '2012-09-10T10:47:03.123456Z'")
    text = notes_markdown(store)
    assert "**Helen Marchbank** (Review lead" in text
    assert ", last saved Mon 10 Sep 06:47\n" in text
    assert "UTC" not in text


def test_who_attended_is_listed_before_the_note_by_role_as_recorded(store: Store) -> None:
    attendance = [
        Attendee(role="5 × Social worker", organisation="Children's Services"),
        Attendee(role="Team manager", organisation="Children's Services", present=False),
        Attendee(role="Health visitor", organisation="NHS trust", extra=True),
        Attendee(role="Practice_lead *acting*"),
    ]
    notes.save_note(store, "mon-1400-swfg", "officer2", "+ supervision is weekly #practice", attendance)
    text = notes_markdown(store)
    start = text.index("**")
    assert text[start:].splitlines()[1:17] == [
        "",
        "*Attended*",
        "",
        "- 5 × Social worker, Children's Services",
        "- Health visitor, NHS trust (not on the schedule)",
        r"- Practice\_lead \*acting\*",
        "",
        "*Expected but not there*",
        "",
        "- Team manager, Children's Services",
        "",
        "```text",
        "+ supervision is weekly #practice",
        "```",
        "",
        "*Strengths*",
    ]


def test_a_note_without_attendance_has_no_attendance_list(store: Store) -> None:
    notes.save_note(store, "mon-1045-ce", "lead", "written with peerreview note add")
    assert "*Attended*" not in notes_markdown(store)


def test_a_body_with_backticks_cannot_close_the_fence(store: Store) -> None:
    notes.save_note(store, "mon-1045-ce", "lead", "```\n- still in the note")
    text = notes_markdown(store)
    assert "````text\n```\n- still in the note\n````" in text


def test_marks_are_listed_by_kind_after_each_note(store: Store) -> None:
    body = "! we talk every day\n- drift in plans #practice\n+ strong chair #partnership\n? ask for minutes #lscb"
    notes.save_note(store, "mon-1330-lscb", "lead", body)
    tail = notes_markdown(store).split("```\n", 2)[-1]
    assert tail.splitlines() == [
        "",
        "*Strengths*",
        "",
        "- strong chair #partnership",
        "",
        "*Areas for development*",
        "",
        "- drift in plans #practice",
        "",
        "*Follow up*",
        "",
        "- ask for minutes #lscb (not a focus area: #lscb)",
        "",
        "*Quotes*",
        "",
        "- we talk every day",
    ]


def test_mark_text_cannot_turn_into_markdown(store: Store) -> None:
    notes.save_note(store, "mon-1330-lscb", "lead", "+ *really* good [link](x) <b>")
    assert r"- \*really\* good \[link\](x) \<b\>" in notes_markdown(store)


def test_one_session_only(store: Store) -> None:
    notes.save_note(store, "mon-0930-dcs", "lead", "first")
    notes.save_note(store, "mon-1330-lscb", "health", "second")
    text = notes_markdown(store, "mon-1330-lscb")
    assert "second" in text and "first" not in text
    assert _headings(text)[1:] == [
        "## Monday 10 September 2012",
        "### 13:30–14:30 Interview: LSCB Independent Chair (interview, Civic Centre, Room 2.14)",
    ]


def test_a_cancelled_session_keeps_its_notes_and_says_so(store: Store) -> None:
    notes.save_note(store, "mon-0930-dcs", "lead", "met before it was called off")
    with store.write() as db:  # as a reload does when a session with notes leaves the file
        db.execute(
            "UPDATE sessions SET status = ? WHERE id = ?", [SessionStatus.CANCELLED.value, "mon-0930-dcs"]
        )
    assert "Civic Centre, Room 2.14, cancelled)" in notes_markdown(store)


def test_the_export_is_deterministic(store: Store) -> None:
    notes.save_note(store, "mon-0930-dcs", "lead", "+ one #practice")
    notes.save_note(store, "mon-0930-dcs", "member", "- two #practice")
    assert notes_markdown(store) == notes_markdown(store)
    assert notes_markdown(store).endswith("\n") and not notes_markdown(store).endswith("\n\n")
