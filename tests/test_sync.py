"""Bundle and merge: each rule on two or three laptops (separate databases in a temp folder)."""

from __future__ import annotations

import json
import sqlite3
import stat
from pathlib import Path
from typing import Any

import pytest

from peerreview_tui import signing
from peerreview_tui.models import FindingSection, FindingStatus, SessionStatus
from peerreview_tui.store import Store, findings, notes, signatures, week
from peerreview_tui.store.purge import purge_notes
from peerreview_tui.store.search import search_notes
from peerreview_tui.sync import (
    BUNDLE_FORMAT,
    LAST_BUNDLE_AT,
    SyncError,
    init_from_bundle,
    list_conflicts,
    merge_bundles,
    read_bundle,
    resolve_conflict,
    write_bundle,
)
from peerreview_tui.sync.signatures import KeyNotEnrolled
from peerreview_tui.sync.tables import TABLES

from .conftest import search_index_is_sound
from .team_keys import share_team_keys

SESSION, OTHER_SESSION = "mon-0930-dcs", "mon-1045-ce"
MERGED = [table.name for table in TABLES if table.name != "conflicts"]


@pytest.fixture
def laptops(tmp_path: Path, example_schedule):
    """Three laptops that each loaded the example schedule."""
    opened: list[Store] = []

    def make(name: str) -> Store:
        store = Store.open(tmp_path / f"{name}.db", create=True)
        week.apply_schedule(store, example_schedule, "sha")
        opened.append(store)
        share_team_keys(*opened)  # one team, each laptop's keys enrolled by the lead

        return store

    yield make
    for store in opened:
        store.close()


def send(
    source: Store,
    target: Store,
    folder: Path,
    *,
    since_last: bool = False,
    actor: str = "lead",
    accept: list[str] | None = None,
):
    """``source`` writes a bundle, ``target`` merges it (the lead enrolling the keys of ``accept``)."""
    path = folder / f"{source.path.stem}-{len(list(folder.glob('*.prbundle')))}.prbundle"
    write_bundle(source, path, since_last=since_last, actor=actor)
    return merge_bundles(target, [path], actor="lead", accept_keys=accept or ())


def fingerprint_of(store: Store, reviewer: str) -> str:
    with store.read() as db:
        public = signatures.public_key_of(db, reviewer)
    assert public is not None
    return signing.fingerprint(public)


def dump(store: Store) -> dict[str, list[dict[str, Any]]]:
    """Every merged table, in key order; merge audit entries aside (each laptop writes its own)."""
    with store.read() as db:
        out = {}
        for table in MERGED:
            rows = list(db.query(f"SELECT * FROM {table}"))
            if table == "audit":
                rows = [row for row in rows if row["action"] != "merge"]
            out[table] = sorted(rows, key=lambda r: json.dumps(r, sort_keys=True))
        out["tombstones"] = list(db.query("SELECT * FROM tombstones ORDER BY id"))
    return out


def note_body(store: Store, author: str = "officer1", session: str = SESSION) -> str | None:
    note = notes.get_note(store, session, author)
    return note.body if note else None


# --- Bundles ---------------------------------------------------------------------------------


def test_a_bundle_is_one_private_file_with_a_header_and_no_meta(laptops, tmp_path: Path) -> None:
    a = laptops("a")
    notes.save_note(a, SESSION, "officer1", "+ supervision is regular #practice\n")
    a.set_meta("me", "officer1")
    path = tmp_path / "a.prbundle"
    summary = write_bundle(a, path, actor="officer1")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp file left
    bundle = read_bundle(path)
    assert bundle.header.review_id == "northborough-2012" and bundle.header.sender == "officer1"
    assert bundle.header.format == BUNDLE_FORMAT and bundle.header.since is None
    assert len(bundle.rows["notes"]) == 1 and len(bundle.rows["evidence"]) == 1
    assert summary.counts["sessions"] == len(week.sessions(a))
    with sqlite3.connect(path) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "meta" not in tables and "sync_versions" not in tables
    assert "2 sessions" not in summary.describe() and "1 note" in summary.describe()


