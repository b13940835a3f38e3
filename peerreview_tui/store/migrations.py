"""Schema, as ordered upgrade steps; ``PRAGMA user_version`` says how many have run.

Append a step to change the schema; never edit one that has shipped. Every row that can travel
between laptops has a text id (schedule ids or UUIDs), who created and last changed it, and
when (ISO 8601 UTC), so ``sync`` can merge by id.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .connection import APPLICATION_ID, Connection, StoreError

if TYPE_CHECKING:
    from sqlite_utils import Database

_STAMPS = """
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
"""

_V1 = f"""
-- Settings of this laptop (who uses it, theme...). Never merged.
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE review (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    council TEXT NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    letter TEXT,                      -- JSON: addressee, position, address, salutation
    schedule_sha256 TEXT NOT NULL,    -- of the schedule file last loaded
    {_STAMPS}
);

CREATE TABLE focus_areas (
    id TEXT PRIMARY KEY,              -- also the #tag typed in notes
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    lines_of_enquiry TEXT NOT NULL DEFAULT '[]',
    retired INTEGER NOT NULL DEFAULT 0,  -- gone from the schedule file, kept for its evidence
    {_STAMPS}
);

CREATE TABLE reviewers (
    id TEXT PRIMARY KEY,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    organisation TEXT NOT NULL DEFAULT '',
    is_lead INTEGER NOT NULL DEFAULT 0,
    retired INTEGER NOT NULL DEFAULT 0,
    {_STAMPS}
);

CREATE TABLE days (
    id TEXT PRIMARY KEY,              -- the date, YYYY-MM-DD
    title TEXT NOT NULL DEFAULT '',
    retired INTEGER NOT NULL DEFAULT 0,
    {_STAMPS}
);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    day TEXT NOT NULL REFERENCES days(id),
    start_time TEXT NOT NULL,         -- HH:MM
    end_time TEXT NOT NULL,
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    location TEXT NOT NULL DEFAULT '',
    reviewers TEXT NOT NULL DEFAULT '[]',     -- JSON list of reviewer ids
    focus_areas TEXT NOT NULL DEFAULT '[]',   -- JSON list of focus area ids
    participants TEXT NOT NULL DEFAULT '[]',  -- JSON list of {{role, organisation, name, count}}
    prompts TEXT NOT NULL DEFAULT '[]',
    origin TEXT NOT NULL DEFAULT 'schedule' CHECK (origin IN ('schedule', 'onsite')),
    status TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'done', 'cancelled')),
    removed_at TEXT,                  -- set when a reload no longer lists it
    {_STAMPS}
);
CREATE INDEX sessions_day ON sessions(day, start_time);

-- One note per reviewer per session; its id is derived from both, the same on every laptop.
CREATE TABLE notes (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions(id),
    author_id TEXT NOT NULL REFERENCES reviewers(id),
    body TEXT NOT NULL DEFAULT '',
    attendance TEXT NOT NULL DEFAULT '[]',    -- JSON list of {{role, organisation, present, extra}}
    {_STAMPS}
);
CREATE UNIQUE INDEX notes_session_author ON notes(session_id, author_id);

-- A marked note line, or another source: performance data, questionnaire, document.
CREATE TABLE evidence (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,               -- strength, development, follow_up, quote, observation
    source_kind TEXT NOT NULL,        -- interview, focus_group, ..., performance_data, document
    text TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    focus_areas TEXT NOT NULL DEFAULT '[]',
    session_id TEXT REFERENCES sessions(id),
    note_id TEXT REFERENCES notes(id),
    line_no INTEGER,
    author_id TEXT NOT NULL,
    detached INTEGER NOT NULL DEFAULT 0,  -- its note line is gone; kept for the findings citing it
    data TEXT NOT NULL DEFAULT '{{}}',    -- JSON: indicator values, questionnaire counts...
    {_STAMPS}
);
CREATE INDEX evidence_note ON evidence(note_id);
CREATE INDEX evidence_session ON evidence(session_id);

