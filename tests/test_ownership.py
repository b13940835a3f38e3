"""Who may change what: one rule, asked by the store for every caller."""

from __future__ import annotations

import pytest

from peerreview_tui.models import FindingStatus, SessionStatus
from peerreview_tui.ownership import Change, Roster
from peerreview_tui.store import Store, notes, week
from peerreview_tui.store.ownership import NotAllowed, roster

SESSION = "mon-1330-lscb"  # lead and health are booked for it


@pytest.fixture
def team(store: Store) -> Roster:
    with store.read() as db:
        return roster(db)


def test_the_team_comes_from_the_schedule(team: Roster) -> None:
    assert team.lead is not None and team.lead.id == "lead" and team.name("officer1") == "Priya Natarajan"
    assert team.refusal("lead", Change.ROSTER) == (
        "who the reviewers are and who leads come only from the schedule file"
    )


@pytest.mark.parametrize(
    ("actor", "change", "facts", "refused"),
    [
        ("officer1", Change.NOTE, {"author": "officer1"}, None),
        ("lead", Change.NOTE, {"author": "officer1"}, "this note is Priya Natarajan's"),
        ("health", Change.SESSION_STATUS, {"session_reviewers": ["lead", "health"]}, None),
        ("lead", Change.SESSION_STATUS, {"session_reviewers": ["health"]}, None),
        ("officer1", Change.SESSION_STATUS, {"session_reviewers": ["lead", "health"]}, "only the reviewers"),
        ("officer1", Change.SCHEDULE, {}, None),
        ("officer1", Change.FINDING, {"finding_status": FindingStatus.DRAFT}, None),
        ("officer1", Change.FINDING, {"finding_status": FindingStatus.AGREED}, "ask the lead"),
        ("lead", Change.FINDING, {"finding_status": FindingStatus.AGREED}, None),
        ("officer1", Change.AGREE, {}, "only the review lead (Helen Marchbank) can agree"),
        ("officer1", Change.REOPEN, {}, "only the review lead"),
        ("officer1", Change.CHOOSE_QUOTE, {}, "only the review lead"),
        ("lead", Change.CHOOSE_QUOTE, {}, None),
        ("officer1", Change.TAG, {}, None),
        ("officer1", Change.RESOLVE_CONFLICT, {"author": "officer1"}, None),
        ("health", Change.RESOLVE_CONFLICT, {"author": "officer1"}, "they or the lead"),
        ("health", Change.RESOLVE_CONFLICT, {}, "only the review lead"),
        (None, Change.TAG, {}, "choose who you are first"),
        ("", Change.TAG, {}, "choose who you are first"),
        ("unknown", Change.TAG, {}, "'unknown' is not a reviewer"),
    ],
)
def test_the_rule(team: Roster, actor, change, facts, refused) -> None:
    reason = team.refusal(actor, change, **facts)
    assert (reason is None) == (refused is None) and (refused is None or refused in reason), reason


def test_the_store_refuses_a_status_change_by_someone_not_booked(store: Store) -> None:
    with pytest.raises(NotAllowed, match="only the reviewers of this session, or the lead"):
        week.set_session_status(store, SESSION, SessionStatus.DONE, "officer1")
    session = week.session(store, SESSION)
    assert session is not None and session.status is SessionStatus.PLANNED
    week.set_session_status(store, SESSION, SessionStatus.DONE, "health")
    week.change_session(store, SESSION, "officer1", location="Room 9")  # timetable: anyone
    with pytest.raises(NotAllowed, match="'nobody' is not a reviewer"):
        week.change_session(store, SESSION, "nobody", location="Room 1")
    session = week.session(store, SESSION)
    assert session is not None and (session.status, session.location) == (SessionStatus.DONE, "Room 9")


def test_only_the_author_writes_in_a_note(store: Store) -> None:
    notes.save_note(store, SESSION, "health", "+ the chair challenges partners\n")
    for intruder in ("lead", "officer1"):
        with pytest.raises(NotAllowed, match="this note is Angela Osei's: only they can write in it"):
            notes.save_note(store, SESSION, "health", "rewritten\n", actor=intruder)
    with pytest.raises(NotAllowed, match="Angela Osei's"):
        notes.save_note(store, SESSION, "health", "rewritten\n", actor="lead")
    note = notes.get_note(store, SESSION, "health")
    assert note is not None and note.body == "+ the chair challenges partners\n"