def test_since_last_holds_only_what_changed_and_passes_on_what_was_merged(laptops, tmp_path: Path) -> None:
    a, lead = laptops("a"), laptops("lead")
    write_bundle(lead, tmp_path / "first.prbundle", actor="lead")
    assert lead.get_meta(LAST_BUNDLE_AT) is not None
    nothing = write_bundle(lead, tmp_path / "none.prbundle", since_last=True, actor="lead")
    assert sum(nothing.counts.values()) == 0 and nothing.deletions == 0
    notes.save_note(a, SESSION, "officer1", "+ thresholds are understood #practice\n")
    send(a, lead, tmp_path, actor="officer1")
    relay = write_bundle(lead, tmp_path / "relay.prbundle", since_last=True, actor="lead")
    assert relay.counts["notes"] == 1 and relay.counts["evidence"] == 1
    assert relay.counts["sessions"] == 0  # the schedule went in the first bundle


def test_the_first_since_last_bundle_holds_everything(laptops, tmp_path: Path) -> None:
    a = laptops("a")
    summary = write_bundle(a, tmp_path / "a.prbundle", since_last=True, actor="officer1")
    assert summary.since is None and summary.counts["sessions"] == len(week.sessions(a))


# --- Merging ----------------------------------------------------------------------------------


def test_merged_notes_are_found_by_search(laptops, tmp_path: Path) -> None:
    a, lead = laptops("a"), laptops("lead")
    notes.save_note(a, SESSION, "officer1", "+ the MASH works well #partnership\n")
    summary = send(a, lead, tmp_path, actor="officer1")
    assert summary.total("notes").added == 1 and summary.total("evidence").added == 1
    assert note_body(lead) == "+ the MASH works well #partnership\n"
    assert [hit.note_id for hit in search_notes(lead, "MASH")] == [notes.get_note(a, SESSION, "officer1").id]
    notes.save_note(a, SESSION, "officer1", "+ the front door works well #partnership\n")
    send(a, lead, tmp_path, actor="officer1")
    assert search_notes(lead, "MASH") == []
    assert [hit.note_id for hit in search_notes(lead, "front door")] == [
        notes.get_note(a, SESSION, "officer1").id
    ]
    assert search_index_is_sound(lead)


def test_merging_the_same_bundle_twice_changes_nothing(laptops, tmp_path: Path) -> None:
    a, lead = laptops("a"), laptops("lead")
    notes.save_note(a, SESSION, "officer1", "+ good #practice\n")
    path = tmp_path / "a.prbundle"
    write_bundle(a, path, actor="officer1")
    merge_bundles(lead, [path], actor="lead")
    before = dump(lead)
    again = merge_bundles(lead, [path], actor="lead")
    assert again.bundles[0].skipped and "already merged" in again.bundles[0].skipped
    # Even with the laptop's list of merged bundles forgotten, the rows decide the same way.
    with lead.write() as db:
        db.execute("DELETE FROM bundles")
    forgotten = merge_bundles(lead, [path], actor="lead")
    assert all(c.added == c.updated == c.conflicts == 0 for c in forgotten.bundles[0].counts.values())
    assert dump(lead) == before


def test_any_order_of_bundles_gives_the_same_database(laptops, tmp_path: Path) -> None:
    a, b, lead = laptops("a"), laptops("b"), laptops("lead")
    notes.save_note(a, SESSION, "officer1", "+ first #practice\n")
    notes.save_note(b, SESSION, "health", "- gaps in health input #partnership\n")
    week.change_session(b, OTHER_SESSION, "health", location="Room 9")
    week.change_session(a, OTHER_SESSION, "officer1", title="Chief executive (moved)")  # later: wins
    paths = []
    for store, who in ((a, "officer1"), (b, "health"), (lead, "lead")):
        paths.append(tmp_path / f"{who}.prbundle")
        write_bundle(store, paths[-1], actor=who)
    copies = []
    for i, order in enumerate([paths, paths[::-1], [paths[1], paths[2], paths[0]]]):
        with Store.open(tmp_path / f"copy{i}.db", create=True) as copy:  # a laptop with nothing yet
            for path in order:  # one bundle at a time
                merge_bundles(copy, [path], actor="lead")
            copies.append(dump(copy))
    assert copies[0] == copies[1] == copies[2]
    moved = next(s for s in copies[0]["sessions"] if s["id"] == OTHER_SESSION)
    assert moved["title"] == "Chief executive (moved)" and moved["location"] != "Room 9"


