"""Findings: built from evidence, badged by triangulation, agreed by the lead, audited."""

from __future__ import annotations

import json

import pytest

from peerreview_tui.findings_text import format_findings
from peerreview_tui.models import FindingSection, FindingStatus, SourceKind, now
from peerreview_tui.store import Store, StoreError
from peerreview_tui.store.findings import (
    agree_finding,
    attach_evidence,
    audit_trail,
    choose_quote,
    create_finding,
    delete_finding,
    detach_evidence,
    get_finding,
    linked_evidence,
    list_findings,
    move_finding,
    reopen_finding,
    update_finding,
)
from peerreview_tui.store.ownership import NotAllowed
from peerreview_tui.triangulation import Triangulation

STRENGTH, DEVELOPMENT = FindingSection.STRENGTH, FindingSection.DEVELOPMENT
KEY_MESSAGE, RECOMMENDATION = FindingSection.KEY_MESSAGE, FindingSection.RECOMMENDATION
NOTE_TEXT = "confidential words a reviewer heard"


def add_evidence(
    store: Store,
    evidence_id: str,
    *,
    session_id: str | None,
    author_id: str,
    source_kind: SourceKind = SourceKind.INTERVIEW,
    kind: str = "strength",
) -> str:
    stamp = now()
    store.db.table("evidence").insert(
        {
            "id": evidence_id,
            "kind": kind,
            "source_kind": source_kind.value,
            "text": f"{NOTE_TEXT} ({evidence_id})",
            "focus_areas": json.dumps(["practice"]),
            "session_id": session_id,
            "note_id": None,
            "author_id": author_id,
            "created_by": author_id,
            "created_at": stamp,
            "updated_by": author_id,
            "updated_at": stamp,
        }
    )
    return evidence_id


@pytest.fixture
def three_items(store: Store) -> list[str]:
    """Two reviewers in a Monday interview, a third in a case file audit the same morning."""
    return [
        add_evidence(store, "ce-lead", session_id="mon-1045-ce", author_id="lead"),
        add_evidence(store, "ce-manager", session_id="mon-1045-ce", author_id="manager"),
        add_evidence(
            store,
            "files-officer1",
            session_id="mon-1045-files",
            author_id="officer1",
            source_kind=SourceKind.CASE_FILE_AUDIT,
        ),
    ]


def strength(store: Store, title: str, evidence_ids: tuple[str, ...] | list[str] = (), **kw) -> str:
    kw.setdefault("focus_area_id", "practice")
    kw.setdefault("section", STRENGTH)
    return create_finding(store, title=title, evidence_ids=evidence_ids, actor="officer1", **kw).id


def test_a_finding_from_three_items_across_two_sessions_is_triangulated(store: Store, three_items) -> None:
    finding = create_finding(
        store,
        section=STRENGTH,
        focus_area_id="practice",
        title="  Supervision is regular\nand reflective ",
        body="Staff describe monthly supervision.",
        evidence_ids=three_items,
        actor="officer1",
    )
    assert finding.title == "Supervision is regular and reflective"
    assert finding.status is FindingStatus.DRAFT
    assert finding.created_by == finding.updated_by == "officer1"
    view = get_finding(store, finding.id)
    assert view is not None
    assert view.badge == Triangulation(sessions=2, source_kinds=2, reviewers=3, items=3, broken=0)
    assert not view.badge.single_source
    assert view.badge.label() == "2 sessions · 2 kinds · 3 reviewers"
    assert set(view.evidence_ids) == set(three_items)
    [entry] = audit_trail(store, finding.id)
    assert (entry.actor, entry.action) == ("officer1", "create")
    assert entry.changes["title"] == [None, "Supervision is regular and reflective"]
    assert entry.changes["attached"] == three_items


def test_data_and_documents_count_as_one_source_per_kind(store: Store) -> None:
    items = [
        add_evidence(store, "ce", session_id="mon-1045-ce", author_id="lead"),
        add_evidence(
            store, "kpi-1", session_id=None, author_id="manager", source_kind=SourceKind.PERFORMANCE_DATA
        ),
        add_evidence(
            store, "kpi-2", session_id=None, author_id="manager", source_kind=SourceKind.PERFORMANCE_DATA
        ),
    ]
    view = get_finding(store, strength(store, "Re-referrals are falling", items))
    assert view is not None
    # The analyst who imported the data heard nothing: only the interview's reviewer counts.
    assert view.badge == Triangulation(sessions=2, source_kinds=2, reviewers=1, items=3, broken=0)


