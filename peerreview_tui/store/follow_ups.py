"""Follow-ups: a ``?`` line is a question somebody must ask. Its state is a row of its own in
``follow_ups``, keyed by the item: who will ask it (the owner), in which later session, and
whether it is closed, with the evidence item that answered it.

Who may: whoever raised it, or the lead, hands it out; its owner (whoever raised it while it
has none), or the lead, closes and reopens it (``peerreview_tui.ownership``). The row holds
ids and times, never note text: the question is the item's own words.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from ..ownership import Change
from ..rows import EvidenceKind, SessionStatus, now
from . import audit, week
from .evidence_items import EvidenceView, get_evidence, list_evidence
from .ownership import require
from .review import Store


@dataclass(frozen=True)
class FollowUp:
    """A ``?`` item with what became of it, with names for people to read."""

    view: EvidenceView  # the question: its text, session, day, who raised it
    owner_id: str | None
    owner_name: str | None
    session_id: str | None  # the later session it is to be asked in
    session_label: str | None  # "Tuesday 14:00 Focus group: health visitors"
    session_day: dt.date | None
    closed_at: str | None
    closed_by_name: str | None
    answer_id: str | None

    @property
    def id(self) -> str:
        return self.view.item.id

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


def list_follow_ups(store: Store, *, open_only: bool = False) -> list[FollowUp]:
    """Every follow-up of the review in the order it was raised (``open_only``: those not closed)."""
    items = list_evidence(store, kinds=[EvidenceKind.FOLLOW_UP])
    with store.read() as db:
        states = {row["evidence_id"]: row for row in db.query("SELECT * FROM follow_ups")}
    names = week.names(store)
    sessions = {s.id: s for s in week.sessions(store)}
    found: list[FollowUp] = []
    for view in items:
        state: dict[str, Any] = states.get(view.item.id) or {}
        target = sessions.get(state.get("session_id") or "")
        owner, closer = state.get("owner_id"), state.get("closed_by")
        found.append(
            FollowUp(
                view,
                owner,
                names.reviewer(owner) if owner else None,
                target.id if target else None,
                names.session(target.id) if target else None,
                target.day if target else None,
                state.get("closed_at"),
                names.reviewer(closer) if closer else None,
                state.get("answer_id"),
            )
        )
    return [f for f in found if f.is_open] if open_only else found


def get_follow_up(store: Store, evidence_id: str) -> FollowUp | None:
    return next((f for f in list_follow_ups(store) if f.id == evidence_id), None)


def _question(store: Store, evidence_id: str) -> EvidenceView:
    view = get_evidence(store, evidence_id)
    if view is None or view.item.detached:
        raise ValueError(f"no evidence item {evidence_id}")
    if view.item.kind is not EvidenceKind.FOLLOW_UP:
        raise ValueError("only a follow-up (a '?' line) can be handed out or closed")
    return view


def assign_follow_up(
    store: Store, evidence_id: str, *, owner: str, session_id: str | None, actor: str
) -> None:
    """Hand a follow-up to ``owner``, to ask in ``session_id`` (a later session; None: any)."""
    view = _question(store, evidence_id)
    if owner not in {r.id for r in week.reviewers(store)}:
        raise ValueError(f"no reviewer {owner!r} in this review")
    if session_id is not None:
        target = week.session(store, session_id)
        if target is None or target.removed_at is not None:
            raise ValueError(f"no session {session_id!r} in this review")
        if target.status is SessionStatus.CANCELLED:
            raise ValueError(f"'{target.title}' is cancelled: choose another session")
        if view.day is not None and (target.day, target.start_time) <= (view.day, view.start_time or ""):
            raise ValueError(
                f"'{target.title}' is not after the session the question came from: choose a later one"
            )
    stamp = now()
    with store.write() as db:
        require(db, actor, Change.ASSIGN_FOLLOW_UP, author=view.item.author_id)
        before = _state(db, evidence_id)
        db.execute(
            "INSERT INTO follow_ups (evidence_id, owner_id, session_id, assigned_by, created_by, created_at, "
            "updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (evidence_id) DO UPDATE SET "
            "owner_id = excluded.owner_id, session_id = excluded.session_id, assigned_by = excluded.assigned_by, "
            "updated_by = excluded.updated_by, updated_at = excluded.updated_at",
            [evidence_id, owner, session_id, actor, actor, stamp, actor, stamp],
        )
        changes = {
            "owner_id": [before.get("owner_id"), owner],
            "session_id": [before.get("session_id"), session_id],
        }
        audit.record(
            db,
            at=stamp,
            actor=actor,
            table="follow_ups",
            row_id=evidence_id,
            action="assign",
            changes=changes,
        )


def close_follow_up(store: Store, evidence_id: str, *, actor: str, answer_id: str | None = None) -> None:
    """Close a follow-up, with the evidence item that answered it (if one did)."""
    view = _question(store, evidence_id)
    if answer_id is not None:
        answer = get_evidence(store, answer_id)
        if answer is None or answer.item.detached:
            raise ValueError(f"no evidence item {answer_id} to answer it")
        if answer_id == evidence_id:
            raise ValueError("a follow-up does not answer itself: choose the evidence that answered it")
    stamp = now()
    with store.write() as db:
        before = _state(db, evidence_id)
        require(db, actor, Change.CLOSE_FOLLOW_UP, author=view.item.author_id, owner=before.get("owner_id"))
        db.execute(
            "INSERT INTO follow_ups (evidence_id, closed_at, closed_by, answer_id, created_by, created_at, "
            "updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (evidence_id) DO UPDATE SET "
            "closed_at = excluded.closed_at, closed_by = excluded.closed_by, answer_id = excluded.answer_id, "
            "updated_by = excluded.updated_by, updated_at = excluded.updated_at",
            [evidence_id, stamp, actor, answer_id, actor, stamp, actor, stamp],
        )
        audit.record(
            db,
            at=stamp,
            actor=actor,
            table="follow_ups",
            row_id=evidence_id,
            action="close",
            changes={"answer_id": [before.get("answer_id"), answer_id]},
        )


def reopen_follow_up(store: Store, evidence_id: str, *, actor: str) -> None:
    """Open a closed follow-up again (the answer turned out not to be one)."""
    view = _question(store, evidence_id)
    stamp = now()
    with store.write() as db:
        before = _state(db, evidence_id)
        require(db, actor, Change.CLOSE_FOLLOW_UP, author=view.item.author_id, owner=before.get("owner_id"))
        if before.get("closed_at") is None:
            return
        db.execute(
            "UPDATE follow_ups SET closed_at = NULL, closed_by = NULL, answer_id = NULL, updated_by = ?, "
            "updated_at = ? WHERE evidence_id = ?",
            [actor, stamp, evidence_id],
        )
        audit.record(
            db, at=stamp, actor=actor, table="follow_ups", row_id=evidence_id, action="reopen", changes={}
        )


def _state(db: Database, evidence_id: str) -> dict[str, Any]:
    return next(db.query("SELECT * FROM follow_ups WHERE evidence_id = ?", [evidence_id]), None) or {}
