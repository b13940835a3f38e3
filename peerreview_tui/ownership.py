"""Who may change what: one rule for the app, the command line and merge alike.

- a note's text and attendance: its author;
- a session's status (done, cancelled): the reviewers of that session, and the lead;
- on-site schedule changes (add, move, swap): any reviewer, audited;
- a finding's wording, evidence and place: any reviewer while it is a draft; once agreed, the lead;
- agreeing, reopening, choosing the letter's quote: the lead;
- tagging evidence with a focus area, or tying it to a line of enquiry: any reviewer (the tag lives
  on the item, never in another reviewer's note);
- handing out a follow-up (a ``?`` line: who asks, in which later session): whoever raised it, and
  the lead (the wash-up hands questions out);
- closing a follow-up, or opening it again: its owner (whoever raised it while it has none), and
  the lead;
- who the reviewers are and who leads: the schedule file, never a person.

The rule is pure: it is given the roster and the facts about the row, and answers with the
reason a change is refused, or ``None``. The store asks it inside the write transaction, so no
caller can skip it; the UI asks it to hide what would be refused.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TypedDict, Unpack

from .rows import FindingStatus, ReviewerRow


class Change(StrEnum):
    NOTE = "write in this note"
    SESSION_STATUS = "mark this session done or cancelled"
    SCHEDULE = "change the timetable"
    FINDING = "change this finding"
    AGREE = "agree a finding"
    REOPEN = "reopen a finding"
    CHOOSE_QUOTE = "choose the letter's quotes"
    TAG = "tag evidence"
    TIE = "tie evidence to a line of enquiry"
    ASSIGN_FOLLOW_UP = "hand out this follow-up"
    CLOSE_FOLLOW_UP = "close or reopen this follow-up"
    RESOLVE_CONFLICT = "settle this conflict"
    ROSTER = "change who the reviewers are or who leads"


LEAD_ONLY = frozenset({Change.AGREE, Change.REOPEN, Change.CHOOSE_QUOTE})


class Facts(TypedDict, total=False):
    """What the rule needs to know about the row being changed."""

    author: str | None  # a note's author (also for a conflict over a note, who raised a follow-up)
    owner: str | None  # who a follow-up is handed to
    session_reviewers: Collection[str]  # those booked for the session
    finding_status: FindingStatus | str | None  # the finding's status before the change


@dataclass(frozen=True)
class Member:
    id: str
    name: str
    is_lead: bool


@dataclass(frozen=True)
class Roster:
    """The review team as the schedule file names it."""

    members: tuple[Member, ...]

    @classmethod
    def of(cls, reviewers: Iterable[ReviewerRow]) -> Roster:
        return cls(tuple(Member(r.id, r.name, r.is_lead) for r in reviewers if not r.retired))

    def member(self, reviewer_id: str | None) -> Member | None:
        return next((m for m in self.members if m.id == reviewer_id), None)

    @property
    def lead(self) -> Member | None:
        return next((m for m in self.members if m.is_lead), None)

    def name(self, reviewer_id: str | None) -> str:
        found = self.member(reviewer_id)
        return found.name if found else (reviewer_id or "nobody")

    def is_lead(self, reviewer_id: str | None) -> bool:
        found = self.member(reviewer_id)
        return found is not None and found.is_lead

    def refusal(self, actor: str | None, change: Change, **facts: Unpack[Facts]) -> str | None:
        """Why ``actor`` may not make ``change`` (``None``: they may)."""
        author = facts.get("author")
        who = self.member(actor)
        if who is None:
            return (
                "choose who you are first (the reviewer list in the app, or --as on the command line)"
                if not actor
                else f"'{actor}' is not a reviewer of this review"
            )
        lead = self.lead
        lead_name = lead.name if lead else "the lead (the schedule names none)"
        if change is Change.ROSTER:
            return "who the reviewers are and who leads come only from the schedule file"
        if change in LEAD_ONLY and not who.is_lead:
            return f"only the review lead ({lead_name}) can {change.value}"
        if change is Change.NOTE and actor != author:
            return f"this note is {self.name(author)}'s: only they can write in it"
        if change is Change.RESOLVE_CONFLICT and not who.is_lead and author is not None and actor != author:
            return f"this conflict is over {self.name(author)}'s note: they or the lead can settle it"
        if change is Change.RESOLVE_CONFLICT and not who.is_lead and author is None:
            return f"only the review lead ({lead_name}) can settle a conflict over shared work"
        booked = facts.get("session_reviewers", ())
        if change is Change.SESSION_STATUS and not who.is_lead and actor not in booked:
            return f"only the reviewers of this session, or the lead ({lead_name}), can {change.value}"
        owner = facts.get("owner")
        if change is Change.ASSIGN_FOLLOW_UP and not who.is_lead and actor != author:
            return f"this follow-up is {self.name(author)}'s: only they or the lead ({lead_name}) can hand it out"
        closer = owner or author
        if change is Change.CLOSE_FOLLOW_UP and not who.is_lead and actor != closer:
            whose = "handed to" if owner else "raised by"
            return (
                f"this follow-up is {whose} {self.name(closer)}: only they or the lead ({lead_name}) "
                "can close or reopen it"
            )
        agreed = facts.get("finding_status") == FindingStatus.AGREED
        if change is Change.FINDING and not who.is_lead and agreed:
            return f"this finding is agreed: ask the lead ({lead_name}) to reopen it before changing it"
        return None