def test_a_bundle_of_another_review_is_refused_naming_both(laptops, tmp_path: Path, example_schedule) -> None:
    lead = laptops("lead")
    other = Store.open(tmp_path / "other.db", create=True)
    week.apply_schedule(
        other,
        example_schedule.model_copy(
            update={
                "review": example_schedule.review.model_copy(
                    update={"id": "southmoor-2013", "title": "Southmoor review"}
                )
            }
        ),
        "sha",
    )
    write_bundle(other, tmp_path / "other.prbundle", actor="lead")
    other.close()
    before = dump(lead)
    with pytest.raises(SyncError, match=r"review 'southmoor-2013'.*review 'northborough-2012'"):
        merge_bundles(lead, [tmp_path / "other.prbundle"], actor="lead")
    assert dump(lead) == before


def test_a_newer_format_is_refused(laptops, tmp_path: Path) -> None:
    lead = laptops("lead")
    path = tmp_path / "new.prbundle"
    write_bundle(lead, path, actor="lead")
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE bundle SET format = ?", [BUNDLE_FORMAT + 1])
    with pytest.raises(SyncError, match=r"newer peerreview.*upgrade"):
        merge_bundles(lead, [path], actor="lead")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"hello, not a bundle", "not a peerreview bundle"),
        (b"SQLite format 3\x00" + b"\xff" * 200, "damaged or not a peerreview bundle"),
    ],
)
def test_a_file_that_is_not_a_bundle_is_refused(
    laptops, tmp_path: Path, content: bytes, message: str
) -> None:
    lead = laptops("lead")
    path = tmp_path / "bad.prbundle"
    path.write_bytes(content)
    with pytest.raises(SyncError, match=message):
        merge_bundles(lead, [path], actor="lead")


def test_a_review_database_or_a_truncated_bundle_is_refused(laptops, tmp_path: Path) -> None:
    lead = laptops("lead")
    with pytest.raises(SyncError, match="not a peerreview bundle"):
        merge_bundles(lead, [lead.path], actor="lead")
    path = tmp_path / "cut.prbundle"
    write_bundle(lead, path, actor="lead")
    path.write_bytes(path.read_bytes()[:1500])
    with pytest.raises(SyncError, match="damaged"):
        merge_bundles(lead, [path], actor="lead")
    with pytest.raises(SyncError, match="no such file"):
        merge_bundles(lead, [tmp_path / "missing.prbundle"], actor="lead")


def test_a_later_change_made_on_top_wins_without_conflict(laptops, tmp_path: Path) -> None:
    a, lead = laptops("a"), laptops("lead")
    notes.save_note(a, SESSION, "officer1", "+ one #practice\n")
    send(a, lead, tmp_path, actor="officer1")
    notes.save_note(a, SESSION, "officer1", "+ one #practice\n+ two #practice\n")
    summary = send(a, lead, tmp_path, since_last=True, actor="officer1")
    assert summary.total("notes").updated == 1 and summary.conflicts == 0
    # The lead's older version coming back (in the lead's bundle) changes nothing on the author's laptop.
    back = send(lead, a, tmp_path)
    assert back.conflicts == 0 and note_body(a) == "+ one #practice\n+ two #practice\n"
    assert list_conflicts(lead) == [] and list_conflicts(a) == []


def test_a_row_changed_on_two_laptops_keeps_the_loser(laptops, tmp_path: Path) -> None:
    a, a2, lead = laptops("a"), laptops("a2"), laptops("lead")
    notes.save_note(a, SESSION, "officer1", "typed on the laptop\n")
    notes.save_note(a2, SESSION, "officer1", "typed on the tablet\n")  # later: wins
    send(a, lead, tmp_path, actor="officer1")
    summary = send(a2, lead, tmp_path, actor="officer1")
    assert summary.total("notes").conflicts == 1
    assert note_body(lead) == "typed on the tablet\n"
    [conflict] = list_conflicts(lead)
    assert conflict.table_name == "notes" and conflict.loser["body"] == "typed on the laptop\n"
    assert (
        conflict.winner_updated_by == "officer1"
        and conflict.subject() == f"officer1's note for session {SESSION}"
    )
    assert conflict.subject(week.names(lead)) == (
        "Priya Natarajan's note for Monday 09:30 Opening meeting with the Director of Children's Services"
    )
    # Merging in the other order on another laptop gives the same note and the same conflict.
    other = laptops("other")
    send(a2, other, tmp_path, actor="officer1")
    send(a, other, tmp_path, actor="officer1")
    assert note_body(other) == "typed on the tablet\n"
    assert [c.id for c in list_conflicts(other)] == [conflict.id]


