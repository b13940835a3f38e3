"""SIGKILL while a reviewer types: the app runs for real in a pseudo-terminal. Used by
`make bench` (20 trials) and by tests/test_durability.py (a few)."""

from __future__ import annotations

import fcntl
import os
import pty
import random
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
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
