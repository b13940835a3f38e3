"""Rolling backups through SQLite's online backup API: consistent even while the app writes.

A backup of an encrypted review is encrypted with the same passphrase (its own salt): the
backup API copies pages through both connections' codecs, so no page is written in clear.
Backups that must go (the oldest, or all of them after a purge, a rekey or an encryption) are
overwritten with zeros before they are unlinked: best effort, since an SSD or a copy-on-write
filesystem may keep the old blocks; encryption is what protects those.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from pathlib import Path
from typing import BinaryIO

from ..paths import backups_dir
from .connection import Connection, open_keyed

KEEP = 5
_CHUNK = 1 << 20


def list_backups(db_path: Path) -> list[Path]:
    """This database's backups, oldest first."""
    folder = backups_dir(db_path)
    if not folder.is_dir():
        return []
    return sorted(folder.glob(f"{db_path.stem}-*.db"))


def make_backup(conn: Connection, db_path: Path, keep: int = KEEP, *, passphrase: str | None = None) -> Path:
    """Copy the open database beside it, keeping only the newest ``keep`` copies. An encrypted
    database (``passphrase``) gives an encrypted copy."""
    folder = backups_dir(db_path)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = folder / f"{db_path.stem}-{stamp}.db"
    partial = target.with_suffix(".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)
    copy = sqlite3.connect(partial) if passphrase is None else open_keyed(partial, passphrase)
    try:
        conn.backup(copy)
    finally:
        copy.close()
    os.replace(partial, target)
    for old in list_backups(db_path)[:-keep]:
        wipe_file(old)
    return target


def remove_backups(db_path: Path) -> int:
    """Wipe every backup of the database (and any half-written one); returns how many."""
    folder = backups_dir(db_path)
    gone = [*list_backups(db_path), *(folder.glob(f"{db_path.stem}-*.partial") if folder.is_dir() else [])]
    for path in gone:
        wipe_file(path)
    return len(gone)


def wipe_file(path: Path) -> None:
    """Overwrite the file with zeros, then unlink it."""
    try:
        with path.open("r+b") as f:
            overwrite(f)
    except FileNotFoundError:
        return
    path.unlink(missing_ok=True)


def overwrite(f: BinaryIO) -> None:
    """Zeros over every byte of an open file, flushed to the disk."""
    size = os.fstat(f.fileno()).st_size
    f.seek(0)
    for start in range(0, size, _CHUNK):
        f.write(bytes(min(_CHUNK, size - start)))
    f.flush()
    os.fsync(f.fileno())