def test_keeping_the_loser_puts_it_back_as_a_new_change_that_travels(laptops, tmp_path: Path) -> None:
    a, a2, lead = laptops("a"), laptops("a2"), laptops("lead")
    notes.save_note(a, SESSION, "officer1", "+ the longer version #practice\n")
    notes.save_note(a2, SESSION, "officer1", "short\n")
    send(a, lead, tmp_path, actor="officer1")
    send(a2, lead, tmp_path, actor="officer1")
    [conflict] = list_conflicts(lead)
    resolved = resolve_conflict(lead, conflict.short_id, "loser", "lead")
    assert resolved.resolution == "loser" and resolved.resolved_by == "lead"
    assert list_conflicts(lead) == [] and len(list_conflicts(lead, include_resolved=True)) == 1
    assert note_body(lead) == "+ the longer version #practice\n"
    with lead.read() as db:  # the note's evidence follows its restored text
        assert [r["text"] for r in db.query("SELECT text FROM evidence WHERE detached = 0")] == [
            "the longer version"
        ]
        assert next(db.query("SELECT action FROM audit WHERE action = 'resolve conflict'"))
    summary = send(lead, a2, tmp_path)
    assert summary.conflicts == 0 and note_body(a2) == "+ the longer version #practice\n"
    assert [c.resolution for c in list_conflicts(a2, include_resolved=True)] == ["loser"]
    with pytest.raises(SyncError, match="already settled"):
        resolve_conflict(lead, conflict.id, "winner", "lead")


def test_keeping_the_winner_only_settles_it(laptops, tmp_path: Path) -> None:
    a, a2, lead = laptops("a"), laptops("a2"), laptops("lead")
    notes.save_note(a, SESSION, "officer1", "one\n")
    notes.save_note(a2, SESSION, "officer1", "two\n")
    send(a, lead, tmp_path, actor="officer1")
    send(a2, lead, tmp_path, actor="officer1")
    [conflict] = list_conflicts(lead)
    resolve_conflict(lead, conflict.id, "winner", "lead")
    assert note_body(lead) == "two\n" and list_conflicts(lead) == []
    with pytest.raises(SyncError, match="no conflict"):
        resolve_conflict(lead, "ffffffff", "winner", "lead")


def test_a_conflict_compares_the_two_versions_line_by_line_in_words(laptops, tmp_path: Path) -> None:
    from peerreview_tui.sync.conflicts import FieldDiff, compare, conflict_names

    a, a2, lead = laptops("a"), laptops("a2"), laptops("lead")
    common = [f"line {n}" for n in range(1, 9)]
    notes.save_note(a, SESSION, "officer1", "\n".join([*common, "+ from the laptop #practice"]) + "\n")
    notes.save_note(a2, SESSION, "officer1", "\n".join([*common, "+ from the tablet #practice"]) + "\n")
    send(a, lead, tmp_path, actor="officer1")
    send(a2, lead, tmp_path, actor="officer1")
    [conflict] = list_conflicts(lead)
    # the text in place (the tablet's) against the one kept aside, with two lines of context
    assert compare(lead, conflict, conflict_names(lead, [conflict])) == [
        FieldDiff(
            "text",
            (
                ("…", ""),
                (" ", "line 7"),
                (" ", "line 8"),
                ("-", "+ from the tablet #practice"),
                ("+", "+ from the laptop #practice"),
            ),
        )
    ]


