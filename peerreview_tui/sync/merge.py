"""Merging bundles into a review database.

The rules, row by row (rows are matched by id; ``finding_evidence`` by finding and item):

- the incoming version is the one here: nothing happens;
- no version here: it is added;
- otherwise the greater version wins (``tables.Table.order``: latest stamp, then who, then a
  hash), so any order of merging gives the same database, and merging again changes nothing;
- a deletion (tombstone) is a version too; when it wins, the row is deleted, unless other rows
  still refer to it: then it is kept, marked as the store marks it (a session cancelled, an
  evidence item detached);
- a **conflict** is a losing version that the winner did not know: each laptop remembers the
  hashes of every version of a row it has known (``sync_versions``), and a bundle carries them
  for its rows. If the loser is among the versions the winner's laptop knew, the winner is a
  later change made on top of it; if not, the two were changed on two laptops since they last
  met, and the loser is kept in ``conflicts`` for the lead. Versions that differ only in their
  stamps (two laptops loading the same schedule file) are no conflict, nor is a version loaded
  from the schedule file (it can be loaded again), nor a lost deletion (the row is still there).

Before any of that, every bundle is checked whole: its rows as they are read (``rows``), then
against this database (``rules``: references, who may change what, a purged review). One row
that fails refuses the merge, naming it. Everything happens in one transaction: a merge that
fails changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from ..models import now
from ..names import local_time
from ..store import Store, audit, signatures
from .bundle import Bundle, BundlePassphraseNeeded, SyncError, read_bundle
from .rules import check_bundles
from .seal import pin_own_lead_key
from .signatures import check_may_keep_lost_work, check_signed_work, describe_entries, save_signed_work
from .summary import BundleMerge, MergeSummary, TableCounts
from .tables import (
    BY_NAME,
    REFERENCED_BY,
    TABLES,
    Row,
    State,
    Table,
    Version,
    content,
    kept_row,
    remakeable,
    row_hash,
    tombstone_order,
    upsert,
    upsert_sql,
)

MERGING = "sync.merging"  # meta key the tombstone triggers look at (see migrations)


def merge_bundles(
    store: Store,
    paths: Iterable[str | Path],
    *,
    actor: str,
    passphrase: str | None = None,
    accept_keys: Iterable[str] = (),
    reenrol: Iterable[str] = (),
    keep_lost_work: Iterable[str] = (),
) -> MergeSummary:
    """Bring the bundles at ``paths`` into ``store``, all in one transaction. Encrypted ones
    open with ``passphrase`` (one agreed for the exchange) or the review's own. On the lead's
    laptop, ``accept_keys`` names the reviewers whose new keys the lead has checked and enrols
    (``signatures.KeyNotEnrolled`` says which are new); ``reenrol`` likewise, retiring the
    reviewer's other keys (a lost laptop); ``keep_lost_work`` names the reviewers whose lost
    laptop's work, signed after the lead retired its key, the lead keeps
    (``signatures.LostWorkHeld`` says whose there is)."""
    bundles = [_read(Path(path), passphrase, store.passphrase) for path in paths]
    with store.write() as db:
        check_may_keep_lost_work(db, actor, keep_lost_work)
        ours = next(db.query("SELECT id, title FROM review"), None)
        summary = MergeSummary([BundleMerge(b.path, b.header) for b in bundles])
        todo: list[tuple[Bundle, BundleMerge]] = []
        seen_ids: dict[str, Path] = {}
        for bundle, merged in zip(bundles, summary.bundles, strict=True):
            _check_review(bundle, ours)
            merged.skipped = _skip_reason(db, bundle, seen_ids)
            seen_ids.setdefault(bundle.header.bundle_id, bundle.path)
            if merged.skipped is None:
                todo.append((bundle, merged))
        if not todo:
            return summary
        merger = _Merger(db, actor, now())
        for table in TABLES:
            merger.load(table)
        # against the review as it is, before a row is written
        here = check_bundles(db, merger.states, [bundle for bundle, _ in todo])
        if actor in here.team:
            summary.own_key = signatures.ensure_key(db, actor)
        pin_own_lead_key(db)
        signed = check_signed_work(
            db,
            [bundle for bundle, _ in todo],
            here,
            actor=actor,
            accept=accept_keys,
            reenrol=reenrol,
            keep_lost_work=keep_lost_work,
        )
        db.execute("INSERT INTO meta (key, value) VALUES (?, '1')", [MERGING])
        db.execute("PRAGMA defer_foreign_keys = ON")  # checked once, below, for the whole merge
        tombstones = [_by_table(bundle.tombstones) for bundle, _ in todo]
        for table in TABLES:
            state = merger.states[table.name]
            for (bundle, merged), tombs in zip(todo, tombstones, strict=True):
                counts = merged.counts[table.name]
                merger.merge_rows(state, bundle.rows[table.name], bundle.history, counts)
                merger.merge_tombstones(state, tombs.get(table.name, []), bundle.history, counts)
            merger.write_pending()  # a table's rows in place before its children's, and any read
        for name in ("evidence", "sessions"):  # items first: they may hold a session
            summary.removed[name] = merger.settle_tombstones(merger.states[name])
        _check_references(db, [bundle for bundle, _ in todo])
        merger.save_versions()
        save_signed_work(db, signed, actor)
        summary.enrolled = [enrolment for enrolment, _ in signed.made_here]
        summary.kept = [(raised, describe_entries(entries)) for raised, entries in signed.kept]
        summary.pinned_lead_key = signed.lead_key if signed.pinned else None
        for bundle, merged in todo:
            _record(db, bundle, merged, actor, merger.stamp)
        db.execute("DELETE FROM meta WHERE key = ?", [MERGING])
    return summary


def init_from_bundle(
    path_db: str | Path, bundle: str | Path, *, me: str, passphrase: str | None = None
) -> MergeSummary:
    """A new review database at ``path_db`` made from a (full) bundle, for reviewer ``me``; an
    encrypted bundle makes an encrypted review, with the same passphrase."""
    path_db = Path(path_db)
    loaded = read_bundle(bundle, passphrase)
    if loaded.header.since is not None or not loaded.rows["review"]:
        raise SyncError(
            f"{loaded.path.name} holds only changes since an earlier bundle; join from a full bundle "
            "('peerreview bundle' without --since-last)"
        )
    known = [row["id"] for row in loaded.rows["reviewers"] if not row["retired"]]
    if me not in known:
        raise SyncError(
            f"no reviewer '{me}' in review '{loaded.header.review_id}'; choose one of: {', '.join(known)}"
        )
    if path_db.exists() and path_db.stat().st_size > 0:
        with Store.open(path_db, create=True) as existing:
            review = existing.review()
        if review is not None:
            raise SyncError(
                f"{path_db} already holds review '{review.id}'; use 'peerreview merge' to bring the bundle in"
            )
    created = not path_db.exists()
    try:
        with Store.open(path_db, create=True, passphrase=passphrase if loaded.encrypted else None) as store:
            summary = merge_bundles(store, [bundle], actor=me, passphrase=passphrase)
            store.set_meta("me", me)
    except BaseException:
        if created:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path_db}{suffix}").unlink(missing_ok=True)
        raise
    return summary


# --- Checks ----------------------------------------------------------------------------------


def _check_review(bundle: Bundle, ours: dict[str, Any] | None) -> None:
    theirs = bundle.header
    if ours is not None and ours["id"] != theirs.review_id:
        raise SyncError(
            f"{bundle.path.name} is a bundle of review '{theirs.review_id}' ({theirs.review_title}), but this "
            f"database holds review '{ours['id']}' ({ours['title']}); nothing was merged"
        )


def _read(path: Path, given: str | None, own: str | None) -> Bundle:
    """The bundle at ``path``; an encrypted one opens with the passphrase ``given`` for the
    exchange, else with the review's ``own``. What went wrong is said as it is."""
    keys = [key for key in dict.fromkeys((given, own)) if key is not None]
    for key in keys:
        try:
            return read_bundle(path, key)
        except BundlePassphraseNeeded:
            continue
    if not keys:
        return read_bundle(path)  # a plain review: an encrypted bundle asks for its passphrase
    if given is not None:
        also = "" if own is None or own == given else ", nor is it this review's"
        raise BundlePassphraseNeeded(
            f"{path.name}: wrong passphrase for the exchange{also} (or not a peerreview bundle); nothing was merged",
            path,
        )
    raise BundlePassphraseNeeded(
        f"{path.name} is not encrypted with this review's passphrase: give the one agreed for the exchange",
        path,
    )


