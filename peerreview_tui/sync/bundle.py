"""Bundle files: one laptop's rows of a review, in a single SQLite file carried on a USB stick.

A bundle holds a ``bundle`` header row, a copy of each mergeable table (``tables.TABLES``), the
``tombstones`` of deleted rows, and ``versions``: for each row it carries, the hashes of every
version of that row the sending laptop had known, so the receiver can tell a later change
(which knew its version) from a concurrent one (which did not).
"""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlite_utils import Database

from ..models import new_id, now
from ..store import Store, StoreError
from ..store.connection import SQLITE_HEADER, db_errors, is_encrypted, open_keyed, sqlcipher
from .tables import TABLES, Row, columns, row_hash

BUNDLE_FORMAT = 1
BUNDLE_APPLICATION_ID = 0x5052424E  # "PRBN"
SUFFIX = ".prbundle"
LAST_BUNDLE_AT = "last_bundle_at"  # meta: when this laptop last wrote a bundle of its review


class SyncError(StoreError):
    """A bundle cannot be written or merged; the message says which and why."""


class BundleHeader(BaseModel):
    format: int
    bundle_id: str
    review_id: str
    review_title: str
    schedule_sha256: str
    sender: str  # the reviewer whose laptop wrote it
    created_at: str
    since: str | None  # only what changed after this; None: everything


@dataclass
class Bundle:
    path: Path
    header: BundleHeader
    rows: dict[str, list[Row]]
    tombstones: list[Row]
    history: dict[tuple[str, str], set[str]]  # (table, row key) -> version hashes
    encrypted: bool = False


@dataclass
class BundleSummary:
    path: Path
    bundle_id: str
    since: str | None
    counts: dict[str, int] = field(default_factory=dict)  # rows per table
    deletions: int = 0

    def describe(self) -> str:
        what = ", ".join(
            _plural(self.counts.get(table, 0), noun) for table, noun in _NOUNS if self.counts.get(table)
        )
        what = what or "nothing"
        if self.deletions:
            what += f", {_plural(self.deletions, 'deletion')}"
        scope = f"changes since {self.since[:16].replace('T', ' ')} UTC" if self.since else "everything"
        return f"{what} ({scope})"


_NOUNS = (
    ("notes", "note"),
    ("evidence", "evidence item"),
    ("findings", "finding"),
    ("finding_evidence", "citation"),
    ("evidence_tags", "tag"),
    ("sessions", "session"),
    ("days", "day"),
    ("reviewers", "reviewer"),
    ("focus_areas", "focus area"),
    ("review", "review"),
    ("audit", "audit entry"),
    ("conflicts", "conflict"),
)


def _plural(n: int, noun: str) -> str:
    if n == 1:
        return f"{n} {noun}"
    return f"{n} {noun[:-1]}ies" if noun.endswith("y") and noun[-2] not in "aeiou" else f"{n} {noun}s"


def free_bundle_path(folder: Path, stem: str) -> Path:
    """``stem.prbundle``, or ``stem-2.prbundle``... if a bundle was already written this minute."""
    path, n = folder / f"{stem}{SUFFIX}", 1
    while path.exists():
        n += 1
        path = folder / f"{stem}-{n}{SUFFIX}"
    return path


class BundlePassphraseNeeded(SyncError):
    """The bundle is encrypted with a passphrase this laptop was not given."""


def open_bundle(path: Path, *, create: bool = False, passphrase: str | None = None) -> Any:
    """The one place a bundle file is opened, to write (``create``, on a fresh temp file) or to
    read (read-only, refusing a file that is not a bundle). With ``passphrase`` the bundle is
    SQLCipher-encrypted: an encrypted review's bundles are, with its own passphrase or one
    agreed for the exchange."""
    if create:
        conn = open_keyed(path, passphrase) if passphrase else sqlite3.connect(path)
        conn.execute(f"PRAGMA application_id = {BUNDLE_APPLICATION_ID}")
        return conn
    try:
        with path.open("rb") as f:
            start = f.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        raise SyncError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise SyncError(f"{path} is a folder, not a bundle") from None
    except OSError as error:
        raise SyncError(f"cannot read {path}: {error.strerror}") from None
    if start != SQLITE_HEADER:
        if not is_encrypted(path):
            raise SyncError(f"{path.name} is not a peerreview bundle")
        if passphrase is None:
            raise BundlePassphraseNeeded(f"{path.name} is encrypted: give its passphrase")
        return _open_encrypted(path, passphrase)
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    except sqlite3.DatabaseError:
        raise SyncError(f"{path.name} is damaged or not a peerreview bundle") from None
    _check_application_id(conn, app_id, path)
    return conn


