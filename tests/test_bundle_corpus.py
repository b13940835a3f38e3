"""Hand-edited bundles: a real bundle of the demo review, changed one way at a time as a careless
or hostile colleague might, merged into another laptop's review. Each is refused whole, with one
line that names what is wrong (table, row and field, or what the bundle tried), never a
traceback, and the review database is left byte for byte as it was."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from peerreview_tui.demo import example_schedule_text
from peerreview_tui.models import note_id, now
from peerreview_tui.store import Store, enquiry, follow_ups, notes, tagging, week
from peerreview_tui.sync import SyncError, merge_bundles, write_bundle
from peerreview_tui.sync.bundle import read_bundle
from peerreview_tui.sync.rows import RowProblem, check_rows, latest_stamp
from peerreview_tui.sync.tables import BY_NAME, TABLES

from .team_keys import share_team_keys

REVIEW = "northborough-2012"
# Columns holding JSON, and a well-formed value of the wrong shape for each.
JSON_COLUMNS = {
    ("review", "letter"): '["a list"]',
    ("focus_areas", "lines_of_enquiry"): '{"not": "a list"}',
    ("sessions", "reviewers"): "[1, 2]",
    ("sessions", "focus_areas"): '"practice"',
    ("sessions", "participants"): '[{"who": "a stranger"}]',
    ("sessions", "prompts"): "[null]",
    ("notes", "attendance"): '[{"present": "perhaps"}]',
    ("evidence", "focus_areas"): '{"practice": true}',
    ("evidence", "data"): "[1, 2, 3]",
    ("evidence", "lines_of_enquiry"): '["practice"]',
    ("audit", "changes"): '"changed"',
    ("conflicts", "loser"): "[]",
    ("tombstones", "row"): '{"id": 1}',
}
ENUMS = [
    ("sessions", "kind"),
    ("sessions", "origin"),
    ("sessions", "status"),
    ("evidence", "kind"),
    ("evidence", "source_kind"),
    ("findings", "section"),
    ("findings", "status"),
    ("conflicts", "table_name"),
    ("conflicts", "resolution"),
    ("tombstones", "table_name"),
]
NAMED = [table.name for table in TABLES] + ["tombstones"]


@dataclass
class Made:
    """The bundle every case starts from, the review it is merged into, and what they hold."""

    folder: Path
    bundle: Path
    target: Path
    target_bytes: bytes
    first: dict[str, dict[str, Any]] = field(default_factory=dict)  # table -> its first row in the bundle
    declared: dict[str, list[tuple[str, str, bool]]] = field(default_factory=dict)  # (column, type, not null)


@pytest.fixture(scope="module")
def made(demo_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Made:
    """A full bundle of the demo review from the lead's laptop, holding a row of every table (a
    deleted session, a conflict), and a colleague's laptop that holds the demo review."""
    folder = tmp_path_factory.mktemp("corpus")
    target, lead, tablet = folder / "target.db", folder / "lead.db", folder / "tablet.db"
    for path in (target, lead, tablet):
        shutil.copy(demo_file, path)
    with Store.open(lead) as store, Store.open(tablet) as other, Store.open(target) as colleague:
        share_team_keys(store, other, colleague)  # one team, each laptop's keys enrolled by the lead
        # a conflict: the same note typed differently on two laptops
        notes.save_note(store, "mon-0930-dcs", "officer1", "typed on the laptop\n")
        notes.save_note(other, "mon-0930-dcs", "officer1", "typed on the tablet\n")
        write_bundle(other, folder / "tablet.prbundle", actor="officer1")
        merge_bundles(store, [folder / "tablet.prbundle"], actor="lead")
        # a tag given by someone other than the item's author
        with store.read() as db:
            item = next(db.query("SELECT id FROM evidence WHERE focus_areas NOT LIKE '%partnership%'"))["id"]
        tagging.tag_evidence(store, item, "partnership", "lead")
        # a line of enquiry tied after the fact, and a follow-up handed out and closed
        enquiry.tie_line(store, item, "partnership.2", "lead")
        question, answer, later = follow_up_and_answer(store)
        follow_ups.assign_follow_up(store, question, owner="officer1", session_id=later, actor="lead")
        follow_ups.close_follow_up(store, question, actor="officer1", answer_id=answer)
        # a deletion: a reload drops a session nobody wrote about
        schedule = week_without(store, "mon-0830-setup")
        week.apply_schedule(store, schedule, hashlib.sha256(example_schedule_text()).hexdigest())
        bundle = folder / "lead.prbundle"
        write_bundle(store, bundle, actor="lead")
    result = Made(folder, bundle, target, target.read_bytes())
    with sqlite3.connect(bundle) as conn:
        conn.row_factory = sqlite3.Row
        for name in NAMED:
            row = conn.execute(f"SELECT * FROM {name} ORDER BY rowid LIMIT 1").fetchone()
            assert row is not None, f"the base bundle has no {name} row"
            result.first[name] = dict(row)
    with sqlite3.connect(target) as conn:
        for name in NAMED:
            result.declared[name] = [
                (column, kind, bool(notnull))
                for _, column, kind, notnull, _, _ in conn.execute(f"PRAGMA table_info({name})")
            ]
    return result


