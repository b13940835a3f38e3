"""Property: laptops that exchange every bundle end with the same review, whatever was typed
where and whatever order the bundles travelled in; nothing is lost; merging is idempotent; a
conflict only ever names a row that was changed on two laptops."""

from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from peerreview_tui.models import FindingSection, SessionStatus
from peerreview_tui.store import Store, findings, notes, week
from peerreview_tui.store.evidence_items import list_evidence
from peerreview_tui.store.ownership import NotAllowed
from peerreview_tui.sync import SyncError, merge_bundles, read_bundle, write_bundle
from peerreview_tui.sync.tables import BY_NAME, TABLES, content

from .conftest import examples
from .team_keys import share_team_keys

OWNERS = ["lead", "officer1", "health", "member", "officer2"]  # whose laptop each one is
# Few sessions and authors, so the same rows are often changed on several laptops.
SESSIONS = ["mon-0930-dcs", "mon-1045-ce", "mon-1045-pfh"]
AUTHORS = ["officer1", "health"]
LINES = [
    "+ supervision is regular #practice",
    "- thresholds are not understood #partnership",
    "? ask for the audit report",
    '! "we feel listened to" #early-help',
    "plain words, not evidence",
    "+ the commissioning plan is clear #commissioning",
]
ROOMS = ["Room 1", "Room 2", "Council chamber"]
TITLES = ["Strong leadership", "Thresholds unclear", "Early help works", "Plans drift"]
EDITED = [t.name for t in TABLES if t.name not in {"audit", "conflicts"}]

pick = st.integers(0, 10**6)
laptop = st.integers(0, 4)
note = st.tuples(st.just("note"), laptop, pick, pick, st.lists(st.sampled_from(LINES), max_size=4))
trim = st.tuples(st.just("trim"), laptop, pick, pick, st.integers(0, 2))  # delete lines: their items go
exchange = st.one_of(
    st.tuples(st.just("bundle"), laptop, st.booleans()),
    st.tuples(st.just("merge"), laptop, st.lists(pick, min_size=1, max_size=4)),
)
steps = st.one_of(  # weighted towards changing the same few rows on several laptops
    note,
    note,
    note,
    trim,
    trim,
    st.tuples(st.just("finding"), laptop, st.booleans(), pick, pick),
    st.tuples(st.just("edit"), laptop, pick, pick),
    st.tuples(st.just("edit"), laptop, pick, pick),
    st.tuples(st.just("agree"), laptop, pick),
    st.tuples(st.just("delete"), laptop, pick),
    st.tuples(st.just("attach"), laptop, pick, pick),
    st.tuples(st.just("move"), laptop, pick, st.sampled_from(ROOMS)),
    st.tuples(st.just("move"), laptop, pick, st.sampled_from(ROOMS)),
    st.tuples(st.just("cancel"), laptop, pick),
    st.tuples(st.just("reload"), laptop, st.none() | pick),  # the schedule file, less one session or whole
    exchange,
    exchange,
    exchange,
)


def _versions(store: Store) -> dict[tuple[str, str], str]:
    """(table, key) -> hash of the row's content, for the tables people edit."""
    out = {}
    with store.read() as db:
        for name in EDITED:
            for row in db.query(f"SELECT * FROM {name}"):
                text = json.dumps(content(row), sort_keys=True)
                out[(name, BY_NAME[name].row_key(row))] = hashlib.sha256(text.encode()).hexdigest()
    return out


def _dump(store: Store, *, with_conflicts: bool = False) -> dict[str, list[Any]]:
    """Every merged table; merge audit entries aside (each laptop writes its own, which travel
    only in its next bundle: the no-row-lost check covers them), and conflicts only when asked
    (one laptop may see a conflict that the others hear of only in its next bundle)."""
    out: dict[str, list[Any]] = {}
    with store.read() as db:
        for table in TABLES:
            if table.name == "conflicts" and not with_conflicts:
                continue
            rows = list(db.query(f"SELECT * FROM {table.name}"))
            if table.name == "audit":
                rows = [row for row in rows if row["action"] != "merge"]
            out[table.name] = sorted(json.dumps(row, sort_keys=True) for row in rows)
        out["tombstones"] = sorted(
            json.dumps(row, sort_keys=True) for row in db.query("SELECT * FROM tombstones")
        )
    return out


