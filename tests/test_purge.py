"""Purge after the letter is issued: no file of the review keeps what was said, while the
schedule, the findings and the letter's counts stay as they were."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bench.durability import run_killed
from peerreview_tui.cli import main
from peerreview_tui.coverage import compute_coverage, format_coverage
from peerreview_tui.demo import build_demo
from peerreview_tui.models import Attendee, FindingSection, now
from peerreview_tui.store import Store, StoreError, findings, notes, search, week
from peerreview_tui.store.backup import list_backups
from peerreview_tui.store.crypto import encrypt_review
from peerreview_tui.store.evidence_items import add_document, evidence_count_by_source
from peerreview_tui.store.purge import LETTER_EXPORTED, NOTES_PURGED, purge_notes

from .conftest import search_index_is_sound

PASSPHRASE = "tea at the town hall"
SESSION = "mon-1330-lscb"
PLANTED = [
    "PLANTED-NOTE chair of the board is independent",
    "PLANTED-QUOTE nobody told us about the threshold change",
    "PLANTED-FOLLOW ask for the audit of strategy discussions",
    "PLANTED-PLAIN the minutes were read out",
    "PLANTED-ROLE head of the locality team",
    "PLANTED-DOCUMENT summary of the escalation policy",
    "PLANTED-DELETED a line typed then deleted",
    "PLANTED-CONFLICT the version that lost a merge",
]
FINDING = "Partnership board holds agencies to account"
# What a purge keeps: a note line also found here (a session title, a finding's wording) stays.
KEPT = [
    "SELECT * FROM review",
    "SELECT * FROM sessions",
    "SELECT * FROM focus_areas",
    "SELECT * FROM reviewers",
    "SELECT * FROM findings",
    "SELECT * FROM audit",
    "SELECT data FROM evidence",
    "SELECT title FROM evidence WHERE note_id IS NULL AND kind != 'quote'",
]


def review_files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file())


def found_in_files(folder: Path, texts: list[str]) -> list[str]:
    """Each text, in UTF-8 and UTF-16 (how SQLite may store it), searched for in every file."""
    hits = []
    for path in review_files(folder):
        data = path.read_bytes()
        for text in texts:
            if text.encode() in data or text.encode("utf-16-le") in data:
                hits.append(f"{path.name}: {text[:30]}")
    return hits


def all_text(store: Store) -> str:
    """Every text value in every table, for the checks an encrypted file's bytes cannot give."""
    with store.read() as db:
        tables = [row["name"] for row in db.query("SELECT name FROM sqlite_master WHERE type = 'table'")]
        values = [
            value
            for table in tables
            for row in db.query(f'SELECT * FROM "{table}"')
            for value in row.values()
            if isinstance(value, str)
        ]
    return "\n".join(values)


def plant(store: Store) -> tuple[str, list[str]]:
    """A note with every kind of mark, an unplanned attendee, a document, a finding citing the
    quote; returns the finding's id and the demo's note lines that must go."""
    body = f"+ {PLANTED[0]} #partnership\n! {PLANTED[1]} #partnership\n? {PLANTED[2]}\n{PLANTED[3]}\n"
    notes.save_note(store, SESSION, "health", body + f"- {PLANTED[6]}\n")  # its evidence item is deleted next
    notes.save_note(
        store,
        SESSION,
        "health",
        body,
        attendance=[
            Attendee(role="chair", organisation="LSCB"),
            Attendee(role=PLANTED[4], extra=True),
            Attendee(role="designated nurse", present=False),
        ],
    )
    add_document(
        store, title="Escalation policy", summary=PLANTED[5], focus_areas=["partnership"], actor="lead"
    )
    made = findings.create_finding(
        store,
        section=FindingSection.STRENGTH,
        focus_area_id="partnership",
        title=FINDING,
        body="The board challenges partners.",
        actor="lead",
    )
    with store.read() as db:
        quote = next(db.query("SELECT id FROM evidence WHERE text LIKE 'PLANTED-QUOTE%'"))["id"]
        lines = {
            line.strip() for row in db.query("SELECT body FROM notes") for line in row["body"].splitlines()
        }
        kept = "\n".join(
            value for sql in KEPT for row in db.query(sql) for value in row.values() if isinstance(value, str)
        )
    findings.attach_evidence(store, made.id, [quote], "lead")
    findings.choose_quote(store, made.id, quote, True, "lead")
    _plant_conflict(store)
    return made.id, sorted(line for line in lines if len(line) >= 24 and line not in kept)


