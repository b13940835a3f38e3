"""Signed work, as properties: hypothesis chooses what a forger changes in a real bundle (a byte
of any signed row, an older version put back, an entry dropped from any log, an audit entry, a
finding agreed without the lead's key), and every choice is refused whole, naming what was
forged, with the receiving laptop's database left as it was; and honest laptops that edit,
exchange in any order and replace a lost laptop all converge and pass ``peerreview verify``.

The week is built once for the module (a few seconds); each example works on copies of its
files."""

from __future__ import annotations

import json
import shutil
import sqlite3
import struct
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peerreview_tui.models import FindingSection, now
from peerreview_tui.schedule import parse_schedule
from peerreview_tui.store import Store, findings, follow_ups, notes, tagging, week
from peerreview_tui.store.evidence_items import list_evidence
from peerreview_tui.store.ownership import NotAllowed
from peerreview_tui.sync import SyncError, init_from_bundle, merge_bundles, read_bundle, write_bundle
from peerreview_tui.sync.seal import author_of, key_of, stamp_of, unsigned_on_purpose
from peerreview_tui.sync.signatures import LostWorkHeld
from peerreview_tui.sync.tables import BY_NAME, TABLES, row_hash
from peerreview_tui.sync.verify import verify_review

from .conftest import EXAMPLE, examples
from .signed_team import Team

MEMBERS = ("officer1", "health")  # the two reviewers on laptops of their own, besides the lead
NAMES = {"lead": "Helen Marchbank", "officer1": "Priya Natarajan", "health": "Angela Osei"}
FINAL = ("lead-3", "officer1-3", "health-3")  # each laptop's full bundle after the week
TARGETS = ("behind", "new")  # a colleague who has heard nothing since round 1; a laptop joining
FAST = settings(max_examples=examples(10), deadline=None)
# sessions each attends (their notes go there); officer1 and health share mon-1045-files
SESSIONS = {
    "lead": ("mon-0930-dcs", "mon-1045-ce", "mon-1330-lscb"),
    "officer1": ("mon-0930-dcs", "mon-1045-files", "mon-1330-hos-sg"),
    "health": ("mon-0930-dcs", "mon-1045-files", "mon-1330-lscb"),
}


@dataclass
class Week:
    """The files of a week of honest work, closed: each laptop's database, and the bundles."""

    folder: Path
    laptops: dict[str, Path] = field(default_factory=dict)  # laptop -> its database, caught up
    bundles: dict[str, Path] = field(default_factory=dict)  # name -> bundle, in the order written
    behind: Path = Path()  # a colleague's database that holds round 1 only


def _ids(store: Store, author: str, kind: str) -> list[str]:
    return [
        v.item.id for v in list_evidence(store) if v.item.author_id == author and v.item.kind.value == kind
    ]