def _skip_reason(db: Database, bundle: Bundle, earlier: dict[str, Path]) -> str | None:
    bundle_id = bundle.header.bundle_id
    if bundle_id in earlier:
        return f"the same bundle as {earlier[bundle_id].name}"
    sql = "SELECT direction, at FROM bundles WHERE id = ?"
    for row in db.query(sql, [bundle_id]):
        if row["direction"] == "sent":
            return "written by this laptop"
        return f"already merged on {local_time(row['at'])}"
    return None


def _check_references(db: Database, bundles: list[Bundle]) -> None:
    broken = db.execute("PRAGMA foreign_key_check").fetchall()
    if not broken:
        return
    table, rowid, parent, _ = broken[0]
    row = next(db.query(f"SELECT * FROM {table} WHERE rowid = ?", [rowid]), None)
    named = (
        f"{table} row '{BY_NAME[table].row_key(row)}'" if row and table in BY_NAME else f"a row of {table}"
    )
    partial = [b for b in bundles if b.header.since is not None]
    hint = (
        f"{', '.join(b.path.name for b in partial)} hold{'s' if len(partial) == 1 else ''} only changes since an "
        "earlier bundle: merge the earlier bundles from "
        f"{', '.join(sorted({b.header.sender for b in partial}))} first, or ask for a full bundle"
        if partial
        else "the bundles are incomplete"
    )
    raise SyncError(
        f"nothing was merged: {len(broken)} rows refer to rows this database does not have "
        f"(e.g. {named}, pointing at a missing row of {parent}); {hint}"
    )


