"""The review database: creation, refusal of foreign files, reloads that keep notes, backups."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from bench.durability import run_killed
from peerreview_tui.cli import main
from peerreview_tui.models import SessionStatus, letter_of
from peerreview_tui.schedule import parse_schedule
from peerreview_tui.store import Store, StoreError, notes, week
from peerreview_tui.store.backup import backup_reason, list_backups
from peerreview_tui.store.migrations import SCHEMA_VERSION
from peerreview_tui.store.purge import purge_notes
from peerreview_tui.store.unfinished import begin

from .conftest import EXAMPLE


def _revised(mutate) -> object:
    data = yaml.safe_load(EXAMPLE.read_text())
    mutate(data)
    return parse_schedule(yaml.safe_dump(data, sort_keys=False), "revised.yaml").schedule


def test_a_new_database_holds_the_week(store: Store) -> None:
    review = store.review()
    assert review is not None and review.id == "northborough-2012"
    letter = letter_of(review)
    assert letter is not None and letter.salutation.startswith("Dear")
    assert len(week.days(store)) == 5
    assert len(week.sessions(store)) == 45
    assert [r.id for r in week.reviewers(store) if r.is_lead] == ["lead"]
    assert [f.id for f in week.focus_areas(store)] == [
        "practice",
        "early-help",
        "partnership",
        "commissioning",
    ]


def test_sessions_of_a_day_come_in_time_order(store: Store) -> None:
    monday = week.days(store)[0]
    times = [s.start_time for s in week.sessions(store, monday.id)]
    assert times == sorted(times) and len(times) == 10


def test_migrations_run_from_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    path.touch()
    with Store.open(path, create=True) as opened:
        version = opened.db.execute("PRAGMA user_version").fetchone()[0]
        mode = opened.db.execute("PRAGMA journal_mode").fetchone()[0]
        tables = set(opened.db.table_names())
    assert version == SCHEMA_VERSION
    assert mode == "wal"
    assert {"review", "sessions", "notes", "evidence", "findings", "finding_evidence", "audit"} <= tables


def test_new_database_is_private_to_its_owner(tmp_path: Path) -> None:
    with Store.open(tmp_path / "new.db", create=True):
        pass
    assert (tmp_path / "new.db").stat().st_mode & 0o077 == 0


def test_a_note_round_trips(store: Store) -> None:
    saved = notes.save_note(store, week.sessions(store)[1].id, "lead", "+ strong #practice")
    again = notes.get_note(store, saved.session_id, "lead")
    assert again is not None and again.body == "+ strong #practice"
    assert again.created_by == "lead" and again.created_at == again.updated_at


def test_two_reviewers_keep_separate_notes_in_one_session(store: Store) -> None:
    session = week.sessions(store)[1].id
    a = notes.save_note(store, session, "lead", "mine")
    b = notes.save_note(store, session, "health", "theirs")
    assert a.id != b.id
    assert [n.body for n in notes.notes_for_session(store, session)] == ["theirs", "mine"]


def test_note_ids_are_the_same_on_every_laptop(tmp_path: Path, example_schedule) -> None:
    ids = []
    for laptop in ("a", "b"):
        with Store.open(tmp_path / f"{laptop}.db", create=True) as opened:
            week.apply_schedule(opened, example_schedule, "sha")
            ids.append(notes.save_note(opened, week.sessions(opened)[3].id, "member", laptop).id)
    assert ids[0] == ids[1]


def test_reload_updates_sessions_by_id_and_keeps_notes(store: Store) -> None:
    first, second = week.sessions(store)[1], week.sessions(store)[2]
    notes.save_note(store, first.id, "lead", "+ kept forever")

    def move_and_drop(data: dict) -> None:
        sessions = data["days"][0]["sessions"]
        for s in sessions:
            if s["id"] == second.id:
                s["location"] = "Somewhere new"
        data["days"][0]["sessions"] = [s for s in sessions if s["id"] != first.id]

    changes = week.apply_schedule(store, _revised(move_and_drop), "sha2")
    assert changes.cancelled == [first.id]
    assert changes.updated == [second.id]
    kept = week.session(store, first.id)
    assert kept is not None and kept.status is SessionStatus.CANCELLED
    assert notes.get_note(store, first.id, "lead").body == "+ kept forever"
    assert week.session(store, second.id).location == "Somewhere new"


def test_reload_deletes_a_removed_session_without_notes(store: Store) -> None:
    gone = week.sessions(store)[2].id

    def drop(data: dict) -> None:
        for day in data["days"]:
            day["sessions"] = [s for s in day["sessions"] if s["id"] != gone]

    changes = week.apply_schedule(store, _revised(drop), "sha2")
    assert changes.removed == [gone]
    assert week.session(store, gone) is None


def test_a_session_put_back_in_the_file_is_restored(store: Store) -> None:
    target = week.sessions(store)[1].id
    notes.save_note(store, target, "lead", "notes")

    def drop(data: dict) -> None:
        for day in data["days"]:
            day["sessions"] = [s for s in day["sessions"] if s["id"] != target]

    week.apply_schedule(store, _revised(drop), "sha2")
    changes = week.apply_schedule(store, _revised(lambda d: None), "sha3")
    assert changes.restored == [target]
    assert week.session(store, target).status is SessionStatus.PLANNED


def test_reloading_the_same_file_changes_nothing(store: Store, example_schedule) -> None:
    changes = week.apply_schedule(store, example_schedule, "sha")
    assert (changes.added, changes.updated, changes.removed, changes.other_updates) == ([], [], [], 0)


def test_a_schedule_for_another_review_is_refused(store: Store) -> None:
    other = _revised(lambda d: d["review"].update(id="elsewhere-2013"))
    with pytest.raises(StoreError, match="holds review 'northborough-2012'"):
        week.apply_schedule(store, other, "sha")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"just some text\n", "not an SQLite file"),
        (b"SQLite format 3\x00" + b"\x00" * 200, "damaged|not a review database"),
    ],
)
def test_a_file_that_is_not_a_review_is_refused_and_left_untouched(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "thing.db"
    path.write_bytes(content)
    with pytest.raises(StoreError, match=message):
        Store.open(path, create=True)
    assert path.read_bytes() == content
    assert not Path(f"{path}-wal").exists()


def test_another_sqlite_database_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE accounts (x)")
    before = path.read_bytes()
    with pytest.raises(StoreError, match="not a review database"):
        Store.open(path)
    assert path.read_bytes() == before


def test_a_missing_database_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="peerreview init"):
        Store.open(tmp_path / "absent.db")
    assert not (tmp_path / "absent.db").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write read-only files")
def test_a_read_only_database_is_refused_clearly(store: Store) -> None:
    store.close()
    store.path.chmod(0o400)
    with pytest.raises(StoreError, match="read-only"):
        Store.open(store.path)


def test_a_locked_database_gives_a_clear_error(store: Store) -> None:
    blocker = sqlite3.connect(store.path)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        store.db.conn.execute("PRAGMA busy_timeout = 50")
        with pytest.raises(StoreError, match="busy in another program"):
            notes.save_note(store, week.sessions(store)[0].id, "lead", "x")
    finally:
        blocker.rollback()
        blocker.close()


def test_backups_roll_and_hold_the_notes(store: Store) -> None:
    notes.save_note(store, week.sessions(store)[1].id, "lead", "in the backup")
    for _ in range(7):
        store.backup("reload")
    kept = list_backups(store.path)
    assert len(kept) == 5
    with sqlite3.connect(kept[-1]) as copy:
        assert copy.execute("SELECT body FROM notes").fetchone()[0] == "in the backup"
    assert kept[-1].stat().st_mode & 0o077 == 0


def test_each_database_keeps_its_own_backups(tmp_path: Path, example_schedule) -> None:
    """Finding 9: backups were matched by "<stem>-*.db", so the rotation of rev.db took the
    backups of rev-old.db, and a purge of one wiped the other's."""
    rev, old = (Store.open(tmp_path / name, create=True) for name in ("rev.db", "rev-old.db"))
    with rev, old:
        for opened in (rev, old):
            week.apply_schedule(opened, example_schedule, "sha")
        old_backups = [old.backup("reload"), old.backup("reload")]
        for _ in range(7):
            rev.backup("merge")
        assert list_backups(old.path) == old_backups
        assert all(path.exists() for path in old_backups)
        assert not set(list_backups(rev.path)) & set(old_backups)
        purge_notes(rev, force=True)
        assert all(path.exists() for path in old_backups)
        assert list_backups(old.path) == old_backups


