"""Operations that must never be left half done: ``encrypt``, ``purge`` and ``rekey``.

Before such an operation changes anything it writes a note beside the review,
``<review file>.unfinished`` (flushed to the disk), and holds a lock on it while it runs; it
removes the note when it is done. A note whose lock is free was left by a program that was
killed or lost its power. The next program to open the review settles the operation and says
what it did (``Notice``):

- an encryption is settled here, before the review is opened (no passphrase is needed): if the
  encrypted copy had not yet taken the review's place, the half-made copy is removed and the
  review is as it was; if it had, every plaintext copy left (the backups, the old log) is wiped;
- a purge and a change of passphrase are settled by ``Store.open`` once the review is open: the
  purge is done again from the start (it is the same whatever point it had reached), and after a
  change of passphrase every backup that does not open with the passphrase that opened the
  review is wiped.

While the lock is held by a program at work, any other program that opens the review is told
to wait for it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast, get_args

from ..rows import now
from .backup import remove_backups, sync_folder, tidy_backups, wipe_file
from .connection import SQLITE_HEADER, StoreError
from .locks import HELD, try_lock

Operation = Literal["encrypt", "purge", "rekey"]
SUFFIX = ".unfinished"
_SIDE_FILES = ("-wal", "-shm", "-journal")
_DOING = {"encrypt": "encrypted", "purge": "purged", "rekey": "given a new passphrase"}


@dataclass(frozen=True)
class _Note:
    operation: Operation
    review_id: str | None
    started_at: str

    def to_json(self) -> str:
        return json.dumps(
            {"operation": self.operation, "review_id": self.review_id, "started_at": self.started_at}
        )

    @classmethod
    def from_json(cls, data: Any) -> _Note:
        """Raises ValueError unless ``data`` is a note this module wrote."""
        if not isinstance(data, dict):
            raise ValueError("not an object")
        operation, review_id, started_at = (
            data.get("operation"),
            data.get("review_id"),
            data.get("started_at"),
        )
        if operation not in get_args(Operation):
            raise ValueError("not an operation")
        if not isinstance(review_id, str | None) or not isinstance(started_at, str):
            raise ValueError("not a note")
        return cls(cast(Operation, operation), review_id, started_at)


@dataclass(frozen=True)
class Notice:
    """What the settling of an interrupted operation did, for the user."""

    operation: Operation
    completed: bool  # False: undone, the review is as it was before
    text: str

    def __str__(self) -> str:
        return self.text


class Unfinished:
    """The note of an operation under way, held (locked) by this program."""

    def __init__(self, db_path: Path, note: _Note, fd: int):
        self.db_path = db_path
        self.operation: Operation = note.operation
        self.review_id = note.review_id
        self._held = True
        self._fd: int | None = fd if fd >= 0 else None
        if not HELD:  # a file held open cannot be removed there
            self._let_go()

    def done(self) -> None:
        """The operation is complete (or undone): the note goes."""
        if not self._held:
            return
        self._let_go()
        note_path(self.db_path).unlink(missing_ok=True)
        sync_folder(self.db_path.parent)
        self._held = False

    def release(self) -> None:
        """Let go of the note without removing it: the next program settles the operation."""
        self._let_go()
        self._held = False

    def _let_go(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def note_path(db_path: Path) -> Path:
    return db_path.with_name(f"{db_path.name}{SUFFIX}")


def encrypting_copy(db_path: Path) -> Path:
    """Where ``encrypt`` writes the encrypted copy before it takes the review's place."""
    return db_path.with_name(f"{db_path.name}.encrypting")


def begin(db_path: Path, operation: Operation, review_id: str | None) -> Unfinished:
    """Write, flush and hold the note that ``operation`` has begun on the review at ``db_path``."""
    path = note_path(db_path)
    note = _Note(operation=operation, review_id=review_id, started_at=now())
    writing = path.with_name(f"{path.name}.writing")
    fd = os.open(writing, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        try_lock(fd)
        os.write(fd, note.to_json().encode())
        os.fsync(fd)
        if not HELD:  # a file held open cannot be renamed there
            os.close(fd)
            fd = -1
        os.replace(writing, path)  # the lock goes with the file
        sync_folder(path.parent)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        writing.unlink(missing_ok=True)
        raise
    return Unfinished(db_path, note, fd)


def claim(db_path: Path) -> Unfinished | None:
    """The note of an operation that was interrupted, now held by this program; None if there is
    none. Refused while the program that wrote it is still at work."""
    path = note_path(db_path)
    _remove_if_free(path.with_name(f"{path.name}.writing"))  # a note never written whole: nothing began
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return None
    try:
        note = _read(fd, path)
        if not try_lock(fd):
            raise StoreError(
                f"{db_path} is being {_DOING[note.operation]} by another program ('peerreview "
                f"{note.operation}'); try again when it has finished"
            )
        if os.fstat(fd).st_nlink == 0:  # it finished while we were looking
            os.close(fd)
            return None
    except BaseException:
        os.close(fd)
        raise
    return Unfinished(db_path, note, fd)


def settle_files(db_path: Path) -> list[Notice]:
    """What needs no passphrase: half-made backups, and an interrupted encryption. Purges and
    changes of passphrase are left for ``Store.open``."""
    held = claim_and_settle(db_path)
    if held[1] is not None:
        held[1].release()
    return held[0]


def claim_and_settle(db_path: Path) -> tuple[list[Notice], Unfinished | None]:
    """``settle_files``, keeping hold of the note of a purge or a change of passphrase, which
    the caller settles once the review is open."""
    tidy_backups(db_path)
    held = claim(db_path)
    if held is None:
        return [], None
    if not db_path.exists():  # the review was removed since: there is nothing to settle
        _remove_encrypting_copy(db_path)
        held.done()
        return [], None
    if held.operation != "encrypt":
        return [], held
    try:
        notice = _settle_encrypt(db_path)
    except BaseException:
        held.release()
        raise
    held.done()
    return [notice], None


def _settle_encrypt(db_path: Path) -> Notice:
    with db_path.open("rb") as f:
        plain = f.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    _remove_encrypting_copy(db_path)
    if plain:
        return Notice(
            "encrypt",
            False,
            f"'peerreview encrypt' of {db_path} was interrupted before the encrypted copy took its place: "
            "the review is still plain, as it was, and the half-made copy was removed; run "
            "'peerreview encrypt' again",
        )
    for suffix in _SIDE_FILES:  # the plaintext review's log, if the swap left one
        wipe_file(Path(f"{db_path}{suffix}"))
    removed = remove_backups(db_path)
    return Notice(
        "encrypt",
        True,
        f"'peerreview encrypt' of {db_path} was interrupted after the encrypted copy took its place; it is "
        f"completed now: {removed} plaintext backup{'s' if removed != 1 else ''} wiped",
    )


def _remove_encrypting_copy(db_path: Path) -> None:
    copy = encrypting_copy(db_path)
    for suffix in ("", *_SIDE_FILES):
        Path(f"{copy}{suffix}").unlink(missing_ok=True)  # encrypted: nothing in it is in clear


def _remove_if_free(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return
    try:
        if try_lock(fd):
            path.unlink(missing_ok=True)
    finally:
        os.close(fd)


def _read(fd: int, path: Path) -> _Note:
    try:
        with os.fdopen(os.dup(fd), "rb") as f:
            return _Note.from_json(json.loads(f.read(4096)))
    except (ValueError, OSError):
        raise StoreError(
            f"{path} is not a note peerreview wrote (it marks an operation left unfinished); "
            "nothing was changed: move it away and try again"
        ) from None
