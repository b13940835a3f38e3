"""Notes never overwrite each other and typed text always lands: appends from other programs,
a writer whose note changed under it, a session removed while its note was open."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from peerreview_tui.models import SessionStatus
from peerreview_tui.schedule import parse_schedule
from peerreview_tui.store import Store, StoreError, notes, week
from peerreview_tui.store.evidence_items import list_evidence

from .conftest import EXAMPLE, ROOT

SESSION = "mon-1330-lscb"  # lead and health


def _without(session_id: str):
    data = yaml.safe_load(EXAMPLE.read_text())
    for day in data["days"]:
        day["sessions"] = [s for s in day["sessions"] if s["id"] != session_id]
    return parse_schedule(yaml.safe_dump(data, sort_keys=False), "revised.yaml").schedule


# --- the text merges ------------------------------------------------------------------


def test_changes_in_different_places_merge_cleanly() -> None:
    base = "Context\n+ one\n- two\n"
    mine = "Context\n+ one, edited\n- two\n"
    theirs = "Context\n+ one\n- two\n? added elsewhere\n"
    assert notes.merge_text(base, mine, theirs) == ("Context\n+ one, edited\n- two\n? added elsewhere\n", 0)


def test_lines_that_collide_are_all_kept_mine_first() -> None:
    base = "Context\n"
    merged, collisions = notes.merge_text(base, "Context\ntyped here", "Context\nappended\n")
    assert merged == "Context\ntyped here\nappended\n"
    assert collisions == 1


def test_the_same_change_on_both_sides_is_kept_once() -> None:
    assert notes.merge_text("a\n", "a\nb\n", "a\nb\n") == ("a\nb\n", 0)


# --- finding 1: a note changed under its writer is merged, never overwritten ----------


def test_an_append_while_the_app_holds_the_note_is_merged_into_its_next_save(store: Store) -> None:
    notes.save_note(store, SESSION, "lead", "Context\n+ chair is independent #partnership\n")
    read = notes.get_note(store, SESSION, "lead")
    with Store.open(store.path) as other:  # `peerreview note add` in another program
        notes.append_to_note(other, SESSION, "lead", "? ask for the audit\n")
    saved = notes.save_note_since(
        store,
        SESSION,
        "lead",
        "Context\n+ chair is independent #partnership\n- escalation is slow #practice\n",
        base=notes.base_of(read),
    )
    body = notes.get_note(store, SESSION, "lead").body
    assert "- escalation is slow #practice" in body and "? ask for the audit" in body
    assert saved.merged and saved.note.body == body
    texts = {view.item.text for view in list_evidence(store)}
    assert {"escalation is slow", "ask for the audit"} <= texts


def test_a_save_of_an_unchanged_note_writes_without_merging(store: Store) -> None:
    read = notes.get_note(store, SESSION, "lead")
    saved = notes.save_note_since(store, SESSION, "lead", "first words\n", base=notes.base_of(read))
    again = notes.save_note_since(
        store, SESSION, "lead", "first words\nmore\n", base=notes.base_of(saved.note)
    )
    assert not saved.merged and not again.merged
    assert notes.get_note(store, SESSION, "lead").body == "first words\nmore\n"


def test_a_note_created_elsewhere_after_the_app_opened_the_template_keeps_both(store: Store) -> None:
    notes.append_to_note(store, SESSION, "lead", "+ from the shell\n")
    saved = notes.save_note_since(store, SESSION, "lead", "Template\ntyped\n", base=notes.base_of(None))
    assert saved.merged and saved.collisions == 1
    assert notes.get_note(store, SESSION, "lead").body == "Template\ntyped\n+ from the shell\n"


# --- finding 2: appends from several programs at once ---------------------------------

_APPENDER = """
import sys
from peerreview_tui.store import Store, notes
who, count, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with Store.open(path) as store:
    for i in range(count):
        notes.append_to_note(store, "mon-1330-lscb", "lead", f"{who} {i}\\n")