CREATE TABLE findings (
    id TEXT PRIMARY KEY,
    section TEXT NOT NULL CHECK (section IN ('strength', 'development', 'key_message', 'recommendation')),
    focus_area_id TEXT REFERENCES focus_areas(id),
    position REAL NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'agreed')),
    agreed_by TEXT,
    agreed_at TEXT,
    deleted_at TEXT,                  -- a tombstone, so a deletion merges like any change
    {_STAMPS}
);

CREATE TABLE finding_evidence (
    finding_id TEXT NOT NULL REFERENCES findings(id),
    evidence_id TEXT NOT NULL REFERENCES evidence(id),
    quote_chosen INTEGER NOT NULL DEFAULT 0,  -- the lead chose this quote for the letter
    deleted_at TEXT,
    {_STAMPS},
    PRIMARY KEY (finding_id, evidence_id)
);

-- Who changed what and when. Holds field names and finding wording, never note text.
CREATE TABLE audit (
    id TEXT PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    table_name TEXT NOT NULL,
    row_id TEXT NOT NULL,
    action TEXT NOT NULL,
    changes TEXT NOT NULL DEFAULT '{{}}'
);
CREATE INDEX audit_row ON audit(table_name, row_id);

-- Full-text search over notes, kept in step by triggers.
CREATE VIRTUAL TABLE notes_fts USING fts5(
    body, note_id UNINDEXED, tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER notes_fts_insert AFTER INSERT ON notes BEGIN
    INSERT INTO notes_fts (body, note_id) VALUES (new.body, new.id);
END;
CREATE TRIGGER notes_fts_update AFTER UPDATE OF body ON notes BEGIN
    UPDATE notes_fts SET body = new.body WHERE note_id = old.id;
END;
CREATE TRIGGER notes_fts_delete AFTER DELETE ON notes BEGIN
    DELETE FROM notes_fts WHERE note_id = old.id;
END;
"""


def _v1(db: Database) -> None:
    db.executescript(_V1)


# Sessions (dropped by a schedule reload) and evidence items (a marked line deleted) are the
# rows deleted outright; a trigger keeps a tombstone of each, so the deletion travels in
# bundles like any change. While a merge applies someone else's deletion it sets the meta key
# 'sync.merging', and no tombstone of our own is written. A column added to either table
# must be added to its json_object here too (in a new step).
_SESSION_COLUMNS = (
    "id day start_time end_time title kind location reviewers focus_areas participants prompts origin "
    "status removed_at created_by created_at updated_by updated_at"
).split()
_EVIDENCE_COLUMNS = (
    "id kind source_kind text title focus_areas session_id note_id line_no author_id detached data "
    "created_by created_at updated_by updated_at"
).split()


def _tombstone_trigger(table: str, columns: list[str]) -> str:
    row = ", ".join(f"'{column}', old.{column}" for column in columns)
    return f"""
CREATE TRIGGER {table}_tombstone AFTER DELETE ON {table}
WHEN NOT EXISTS (SELECT 1 FROM meta WHERE key = 'sync.merging')
BEGIN
    INSERT INTO tombstones (id, table_name, row_id, row, deleted_by, deleted_at) VALUES (
        '{table}/' || old.id, '{table}', old.id, json_object({row}),
        coalesce((SELECT value FROM meta WHERE key = 'me'), old.updated_by),
        -- never before the row's own stamp, so the deletion wins over the version it removed
        max(strftime('%Y-%m-%dT%H:%M:%f', 'now') || '000Z', old.updated_at)
    )
    ON CONFLICT (id) DO UPDATE SET row = excluded.row, deleted_by = excluded.deleted_by,
        deleted_at = excluded.deleted_at
    WHERE excluded.deleted_at > tombstones.deleted_at;
END;
"""


_V2 = f"""
-- A row deleted outright, kept so the deletion merges (see above).
CREATE TABLE tombstones (
    id TEXT PRIMARY KEY,              -- table_name/row_id
    table_name TEXT NOT NULL,
    row_id TEXT NOT NULL,
    row TEXT NOT NULL,                -- JSON: the row as it was deleted
    deleted_by TEXT NOT NULL,
    deleted_at TEXT NOT NULL
);
{_tombstone_trigger("sessions", _SESSION_COLUMNS)}
{_tombstone_trigger("evidence", _EVIDENCE_COLUMNS)}

-- A version of a row that lost a merge to another laptop's concurrent change: kept for the
-- lead to look at. Merges between laptops like any row.
CREATE TABLE conflicts (
    id TEXT PRIMARY KEY,              -- derived from table, row and the losing version
    table_name TEXT NOT NULL,
    row_id TEXT NOT NULL,
    loser TEXT NOT NULL,              -- JSON: the losing row
    winner_updated_by TEXT NOT NULL,
    winner_updated_at TEXT NOT NULL,
    resolution TEXT CHECK (resolution IN ('winner', 'loser')),
    resolved_by TEXT,
    resolved_at TEXT,
    {_STAMPS}
);
CREATE INDEX conflicts_row ON conflicts(table_name, row_id);

-- Local to this laptop, never merged: every version of a row this laptop has known (its own
-- sent in a bundle, others' merged in), by hash. Tells a concurrent change from a later one.
CREATE TABLE sync_versions (
    table_name TEXT NOT NULL,
    row_key TEXT NOT NULL,
    hash TEXT NOT NULL,
    learned_at TEXT NOT NULL,
    PRIMARY KEY (table_name, row_key, hash)
) WITHOUT ROWID;

-- Local: the bundles this laptop wrote and merged.
CREATE TABLE bundles (
    id TEXT NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('sent', 'received')),
    sender TEXT NOT NULL,
    created_at TEXT NOT NULL,
    since TEXT,                       -- only changes after this time; NULL: everything
    file_name TEXT NOT NULL,
    counts TEXT NOT NULL DEFAULT '{{}}',
    at TEXT NOT NULL,                 -- when it was written or merged here
    PRIMARY KEY (id, direction)
);
"""


def _v2(db: Database) -> None:
    db.executescript(_V2)


_V3 = f"""
-- A focus area given to an evidence item after the fact (the coverage screen's tag): a row of
-- its own, owned by whoever tagged, so tagging never edits another reviewer's note and merges
-- without touching the item. Untagging is a tombstone (deleted_at), as for finding links.
CREATE TABLE evidence_tags (
    evidence_id TEXT NOT NULL REFERENCES evidence(id),
    focus_area_id TEXT NOT NULL,
    deleted_at TEXT,
    {_STAMPS},
    PRIMARY KEY (evidence_id, focus_area_id)
);
"""


def _v3(db: Database) -> None:
    db.executescript(_V3)


_V4 = f"""
-- How many case files a case-file-audit session audited (the schedule's `cases:`), for the
-- letter's method ("audited 14 case files"); NULL where the schedule does not say.
ALTER TABLE sessions ADD COLUMN cases INTEGER;
-- The presentation's settings from the schedule file (its next steps), as JSON.
ALTER TABLE review ADD COLUMN presentation TEXT;
-- The session tombstone keeps the new column too.
DROP TRIGGER sessions_tombstone;
{_tombstone_trigger("sessions", [*_SESSION_COLUMNS, "cases"])}
"""


def _v4(db: Database) -> None:
    db.executescript(_V4)


_V5 = f"""
-- The key lines of enquiry an evidence item speaks to ("practice.2": the focus area's id and the
-- line's number in the schedule), from its author's `#practice.2` marks: JSON, like focus_areas.
ALTER TABLE evidence ADD COLUMN lines_of_enquiry TEXT NOT NULL DEFAULT '[]';
DROP TRIGGER evidence_tombstone;
{_tombstone_trigger("evidence", [*_EVIDENCE_COLUMNS, "lines_of_enquiry"])}
-- Copies of evidence rows kept by sync gain the column too, so they read as rows of today's shape.
UPDATE tombstones SET row = json_set(row, '$.lines_of_enquiry', '[]')
WHERE table_name = 'evidence' AND json_type(row, '$.lines_of_enquiry') IS NULL;
UPDATE conflicts SET loser = json_set(loser, '$.lines_of_enquiry', '[]')
WHERE table_name = 'evidence' AND json_type(loser, '$.lines_of_enquiry') IS NULL;

-- A line of enquiry given to an evidence item after the fact (coverage, wash-up): a row of its
-- own, owned by whoever tied it, like evidence_tags; untying is a tombstone (deleted_at).
CREATE TABLE evidence_lines (
    evidence_id TEXT NOT NULL REFERENCES evidence(id),
    line_id TEXT NOT NULL,            -- "practice.2"
    deleted_at TEXT,
    {_STAMPS},
    PRIMARY KEY (evidence_id, line_id)
);

-- What became of a follow-up (a `?` item): who will ask (owner), in which later session, and
-- whether it is closed, with the evidence item that answered it. One row per follow-up, keyed
-- by its item; no note text here (the question is the item's own text).
CREATE TABLE follow_ups (
    evidence_id TEXT PRIMARY KEY REFERENCES evidence(id),
    owner_id TEXT REFERENCES reviewers(id),
    session_id TEXT REFERENCES sessions(id),
    assigned_by TEXT REFERENCES reviewers(id),  -- who handed it out (a bundle says who did each)
    closed_at TEXT,
    closed_by TEXT REFERENCES reviewers(id),
    answer_id TEXT REFERENCES evidence(id),
    {_STAMPS}
);
CREATE INDEX follow_ups_session ON follow_ups(session_id);
"""


def _v5(db: Database) -> None:
    db.executescript(_V5)


_V6 = """
-- Signed work (``peerreview_tui.signing``). Local to this laptop: the private keys of the
-- reviewers who work on it (encrypted with the database when it is).
CREATE TABLE signing_keys (
    reviewer_id TEXT PRIMARY KEY,
    private_key BLOB NOT NULL,
    public_key TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
-- The roster: which key is whose, each enrolment signed by the lead's key (pinned in meta
-- 'signing.lead_key'). Travels in bundles as it is.
CREATE TABLE roster_keys (
    public_key TEXT PRIMARY KEY,
    reviewer_id TEXT NOT NULL,
    enrolled_at TEXT NOT NULL,
    lead_key TEXT NOT NULL,
    retired_after INTEGER,
    signature TEXT NOT NULL
);
-- Every signed row version this laptop holds, per key a hash chain (seq 1, 2, ...; prev is
-- the previous entry's hash). Travels in bundles whole; never edited.
CREATE TABLE signed_log (
    public_key TEXT NOT NULL,
    seq INTEGER NOT NULL,
    prev TEXT NOT NULL,
    table_name TEXT NOT NULL,
    row_key TEXT NOT NULL,
    hash TEXT NOT NULL,
    stamp TEXT NOT NULL,
    author TEXT NOT NULL,
    signature TEXT NOT NULL,
    PRIMARY KEY (public_key, seq)
) WITHOUT ROWID;
CREATE INDEX signed_log_version ON signed_log(table_name, row_key, hash);
CREATE TRIGGER signed_log_append_only BEFORE UPDATE ON signed_log BEGIN
    SELECT RAISE(ABORT, 'signed log entries are never changed');
END;
CREATE TRIGGER signed_log_never_deleted BEFORE DELETE ON signed_log BEGIN
    SELECT RAISE(ABORT, 'signed log entries are never deleted');
END;
"""


def _v6(db: Database) -> None:
    db.executescript(_V6)


_V7 = """
-- The search index, keyed by an integer. It was keyed by note id, a column FTS5 keeps with its
-- own copy of the note text: a search loaded the text of every matching note to learn which
-- note it was, and a save read every note's text in the index to find its row. Now each note
-- has a key here (local to this laptop, never merged: an INTEGER PRIMARY KEY, so VACUUM and
-- the encrypting copy keep it, which they do not promise for the notes' own rowids), with the
-- note's session and author, so a search puts its matches in order without reading the notes.
-- The index holds no copy of the text (it reads it from the notes, through the view); a search
-- reads only the keys of the notes that match, and a save finds its index row by key.
DROP TRIGGER notes_fts_insert;
DROP TRIGGER notes_fts_update;
DROP TRIGGER notes_fts_delete;
DROP TABLE notes_fts;
CREATE TABLE note_search_keys (
    key INTEGER PRIMARY KEY,
    note_id TEXT NOT NULL UNIQUE,
    session_id TEXT NOT NULL,
    author_id TEXT NOT NULL
);
CREATE VIEW note_search_texts AS
    SELECT note_search_keys.key AS key, notes.body AS body
    FROM note_search_keys JOIN notes ON notes.id = note_search_keys.note_id;
CREATE VIRTUAL TABLE notes_fts USING fts5(
    body, content = 'note_search_texts', content_rowid = 'key',
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO note_search_keys (note_id, session_id, author_id)
SELECT id, session_id, author_id FROM notes ORDER BY rowid;
INSERT INTO notes_fts (notes_fts) VALUES ('rebuild');
-- An index that reads its text elsewhere is told what text a row held when it goes ('delete'
-- with the old body): by then the note already holds the new one.
CREATE TRIGGER notes_fts_insert AFTER INSERT ON notes BEGIN
    INSERT INTO note_search_keys (note_id, session_id, author_id) VALUES (new.id, new.session_id, new.author_id);
    INSERT INTO notes_fts (rowid, body)
    VALUES ((SELECT key FROM note_search_keys WHERE note_id = new.id), new.body);
END;
CREATE TRIGGER notes_fts_update AFTER UPDATE OF body ON notes WHEN old.body IS NOT new.body BEGIN
    INSERT INTO notes_fts (notes_fts, rowid, body)
    VALUES ('delete', (SELECT key FROM note_search_keys WHERE note_id = old.id), old.body);
    INSERT INTO notes_fts (rowid, body)
    VALUES ((SELECT key FROM note_search_keys WHERE note_id = new.id), new.body);
END;
CREATE TRIGGER notes_fts_delete AFTER DELETE ON notes BEGIN
    INSERT INTO notes_fts (notes_fts, rowid, body)
    VALUES ('delete', (SELECT key FROM note_search_keys WHERE note_id = old.id), old.body);
    DELETE FROM note_search_keys WHERE note_id = old.id;
END;
-- A note's id is made from its session and author, so neither changes; were one to, its key follows.
CREATE TRIGGER note_search_keys_place AFTER UPDATE OF session_id, author_id ON notes
WHEN old.session_id IS NOT new.session_id OR old.author_id IS NOT new.author_id BEGIN
    UPDATE note_search_keys SET session_id = new.session_id, author_id = new.author_id
    WHERE note_id = new.id;
END;
"""


def _v7(db: Database) -> None:
    db.executescript(_V7)


MIGRATIONS: list[Callable[[Database], None]] = [_v1, _v2, _v3, _v4, _v5, _v6, _v7]
SCHEMA_VERSION = len(MIGRATIONS)


def is_current(conn: Connection) -> bool:
    """Whether the schema is this program's: nothing to migrate (read without sqlite-utils)."""
    version: int = conn.execute("PRAGMA user_version").fetchone()[0]
    return version == SCHEMA_VERSION


def migrate(db: Database) -> int:
    """Bring the schema up to date; returns the number of steps run."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"this review database was written by a newer peerreview (schema {version}, "
            f"this one knows {SCHEMA_VERSION}); upgrade peerreview to open it"
        )
    for step, upgrade in enumerate(MIGRATIONS[version:], start=version + 1):
        with db.atomic():
            upgrade(db)
            db.execute(f"PRAGMA user_version = {step}")
            if step == 1:
                db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    return SCHEMA_VERSION - int(version)