def build_week(folder: Path) -> Week:
    """Three rounds of work and exchange between the lead's laptop and two that joined from it,
    leaving signed versions of a row of every kind: notes typed over several bundles, evidence
    (one item deleted), findings by members and the lead (one edited on two laptops at once: a
    conflict; one agreed; one deleted), citations, a tag, a follow-up handed out, a session moved,
    and the audit entries of all that."""
    schedule = parse_schedule(EXAMPLE.read_bytes(), EXAMPLE.name).schedule
    made = Week(folder)
    team = Team(folder)
    lead = Store.open(folder / "lead.db", create=True)
    week.apply_schedule(lead, schedule, "sha")
    lead.set_meta("me", "lead")
    team.laptops["lead"] = lead

    def send(laptop: str, name: str) -> Path:
        made.bundles[name] = path = team.bundle(laptop)
        return path

    start = send("lead", "lead-start")
    for member in MEMBERS:
        team.join(member, start)
    officer1, health = team.laptops["officer1"], team.laptops["health"]

    # Round 1: notes, findings; the lead enrols both keys on merging their first bundles.
    notes.save_note(officer1, "mon-0930-dcs", "officer1", "+ clear vision #practice\n? ask about step-down\n")
    notes.save_note(officer1, "mon-1045-files", "officer1", "- plans drift #practice\n")
    notes.save_note(health, "mon-1045-files", "health", "- thin on health #partnership\n")
    notes.save_note(lead, "mon-1045-ce", "lead", "+ the chief executive knows the front door #partnership\n")
    mine = findings.create_finding(
        officer1,
        section=FindingSection.STRENGTH,
        focus_area_id="practice",
        title="Supervision is regular",
        evidence_ids=_ids(officer1, "officer1", "strength"),
        actor="officer1",
    )
    theirs = findings.create_finding(
        health,
        section=FindingSection.KEY_MESSAGE,
        focus_area_id=None,
        title="Partners are thin",
        actor="health",
    )
    agreed = findings.create_finding(
        lead,
        section=FindingSection.KEY_MESSAGE,
        focus_area_id=None,
        title="Leaders know their services",
        actor="lead",
    )
    findings.agree_finding(lead, agreed.id, "lead")
    team.merge("lead", send("officer1", "officer1-1"), send("health", "health-1"), accept=MEMBERS)
    first = send("lead", "lead-1")
    for member in MEMBERS:
        team.merge(member, first)

    # Round 2: notes typed again, findings edited (officer1's on two laptops at once), a tag, a
    # follow-up handed out, a session moved, an item deleted.
    notes.save_note(
        officer1, "mon-0930-dcs", "officer1", "+ clear vision, and a plan #practice\n? ask about step-down\n"
    )
    notes.save_note(
        health,
        "mon-1045-files",
        "health",
        "- thin on health #partnership\n+ the GP liaison works #partnership\n",
    )
    findings.update_finding(officer1, mine.id, "officer1", title="Supervision is regular and reflective")
    findings.update_finding(lead, mine.id, "lead", title="Supervision is regular (lead)")
    findings.update_finding(lead, theirs.id, "lead", title="Partners are thin on the ground")
    tagging.tag_evidence(lead, _ids(lead, "health", "development")[0], "practice", "lead")
    follow_ups.assign_follow_up(
        lead, _ids(lead, "officer1", "follow_up")[0], owner="health", session_id=None, actor="lead"
    )
    week.change_session(lead, "mon-1330-lscb", "lead", location="Council chamber")
    extra = findings.create_finding(
        health,
        section=FindingSection.KEY_MESSAGE,
        focus_area_id=None,
        title="A draft to drop",
        actor="health",
    )
    team.merge("lead", send("officer1", "officer1-2"), send("health", "health-2"))
    second = send("lead", "lead-2")
    for member in MEMBERS:
        team.merge(member, second)

    # Round 3: officer1 types the note a third time and drops a line (its item goes); health deletes a draft.
    notes.save_note(
        officer1, "mon-0930-dcs", "officer1", "+ clear vision, a plan, and it is shared #practice\n"
    )
    notes.save_note(officer1, "mon-1045-files", "officer1", "plans reviewed: none drift\n")
    findings.delete_finding(health, extra.id, "health")
    team.merge("lead", send("officer1", "officer1-3"), send("health", "health-3"))
    final = send("lead", "lead-3")
    for member in MEMBERS:
        team.merge(member, final)
    team.close()
    made.laptops = {name: folder / f"{name}.db" for name in team.laptops}
    # a colleague who joined from the lead's first round and has heard nothing since
    made.behind = folder / "behind.db"
    init_from_bundle(made.behind, first, me="member")
    return made


# --- What the forgers start from -------------------------------------------------------------


@dataclass(frozen=True)
class SignedRow:
    """A row of a bundle that carries its author's signature, and how a message may name it."""

    table: str
    rowid: int
    columns: tuple[str, ...]
    names: tuple[str, ...]  # its table, its key, its author's name: a refusal names one of them


@dataclass(frozen=True)
class Replay:
    """An older version of a row in a bundle, by the same author, from an earlier bundle."""

    table: str
    key: dict[str, Any]  # the row's key columns and values, to find it in the bundle
    old: dict[str, Any]
    author: str


class Forgery:
    """The week, and what forgers choose from in it (a plain class: hypothesis shows a failing
    example's arguments, and this one's short)."""

    def __init__(self, made: Week) -> None:
        self.week = made
        self.signed = {name: signed_rows(made.bundles[name]) for name in FINAL}  # bundle -> its signed rows
        self.replays = replays(made)  # bundle -> older versions of its rows
        with sqlite3.connect(made.behind) as conn:
            # the (key, seq) of the entries the behind laptop holds
            self.held_behind = {
                (key, seq) for key, seq in conn.execute("SELECT public_key, seq FROM signed_log")
            }
            self.audit_columns = [column[1] for column in conn.execute("PRAGMA table_info(audit)")]
        conn.close()

    def __repr__(self) -> str:
        return f"Forgery({self.week.folder})"