def _open_encrypted(path: Path, passphrase: str) -> Any:
    conn = open_keyed(f"{path.resolve().as_uri()}?mode=ro", passphrase, uri=True)
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    except db_errors():
        conn.close()
        raise BundlePassphraseNeeded(f"{path.name}: wrong passphrase, or not a peerreview bundle") from None
    _check_application_id(conn, app_id, path)
    return conn


def _check_application_id(conn: Any, app_id: int, path: Path) -> None:
    if app_id != BUNDLE_APPLICATION_ID:
        conn.close()
        raise SyncError(
            f"{path.name} is an SQLite file but not a peerreview bundle (a review database? "
            "make a bundle of it with 'peerreview bundle')"
        )


def read_bundle(path: str | Path, passphrase: str | None = None) -> Bundle:
    """Everything in the bundle at ``path``; ``SyncError`` for a file that is not one, is
    damaged, or comes from a newer peerreview; ``BundlePassphraseNeeded`` for an encrypted one
    without (or with the wrong) passphrase."""
    path = Path(path)
    conn = open_bundle(path, passphrase=passphrase)
    conn.row_factory = _row_factory(conn)
    try:
        found = next(iter(conn.execute("SELECT * FROM bundle")), None)
        if found is None:
            raise SyncError(f"{path.name} is damaged: it has no header")
        header = BundleHeader.model_validate(dict(found))
        if header.format > BUNDLE_FORMAT:
            raise SyncError(
                f"{path.name} was written by a newer peerreview (bundle format {header.format}; this one reads "
                f"up to {BUNDLE_FORMAT}); upgrade peerreview to merge it"
            )
        rows = {
            table.name: [dict(row) for row in conn.execute(f"SELECT * FROM {table.name}")] for table in TABLES
        }
        tombstones = [dict(row) for row in conn.execute("SELECT * FROM tombstones")]
        history: dict[tuple[str, str], set[str]] = {}
        for table_name, key, hash_ in conn.execute("SELECT table_name, row_key, hash FROM versions"):
            history.setdefault((table_name, key), set()).add(hash_)
    except (*db_errors(), ValidationError):  # type: ignore[misc]  # mypy cannot read a starred tuple of classes
        raise SyncError(f"{path.name} is damaged or not a peerreview bundle") from None
    finally:
        conn.close()
    return Bundle(path, header, rows, tombstones, history, encrypted=not isinstance(conn, sqlite3.Connection))


def _row_factory(conn: Any) -> Any:
    """sqlite3.Row, or sqlcipher3's own Row for an encrypted bundle."""
    return sqlite3.Row if isinstance(conn, sqlite3.Connection) else sqlcipher().Row