def test_evidence_from_one_session_is_single_source(store: Store) -> None:
    items = [
        add_evidence(store, "a", session_id="mon-1045-ce", author_id="lead"),
        add_evidence(store, "b", session_id="mon-1045-ce", author_id="manager"),
    ]
    view = get_finding(store, strength(store, "Thresholds understood", items))
    assert view is not None and view.badge.single_source
    assert view.badge.label() == "1 session · 1 kind · 2 reviewers · single source"
    empty = get_finding(store, strength(store, "Nothing yet"))
    assert empty is not None and empty.badge.single_source and empty.badge.label() == "no evidence"


def test_two_sessions_of_one_kind_are_still_single_source(store: Store) -> None:
    items = [
        add_evidence(store, "a", session_id="mon-1045-ce", author_id="lead"),
        add_evidence(store, "b", session_id="mon-1045-pfh", author_id="member"),
    ]
    view = get_finding(store, strength(store, "Leaders are visible", items))
    assert view is not None and view.badge.sessions == 2 and view.badge.single_source


def test_attach_detach_and_reattach(store: Store, three_items) -> None:
    finding_id = strength(store, "Supervision", three_items[:1])
    assert attach_evidence(store, finding_id, three_items, "lead") == three_items[1:]
    assert attach_evidence(store, finding_id, three_items, "lead") == []  # nothing new: no audit row
    assert detach_evidence(store, finding_id, [three_items[2], "never-cited"], "lead") == [three_items[2]]
    view = get_finding(store, finding_id)
    assert view is not None and set(view.evidence_ids) == set(three_items[:2])
    # The link is kept as a tombstone, so the detachment merges between laptops.
    tombstone = next(store.db.query("SELECT * FROM finding_evidence WHERE evidence_id = ?", [three_items[2]]))
    assert tombstone["deleted_at"] is not None and tombstone["updated_by"] == "lead"
    assert attach_evidence(store, finding_id, [three_items[2]], "member") == [three_items[2]]
    relinked = next(store.db.query("SELECT * FROM finding_evidence WHERE evidence_id = ?", [three_items[2]]))
    assert relinked["deleted_at"] is None and relinked["updated_by"] == "member"
    trail = audit_trail(store, finding_id)
    assert [e.action for e in trail] == ["create", "attach", "detach", "attach"]
    assert trail[2].changes == {"detached": [three_items[2]]}


def test_attaching_an_unknown_item_writes_nothing(store: Store, three_items) -> None:
    with pytest.raises(ValueError, match="no evidence item nope"):
        strength(store, "Supervision", [three_items[0], "nope"])
    assert list_findings(store) == []
    assert store.db.execute("SELECT count(*) FROM audit").fetchone()[0] == 0


def test_a_deleted_note_line_shows_as_a_broken_link(store: Store, three_items) -> None:
    finding_id = strength(store, "Supervision", three_items)
    store.db.execute("UPDATE evidence SET detached = 1 WHERE id = ?", [three_items[2]])
    view = get_finding(store, finding_id)
    assert view is not None
    # The broken item is still cited, but no longer backs the finding.
    assert view.badge == Triangulation(sessions=1, source_kinds=1, reviewers=2, items=3, broken=1)
    assert view.badge.label() == "1 session · 1 kind · 2 reviewers · single source · 1 broken link"
    linked = {link.item.id: link for link in linked_evidence(store, finding_id)}
    assert linked[three_items[2]].broken and not linked[three_items[0]].broken
    assert linked[three_items[0]].session_title is not None
    assert str(linked[three_items[0]].day) == "2012-09-10"


