"""``Store``: one open review database, safe to share between the UI's worker threads."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlite_utils import Database

from ..models import ReviewRow
from . import backup
from .connection import (
    BUSY_TIMEOUT_MS,
    Connection,
    StoreError,
    check_passphrase,
    connect,
    db_errors,
    explain,
    quote,
)
from .migrations import migrate


class Store:
    """An open review database. Every read and write goes through ``read()`` or ``write()``,
    which serialise the worker threads that share the one connection.

    An encrypted review keeps its passphrase for as long as it is open: its backups are
    encrypted with it."""

    def __init__(self, path: Path, conn: Connection, *, passphrase: str | None = None):
        self.path = path
        self.db = Database(conn, execute_plugins=False)
        self.lock = threading.RLock()
        self._passphrase = passphrase

    @classmethod
    def open(cls, path: str | Path, *, create: bool = False, passphrase: str | None = None) -> Store:
        """Open (with ``create``, make) the review database at ``path``, encrypted if a
        ``passphrase`` is given. Raises ``StoreError`` (``PassphraseNeeded`` for a file that
        looks encrypted when no passphrase was given)."""
        path = Path(path)
        store = cls(path, connect(path, create=create, passphrase=passphrase), passphrase=passphrase)
        try:
            migrate(store.db)
        except db_errors() as error:
            store.close()
            raise StoreError(explain(error, path)) from None
        except StoreError:
            store.close()
            raise
        if not create and store.review() is None:
            store.close()
            raise StoreError(f"{path} holds no review yet; load one with 'peerreview init SCHEDULE.yaml'")
        return store

    @property
    def encrypted(self) -> bool:
        return self._passphrase is not None

    @property
    def passphrase(self) -> str | None:
        """For the files that must be encrypted like the review: backups and bundles."""
        return self._passphrase

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
            except db_errors() as error:
                raise StoreError(explain(error)) from error

    @contextmanager
    def write(self) -> Iterator[Database]:
        """A transaction: all of it is written, or none of it.

        It takes the database's write lock as it begins (``BEGIN IMMEDIATE``), so what it reads
        is still true when it writes, and a writer in another program (``note add`` beside the
        app) makes it wait, up to the busy timeout, instead of failing at its first write.
        Nested inside another, it is a savepoint."""
        with self.lock:
            try:
                if self.db.conn.in_transaction:
                    with self.db.atomic():
                        yield self.db
                    return
                self.db.conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self.db
                except BaseException:
                    self.db.conn.rollback()
                    raise
                try:
                    self.db.conn.execute("COMMIT")
                except BaseException:
                    self.db.conn.rollback()
                    raise
            except db_errors() as error:
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
                return backup.make_backup(self.db.conn, self.path, passphrase=self._passphrase)
            except (*db_errors(), OSError) as error:  # type: ignore[misc]  # mypy cannot read a starred tuple of classes
                raise StoreError(f"backup failed: {error}") from error

    def replace_backups(self) -> Path:
        """Wipe every backup of this review and make one fresh one (after a purge, a rekey)."""
        with self.lock:
            backup.remove_backups(self.path)
            return self.backup()

    @contextmanager
    def alone(self) -> Iterator[None]:
        """Hold the review so no other program reads or writes it meanwhile (a rekey, a purge);
        refused if another program (the app) has it open."""
        conn = self.db.conn
        with self.lock:
            try:
                conn.execute("PRAGMA busy_timeout = 1000")
                conn.execute("PRAGMA locking_mode = EXCLUSIVE")
                conn.execute("BEGIN EXCLUSIVE")  # takes the lock, then keeps it: exclusive mode
                conn.execute("COMMIT")
            except db_errors() as error:
                self._share(conn)
                if "locked" in str(error).lower() or "busy" in str(error).lower():
                    raise StoreError(
                        f"{self.path} is open in another program (the app?); close it and try again"
                    ) from None
                raise StoreError(explain(error, self.path)) from None
            try:
                yield
            finally:
                self._share(conn)

    @staticmethod
    def _share(conn: Connection) -> None:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        conn.execute("PRAGMA locking_mode = NORMAL")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the lock goes at the next read
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    def checkpoint(self) -> None:
        """Copy the write-ahead log into the database file and empty it, so nothing written
        before stays in the log. Refused while another program holds the review open."""
        with self.lock:
            try:
                busy = self.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
            except db_errors() as error:
                raise StoreError(explain(error, self.path)) from error
        if busy:
            raise StoreError(
                f"{self.path} is open in another program (the app?), so its write-ahead log could not "
                "be emptied; close it and try again"
            )

    def rekey(self, new_passphrase: str) -> Path:
        """Encrypt the review with a new passphrase, check it opens with it, and replace its
        backups (they were encrypted with the old one). Returns the fresh backup."""
        if self._passphrase is None:
            raise StoreError(f"{self.path} is not encrypted; encrypt it with 'peerreview encrypt'")
        check_passphrase(new_passphrase)
        with self.alone():
            self.checkpoint()
            try:
                self.db.conn.execute(f"PRAGMA rekey = {quote(new_passphrase)}")
            except db_errors() as error:
                raise StoreError(explain(error, self.path)) from error
            self._passphrase = new_passphrase
            self.checkpoint()  # no page under the old key is left in the log
        connect(self.path, passphrase=new_passphrase).close()
        return self.replace_backups()