def _plant_conflict(store: Store) -> None:
    """A losing version of a note, as a merge keeps it (once the schema has conflicts)."""
    with store.write() as db:
        if not db["conflicts"].exists():
            return
        note = next(db.query("SELECT * FROM notes WHERE session_id = ? AND author_id = 'health'", [SESSION]))
        loser = note | {"body": f"+ {PLANTED[7]}", "attendance": json.dumps([{"role": PLANTED[4]}])}
        stamp = now()
        db["conflicts"].insert(
            {
                "id": "c1",
                "table_name": "notes",
                "row_id": note["id"],
                "loser": json.dumps(loser),
                "winner_updated_by": "health",
                "winner_updated_at": stamp,
                "created_by": "lead",
                "created_at": stamp,
                "updated_by": "lead",
                "updated_at": stamp,
            }
        )


def letter_counts(store: Store) -> dict[str, Any]:
    """What the letter's method section and the coverage matrix count."""
    with store.read() as db:
        sessions = {
            row["kind"]: row["n"]
            for row in db.query("SELECT kind, count(*) AS n FROM sessions GROUP BY kind")
        }
        note_rows = db.execute("SELECT count(*) FROM notes").fetchone()[0]
        present = [
            (a.present, a.extra)
            for row in db.query("SELECT * FROM notes ORDER BY id")
            for a in notes.Note.model_validate(row).attendance
        ]
        data = {
            row["id"]: row["data"] for row in db.query("SELECT id, data FROM evidence WHERE data != '{}'")
        }
        documents = sorted(
            row["title"] for row in db.query("SELECT title FROM evidence WHERE source_kind = 'document'")
        )
        audit = list(db.query("SELECT * FROM audit ORDER BY id"))
        finding_rows = list(db.query("SELECT id, section, title, body, status FROM findings ORDER BY id"))
        links = list(db.query("SELECT * FROM finding_evidence ORDER BY finding_id, evidence_id"))
    titles = {area.id: area.title for area in week.focus_areas(store)}
    return {
        "sessions": sessions,
        "days": len(week.days(store)),
        "reviewers": len(week.reviewers(store)),
        "notes": note_rows,
        "attendance": present,
        "evidence": evidence_count_by_source(store),
        "coverage": format_coverage(compute_coverage(store), titles),
        "data": data,
        "documents": documents,
        "audit": audit,
        "findings": finding_rows,
        "links": links,
    }


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> dict[str, tuple[Path, str, list[str]]]:
    """The demo week with planted text and two backups, plain and encrypted, made once: each
    test works on a copy (an encrypted file copied still opens with its passphrase)."""
    made = {}
    for kind, passphrase in (("plain", None), ("encrypted", PASSPHRASE)):
        path = tmp_path_factory.mktemp(kind) / "review" / "review.db"
        build_demo(path)
        if passphrase:
            encrypt_review(path, passphrase)
        with Store.open(path, passphrase=passphrase) as opened:
            finding_id, gone = plant(opened)
            opened.backup("reload")
            opened.backup("merge")
        made[kind] = (path, finding_id, gone)
    return made


@pytest.fixture(params=["plain", "encrypted"])
def review(request, made, tmp_path: Path) -> Store:
    original, finding_id, gone = made[request.param]
    shutil.copytree(original.parent, tmp_path / "review")
    opened = Store.open(
        tmp_path / "review" / "review.db", passphrase=PASSPHRASE if request.param == "encrypted" else None
    )
    opened.finding_id, opened.gone = finding_id, gone  # type: ignore[attr-defined]
    yield opened
    opened.close()


def test_purge_is_refused_until_the_letter_is_exported(review: Store) -> None:
    with pytest.raises(StoreError, match="letter has not been exported"):
        purge_notes(review)
    assert PLANTED[0] in notes.get_note(review, SESSION, "health").body
    assert review.get_meta(NOTES_PURGED) is None


def test_after_a_purge_no_file_holds_what_was_said(review: Store) -> None:
    folder = review.path.parent
    if not review.encrypted:
        assert found_in_files(folder, PLANTED)  # the scan does find text that is there
    review.set_meta(LETTER_EXPORTED, now())
    backups = list_backups(review.path)
    done = purge_notes(review)
    assert done.backups_removed == len(backups) >= 2 and not any(path.exists() for path in backups)
    assert list_backups(review.path) == [done.backup]
    assert Path(f"{review.path}-wal").stat().st_size == 0
    assert found_in_files(folder, PLANTED + review.gone) == []
    text = all_text(review)
    assert [line for line in PLANTED + review.gone if line in text] == []
    assert search.search_notes(review, "PLANTED") == []
    review.close()
    assert found_in_files(folder, PLANTED + review.gone) == []
    with Store.open(done.backup, passphrase=PASSPHRASE if review.encrypted else None) as copy:
        assert [line for line in PLANTED + review.gone if line in all_text(copy)] == []
        assert copy.get_meta(NOTES_PURGED) is not None