def test_only_quotes_can_be_chosen_for_the_letter(store: Store, three_items) -> None:
    quote = add_evidence(store, "q", session_id="mon-1045-pfh", author_id="member", kind="quote")
    finding_id = strength(store, "Supervision", [*three_items, quote])
    with pytest.raises(ValueError, match="not a quote"):
        choose_quote(store, finding_id, three_items[0], True, "lead")
    choose_quote(store, finding_id, quote, True, "lead")
    chosen = [link.item.id for link in linked_evidence(store, finding_id) if link.quote_chosen]
    assert chosen == [quote]
    assert audit_trail(store, finding_id)[-1].changes == {"evidence_id": quote, "quote_chosen": [False, True]}


def test_only_the_lead_can_agree_and_the_audit_shows_who_when_what(store: Store, three_items) -> None:
    finding_id = strength(store, "Supervision", three_items)
    with pytest.raises(NotAllowed, match=r"only the review lead \(Helen Marchbank\) can agree"):
        agree_finding(store, finding_id, "officer1")
    with pytest.raises(StoreError):  # NotAllowed is a StoreError: the UI shows either the same way
        reopen_finding(store, finding_id, "member")
    agreed = agree_finding(store, finding_id, "lead")
    assert agreed.status is FindingStatus.AGREED and agreed.agreed_by == "lead"
    assert agreed.agreed_at == agreed.updated_at and agreed.updated_by == "lead"
    trail = audit_trail(store, finding_id)
    assert [(e.action, e.actor) for e in trail] == [("create", "officer1"), ("agree", "lead")]
    assert trail[1].at == agreed.agreed_at
    assert trail[1].changes == {"status": ["draft", "agreed"], "agreed_by": [None, "lead"]}
    reopened = reopen_finding(store, finding_id, "lead")
    assert reopened.status is FindingStatus.DRAFT and reopened.agreed_by is None


def test_editing_an_agreed_findings_wording_returns_it_to_draft(store: Store, three_items) -> None:
    finding_id = strength(store, "Supervision is regular", three_items)
    agree_finding(store, finding_id, "lead")
    same = update_finding(store, finding_id, "lead", title="Supervision is regular ")
    assert same.status is FindingStatus.AGREED  # no change to the words, no change at all
    edited = update_finding(store, finding_id, "lead", title="Supervision is reflective", body="Monthly.")
    assert edited.status is FindingStatus.DRAFT and edited.agreed_by is None and edited.agreed_at is None
    assert edited.updated_by == "lead" and edited.title == "Supervision is reflective"
    last = audit_trail(store, finding_id)[-1]
    assert (last.action, last.actor) == ("edit", "lead")
    assert last.changes == {
        "title": ["Supervision is regular", "Supervision is reflective"],
        "body": ["", "Monthly."],
        "status": ["agreed", "draft"],
    }
    with pytest.raises(ValueError, match="needs a title"):
        update_finding(store, finding_id, "lead", title="")


def test_a_reviewer_changes_a_draft_but_not_what_the_lead_agreed(store: Store, three_items) -> None:
    finding_id = strength(store, "Supervision is regular", three_items)
    update_finding(store, finding_id, "officer2", title="Supervision is monthly")
    agree_finding(store, finding_id, "lead")
    for change in (
        lambda: update_finding(store, finding_id, "officer2", title="Supervision is rare"),
        lambda: detach_evidence(store, finding_id, three_items[:1], "officer2"),
        lambda: delete_finding(store, finding_id, "officer2"),
    ):
        with pytest.raises(NotAllowed, match=r"agreed: ask the lead \(Helen Marchbank\) to reopen it"):
            change()
    with pytest.raises(NotAllowed, match="only the review lead"):
        reopen_finding(store, finding_id, "officer2")
    with pytest.raises(NotAllowed, match="'nobody' is not a reviewer"):
        update_finding(store, finding_id, "nobody", title="Anything")
    after = get_finding(store, finding_id)
    assert after is not None and after.finding.status is FindingStatus.AGREED
    assert after.finding.title == "Supervision is monthly" and len(after.evidence_ids) == 3