def _record(db: Database, bundle: Bundle, merged: BundleMerge, actor: str, stamp: str) -> None:
    """The merge in the audit trail (which merges like any row) and in this laptop's list."""
    header = bundle.header
    counts = {
        name: {key: value for key, value in vars(c).items() if key != "unchanged" and value}
        for name, c in merged.counts.items()
        if c.changed or c.conflicts or c.deleted
    }
    changes = {
        "sender": header.sender,
        "created_at": header.created_at,
        "since": header.since,
        "file": bundle.path.name,
        "counts": counts,
    }
    audit.record(
        db, at=stamp, actor=actor, table="bundles", row_id=header.bundle_id, action="merge", changes=changes
    )
    db.table("bundles").insert(
        {
            "id": header.bundle_id,
            "direction": "received",
            "sender": header.sender,
            "created_at": header.created_at,
            "since": header.since,
            "file_name": bundle.path.name,
            "counts": json.dumps(counts),
            "at": stamp,
        }
    )


# --- The merge itself ------------------------------------------------------------------------


class _Merger:
    def __init__(self, db: Database, actor: str, stamp: str):
        self.db, self.actor, self.stamp = db, actor, stamp
        self.states: dict[str, State] = {}
        self.learned: set[tuple[str, str, str]] = set()
        # rows to write, in order: (statement, values of each row), a run of one statement each
        self.pending: list[tuple[str, list[list[Any]]]] = []

    def load(self, table: Table) -> State:
        rows: dict[str, Row] = {
            table.row_key(row): Version(row) for row in self.db.query(f"SELECT * FROM {table.name}")
        }
        tombs: dict[str, Row] = {
            row["row_id"]: Version(row)
            for row in self.db.query("SELECT * FROM tombstones WHERE table_name = ?", [table.name])
        }
        seen: dict[str, set[str]] = {}
        for row in self.db.query(
            "SELECT row_key, hash FROM sync_versions WHERE table_name = ?", [table.name]
        ):
            seen.setdefault(row["row_key"], set()).add(row["hash"])
        self.states[table.name] = state = State(table, rows, tombs, seen)
        return state

    def merge_rows(
        self,
        state: State,
        incoming: list[Row],
        history: dict[tuple[str, str], set[str]],
        counts: TableCounts,
    ) -> None:
        table = state.table
        for row in incoming:
            key, digest = table.row_key(row), row_hash(row)
            knew = history.get((table.name, key), set()) | {digest}
            local, tomb = state.rows.get(key), state.tombs.get(key)
            seen = state.seen.setdefault(key, set())
            if local is not None and row_hash(local) == digest:
                counts.unchanged += 1
            elif state.wins(key, row):
                self._upsert(table, row)
                state.rows[key] = row
                if local is None:
                    counts.added += 0 if _deleted(row) else 1  # made and deleted elsewhere: no news
                elif content(local) != content(row):
                    if _deleted(row) and not _deleted(local):
                        counts.deleted += 1
                    else:
                        counts.updated += 1
                    lost_row = tomb is None or table.order(local) > tombstone_order(tomb)
                    if lost_row and row_hash(local) not in knew and not remakeable(table, local):
                        self._conflict(table, key, loser=local, winner=row, counts=counts)
                else:
                    counts.unchanged += 1
            else:
                counts.unchanged += 1
                if digest not in seen and not remakeable(table, row):
                    if tomb is not None and (local is None or tombstone_order(tomb) > table.order(local)):
                        if row_hash(tomb) not in knew:
                            self._conflict(table, key, loser=row, winner=_as_winner(tomb), counts=counts)
                    elif local is not None and content(local) != content(row):
                        self._conflict(table, key, loser=row, winner=local, counts=counts)
            self._learn(state, key, knew | ({row_hash(local)} if local is not None else set()))

    def merge_tombstones(
        self,
        state: State,
        incoming: list[Row],
        history: dict[tuple[str, str], set[str]],
        counts: TableCounts,
    ) -> None:
        table = state.table
        for tomb in incoming:
            key, digest = tomb["row_id"], row_hash(tomb)
            knew = history.get((table.name, key), set()) | {digest}
            mine, local = state.tombs.get(key), state.rows.get(key)
            if mine is None or tombstone_order(tomb) > tombstone_order(mine):
                self._upsert(_TOMBSTONES, tomb)
                state.tombs[key] = tomb
                if local is not None and tombstone_order(tomb) > table.order(local):
                    derived = mine is not None and row_hash(local) == row_hash(kept_row(table.name, mine))
                    if not derived:  # the row was live here: its deletion is news
                        counts.deleted += 1
                    if row_hash(local) not in knew and not derived and not remakeable(table, local):
                        self._conflict(table, key, loser=local, winner=_as_winner(tomb), counts=counts)
            self._learn(state, key, knew | ({row_hash(local)} if local is not None else set()))

    def settle_tombstones(self, state: State) -> int:
        """Apply the deletions that win: delete the row, or keep it marked if rows refer to it."""
        table, removed = state.table, 0
        # Read once: deleting rows of this table changes no reference to it (none refers to its own)
        referenced = self._referenced(table.name)
        for key, tomb in state.tombs.items():
            local = state.rows.get(key)
            if local is not None and table.order(local) > tombstone_order(tomb):
                continue  # changed (or made again) after it was deleted
            if key in referenced:
                kept = kept_row(table.name, tomb)
                if local is None or row_hash(local) != row_hash(kept):
                    upsert(self.db, table, kept)
                    state.rows[key] = kept
                    self._learn(state, key, {row_hash(kept)})
            elif local is not None:
                self.db.execute(f"DELETE FROM {table.name} WHERE id = ?", [key])
                del state.rows[key]
                removed += 1
        return removed

    def _upsert(self, table: Table, row: Row) -> None:
        """``tables.upsert``, batched: written by ``write_pending``, in the same order."""
        sql = upsert_sql(table, tuple(row))
        if not self.pending or self.pending[-1][0] != sql:
            self.pending.append((sql, []))
        self.pending[-1][1].append(list(row.values()))

    def write_pending(self) -> None:
        for sql, values in self.pending:
            self.db.conn.executemany(sql, values)
        self.pending.clear()

    def save_versions(self) -> None:
        self.db.conn.executemany(
            "INSERT OR IGNORE INTO sync_versions (table_name, row_key, hash, learned_at) VALUES (?, ?, ?, ?)",
            [(*version, self.stamp) for version in self.learned],
        )

    def _referenced(self, table: str) -> set[str]:
        """The keys of ``table`` that other rows refer to."""
        return {
            row[0]
            for child, column in REFERENCED_BY[table]
            for row in self.db.execute(f"SELECT DISTINCT {column} FROM {child} WHERE {column} IS NOT NULL")
        }

    def _learn(self, state: State, key: str, hashes: set[str]) -> None:
        seen = state.seen.setdefault(key, set())
        for digest in hashes - seen:
            seen.add(digest)
            self.learned.add((state.table.name, key, digest))

    def _conflict(self, table: Table, key: str, *, loser: Row, winner: Row, counts: TableCounts) -> None:
        if table.name in {"conflicts", "audit"}:
            return  # a conflict record or an audit entry is never edited, only superseded
        conflict_id = row_hash({"table": table.name, "row": key, "loser": row_hash(loser)})
        if next(self.db.query("SELECT 1 AS x FROM conflicts WHERE id = ?", [conflict_id]), None):
            return
        stamps = {
            "created_by": self.actor,
            "created_at": self.stamp,
            "updated_by": self.actor,
            "updated_at": self.stamp,
        }
        self.db.table("conflicts").insert(
            {
                "id": conflict_id,
                "table_name": table.name,
                "row_id": key,
                "loser": json.dumps(loser, ensure_ascii=False, sort_keys=True),
                "winner_updated_by": winner[table.by],
                "winner_updated_at": winner[table.stamp],
                **stamps,
            }
        )
        counts.conflicts += 1


_TOMBSTONES = Table("tombstones")  # written like a table's rows (``upsert``) by its id


def _by_table(tombstones: list[Row]) -> dict[str, list[Row]]:
    grouped: dict[str, list[Row]] = {}
    for tomb in tombstones:
        grouped.setdefault(tomb["table_name"], []).append(tomb)
    return grouped


def _deleted(row: Row) -> bool:
    """A finding or a citation deleted (these keep their row, marked)."""
    return row.get("deleted_at") is not None


def _as_winner(tomb: Row) -> Row:
    return {"updated_by": tomb["deleted_by"], "updated_at": tomb["deleted_at"]}