def follow_up_and_answer(store: Store) -> tuple[str, str, str]:
    """A follow-up of the first day, an item of another session, and a session of a later day
    that Priya Natarajan (officer1) attends."""
    with store.read() as db:
        question = next(
            db.query(
                "SELECT e.id, s.day FROM evidence e JOIN sessions s ON s.id = e.session_id "
                "WHERE e.kind = 'follow_up' AND e.author_id = 'officer1' ORDER BY s.day, s.start_time LIMIT 1"
            )
        )
        answer = next(db.query("SELECT id FROM evidence WHERE kind = 'strength' ORDER BY rowid DESC LIMIT 1"))
        later = next(
            db.query(
                "SELECT id FROM sessions WHERE day > ? AND 'officer1' IN (SELECT value FROM json_each(reviewers)) "
                "ORDER BY day, start_time LIMIT 1",
                [question["day"]],
            )
        )
    return question["id"], answer["id"], later["id"]


def week_without(store: Store, session_id: str) -> Any:
    from peerreview_tui.demo import example_schedule

    schedule = example_schedule().schedule
    assert any(s.id == session_id for _, s in schedule.sessions())
    days = [
        day.model_copy(update={"sessions": [s for s in day.sessions if s.id != session_id]})
        for day in schedule.days
    ]
    return schedule.model_copy(update={"days": days})


def key_of(made: Made, table: str) -> str:
    """How the first row of ``table`` is named (its key), as a message should name it."""
    row = made.first[table]
    if table == "tombstones":
        return str(row["id"])
    return BY_NAME[table].row_key(row)


# --- The cases ---------------------------------------------------------------------------------

Edit = Callable[[sqlite3.Connection], None]


@dataclass(frozen=True)
class Case:
    name: str
    edit: Edit
    expect: tuple[str, ...]  # each must appear in the message


def sql(*statements: str, params: tuple[Any, ...] = ()) -> Edit:
    def run(conn: sqlite3.Connection) -> None:
        for statement in statements:
            conn.execute(statement, params if "?" in statement else ())

    return run


def first_row(table: str) -> str:
    return f"rowid = (SELECT min(rowid) FROM {table})"


