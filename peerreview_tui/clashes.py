"""Reviewers or rooms booked twice at once: a warning on both sessions, never a refusal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from .names import Names


class Slot(NamedTuple):
    """What a clash check needs to know of a session."""

    session_id: str
    day: dt.date
    start: str
    end: str
    reviewers: Sequence[str]
    location: str


@dataclass(frozen=True)
class Clash:
    kind: str  # "reviewer" or "room"
    who: str  # the reviewer id or the room
    day: dt.date
    first: str  # session ids, in time order
    second: str

    def describe(self, names: Names | None = None) -> str:
        """'Jane Smith is booked in both Tuesday 13:30 Files and Tuesday 15:00 Reality testing';
        ids only where ``names`` does not know them."""
        names = names or Names()
        what = names.reviewer(self.who) if self.kind == "reviewer" else f"room '{self.who}'"
        return f"{what} is booked in both {names.session(self.first)} and {names.session(self.second)}"


def find_clashes(slots: Iterable[Slot], limit: int | None = None) -> list[Clash]:
    """Reviewers or rooms booked in two sessions at once (a warning, never a refusal);
    at most ``limit`` of them."""
    by_day: dict[dt.date, list[Slot]] = {}
    for slot in slots:
        by_day.setdefault(slot.day, []).append(slot)
    clashes = []
    for day, day_slots in sorted(by_day.items()):
        day_slots.sort(key=lambda s: (s.start, s.end, s.session_id))
        for i, a in enumerate(day_slots):
            for b in day_slots[i + 1 :]:
                if b.start >= a.end:
                    break
                for reviewer in sorted(set(a.reviewers) & set(b.reviewers)):
                    clashes.append(Clash("reviewer", reviewer, day, a.session_id, b.session_id))
                room = a.location.strip()
                if room and room.casefold() == b.location.strip().casefold():
                    clashes.append(Clash("room", room, day, a.session_id, b.session_id))
                if limit is not None and len(clashes) >= limit:
                    return clashes[:limit]
    return clashes
