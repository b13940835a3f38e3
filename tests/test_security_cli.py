"""Encryption and purge as a user types them: prompts, one-line refusals, never a traceback."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from bench.durability import Calibration, calibrate, kill_trial, make_safety_review, run_killed
from peerreview_tui.cli import main
from peerreview_tui.models import now
from peerreview_tui.store import Store, notes
from peerreview_tui.store.backup import list_backups
from peerreview_tui.store.connection import is_encrypted
from peerreview_tui.store.purge import LETTER_EXPORTED

from .conftest import EXAMPLE

PASSPHRASE = "tea at the town hall"
SESSION = "mon-1330-lscb"
SECRET = "PLANTED-NOTE the chair is independent"


def run(*args: str, input: str | None = None, env: dict[str, str] | None = None):
    result = CliRunner().invoke(main, list(args), input=input, env=env, catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def twice(passphrase: str) -> str:
    return f"{passphrase}\n{passphrase}\n"


@pytest.fixture(scope="module")
def made_encrypted(tmp_path_factory) -> Path:
    """An encrypted review made as a user would, with one note added; tests work on copies."""
    db = tmp_path_factory.mktemp("made") / "review" / "r.db"
    made = run("init", str(EXAMPLE), "--encrypt", "--db", str(db), input=twice(PASSPHRASE))
    assert made.exit_code == 0, made.output
    assert "Created encrypted review 'northborough-2012'" in made.output
    added = run(
        "note",
        "add",
        SESSION,
        "--as",
        "health",
        "--db",
        str(db),
        input=f"+ {SECRET} #partnership\n",
        env={"PEERREVIEW_PASSPHRASE": PASSPHRASE},
    )
    assert added.exit_code == 0, added.output
    return db


@pytest.fixture
def encrypted_db(made_encrypted: Path, tmp_path: Path) -> Path:
    shutil.copytree(made_encrypted.parent, tmp_path / "review")
    return tmp_path / "review" / made_encrypted.name


def test_init_encrypt_asks_twice_and_writes_no_plain_text(encrypted_db: Path) -> None:
    assert is_encrypted(encrypted_db)
    for path in encrypted_db.parent.rglob("*"):
        assert b"PLANTED" not in path.read_bytes()


def test_every_command_asks_for_the_passphrase_of_an_encrypted_review(encrypted_db: Path) -> None:
    shown = run("export", "notes", "--session", SESSION, "--db", str(encrypted_db), input=f"{PASSPHRASE}\n")
    assert shown.exit_code == 0
    assert "Passphrase for r.db" in shown.output and SECRET in shown.output
    assert PASSPHRASE not in shown.output  # typed hidden


def test_the_passphrase_can_come_from_the_environment(encrypted_db: Path) -> None:
    result = run("findings", "--db", str(encrypted_db), env={"PEERREVIEW_PASSPHRASE": PASSPHRASE})
    assert result.exit_code == 0 and "Passphrase" not in result.output


def test_a_wrong_passphrase_gives_one_line(encrypted_db: Path) -> None:
    before = encrypted_db.read_bytes()
    for typed in ({"input": "not it at all\n"}, {"env": {"PEERREVIEW_PASSPHRASE": "not it at all"}}):
        result = run("coverage", "--db", str(encrypted_db), **typed)
        assert result.exit_code == 1
        errors = [line for line in result.output.splitlines() if line.startswith("Error")]
        assert errors == [f"Error: {encrypted_db}: wrong passphrase, or not a review database"]
        assert "ERROR CORE" not in result.output
    assert encrypted_db.read_bytes() == before


def test_no_passphrase_given_aborts(encrypted_db: Path) -> None:
    result = run("coverage", "--db", str(encrypted_db), input="")
    assert result.exit_code == 1 and "Aborted" in result.output


def test_init_encrypt_reads_the_environment_and_wants_a_real_passphrase(tmp_path: Path) -> None:
    short = run(
        "init",
        str(EXAMPLE),
        "--encrypt",
        "--db",
        str(tmp_path / "a.db"),
        env={"PEERREVIEW_PASSPHRASE": "abc"},
    )
    assert short.exit_code == 1 and "at least 8 characters" in short.output
    assert not (tmp_path / "a.db").exists()
    retyped = run(
        "init",
        str(EXAMPLE),
        "--encrypt",
        "--db",
        str(tmp_path / "b.db"),
        input=twice("abc") + twice(PASSPHRASE),
    )
    assert retyped.exit_code == 0 and "at least 8 characters" in retyped.output
    scripted = run(
        "init",
        str(EXAMPLE),
        "--encrypt",
        "--db",
        str(tmp_path / "c.db"),
        env={"PEERREVIEW_PASSPHRASE": PASSPHRASE},
    )
    assert scripted.exit_code == 0 and is_encrypted(tmp_path / "c.db")


def test_init_again_on_an_encrypted_review_is_refused(encrypted_db: Path) -> None:
    again = run("init", str(EXAMPLE), "--db", str(encrypted_db), env={"PEERREVIEW_PASSPHRASE": PASSPHRASE})
    assert again.exit_code == 1 and "peerreview reload" in again.output


def test_rekey_changes_the_passphrase(encrypted_db: Path) -> None:
    result = run("rekey", "--db", str(encrypted_db), input=f"{PASSPHRASE}\n" + twice("a new passphrase"))
    assert result.exit_code == 0, result.output
    assert "old one no longer opens it" in result.output
    old = run("coverage", "--db", str(encrypted_db), env={"PEERREVIEW_PASSPHRASE": PASSPHRASE})
    assert old.exit_code == 1 and "wrong passphrase" in old.output
    new = run("export", "notes", "--db", str(encrypted_db), env={"PEERREVIEW_PASSPHRASE": "a new passphrase"})
    assert new.exit_code == 0 and SECRET in new.output
    assert len(list_backups(encrypted_db)) == 1


def test_rekey_of_a_plain_review_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    run("init", str(EXAMPLE), "--db", str(db))
    result = run("rekey", "--db", str(db))
    assert result.exit_code == 1 and "is not encrypted; encrypt it with 'peerreview encrypt'" in result.output


def test_encrypt_converts_a_plain_review(tmp_path: Path) -> None:
    db = tmp_path / "review" / "r.db"
    run("init", str(EXAMPLE), "--db", str(db))
    run("note", "add", SESSION, "--as", "health", "--db", str(db), input=f"+ {SECRET}\n")
    revised = tmp_path / "revised.yaml"
    revised.write_text(EXAMPLE.read_text().replace("Team base room", "Team base room (moved)", 1))
    run("reload", str(revised), "--db", str(db))  # leaves a plaintext backup
    result = run("encrypt", "--db", str(db), input=twice(PASSPHRASE))
    assert result.exit_code == 0, result.output
    assert "Wiped the plaintext file and 1 plaintext backup" in result.output
    files = [path for path in db.parent.rglob("*") if path.is_file()]
    assert len(files) == 2 and all(b"PLANTED" not in path.read_bytes() for path in files)
    shown = run("export", "notes", "--db", str(db), input=f"{PASSPHRASE}\n")
    assert shown.exit_code == 0 and SECRET in shown.output
    twice_over = run("encrypt", "--db", str(db))
    assert twice_over.exit_code == 1 and "already encrypted" in twice_over.output


def test_encrypt_refuses_what_is_not_a_review(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("my private notes")
    result = run("encrypt", "--db", str(text))
    assert result.exit_code == 1 and "not a review database" in result.output
    assert text.read_text() == "my private notes"


def test_locate_says_a_review_is_encrypted(encrypted_db: Path) -> None:
    assert f"{encrypted_db}  (encrypted)" in run("locate", "--db", str(encrypted_db)).output


def test_the_demo_stays_plain(data_home: Path) -> None:
    assert run("demo", "--no-open", env={"PEERREVIEW_PASSPHRASE": PASSPHRASE}).exit_code == 0
    assert (data_home / "demo.db").read_bytes().startswith(b"SQLite format 3")


def test_purge_waits_for_the_letter_and_for_a_yes(encrypted_db: Path) -> None:
    env = {"PEERREVIEW_PASSPHRASE": PASSPHRASE}
    assert "say what to purge" in run("purge", "--db", str(encrypted_db), env=env).output
    early = run("purge", "--notes", "--db", str(encrypted_db), env=env)
    assert early.exit_code == 1 and "letter has not been exported" in early.output
    declined = run("purge", "--notes", "--force", "--db", str(encrypted_db), env=env, input="\n")
    assert (
        declined.exit_code == 1
        and "Remove the text of 1 note" in declined.output
        and "[y/N]" in declined.output
    )
    with Store.open(encrypted_db, passphrase=PASSPHRASE) as store:
        assert SECRET in notes.get_note(store, SESSION, "health").body
        store.set_meta(LETTER_EXPORTED, now())
    done = run("purge", "--notes", "--db", str(encrypted_db), env=env, input="y\n")
    assert done.exit_code == 0, done.output
    assert "Purged 1 note and 1 evidence item" in done.output
    with Store.open(encrypted_db, passphrase=PASSPHRASE) as store:
        assert notes.get_note(store, SESSION, "health").body == ""


def test_purge_yes_skips_the_question(tmp_path: Path) -> None:
    db = tmp_path / "review" / "r.db"
    run("init", str(EXAMPLE), "--db", str(db))
    run("note", "add", SESSION, "--as", "health", "--db", str(db), input=f"+ {SECRET}\n")
    result = run("purge", "--notes", "--force", "--yes", "--db", str(db))
    assert result.exit_code == 0 and "[y/N]" not in result.output
    assert all(b"PLANTED" not in path.read_bytes() for path in db.parent.rglob("*") if path.is_file())


def test_rekey_in_a_script_reads_both_passphrases_from_the_environment(encrypted_db: Path) -> None:
    env = {"PEERREVIEW_PASSPHRASE": PASSPHRASE, "PEERREVIEW_NEW_PASSPHRASE": "a new passphrase"}
    assert run("rekey", "--db", str(encrypted_db), env=env).exit_code == 0
    with Store.open(encrypted_db, passphrase="a new passphrase") as store:
        assert SECRET in notes.get_note(store, SESSION, "health").body


NEW = "a new passphrase"


def test_a_rekey_killed_before_the_backups_were_replaced_is_settled_by_the_next_command(
    encrypted_db: Path,
) -> None:
    """Finding 10: killed once the review was under the new passphrase, rekey left every backup
    under the old one, and nothing told the user."""
    with Store.open(encrypted_db, passphrase=PASSPHRASE) as store:
        store.backup("reload")
        store.backup("merge")
    both = {"PEERREVIEW_PASSPHRASE": PASSPHRASE, "PEERREVIEW_NEW_PASSPHRASE": NEW}
    killed = run_killed(
        ["rekey", "--db", str(encrypted_db)],
        both,
        at=("peerreview_tui.store.review", "Store", "replace_backups"),
    )
    assert killed.returncode == -9
    old = run("coverage", "--db", str(encrypted_db), env={"PEERREVIEW_PASSPHRASE": PASSPHRASE})
    assert old.exit_code == 1 and "wrong passphrase" in old.output
    assert "passphrase was being changed" in old.output  # so the user tries the new one
    new = run("coverage", "--db", str(encrypted_db), env={"PEERREVIEW_PASSPHRASE": NEW})
    assert new.exit_code == 0, new.output
    assert "rekey" in new.output and "interrupted" in new.output
    kept = list_backups(encrypted_db)
    assert kept
    for backup in kept:
        with Store.open(backup, passphrase=NEW) as copy:
            assert SECRET in notes.get_note(copy, SESSION, "health").body


@pytest.fixture(scope="module")
def kill_trials(tmp_path_factory) -> Callable[[str, bool, int], list[str]]:
    """A kill trial of bench/durability (plain and encrypted reviews made once; each operation
    measured once uninterrupted, which must pass the same checks)."""
    work = tmp_path_factory.mktemp("kills")
    templates = {kind: make_safety_review(work / str(kind), encrypted=kind) for kind in (False, True)}
    calibrations: dict[tuple[str, bool], Calibration] = {}

    def trial(operation: str, encrypted: bool, seed: int) -> list[str]:
        template = templates[encrypted]
        if (operation, encrypted) not in calibrations:
            calibrations[operation, encrypted] = calibrate(template, operation, work / "calibrate")
        return kill_trial(
            template, operation, work / "trial", seed, calibrations[operation, encrypted], mode="step"
        )

    return trial


@pytest.mark.parametrize(
    ("operation", "encrypted", "seed"),
    [
        ("encrypt", False, 0),
        ("purge", True, 0),
        ("purge", False, 1),
        ("rekey", True, 0),
    ],
)
def test_sigkill_at_a_random_moment_leaves_a_review_safe_once_the_next_command_has_run(
    kill_trials, operation: str, encrypted: bool, seed: int
) -> None:
    """Finding 10, at random moments (`make bench` runs 20 of each): after the next command, no
    plaintext copy of an encrypted review, no note text left once a purge has begun, every
    backup opening with the review's passphrase, nothing lost that was not purged."""
    assert kill_trials(operation, encrypted, seed) == []