def cases(made: Made) -> list[Case]:
    found: list[Case] = []
    wrong_type = {"TEXT": "X'00ff'", "INTEGER": "'seven'", "REAL": "'high'"}
    for table in NAMED:
        key_columns = ("id",) if table == "tombstones" else BY_NAME[table].key
        for column, kind, not_null in made.declared[table]:
            # Where the key itself is broken the row is named by its place in the table.
            where = (table, column) if column in key_columns else (table, key_of(made, table), column)
            found.append(
                Case(
                    f"{table}.{column} of a wrong type",
                    sql(f"UPDATE {table} SET {column} = {wrong_type[kind]} WHERE {first_row(table)}"),
                    where,
                )
            )
            if not_null:
                found.append(
                    Case(
                        f"{table}.{column} NULL",
                        sql(f"UPDATE {table} SET {column} = NULL WHERE {first_row(table)}"),
                        where,
                    )
                )
        found.append(
            Case(
                f"{table}: a column too many",
                sql(f"ALTER TABLE {table} ADD COLUMN surprise"),
                (table, "surprise"),
            )
        )
        dropped = next(column for column, _, _ in made.declared[table] if column not in key_columns)
        found.append(
            Case(
                f"{table}: a column missing",
                sql(f"ALTER TABLE {table} DROP COLUMN {dropped}"),
                (table, dropped),
            )
        )
    for table in [*NAMED, "bundle", "versions"]:
        found.append(
            Case(
                f"{table}: a recursive view in place of the table",
                sql(
                    f"DROP TABLE {table}",
                    f"CREATE VIEW {table} AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) "
                    "SELECT n AS id FROM r",
                ),
                ("view", table),
            )
        )
    for (table, column), shape in JSON_COLUMNS.items():
        where = (table, key_of(made, table), column)
        found.append(
            Case(
                f"{table}.{column}: bad JSON",
                sql(f"UPDATE {table} SET {column} = '{{not json' WHERE {first_row(table)}"),
                where,
            )
        )
        found.append(
            Case(
                f"{table}.{column}: JSON of the wrong shape",
                sql(f"UPDATE {table} SET {column} = ? WHERE {first_row(table)}", params=(shape,)),
                where,
            )
        )
    for table, column in ENUMS:
        found.append(
            Case(
                f"{table}.{column}: an unknown value",
                sql(f"UPDATE {table} SET {column} = 'bogus' WHERE {first_row(table)}"),
                (table, key_of(made, table), column, "bogus"),
            )
        )
    for table, column in (("tombstones", "row"), ("conflicts", "loser")):
        found.append(
            Case(
                f"{table}.{column}: the row it holds has a list for its id",
                sql(
                    f"""UPDATE {table} SET {column} = json_set({column}, '$.id', json('["x"]')) WHERE {first_row(table)}"""
                ),
                (table, key_of(made, table), column, "id"),
            )
        )
    found.append(
        Case(
            "notes.body: a byte that is not UTF-8",
            sql(f"UPDATE notes SET body = CAST(X'ff41' AS TEXT) WHERE {first_row('notes')}"),
            ("notes row number 1", "body", "not UTF-8"),
        )
    )
    found += dangling(made) + spoofed_headers() + stamps(made) + objects() + ownership(made) + forged()
    return found


LAST_LOG = "rowid = (SELECT max(rowid) FROM signed_log)"
# an entry with a later one after it in the same log (which log that is depends on the keys the
# run made, so it is chosen by shape, never by position)
MIDDLE_LOG = (
    "rowid = (SELECT min(a.rowid) FROM signed_log a WHERE a.seq > 1 AND EXISTS "
    "(SELECT 1 FROM signed_log b WHERE b.public_key = a.public_key AND b.seq = a.seq + 1))"
)
# the newest entry of a log: nothing after it shows the gap, so its row is unsigned
HEAD_LOG = (
    "rowid = (SELECT min(a.rowid) FROM signed_log a WHERE a.seq > 1 AND NOT EXISTS "
    "(SELECT 1 FROM signed_log b WHERE b.public_key = a.public_key AND b.seq > a.seq))"
)


