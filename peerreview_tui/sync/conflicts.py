"""Conflicts: versions of a row that lost a merge to a concurrent change, kept for the lead, who
reads what differs between the two (``compare``) before settling it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from ..models import Attendee, FindingSection, now
from ..names import Names, excerpt, local_time, session_label
from ..ownership import Change
from ..store import Store, audit, notes, week
from ..store.findings import SECTION_HEADINGS
from ..store.ownership import require
from .bundle import SyncError
from .tables import BY_NAME, Row, content, upsert

Keep = Literal["winner", "loser"]


@dataclass(frozen=True)
class Conflict:
    id: str
    table_name: str
    row_id: str
    loser: Row  # the version kept aside
    winner_updated_by: str
    winner_updated_at: str
    merged_by: str  # who merged the bundle that showed it, and when
    merged_at: str
    resolution: Keep | None
    resolved_by: str | None
    resolved_at: str | None

    @property
    def short_id(self) -> str:
        return self.id[:8]

    @property
    def loser_updated_by(self) -> str:
        return str(self.loser.get("updated_by", "?"))

    @property
    def loser_updated_at(self) -> str:
        return str(self.loser.get("updated_at", "?"))

    def subject(self, names: Names | None = None) -> str:
        """What the row is, in words: "Priya Natarajan's note for Monday 09:30 Director of
        children's services" (ids only where ``names`` does not know them)."""
        names = names or Names()
        row = self.loser
        if self.table_name == "notes":
            return f"{names.reviewer(row['author_id'])}'s note for {names.session(row['session_id'])}"
        if self.table_name == "findings":
            return f"finding '{row['title']}'"
        if self.table_name == "sessions":
            return (
                f"session {session_label(dt.date.fromisoformat(row['day']), row['start_time'], row['title'])}"
            )
        if self.table_name == "evidence":
            return f"{names.reviewer(row['author_id'])}'s evidence item: {excerpt(row['text'])}"
        if self.table_name == "finding_evidence":
            return (
                f"citation of {names.evidence_item(row['evidence_id'])} in {names.finding(row['finding_id'])}"
            )
        return f"{self.table_name} row {self.row_id}"


def conflict_names(store: Store, conflicts: Iterable[Conflict]) -> Names:
    """The review's names (``week.names``), with the titles of the findings and the words of the
    evidence items that the conflicts' citations are about."""
    cited = [c.loser for c in conflicts if c.table_name == "finding_evidence"]
    names = week.names(store)
    if not cited:
        return names
    finding_ids = json.dumps([row["finding_id"] for row in cited])
    evidence_ids = json.dumps([row["evidence_id"] for row in cited])
    with store.read() as db:
        titles = db.query(
            "SELECT id, title FROM findings WHERE id IN (SELECT value FROM json_each(?))", [finding_ids]
        )
        words = db.query(
            "SELECT id, text FROM evidence WHERE id IN (SELECT value FROM json_each(?))", [evidence_ids]
        )
        return dataclasses.replace(
            names,
            findings={row["id"]: row["title"] for row in titles},
            evidence={row["id"]: excerpt(row["text"]) for row in words},
        )


@dataclass(frozen=True)
class FieldDiff:
    """One field that differs between the version in place and the one kept aside, in words.
    ``lines`` are (mark, text): " " in both, "-" only in the version in place, "+" only in the
    one kept aside, "…" for unchanged lines left out."""

    field: str
    lines: tuple[tuple[str, str], ...]


# Fields in words; the rest are said as their column's name. Ids people never read stay out.
FIELD_WORDS = {
    "body": "text",
    "attendance": "attendance",
    "focus_area_id": "focus area",
    "focus_areas": "focus areas",
    "session_id": "session",
    "author_id": "written by",
    "agreed_by": "agreed by",
    "agreed_at": "agreed at",
    "deleted_at": "deleted",
    "deleted_by": "deleted by",
    "start_time": "start",
    "end_time": "end",
    "quote_chosen": "chosen for the letter",
    "position": "place in its list",
    "removed_at": "taken off the schedule",
    "source_kind": "kind of source",
    "line_no": "line",
}
HIDDEN_FIELDS = frozenset({"id", "note_id", "finding_id", "evidence_id"})
CONTEXT_LINES = 2  # unchanged lines shown around each change in a long text