def test_a_citation_conflict_reads_as_the_evidence_and_the_finding(laptops, tmp_path: Path) -> None:
    from peerreview_tui.store.evidence_items import list_evidence
    from peerreview_tui.sync.conflicts import compare, conflict_names

    a, b, lead = laptops("a"), laptops("b"), laptops("lead")
    notes.save_note(
        lead, SESSION, "lead", '! "we know the offer, we cannot get families into it" #early-help\n'
    )
    [quote] = [view.item for view in list_evidence(lead)]
    finding = findings.create_finding(
        lead,
        section=FindingSection.STRENGTH,
        focus_area_id="early-help",
        title="Early help is known",
        evidence_ids=[quote.id],
        actor="lead",
    )
    send(lead, a, tmp_path)
    send(lead, b, tmp_path)
    findings.choose_quote(a, finding.id, quote.id, True, "lead")
    findings.detach_evidence(b, finding.id, [quote.id], "officer2")
    send(a, lead, tmp_path)
    send(b, lead, tmp_path, actor="officer2")
    [conflict] = [c for c in list_conflicts(lead) if c.table_name == "finding_evidence"]
    names = conflict_names(lead, [conflict])
    assert conflict.subject(names) == (
        "citation of evidence '\"we know the offer, we cannot get famil…' in finding 'Early help is known'"
    )
    assert quote.id[:8] not in conflict.subject(names) and finding.id[:8] not in conflict.subject(names)
    assert conflict.subject() == "citation of an evidence item in a finding"  # no names: still no ids
    fields = {diff.field: diff.lines for diff in compare(lead, conflict, names)}
    assert fields["chosen for the letter"] == (("-", "no"), ("+", "yes"))  # A chose it, kept aside
    assert fields["deleted"][1] == ("+", "(none)")  # B's detaching is in place
    assert all(quote.id not in line for lines in fields.values() for _, line in lines)


def test_a_conflict_seen_on_one_laptop_reaches_the_lead(laptops, tmp_path: Path) -> None:
    a, b, c, lead = laptops("a"), laptops("b"), laptops("c"), laptops("lead")
    finding = findings.create_finding(
        lead, section=FindingSection.KEY_MESSAGE, focus_area_id=None, title="Draft", actor="lead"
    )
    send(lead, a, tmp_path)
    send(lead, b, tmp_path)
    findings.update_finding(a, finding.id, "officer1", title="Wording from A")
    findings.update_finding(b, finding.id, "health", title="Wording from B")
    send(a, c, tmp_path, actor="officer1")
    assert send(b, c, tmp_path, actor="health").conflicts == 1
    # The lead hears of it from C alone: B's version arrives as the winner, A's as the kept loser.
    send(c, lead, tmp_path, actor="officer2")
    [conflict] = list_conflicts(lead)
    assert conflict.loser["title"] == "Wording from A"
    assert findings.get_finding(lead, finding.id).finding.title == "Wording from B"


def test_rows_differing_only_in_their_stamps_are_no_conflict(laptops, tmp_path: Path) -> None:
    a, lead = laptops("a"), laptops("lead")  # each loaded the schedule at its own time
    summary = send(a, lead, tmp_path, actor="officer1")
    assert summary.conflicts == 0
    assert summary.total("sessions").updated == 0 and summary.total("sessions").added == 0


def test_a_late_schedule_load_over_a_move_keeps_the_move_as_a_conflict(laptops, tmp_path: Path) -> None:
    a = laptops("a")
    week.change_session(a, OTHER_SESSION, "officer1", location="Moved on site")
    late = laptops("late")  # loads the file after the move was made elsewhere: its stamps are newer
    summary = send(a, late, tmp_path, actor="officer1")
    assert week.session(late, OTHER_SESSION).location != "Moved on site"
    assert summary.conflicts == 1 and list_conflicts(late)[0].loser["location"] == "Moved on site"


