"""The ownership rule (``peerreview_tui.ownership``) applied inside write transactions."""

from __future__ import annotations

from collections.abc import Collection

from sqlite_utils import Database

from ..models import FindingStatus, ReviewerRow
from ..ownership import Change, Roster
from .connection import StoreError


class NotAllowed(StoreError):
    """The person acting may not make this change; the message says who may."""


def roster(db: Database) -> Roster:
    """The team as this database holds it (from the schedule file; a bundle never changes it)."""
    rows = db.query("SELECT * FROM reviewers WHERE retired = 0 ORDER BY position")
    return Roster.of(ReviewerRow.model_validate(row) for row in rows)


def require(
    db: Database,
    actor: str | None,
    change: Change,
    *,
    author: str | None = None,
    session_reviewers: Collection[str] = (),
    finding_status: FindingStatus | str | None = None,
) -> None:
    """Raise ``NotAllowed`` unless ``actor`` may make ``change``."""
    reason = roster(db).refusal(
        actor, change, author=author, session_reviewers=session_reviewers, finding_status=finding_status
    )
    if reason is not None:
        raise NotAllowed(reason)
