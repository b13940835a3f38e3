"""A team of real laptops for the signed-work tests: the lead's made from the schedule file, the
others joined from the lead's bundle, each reviewer's key enrolled by the lead (unlike
``team_keys``, where every laptop holds everyone's keys). And how a test says a bundle was
refused: the message, and nothing changed."""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from peerreview_tui.store import Store
from peerreview_tui.sync import SyncError, init_from_bundle, merge_bundles, write_bundle


@dataclass
class Team:
    folder: Path
    laptops: dict[str, Store] = field(default_factory=dict)  # laptop name -> its review
    owners: dict[str, str] = field(default_factory=dict)  # laptop name -> whose it is
    count: int = 0

    def bundle(self, laptop: str, *, since_last: bool = False) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{laptop}.prbundle"
        write_bundle(self.laptops[laptop], path, actor=self.owners.get(laptop, laptop), since_last=since_last)
        return path

    def merge(
        self,
        laptop: str,
        *paths: Path,
        accept: tuple[str, ...] = (),
        reenrol: tuple[str, ...] = (),
        keep: tuple[str, ...] = (),
    ) -> Any:
        actor = self.owners.get(laptop, laptop)
        return merge_bundles(
            self.laptops[laptop],
            list(paths),
            actor=actor,
            accept_keys=accept,
            reenrol=reenrol,
            keep_lost_work=keep,
        )

    def join(self, who: str, bundle: Path, name: str | None = None) -> Store:
        path = self.folder / f"{name or who}.db"
        init_from_bundle(path, bundle, me=who)
        store = Store.open(path)
        self.laptops[name or who] = store
        self.owners[name or who] = who
        return store

    def close(self) -> None:
        for store in self.laptops.values():
            store.close()


def dump(store: Store) -> dict[str, list[dict[str, Any]]]:
    with store.read() as db:
        return {
            name: sorted(db.query(f"SELECT * FROM {name}"), key=repr)
            for name in ("notes", "findings", "finding_evidence", "audit", "signed_log", "roster_keys")
        }


def edit(bundle: Path, sql: str, *params: Any) -> Path:
    edited = bundle.with_name(f"edited-{bundle.name}")
    shutil.copy(bundle, edited)
    with sqlite3.connect(edited) as conn:
        changed = conn.execute(sql, params).rowcount
    conn.close()
    assert changed, sql
    return edited


def refused(team: Team, who: str, bundle: Path, *expected: str, keep: tuple[str, ...] = ()) -> str:
    before = dump(team.laptops[who])
    with pytest.raises(SyncError) as error:
        team.merge(who, bundle, keep=keep)
    message = str(error.value)
    assert "nothing was merged" in message
    for words in expected:
        assert words in message, message
    assert dump(team.laptops[who]) == before
    return message
