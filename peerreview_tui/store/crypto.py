"""Turning a plain review into an encrypted one, without ever losing it on the way.

The encrypted copy is written beside the review with SQLCipher's ``sqlcipher_export`` (the
backup API cannot copy between a plain and an encrypted database), checked (it opens with the
passphrase, every table has the same number of rows, no SQLite header in clear), and only then
put in the review's place with an atomic rename. The plaintext file is overwritten with zeros
through a handle kept open across the rename, its write-ahead log and backups wiped, and one
encrypted backup made. (Best effort: an SSD or a copy-on-write filesystem may keep old blocks.)

A note that the encryption has begun is written before the copy (see ``unfinished``): if it is
interrupted, the next program to open the review removes the half-made copy (before the swap)
or wipes every plaintext copy left (after it), and says which.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sqlcipher3 import dbapi2 as sqlcipher  # only `encrypt` imports this module

from .backup import overwrite, remove_backups, sync_folder, wipe_file
from .connection import (
    APPLICATION_ID,
    BUSY_TIMEOUT_MS,
    SQLITE_HEADER,
    Connection,
    StoreError,
    check_passphrase,
    connect,
    db_errors,
    explain,
    is_encrypted,
)
from .review import Store
from .unfinished import Unfinished, begin, encrypting_copy, settle_files

_SIDE_FILES = ("-wal", "-shm", "-journal")


@dataclass(frozen=True)
class Encrypted:
    rows: int  # rows copied, over every table
    plaintext_backups_removed: int
    backup: Path  # the first encrypted backup


def encrypt_review(path: Path, passphrase: str) -> Encrypted:
    """Encrypt the plain review at ``path`` in place with ``passphrase``."""
    check_passphrase(passphrase)
    settle_files(path)  # an encryption interrupted earlier is completed or undone first
    if is_encrypted(path):
        raise StoreError(f"{path} is already encrypted; change its passphrase with 'peerreview rekey'")
    with Store.open(path) as plain:  # refuses a file that is not a plain review; brings its schema up to date
        counts = row_counts(plain.db.conn)
        version = plain.db.execute("PRAGMA user_version").fetchone()[0]
        review = plain.review()
    # sqlite3 is closed before sqlcipher3 touches the file: two SQLite libraries in one process
    # do not see each other's locks.
    copy = encrypting_copy(path)
    _remove(copy)  # a copy left by an interrupted run holds nothing in clear
    note = begin(path, "encrypt", review.id if review else None)
    swapped = False
    try:
        os.close(os.open(copy, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
        source = sqlcipher.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        try:
            source.execute("PRAGMA cipher_log_level = NONE")
            source.execute("PRAGMA busy_timeout = 1000")
            # Leaving WAL needs the review to itself (refused while the app has it open) and folds the
            # log into the file, which then holds every row.
            if source.execute("PRAGMA journal_mode = DELETE").fetchone()[0].lower() != "delete":
                raise StoreError(f"{path} is open in another program (the app?); close it and try again")
            source.execute("ATTACH DATABASE ? AS encrypted KEY ?", [str(copy), passphrase])
            source.execute("BEGIN EXCLUSIVE")
            source.execute("SELECT sqlcipher_export('encrypted')")
            source.execute(f"PRAGMA encrypted.user_version = {int(version)}")  # not copied by the export
            source.execute(f"PRAGMA encrypted.application_id = {APPLICATION_ID}")
            source.execute("COMMIT")
            source.execute("DETACH DATABASE encrypted")
            source.execute("BEGIN EXCLUSIVE")  # nobody reads or writes the plaintext until it is replaced
            _verify_copy(copy, passphrase, counts)
            with path.open("r+b") as old:
                os.replace(copy, path)
                swapped = True
                sync_folder(path.parent)
                source.close()  # before our handle closes: closing it would drop SQLite's locks
                overwrite(old)
        finally:
            source.close()
    except sqlcipher.OperationalError as error:
        _undo(copy, note, swapped)
        if "locked" in str(error).lower() or "busy" in str(error).lower():
            raise StoreError(
                f"{path} is open in another program (the app?); close it and try again"
            ) from None
        raise StoreError(explain(error, path)) from None
    except BaseException:
        _undo(copy, note, swapped)
        raise
    for suffix in _SIDE_FILES:
        wipe_file(Path(f"{path}{suffix}"))
    removed = remove_backups(path)
    note.done()
    with Store.open(path, passphrase=passphrase) as encrypted:
        first = encrypted.backup("encrypt")
    return Encrypted(sum(counts.values()), removed, first)


def _undo(copy: Path, note: Unfinished, swapped: bool) -> None:
    """Before the swap: the review is as it was. After it: the note stays, and the next program
    to open the review wipes the plaintext copies left."""
    if swapped:
        note.release()
    else:
        _remove(copy)
        note.done()


def row_counts(conn: Connection) -> dict[str, int]:
    """Rows in each table, virtual ones included."""
    names = [
        row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    ]
    return {name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}


def _verify_copy(copy: Path, passphrase: str, counts: dict[str, int]) -> None:
    with copy.open("rb") as f:
        if f.read(len(SQLITE_HEADER)) == SQLITE_HEADER:
            raise StoreError(f"the encrypted copy {copy} is not encrypted; the review was left as it was")
    try:
        conn = connect(copy, passphrase=passphrase)
    except StoreError as error:
        raise StoreError(
            f"the encrypted copy did not open ({error}); the review was left as it was"
        ) from None
    try:
        copied = row_counts(conn)
    except db_errors() as error:
        raise StoreError(
            f"the encrypted copy cannot be read ({error}); the review was left as it was"
        ) from None
    finally:
        conn.close()
    if copied != counts:
        differ = sorted(
            name for name in counts.keys() | copied.keys() if counts.get(name) != copied.get(name)
        )
        raise StoreError(f"the encrypted copy differs in {', '.join(differ)}; the review was left as it was")


def _remove(copy: Path) -> None:
    for suffix in ("", *_SIDE_FILES):
        Path(f"{copy}{suffix}").unlink(missing_ok=True)