def forged() -> list[Case]:
    """Edits that keep every value well-formed and every rule of who may change what, but change
    what someone signed: refused as forged, naming it."""
    return [
        Case(
            "a note rewritten, its author's stamp kept",
            sql("UPDATE notes SET body = body || 'and more' WHERE rowid = (SELECT min(rowid) FROM notes)"),
            ("note for", "who never signed it"),
        ),
        Case(
            "a draft finding marked agreed by the lead",
            sql(
                "UPDATE findings SET status = 'agreed', agreed_by = 'lead', agreed_at = updated_at, "
                "updated_by = 'lead' WHERE rowid = (SELECT min(rowid) FROM findings WHERE status = 'draft')"
            ),
            ("the finding", "Helen Marchbank, who never signed it"),
        ),
        Case(
            "an audit entry rewritten",
            sql(
                """UPDATE audit SET changes = '{"forged": true}' WHERE rowid = (SELECT max(rowid) FROM audit)"""
            ),
            ("the audit entry", "who never signed it"),
        ),
        Case(
            "the last signature of a log changed",
            sql(f"UPDATE signed_log SET signature = '00' || substr(signature, 3) WHERE {LAST_LOG}"),
            ("signature", "does not check out"),
        ),
        Case(
            "a signed entry dropped from a log",
            sql(f"DELETE FROM signed_log WHERE {MIDDLE_LOG}"),
            ("missing", "dropped"),
        ),
        Case(
            "the newest signed entry dropped from a log",
            sql(f"DELETE FROM signed_log WHERE {HEAD_LOG}"),
            ("who never signed it",),
        ),
        Case(
            "a signed entry given to another author",
            sql(
                "UPDATE signed_log SET author = 'health' WHERE rowid = "
                "(SELECT max(rowid) FROM signed_log WHERE seq = 2 AND author != 'health')"
            ),
            ("claims to be by Angela Osei", "signed with"),
        ),
        Case(
            "a key enrolled for someone else",
            sql(
                "UPDATE roster_keys SET reviewer_id = 'health' WHERE rowid = (SELECT max(rowid) FROM roster_keys)"
            ),
            ("roster", "not signed by the lead's key"),
        ),
        Case(
            "a bundle from before signing",
            sql("UPDATE bundle SET format = 1"),
            ("earlier peerreview", "new bundle"),
        ),
    ]


def dangling(made: Made) -> list[Case]:
    """References to rows that exist in neither the bundle nor the review."""
    out = []
    refs = [
        ("sessions", "day", "'2099-01-01'"),
        ("sessions", "reviewers", """'["nobody"]'"""),
        ("sessions", "focus_areas", """'["nowhere"]'"""),
        ("evidence", "session_id", "'no-such-session'"),
        ("evidence", "note_id", "'no-such-note'"),
        ("evidence", "author_id", "'nobody'"),
        ("evidence", "focus_areas", """'["nowhere"]'"""),
        ("findings", "agreed_by", "'nobody'"),
        ("finding_evidence", "evidence_id", "'no-such-item'"),
        ("evidence_tags", "evidence_id", "'no-such-item'"),
        ("evidence_tags", "focus_area_id", "'nowhere'"),
        ("evidence_lines", "evidence_id", "'no-such-item'"),
        ("follow_ups", "owner_id", "'nobody'"),
        ("follow_ups", "assigned_by", "'nobody'"),
        ("follow_ups", "session_id", "'no-such-session'"),
        ("follow_ups", "closed_by", "'nobody'"),
        ("follow_ups", "answer_id", "'no-such-item'"),
    ]
    for table, column, value in refs:
        out.append(
            Case(
                f"{table}.{column}: a dangling reference",
                sql(f"UPDATE {table} SET {column} = {value} WHERE {first_row(table)}"),
                (table, column, "no", value.strip("'[]\"")),
            )
        )
    out.append(
        Case(
            "findings.focus_area_id: a dangling reference",
            sql("UPDATE findings SET focus_area_id = 'nowhere' WHERE focus_area_id IS NOT NULL"),
            ("findings", "focus_area_id", "nowhere"),
        )
    )
    out.append(
        Case(
            "finding_evidence.finding_id: a dangling reference",
            sql(
                f"UPDATE finding_evidence SET finding_id = 'no-such-finding' WHERE {first_row('finding_evidence')}"
            ),
            ("finding_evidence", "finding_id", "no-such-finding"),
        )
    )
    for column, value in (("session_id", "no-such-session"), ("author_id", "nobody")):
        note = made.first["notes"]
        moved = {"session_id": note["session_id"], "author_id": note["author_id"], column: value}
        out.append(
            Case(
                f"notes.{column}: a dangling reference (with its id made to match)",
                sql(
                    f"UPDATE notes SET {column} = ?, updated_by = ?, id = ? WHERE {first_row('notes')}",
                    params=(
                        value,
                        moved["author_id"],
                        note_id(REVIEW, moved["session_id"], moved["author_id"]),
                    ),
                ),
                ("notes", column, value),
            )
        )
    out.append(
        Case(
            "notes.id: not the id of its session and author",
            sql(f"UPDATE notes SET id = 'f00dfeed-0000-4000-8000-000000000000' WHERE {first_row('notes')}"),
            ("notes", "f00dfeed-0000-4000-8000-000000000000", "id"),
        )
    )
    return out


