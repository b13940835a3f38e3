"""SIGKILL while a reviewer types: the app runs for real in a pseudo-terminal. Used by
`make bench` (20 trials) and by tests/test_durability.py (a few)."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import random
import re
import select
import shutil
import signal
import struct
import subprocess
import sys
import termios
import time
from dataclasses import dataclass
from pathlib import Path

from peerreview_tui.store import Store, notes

SESSION = "tue-0900-mash"
AUTHOR = "officer2"


def _drain(fd: int, seconds: float) -> bytes:
    """Read what the app draws (a full pty buffer would block it)."""
    out = b""
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                out += os.read(fd, 65536)
            except OSError:
                break
    return out


def _wait_for(fd: int, marker: bytes, timeout: float = 60.0) -> None:
    seen = b""
    end = time.monotonic() + timeout
    while marker not in seen:
        assert time.monotonic() < end, "the note never appeared on screen"
        seen = seen[-4096:] + _drain(fd, 0.1)
    _drain(fd, 1.5)  # and it has been read from the database


def _open_in_pty(db: Path) -> tuple[subprocess.Popen[bytes], int]:
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120", "LINES": "40"}
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "peerreview_tui",
            "open",
            "--db",
            str(db),
            "--as",
            AUTHOR,
            "--session",
            SESSION,
        ],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=env,
        start_new_session=True,
    )
    os.close(follower)
    return child, leader


def trial(db: Path, seed: int) -> tuple[bool, str]:
    """Type at a human pace into a real `peerreview open` in a pty, SIGKILL it at a random
    moment, and check that everything typed a second before the kill is in the database.
    Returns (kept, what was missing or the last screen when not)."""
    child, fd = _open_in_pty(db)
    rng = random.Random(seed)
    typed: list[tuple[float, str]] = []
    screen = b""
    try:
        _wait_for(fd, b"Marks by focus area")  # the note is on screen: a user starts typing
        kill_after = rng.uniform(1.5, 3.0)
        start = time.monotonic()
        os.write(fd, b"\r")
        while time.monotonic() - start < kill_after:
            char = rng.choice("abcdefghij klmnop")
            os.write(fd, char.encode())
            typed.append((time.monotonic(), char))
            screen = _drain(fd, rng.uniform(0.03, 0.12))  # a human pace
        killed_at = time.monotonic()
        os.killpg(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        os.close(fd)
        if child.poll() is None:
            child.kill()
    must_have = "".join(char for at, char in typed if at <= killed_at - 1.0)
    with Store.open(db) as store:
        note = notes.get_note(store, SESSION, AUTHOR)
    if note is not None and must_have in note.body:
        return True, ""
    shown = re.sub(rb"\x1b\[[0-9;?<>=]*[a-zA-Z~]", b"", screen).decode(errors="replace")[-600:]
    return False, f"missing {must_have!r}; last screen: {shown}"


# --- SIGKILL during encrypt, purge and rekey ---------------------------------------------------
# The command runs for real (the click CLI) in a child process, which is killed at a random
# moment: either a random time after it starts its work ("timed"), or at the Nth function call
# made in the store package ("step", deterministic for a seed). The next command on the review
# must then settle what was interrupted, and the checks below must hold. Used by `make bench`
# (20 trials of each) and tests/test_security_cli.py (a few).

OLD_KEY = "tea at the town hall"
NEW_KEY = "a whole new passphrase"
PHRASE = "PLANTED-SAFETY the duty team never rang back"
PHRASE_SESSION = "mon-1330-lscb"
SQLITE_HEADER = b"SQLite format 3\x00"
LEFTOVERS = (".partial", ".staged", ".unfinished", ".encrypting")

_DRIVER = r"""
import importlib, json, os, signal, sys, time
spec = json.loads(sys.argv[1])
from peerreview_tui.cli import main
import peerreview_tui.store.crypto, peerreview_tui.store.purge  # loaded before the clock starts