def _leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.rglob("*") if path.is_file() and path.suffix != ".db")


def test_a_backup_killed_half_way_leaves_nothing_behind_after_the_next_open(store: Store) -> None:
    """Finding 9: a backup killed before it was complete left its .partial file for ever."""
    store.close()
    killed = run_killed(["reload", str(EXAMPLE), "--db", str(store.path)], {}, at=("os", "", "replace"))
    assert killed.returncode == -9
    assert _leftovers(store.path.parent / "backups")  # the half-made copy is there
    Store.open(store.path).close()
    assert _leftovers(store.path.parent / "backups") == []


def test_a_run_of_merges_keeps_the_backup_from_before_the_reload(tmp_path: Path) -> None:
    """Finding 9: every merge, even a rejected one, took a backup, and the fifth pushed out the
    one from before the reload."""
    lead, officer, stranger = tmp_path / "lead.db", tmp_path / "officer.db", tmp_path / "other.db"
    cli("init", EXAMPLE, "--db", lead)
    cli("bundle", "--db", lead, "--as", "lead", "-o", tmp_path / "start.prbundle")
    cli("join", tmp_path / "start.prbundle", "--db", officer, "--as", "officer1")
    revised = tmp_path / "revised.yaml"
    revised.write_text(EXAMPLE.read_text().replace("Team base room", "Team base room (moved)", 1))
    assert "A backup from before the reload" in cli("reload", revised, "--db", lead).output
    [from_reload] = list_backups(lead)

    other = tmp_path / "other.yaml"
    other.write_text(EXAMPLE.read_text().replace("northborough-2012", "elsewhere-2013"))
    cli("init", other, "--db", stranger)
    cli("bundle", "--db", stranger, "--as", "lead", "-o", tmp_path / "stranger.prbundle")
    refused = cli("merge", tmp_path / "stranger.prbundle", "--db", lead, "--as", "lead", ok=False)
    assert "nothing was merged" in refused.output
    assert list_backups(lead) == [from_reload]  # a refused merge changes nothing: no backup

    for day in range(6):
        cli(
            "note",
            "add",
            "mon-0930-dcs",
            "--as",
            "officer1",
            "--db",
            officer,
            input=f"+ point {day} #practice\n",
        )
        sent = tmp_path / f"officer-{day}.prbundle"
        cli("bundle", "--db", officer, "--as", "officer1", "--since-last", "-o", sent)
        merged = cli("merge", sent, "--db", lead, "--as", "lead", "--accept-key", "officer1").output
        assert "A backup from before the merge" in merged
        again = cli("merge", sent, "--db", lead, "--as", "lead").output
        assert "skipped" in again and "A backup from before the merge" not in again
    kept = list_backups(lead)
    assert from_reload in kept
    assert len(kept) == 6  # the newest five, and the newest from before a reload