OWNER = {"behind": "member", "lead": "lead", "officer1": "officer1", "health": "health"}


@pytest.fixture(scope="module")
def forgery(tmp_path_factory: pytest.TempPathFactory) -> Forgery:
    return Forgery(build_week(tmp_path_factory.mktemp("signed-week")))


def signed_rows(bundle: Path) -> list[SignedRow]:
    found = []
    with sqlite3.connect(bundle) as conn:
        conn.row_factory = sqlite3.Row
        for table in [*(t.name for t in TABLES), "tombstones", "signed_log", "roster_keys"]:
            for row in conn.execute(f"SELECT rowid AS rowid_, * FROM {table}"):
                values = dict(row)
                rowid = values.pop("rowid_")
                if table == "signed_log":
                    names = (table, NAMES[values["author"]])
                elif table == "roster_keys":
                    names = (table, NAMES[values["reviewer_id"]])
                else:
                    author = author_of(table, values)
                    if unsigned_on_purpose(table, author):
                        continue
                    names = (table, key_of(table, values), NAMES[author])
                found.append(SignedRow(table, rowid, tuple(values), names))
    conn.close()
    return found


def replays(made: Week) -> dict[str, list[Replay]]:
    """For each final bundle, every older version of its rows that their author signed and sent
    in an earlier bundle."""
    versions: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
    read = {name: read_bundle(path) for name, path in made.bundles.items()}
    for bundle in read.values():
        for table in TABLES:
            for row in bundle.rows[table.name]:
                versions.setdefault((table.name, key_of(table.name, row)), {})[row_hash(row)] = row
    found: dict[str, list[Replay]] = {}
    for name in FINAL:
        for table in TABLES:
            for row in read[name].rows[table.name]:
                author = author_of(table.name, row)
                if unsigned_on_purpose(table.name, author):
                    continue
                for old in versions[(table.name, key_of(table.name, row))].values():
                    if author_of(table.name, old) == author and stamp_of(table.name, old) < stamp_of(
                        table.name, row
                    ):
                        key = {column: row[column] for column in BY_NAME[table.name].key}
                        found.setdefault(name, []).append(Replay(table.name, key, old, author))
    return found


# --- How a forger edits, and what the receiver sees ----------------------------------------------


def copy_of(source: Path, folder: Path, name: str) -> Path:
    copy = folder / name
    shutil.copy(source, copy)
    return copy


def run_sql(path: Path, sql: str, *params: Any) -> None:
    with sqlite3.connect(path) as conn:
        assert conn.execute(sql, params).rowcount == 1, sql
    conn.close()


def change_one_byte(path: Path, table: str, rowid: int, column: str, data: st.DataObject) -> None:
    """One byte of one value changed, as a hex editor would: text stays text (even if no longer
    UTF-8), a number changes one byte of its 8, a NULL becomes a one-byte value."""
    with sqlite3.connect(path) as conn:
        conn.text_factory = bytes
        value, kind = conn.execute(
            f'SELECT "{column}", typeof("{column}") FROM {table} WHERE rowid = ?', [rowid]
        ).fetchone()
        cast = "?"
        if kind in (b"text", b"blob"):
            if value:
                at = data.draw(st.integers(0, len(value) - 1), label="byte")
                to = data.draw(st.integers(0, 255).filter(lambda b: b != value[at]), label="to")
                changed: Any = value[:at] + bytes([to]) + value[at + 1 :]
            else:
                changed = bytes([data.draw(st.integers(0, 255), label="to")])
            cast = "CAST(? AS TEXT)" if kind == b"text" else "?"
        elif kind in (b"integer", b"real"):
            form = ">q" if kind == b"integer" else ">d"
            raw = bytearray(struct.pack(form, value))
            raw[data.draw(st.integers(0, 7), label="byte")] ^= data.draw(st.integers(1, 255), label="xor")
            changed = struct.unpack(form, raw)[0]
        else:
            changed = data.draw(st.sampled_from([0, "0"]), label="to")
        conn.execute(f'UPDATE {table} SET "{column}" = {cast} WHERE rowid = ?', [changed, rowid])
    conn.close()