def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

if spec.get("at"):
    module, owner, name = spec["at"]
    target = importlib.import_module(module)
    setattr(getattr(target, owner) if owner else target, name, die)
events = [0]
if spec.get("event") is not None:
    store = os.path.join(os.path.dirname(importlib.import_module("peerreview_tui").__file__), "store")

    def count(frame, event, arg):
        if event in ("call", "c_call") and frame.f_code.co_filename.startswith(store):
            events[0] += 1
            if events[0] == spec["event"]:
                die()

    sys.setprofile(count)
print("go", flush=True)
start = time.perf_counter()
try:
    main(spec["args"], prog_name="peerreview")
finally:
    sys.setprofile(None)
    print(f"events {events[0]} seconds {time.perf_counter() - start}", file=sys.stderr, flush=True)
"""


def run_killed(
    args: list[str],
    env: dict[str, str],
    *,
    at: tuple[str, str, str] | None = None,
    event: int | None = None,
    after: float | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run `peerreview ARGS` in a child process and SIGKILL it: when it calls ``at`` (module,
    class or "", name), at its ``event``th call in the store package (0: count them, no kill), or
    ``after`` seconds of work. The result's stderr ends "events N seconds S" if it was not killed."""
    spec = json.dumps({"args": args, "at": at, "event": event})
    child = subprocess.Popen(
        [sys.executable, "-c", _DRIVER, spec],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "go", "the child did not start"
    if after is not None:
        time.sleep(after)
        child.send_signal(signal.SIGKILL)
    out, err = child.communicate(timeout=120)
    return subprocess.CompletedProcess(child.args, child.returncode, out, err)


def make_safety_review(folder: Path, *, encrypted: bool) -> Path:
    """The demo week with a planted note, two backups (reloads) and its letter exported: the
    review a kill trial starts from (copied for each trial)."""
    from peerreview_tui.demo import build_demo
    from peerreview_tui.models import now
    from peerreview_tui.store.crypto import encrypt_review
    from peerreview_tui.store.purge import LETTER_EXPORTED

    db = folder / "review" / "r.db"
    db.parent.mkdir(parents=True)
    build_demo(db)
    if encrypted:
        encrypt_review(db, OLD_KEY)
    with Store.open(db, passphrase=OLD_KEY if encrypted else None) as store:
        notes.save_note(store, PHRASE_SESSION, "health", f"+ {PHRASE} #partnership\n")
        store.set_meta(LETTER_EXPORTED, now())
        store.backup("reload")
        store.backup("merge")
    return db


OPERATIONS: dict[str, tuple[list[str], dict[str, str]]] = {
    "encrypt": (["encrypt"], {"PEERREVIEW_PASSPHRASE": OLD_KEY}),
    "purge": (["purge", "--notes", "--yes"], {"PEERREVIEW_PASSPHRASE": OLD_KEY}),
    "rekey": (["rekey"], {"PEERREVIEW_PASSPHRASE": OLD_KEY, "PEERREVIEW_NEW_PASSPHRASE": NEW_KEY}),
}


@dataclass
class Calibration:
    events: int
    seconds: float


def calibrate(template: Path, operation: str, work: Path) -> Calibration:
    """How many store calls, and how long, the operation takes when nothing kills it."""
    db = _copy_review(template, work)
    args, env = OPERATIONS[operation]
    done = run_killed([*args, "--db", str(db)], env, event=0)
    assert done.returncode == 0, done.stdout + done.stderr
    _, events, _, seconds = done.stderr.strip().splitlines()[-1].split()
    shutil.rmtree(db.parent.parent)
    return Calibration(int(events), float(seconds))


def _copy_review(template: Path, work: Path) -> Path:
    target = work / "review"
    if target.parent.exists():
        shutil.rmtree(target.parent)
    shutil.copytree(template.parent, target)
    return target / template.name


def kill_trial(
    template: Path, operation: str, work: Path, seed: int, calibration: Calibration, *, mode: str
) -> list[str]:
    """Run ``operation`` on a copy of ``template`` and kill it at a random moment (``mode``
    "timed" or "step"), run the next command, and return what is wrong (nothing, we hope)."""
    rng = random.Random(seed)
    db = _copy_review(template, work)
    args, env = OPERATIONS[operation]
    if mode == "step":
        run_killed([*args, "--db", str(db)], env, event=rng.randint(1, calibration.events))
    else:
        run_killed([*args, "--db", str(db)], env, after=rng.uniform(0, calibration.seconds))
    return check_after_kill(db, operation)


def _encrypted(path: Path) -> bool:
    return path.read_bytes()[:16] != SQLITE_HEADER


def check_after_kill(db: Path, operation: str) -> list[str]:
    """The next command on the review settles the interrupted operation; then: no plaintext
    copy of an encrypted review, no note text anywhere after a purge, every backup opens with
    the review's key, and nothing was lost that was not purged."""
    from click.testing import CliRunner

    from peerreview_tui.cli import main
    from peerreview_tui.store.backup import list_backups

    runner = CliRunner()
    for key in (NEW_KEY, OLD_KEY) if operation == "rekey" else (OLD_KEY,):
        result = runner.invoke(main, ["coverage", "--db", str(db)], env={"PEERREVIEW_PASSPHRASE": key})
        if result.exit_code == 0 or "wrong passphrase" not in result.output:
            break
    if result.exit_code != 0 or "Traceback" in result.output:
        return [f"the next command failed: {result.output[-400:]}"]
    problems: list[str] = []
    folder = db.parent
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    problems += [f"left behind: {p.relative_to(folder)}" for p in files if p.name.endswith(LEFTOVERS)]
    encrypted = _encrypted(db)
    passphrase = key if encrypted else None
    if operation == "rekey" and not encrypted:
        problems.append("the review is no longer encrypted")
    if encrypted:
        problems += [
            f"{p.relative_to(folder)} is a plaintext copy"
            for p in files
            if p.read_bytes()[:16] == SQLITE_HEADER
        ]
    purged, body = _read_note(db, passphrase)
    if operation == "purge" and purged:
        if body is None or PHRASE in body:
            problems.append("the purge is recorded but the note text is in the review")
    elif body is None or PHRASE not in body:
        problems.append("the note was lost")
    if encrypted or purged:  # then no file may show the note's text
        problems += [
            f"{p.relative_to(folder)} holds the note in clear"
            for p in files
            if PHRASE.encode() in p.read_bytes()
        ]
    for backup in list_backups(db):
        try:
            _, kept = _read_note(backup, passphrase)
        except Exception as error:  # whatever stops it opening is the finding
            problems.append(f"backup {backup.name} does not open with the review's key: {error}")
            continue
        if purged and kept is not None and PHRASE in kept:
            problems.append(f"backup {backup.name} holds purged note text")
    return problems


def _read_note(path: Path, passphrase: str | None) -> tuple[bool, str | None]:
    """(whether the notes were purged, the planted note's text) read from a review or a backup,
    read-only and with one key derivation (SQLCipher's are slow on purpose)."""
    import sqlite3

    from peerreview_tui.store.connection import open_keyed
    from peerreview_tui.store.purge import NOTES_PURGED

    uri = f"{path.resolve().as_uri()}?mode=ro"
    conn = sqlite3.connect(uri, uri=True) if passphrase is None else open_keyed(uri, passphrase, uri=True)
    try:
        purged = conn.execute("SELECT count(*) FROM meta WHERE key = ?", [NOTES_PURGED]).fetchone()[0] > 0
        row = conn.execute(
            "SELECT body FROM notes WHERE session_id = ? AND author_id = 'health'", [PHRASE_SESSION]
        ).fetchone()
    finally:
        conn.close()
    return purged, row[0] if row else None