class World:
    """Laptops in a temp folder, the bundles they wrote, and who changed which row."""

    def __init__(self, folder: Path, count: int, schedule: Any):
        self.folder = folder
        self.schedule = schedule
        self.stores = []
        for i in range(count):
            store = Store.open(folder / f"laptop{i}.db", create=True)
            week.apply_schedule(store, schedule, "sha")
            self.stores.append(store)
        share_team_keys(*self.stores)  # any laptop may act as anyone: all their keys enrolled
        self.bundles: list[Path] = []
        self.edited_on: dict[tuple[str, str], set[int]] = {}

    def close(self) -> None:
        for store in self.stores:
            store.close()

    def write(self, i: int, since_last: bool) -> Path:
        path = self.folder / f"b{len(self.bundles)}-laptop{i}.prbundle"
        write_bundle(self.stores[i], path, since_last=since_last, actor=OWNERS[i])
        self.bundles.append(path)
        return path

    def merge(self, i: int, paths: list[Path]) -> None:
        store = self.stores[i]
        before = _dump(store, with_conflicts=True)
        try:
            merge_bundles(store, paths, actor=OWNERS[i])
        except SyncError as error:
            # A bundle of changes only, whose earlier bundles this laptop has not had: refused whole.
            assert "merge the earlier bundles" in str(error)
            assert _dump(store, with_conflicts=True) == before

    def edit(self, i: int, step: tuple[Any, ...]) -> None:
        """One change typed on laptop ``i``; remembers which rows it changed. A change the
        ownership rule refuses (a member editing an agreed finding) changes nothing."""
        store = self.stores[i]
        before = _versions(store)
        try:
            self._change(store, OWNERS[i], step)
        except NotAllowed:
            assert _versions(store) == before
            return
        after = _versions(store)
        for key in before.keys() | after.keys():
            if before.get(key) != after.get(key):
                self.edited_on.setdefault(key, set()).add(i)

    def _change(self, store: Store, me: str, step: tuple[Any, ...]) -> None:
        kind = step[0]
        live = findings.list_findings(store)
        sessions = [s for s in SESSIONS if week.session(store, s) is not None]  # a reload may drop one
        if kind == "note":
            _, _, session, author, lines = step
            body = "".join(f"{line}\n" for line in lines)
            # the author's own note, typed on this laptop or another of theirs
            notes.save_note(store, sessions[session % len(sessions)], AUTHORS[author % len(AUTHORS)], body)
        elif kind == "trim":
            _, _, session, author, keep = step
            session_id, author_id = sessions[session % len(sessions)], AUTHORS[author % len(AUTHORS)]
            if note := notes.get_note(store, session_id, author_id):
                body = "".join(note.body.splitlines(keepends=True)[:keep])
                notes.save_note(store, session_id, author_id, body)
        elif kind == "finding":
            _, _, in_area, title, item = step
            evidence = [view.item.id for view in list_evidence(store)]
            section = FindingSection.STRENGTH if in_area else FindingSection.KEY_MESSAGE
            findings.create_finding(
                store,
                section=section,
                focus_area_id="practice" if in_area else None,
                title=TITLES[title % len(TITLES)],
                evidence_ids=[evidence[item % len(evidence)]] if evidence else [],
                actor=me,
            )
        elif kind in {"edit", "agree", "delete", "attach"} and live:
            finding = live[step[2] % len(live)].finding
            if kind == "edit":
                findings.update_finding(
                    store, finding.id, me, title=f"{TITLES[step[3] % len(TITLES)]} ({me})"
                )
            elif kind == "agree":
                findings.agree_finding(store, finding.id, "lead")
            elif kind == "delete":
                findings.delete_finding(store, finding.id, "lead")
            elif evidence := [view.item.id for view in list_evidence(store)]:
                findings.attach_evidence(store, finding.id, [evidence[step[3] % len(evidence)]], me)
        elif kind == "move":
            week.change_session(store, sessions[step[2] % len(sessions)], me, location=step[3])
        elif kind == "cancel":
            week.set_session_status(store, sessions[step[2] % len(sessions)], SessionStatus.CANCELLED, me)
        elif kind == "reload":
            week.apply_schedule(store, self._schedule_without(step[2]), "sha")

    def _schedule_without(self, drop: int | None) -> Any:
        """The schedule file, or a revision of it that no longer lists one of the sessions."""
        if drop is None:
            return self.schedule
        gone = SESSIONS[drop % len(SESSIONS)]
        days = [
            day.model_copy(update={"sessions": [s for s in day.sessions if s.id != gone]})
            for day in self.schedule.days
        ]
        return self.schedule.model_copy(update={"days": days})

    def ids_in_bundles(self) -> set[tuple[str, str]]:
        found = set()
        for path in self.bundles:
            bundle = read_bundle(path)
            for table in TABLES:
                found |= {(table.name, table.row_key(row)) for row in bundle.rows[table.name]}
            found |= {(tomb["table_name"], tomb["row_id"]) for tomb in bundle.tombstones}
        return found