def test_a_finding_moves_to_another_section_or_focus_area_at_the_end_of_that_list(store: Store) -> None:
    strength(store, "Already there", section=DEVELOPMENT, focus_area_id="partnership")
    finding_id = strength(store, "Joint visits are rare")
    moved = update_finding(store, finding_id, "officer2", section=DEVELOPMENT, focus_area_id="partnership")
    assert (moved.section, moved.focus_area_id) == (DEVELOPMENT, "partnership")
    assert [v.finding.title for v in list_findings(store, section=DEVELOPMENT)] == [
        "Already there",
        "Joint visits are rare",
    ]
    assert audit_trail(store, finding_id)[-1].changes == {
        "section": ["strength", "development"],
        "focus_area_id": ["practice", "partnership"],
    }
    strength_again = update_finding(store, finding_id, "officer2", section=STRENGTH)  # same focus area
    assert (strength_again.section, strength_again.focus_area_id) == (STRENGTH, "partnership")
    message = update_finding(store, finding_id, "officer2", section=KEY_MESSAGE)  # leaves its focus area
    assert (message.section, message.focus_area_id) == (KEY_MESSAGE, None)
    with pytest.raises(ValueError, match="in strengths needs a focus area"):
        update_finding(store, finding_id, "officer2", section=STRENGTH)
    with pytest.raises(ValueError, match="recommendations belongs to no focus area"):
        update_finding(store, finding_id, "officer2", section=RECOMMENDATION, focus_area_id="practice")
    with pytest.raises(ValueError, match="no focus area 'nowhere'"):
        update_finding(store, finding_id, "officer2", section=STRENGTH, focus_area_id="nowhere")
    assert get_finding(store, finding_id).finding.section is KEY_MESSAGE  # nothing refused was written


def test_moving_an_agreed_finding_to_another_list_is_the_leads_and_returns_it_to_draft(store: Store) -> None:
    finding_id = strength(store, "Supervision is regular")
    agree_finding(store, finding_id, "lead")
    with pytest.raises(NotAllowed, match="agreed: ask the lead"):
        update_finding(store, finding_id, "officer2", focus_area_id="partnership")
    unmoved = update_finding(store, finding_id, "lead", section=STRENGTH, focus_area_id="practice")
    assert unmoved.status is FindingStatus.AGREED  # the same place: no change at all
    moved = update_finding(store, finding_id, "lead", focus_area_id="partnership")
    assert moved.focus_area_id == "partnership" and moved.status is FindingStatus.DRAFT
    assert audit_trail(store, finding_id)[-1].changes == {
        "focus_area_id": ["practice", "partnership"],
        "status": ["agreed", "draft"],
    }


def test_reorder_within_a_list(store: Store) -> None:
    a, _, c = (strength(store, title) for title in "ABC")
    other = strength(store, "Elsewhere", section=DEVELOPMENT)

    def titles() -> list[str]:
        return [v.finding.title for v in list_findings(store, section=STRENGTH)]

    move_finding(store, c, -1, "lead")
    assert titles() == ["A", "C", "B"]
    move_finding(store, a, -1, "lead")  # already first: nothing happens
    move_finding(store, a, +5, "lead")  # past the end: to the end
    assert titles() == ["C", "B", "A"]
    positions = [v.finding.position for v in list_findings(store, section=STRENGTH)]
    assert positions == sorted(set(positions))
    assert [e.action for e in audit_trail(store, a)] == ["create", "move"]
    assert audit_trail(store, a)[-1].changes == {"place": [1, 3]}
    assert len(audit_trail(store, other)) == 1


def test_a_reviewer_moving_a_draft_leaves_the_agreed_findings_around_it_alone(store: Store) -> None:
    a, b, c = (strength(store, title) for title in "ABC")
    agree_finding(store, a, "lead")
    agree_finding(store, b, "lead")
    stamps = {f: get_finding(store, f).finding.updated_at for f in (a, b)}
    move_finding(store, c, -2, "officer1")
    assert [v.finding.title for v in list_findings(store, section=STRENGTH)] == ["C", "A", "B"]
    assert {f: get_finding(store, f).finding.updated_at for f in (a, b)} == stamps
    with pytest.raises(NotAllowed, match="agreed: ask the lead"):
        move_finding(store, a, 1, "officer1")


