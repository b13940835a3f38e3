"""The ownership rule (``peerreview_tui.ownership``) applied inside write transactions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Unpack

from ..ownership import Change, Facts, Roster
from ..rows import ReviewerRow
from .connection import StoreError

if TYPE_CHECKING:
    from sqlite_utils import Database


class NotAllowed(StoreError):
    """The person acting may not make this change; the message says who may."""


def roster(db: Database) -> Roster:
    """The team as this database holds it (from the schedule file; a bundle never changes it)."""
    rows = db.query("SELECT * FROM reviewers WHERE retired = 0 ORDER BY position")
    return Roster.of(ReviewerRow.from_row(row) for row in rows)


def require(db: Database, actor: str | None, change: Change, **facts: Unpack[Facts]) -> None:
    """Raise ``NotAllowed`` unless ``actor`` may make ``change``."""
    reason = roster(db).refusal(actor, change, **facts)
    if reason is not None:
        raise NotAllowed(reason)