def write_bundle(
    store: Store, path: str | Path, *, since_last: bool = False, actor: str, passphrase: str | None = None
) -> BundleSummary:
    """Write this laptop's rows of the review to ``path``: everything, or with ``since_last`` the
    rows whose current version this laptop did not know yet at its previous bundle (its own
    changes since, and what it merged from others since, so the lead's bundle passes everyone's
    notes on)."""
    path = Path(path)
    with store.write() as db:
        review = next(db.query("SELECT * FROM review"), None)
        if review is None:
            raise SyncError("this database holds no review to bundle")
        last = next(db.query("SELECT value FROM meta WHERE key = ?", [LAST_BUNDLE_AT]), None)
        since = last["value"] if since_last and last else None
        stamp = now()
        known = _known_at(db, since)
        rows = {
            table.name: [
                r
                for r in db.query(f"SELECT * FROM {table.name}")
                if (table.name, table.row_key(r), row_hash(r)) not in known
            ]
            for table in TABLES
        }
        tombs = [
            t
            for t in db.query("SELECT * FROM tombstones")
            if (t["table_name"], t["row_id"], row_hash(t)) not in known
        ]
        versions = [(table.name, table.row_key(r), row_hash(r)) for table in TABLES for r in rows[table.name]]
        versions += [(t["table_name"], t["row_id"], row_hash(t)) for t in tombs]
        versions += [(t["table_name"], t["row_id"], _deleted_hash(t)) for t in tombs]
        db.conn.executemany(
            "INSERT OR IGNORE INTO sync_versions (table_name, row_key, hash, learned_at) VALUES (?, ?, ?, ?)",
            [(*version, stamp) for version in versions],
        )
        keys = {(table_name, key) for table_name, key, _ in versions}
        history = [
            (row["table_name"], row["row_key"], row["hash"])
            for row in db.query("SELECT table_name, row_key, hash FROM sync_versions")
            if (row["table_name"], row["row_key"]) in keys
        ]
        header = BundleHeader(
            format=BUNDLE_FORMAT,
            bundle_id=new_id(),
            review_id=review["id"],
            review_title=review["title"],
            schedule_sha256=review["schedule_sha256"],
            sender=actor,
            created_at=stamp,
            since=since,
        )
        table_columns = {table.name: columns(db, table.name) for table in TABLES} | {
            "tombstones": columns(db, "tombstones")
        }
        _write_file(
            path,
            header,
            rows | {"tombstones": tombs},
            table_columns,
            history,
            passphrase if passphrase is not None else store.passphrase,
        )
        counts = {name: len(table_rows) for name, table_rows in rows.items()}
        db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [LAST_BUNDLE_AT, stamp],
        )
        db.table("bundles").insert(
            {
                "id": header.bundle_id,
                "direction": "sent",
                "sender": actor,
                "created_at": stamp,
                "since": since,
                "file_name": path.name,
                "counts": _json_counts(counts),
                "at": stamp,
            }
        )
    return BundleSummary(path, header.bundle_id, since, counts, len(tombs))


def _known_at(db: Database, since: str | None) -> set[tuple[str, str, str]]:
    """The versions this laptop already knew when it wrote the bundle at ``since``."""
    if since is None:
        return set()
    sql = "SELECT table_name, row_key, hash FROM sync_versions WHERE learned_at <= ?"
    return {(row["table_name"], row["row_key"], row["hash"]) for row in db.query(sql, [since])}


def _deleted_hash(tomb: Row) -> str:
    return row_hash(json.loads(tomb["row"]))


def _json_counts(counts: dict[str, int]) -> str:
    return json.dumps({name: n for name, n in counts.items() if n})


def _write_file(
    path: Path,
    header: BundleHeader,
    rows: dict[str, list[Row]],
    table_columns: dict[str, list[str]],
    history: Iterable[tuple[str, str, str]],
    passphrase: str | None = None,
) -> None:
    """Written whole to a temp file beside ``path`` (readable by this user only), then moved
    into place: a half-written bundle never exists under the real name."""
    temp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        os.close(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        conn = open_bundle(temp, create=True, passphrase=passphrase)
        try:
            fields = list(BundleHeader.model_fields)
            conn.execute(f"CREATE TABLE bundle ({', '.join(fields)})")
            conn.execute(
                f"INSERT INTO bundle VALUES ({', '.join('?' * len(fields))})",
                [getattr(header, name) for name in fields],
            )
            for name, cols in table_columns.items():
                conn.execute(f"CREATE TABLE {name} ({', '.join(cols)})")
                conn.executemany(
                    f"INSERT INTO {name} VALUES ({', '.join('?' * len(cols))})",
                    [[row[col] for col in cols] for row in rows[name]],
                )
            conn.execute("CREATE TABLE versions (table_name, row_key, hash)")
            conn.executemany("INSERT INTO versions VALUES (?, ?, ?)", history)
            conn.commit()
        finally:
            conn.close()
        os.replace(temp, path)
        os.chmod(path, 0o600)  # notes are personal data
    except OSError as error:
        temp.unlink(missing_ok=True)
        raise SyncError(f"cannot write {path}: {error.strerror}") from None
    except sqlite3.Error as error:
        temp.unlink(missing_ok=True)
        raise SyncError(f"cannot write {path}: {error}") from None
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