def spoofed_headers() -> list[Case]:
    return [
        Case(
            "header: a review id that is a path",
            sql(
                "UPDATE bundle SET review_id = '../escaped/x'",
                "UPDATE review SET id = '../escaped/x'",
            ),
            ("header", "review_id", "../escaped/x", "not an id"),
        ),
        Case(
            "header: another review than its rows",
            sql("UPDATE bundle SET review_id = 'southmoor-2013'"),
            ("header", "review_id", "southmoor-2013", REVIEW),
        ),
        Case(
            "header: two headers",
            sql("INSERT INTO bundle SELECT * FROM bundle"),
            ("header",),
        ),
        Case(
            "header: no header",
            sql("DELETE FROM bundle"),
            ("header",),
        ),
        Case(
            "header: a sender who is no reviewer",
            sql("UPDATE bundle SET sender = 'mallory'"),
            ("header", "sender", "mallory"),
        ),
        Case(
            "header: a creation time that is no time",
            sql("UPDATE bundle SET created_at = 'yesterday'"),
            ("header", "created_at", "yesterday"),
        ),
        Case(
            "header: a format that is no number",
            sql("UPDATE bundle SET format = 'one'"),
            ("header", "format"),
        ),
        Case(
            "versions: a hash that is no hash",
            sql("UPDATE versions SET hash = 42 WHERE rowid = 1"),
            ("versions", "hash"),
        ),
    ]


def stamps(made: Made) -> list[Case]:
    notes_key, findings_key = key_of(made, "notes"), key_of(made, "findings")
    return [
        Case(
            "notes.updated_at: an integer stamp",
            sql(f"UPDATE notes SET updated_at = 1347264000 WHERE {first_row('notes')}"),
            ("notes", notes_key, "updated_at"),
        ),
        Case(
            "findings.updated_at: a stamp that is no time",
            sql(f"UPDATE findings SET updated_at = 'yesterday' WHERE {first_row('findings')}"),
            ("findings", findings_key, "updated_at"),
        ),
        Case(
            "findings.position: a text position",
            sql(f"UPDATE findings SET position = 'top' WHERE {first_row('findings')}"),
            ("findings", findings_key, "position"),
        ),
        Case(
            "days.id: not a date",
            sql("UPDATE days SET id = 'monday' WHERE rowid = (SELECT min(rowid) FROM days)"),
            ("days", "monday", "id"),
        ),
        Case(
            "sessions.start_time: not a time",
            sql(f"UPDATE sessions SET start_time = '25:99' WHERE {first_row('sessions')}"),
            ("sessions", key_of(made, "sessions"), "start_time"),
        ),
        Case(
            "sessions.kind: unknown",
            sql(f"UPDATE sessions SET kind = 'party' WHERE {first_row('sessions')}"),
            ("sessions", key_of(made, "sessions"), "kind", "party"),
        ),
    ]


def objects() -> list[Case]:
    return [
        Case(
            "a trigger",
            sql("CREATE TRIGGER boom AFTER INSERT ON notes BEGIN DELETE FROM notes; END"),
            ("trigger", "boom"),
        ),
        Case("an index", sql("CREATE INDEX notes_by_body ON notes(body)"), ("index", "notes_by_body")),
        Case("an unknown table", sql("CREATE TABLE meta (key, value)"), ("table", "meta")),
        Case("a table missing", sql("DROP TABLE notes"), ("notes",)),
        Case(
            "a computed column",
            sql("ALTER TABLE notes ADD COLUMN computed AS (zeroblob(1000000)) VIRTUAL"),
            ("notes", "computed"),
        ),
    ]