def test_a_deleted_evidence_item_is_deleted_everywhere(laptops, tmp_path: Path) -> None:
    a, lead = laptops("a"), laptops("lead")
    notes.save_note(a, SESSION, "officer1", "+ kept #practice\n- dropped #practice\n")
    send(a, lead, tmp_path, actor="officer1")
    notes.save_note(a, SESSION, "officer1", "+ kept #practice\n")
    summary = send(a, lead, tmp_path, since_last=True, actor="officer1")
    assert summary.removed["evidence"] == 1 and summary.conflicts == 0
    with lead.read() as db:
        assert [r["text"] for r in db.query("SELECT text FROM evidence")] == ["kept"]
        assert next(db.query("SELECT count(*) AS n FROM tombstones"))["n"] == 1
    assert dump(lead)["evidence"] == dump(a)["evidence"]


def test_a_deleted_item_a_finding_cites_is_kept_detached(laptops, tmp_path: Path) -> None:
    a, lead = laptops("a"), laptops("lead")
    notes.save_note(a, SESSION, "officer1", "- dropped later #practice\n")
    send(a, lead, tmp_path, actor="officer1")
    with lead.read() as db:
        item = next(db.query("SELECT id FROM evidence"))["id"]
    findings.create_finding(
        lead,
        section=FindingSection.DEVELOPMENT,
        focus_area_id="practice",
        title="Thin",
        evidence_ids=[item],
        actor="lead",
    )
    notes.save_note(a, SESSION, "officer1", "nothing marked\n")  # the line goes on A, where nothing cites it
    send(a, lead, tmp_path, since_last=True, actor="officer1")
    send(lead, a, tmp_path, since_last=True)
    for store in (a, lead):
        with store.read() as db:
            assert [(r["id"], r["detached"]) for r in db.query("SELECT id, detached FROM evidence")] == [
                (item, 1)
            ]
    assert dump(a) == dump(lead)


def test_a_session_dropped_by_a_reload_but_with_notes_elsewhere_is_kept_cancelled(
    laptops, tmp_path: Path, example_schedule
) -> None:
    a, lead = laptops("a"), laptops("lead")
    dropped = "mon-1045-pfh"
    notes.save_note(a, dropped, "officer2", "notes on a session the lead drops\n")
    days = [
        day.model_copy(update={"sessions": [s for s in day.sessions if s.id != dropped]})
        for day in example_schedule.days
    ]
    revised = example_schedule.model_copy(update={"days": days})
    # Every laptop loads the revised file (a bundle never brings one); here first, with the notes.
    assert week.apply_schedule(a, revised, "sha2").cancelled == [dropped]
    changes = week.apply_schedule(lead, revised, "sha2")
    assert changes.removed == [dropped]  # no notes on the lead's laptop: deleted outright
    send(lead, a, tmp_path)
    send(a, lead, tmp_path, actor="officer2")
    for store in (a, lead):
        kept = week.session(store, dropped)
        assert kept is not None and kept.status is SessionStatus.CANCELLED and kept.removed_at is not None
    assert note_body(lead, "officer2", dropped) == "notes on a session the lead drops\n"
    assert dump(a) == dump(lead)


def test_a_merge_that_fails_changes_nothing(laptops, tmp_path: Path) -> None:
    a, lead = laptops("a"), laptops("lead")
    session = week.add_session(
        a,
        day=week.days(a)[0].id,
        start_time="16:00",
        end_time="17:00",
        title="Reality testing",
        kind="interview",
        location="",
        reviewers=["officer1"],
        focus_areas=[],
        actor="officer1",
    )
    write_bundle(a, tmp_path / "first.prbundle", actor="officer1")  # never reaches the lead
    notes.save_note(a, session.id, "officer1", "+ on the new session #practice\n")
    write_bundle(a, tmp_path / "second.prbundle", since_last=True, actor="officer1")
    before = dump(lead)
    with pytest.raises(SyncError, match="merge the earlier bundles from officer1 first"):
        merge_bundles(lead, [tmp_path / "second.prbundle"], actor="lead")
    assert dump(lead) == before and lead.get_meta("sync.merging") is None
    # Both together, in either order, are fine.
    merge_bundles(lead, [tmp_path / "second.prbundle", tmp_path / "first.prbundle"], actor="lead")
    assert note_body(lead, session=session.id) == "+ on the new session #practice\n"


