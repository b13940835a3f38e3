"""Encryption at rest: an encrypted review, its log and its backups hold no note text in clear.

SQLCipher derives each key with 256,000 PBKDF2 iterations (about 0.1 s): these tests open
encrypted files as few times as they can.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlcipher3 import dbapi2 as sqlcipher

from bench.durability import run_killed
from peerreview_tui.cli import main
from peerreview_tui.coverage import compute_coverage
from peerreview_tui.store import Store, StoreError, notes, search, week
from peerreview_tui.store.backup import list_backups
from peerreview_tui.store.connection import APPLICATION_ID, PassphraseNeeded, is_encrypted, open_keyed
from peerreview_tui.store.crypto import encrypt_review, row_counts
from peerreview_tui.store.evidence_items import add_document, list_evidence

from .conftest import search_index_is_sound

PASSPHRASE = "tea at the town hall"
NOTE = "+ PLANTED-NOTE the MASH triage was impressive #practice\n! PLANTED-QUOTE we never hear back #partnership\n"
DOCUMENT = "PLANTED-DOCUMENT escalation policy is out of date"
SECRETS = [b"PLANTED", "PLANTED".encode("utf-16-le")]


def files_of(folder: Path) -> list[Path]:
    """Every file a review leaves on disk: the database, its log and index, its backups."""
    return sorted(path for path in folder.rglob("*") if path.is_file())


def plaintext_in(folder: Path, secrets: list[bytes] = SECRETS) -> list[str]:
    return [
        f"{path.name}: {secret!r}"
        for path in files_of(folder)
        for secret in secrets
        if secret in path.read_bytes()
    ]


@pytest.fixture
def encrypted(tmp_path: Path, example_schedule) -> Store:
    """An encrypted review with a note, its evidence and a document."""
    opened = Store.open(tmp_path / "review" / "review.db", create=True, passphrase=PASSPHRASE)
    week.apply_schedule(opened, example_schedule, "sha")
    notes.save_note(opened, week.sessions(opened)[1].id, "lead", NOTE)
    add_document(opened, title="Escalation policy", summary=DOCUMENT, focus_areas=["practice"], actor="lead")
    yield opened
    opened.close()


def test_nothing_is_written_in_clear_not_in_the_file_the_log_or_a_backup(encrypted: Store) -> None:
    encrypted.backup("reload")
    folder = encrypted.path.parent
    names = {path.name for path in files_of(folder)}
    assert {"review.db", "review.db-wal", "review.db-shm"} <= names  # the log is live: the app is open
    assert len(list_backups(encrypted.path)) == 1
    assert plaintext_in(folder) == []
    assert not encrypted.path.read_bytes().startswith(b"SQLite format 3")
    encrypted.close()
    assert plaintext_in(folder) == []


def test_sqlite_utils_works_over_the_encrypted_connection(encrypted: Store) -> None:
    db = encrypted.db
    assert isinstance(db.conn, sqlcipher.Connection)
    assert {"notes", "evidence", "findings", "notes_fts"} <= set(db.table_names())
    assert db["notes"].count == 1
    assert db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert [row["kind"] for row in db.query("SELECT kind FROM evidence ORDER BY kind")] == [
        "observation",
        "quote",
        "strength",
    ]
    with encrypted.write() as w:
        w["meta"].upsert({"key": "theme", "value": "nord"}, pk="key")
    assert encrypted.get_meta("theme") == "nord"
    hits = search.search_notes(encrypted, "triage")
    assert [hit.author_id for hit in hits] == ["lead"]
    assert compute_coverage(encrypted).untagged == 0
    assert {view.item.text for view in list_evidence(encrypted)} >= {DOCUMENT}


def test_an_encrypted_review_reopens_with_its_passphrase(encrypted: Store) -> None:
    encrypted.close()
    with Store.open(encrypted.path, passphrase=PASSPHRASE) as again:
        assert again.encrypted
        assert notes.get_note(again, week.sessions(again)[1].id, "lead").body == NOTE


def test_without_a_passphrase_an_encrypted_review_asks_for_one(encrypted: Store) -> None:
    encrypted.close()
    assert is_encrypted(encrypted.path)
    with pytest.raises(PassphraseNeeded, match="is encrypted or not a review database; give the passphrase"):
        Store.open(encrypted.path)


def test_a_wrong_passphrase_is_refused_in_one_line_and_the_file_untouched(encrypted: Store, capfd) -> None:
    encrypted.close()
    before = encrypted.path.read_bytes()
    capfd.readouterr()
    with pytest.raises(StoreError) as refused:
        Store.open(encrypted.path, passphrase="not the passphrase")
    assert str(refused.value) == f"{encrypted.path}: wrong passphrase, or not a review database"
    assert encrypted.path.read_bytes() == before
    assert not Path(f"{encrypted.path}-wal").exists()
    # SQLCipher logs a failed page check to stderr unless told not to: nothing may show
    assert capfd.readouterr() == ("", "")


def test_random_bytes_are_neither_opened_nor_touched(tmp_path: Path) -> None:
    path = tmp_path / "noise.db"
    noise = os.urandom(8192)
    path.write_bytes(noise)
    with pytest.raises(PassphraseNeeded):
        Store.open(path)
    with pytest.raises(StoreError, match="wrong passphrase, or not a review database"):
        Store.open(path, passphrase=PASSPHRASE)
    assert path.read_bytes() == noise
    assert not Path(f"{path}-wal").exists()


def test_a_passphrase_for_a_plain_review_is_refused(store: Store) -> None:
    store.close()
    with pytest.raises(StoreError, match="is not encrypted"):
        Store.open(store.path, passphrase=PASSPHRASE)


def test_another_encrypted_database_is_refused_by_the_keyed_read_only_checks(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = open_keyed(path, PASSPHRASE)
    conn.execute("CREATE TABLE accounts (x)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="not a review database"):
        Store.open(path, passphrase=PASSPHRASE)
    assert path.read_bytes() == before


def test_an_empty_passphrase_never_makes_a_plain_file(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="empty"):
        Store.open(tmp_path / "r.db", create=True, passphrase="")
    assert not (tmp_path / "r.db").exists()


def test_a_backup_is_encrypted_with_the_same_passphrase(encrypted: Store) -> None:
    saved = encrypted.backup("reload")
    assert is_encrypted(saved)
    with pytest.raises(StoreError, match="wrong passphrase"):
        Store.open(saved, passphrase="another passphrase")
    with Store.open(saved, passphrase=PASSPHRASE) as copy:
        assert notes.get_note(copy, week.sessions(copy)[1].id, "lead").body == NOTE


def test_rekey_round_trip(encrypted: Store) -> None:
    encrypted.backup("reload")
    encrypted.backup("reload")
    old_backups = list_backups(encrypted.path)
    fresh = encrypted.rekey("a new passphrase")
    assert [path.exists() for path in old_backups] == [False, False]
    assert list_backups(encrypted.path) == [fresh]
    notes.save_note(
        encrypted, week.sessions(encrypted)[2].id, "lead", "+ PLANTED-AFTER written after the rekey"
    )
    encrypted.close()
    with pytest.raises(StoreError, match="wrong passphrase"):
        Store.open(encrypted.path, passphrase=PASSPHRASE)
    with Store.open(encrypted.path, passphrase="a new passphrase") as again:
        assert notes.get_note(again, week.sessions(again)[2].id, "lead").body.startswith("+ PLANTED-AFTER")
    with Store.open(fresh, passphrase="a new passphrase") as copy:
        assert copy.review().id == "northborough-2012"
    assert plaintext_in(encrypted.path.parent) == []


def test_encrypt_turns_a_plain_review_into_an_encrypted_one(tmp_path: Path, example_schedule) -> None:
    path = tmp_path / "review" / "review.db"
    with Store.open(path, create=True) as plain:
        week.apply_schedule(plain, example_schedule, "sha")
        notes.save_note(plain, week.sessions(plain)[1].id, "lead", NOTE)
        plain.backup("reload")
        plain.backup("reload")
        counts = row_counts(plain.db.conn)
    assert len(plaintext_in(path.parent)) > 0
    done = encrypt_review(path, PASSPHRASE)
    assert done.plaintext_backups_removed == 2 and done.rows == sum(counts.values())
    assert list_backups(path) == [done.backup]
    assert {p.name for p in files_of(path.parent)} == {"review.db", done.backup.name}
    assert plaintext_in(path.parent) == []
    with Store.open(path, passphrase=PASSPHRASE) as encrypted:
        assert row_counts(encrypted.db.conn) == counts
        assert notes.get_note(encrypted, week.sessions(encrypted)[1].id, "lead").body == NOTE
        assert len(search.search_notes(encrypted, "triage")) == 1
        assert encrypted.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert path.stat().st_mode & 0o077 == 0


def test_search_finds_the_right_notes_after_encrypting_a_review_that_lost_a_note(
    tmp_path: Path, example_schedule
) -> None:
    # The search index is keyed apart from the notes' own rowids, which SQLite does not promise
    # to keep through the encrypting copy (migrations, step 7): a gap left by a deleted note is
    # where a renumbering would show.
    path = tmp_path / "review" / "review.db"
    with Store.open(path, create=True) as plain:
        week.apply_schedule(plain, example_schedule, "sha")
        sessions = [session.id for session in week.sessions(plain)[:3]]
        for session, word in zip(sessions, ("alpha", "bravo", "charlie"), strict=True):
            notes.save_note(plain, session, "lead", f"the {word} line")
        with plain.write() as db:
            db.execute("DELETE FROM notes WHERE session_id = ?", [sessions[0]])
    encrypt_review(path, PASSPHRASE)
    with Store.open(path, passphrase=PASSPHRASE) as encrypted:
        assert [hit.session_id for hit in search.search_notes(encrypted, "line")] == sessions[1:]
        assert [hit.session_id for hit in search.search_notes(encrypted, "charlie")] == sessions[2:]
        notes.save_note(encrypted, sessions[2], "lead", "the delta line")
        assert search.search_notes(encrypted, "charlie") == []
        assert [hit.session_id for hit in search.search_notes(encrypted, "delta")] == sessions[2:]
        assert search_index_is_sound(encrypted)


def test_encrypt_refuses_an_encrypted_review_and_a_file_that_is_not_a_review(
    encrypted: Store, tmp_path: Path
) -> None:
    encrypted.close()
    with pytest.raises(StoreError, match="already encrypted"):
        encrypt_review(encrypted.path, PASSPHRASE)
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE accounts (x)")
    before = other.read_bytes()
    with pytest.raises(StoreError, match="not a review database"):
        encrypt_review(other, PASSPHRASE)
    assert other.read_bytes() == before
    assert not other.with_name("other.db.encrypting").exists()


HOLDER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
conn.execute("SELECT count(*) FROM notes").fetchone()
print("open", flush=True)
sys.stdin.read()
"""