"""


def test_three_programs_appending_at_once_lose_nothing_and_none_fails(store: Store) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", _APPENDER, who, "100", str(store.path)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for who in ("a", "b", "c")
    ]
    errors = [run.communicate(timeout=120)[1] for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0], errors
    lines = notes.get_note(store, SESSION, "lead").body.splitlines()
    assert sorted(lines) == sorted(f"{who} {i}" for who in "abc" for i in range(100))
    for who in "abc":  # each program's lines in the order it added them
        assert [line for line in lines if line.startswith(who)] == [f"{who} {i}" for i in range(100)]


def test_an_append_waits_for_a_busy_database_and_then_gives_up_clearly(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("peerreview_tui.store.connection.BUSY_TIMEOUT_MS", 200)
    holder = sqlite3.connect(store.path, isolation_level=None)  # another program, writing
    holder.execute("BEGIN IMMEDIATE")
    try:
        with Store.open(store.path) as appender, pytest.raises(StoreError, match="busy"):
            notes.append_to_note(appender, SESSION, "lead", "waited\n")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert notes.get_note(store, SESSION, "lead") is None


# --- finding 5: typed text always lands -----------------------------------------------


def test_a_note_saved_for_a_session_a_reload_removed_brings_it_back_cancelled(store: Store) -> None:
    opened = week.session(store, SESSION)
    read = notes.get_note(store, SESSION, "lead")
    changes = week.apply_schedule(store, _without(SESSION), "sha2")
    assert changes.removed == [SESSION]
    saved = notes.save_note_since(
        store,
        SESSION,
        "lead",
        "+ typed while it went #partnership\n",
        base=notes.base_of(read),
        session=opened,
    )
    assert saved.restored_session
    back = week.session(store, SESSION)
    assert back is not None and back.status is SessionStatus.CANCELLED and back.removed_at is not None
    assert back.title == opened.title
    assert notes.get_note(store, SESSION, "lead").body == "+ typed while it went #partnership\n"
    # the next reload keeps it, as it keeps every removed session with a note
    assert week.apply_schedule(store, _without(SESSION), "sha3").removed == []
    assert week.session(store, SESSION).status is SessionStatus.CANCELLED


def test_a_session_gone_without_a_trace_is_made_again_from_what_the_writer_read(store: Store) -> None:
    opened = week.session(store, SESSION)
    week.apply_schedule(store, _without(SESSION), "sha2")
    with store.write() as db:
        db.execute("DELETE FROM tombstones")
    saved = notes.save_note_since(store, SESSION, "lead", "kept\n", base=notes.base_of(None), session=opened)
    assert saved.restored_session
    assert week.session(store, SESSION).status is SessionStatus.CANCELLED
    with pytest.raises(StoreError, match="no session 'nope'"):
        notes.save_note_since(store, "nope", "lead", "x", base=notes.base_of(None))


# --- finding 12: control characters are kept as typed, and never break an export -------


def test_control_characters_in_a_note_are_kept_but_left_out_of_every_export(
    demo: Store, tmp_path: Path
) -> None:
    from click.testing import CliRunner
    from pptx import Presentation

    from peerreview_tui.cli import main
    from peerreview_tui.export.documents import export_document
    from peerreview_tui.models import EvidenceKind, FindingStatus
    from peerreview_tui.store import findings

    pasted = "! They ring\x07 us \x01back\x1b[0m the same day"
    notes.append_to_note(demo, SESSION, "lead", pasted + "\n")
    assert pasted in notes.get_note(demo, SESSION, "lead").body
    quote = next(v.item for v in list_evidence(demo, kinds=[EvidenceKind.QUOTE]) if "ring" in v.item.text)
    finding = findings.list_findings(demo, status=FindingStatus.AGREED)[0].finding
    findings.attach_evidence(demo, finding.id, [quote.id], "lead")
    findings.choose_quote(demo, finding.id, quote.id, True, "lead")
    findings.agree_finding(demo, finding.id, "lead")  # a new quote returned it to draft

    deck = export_document(demo, "slides", "pptx", tmp_path / "deck.pptx")
    shown = [
        shape.text_frame.text
        for slide in Presentation(str(tmp_path / "deck.pptx")).slides
        for shape in slide.shapes
        if shape.has_text_frame
    ]
    assert any("They ring us back[0m the same day" in text for text in shown)
    assert not any("_x00" in text or "\x07" in text for text in shown)
    assert deck.warnings and "U+0007" in deck.warnings[0]
    slides_md = tmp_path / "deck.md"
    export_document(demo, "slides", "md", slides_md)
    assert "\x07" not in slides_md.read_text() and "\x1b" not in slides_md.read_text()

    result = CliRunner().invoke(
        main, ["export", "notes", "--session", SESSION, "--db", str(demo.path)], catch_exceptions=False
    )
    assert result.exit_code == 0
    assert "They ring us back[0m the same day" in result.stdout
    assert "\x07" not in result.stdout and "\x1b" not in result.stdout
    assert f"{SESSION}, lead's note: control characters U+0001, U+0007, U+001B left out" in result.stderr