def cli(*args: object, input: str | None = None, ok: bool = True):
    result = CliRunner().invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)
    assert "Traceback" not in result.output
    assert (result.exit_code == 0) == ok, result.output
    return result


def test_note_text_is_searchable(store: Store) -> None:
    notes.save_note(store, week.sessions(store)[1].id, "lead", "the MASH triage was impressive")
    with store.read() as db:
        hits = list(db.query("SELECT rowid FROM notes_fts WHERE notes_fts MATCH 'triage'"))
    assert len(hits) == 1


def test_on_site_changes_to_the_schedule_are_audited(store: Store) -> None:
    import datetime as dt
    import json

    from peerreview_tui.models import SessionStatus

    added = week.add_session(
        store,
        day=dt.date(2012, 9, 11),
        start_time="16:00",
        end_time="16:30",
        title="Reality testing",
        kind="interview",
        location="Room 1",
        reviewers=["lead"],
        focus_areas=[],
        actor="lead",
    )
    week.change_session(store, added.id, "health", location="Room 2")
    week.set_session_status(store, added.id, SessionStatus.DONE, "lead")
    week.set_session_status(store, added.id, SessionStatus.DONE, "lead")  # no change: no audit row
    with store.read() as db:
        rows = list(
            db.query("SELECT actor, action, changes FROM audit WHERE row_id = ? ORDER BY at", [added.id])
        )
    assert [(r["actor"], r["action"]) for r in rows] == [
        ("lead", "add"),
        ("health", "change"),
        ("lead", "status"),
    ]
    assert json.loads(rows[1]["changes"]) == {"location": ["Room 1", "Room 2"]}