def test_every_merge_is_in_the_audit_trail_which_merges_too(laptops, tmp_path: Path) -> None:
    a, lead, b = laptops("a"), laptops("lead"), laptops("b")
    notes.save_note(a, SESSION, "officer1", "+ x #practice\n")
    path = tmp_path / "a.prbundle"
    write_bundle(a, path, actor="officer1")
    merge_bundles(lead, [path], actor="lead")
    with lead.read() as db:
        [entry] = list(db.query("SELECT * FROM audit WHERE action = 'merge'"))
    changes = json.loads(entry["changes"])
    assert entry["actor"] == "lead" and entry["row_id"] == read_bundle(path).header.bundle_id
    assert changes["sender"] == "officer1" and changes["counts"]["notes"] == {"added": 1}
    send(lead, b, tmp_path)
    with b.read() as db:
        assert entry["id"] in {row["id"] for row in db.query("SELECT id FROM audit WHERE action = 'merge'")}


# --- Joining from a bundle --------------------------------------------------------------------


def test_join_makes_a_laptop_from_the_leads_bundle(laptops, tmp_path: Path) -> None:
    lead = laptops("lead")
    notes.save_note(lead, SESSION, "lead", "+ the lead's own note #practice\n")
    path = tmp_path / "lead.prbundle"
    write_bundle(lead, path, actor="lead")
    init_from_bundle(tmp_path / "new.db", path, me="officer1")
    with Store.open(tmp_path / "new.db") as joined:
        assert joined.get_meta("me") == "officer1"
        assert dump(joined) == {**dump(lead), "audit": dump(joined)["audit"]}
        assert len(week.sessions(joined)) == len(week.sessions(lead))
        # The joined laptop made officer1 a key pair: the lead enrols it once they have compared
        # fingerprints; then nothing differs, so merging changes nothing.
        with pytest.raises(
            KeyNotEnrolled, match=f"Priya Natarajan's key {fingerprint_of(joined, 'officer1')}"
        ):
            send(joined, lead, tmp_path, actor="officer1")
        summary = send(joined, lead, tmp_path, actor="officer1", accept=["officer1"])
    assert summary.conflicts == 0
    assert all(summary.total(table).changed == 0 for table in MERGED if table != "audit")


def test_join_refuses_partial_bundles_unknown_reviewers_and_taken_databases(laptops, tmp_path: Path) -> None:
    lead = laptops("lead")
    write_bundle(lead, tmp_path / "full.prbundle", actor="lead")
    write_bundle(lead, tmp_path / "part.prbundle", since_last=True, actor="lead")
    with pytest.raises(SyncError, match="only changes"):
        init_from_bundle(tmp_path / "x.db", tmp_path / "part.prbundle", me="officer1")
    with pytest.raises(SyncError, match=r"no reviewer 'nobody'.*officer1"):
        init_from_bundle(tmp_path / "x.db", tmp_path / "full.prbundle", me="nobody")
    assert not (tmp_path / "x.db").exists()
    with pytest.raises(SyncError, match="already holds review"):
        init_from_bundle(lead.path, tmp_path / "full.prbundle", me="officer1")


# --- Deletions in the summary -------------------------------------------------------------------


def test_merge_summaries_count_deletions(laptops, tmp_path: Path) -> None:
    a, lead = laptops("a"), laptops("lead")
    notes.save_note(a, SESSION, "officer1", "".join(f"+ point {i} #practice\n" for i in range(20)))
    finding = findings.create_finding(
        a, section=FindingSection.KEY_MESSAGE, focus_area_id=None, title="Soon gone", actor="officer1"
    )
    send(a, lead, tmp_path, actor="officer1")
    notes.save_note(a, SESSION, "officer1", "nothing marked any more\n")
    findings.delete_finding(a, finding.id, "officer1")
    summary = send(a, lead, tmp_path, since_last=True, actor="officer1")
    assert summary.total("evidence").deleted == 20 and summary.total("findings").deleted == 1
    described = summary.describe()
    assert "20 evidence items deleted" in described and "1 finding deleted" in described, described
    assert summary.bundles[0].describe() == described
    with lead.read() as db:
        [entry] = [
            json.loads(row["changes"])
            for row in db.query("SELECT changes FROM audit WHERE action = 'merge' ORDER BY at DESC LIMIT 1")
        ]
    assert entry["counts"]["evidence"] == {"deleted": 20}