def compare(store: Store, conflict: Conflict, names: Names | None = None) -> list[FieldDiff]:
    """What differs between the version in place now and the one kept aside, field by field, as
    people read it (names, titles, local times); long texts line by line, with a little context."""
    names = names or Names()
    diffs = []
    for field, (in_place, kept) in differences(store, conflict).items():
        if field in HIDDEN_FIELDS:
            continue
        ours, theirs = _shown(field, in_place, names), _shown(field, kept, names)
        diffs.append(FieldDiff(FIELD_WORDS.get(field, field.replace("_", " ")), _line_diff(ours, theirs)))
    return diffs


def _line_diff(ours: list[str], theirs: list[str]) -> tuple[tuple[str, str], ...]:
    lines: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(None, ours, theirs, autojunk=False)
    groups = list(matcher.get_grouped_opcodes(CONTEXT_LINES))
    for number, group in enumerate(groups):
        if number or group[0][1] > 0:
            lines.append(("…", ""))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines += [(" ", line) for line in ours[i1:i2]]
                continue
            lines += [("-", line) for line in ours[i1:i2]]
            lines += [("+", line) for line in theirs[j1:j2]]
    if groups and groups[-1][-1][2] < len(ours):
        lines.append(("…", ""))
    return tuple(lines)


def _shown(field: str, value: Any, names: Names) -> list[str]:
    """A stored value as lines a person reads."""
    if value is None or value == "" or value == "[]":
        return ["(none)"]
    if field in ("author_id", "agreed_by", "deleted_by", "updated_by"):
        return [names.reviewer(str(value))]
    if field == "focus_area_id":
        return [names.area(str(value))]
    if field == "section" and value in FindingSection._value2member_map_:
        return [SECTION_HEADINGS[FindingSection(value)]]
    if field == "session_id":
        return [names.session(str(value))]
    if field in ("quote_chosen", "retired"):
        return ["yes" if value else "no"]
    if field.endswith("_at"):
        return [local_time(str(value))]
    if field in ("attendance", "participants", "reviewers", "focus_areas") and isinstance(value, str):
        try:
            items = json.loads(value)
        except ValueError:
            return value.split("\n")
        return [_item(field, item, names) for item in items] or ["(none)"]
    if isinstance(value, str):
        return value.removesuffix("\n").split("\n")
    return [json.dumps(value, ensure_ascii=False) if not isinstance(value, (int, float)) else str(value)]


def _item(field: str, item: Any, names: Names) -> str:
    if field == "reviewers":
        return names.reviewer(str(item))
    if field == "focus_areas":
        return names.area(str(item))
    if not isinstance(item, dict):
        return str(item)
    count = item.get("count") or 1
    who = (f"{count} × " if count > 1 else "") + str(item.get("role", ""))
    who += f", {item['organisation']}" if item.get("organisation") else ""
    if item.get("present") is False:
        who += " (not there)"
    if item.get("extra"):
        who += " (not on the schedule)"
    return who


def list_conflicts(store: Store, *, include_resolved: bool = False) -> list[Conflict]:
    """Open conflicts (with ``include_resolved``, all), oldest first."""
    where = "" if include_resolved else " WHERE resolution IS NULL"
    with store.read() as db:
        rows = list(db.query(f"SELECT * FROM conflicts{where} ORDER BY created_at, id"))
    return [_conflict(row) for row in rows]


