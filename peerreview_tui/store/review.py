"""``Store``: one open review database, safe to share between the UI's worker threads."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlite_utils import Database

from ..models import ReviewRow
from . import backup
from .connection import StoreError, connect, explain
from .migrations import migrate


class Store:
    """An open review database. Every read and write goes through ``read()`` or ``write()``,
    which serialise the worker threads that share the one connection."""

    def __init__(self, path: Path, conn: sqlite3.Connection):
        self.path = path
        self.db = Database(conn, execute_plugins=False)
        self.lock = threading.RLock()

    @classmethod
    def open(cls, path: str | Path, *, create: bool = False) -> Store:
        """Open (with ``create``, make) the review database at ``path``. Raises ``StoreError``."""
        path = Path(path)
        store = cls(path, connect(path, create=create))
        try:
            migrate(store.db)
        except sqlite3.Error as error:
            store.close()
            raise StoreError(explain(error, path)) from None
        except StoreError:
            store.close()
            raise
        if not create and store.review() is None:
            store.close()
            raise StoreError(f"{path} holds no review yet; load one with 'peerreview init SCHEDULE.yaml'")
        return store

    def close(self) -> None:
        with self.lock:
            self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def read(self) -> Iterator[Database]:
        with self.lock:
            try:
                yield self.db
            except sqlite3.Error as error:
                raise StoreError(explain(error)) from error

    @contextmanager
    def write(self) -> Iterator[Database]:
        """A transaction: all of it is written, or none of it."""
        with self.lock:
            try:
                with self.db.atomic():
                    yield self.db
            except sqlite3.Error as error:
                raise StoreError(explain(error)) from error

    def review(self) -> ReviewRow | None:
        with self.read() as db:
            row = next(db.query("SELECT * FROM review LIMIT 1"), None)
        return ReviewRow.model_validate(row) if row else None

    def get_meta(self, key: str) -> str | None:
        with self.read() as db:
            row = next(db.query("SELECT value FROM meta WHERE key = ?", [key]), None)
        return row["value"] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self.write() as db:
            db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [key, value],
            )

    def backup(self) -> Path:
        """A rolling backup beside the database (the newest few are kept)."""
        with self.lock:
            try:
                return backup.make_backup(self.db.conn, self.path)
            except (sqlite3.Error, OSError) as error:
                raise StoreError(f"backup failed: {error}") from error
