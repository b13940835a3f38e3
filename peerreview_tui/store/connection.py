"""The one place a review database connection is opened.

Everything that touches a review file comes through ``connect``: it refuses a file that is not a
review database before writing a byte to it, checks the file is sound, and sets the pragmas
the rest of the store relies on (WAL, synchronous=FULL, a busy timeout).

A plain review is opened with the standard library's ``sqlite3``; an encrypted one (given a
passphrase) with ``sqlcipher3``, SQLCipher 4 with its defaults: AES-256, a key derived from the
passphrase by PBKDF2-HMAC-SHA512 (256,000 iterations, a random salt per file), an HMAC on every
page. An encrypted file has no "SQLite format 3" header, and neither does a file that is not a
database at all: without a passphrase such a file gives ``PassphraseNeeded`` so the command line
can ask for one.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..paths import demo_db_path

if TYPE_CHECKING:
    from sqlcipher3 import dbapi2 as _sqlcipher_types  # noqa: F401

# PRAGMA application_id of every review database: "PRVT". A file without it is not ours.
APPLICATION_ID = 0x50525654
SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000
# Every page size SQLite allows is a multiple of this, so every database file's size is too.
_PAGE_MULTIPLE = 512


# sqlcipher3 raises its own exception classes, which are not sqlite3's: catch both.
def db_errors() -> tuple[type[Exception], ...]:
    """sqlite3's errors, and sqlcipher3's once an encrypted review brought it in. sqlcipher3 is
    loaded only for encrypted reviews: it costs a plain review's start-up 5 MiB (bench/)."""
    cipher = sys.modules.get("sqlcipher3.dbapi2")
    return (sqlite3.Error, cipher.Error) if cipher is not None else (sqlite3.Error,)


def sqlcipher() -> Any:
    from sqlcipher3 import dbapi2

    return dbapi2


# The same DB-API, two classes: a plain review is sqlite3's, an encrypted one sqlcipher3's.
Connection = sqlite3.Connection | Any


class StoreError(Exception):
    """A review database cannot be used; the message says what is wrong and what to do."""


class PassphraseNeeded(StoreError):
    """The file looks encrypted: open it again with its passphrase."""


def _missing_hint(path: Path) -> str:
    """What to do about a missing review: use the demo if it is there, else make one."""
    demo = demo_db_path()
    if demo.exists() and demo != path:
        return f"the demo review is at {demo}: add --db '{demo}', or create a review with 'peerreview init SCHEDULE.yaml'"
    return "create one with 'peerreview init SCHEDULE.yaml' or try 'peerreview demo'"


def connect(
    path: Path, *, create: bool = False, passphrase: str | None = None, check_sound: bool = True
) -> Connection:
    """Open the review database at ``path``; with ``create``, a missing file is made (encrypted
    with ``passphrase`` if one is given). ``check_sound=False`` leaves the soundness check, which
    reads the whole file, to the caller (``check_soundness``, before its first write)."""
    if passphrase is not None:
        check_passphrase(passphrase)
    exists = path.exists()
    if exists:
        if path.is_dir():
            raise StoreError(f"{path} is a folder, not a review database")
        if path.stat().st_size > 0:
            _check_existing(path, passphrase, check_sound)
        elif not create:
            raise StoreError(f"{path} is an empty file, not a review database")
    elif not create:
        raise StoreError(f"no review database at {path}; {_missing_hint(path)}")
    else:
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as error:
            raise StoreError(f"cannot create {path.parent}: {error.strerror}") from None
    _check_writable(path)
    try:
        if passphrase is None:
            conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
        else:
            conn = open_keyed(path, passphrase)
    except db_errors() as error:
        raise StoreError(f"cannot open {path}: {error}") from None
    try:
        if passphrase is not None:
            _verify_key(conn, path)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode.lower() != "wal":
            raise StoreError(f"{path}: cannot use write-ahead logging here (journal mode {mode})")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        # deleted note text is overwritten, not left in free pages
        conn.execute("PRAGMA secure_delete = ON")
        # sorts and VACUUM's copy stay in memory, never in an unencrypted temporary file
        conn.execute("PRAGMA temp_store = MEMORY")
    except db_errors() as error:
        conn.close()
        raise StoreError(explain(error, path)) from None
    except StoreError:
        conn.close()
        raise
    if not exists:
        os.chmod(path, 0o600)  # notes are personal data
    return conn