def ownership(made: Made) -> list[Case]:
    later = now()  # newer than every version in the review: the edited row would win
    stamp = f"updated_by = 'member', updated_at = '{later}'"
    return [
        Case(
            "is_lead moved to a member",
            sql(f"UPDATE reviewers SET is_lead = (id = 'member'), {stamp}"),
            ("who leads the review", "Councillor Brian Oakes", "schedule file", "peerreview reload"),
        ),
        Case(
            "a reviewer's name changed",
            sql(f"UPDATE reviewers SET name = 'Priya N.', {stamp} WHERE id = 'officer1'"),
            ("reviewers", "Priya Natarajan", "schedule file"),
        ),
        Case(
            "the letter's addressee replaced",
            sql(f"UPDATE review SET letter = json_set(letter, '$.addressee', 'Mallory Smith'), {stamp}"),
            ("review", "letter", "schedule file"),
        ),
        Case(
            "a day renamed",
            sql(f"UPDATE days SET title = 'Forged', {stamp} WHERE rowid = 1"),
            ("days", "schedule file"),
        ),
        Case(
            "a focus area retitled",
            sql(f"UPDATE focus_areas SET title = 'Forged', {stamp} WHERE rowid = 1"),
            ("focus", "schedule file"),
        ),
        Case(
            "a draft finding made agreed by a member",
            sql(
                f"UPDATE findings SET status = 'agreed', agreed_by = 'lead', agreed_at = '{later}', {stamp} "
                "WHERE id = (SELECT id FROM findings WHERE status = 'draft' ORDER BY rowid LIMIT 1)"
            ),
            ("agreed", "Councillor Brian Oakes", "Helen Marchbank"),
        ),
        Case(
            "a finding agreed in a member's name",
            sql(
                f"UPDATE findings SET status = 'agreed', agreed_by = 'member', agreed_at = '{later}', {stamp} "
                "WHERE id = (SELECT id FROM findings WHERE status = 'draft' ORDER BY rowid LIMIT 1)"
            ),
            ("agreed", "Councillor Brian Oakes", "Helen Marchbank"),
        ),
        Case(
            "a quote chosen for the letter by a member",
            sql(f"UPDATE finding_evidence SET quote_chosen = 1, {stamp} WHERE rowid = 1"),
            ("quote", "Councillor Brian Oakes", "Helen Marchbank"),
        ),
        Case(
            "another reviewer's note replaced",
            sql(
                f"UPDATE notes SET body = 'forged', {stamp} "
                "WHERE id = (SELECT id FROM notes WHERE author_id = 'officer2' ORDER BY rowid LIMIT 1)"
            ),
            ("David Fenwick-Hale", "Councillor Brian Oakes", "only they can write in it"),
        ),
        Case(
            "a conflict over another reviewer's note settled by a member",
            sql(
                f"UPDATE conflicts SET resolution = 'winner', resolved_by = 'member', resolved_at = '{later}', {stamp}"
            ),
            ("conflict", "Councillor Brian Oakes", "Priya Natarajan"),
        ),
        Case(
            "a follow-up handed out by a member who did not raise it",
            sql(f"UPDATE follow_ups SET owner_id = 'member', assigned_by = 'member', {stamp}"),
            ("hands out", "follow-up", "Councillor Brian Oakes", "Priya Natarajan"),
        ),
        Case(
            "a follow-up closed by a member who does not own it",
            sql(f"UPDATE follow_ups SET closed_by = 'member', closed_at = '{later}', {stamp}"),
            ("closes", "follow-up", "Councillor Brian Oakes", "handed to Priya Natarajan"),
        ),
        Case(
            "a follow-up answered by itself",
            sql("UPDATE follow_ups SET answer_id = evidence_id"),
            ("follow_ups", "answer_id", "itself"),
        ),
        Case(
            "a line of enquiry that is no line",
            sql("UPDATE evidence_lines SET line_id = 'practice'"),
            ("evidence_lines", "line_id", "not a line of enquiry"),
        ),
        Case(
            "an audit entry rewritten",
            sql("UPDATE audit SET changes = '{}' WHERE rowid = 1"),
            ("audit", "written once"),
        ),
    ]


