"""Backups: copies of a review through SQLite's online backup API, consistent even while the
app writes.

Each database has a folder of its own beside it, ``backups/<file name>/``, and each copy in it
is named ``<stamp>-<reason>.db``: nothing in that folder can belong to another database, so the
rotation or the purge of ``rev.db`` never touches the backups of ``rev-old.db``. The reason is
what the copy was taken before (``Reason``); the rotation keeps the newest ``KEEP`` copies and,
besides, the newest of each reason, so a run of merges cannot push out the copy from before the
last reload.

A copy is written as ``.partial`` under a lock (``locks``), then renamed ``.staged`` while the
operation it was taken for learns whether it changes the review (``Store.backup_if_changed``),
then ``.db`` once kept. Copies whose writer was killed are dealt with the next time the review
is opened (``tidy_backups``): a ``.partial`` is wiped, a ``.staged`` is kept (it is a whole
copy from before something that may have changed the review).

A backup of an encrypted review is encrypted with the same passphrase (its own salt): the
backup API copies pages through both connections' codecs, so no page is written in clear.
Backups that must go (the oldest, or all of them after a purge, a rekey or an encryption) are
overwritten with zeros before they are unlinked: best effort, since an SSD or a copy-on-write
filesystem may keep the old blocks; encryption is what protects those.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

from ..paths import backups_dir
from .connection import Connection, db_errors, open_keyed
from .locks import HELD, try_lock

# What a backup was taken before: the app's session, a reload of the schedule, a merge of
# bundles, a purge, an encryption, a change of passphrase; "earlier": made by an older version.
Reason = Literal["app", "reload", "merge", "purge", "encrypt", "rekey", "earlier"]
KEEP = 5
_CHUNK = 1 << 20
_NAME = re.compile(r"^(\d{8}-\d{6}-\d{6})-([a-z]+)\.(db|staged|partial)$")
_SIDE_FILES = ("-journal", "-wal", "-shm")


@dataclass
class Staged:
    """A whole copy of the review, not yet among its backups; this program holds its lock."""

    path: Path
    fd: int | None  # its lock (None where files are not held: see ``locks``)


def list_backups(db_path: Path) -> list[Path]:
    """This database's backups, oldest first."""
    return [path for path in _own_files(db_path) if path.suffix == ".db"]


def backup_reason(path: Path) -> str:
    """What the backup at ``path`` was taken before."""
    match = _NAME.match(path.name)
    return match[2] if match else "earlier"


def make_backup(
    conn: Connection, db_path: Path, reason: Reason, *, passphrase: str | None = None, keep: int = KEEP
) -> Path:
    """Copy the open database into its backups and rotate them. An encrypted database
    (``passphrase``) gives an encrypted copy."""
    return keep_backup(stage_backup(conn, db_path, reason, passphrase=passphrase), db_path, keep)


def stage_backup(conn: Connection, db_path: Path, reason: Reason, *, passphrase: str | None = None) -> Staged:
    """A whole copy of the open database, set aside until ``keep_backup`` or ``drop_backup``."""
    folder = backups_dir(db_path)
    folder.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    folder.mkdir(exist_ok=True, mode=0o700)
    partial, opened = _new_partial(folder, reason)
    fd: int | None = opened
    try:
        copy = sqlite3.connect(partial) if passphrase is None else open_keyed(partial, passphrase)
        try:
            conn.backup(copy)
            # the copy is one file: opening it to restore or to check it leaves no log beside it
            copy.execute("PRAGMA journal_mode = DELETE").fetchone()
        finally:
            copy.close()
        os.fsync(opened)
        if not HELD:  # a file held open cannot be renamed there
            os.close(opened)
            fd = None
        staged = partial.with_suffix(".staged")
        os.replace(partial, staged)
    except BaseException:
        _wipe_with_side_files(partial)
        if fd is not None:
            os.close(fd)
        raise
    return Staged(staged, fd)


def keep_backup(staged: Staged, db_path: Path, keep: int = KEEP) -> Path:
    """The staged copy joins the backups; the oldest beyond ``keep`` go (see ``rotate``)."""
    target = staged.path.with_suffix(".db")
    try:
        os.replace(staged.path, target)
        sync_folder(target.parent)
    finally:
        _release(staged)
    rotate(db_path, keep)
    return target


def drop_backup(staged: Staged) -> None:
    """The operation changed nothing: the staged copy is wiped."""
    try:
        wipe_file(staged.path)
    finally:
        _release(staged)


def rotate(db_path: Path, keep: int = KEEP) -> None:
    """Keep the newest ``keep`` backups and the newest of each reason; wipe the others."""
    kept = list_backups(db_path)
    newest = {backup_reason(path): path for path in kept}
    wanted = set(kept[-keep:]) | set(newest.values())
    for path in kept:
        if path not in wanted:
            wipe_file(path)