def refused_by(made: Week, target: str, bundle: Path, folder: Path) -> str:
    """Merge ``bundle`` into a copy of ``target``'s laptop ('new': a laptop joining from it): the
    one-line refusal, the laptop's database left byte for byte as it was (a joining one never made)."""
    if target == "new":
        joined = folder / "new.db"
        with pytest.raises(SyncError) as error:
            init_from_bundle(joined, bundle, me="member")
        assert not joined.exists()
    else:
        if target != "behind":  # it merged the original: the forger gives the copy an id of its own
            run_sql(bundle, "UPDATE bundle SET bundle_id = ?", str(uuid.uuid4()))
        db = copy_of(made.behind if target == "behind" else made.laptops[target], folder, f"{target}.db")
        before = db.read_bytes()
        with Store.open(db) as store, pytest.raises(SyncError) as error:
            merge_bundles(store, [bundle], actor=OWNER[target])
        assert db.read_bytes() == before, "the database changed"
    message = str(error.value)
    assert f"{bundle.name} refused (nothing was merged): " in message and "\n" not in message, message
    return message


# --- The properties --------------------------------------------------------------------------------


def test_the_untouched_bundles_merge(forgery: Forgery, tmp_path: Path) -> None:
    """Each forgery below starts from one of these, so each is refused for its one change (the
    id a forger gives a copy included)."""
    made = forgery.week
    for name in FINAL:
        bundle = copy_of(made.bundles[name], tmp_path, "copy.prbundle")
        run_sql(bundle, "UPDATE bundle SET bundle_id = ?", str(uuid.uuid4()))
        for target in ("behind", "lead", *MEMBERS):
            db = copy_of(made.behind if target == "behind" else made.laptops[target], tmp_path, "t.db")
            with Store.open(db) as store:
                summary = merge_bundles(store, [bundle], actor=OWNER[target])
            assert summary.bundles[0].skipped is None
        init_from_bundle(tmp_path / f"{name}.db", made.bundles[name], me="member")


@FAST
@given(data=st.data())
def test_any_byte_changed_in_any_signed_row_is_refused_naming_it(
    forgery: Forgery, data: st.DataObject
) -> None:
    name = data.draw(st.sampled_from(FINAL), label="bundle")
    row = data.draw(st.sampled_from(forgery.signed[name]), label="row")
    column = data.draw(st.sampled_from(row.columns), label="column")
    target = data.draw(st.sampled_from(TARGETS), label="target")
    with tempfile.TemporaryDirectory() as tmp:
        forged = copy_of(forgery.week.bundles[name], Path(tmp), "forged.prbundle")
        change_one_byte(forged, row.table, row.rowid, column, data)
        message = refused_by(forgery.week, target, forged, Path(tmp))
    assert any(words in message for words in row.names), message


@FAST
@given(data=st.data())
def test_any_older_version_put_back_is_refused_as_replayed(forgery: Forgery, data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(forgery.replays)), label="bundle")
    replay = data.draw(st.sampled_from(forgery.replays[name]), label="replay")
    target = data.draw(st.sampled_from(TARGETS), label="target")
    with tempfile.TemporaryDirectory() as tmp:
        forged = copy_of(forgery.week.bundles[name], Path(tmp), "forged.prbundle")
        sets = ", ".join(f'"{column}" = ?' for column in replay.old)
        where = " AND ".join(f'"{column}" = ?' for column in replay.key)
        run_sql(
            forged,
            f"UPDATE {replay.table} SET {sets} WHERE {where}",
            *replay.old.values(),
            *replay.key.values(),
        )
        message = refused_by(forgery.week, target, forged, Path(tmp))
    assert "replayed" in message and NAMES[replay.author] in message and replay.table in message, message


