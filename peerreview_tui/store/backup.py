"""Rolling backups through SQLite's online backup API: consistent even while the app writes."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from pathlib import Path

from ..paths import backups_dir

KEEP = 5


def list_backups(db_path: Path) -> list[Path]:
    """This database's backups, oldest first."""
    folder = backups_dir(db_path)
    if not folder.is_dir():
        return []
    return sorted(folder.glob(f"{db_path.stem}-*.db"))


def make_backup(conn: sqlite3.Connection, db_path: Path, keep: int = KEEP) -> Path:
    """Copy the open database beside it, keeping only the newest ``keep`` copies."""
    folder = backups_dir(db_path)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = folder / f"{db_path.stem}-{stamp}.db"
    partial = target.with_suffix(".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)
    copy = sqlite3.connect(partial)
    try:
        conn.backup(copy)
    finally:
        copy.close()
    os.replace(partial, target)
    for old in list_backups(db_path)[:-keep]:
        old.unlink(missing_ok=True)
    return target