@settings(
    max_examples=examples(5),  # ~2 s each: make test has a five-minute budget on two cores (make explore: 50)
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    phases=[
        Phase.explicit,
        Phase.reuse,
        Phase.generate,
        Phase.target,
        Phase.shrink,
    ],  # explaining takes minutes
)
@given(count=st.integers(2, 5), script=st.lists(steps, min_size=12, max_size=40), data=st.data())
def test_laptops_that_exchange_every_bundle_converge(example_schedule, count, script, data) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        world = World(Path(tmp), count, example_schedule)
        try:
            for step in script:
                i = step[1] % count
                if step[0] == "bundle":
                    world.write(i, since_last=step[2])
                elif step[0] == "merge":
                    if world.bundles:
                        world.merge(i, [world.bundles[n % len(world.bundles)] for n in step[2]])
                else:
                    world.edit(i, step)

            # Full exchange: every laptop sends, every laptop merges every bundle, in any order.
            for i in range(count):
                world.write(i, since_last=data.draw(st.booleans(), label="since last"))
            everything = list(world.bundles)
            for i in range(count):
                merge_bundles(
                    world.stores[i], data.draw(st.permutations(everything), label="order"), actor=OWNERS[i]
                )
            first = _dump(world.stores[0])
            for store in world.stores[1:]:
                assert _dump(store) == first

            with world.stores[0].read() as db:  # what the example reached, for --hypothesis-show-statistics
                event(f"conflicts: {bool(next(db.query('SELECT count(*) AS n FROM conflicts'))['n'])}")
                for table in ("sessions", "evidence"):
                    tombs = next(
                        db.query("SELECT count(*) AS n FROM tombstones WHERE table_name = ?", [table])
                    )["n"]
                    event(f"{table} deleted somewhere: {bool(tombs)}")
                kept = (
                    "SELECT count(*) AS n FROM sessions WHERE removed_at IS NOT NULL AND origin = 'schedule'"
                )
                event(f"a dropped session kept for its notes: {bool(next(db.query(kept))['n'])}")

            # No row lost: every row that travelled is everywhere, as a row or a tombstone.
            for store in world.stores:
                here = set(_versions(store)) | {
                    ("audit", row["id"]) for row in store.db.query("SELECT id FROM audit")
                }
                here |= {
                    (row["table_name"], row["row_id"]) for row in store.db.query("SELECT * FROM tombstones")
                }
                here |= {("conflicts", row["id"]) for row in store.db.query("SELECT id FROM conflicts")}
                here |= {("review", row["id"]) for row in store.db.query("SELECT id FROM review")}
                assert world.ids_in_bundles() <= here

            # A conflict only names a row that two laptops changed.
            for store in world.stores:
                for row in store.db.query("SELECT table_name, row_id FROM conflicts"):
                    assert len(world.edited_on.get((row["table_name"], row["row_id"]), set())) >= 2, row

            # One more round passes on the conflicts and merge entries: then everything is equal.
            round_two = [world.write(i, since_last=True) for i in range(count)]
            for i in range(count):
                merge_bundles(world.stores[i], round_two, actor=OWNERS[i])
            settled = _dump(world.stores[0], with_conflicts=True)
            for store in world.stores[1:]:
                assert _dump(store, with_conflicts=True) == settled

            # Idempotent: the same bundles again (the list of merged bundles forgotten) change nothing.
            store = world.stores[data.draw(st.integers(0, count - 1), label="again")]
            with store.write() as db:
                db.execute("DELETE FROM bundles")
            again = merge_bundles(
                store, data.draw(st.permutations(world.bundles), label="again order"), actor="lead"
            )
            assert again.conflicts == 0 and sum(again.removed.values()) == 0
            assert all(again.total(t.name).changed == 0 for t in TABLES if t.name != "audit")
            assert _dump(store) == _dump(world.stores[0])
        finally:
            world.close()
