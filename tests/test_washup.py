"""Lines of enquiry, follow-ups and the daily wash-up, on a review written for these tests
(``washup_review``), not the example week."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from peerreview_tui.coverage import compute_coverage
from peerreview_tui.evidence import parse_line, partial_tag_at
from peerreview_tui.models import SourceKind
from peerreview_tui.store import Store, enquiry, follow_ups, week
from peerreview_tui.store.evidence_items import evidence_facts, list_evidence
from peerreview_tui.store.ownership import NotAllowed
from peerreview_tui.washup import NoSuchDay, compute_washup
from tests.washup_review import load_washup_review


@pytest.fixture
def review(tmp_path: Path) -> Iterator[Store]:
    store = load_washup_review(tmp_path / "washup.db")
    yield store
    store.close()


def _item(store: Store, text: str) -> str:
    found = [view.item.id for view in list_evidence(store) if text in view.item.text]
    assert len(found) == 1, found
    return found[0]


# --- Marks ---------------------------------------------------------------------------------


def test_a_line_of_enquiry_mark_names_the_line_and_its_focus_area() -> None:
    mark = parse_line(
        "[10:02] + thresholds clear #front-door.1, and #early-help", known_tags={"front-door", "early-help"}
    )
    assert mark is not None
    assert mark.lines == ("front-door.1",)
    assert mark.tags == ("front-door", "early-help")


def test_an_unknown_line_of_enquiry_is_reported_not_kept() -> None:
    mark = parse_line("- drift #front-door.9", known_tags={"front-door"}, known_lines={"front-door.1"})
    assert mark is not None
    assert mark.lines == () and mark.unknown == ("front-door.9",)
    assert mark.tags == ("front-door",)


def test_the_tag_being_typed_includes_a_line_number() -> None:
    assert partial_tag_at("+ good #front-door.", 19) == "front-door."
    assert partial_tag_at("+ good #front-door.2", 20) == "front-door.2"
    assert partial_tag_at("+ good #front", 13) == "front"


def test_a_tied_mark_is_stored_with_its_line_and_the_words_without_the_mark(review: Store) -> None:
    view = next(v for v in list_evidence(review) if "Plans list services" in v.item.text)
    assert view.item.text == "Plans list services, not outcomes"
    assert view.item.lines_of_enquiry == ["front-door.2"]
    assert view.item.focus_areas == ["front-door"]


# --- Tying later -----------------------------------------------------------------------------


def test_anyone_ties_an_item_to_a_line_and_it_counts_for_the_focus_area(review: Store) -> None:
    item = _item(review, "Ask for the early help outcome")
    enquiry.tie_line(review, item, "front-door.3", "health")
    fact = next(f for f in evidence_facts(review) if f.id == item)
    assert fact.lines == ["early-help.2", "front-door.3"]
    assert fact.focus_areas == ["early-help", "front-door"]
    enquiry.untie_line(review, item, "front-door.3", "health")
    fact = next(f for f in evidence_facts(review) if f.id == item)
    assert fact.lines == ["early-help.2"]


def test_counting_reads_each_items_areas_and_lines_as_the_item_lists_do(review: Store) -> None:
    # evidence_facts reads the tags and lines added later in one query each, not per item
    item = _item(review, "Ask for the early help outcome")
    enquiry.tie_line(review, item, "front-door.3", "health")
    enquiry.tie_line(review, item, "front-door.1", "health")  # after: listed after
    views = {view.item.id: view.item for view in list_evidence(review)}
    facts = evidence_facts(review)
    assert next(f for f in facts if f.id == item).lines == ["early-help.2", "front-door.3", "front-door.1"]
    for fact in facts:
        assert fact.focus_areas == views[fact.id].focus_areas
        assert fact.lines == views[fact.id].lines_of_enquiry


def test_a_line_in_the_note_is_its_authors_to_remove(review: Store) -> None:
    item = _item(review, "Ask for the early help outcome")
    with pytest.raises(ValueError, match="its author"):
        enquiry.untie_line(review, item, "early-help.2", "health")


def test_tying_to_a_line_that_does_not_exist_names_the_lines_there_are(review: Store) -> None:
    item = _item(review, "Ask for the early help outcome")
    with pytest.raises(ValueError, match=r"early-help\.1, early-help\.2"):
        enquiry.tie_line(review, item, "early-help.7", "lead")


# --- Follow-ups ------------------------------------------------------------------------------


def test_whoever_raised_a_follow_up_hands_it_out_and_the_owner_closes_it(review: Store) -> None:
    question = _item(review, "Ask for the early help outcome")
    answer = _item(review, "Plans list services")
    follow_ups.assign_follow_up(review, question, owner="officer", session_id="tue-0900-files", actor="lead")
    state = follow_ups.get_follow_up(review, question)
    assert state is not None and state.is_open
    assert state.owner_name == "Sunita Bhatt"
    assert state.session_label == "Tuesday 09:00 Case file audit"
    follow_ups.close_follow_up(review, question, actor="officer", answer_id=answer)
    state = follow_ups.get_follow_up(review, question)
    assert state is not None and not state.is_open
    assert state.answer_id == answer and state.closed_by_name == "Sunita Bhatt"
    follow_ups.reopen_follow_up(review, question, actor="lead")
    state = follow_ups.get_follow_up(review, question)
    assert state is not None and state.is_open and state.answer_id is None


def test_only_its_author_or_the_lead_hands_a_follow_up_out(review: Store) -> None:
    question = _item(review, "Ask for the early help outcome")  # raised by the lead
    with pytest.raises(NotAllowed, match="Gareth Pennock's"):
        follow_ups.assign_follow_up(review, question, owner="officer", session_id=None, actor="health")


def test_only_its_owner_or_the_lead_closes_a_follow_up(review: Store) -> None:
    question = _item(review, "Ask for the early help outcome")
    follow_ups.assign_follow_up(review, question, owner="officer", session_id=None, actor="lead")
    with pytest.raises(NotAllowed, match="handed to Sunita Bhatt"):
        follow_ups.close_follow_up(review, question, actor="health")
    follow_ups.close_follow_up(review, question, actor="lead")  # the lead may


def test_a_follow_up_is_asked_in_a_later_session(review: Store) -> None:
    question = _item(review, "Ask for the early help outcome")  # Monday 09:00
    with pytest.raises(ValueError, match="not after"):
        follow_ups.assign_follow_up(
            review, question, owner="officer", session_id="mon-0830-team", actor="lead"
        )
    with pytest.raises(ValueError, match="only a follow-up"):
        follow_ups.assign_follow_up(
            review, _item(review, "Plans list services"), owner="officer", session_id=None, actor="officer"
        )
    with pytest.raises(ValueError, match="answer itself"):
        follow_ups.close_follow_up(review, question, actor="lead", answer_id=question)


# --- The wash-up -------------------------------------------------------------------------------


def test_untested_lines_come_first_with_the_sessions_that_could_test_them(review: Store) -> None:
    washup = compute_washup(review, 1)
    order = [(line.line.id, line.state) for line in washup.lines]
    assert order == [
        ("front-door.3", "no evidence"),
        ("early-help.1", "no evidence"),
        ("adolescents.1", "no evidence"),
        ("front-door.2", "one kind of source"),
        ("early-help.2", "one kind of source"),
        ("front-door.1", "tested"),
    ]
    tested = washup.line("front-door.1")
    assert tested is not None
    assert (tested.strengths, tested.kinds) == (2, [SourceKind.INTERVIEW, SourceKind.CASE_FILE_AUDIT])
    gaps = {gap.line.line.id: [o.session.id for o in gap.sessions] for gap in washup.gaps}
    # a later day, the line's focus area, a kind it has no evidence from; no presentation
    assert gaps["front-door.2"] == ["tue-1300-mash", "wed-0900-partners"]
    assert gaps["early-help.2"] == ["tue-0900-files", "wed-0900-partners", "wed-1030-hub"]
    assert gaps["adolescents.1"] == ["tue-1500-conference"]
    mash = washup.gaps[3].sessions[0]
    assert (
        mash.reviewers == ("Gareth Pennock", "Lucy Ferrand")
        and mash.label == "Tue 5 Mar 13:00 Site visit: the front door"
    )
    assert "front-door.1" not in gaps


def test_the_wash_up_counts_what_came_in_that_day_and_where_it_is_thin(review: Store) -> None:
    washup = compute_washup(review, 1)
    assert washup.arrived.cell("front-door", SourceKind.CASE_FILE_AUDIT).total == 2
    thin = {(t.area_id, t.source) for t in washup.thin}
    assert ("front-door", SourceKind.INTERVIEW) in thin and ("early-help", SourceKind.INTERVIEW) in thin
    day2 = compute_washup(review, 2)
    assert day2.arrived.cell("front-door", SourceKind.CASE_FILE_AUDIT).total == 0
    line = day2.line("front-door.1")
    assert line is not None and line.items == 2 and line.today == 0


def test_open_follow_ups_show_with_their_owners_until_closed(review: Store) -> None:
    question = _item(review, "Ask for the early help outcome")
    follow_ups.assign_follow_up(review, question, owner="health", session_id="tue-0900-files", actor="lead")
    washup = compute_washup(review, 1)
    assert [(f.view.item.text, f.owner_name) for f in washup.follow_ups] == [
        ("Ask for the early help outcome measures", "Owen Carrick")
    ]
    follow_ups.close_follow_up(review, question, actor="health")
    assert compute_washup(review, 1).follow_ups == []


def test_a_line_tested_later_in_the_week_is_tested_on_that_days_wash_up(review: Store) -> None:
    from peerreview_tui.store import notes

    notes.save_note(review, "tue-1300-mash", "manager", "- Plans drift after conferences #front-door.2\n")
    assert compute_washup(review, 1).line("front-door.2").state == "one kind of source"  # type: ignore[union-attr]
    assert compute_washup(review, 2).line("front-door.2").state == "tested"  # type: ignore[union-attr]
    last = compute_washup(review, 3)
    assert all(gap.sessions == () for gap in last.gaps)  # nothing after the last day


def test_a_day_that_is_not_in_the_review_is_refused(review: Store) -> None:
    with pytest.raises(NoSuchDay, match="3 days"):
        compute_washup(review, 4)


def test_follow_up_kind_items_count_on_their_line(review: Store) -> None:
    line = compute_washup(review, 1).line("early-help.2")
    assert line is not None
    assert (line.developments, line.follow_ups, line.kinds) == (1, 1, [SourceKind.INTERVIEW])


# --- Between laptops, and from an older database ---------------------------------------------


def test_ties_and_follow_ups_travel_in_bundles(review: Store, tmp_path: Path) -> None:
    import shutil

    from peerreview_tui.sync import merge_bundles, write_bundle

    other_path = tmp_path / "other.db"
    review.checkpoint()
    shutil.copy(review.path, other_path)
    question = _item(review, "Ask for the early help outcome")
    enquiry.tie_line(review, _item(review, "Plans list services"), "front-door.3", "health")
    follow_ups.assign_follow_up(review, question, owner="health", session_id="tue-0900-files", actor="lead")
    write_bundle(review, tmp_path / "lead.prbundle", actor="lead")
    with Store.open(other_path) as other:
        merge_bundles(other, [tmp_path / "lead.prbundle"], actor="health")
        state = follow_ups.get_follow_up(other, question)
        assert state is not None and state.owner_name == "Owen Carrick"
        assert compute_washup(other, 1).line("front-door.3").items == 1  # type: ignore[union-attr]


def test_a_bundle_reopening_someone_elses_follow_up_is_refused(review: Store, tmp_path: Path) -> None:
    import shutil
    import sqlite3

    from peerreview_tui.models import now
    from peerreview_tui.sync import SyncError, merge_bundles, write_bundle

    question = _item(review, "Ask for the early help outcome")
    follow_ups.assign_follow_up(review, question, owner="health", session_id=None, actor="lead")
    follow_ups.close_follow_up(review, question, actor="health")
    review.checkpoint()
    other_path = tmp_path / "other.db"
    shutil.copy(review.path, other_path)
    bundle = tmp_path / "officer.prbundle"
    write_bundle(review, bundle, actor="officer")
    with sqlite3.connect(bundle) as conn:  # the officer's laptop reopens it, by hand
        conn.execute(
            "UPDATE follow_ups SET closed_at = NULL, closed_by = NULL, updated_by = 'officer', updated_at = ?",
            [now()],
        )
    before = other_path.read_bytes()
    with (
        Store.open(other_path) as other,
        pytest.raises(SyncError, match="reopens a follow-up raised by Gareth Pennock as Sunita Bhatt"),
    ):
        merge_bundles(other, [bundle], actor="health")
    assert other_path.read_bytes() == before


def test_a_database_of_the_previous_schema_gains_the_new_tables(tmp_path: Path) -> None:
    import sqlite3

    from sqlite_utils import Database

    from peerreview_tui.store.migrations import MIGRATIONS, SCHEMA_VERSION, migrate

    path = tmp_path / "old.db"
    db = Database(sqlite3.connect(path))
    for step, upgrade in enumerate(MIGRATIONS[:4], start=1):
        upgrade(db)
        db.execute(f"PRAGMA user_version = {step}")
    db.execute(
        "INSERT INTO tombstones (id, table_name, row_id, row, deleted_by, deleted_at) VALUES "
        "('evidence/x', 'evidence', 'x', json_object('id', 'x', 'focus_areas', '[]'), 'lead', '2024-03-04T09:00:00.000000Z')"
    )
    assert migrate(db) == SCHEMA_VERSION - 4
    row = db.execute("SELECT row FROM tombstones").fetchone()[0]
    assert '"lines_of_enquiry":"[]"' in row
    assert {"evidence_lines", "follow_ups"} <= set(db.table_names())


# --- Coverage by line, and the lines findings rest on -------------------------------------------


def test_coverage_by_line_of_enquiry_counts_tied_items_by_source(review: Store) -> None:
    from peerreview_tui.coverage import compute_line_coverage

    matrix = compute_line_coverage(review)
    assert matrix.areas == [
        "front-door.1",
        "front-door.2",
        "front-door.3",
        "early-help.1",
        "early-help.2",
        "adolescents.1",
    ]
    assert matrix.cell("front-door.1", SourceKind.INTERVIEW).strengths == 1
    assert matrix.cell("front-door.1", SourceKind.CASE_FILE_AUDIT).strengths == 1
    assert matrix.cell("early-help.2", SourceKind.INTERVIEW).follow_ups == 1
    assert matrix.untagged == 0
    items = list_evidence(review, line_of_enquiry="early-help.2")
    assert sorted(v.item.kind.value for v in items) == ["development", "follow_up"]


def test_each_finding_rests_on_the_lines_of_the_evidence_it_cites(review: Store) -> None:
    from peerreview_tui.models import FindingSection
    from peerreview_tui.store import findings
    from peerreview_tui.washup import lines_of_findings

    cited = [_item(review, "Plans list services"), _item(review, "Thresholds are well understood")]
    made = findings.create_finding(
        review,
        section=FindingSection.DEVELOPMENT,
        focus_area_id="front-door",
        title="Plans are not yet specific",
        evidence_ids=cited,
        actor="lead",
    )
    assert lines_of_findings(review)[made.id] == ["front-door.1", "front-door.2"]


def test_the_days_matrix_is_the_coverage_of_that_days_sessions(review: Store) -> None:
    """The wash-up counts the day's items from the week's it has read: the same matrix as
    `peerreview coverage --day`, every day, an item tied to a line by someone else included."""
    line = enquiry.review_lines(review)[-1].id
    enquiry.tie_line(review, list_evidence(review)[0].item.id, line, "lead")
    for number, day in enumerate(week.days(review), start=1):
        assert compute_washup(review, number).arrived == compute_coverage(review, day=day.id)
