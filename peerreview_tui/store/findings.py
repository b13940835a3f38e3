"""Findings: what the lead compiles on day five from everyone's evidence.

A finding sits in one list (its section and, for strengths and areas for development, its focus
area) at a position, and is backed by links to evidence items; its badge says how triangulated
that evidence is. Every change writes an audit row in the same transaction, holding field names,
finding wording and evidence ids, never note text. Deletions and detached links are tombstones
(``deleted_at``), so they merge between laptops like any other change.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from typing import Any, NamedTuple

from sqlite_utils import Database

from ..ownership import Change
from ..rows import (
    EvidenceItem,
    EvidenceKind,
    Finding,
    FindingSection,
    FindingStatus,
    SourceKind,
    new_id,
    now,
)
from ..triangulation import Cited, Triangulation
from . import audit
from .audit import AuditEntry
from .connection import StoreError
from .ownership import require
from .review import Store

AREA_SECTIONS = frozenset({FindingSection.STRENGTH, FindingSection.DEVELOPMENT})
SECTION_HEADINGS = {
    FindingSection.KEY_MESSAGE: "Key messages",
    FindingSection.STRENGTH: "Strengths",
    FindingSection.DEVELOPMENT: "Areas for development",
    FindingSection.RECOMMENDATION: "Recommendations",
}
DRAFT, AGREED = FindingStatus.DRAFT.value, FindingStatus.AGREED.value


@dataclass(frozen=True)
class FindingView:
    finding: Finding
    badge: Triangulation
    evidence_ids: tuple[str, ...]


@dataclass(frozen=True)
class LinkedEvidence:
    item: EvidenceItem
    quote_chosen: bool
    broken: bool  # item.detached: shown to the lead, never silently dropped
    session_title: str | None = None
    day: dt.date | None = None


# --- Writing -----------------------------------------------------------------------------


def create_finding(
    store: Store,
    *,
    section: FindingSection,
    focus_area_id: str | None,
    title: str,
    body: str = "",
    evidence_ids: Sequence[str] = (),
    actor: str,
) -> Finding:
    """A draft finding at the end of its list, citing ``evidence_ids``."""
    section = FindingSection(section)
    if (section in AREA_SECTIONS) != (focus_area_id is not None):
        need = "needs a focus area" if section in AREA_SECTIONS else "belongs to no focus area"
        raise ValueError(f"a finding in {SECTION_HEADINGS[section].lower()} {need}")
    fields = {"section": section.value, "focus_area_id": focus_area_id}
    fields |= {"title": _one_line(title), "body": body.strip()}
    stamp = now()
    with store.write() as db:
        require(db, actor, Change.FINDING)
        if focus_area_id and _first(db, "SELECT 1 FROM focus_areas WHERE id = ?", [focus_area_id]) is None:
            raise ValueError(f"no focus area '{focus_area_id}'")
        last = db.execute(
            "SELECT MAX(position) FROM findings WHERE section = ? AND focus_area_id IS ? AND deleted_at IS NULL",
            [section.value, focus_area_id],
        ).fetchone()[0]
        row = {"id": new_id(), **fields, "position": (last or 0) + 1.0, "status": DRAFT}
        row |= {"created_by": actor, "created_at": stamp, "updated_by": actor, "updated_at": stamp}
        db.table("findings").insert(row)
        edit = _Edit(db, row, actor, stamp)
        changes: dict[str, Any] = {key: [None, value] for key, value in fields.items() if value}
        if attached := edit.link(evidence_ids):
            changes["attached"] = attached
        edit.audit("create", changes)
        return edit.finding()


class _Same(Enum):
    SAME = "same"


SAME = _Same.SAME  # update_finding's focus_area_id when it stays as it is (None is "no focus area")


def update_finding(
    store: Store,
    finding_id: str,
    actor: str,
    *,
    title: str | None = None,
    body: str | None = None,
    section: FindingSection | None = None,
    focus_area_id: str | _Same | None = SAME,
) -> Finding:
    """Change the wording, or the list the finding is in (its section and focus area: it goes to
    the end of the new list). An agreed finding (the lead's to change) goes back to draft: the
    lead agreed the old words in their old place."""
    wanted: dict[str, Any] = {
        "title": None if title is None else _one_line(title),
        "body": body and body.strip(),
    }
    with _editing(store, finding_id, actor) as edit:
        old = edit.row
        new_section = FindingSection(section or old["section"])
        if focus_area_id is SAME:
            # a strength can become an area for development in the same focus area; a key
            # message or recommendation belongs to none
            focus_area_id = old["focus_area_id"] if new_section in AREA_SECTIONS else None
        if (new_section in AREA_SECTIONS) != (focus_area_id is not None):
            need = "needs a focus area" if new_section in AREA_SECTIONS else "belongs to no focus area"
            raise ValueError(f"a finding in {SECTION_HEADINGS[new_section].lower()} {need}")
        wanted |= {"section": new_section.value, "focus_area_id": focus_area_id}
        changes: dict[str, Any] = {
            key: [old[key], new]
            for key, new in wanted.items()
            if (new is not None or key == "focus_area_id") and new != old[key]
        }
        if not changes:
            return edit.finding()
        fields = {key: new for key, (_, new) in changes.items()}
        if "section" in changes or "focus_area_id" in changes:
            if (
                focus_area_id
                and _first(edit.db, "SELECT 1 FROM focus_areas WHERE id = ?", [focus_area_id]) is None
            ):
                raise ValueError(f"no focus area '{focus_area_id}'")
            last = edit.db.execute(
                "SELECT MAX(position) FROM findings WHERE section = ? AND focus_area_id IS ? AND deleted_at IS NULL",
                [new_section.value, focus_area_id],
            ).fetchone()[0]
            fields["position"] = (last or 0) + 1.0
        edit.back_to_draft(changes)
        edit.touch(fields)
        edit.audit("edit", changes)
        return edit.finding()


def attach_evidence(store: Store, finding_id: str, evidence_ids: Sequence[str], actor: str) -> list[str]:
    """Cite items in the finding (re-citing detached ones); returns the ids newly cited."""
    with _editing(store, finding_id, actor) as edit:
        if attached := edit.link(evidence_ids):
            edit.audit("attach", {"attached": attached})
    return attached


def detach_evidence(store: Store, finding_id: str, evidence_ids: Sequence[str], actor: str) -> list[str]:
    """Stop citing items (a tombstone, so it merges); returns the ids detached. Dropping a quote
    chosen for the letter returns an agreed finding to draft, as choosing one does."""
    with _editing(store, finding_id, actor) as edit:
        cited = edit.cited()
        detached = [evidence_id for evidence_id in dict.fromkeys(evidence_ids) if evidence_id in cited]
        chosen = edit.chosen_quotes()
        for evidence_id in detached:
            # A quote no longer cited is no longer chosen for the letter.
            edit.touch_link(evidence_id, deleted_at=edit.stamp, quote_chosen=0)
        if detached:
            changes: dict[str, Any] = {"detached": detached}
            if chosen.intersection(detached):
                edit.back_to_draft(changes)
            edit.audit("detach", changes)
    return detached


def choose_quote(store: Store, finding_id: str, evidence_id: str, chosen: bool, actor: str) -> None:
    """Mark a cited quote as one the letter may use, or no longer (the lead's choice). The letter
    changes, so an agreed finding goes back to draft: the lead agrees it again."""
    with _editing(store, finding_id, actor, Change.CHOOSE_QUOTE) as edit:
        link = _first(
            edit.db,
            "SELECT fe.quote_chosen, e.kind FROM finding_evidence fe JOIN evidence e ON e.id = fe.evidence_id "
            "WHERE fe.finding_id = ? AND fe.evidence_id = ? AND fe.deleted_at IS NULL",
            [finding_id, evidence_id],
        )
        if link is None:
            raise ValueError(f"evidence {evidence_id} is not cited by this finding")
        if link["kind"] != EvidenceKind.QUOTE:
            raise ValueError(f"evidence {evidence_id} is a {link['kind']}, not a quote")
        if bool(link["quote_chosen"]) != chosen:
            edit.touch_link(evidence_id, quote_chosen=int(chosen))
            changes: dict[str, Any] = {"evidence_id": evidence_id, "quote_chosen": [not chosen, chosen]}
            edit.back_to_draft(changes)
            edit.audit("choose quote", changes)


def move_finding(store: Store, finding_id: str, step: int, actor: str) -> None:
    """Move a finding ``step`` places in its list (-1 up, +1 down), stopping at the ends."""
    with _editing(store, finding_id, actor) as edit:
        rows = edit.db.query(
            "SELECT id, position FROM findings WHERE section = ? AND focus_area_id IS ? "
            "AND deleted_at IS NULL ORDER BY position, created_at, id",
            [edit.row["section"], edit.row["focus_area_id"]],
        )
        positions = {row["id"]: row["position"] for row in rows}
        order = list(positions)
        old = order.index(finding_id)
        new = min(max(old + step, 0), len(order) - 1)
        if new == old:
            return
        order.insert(new, order.pop(old))
        # Only the moved finding changes: it takes a place between its new neighbours, so a
        # reviewer moving a draft never touches an agreed neighbour (the lead's to change).
        before = positions[order[new - 1]] if new > 0 else None
        after = positions[order[new + 1]] if new + 1 < len(order) else None
        edit.touch({"position": _between(before, after)})
        edit.audit("move", {"place": [old + 1, new + 1]})


def _between(before: float | None, after: float | None) -> float:
    """A position between two neighbours' (a missing one is the end of the list)."""
    if before is not None and after is not None:
        return (before + after) / 2
    if before is not None:
        return before + 1.0
    if after is not None:
        return after - 1.0
    return 1.0


def agree_finding(store: Store, finding_id: str, actor: str) -> Finding:
    """The lead agrees the wording; anyone else gets ``NotAllowed``."""
    return _set_status(store, finding_id, actor, AGREED)


def reopen_finding(store: Store, finding_id: str, actor: str) -> Finding:
    """Back to draft; lead only."""
    return _set_status(store, finding_id, actor, DRAFT)


def delete_finding(store: Store, finding_id: str, actor: str) -> None:
    """A tombstone; an agreed finding can only be deleted by the lead."""
    with _editing(store, finding_id, actor) as edit:
        edit.touch({"deleted_at": edit.stamp})
        edit.audit("delete", {"deleted_at": [None, edit.stamp]})


# --- Reading -----------------------------------------------------------------------------


def list_findings(
    store: Store,
    *,
    status: FindingStatus | None = None,
    focus_area: str | None = None,
    section: FindingSection | None = None,
) -> list[FindingView]:
    """Findings in letter order: key messages; strengths then areas for development of each
    focus area, in schedule order; recommendations. By position within a list."""
    wanted = {"status": status, "focus_area_id": focus_area, "section": section}
    where = [
        "f.deleted_at IS NULL",
        *(f"f.{column} = ?" for column, value in wanted.items() if value is not None),
    ]
    params = [str(value) for value in wanted.values() if value is not None]
    sql = (
        "SELECT f.* FROM findings f LEFT JOIN focus_areas a ON a.id = f.focus_area_id "
        f"WHERE {' AND '.join(where)} ORDER BY "
        "CASE f.section WHEN 'key_message' THEN 0 WHEN 'recommendation' THEN 2 ELSE 1 END, "
        "a.position, f.focus_area_id, f.section = 'development', f.position, f.created_at, f.id"
    )
    with store.lock:  # the findings and their links as of one moment
        rows = store.query(sql, params)
        cited = _cited(store, [row["id"] for row in rows])
    return [_view(row, cited.get(row["id"], [])) for row in rows]


def get_finding(store: Store, finding_id: str) -> FindingView | None:
    with store.read() as db:
        row = _first(db, "SELECT * FROM findings WHERE id = ? AND deleted_at IS NULL", [finding_id])
        return (
            _view(row, [link.item for link in _links(db, [finding_id]).get(finding_id, [])]) if row else None
        )


def linked_evidence(store: Store, finding_id: str) -> list[LinkedEvidence]:
    """The items a finding cites, broken ones included, in day and time order."""
    with store.read() as db:
        return _links(db, [finding_id]).get(finding_id, [])


def audit_trail(store: Store, finding_id: str) -> list[AuditEntry]:
    """Who changed the finding, what and when, oldest first."""
    return audit.trail(store, "findings", finding_id)


# --- Helpers -----------------------------------------------------------------------------


@dataclass
class _Edit:
    """One change to a finding, inside its write transaction."""

    db: Database
    row: dict[str, Any]
    actor: str
    stamp: str

    def touch(self, fields: dict[str, Any], finding_id: str | None = None) -> None:
        changed = {**fields, "updated_by": self.actor, "updated_at": self.stamp}
        self.db.table("findings").update(finding_id or self.row["id"], changed)

    def touch_link(self, evidence_id: str, **fields: Any) -> None:
        sets = ", ".join(f"{name} = ?" for name in fields)
        self.db.execute(
            f"UPDATE finding_evidence SET {sets}, updated_by = ?, updated_at = ? "
            "WHERE finding_id = ? AND evidence_id = ?",
            [*fields.values(), self.actor, self.stamp, self.row["id"], evidence_id],
        )

    def back_to_draft(self, changes: dict[str, Any]) -> None:
        """An agreed finding whose letter text changes needs the lead's agreement again."""
        if self.row["status"] == AGREED:
            self.touch({"status": DRAFT, "agreed_by": None, "agreed_at": None})
            changes["status"] = [AGREED, DRAFT]

    def chosen_quotes(self) -> set[str]:
        sql = "SELECT evidence_id FROM finding_evidence WHERE finding_id = ? AND deleted_at IS NULL AND quote_chosen = 1"
        return {row["evidence_id"] for row in self.db.query(sql, [self.row["id"]])}

    def cited(self) -> set[str]:
        sql = "SELECT evidence_id FROM finding_evidence WHERE finding_id = ? AND deleted_at IS NULL"
        return {row["evidence_id"] for row in self.db.query(sql, [self.row["id"]])}

    def link(self, evidence_ids: Sequence[str]) -> list[str]:
        """Cite items (re-citing detached ones); returns the ids not cited before."""
        wanted = [i for i in dict.fromkeys(evidence_ids) if i not in self.cited()]
        sql = "SELECT id FROM evidence WHERE id IN (SELECT value FROM json_each(?))"
        known = {row["id"] for row in self.db.query(sql, [json.dumps(wanted)])}
        if missing := [i for i in wanted if i not in known]:
            raise ValueError(f"no evidence item {', '.join(missing)}")
        for evidence_id in wanted:
            self.db.execute(
                "INSERT INTO finding_evidence (finding_id, evidence_id, created_by, created_at, updated_by, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (finding_id, evidence_id) DO UPDATE SET "
                "deleted_at = NULL, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                [self.row["id"], evidence_id, self.actor, self.stamp, self.actor, self.stamp],
            )
        return wanted

    def audit(self, action: str, changes: dict[str, Any]) -> None:
        audit.record(
            self.db,
            at=self.stamp,
            actor=self.actor,
            table="findings",
            row_id=self.row["id"],
            action=action,
            changes=changes,
        )

    def finding(self) -> Finding:
        return Finding.from_row(_live_row(self.db, self.row["id"]))


@contextmanager
def _editing(store: Store, finding_id: str, actor: str, change: Change = Change.FINDING) -> Iterator[_Edit]:
    """A change to one finding, refused (``NotAllowed``) unless the rule lets ``actor`` make it."""
    with store.write() as db:
        row = _live_row(db, finding_id)
        require(db, actor, change, finding_status=row["status"])
        yield _Edit(db, row, actor, now())


def _set_status(store: Store, finding_id: str, actor: str, status: str) -> Finding:
    with _editing(store, finding_id, actor, Change.AGREE if status == AGREED else Change.REOPEN) as edit:
        old = edit.row
        if old["status"] != status:
            agreed_by = actor if status == AGREED else None
            edit.touch(
                {"status": status, "agreed_by": agreed_by, "agreed_at": edit.stamp if agreed_by else None}
            )
            changes = {"status": [old["status"], status], "agreed_by": [old["agreed_by"], agreed_by]}
            edit.audit("agree" if status == AGREED else "reopen", changes)
        return edit.finding()


def _links(db: Database, finding_ids: Sequence[str]) -> dict[str, list[LinkedEvidence]]:
    """Each finding's cited items, in day and time order; data and documents last."""
    rows = db.query(
        "SELECT e.*, fe.finding_id AS link_finding, fe.quote_chosen AS link_quote, "
        "s.title AS session_title, s.day AS session_day "
        "FROM finding_evidence fe JOIN evidence e ON e.id = fe.evidence_id "
        "LEFT JOIN sessions s ON s.id = e.session_id "
        "WHERE fe.deleted_at IS NULL AND fe.finding_id IN (SELECT value FROM json_each(?)) "
        "ORDER BY s.day IS NULL, s.day, s.start_time, e.line_no, e.id",
        [json.dumps(list(finding_ids))],
    )
    links: dict[str, list[LinkedEvidence]] = {}
    for row in rows:
        item = EvidenceItem.from_row(row)
        day = dt.date.fromisoformat(row["session_day"]) if row["session_day"] else None
        link = LinkedEvidence(item, bool(row["link_quote"]), item.detached, row["session_title"], day)
        links.setdefault(row["link_finding"], []).append(link)
    return links


class _Cited(NamedTuple):
    """What a finding's badge needs of an item it cites (see ``Triangulation``)."""

    id: str
    session_id: str | None
    note_id: str | None
    source_kind: SourceKind
    author_id: str
    detached: bool


def _cited(store: Store, finding_ids: Sequence[str]) -> dict[str, list[_Cited]]:
    """Each finding's cited items, in the order of ``_links``, from one query: only what the
    badges need, not whole items."""
    rows = store.query(
        "SELECT fe.finding_id, e.id, e.session_id, e.note_id, e.source_kind, e.author_id, e.detached "
        "FROM finding_evidence fe JOIN evidence e ON e.id = fe.evidence_id "
        "LEFT JOIN sessions s ON s.id = e.session_id "
        "WHERE fe.deleted_at IS NULL AND fe.finding_id IN (SELECT value FROM json_each(?)) "
        "ORDER BY s.day IS NULL, s.day, s.start_time, e.line_no, e.id",
        [json.dumps(list(finding_ids))],
    )
    sources = {kind.value: kind for kind in SourceKind}
    cited: dict[str, list[_Cited]] = {}
    for row in rows:
        item = _Cited(
            row["id"],
            row["session_id"],
            row["note_id"],
            sources[row["source_kind"]],
            row["author_id"],
            bool(row["detached"]),
        )
        cited.setdefault(row["finding_id"], []).append(item)
    return cited


def _view(row: dict[str, Any], cited: Sequence[Cited]) -> FindingView:
    return FindingView(Finding.from_row(row), Triangulation.of(cited), tuple(item.id for item in cited))


def _live_row(db: Database, finding_id: str) -> dict[str, Any]:
    row = _first(db, "SELECT * FROM findings WHERE id = ? AND deleted_at IS NULL", [finding_id])
    if row is None:
        raise StoreError(f"no finding {finding_id} (deleted, perhaps on another laptop)")
    return row


def _first(db: Database, sql: str, params: Sequence[Any]) -> dict[str, Any] | None:
    return next(db.query(sql, params), None)


def _one_line(title: str) -> str:
    """The title is a heading in the letter and a row in every list: one line, never empty."""
    cleaned = " ".join(title.split())
    if not cleaned:
        raise ValueError("a finding needs a title")
    return cleaned