def open_keyed(target: str | Path, passphrase: str, *, uri: bool = False) -> Connection:
    """An SQLCipher connection keyed with ``passphrase`` (not yet verified: a wrong passphrase
    fails at the first read). SQLCipher's own logging is silenced before the key is set, so a
    wrong passphrase prints nothing to the terminal."""
    cipher = sqlcipher()
    conn = cipher.connect(str(target), uri=uri, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f"PRAGMA key = {quote(passphrase)}")
    except cipher.Error:
        conn.close()
        raise
    return conn


def quote(passphrase: str) -> str:
    """The passphrase as an SQL string literal (PRAGMA key takes no bound parameters)."""
    return "'" + passphrase.replace("'", "''") + "'"


def check_passphrase(passphrase: str) -> None:
    if not passphrase:
        raise StoreError("the passphrase is empty")
    if "\x00" in passphrase:
        raise StoreError("the passphrase cannot contain a NUL character")


def is_encrypted(path: Path) -> bool:
    """Whether the file at ``path`` looks like an encrypted database: no SQLite header, and a
    size that whole pages make up. A random file of such a size looks the same."""
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            header = f.read(len(SQLITE_HEADER))
    except OSError:
        return False
    return size > 0 and size % _PAGE_MULTIPLE == 0 and header != SQLITE_HEADER


def _check_existing(path: Path, passphrase: str | None, check_sound: bool = True) -> None:
    """Read-only checks, so a file that is not ours is never modified."""
    try:
        with path.open("rb") as f:
            header = f.read(len(SQLITE_HEADER))
    except OSError as error:
        raise StoreError(f"cannot read {path}: {error.strerror}") from None
    uri = f"{path.resolve().as_uri()}?mode=ro"
    if header == SQLITE_HEADER:
        if passphrase is not None:
            raise StoreError(
                f"{path} is not encrypted; open it without a passphrase, or encrypt it with 'peerreview encrypt'"
            )
        try:
            probe = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        except sqlite3.Error as error:
            raise StoreError(explain(error, path)) from None
    elif passphrase is None:
        if is_encrypted(path):
            raise PassphraseNeeded(
                f"{path} is encrypted or not a review database; give the passphrase "
                "(PEERREVIEW_PASSPHRASE or the prompt)"
            )
        raise StoreError(f"{path} is not a review database (not an SQLite file); it was left untouched")
    else:
        try:
            probe = open_keyed(uri, passphrase, uri=True)
        except sqlcipher().Error as error:
            raise StoreError(explain(error, path)) from None
    try:
        if passphrase is not None:
            _verify_key(probe, path)
        app_id = probe.execute("PRAGMA application_id").fetchone()[0]
        blank = probe.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
        if app_id != APPLICATION_ID and not blank:
            raise StoreError(f"{path} is an SQLite file but not a review database; it was left untouched")
        if check_sound:
            check_soundness(probe, path)
    except db_errors() as error:
        raise StoreError(explain(error, path)) from None
    finally:
        probe.close()


def check_soundness(conn: Connection, path: Path) -> None:
    """Raise ``StoreError`` if the database is damaged. It reads every page: ~70 ms for a ×10 week."""
    result = conn.execute("PRAGMA quick_check").fetchone()[0]
    if result != "ok":
        raise StoreError(
            f"{path} is damaged ({result}); restore the latest copy from its backups folder "
            "(see 'peerreview locate')"
        )


def _verify_key(conn: Connection, path: Path) -> None:
    """The first read decrypts page 1: it fails if the passphrase is wrong."""
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher().DatabaseError as error:
        if "not a database" in str(error).lower():
            raise StoreError(f"{path}: wrong passphrase, or not a review database") from None
        raise


def _check_writable(path: Path) -> None:
    target = path if path.exists() else path.parent
    if not os.access(target, os.W_OK) or not os.access(path.parent, os.W_OK | os.X_OK):
        raise StoreError(f"{path} is read-only here; copy it to a folder you can write to and use --db")


def explain(error: BaseException, path: Path | None = None) -> str:
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