@pytest.fixture(scope="module")
def corpus(made: Made) -> list[Case]:
    return cases(made)


def refuse(made: Made, case: Case, tmp_path: Path) -> str:
    """Apply ``case`` to a copy of the bundle, merge it into a copy of the review: the message."""
    bundle = tmp_path / f"{hashlib.sha1(case.name.encode()).hexdigest()[:10]}.prbundle"
    shutil.copy(made.bundle, bundle)
    with sqlite3.connect(bundle) as conn:
        case.edit(conn)
    db = tmp_path / f"{bundle.stem}.db"
    shutil.copy(made.target, db)
    with Store.open(db) as store, pytest.raises(SyncError) as refused:
        merge_bundles(store, [bundle], actor="officer1")
    assert db.read_bytes() == made.target_bytes, f"{case.name}: the review database changed"
    message = str(refused.value)
    assert "\n" not in message and "Traceback" not in message
    return message


def test_the_untouched_bundle_merges(made: Made, tmp_path: Path) -> None:
    """The corpus starts from a bundle that merges: each case is refused for its one change."""
    db = tmp_path / "plain.db"
    shutil.copy(made.target, db)
    with Store.open(db) as store:
        summary = merge_bundles(store, [made.bundle], actor="officer1")
    assert summary.total("notes").changed == 1 and summary.total("sessions").changed == 0
    with Store.open(db) as store, store.read() as sql_db:
        assert next(sql_db.query("SELECT count(*) AS n FROM conflicts"))["n"] == 1
        assert next(sql_db.query("SELECT count(*) AS n FROM tombstones"))["n"] == 1


def test_every_hand_edited_bundle_is_refused_with_its_own_message(
    made: Made, corpus: list[Case], tmp_path: Path
) -> None:
    assert len(corpus) > 150
    failures, messages = [], {}
    for case in corpus:
        try:
            message = refuse(made, case, tmp_path)
        except BaseException as error:
            if isinstance(error, KeyboardInterrupt):
                raise
            failures.append(f"{case.name}: {type(error).__name__}: {error}")
            continue
        missing = [part for part in case.expect if part.lower() not in message.lower()]
        if missing:
            failures.append(f"{case.name}: {message!r} does not name {missing}")
        messages.setdefault(message, []).append(case.name)
    assert not failures, "\n".join(failures)
    alike = {message: names for message, names in messages.items() if len(names) > 1}
    assert not alike, json.dumps(alike, indent=1)


def test_stamps_checked_against_a_clock(made: Made, tmp_path: Path) -> None:
    """A version stamped years ahead would win every merge for ever: refused, naming the row."""
    far = Case(
        "a stamp years ahead",
        sql(
            f"UPDATE sessions SET location = 'Moved', updated_at = '2999-01-01T00:00:00.000000Z' WHERE {first_row('sessions')}"
        ),
        ("sessions", key_of(made, "sessions"), "updated_at", "future"),
    )
    message = refuse(made, far, tmp_path)
    assert all(part.lower() in message.lower() for part in far.expect), message
    assert now() < "2999"


def test_a_value_of_the_wrong_type_is_found_among_equal_ones(made: Made) -> None:
    """Rows are checked a column at a time, each distinct value once: 2.0 beside a 2 (equal in a
    set) is still checked, and refused as the row-by-row check words it."""
    rows = [dict(row) for row in read_bundle(made.bundle).rows["reviewers"]]
    rows[1]["position"] = float(rows[0]["position"])
    with pytest.raises(RowProblem) as found:
        check_rows("reviewers", rows, review_id=REVIEW, latest=latest_stamp())
    assert str(found.value) == (
        f"reviewers row '{rows[1]['id']}', field position: the number {rows[1]['position']}, not a whole number"
    )
