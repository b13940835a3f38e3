"""The one place a review database connection is opened.

Everything that touches a review file comes through ``connect``: it refuses a file that is not a
review database before writing a byte to it, checks the file is sound, and sets the pragmas
the rest of the store relies on (WAL, synchronous=FULL, a busy timeout). An encrypted
connection will be swapped in here and nowhere else.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

# PRAGMA application_id of every review database: "PRVT". A file without it is not ours.
APPLICATION_ID = 0x50525654
SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000


class StoreError(Exception):
    """A review database cannot be used; the message says what is wrong and what to do."""


def connect(path: Path, *, create: bool = False) -> sqlite3.Connection:
    """Open the review database at ``path``; with ``create``, a missing file is made."""
    exists = path.exists()
    if exists:
        if path.is_dir():
            raise StoreError(f"{path} is a folder, not a review database")
        if path.stat().st_size > 0:
            _check_existing(path)
        elif not create:
            raise StoreError(f"{path} is an empty file, not a review database")
    elif not create:
        raise StoreError(
            f"no review database at {path}; create one with 'peerreview init SCHEDULE.yaml' "
            "or try 'peerreview demo'"
        )
    else:
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as error:
            raise StoreError(f"cannot create {path.parent}: {error.strerror}") from None
    _check_writable(path)
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    except sqlite3.Error as error:
        raise StoreError(f"cannot open {path}: {error}") from None
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode.lower() != "wal":
            raise StoreError(f"{path}: cannot use write-ahead logging here (journal mode {mode})")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        # deleted note text is overwritten, not left in free pages
        conn.execute("PRAGMA secure_delete = ON")
    except sqlite3.Error as error:
        conn.close()
        raise StoreError(explain(error, path)) from None
    except StoreError:
        conn.close()
        raise
    if not exists:
        os.chmod(path, 0o600)  # notes are personal data
    return conn


def _check_existing(path: Path) -> None:
    """Read-only checks, so a file that is not ours is never modified."""
    try:
        with path.open("rb") as f:
            header = f.read(len(SQLITE_HEADER))
    except OSError as error:
        raise StoreError(f"cannot read {path}: {error.strerror}") from None
    if header != SQLITE_HEADER:
        raise StoreError(f"{path} is not a review database (not an SQLite file); it was left untouched")
    try:
        probe = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as error:
        raise StoreError(explain(error, path)) from None
    try:
        app_id = probe.execute("PRAGMA application_id").fetchone()[0]
        blank = probe.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
        if app_id != APPLICATION_ID and not blank:
            raise StoreError(
                f"{path} is an SQLite file but not a review database; it was left untouched"
            )
        result = probe.execute("PRAGMA quick_check").fetchone()[0]
        if result != "ok":
            raise StoreError(
                f"{path} is damaged ({result}); restore the latest copy from its backups folder "
                "(see 'peerreview locate')"
            )
    except sqlite3.DatabaseError as error:
        raise StoreError(explain(error, path)) from None
    finally:
        probe.close()


def _check_writable(path: Path) -> None:
    target = path if path.exists() else path.parent
    if not os.access(target, os.W_OK) or not os.access(path.parent, os.W_OK | os.X_OK):
        raise StoreError(
            f"{path} is read-only here; copy it to a folder you can write to and use --db"
        )


def explain(error: sqlite3.Error, path: Path | None = None) -> str:
    """One line for the user about an SQLite failure."""
    where = f"{path}: " if path else ""
    text = str(error).lower()
    if "locked" in text or "busy" in text:
        return f"{where}the review database is busy in another program (another peerreview?); try again"
    if "readonly" in text or "read-only" in text:
        return f"{where}the review database is read-only; copy it somewhere writable and use --db"
    if "disk is full" in text or "full" in text:
        return f"{where}the disk is full; free some space (your text is kept and saving will be retried)"
    if "malformed" in text or "not a database" in text or "corrupt" in text:
        return f"{where}the file is damaged or not a review database; restore it from its backups"
    if "disk i/o" in text:
        return f"{where}the disk could not be written (I/O error)"
    return f"{where}database error: {error}"