@FAST
@given(data=st.data())
def test_any_signed_entry_dropped_is_refused(forgery: Forgery, data: st.DataObject) -> None:
    """An entry with later ones after it leaves a gap in its chain; a log's newest entry leaves
    its row unsigned. An entry the receiver already holds is no loss: it is not chosen."""
    name = data.draw(st.sampled_from(FINAL), label="bundle")
    target = data.draw(st.sampled_from(TARGETS), label="target")
    with sqlite3.connect(forgery.week.bundles[name]) as conn:
        # Left out, a known limit: a log's newest entry whose row another author changed later.
        # Its version lost the merge already, so nothing in the bundle shows it is gone; the
        # receiver finds the gap when that author's next entry comes (see the note of 30 Nov).
        entries = conn.execute(
            "SELECT rowid, public_key, seq, author FROM signed_log e WHERE EXISTS "
            "(SELECT 1 FROM signed_log n WHERE n.public_key = e.public_key AND n.seq > e.seq) "
            "OR NOT EXISTS (SELECT 1 FROM signed_log o WHERE o.table_name = e.table_name "
            "AND o.row_key = e.row_key AND o.stamp > e.stamp) ORDER BY rowid"
        ).fetchall()
    conn.close()
    if target == "behind":
        entries = [e for e in entries if (e[1], e[2]) not in forgery.held_behind]
    rowid, _, _, author = data.draw(st.sampled_from(entries), label="entry")
    with tempfile.TemporaryDirectory() as tmp:
        forged = copy_of(forgery.week.bundles[name], Path(tmp), "forged.prbundle")
        run_sql(forged, "DELETE FROM signed_log WHERE rowid = ?", rowid)
        message = refused_by(forgery.week, target, forged, Path(tmp))
    assert NAMES[author] in message and ("dropped" in message or "never signed it" in message), message


def audit_rows(path: Path) -> list[tuple[int, str]]:
    """The audit entries of a bundle or laptop that were signed (a laptop's entries since its
    last bundle are not yet: they are signed as they are when they first leave it)."""
    with sqlite3.connect(path) as conn:
        found = conn.execute(
            "SELECT rowid, id FROM audit WHERE id IN (SELECT row_key FROM signed_log WHERE table_name = 'audit') "
            "ORDER BY rowid"
        ).fetchall()
    conn.close()
    return found


# how an entry of the trail is rewritten in a laptop's own database (what it says, who, when)
REWRITES = {
    "changes": st.dictionaries(
        st.sampled_from(["status", "title"]), st.sampled_from(["draft", "agreed", ""]), min_size=1
    ).map(json.dumps),
    "action": st.sampled_from(["agree", "edit", "delete", "reopen"]),
    "actor": st.sampled_from(["lead", "officer1", "health", "member"]),
    "at": st.sampled_from(["2012-09-10T09:30:00.000000Z", "2012-09-14T17:00:00.000000Z"]),
}


@FAST
@given(data=st.data())
def test_any_audit_entry_edited_is_refused(forgery: Forgery, data: st.DataObject) -> None:
    """In a bundle (any byte), or in a laptop's own database before it bundles (what the entry
    says, who, when): refused wherever it goes, and ``peerreview verify`` on that laptop names it."""
    on_laptop = data.draw(st.booleans(), label="on its own laptop")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if on_laptop:
            laptop = data.draw(st.sampled_from(["lead", *MEMBERS]), label="laptop")
            db = copy_of(forgery.week.laptops[laptop], folder, "edited.db")
            rowid, audit_id = data.draw(st.sampled_from(audit_rows(db)), label="entry")
            column = data.draw(st.sampled_from(sorted(REWRITES)), label="column")
            with sqlite3.connect(db) as conn:
                now_value = conn.execute(f"SELECT {column} FROM audit WHERE rowid = ?", [rowid]).fetchone()[0]
            conn.close()
            value = data.draw(REWRITES[column].filter(lambda v: v != now_value), label="to")
            run_sql(db, f"UPDATE audit SET {column} = ? WHERE rowid = ?", value, rowid)
            forged = folder / "forged.prbundle"
            with Store.open(db) as store:
                write_bundle(store, forged, actor=laptop)
                problems = verify_review(store, laptop).problems
            assert any(
                audit_id in problem and "changed after it was signed" in problem for problem in problems
            ), problems
            target = data.draw(
                st.sampled_from(["behind", *(t for t in ("lead", *MEMBERS) if t != laptop)]), label="target"
            )
        else:
            name = data.draw(st.sampled_from(FINAL), label="bundle")
            forged = copy_of(forgery.week.bundles[name], folder, "forged.prbundle")
            rowid, audit_id = data.draw(st.sampled_from(audit_rows(forged)), label="entry")
            column = data.draw(st.sampled_from(forgery.audit_columns), label="column")
            change_one_byte(forged, "audit", rowid, column, data)
            target = data.draw(st.sampled_from(TARGETS), label="target")
        message = refused_by(forgery.week, target, forged, folder)
    assert "audit" in message, message


