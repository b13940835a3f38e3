"""What people read instead of ids: reviewers by name, sessions by day, time and title, focus
areas by title, and stamps in local time. Built from the schedule file or from the store, so the
core's messages (clashes, conflicts) and both front ends say the same thing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Names:
    reviewers: Mapping[str, str] = field(default_factory=dict)  # id -> name
    sessions: Mapping[str, str] = field(default_factory=dict)  # id -> 'Tuesday 13:30 Case file audit'
    focus_areas: Mapping[str, str] = field(default_factory=dict)  # id -> title
    findings: Mapping[str, str] = field(default_factory=dict)  # id -> title
    evidence: Mapping[str, str] = field(default_factory=dict)  # id -> its words, cut short

    @classmethod
    def of(
        cls,
        reviewers: Iterable[tuple[str, str]] = (),
        sessions: Iterable[tuple[str, dt.date, str, str]] = (),
        focus_areas: Iterable[tuple[str, str]] = (),
    ) -> Names:
        """From (id, name), (id, day, start, title) and (id, title) pairs."""
        return cls(
            dict(reviewers),
            {sid: session_label(day, start, title) for sid, day, start, title in sessions},
            dict(focus_areas),
        )

    def reviewer(self, reviewer_id: str | None) -> str:
        return self.reviewers.get(reviewer_id or "", reviewer_id or "nobody")

    def session(self, session_id: str | None) -> str:
        return self.sessions.get(session_id or "", f"session {session_id}" if session_id else "no session")

    def area(self, area_id: str | None) -> str:
        if not area_id:
            return "no focus area"
        return self.focus_areas.get(area_id, f"#{area_id}")

    def finding(self, finding_id: str | None) -> str:
        title = self.findings.get(finding_id or "")
        return f"finding '{title}'" if title else "a finding"

    def evidence_item(self, evidence_id: str | None) -> str:
        words = self.evidence.get(evidence_id or "")
        return f"evidence {words}" if words else "an evidence item"


def excerpt(text: object, width: int = 40) -> str:
    """A line of text quoted, cut at ``width`` characters: "'Supervision is weekly…'"."""
    words = " ".join(str(text).split())
    return f"'{words}'" if len(words) <= width else f"'{words[: width - 1].rstrip()}…'"


def session_label(day: dt.date, start: str, title: str) -> str:
    """'Tuesday 13:30 Case file audit'."""
    return f"{day:%A} {start} {title}"


def local_time(stamp: str | None, with_seconds: bool = False) -> str:
    """A stored UTC stamp ('2026-03-02T09:41:07.123+00:00') as local time, 'Mon 2 Mar 09:41';
    a stamp that cannot be read is shown as it is."""
    if not stamp:
        return "?"
    try:
        when = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    local = when.astimezone()
    return local.strftime(f"%a %-d %b %H:%M{':%S' if with_seconds else ''}")


def shorten(text: str, width: int) -> str:
    """``text`` cut at a word to fit ``width``, with an ellipsis."""
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    if text[width - 1] != " ":  # the last word would be cut: drop it
        cut = cut.rsplit(" ", 1)[0]
    cut = cut.rstrip(" ,;:-")
    return (cut if len(cut) >= width // 2 else text[: width - 1]) + "…"