def get_conflict(store: Store, conflict_id: str) -> Conflict:
    """By id or by the start of one (as the CLI shows it)."""
    with store.read() as db:
        rows = list(db.query("SELECT * FROM conflicts WHERE id LIKE ? || '%' LIMIT 2", [conflict_id.lower()]))
    if not rows or not conflict_id:
        raise SyncError(f"no conflict '{conflict_id}'; 'peerreview conflicts' lists them")
    if len(rows) > 1:
        raise SyncError(f"'{conflict_id}' names several conflicts; give more of its id")
    return _conflict(rows[0])


def current_row(store: Store, conflict: Conflict) -> Row | None:
    """The version in place now (None if the row was deleted)."""
    table = BY_NAME[conflict.table_name]
    where = " AND ".join(f"{column} = ?" for column in table.key)
    values = [conflict.loser[column] for column in table.key]
    with store.read() as db:
        return next(db.query(f"SELECT * FROM {table.name} WHERE {where}", values), None)


def differences(store: Store, conflict: Conflict) -> dict[str, tuple[Any, Any]]:
    """Field -> (in place, kept aside), for the fields that differ (stamps aside)."""
    now_row = content(current_row(store, conflict) or {})
    kept = content(conflict.loser)
    return {key: (now_row.get(key), value) for key, value in kept.items() if now_row.get(key) != value}


def resolve_conflict(store: Store, conflict_id: str, keep: Keep, actor: str) -> Conflict:
    """Settle a conflict: keep the ``winner`` in place (the other version is dropped), or put the
    ``loser`` back in place as a new change by ``actor``, which then travels like any change."""
    if keep not in ("winner", "loser"):
        raise ValueError(f"keep the 'winner' or the 'loser', not {keep!r}")
    conflict = get_conflict(store, conflict_id)
    if conflict.resolution is not None:
        raise SyncError(
            f"conflict {conflict.short_id} was already settled by {conflict.resolved_by} (kept the {conflict.resolution})"
        )
    stamp = now()
    author = conflict.loser.get("author_id") if conflict.table_name == "notes" else None
    with store.write() as db:
        require(db, actor, Change.RESOLVE_CONFLICT, author=author)
        if keep == "loser":
            _restore(store, conflict, actor, stamp)
        db.execute(
            "UPDATE conflicts SET resolution = ?, resolved_by = ?, resolved_at = ?, updated_by = ?, updated_at = ? "
            "WHERE id = ?",
            [keep, actor, stamp, actor, stamp, conflict.id],
        )
        changes = {
            "conflict": conflict.id,
            "kept": keep,
            "other_by": conflict.winner_updated_by if keep == "loser" else conflict.loser_updated_by,
        }
        audit.record(
            db,
            at=stamp,
            actor=actor,
            table=conflict.table_name,
            row_id=conflict.row_id,
            action="resolve conflict",
            changes=changes,
        )
    return get_conflict(store, conflict.id)


def _restore(store: Store, conflict: Conflict, actor: str, stamp: str) -> None:
    row = conflict.loser
    if conflict.table_name == "notes":
        # Through the store, so the note's evidence items follow its restored text. The text is
        # the author's own earlier version: it stays theirs; the audit row says who settled.
        attendance = [Attendee.model_validate(a) for a in json.loads(row["attendance"])]
        notes.save_note(store, row["session_id"], row["author_id"], row["body"], attendance)
        return
    with store.write() as db:
        upsert(db, BY_NAME[conflict.table_name], row | {"updated_by": actor, "updated_at": stamp})


def _conflict(row: Row) -> Conflict:
    return Conflict(
        id=row["id"],
        table_name=row["table_name"],
        row_id=row["row_id"],
        loser=json.loads(row["loser"]),
        winner_updated_by=row["winner_updated_by"],
        winner_updated_at=row["winner_updated_at"],
        merged_by=row["created_by"],
        merged_at=row["created_at"],
        resolution=row["resolution"],
        resolved_by=row["resolved_by"],
        resolved_at=row["resolved_at"],
    )