def remove_backups(db_path: Path) -> int:
    """Wipe every backup of the database, whole or half-made, and every file beside them (the
    log of a copy); returns how many backups."""
    counted = [*_own_files(db_path), *_legacy_files(db_path)]
    folder = backups_dir(db_path)
    for path in [*counted, *(folder.iterdir() if folder.is_dir() else [])]:
        if path.is_file():
            wipe_file(path)
    return len(counted)


def tidy_backups(db_path: Path) -> None:
    """On opening a review: copies whose writer was killed are settled (a half-made one wiped,
    a whole one kept), and backups an older version left in ``backups/`` move to their folder."""
    _adopt_legacy(db_path)
    promoted = False
    for path in _own_files(db_path):
        if path.suffix == ".db":
            continue
        try:
            fd = os.open(path, os.O_RDWR)
        except FileNotFoundError:
            continue  # its writer has just finished with it
        abandoned = try_lock(fd) and os.fstat(fd).st_nlink > 0  # not being written, not renamed
        try:
            if not HELD:  # a file held open cannot be renamed or removed there
                os.close(fd)
            if not abandoned:
                continue
            if path.suffix == ".partial":
                _wipe_with_side_files(path)
            else:
                os.replace(path, path.with_suffix(".db"))
                promoted = True
        finally:
            if HELD:
                os.close(fd)
    folder = backups_dir(db_path)
    if folder.is_dir():
        for path in folder.iterdir():  # a log left by a copy that is gone
            owner = next((path.name[: -len(s)] for s in _SIDE_FILES if path.name.endswith(s)), None)
            if owner is not None and not (folder / owner).exists():
                wipe_file(path)
    if promoted:
        rotate(db_path)


def opens_with(path: Path, passphrase: str | None) -> bool:
    """Whether the copy at ``path`` can be read with ``passphrase`` (None: a plain copy). It is
    opened read-only and immutable: nothing is written beside it."""
    uri = f"{path.resolve().as_uri()}?immutable=1"
    try:
        conn = sqlite3.connect(uri, uri=True) if passphrase is None else open_keyed(uri, passphrase, uri=True)
    except db_errors():
        return False
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except db_errors():
        return False
    finally:
        conn.close()
    return True


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


def sync_folder(folder: Path) -> None:
    """A rename or an unlink in ``folder`` survives a power cut."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # not possible on every platform (Windows)
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _release(staged: Staged) -> None:
    if staged.fd is not None:
        os.close(staged.fd)
        staged.fd = None


def _own_files(db_path: Path) -> list[Path]:
    """Every copy in the database's backups folder, whole or not, oldest first."""
    folder = backups_dir(db_path)
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.iterdir() if _NAME.match(path.name) and path.is_file())


def _new_partial(folder: Path, reason: Reason) -> tuple[Path, int]:
    """A new, empty, locked ``.partial`` file whose name no other copy has."""
    while True:
        stem = f"{dt.datetime.now():%Y%m%d-%H%M%S-%f}-{reason}"
        if any((folder / f"{stem}{suffix}").exists() for suffix in (".db", ".staged")):
            continue
        path = folder / f"{stem}.partial"
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        try_lock(fd)  # a file this program has just made: nobody else holds it
        return path, fd


def _legacy_files(db_path: Path) -> list[Path]:
    """Copies an older version wrote straight into ``backups/`` as ``<stem>-<stamp>.db``; the
    stamp's exact shape keeps ``rev-old-<stamp>.db`` from passing for one of ``rev.db``."""
    folder = db_path.parent / "backups"
    if not folder.is_dir():
        return []
    pattern = re.compile(rf"^{re.escape(db_path.stem)}-\d{{8}}-\d{{6}}-\d{{6}}\.(db|partial)$")
    return sorted(path for path in folder.iterdir() if pattern.match(path.name) and path.is_file())


def _adopt_legacy(db_path: Path) -> None:
    legacy = _legacy_files(db_path)
    if not legacy:
        return
    folder = backups_dir(db_path)
    folder.mkdir(exist_ok=True, mode=0o700)
    for path in legacy:
        if path.suffix == ".partial":
            wipe_file(path)
        else:
            stamp = path.stem[len(db_path.stem) + 1 :]
            os.replace(path, folder / f"{stamp}-earlier.db")
    sync_folder(folder)


def _wipe_with_side_files(path: Path) -> None:
    for suffix in ("", *_SIDE_FILES):
        wipe_file(Path(f"{path}{suffix}"))
