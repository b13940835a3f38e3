"""Bundle files: one laptop's rows of a review, in a single SQLite file carried on a USB stick.

A bundle holds a ``bundle`` header row, a copy of each mergeable table (``tables.TABLES``), the
``tombstones`` of deleted rows, and ``versions``: for each row it carries, the hashes of every
version of that row the sending laptop had known, so the receiver can tell a later change
(which knew its version) from a concurrent one (which did not). Since format 2 it also holds
the signed work (``peerreview_tui.signing``): ``signed_log``, every signed version the laptop
holds (its own sealed as the bundle is written), and ``roster_keys``, the lead's enrolments.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sqlite_utils import Database

from ..models import new_id, now
from ..names import local_time
from ..paths import is_file_stem
from ..signing import Enrolment, Entry
from ..store import Store, StoreError, signatures
from ..store.connection import SQLITE_HEADER, db_errors, is_encrypted, open_keyed
from . import rows as rows_check
from .rows import RowProblem
from .seal import seal
from .tables import TABLES, Row, Version, columns, row_hash

BUNDLE_FORMAT = 2  # 2: signed work
FIRST_SIGNED_FORMAT = 2
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
    log: list[Entry] = field(default_factory=list)  # the signed versions it carries
    roster: list[Enrolment] = field(default_factory=list)  # the lead's enrolments it carries


@dataclass
class BundleSummary:
    path: Path
    bundle_id: str
    since: str | None
    counts: dict[str, int] = field(default_factory=dict)  # rows per table
    deletions: int = 0

    def describe(self) -> str:
        what = ", ".join(
            plural(self.counts.get(table, 0), noun) for table, noun in NOUNS if self.counts.get(table)
        )
        what = what or "nothing"
        if self.deletions:
            what += f", {plural(self.deletions, 'deletion')}"
        scope = f"changes since {local_time(self.since)}" if self.since else "everything"
        return f"{what} ({scope})"


NOUNS = (
    ("notes", "note"),
    ("evidence", "evidence item"),
    ("findings", "finding"),
    ("finding_evidence", "citation"),
    ("evidence_tags", "tag"),
    ("evidence_lines", "tie to a line of enquiry"),
    ("follow_ups", "follow-up"),
    ("sessions", "session"),
    ("days", "day"),
    ("reviewers", "reviewer"),
    ("focus_areas", "focus area"),
    ("review", "review"),
    ("audit", "audit entry"),
    ("conflicts", "conflict"),
)


def plural(n: int, noun: str) -> str:
    if n == 1:
        return f"{n} {noun}"
    return f"{n} {noun[:-1]}ies" if noun.endswith("y") and noun[-2] not in "aeiou" else f"{n} {noun}s"


def free_bundle_path(folder: Path, stem: str) -> Path:
    """``stem.prbundle``, or ``stem-2.prbundle``... if a bundle was already written this minute.
    ``stem`` is made of ids (the review's, the reviewer's) and digits; anything else (a review id
    that is a path, say) is refused, so the file lands in ``folder`` and nowhere else."""
    if not is_file_stem(stem):
        raise SyncError(
            f"cannot name a bundle {stem!r}: a name made of ids holds only lower-case letters, digits "
            "and '-'; give the file a name"
        )
    path, n = folder / f"{stem}{SUFFIX}", 1
    while path.exists():
        n += 1
        path = folder / f"{stem}-{n}{SUFFIX}"
    return path


class BundlePassphraseNeeded(SyncError):
    """The bundle is encrypted with a passphrase this laptop was not given (or not the right one)."""

    def __init__(self, message: str, path: Path):
        super().__init__(message)
        self.path = path


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
            raise BundlePassphraseNeeded(f"{path.name} is encrypted: give its passphrase", path)
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
        raise BundlePassphraseNeeded(
            f"{path.name}: wrong passphrase, or not a peerreview bundle", path
        ) from None
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
    """Everything in the bundle at ``path``, every row checked (``rows``); ``SyncError`` for a
    file that is not a bundle, is damaged, holds anything but its own tables or a row this
    version did not write, or comes from a newer peerreview; ``BundlePassphraseNeeded`` for an
    encrypted one without (or with the wrong) passphrase. Only the bundle's own tables are read,
    a row at a time, so what it holds decides no more than its size."""
    path = Path(path)
    conn = open_bundle(path, passphrase=passphrase)
    try:
        conn.execute("PRAGMA trusted_schema = OFF")
        conn.execute("PRAGMA cell_size_check = ON")
        objects = _schema(conn)
        header = _read_header(conn, path, objects)
        _check_objects(objects)
        latest = rows_check.latest_stamp()
        # the review first: the header must be its own before its id is used to check the notes'
        read = {"review": _read_rows(conn, "review", header.review_id, latest)}
        _check_header_agrees(header, read["review"])
        for name in [*(table.name for table in TABLES if table.name != "review"), "tombstones"]:
            read[name] = _read_rows(conn, name, header.review_id, latest)
        history: dict[tuple[str, str], set[str]] = {}
        rows_check.check_columns("versions", _columns(conn, "versions"))
        versions = conn.execute("SELECT table_name, row_key, hash FROM versions")
        for number, version in enumerate(versions, start=1):
            rows_check.check_version(version, number)
            history.setdefault((version[0], version[1]), set()).add(version[2])
        log = [Entry(**row) for row in _read_rows(conn, "signed_log", header.review_id, latest)]
        roster = [Enrolment(**row) for row in _read_rows(conn, "roster_keys", header.review_id, latest)]
    except RowProblem as problem:
        raise SyncError(refused(path, str(problem))) from None
    except db_errors():
        raise SyncError(f"{path.name} is damaged or not a peerreview bundle") from None
    finally:
        conn.close()
    tombstones = read.pop("tombstones")
    encrypted = not isinstance(conn, sqlite3.Connection)
    return Bundle(path, header, read, tombstones, history, encrypted, log, roster)


def refused(path: Path, why: str) -> str:
    """The one line that refuses a bundle."""
    return f"{path.name} refused (nothing was merged): {why}"


SIGNED_TABLES = ("signed_log", "roster_keys")
_OWN_TABLES = ("bundle", *(table.name for table in TABLES), "tombstones", "versions", *SIGNED_TABLES)


def _schema(conn: Any) -> list[tuple[str, str, str]]:
    """(type, name, sql) of everything the file defines."""
    return [
        (kind, name, sql or "")
        for kind, name, sql in conn.execute("SELECT type, name, sql FROM sqlite_master")
    ]


def _check_objects(objects: list[tuple[str, str, str]]) -> None:
    """Only the bundle's own tables, plain ones: a view, a trigger, an index or another table
    could run or read anything."""
    for kind, name, sql in objects:
        if kind != "table":
            article = "an" if kind[0] in "aeiou" else "a"
            place = " where a table should be" if name in _OWN_TABLES else ""
            raise RowProblem("", f"it holds {article} {kind} '{name}'{place}; a bundle holds only its tables")
        if name not in _OWN_TABLES:
            raise RowProblem("", f"it holds a table '{name}' that is no part of a bundle")
        if not sql.lstrip().upper().startswith("CREATE TABLE"):
            raise RowProblem("", f"it holds a virtual table '{name}'; a bundle holds only plain tables")
    tables = {name for kind, name, _ in objects if kind == "table"}
    if missing := [name for name in _OWN_TABLES if name not in tables]:
        raise RowProblem("", f"it has no table {missing[0]} (damaged, or not a peerreview bundle)")


def _columns(conn: Any, table: str) -> list[str]:
    """The columns of one of the bundle's tables; computed ones are refused (reading them runs
    their expression)."""
    names = []
    for _, name, *_, hidden in conn.execute(f'PRAGMA table_xinfo("{table}")'):
        if hidden:
            raise RowProblem("", f"its table {table} has a computed or hidden column {name}")
        names.append(name)
    return names


def _read_header(conn: Any, path: Path, objects: list[tuple[str, str, str]]) -> BundleHeader:
    if not any(kind == "table" and name == "bundle" for kind, name, _ in objects):
        if any(name == "bundle" for _, name, _ in objects):
            _check_objects(objects)  # names what stands in its place
        raise RowProblem("", "it has no header (damaged, or not a peerreview bundle)")
    names = _columns(conn, "bundle")
    found = conn.execute("SELECT * FROM bundle LIMIT 2").fetchall()
    if len(found) != 1:
        raise RowProblem("", "it has no header" if not found else "it has two headers")
    header = dict(zip(names, found[0], strict=True))
    form = header.get("format")
    if isinstance(form, int) and not isinstance(form, bool) and form > BUNDLE_FORMAT:
        raise SyncError(
            f"{path.name} was written by a newer peerreview (bundle format {form}; this one reads "
            f"up to {BUNDLE_FORMAT}); upgrade peerreview to merge it"
        )
    if isinstance(form, int) and not isinstance(form, bool) and form < FIRST_SIGNED_FORMAT:
        sender = header.get("sender")
        who = f"{sender}'s laptop" if isinstance(sender, str) and sender else "the laptop that wrote it"
        raise SyncError(
            f"{path.name} was written by an earlier peerreview, before every change was signed, so "
            f"nothing in it can be checked; nothing was merged: upgrade peerreview on {who} and ask "
            "for a new bundle"
        )
    rows_check.check_columns("bundle", names)
    rows_check.check_header(header)
    return BundleHeader.model_validate(header)


def _read_rows(conn: Any, table: str, review_id: str, latest: str) -> list[Row]:
    """The rows of one table, every one checked (``rows.check_rows``)."""
    names = _columns(conn, table)
    rows_check.check_columns(table, names)
    listed = ", ".join(f'"{name}"' for name in names)
    rows: list[Row] = []
    try:
        for values in conn.execute(f'SELECT {listed} FROM "{table}"'):
            rows.append(Version(zip(names, values, strict=True)))
    except db_errors() as error:
        # sqlite3 says which column ("Could not decode to UTF-8 column 'body' with text ...")
        if "UTF-8" not in str(error):
            raise
        rows_check.check_rows(table, rows, review_id=review_id, latest=latest)  # a problem before it first
        column = re.search(r"column '([^']*)'", str(error))
        where = f"{table} row number {len(rows) + 1}" + (f", field {column.group(1)}" if column else "")
        raise RowProblem(where, "text that is not UTF-8 (a byte changed?)") from None
    rows_check.check_rows(table, rows, review_id=review_id, latest=latest)
    return rows


def _check_header_agrees(header: BundleHeader, review: list[Row]) -> None:
    """The header is the rows' own: the same review, the same schedule file."""
    if len(review) > 1:
        raise RowProblem("", f"its table review holds {len(review)} reviews")
    if review and review[0]["id"] != header.review_id:
        raise RowProblem(
            "its header, field review_id",
            f"says review '{header.review_id}', but its rows are of review '{review[0]['id']}'",
        )
    if review and review[0]["schedule_sha256"] != header.schedule_sha256:
        raise RowProblem("its header, field schedule_sha256", "is not its review's")


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
        seal(db, actor)  # before anything is read: this laptop's own versions are signed now
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
        table_columns = {
            name: columns(db, name)
            for name in [*(table.name for table in TABLES), "tombstones", *SIGNED_TABLES]
        }
        signed = {
            "signed_log": [vars(entry) for entry in signatures.log(db)],
            "roster_keys": [vars(enrolment) for enrolment in signatures.enrolments(db).values()],
        }
        _write_file(
            path,
            header,
            rows | {"tombstones": tombs} | signed,
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