def test_notes_written_after_a_purge_are_found(review: Store) -> None:
    review.set_meta(LETTER_EXPORTED, now())
    purge_notes(review)  # rebuilds the search index, then VACUUMs the file
    assert search_index_is_sound(review)
    notes.save_note(review, SESSION, "health", "+ the follow-up visit went ahead")
    assert [(hit.session_id, hit.author_id) for hit in search.search_notes(review, "visit")] == [
        (SESSION, "health")
    ]
    assert search_index_is_sound(review)


def test_sync_copies_of_notes_and_evidence_are_purged_too(review: Store) -> None:
    with review.read() as db:
        if not db["tombstones"].exists():
            pytest.skip("no sync tables in this schema")
        assert (
            db.execute("SELECT count(*) FROM tombstones WHERE row LIKE '%PLANTED-DELETED%'").fetchone()[0]
            == 1
        )
    done = purge_notes(review, force=True)
    assert done.copies == 2
    with review.read() as db:
        conflict = json.loads(next(db.query("SELECT loser FROM conflicts"))["loser"])
    assert conflict["body"] == "" and json.loads(conflict["attendance"]) == [
        {"role": "", "organisation": "", "present": True, "extra": False}
    ]


def test_a_purge_keeps_the_schedule_the_findings_and_the_counts(review: Store) -> None:
    before = letter_counts(review)
    assert PLANTED[4] not in json.dumps(before["audit"])  # the audit never held note text
    purge_notes(review, force=True)
    after = letter_counts(review)
    assert after == before
    assert findings.get_finding(review, review.finding_id).finding.title == FINDING
    kept = notes.get_note(review, SESSION, "health")
    assert kept.body == "" and [a.role for a in kept.attendance] == ["", "", ""]
    assert kept.updated_by == "purge"
    assert review.get_meta(NOTES_PURGED) is not None
    assert len(week.sessions(review)) == 45


def test_purging_twice_is_harmless(review: Store) -> None:
    purge_notes(review, force=True)
    counts = letter_counts(review)
    again = purge_notes(review, force=True)
    assert letter_counts(review)["coverage"] == counts["coverage"]
    assert again.backups_removed == 1 and again.notes == counts["notes"]


HOLDER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1])
conn.execute("SELECT count(*) FROM notes").fetchone()
print("open", flush=True)
sys.stdin.read()
"""


def test_a_review_open_in_another_program_is_not_purged(tmp_path: Path, store: Store) -> None:
    notes.save_note(store, SESSION, "health", f"+ {PLANTED[0]}")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(store.path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(StoreError, match="open in another program"):
            purge_notes(store, force=True)
        assert PLANTED[0] in notes.get_note(store, SESSION, "health").body
    finally:
        holder.communicate("")
    purge_notes(store, force=True)  # the lock taken for the attempt was let go
    assert notes.get_note(store, SESSION, "health").body == ""


def test_a_purge_killed_before_the_backups_were_wiped_is_completed_by_the_next_command(
    review: Store,
) -> None:
    """Finding 10: killed after the notes were blanked, purge left the note text in the
    backups, and nothing told the user."""
    folder, encrypted = review.path.parent, review.encrypted
    review.close()
    env = {"PEERREVIEW_PASSPHRASE": PASSPHRASE}
    args = ["purge", "--notes", "--force", "--yes", "--db", str(review.path)]
    killed = run_killed(args, env, at=("peerreview_tui.store.review", "Store", "checkpoint"))
    assert killed.returncode == -9
    backups = list_backups(review.path)
    with Store.open(backups[-1], passphrase=PASSPHRASE if encrypted else None) as copy:
        assert PLANTED[0] in all_text(copy)  # the text is still in the backups at this moment
    shown = CliRunner().invoke(main, ["coverage", "--db", str(review.path)], env=env)
    assert shown.exit_code == 0, shown.output
    assert "purge" in shown.output and "interrupted" in shown.output and "completed" in shown.output
    assert found_in_files(folder, PLANTED + review.gone) == []  # type: ignore[attr-defined]
    kept = list_backups(review.path)
    assert kept and not set(kept) & set(backups)
    for backup in kept:
        with Store.open(backup, passphrase=PASSPHRASE if encrypted else None) as copy:
            assert [line for line in PLANTED if line in all_text(copy)] == []
    with Store.open(review.path, passphrase=PASSPHRASE if encrypted else None) as again:
        assert [line for line in PLANTED if line in all_text(again)] == []