# --- A purged review stays purged -------------------------------------------------------------


def test_a_purged_review_refuses_note_text_from_a_laptop_that_had_not_purged(laptops, tmp_path: Path) -> None:
    a, lead = laptops("a"), laptops("lead")
    notes.save_note(a, SESSION, "officer1", "+ said in confidence #practice\n")
    send(a, lead, tmp_path, actor="officer1")
    purge_notes(lead, force=True)
    notes.save_note(a, OTHER_SESSION, "officer1", "+ more said in confidence #practice\n")  # typed since
    path = tmp_path / "unpurged.prbundle"
    write_bundle(a, path, actor="officer1")
    before = dump(lead)
    with pytest.raises(SyncError) as refused:
        merge_bundles(lead, [path], actor="lead")
    message = str(refused.value)
    assert "purged" in message and "note text" in message and "peerreview purge" in message
    assert "Priya Natarajan" in message and "confidence" not in message
    assert dump(lead) == before
    # The purge travels the other way: the lead's blanked notes replace the text on A...
    send(lead, a, tmp_path)
    assert note_body(a) == ""
    # ...and once A is purged too, its bundles are welcome again.
    purge_notes(a, force=True)
    assert send(a, lead, tmp_path, actor="officer1").conflicts == 0
    with lead.read() as db:
        assert [row["body"] for row in db.query("SELECT body FROM notes")] == ["", ""]


# --- Who may change what ------------------------------------------------------------------------


def test_what_the_lead_does_travels_and_what_reviewers_may_do_to_it_too(laptops, tmp_path: Path) -> None:
    a, lead = laptops("a"), laptops("lead")
    notes.save_note(
        a, SESSION, "officer1", '! "we feel listened to" #practice\n+ plans are clear #practice\n'
    )
    send(a, lead, tmp_path, actor="officer1")
    with lead.read() as db:
        quote = next(db.query("SELECT id FROM evidence WHERE kind = 'quote'"))["id"]
    made = [
        findings.create_finding(
            lead,
            section=FindingSection.STRENGTH,
            focus_area_id="practice",
            title=title,
            evidence_ids=[quote],
            actor="lead",
        )
        for title in ("Staff feel heard", "Plans are clear")
    ]
    findings.agree_finding(lead, made[1].id, "lead")
    findings.choose_quote(lead, made[0].id, quote, True, "lead")
    assert send(lead, a, tmp_path).conflicts == 0
    # A reviewer moves the draft below the agreed one (which takes its place) and stops citing
    # the chosen quote: theirs to do while it is a draft.
    findings.move_finding(a, made[0].id, 1, "officer1")
    findings.detach_evidence(a, made[0].id, [quote], "officer1")
    send(a, lead, tmp_path, since_last=True, actor="officer1")
    listed = findings.list_findings(lead)
    assert [(view.finding.title, view.finding.status) for view in listed] == [
        ("Plans are clear", FindingStatus.AGREED),
        ("Staff feel heard", FindingStatus.DRAFT),
    ]
    assert findings.linked_evidence(lead, made[0].id) == []


def test_a_revised_schedule_comes_from_the_file_not_from_a_bundle(
    laptops, tmp_path: Path, example_schedule
) -> None:
    a, lead = laptops("a"), laptops("lead")
    team = [r.model_copy(update={"lead": r.id == "officer2"}) for r in example_schedule.reviewers]
    revised = example_schedule.model_copy(update={"reviewers": team})
    week.apply_schedule(lead, revised, "sha2")
    path = tmp_path / "lead.prbundle"
    write_bundle(lead, path, actor="lead")
    before = dump(a)
    with pytest.raises(SyncError) as refused:
        merge_bundles(a, [path], actor="officer1")
    message = str(refused.value)
    assert "who leads the review" in message and "David Fenwick-Hale" in message
    assert "peerreview reload" in message and dump(a) == before
    # Once this laptop has loaded the same file, the bundle is welcome.
    week.apply_schedule(a, revised, "sha2")
    assert merge_bundles(a, [path], actor="officer1").conflicts == 0
    # A laptop that joins takes the team from the bundle, whoever leads it.
    init_from_bundle(tmp_path / "new.db", path, me="health")
