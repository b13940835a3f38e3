"""``Store``: one open review database, safe to share between the UI's worker threads.

Reads that open a review (``query``) use the connection directly; sqlite-utils (and what it
brings: click, dateutil, a plugin manager) is loaded the first time something uses ``db``,
which every write does, so the app draws its first screen without it."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..rows import ReviewRow
from . import backup
from .backup import Reason, Staged
from .connection import (
    BUSY_TIMEOUT_MS,
    Connection,
    StoreError,
    check_passphrase,
    check_soundness,
    connect,
    db_errors,
    explain,
    quote,
)
from .migrations import is_current, migrate
from .unfinished import Notice, Unfinished, begin, claim_and_settle

if TYPE_CHECKING:
    from sqlite_utils import Database


@dataclass
class TakenBackup:
    """The backup ``Store.backup_if_changed`` kept: None until the block has ended, and if the
    block changed nothing."""

    path: Path | None = None


class Store:
    """An open review database. Every read and write goes through ``read()`` or ``write()``,
    which serialise the worker threads that share the one connection.

    An encrypted review keeps its passphrase for as long as it is open: its backups are
    encrypted with it."""

    def __init__(self, path: Path, conn: Connection, *, passphrase: str | None = None):
        self.path = path
        self.conn = conn
        self._db: Database | None = None
        self.lock = threading.RLock()
        self._passphrase = passphrase
        self._session_backup: tuple[Staged, int] | None = None
        # what the app leaves until after its first frame (see ``prepare_writes``)
        self._soundness_unchecked = False
        self._backup_wanted: Reason | None = None
        # what settling an operation left unfinished (a killed encrypt, purge, rekey) did
        self.notices: list[Notice] = []

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        create: bool = False,
        passphrase: str | None = None,
        check_later: bool = False,
    ) -> Store:
        """Open (with ``create``, make) the review database at ``path``, encrypted if a
        ``passphrase`` is given, settling first any operation left unfinished on it (see
        ``unfinished``; what was done is in ``notices``). Raises ``StoreError``
        (``PassphraseNeeded`` for a file that looks encrypted when no passphrase was given).

        ``check_later``: the check that the file is sound, which reads all of it, is left for
        ``prepare_writes`` (the app: after its first frame), which every write runs first."""
        path = Path(path)
        notices, held = claim_and_settle(path)
        check_later = check_later and held is None  # settling an operation writes: check first
        try:
            conn = cls._connect(path, create, passphrase, held, check_sound=not check_later)
            store = cls(path, conn, passphrase=passphrase)
            store._soundness_unchecked = check_later and path.stat().st_size > 0
            try:
                if not is_current(store.conn):
                    store.prepare_writes()  # the soundness check, before the schema is changed
                    migrate(store.db)
                if not create and store.review() is None:
                    raise StoreError(
                        f"{path} holds no review yet; load one with 'peerreview init SCHEDULE.yaml'"
                    )
                if held is not None:
                    notices.append(store._settle(held))
            except db_errors() as error:
                store.close()
                raise StoreError(explain(error, path)) from None
            except BaseException:
                store.close()
                raise
        finally:
            if held is not None:
                held.release()  # when not settled: the next program tries again
        store.notices = notices
        return store

    @staticmethod
    def _connect(
        path: Path, create: bool, passphrase: str | None, held: Unfinished | None, *, check_sound: bool
    ) -> Connection:
        try:
            return connect(path, create=create, passphrase=passphrase, check_sound=check_sound)
        except StoreError as error:
            if held is not None and held.operation == "rekey" and "wrong passphrase" in str(error):
                raise StoreError(
                    f"{error} (its passphrase was being changed when it was interrupted: it opens "
                    "with either the old or the new one)"
                ) from None
            raise

    @property
    def db(self) -> Database:
        """The connection through sqlite-utils, made on first use."""
        with self.lock:
            if self._db is None:
                from sqlite_utils import Database

                self._db = Database(self.conn, execute_plugins=False)
            return self._db

    @property
    def encrypted(self) -> bool:
        return self._passphrase is not None

    @property
    def passphrase(self) -> str | None:
        """For the files that must be encrypted like the review: backups and bundles."""
        return self._passphrase

    def close(self) -> None:
        with self.lock:
            if self._session_backup is not None:
                staged, before = self._session_backup
                self._session_backup = None
                with suppress(StoreError, *db_errors()):  # a copy left staged is kept at the next open
                    self._keep_if_changed(staged, before)
            self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """The rows of one read, as dicts, straight from the connection."""
        with self.lock:
            try:
                cursor = self.conn.execute(sql, params)
                columns = [column[0] for column in cursor.description]
                return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
            except db_errors() as error:
                raise StoreError(explain(error)) from error

    def revision(self) -> tuple[int, int]:
        """A token that changes whenever the review does, by this connection (its count of rows
        changed) or by another program's (SQLite's ``data_version``): a screen shown again reads
        again only if it differs from the one it read at."""
        with self.lock:
            try:
                (version,) = self.conn.execute("PRAGMA data_version").fetchone()
                return version, self.conn.total_changes
            except db_errors() as error:
                raise StoreError(explain(error)) from error

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
            if not self.conn.in_transaction:
                self.prepare_writes()
            try:
                if self.conn.in_transaction:
                    with self.db.atomic():
                        yield self.db
                    return
                db = self.db
                self.conn.execute("BEGIN IMMEDIATE")
                try:
                    yield db
                except BaseException:
                    self.conn.rollback()
                    raise
                try:
                    self.conn.execute("COMMIT")
                except BaseException:
                    self.conn.rollback()
                    raise
            except db_errors() as error:
                raise StoreError(explain(error)) from error

    def review(self) -> ReviewRow | None:
        rows = self.query("SELECT * FROM review LIMIT 1")
        return ReviewRow.from_row(rows[0]) if rows else None

    def get_meta(self, key: str) -> str | None:
        rows = self.query("SELECT value FROM meta WHERE key = ?", [key])
        return rows[0]["value"] if rows else None

    def set_meta(self, key: str, value: str) -> None:
        with self.write() as db:
            db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [key, value],
            )

    def backup(self, reason: Reason) -> Path:
        """A backup beside the database, taken before ``reason`` (the newest few are kept, and
        the newest of each reason)."""
        return self._kept(self._stage(reason))

    @contextmanager
    def backup_if_changed(self, reason: Reason) -> Iterator[TakenBackup]:
        """Copy the review, run the block, and keep the copy among the backups only if the block
        changed the review (a merge of bundles already merged, a reload of the same schedule,
        one that failed: no backup, and none pushed out)."""
        taken = TakenBackup()
        with self.lock:
            staged = self._stage(reason)
            before = self.conn.total_changes
        try:
            yield taken
        except BaseException:
            with suppress(OSError):  # the copy, whole, is kept at the next open: the block's error matters
                backup.drop_backup(staged)
            raise
        taken.path = self._keep_if_changed(staged, before)

    def backup_before_first_write(self, reason: Reason) -> None:
        """As ``backup_before_changes``, but the copy is made by ``prepare_writes`` (the app
        calls it once its first screen is drawn), or by the first write if that comes first."""
        self._backup_wanted = reason

    def prepare_writes(self) -> None:
        """What was left until the first write, done now if not yet: the soundness check
        (``check_later``), then the copy of ``backup_before_first_write``. A damaged file fails
        here (``StoreError``), and so every write to it does."""
        with self.lock:
            if self._soundness_unchecked:
                try:
                    check_soundness(self.conn, self.path)
                except db_errors() as error:
                    raise StoreError(explain(error, self.path)) from None
                self._soundness_unchecked = False
            if self._backup_wanted is not None:
                reason, self._backup_wanted = self._backup_wanted, None
                self.backup_before_changes(reason)

    def backup_before_changes(self, reason: Reason) -> None:
        """Copy the review now; when the store is closed, the copy joins the backups if the
        review was changed meanwhile (the app: a backup from before each session that wrote)."""
        with self.lock:
            if self._session_backup is None:
                self._session_backup = (self._stage(reason), self.conn.total_changes)

    def replace_backups(self, reason: Reason) -> tuple[int, Path]:
        """Wipe every backup of this review and make one fresh one (after a purge, a rekey);
        returns how many went, and the fresh one."""
        with self.lock:
            removed = backup.remove_backups(self.path)
            return removed, self.backup(reason)

    def _stage(self, reason: Reason) -> Staged:
        with self.lock:
            try:
                return backup.stage_backup(self.conn, self.path, reason, passphrase=self._passphrase)
            except (*db_errors(), OSError) as error:  # type: ignore[misc]  # mypy cannot read a starred tuple of classes
                raise StoreError(f"backup failed: {error}") from error

    def _kept(self, staged: Staged) -> Path:
        try:
            return backup.keep_backup(staged, self.path)
        except OSError as error:
            raise StoreError(f"backup failed: {error}") from error

    def _keep_if_changed(self, staged: Staged, before: int) -> Path | None:
        with self.lock:
            if self.conn.total_changes != before:
                return self._kept(staged)
        try:
            backup.drop_backup(staged)
        except OSError as error:
            raise StoreError(f"backup failed: {error}") from error
        return None

    @contextmanager
    def alone(self) -> Iterator[None]:
        """Hold the review so no other program reads or writes it meanwhile (a rekey, a purge);
        refused if another program (the app) has it open."""
        conn = self.conn
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
                busy = self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
            except db_errors() as error:
                raise StoreError(explain(error, self.path)) from error
        if busy:
            raise StoreError(
                f"{self.path} is open in another program (the app?), so its write-ahead log could not "
                "be emptied; close it and try again"
            )

    def rekey(self, new_passphrase: str) -> Path:
        """Encrypt the review with a new passphrase, check it opens with it, and replace its
        backups (they were encrypted with the old one). Returns the fresh backup. A note that it
        has begun is written first (see ``unfinished``): if it is interrupted, the next program
        to open the review settles its backups."""
        if self._passphrase is None:
            raise StoreError(f"{self.path} is not encrypted; encrypt it with 'peerreview encrypt'")
        check_passphrase(new_passphrase)
        review = self.review()
        with self.alone():
            self.checkpoint()
            note = begin(self.path, "rekey", review.id if review else None)
            try:
                try:
                    self.conn.execute(f"PRAGMA rekey = {quote(new_passphrase)}")
                except db_errors() as error:
                    note.done()  # the change is one transaction: nothing was changed
                    raise StoreError(explain(error, self.path)) from error
                self._passphrase = new_passphrase
                self.checkpoint()  # no page under the old key is left in the log
                _, fresh = self.replace_backups("rekey")
            except BaseException:
                note.release()
                raise
        try:
            connect(self.path, passphrase=new_passphrase).close()
        except BaseException:
            note.release()
            raise
        note.done()
        return fresh

    def _settle(self, held: Unfinished) -> Notice:
        """Finish a purge or a change of passphrase that a killed program left unfinished."""
        review = self.review()
        if (
            review is None
            or review.id != held.review_id
            or (held.operation == "rekey" and not self.encrypted)
        ):
            held.done()
            return Notice(
                held.operation,
                False,
                f"a note that 'peerreview {held.operation}' was interrupted on review '{held.review_id}' "
                f"was beside {self.path}, which holds another review now; it was removed",
            )
        if held.operation == "purge":
            from . import purge

            try:
                done = purge.purge_notes(self, force=True, unfinished=held)
            except StoreError as error:
                raise StoreError(
                    f"'peerreview purge' of {self.path} was interrupted, and cannot be completed now: {error}"
                ) from None
            return Notice(
                "purge",
                True,
                f"'peerreview purge' of {self.path} was interrupted; it is completed now: the text of "
                f"{done.notes} note{'s' if done.notes != 1 else ''} is gone from the review and its backups",
            )
        wiped = self._settle_backups_after_rekey()
        held.done()
        return Notice(
            "rekey",
            True,
            f"'peerreview rekey' of {self.path} was interrupted; it is settled now: the review opens with "
            f"the passphrase just given, and so does every backup ({wiped} under the other passphrase "
            f"wiped)",
        )

    def _settle_backups_after_rekey(self) -> int:
        """Wipe the backups that do not open with this review's passphrase; make a fresh one if
        none is left. Returns how many were wiped."""
        with self.lock:
            with suppress(StoreError):  # another program has the review open: its log is emptied later
                self.checkpoint()  # no page under the other key is left in the log
            wiped = 0
            for path in backup.list_backups(self.path):
                if not backup.opens_with(path, self._passphrase):
                    backup.wipe_file(path)
                    wiped += 1
            if not backup.list_backups(self.path):
                self.backup("rekey")
        return wiped