@FAST
@given(data=st.data())
def test_a_finding_agreed_with_a_members_key_is_refused(forgery: Forgery, data: st.DataObject) -> None:
    """A member marks a finding agreed (in the lead's name or their own) on their own laptop,
    which signs it with whatever key it holds, or in their bundle: refused by the lead and by
    colleagues, and ``peerreview verify`` on the member's laptop fails."""
    member = data.draw(st.sampled_from(MEMBERS), label="member")
    agreed_by = data.draw(st.sampled_from(["lead", member]), label="agreed_by")
    updated_by = data.draw(st.sampled_from(["lead", member]), label="updated_by")
    on_laptop = data.draw(st.booleans(), label="on their own laptop")
    with sqlite3.connect(forgery.week.laptops[member]) as conn:
        live = conn.execute(
            "SELECT id, title FROM findings WHERE deleted_at IS NULL ORDER BY rowid"
        ).fetchall()
    conn.close()
    finding, title = data.draw(st.sampled_from(live), label="finding")
    stamp = now()
    agree = "UPDATE findings SET status = 'agreed', agreed_by = ?, agreed_at = ?, updated_by = ?, updated_at = ? WHERE id = ?"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        forged = folder / "forged.prbundle"
        if on_laptop:
            db = copy_of(forgery.week.laptops[member], folder, "member.db")
            run_sql(db, agree, agreed_by, stamp, updated_by, stamp, finding)
            with Store.open(db) as store:
                write_bundle(store, forged, actor=member)
                assert not verify_review(store, member).ok
        else:
            shutil.copy(forgery.week.bundles[f"{member}-3"], forged)
            run_sql(forged, agree, agreed_by, stamp, updated_by, stamp, finding)
        other = next(m for m in MEMBERS if m != member)
        target = data.draw(st.sampled_from(["lead", other, "behind", "new"]), label="target")
        message = refused_by(forgery.week, target, forged, folder)
    assert title in message or finding in message, message


def test_another_authors_older_version_put_back_is_refused_as_replayed(
    forgery: Forgery, tmp_path: Path
) -> None:
    made = forgery.week
    older = read_bundle(made.bundles["health-1"]).rows["findings"][0]  # health's, before the lead's edit
    assert older["title"] == "Partners are thin"
    forged = copy_of(made.bundles["lead-3"], tmp_path, "forged.prbundle")
    sets = ", ".join(f'"{column}" = ?' for column in older)
    run_sql(forged, f"UPDATE findings SET {sets} WHERE id = ?", *older.values(), older["id"])
    message = refused_by(made, "new", forged, tmp_path)
    assert "replayed" in message and "Partners are thin" in message, message


# --- Honest laptops ------------------------------------------------------------------------------

LINES = [
    "+ supervision is regular #practice",
    "- thresholds unclear #partnership",
    "? ask for the audit",
    "plain words",
]
TITLES = ["Strong leadership", "Thresholds unclear", "Plans drift"]
pick = st.integers(0, 50)
STEPS = st.one_of(
    st.tuples(st.just("note"), pick, pick, st.lists(st.sampled_from(LINES), max_size=3)),
    st.tuples(st.just("finding"), pick, st.sampled_from(TITLES)),
    st.tuples(st.just("edit"), pick, pick, st.sampled_from(TITLES)),
    st.tuples(st.just("agree"), pick),
    st.tuples(st.just("bundle"), pick, st.booleans()),
    st.tuples(st.just("merge"), pick, st.lists(pick, min_size=1, max_size=3)),
)