def test_a_deleted_finding_is_gone_from_every_list(store: Store, three_items) -> None:
    keep, gone = strength(store, "Keep"), strength(store, "Gone", three_items)
    delete_finding(store, gone, "lead")
    assert [v.finding.id for v in list_findings(store)] == [keep]
    assert get_finding(store, gone) is None
    assert audit_trail(store, gone)[-1].action == "delete"
    with pytest.raises(StoreError, match="no finding"):
        update_finding(store, gone, "lead", title="Back")
    again = create_finding(store, section=STRENGTH, focus_area_id="practice", title="New", actor="lead")
    assert again.position == 2.0  # after the one kept; the deleted one holds no place
    assert [v.finding.title for v in list_findings(store)] == ["Keep", "New"]


def test_lists_follow_the_letter(store: Store) -> None:
    strength(store, "Recommend", section=RECOMMENDATION, focus_area_id=None)
    strength(store, "Partnership weak", section=DEVELOPMENT, focus_area_id="partnership")
    strength(store, "Partnership strong", focus_area_id="partnership")
    strength(store, "Key", section=KEY_MESSAGE, focus_area_id=None)
    strength(store, "Practice weak", section=DEVELOPMENT)
    agreed = strength(store, "Practice strong")
    agree_finding(store, agreed, "lead")
    assert [v.finding.title for v in list_findings(store)] == [
        "Key",
        "Practice strong",
        "Practice weak",
        "Partnership strong",
        "Partnership weak",
        "Recommend",
    ]
    assert [v.finding.title for v in list_findings(store, status=FindingStatus.AGREED)] == ["Practice strong"]
    assert [v.finding.title for v in list_findings(store, focus_area="partnership", section=DEVELOPMENT)] == [
        "Partnership weak"
    ]


def test_sections_and_focus_areas_go_together(store: Store) -> None:
    with pytest.raises(ValueError, match="needs a focus area"):
        strength(store, "Orphan", focus_area_id=None)
    with pytest.raises(ValueError, match="belongs to no focus area"):
        strength(store, "Key", section=KEY_MESSAGE, focus_area_id="practice")
    with pytest.raises(ValueError, match="no focus area 'nowhere'"):
        strength(store, "Lost", focus_area_id="nowhere")


def test_format_for_the_terminal(store: Store, three_items) -> None:
    assert format_findings([], {}) == "No findings yet."
    agreed = strength(store, "Supervision", three_items)
    agree_finding(store, agreed, "lead")
    strength(store, "Plans are vague", three_items[:1], section=DEVELOPMENT)
    strength(store, "Keep going", section=KEY_MESSAGE, focus_area_id=None)
    text = format_findings(list_findings(store), {"practice": "Quality of practice and care planning"})
    assert text.splitlines() == [
        "Key messages",
        "! [draft] Keep going  (no evidence)",
        "",
        "Quality of practice and care planning",
        "  Strengths",
        "    [agreed] Supervision  (2 sessions · 2 kinds · 3 reviewers)",
        "  Areas for development",
        "  ! [draft] Plans are vague  (1 session · 1 kind · 1 reviewer · single source)",
        "",
        "! one session, one kind of source or no evidence behind it",
    ]


def test_the_audit_never_holds_note_text(store: Store, three_items) -> None:
    quote = add_evidence(store, "q", session_id="mon-1045-pfh", author_id="member", kind="quote")
    finding_id = strength(store, "Supervision", [*three_items, quote])
    choose_quote(store, finding_id, quote, True, "lead")
    detach_evidence(store, finding_id, [three_items[0]], "lead")
    move_finding(store, finding_id, 1, "lead")
    agree_finding(store, finding_id, "lead")
    delete_finding(store, finding_id, "lead")
    rows = list(store.db.query("SELECT changes FROM audit"))
    assert len(rows) == 5 and not any(NOTE_TEXT in row["changes"] for row in rows)


def test_only_the_lead_can_delete_an_agreed_finding(store: Store) -> None:
    made = create_finding(
        store, section=FindingSection.KEY_MESSAGE, focus_area_id=None, title="Settled", actor="officer1"
    )
    agree_finding(store, made.id, "lead")
    with pytest.raises(NotAllowed, match="agreed: ask the lead"):
        delete_finding(store, made.id, "officer1")
    delete_finding(store, made.id, "lead")
    assert get_finding(store, made.id) is None