def test_encrypt_refuses_a_review_open_in_another_program(store: Store) -> None:
    notes.save_note(store, week.sessions(store)[1].id, "lead", NOTE)
    store.close()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(store.path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(StoreError, match="open in another program"):
            encrypt_review(store.path, PASSPHRASE)
        assert store.path.read_bytes().startswith(b"SQLite format 3")
        assert not store.path.with_name("review.db.encrypting").exists()
    finally:
        holder.communicate("")
    encrypt_review(store.path, PASSPHRASE)
    assert is_encrypted(store.path)


def _plain_review_with_backups(folder: Path, example_schedule) -> Path:
    path = folder / "review" / "review.db"
    with Store.open(path, create=True) as plain:
        week.apply_schedule(plain, example_schedule, "sha")
        notes.save_note(plain, week.sessions(plain)[1].id, "lead", NOTE)
        for _ in range(2):
            plain.backup("reload")
    return path


def _headers_in_clear(folder: Path) -> list[str]:
    return [path.name for path in files_of(folder) if path.read_bytes()[:16] == b"SQLite format 3\x00"]


def test_an_encrypt_killed_after_the_swap_is_completed_by_the_next_command(
    tmp_path: Path, example_schedule
) -> None:
    """Finding 10: killed once the encrypted copy had taken the review's place, encrypt left the
    plaintext backups for ever, and said "already encrypted" when tried again."""
    path = _plain_review_with_backups(tmp_path, example_schedule)
    env = {"PEERREVIEW_PASSPHRASE": PASSPHRASE}
    killed = run_killed(
        ["encrypt", "--db", str(path)], env, at=("peerreview_tui.store.crypto", "", "remove_backups")
    )
    assert killed.returncode == -9 and is_encrypted(path)
    assert plaintext_in(path.parent)  # the plaintext backups are there at this moment
    again = CliRunner().invoke(main, ["encrypt", "--db", str(path)], env=env)
    assert again.exit_code == 0, again.output
    assert "interrupted" in again.output and "completed" in again.output
    assert plaintext_in(path.parent) == [] and _headers_in_clear(path.parent) == []
    for backup in list_backups(path):
        with Store.open(backup, passphrase=PASSPHRASE) as copy:
            assert notes.get_note(copy, week.sessions(copy)[1].id, "lead").body == NOTE


def test_an_encrypt_killed_before_the_swap_leaves_the_review_plain_and_says_so(
    tmp_path: Path, example_schedule
) -> None:
    """Finding 10: killed before the swap, encrypt left its half-made copy and said nothing."""
    path = _plain_review_with_backups(tmp_path, example_schedule)
    killed = run_killed(
        ["encrypt", "--db", str(path)],
        {"PEERREVIEW_PASSPHRASE": PASSPHRASE},
        at=("peerreview_tui.store.crypto", "", "_verify_copy"),
    )
    assert killed.returncode == -9 and path.with_name("review.db.encrypting").exists()
    shown = CliRunner().invoke(main, ["export", "notes", "--db", str(path)])
    assert shown.exit_code == 0 and "PLANTED-NOTE" in shown.output
    assert "encrypt" in shown.output and "interrupted" in shown.output and "still plain" in shown.output
    assert not [p.name for p in files_of(path.parent) if "encrypting" in p.name]