class Honest:
    """Copies of the week's laptops, working on: who owns which, and the bundles written."""

    def __init__(self, made: Week, folder: Path) -> None:
        self.folder = folder
        self.stores = {
            name: Store.open(copy_of(path, folder, f"{name}.db")) for name, path in made.laptops.items()
        }
        self.owners = {name: name for name in self.stores}
        self.bundles: list[tuple[str, Path]] = []  # (laptop, bundle)

    def laptop(self, n: int) -> str:
        return sorted(self.stores)[n % len(self.stores)]

    def write(self, laptop: str, since_last: bool = False) -> Path:
        path = self.folder / f"{len(self.bundles):02d}-{laptop}.prbundle"
        write_bundle(self.stores[laptop], path, actor=self.owners[laptop], since_last=since_last)
        self.bundles.append((laptop, path))
        return path

    def merge(self, laptop: str, paths: list[Path]) -> None:
        """What an honest merge may refuse: changes whose earlier bundles have not come, a key
        the lead has not enrolled yet (a replacement laptop's, before the lead's roster)."""
        try:
            merge_bundles(self.stores[laptop], paths, actor=self.owners[laptop])
        except SyncError as error:
            assert "merge the earlier bundles" in str(error) or "not enrolled" in str(error), str(error)

    def step(self, step: tuple[Any, ...]) -> None:
        kind, laptop = step[0], self.laptop(step[1]) if step[0] != "agree" else "lead"
        store, me = self.stores[laptop], self.owners[laptop]
        live = [view.finding for view in findings.list_findings(store)]
        try:
            if kind == "note":
                session = SESSIONS[me][step[2] % len(SESSIONS[me])]
                notes.save_note(store, session, me, "".join(f"{line}\n" for line in step[3]))
            elif kind == "finding":
                findings.create_finding(
                    store, section=FindingSection.KEY_MESSAGE, focus_area_id=None, title=step[2], actor=me
                )
            elif kind == "edit" and live:
                findings.update_finding(store, live[step[2] % len(live)].id, me, title=f"{step[3]} ({me})")
            elif kind == "agree" and live:
                findings.agree_finding(store, live[step[1] % len(live)].id, "lead")
            elif kind == "bundle":
                self.write(laptop, since_last=step[2])
            elif kind == "merge" and self.bundles:
                self.merge(laptop, [self.bundles[n % len(self.bundles)][1] for n in step[2]])
        except NotAllowed:
            pass  # a member editing the lead's agreed finding: the rule says no, nothing changes

    def lose(self, member: str) -> None:
        """``member``'s laptop is lost. The lead has had every bundle it sent (the team sends the
        lead everything), joins a replacement from the lead's bundle, and re-enrols its key."""
        lost = next(laptop for laptop, owner in self.owners.items() if owner == member)
        sent = [path for laptop, path in self.bundles if laptop == lost]
        if sent:
            merge_bundles(self.stores["lead"], sent, actor="lead")
        self.stores.pop(lost).close()
        del self.owners[lost]
        start = self.write("lead")
        replacement = f"{member}-new"
        init_from_bundle(self.folder / f"{replacement}.db", start, me=member)
        self.stores[replacement] = Store.open(self.folder / f"{replacement}.db")
        self.owners[replacement] = member
        merge_bundles(self.stores["lead"], [self.write(replacement)], actor="lead", reenrol=(member,))

    def state(self, laptop: str) -> dict[str, list[str]]:
        """Every merged table, the signed log and the roster; merge audit entries aside (each
        laptop's own travel only in its next bundle, and are signed then)."""
        out = {}
        with self.stores[laptop].read() as db:
            for name in [*(t.name for t in TABLES), "tombstones", "signed_log", "roster_keys"]:
                rows = [row for row in db.query(f"SELECT * FROM {name}") if row.get("action") != "merge"]
                if name == "signed_log":
                    merged = {row["id"] for row in db.query("SELECT id FROM audit WHERE action = 'merge'")}
                    rows = [row for row in rows if row["row_key"] not in merged]
                out[name] = sorted(json.dumps(row, sort_keys=True) for row in rows)
        return out

    def assert_converged_and_verified(self) -> None:
        """Every laptop holds the same review, and each passes ``peerreview verify``."""
        first, *others = sorted(self.stores)
        for laptop in others:
            assert self.state(laptop) == self.state(first), laptop
        for laptop, store in self.stores.items():
            verified = verify_review(store, self.owners[laptop])
            assert verified.ok, (laptop, verified.describe())

    def close(self) -> None:
        for store in self.stores.values():
            store.close()


