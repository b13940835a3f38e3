"""Signed work, as properties: hypothesis chooses what a forger changes in a real bundle (a byte
of any signed row, an older version put back, an entry dropped from any log, an audit entry, a
finding agreed without the lead's key), and every choice is refused whole, naming what was
forged, with the receiving laptop's database left as it was; and honest laptops that edit,
exchange in any order and replace a lost laptop all converge and pass ``peerreview verify``.

The week is built once for the module (a few seconds); each example works on copies of its
files."""

from __future__ import annotations

import shutil
import sqlite3
import struct
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peerreview_tui.models import FindingSection
from peerreview_tui.schedule import parse_schedule
from peerreview_tui.store import Store, findings, follow_ups, notes, tagging, week
from peerreview_tui.store.evidence_items import list_evidence
from peerreview_tui.sync import SyncError, init_from_bundle, merge_bundles, read_bundle
from peerreview_tui.sync.seal import author_of, key_of, stamp_of, unsigned_on_purpose
from peerreview_tui.sync.tables import BY_NAME, TABLES, row_hash

from .conftest import EXAMPLE
from .signed_team import Team

MEMBERS = ("officer1", "health")  # the two reviewers on laptops of their own, besides the lead
NAMES = {"lead": "Helen Marchbank", "officer1": "Priya Natarajan", "health": "Angela Osei"}
FINAL = ("lead-3", "officer1-3", "health-3")  # each laptop's full bundle after the week
TARGETS = ("behind", "new")  # a colleague who has heard nothing since round 1; a laptop joining
FAST = settings(max_examples=20, deadline=None)


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


@dataclass
class Forgery:
    """The week, and what forgers choose from in it."""

    week: Week
    signed: dict[str, list[SignedRow]]  # bundle -> its signed rows
    replays: dict[str, list[Replay]]  # bundle -> older versions of its rows
    held_behind: set[tuple[str, int]]  # the (key, seq) of the entries the behind laptop holds

    def __repr__(self) -> str:  # hypothesis shows the test's arguments: not every row
        return f"Forgery({self.week.folder})"


OWNER = {"behind": "member", "lead": "lead", "officer1": "officer1", "health": "health"}


@pytest.fixture(scope="module")
def forgery(tmp_path_factory: pytest.TempPathFactory) -> Forgery:
    made = build_week(tmp_path_factory.mktemp("signed-week"))
    with sqlite3.connect(made.behind) as conn:
        held = {(key, seq) for key, seq in conn.execute("SELECT public_key, seq FROM signed_log")}
    conn.close()
    return Forgery(made, {name: signed_rows(made.bundles[name]) for name in FINAL}, replays(made), held)


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
    """Each forgery below starts from one of these, so each is refused for its one change."""
    for name in FINAL:
        for target in ("behind", "lead"):
            db = copy_of(
                forgery.week.behind if target == "behind" else forgery.week.laptops["lead"], tmp_path, "t.db"
            )
            with Store.open(db) as store:
                merge_bundles(store, [forgery.week.bundles[name]], actor=OWNER[target])
        init_from_bundle(tmp_path / f"{name}.db", forgery.week.bundles[name], me="member")


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
        entries = conn.execute(
            "SELECT rowid, public_key, seq, author FROM signed_log ORDER BY rowid"
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