def test_a_reload_that_changes_nothing_keeps_no_backup(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    cli("init", EXAMPLE, "--db", db)
    again = cli("reload", EXAMPLE, "--db", db)
    assert "0 sessions added, 0 updated, 0 removed" in again.output and "backup" not in again.output
    assert list_backups(db) == []
    assert _leftovers(tmp_path / "backups") == []  # the copy taken first was wiped


def test_the_app_keeps_a_backup_from_before_a_session_only_if_the_session_wrote(store: Store) -> None:
    store.backup_before_changes("app")
    store.close()
    assert list_backups(store.path) == []
    with Store.open(store.path) as again:
        again.backup_before_changes("app")
        notes.save_note(again, week.sessions(again)[1].id, "lead", "typed in the app")
    [kept] = list_backups(store.path)
    assert backup_reason(kept) == "app"
    with sqlite3.connect(kept) as copy:  # the review as it was before the session
        assert copy.execute("SELECT count(*) FROM notes").fetchone()[0] == 0


def test_the_app_opening_copy_is_made_before_its_first_write_at_the_latest(store: Store) -> None:
    """The app leaves the soundness check and its copy until after the first frame; a write
    that comes first makes them first."""
    store.close()
    with Store.open(store.path, check_later=True) as again:
        again.backup_before_first_write("app")
        assert list(again.path.parent.glob("backups/*/*")) == []  # nothing copied yet
        notes.save_note(again, week.sessions(again)[1].id, "lead", "typed in the app")
    [kept] = list_backups(store.path)
    assert backup_reason(kept) == "app"
    with sqlite3.connect(kept) as copy:  # the review as it was before the write
        assert copy.execute("SELECT count(*) FROM notes").fetchone()[0] == 0


HOLDS_A_COPY = """
import sys
from peerreview_tui.store import Store
store = Store.open(sys.argv[1])
store.backup_before_changes("app")
print("staged", flush=True)
sys.stdin.read()
if sys.argv[2] == "kill":
    import os, signal
    os.kill(os.getpid(), signal.SIGKILL)
store.set_meta("theme", "nord")
store.close()
"""


@pytest.mark.parametrize("end", ["close", "kill"])
def test_a_copy_another_program_is_making_is_left_alone_and_kept_if_it_dies(store: Store, end: str) -> None:
    store.close()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDS_A_COPY, str(store.path), end],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "staged"
        with Store.open(store.path):  # opening tidies the backups: the live copy is not touched
            assert [path.suffix for path in store.path.parent.joinpath("backups", "review.db").iterdir()] == [
                ".staged"
            ]
    finally:
        holder.communicate("")
    Store.open(store.path).close()
    [kept] = list_backups(store.path)  # kept when the session wrote, or when it was killed
    assert backup_reason(kept) == "app" and _leftovers(store.path.parent / "backups") == []


def test_backups_an_older_version_left_are_adopted_by_their_own_database(
    tmp_path: Path, example_schedule
) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    for name in (
        "rev-20120910-093000-000001.db",
        "rev-old-20120910-093000-000002.db",
        "rev-20120910-0930.db",
    ):
        (folder / name).write_bytes(b"a copy")
    (folder / "rev-20120910-093000-000003.partial").write_bytes(b"half a copy")
    with Store.open(tmp_path / "rev.db", create=True) as rev:
        week.apply_schedule(rev, example_schedule, "sha")
    assert [path.name for path in list_backups(tmp_path / "rev.db")] == ["20120910-093000-000001-earlier.db"]
    assert sorted(path.name for path in folder.iterdir() if path.is_file()) == [
        "rev-20120910-0930.db",  # not a backup's name: not ours to move
        "rev-old-20120910-093000-000002.db",
    ]


def test_rotation_keeps_the_newest_five_and_the_newest_of_each_reason(store: Store) -> None:
    store.backup("reload")
    store.backup("purge")
    merges = [store.backup("merge") for _ in range(7)]
    assert [backup_reason(path) for path in list_backups(store.path)] == ["reload", "purge", *["merge"] * 5]
    assert list_backups(store.path)[2:] == merges[2:]


def test_while_an_operation_runs_another_program_is_told_to_wait(store: Store) -> None:
    running = begin(store.path, "purge", "northborough-2012")  # held, as by a purge under way
    try:
        with pytest.raises(StoreError, match=r"is being purged by another program \('peerreview purge'\)"):
            Store.open(store.path)
    finally:
        running.release()


def test_a_note_of_an_unfinished_operation_that_is_not_ours_is_refused_in_one_line(store: Store) -> None:
    note = store.path.with_name("review.db.unfinished")
    note.write_text("not json")
    with pytest.raises(StoreError, match=r"review.db.unfinished is not a note peerreview wrote") as refused:
        Store.open(store.path)
    assert "\n" not in str(refused.value) and note.read_text() == "not json"