@settings(max_examples=examples(4), deadline=None)  # ~2 s an example: three laptops, a dozen bundles
@given(script=st.lists(STEPS, min_size=3, max_size=8), data=st.data())
def test_honest_laptops_converge_and_verify_with_a_laptop_replaced(
    forgery: Forgery, script: list[tuple[Any, ...]], data: st.DataObject
) -> None:
    """Random edits and exchanges on three laptops, one member's laptop lost and replaced
    (re-enrolled by the lead) somewhere among them; then everyone sends everyone a full bundle,
    merged in any order, and one more round of changes since: every laptop holds the same review and the same signed work, and
    ``peerreview verify`` passes on each."""
    lost_at = data.draw(st.integers(0, len(script)), label="lost after step")
    lost = data.draw(st.sampled_from(MEMBERS), label="lost laptop's owner")
    with tempfile.TemporaryDirectory() as tmp:
        team = Honest(forgery.week, Path(tmp))
        try:
            for n, step in enumerate(script):
                if n == lost_at:
                    team.lose(lost)
                team.step(step)
            if lost_at == len(script):
                team.lose(lost)
            finals = [team.write(laptop) for laptop in sorted(team.stores)]
            for laptop in sorted(team.stores):
                order = data.draw(st.permutations(finals), label="order")
                merge_bundles(team.stores[laptop], order, actor=team.owners[laptop])
            again = [team.write(laptop, since_last=True) for laptop in sorted(team.stores)]
            for laptop in sorted(team.stores):
                merge_bundles(team.stores[laptop], again, actor=team.owners[laptop])
            team.assert_converged_and_verified()
        finally:
            team.close()


def test_a_colleague_who_had_the_lost_laptops_last_bundle_is_not_shut_out(
    forgery: Forgery, tmp_path: Path
) -> None:
    """officer1's laptop is lost after health merged its last bundle but before the lead did: the
    lead's re-enrolment retires the old key before entries health holds. Health's laptop says
    they wait for the lead; the lead refuses health's bundle, saying so, then keeps them; health
    takes the raised retirement from the lead's next bundle, and everyone converges."""
    team = Honest(forgery.week, tmp_path)
    try:
        notes.save_note(
            team.stores["officer1"], "mon-0930-dcs", "officer1", "+ typed before the loss #practice\n"
        )
        merge_bundles(team.stores["health"], [team.write("officer1")], actor="health")  # the lead not
        team.bundles.clear()  # the laptop was lost before the lead had it
        team.lose("officer1")
        merge_bundles(team.stores["health"], [team.write("lead")], actor="health")
        waiting = verify_review(team.stores["health"], "health")
        assert not waiting.ok and not waiting.problems, waiting.describe()
        assert waiting.describe().startswith(
            "Nothing here is forged, but some signed work waits for the lead"
        )
        assert "Priya Natarajan's lost laptop's key" in waiting.waiting[0]
        assert "send your next bundle to the lead (Helen Marchbank)" in waiting.waiting[0]

        from_health = team.write("health")
        before = team.state("lead")
        with pytest.raises(LostWorkHeld) as held:
            merge_bundles(team.stores["lead"], [from_health], actor="lead")
        message = str(held.value)
        assert team.state("lead") == before
        assert held.value.can_keep and held.value.reviewers == ["officer1"]
        assert (
            "Priya Natarajan's lost laptop's key signed" in message and "after the lead retired it" in message
        )
        assert f"'peerreview merge --keep-lost-work officer1 {from_health.name}'" in message
        assert "ask Angela Osei, whose laptop took them in" in message and "\n" not in message

        kept = merge_bundles(team.stores["lead"], [from_health], actor="lead", keep_lost_work=("officer1",))
        assert [raised.reviewer_id for raised, _ in kept.kept] == ["officer1"]
        with team.stores["lead"].read() as db:
            audited = list(
                db.query("SELECT actor, changes FROM audit WHERE action = 'keep lost laptop''s work'")
            )
        assert [row["actor"] for row in audited] == ["lead"]
        merge_bundles(team.stores["health"], [team.write("lead")], actor="health")
        assert verify_review(team.stores["health"], "health").ok

        finals = [team.write(laptop) for laptop in sorted(team.stores)]
        for laptop in sorted(team.stores):
            merge_bundles(team.stores[laptop], finals, actor=team.owners[laptop])
        team.assert_converged_and_verified()
    finally:
        team.close()
