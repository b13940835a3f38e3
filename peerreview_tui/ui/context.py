"""What every screen knows about the open review: read once when the app starts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Unpack

from ..evidence import LineOfEnquiry, lines_of_enquiry
from ..ownership import Change, Facts, Roster
from ..rows import DayRow, FocusAreaRow, ReviewerRow, ReviewRow
from ..store import Store, week

_HONORIFICS = {"councillor", "cllr", "dr", "mr", "mrs", "ms", "miss", "mx", "prof", "professor"}


@dataclass
class ReviewContext:
    store: Store
    review: ReviewRow
    days: list[DayRow]
    reviewers: list[ReviewerRow]
    focus_areas: list[FocusAreaRow]
    me: str | None = None
    today: dt.date = field(default_factory=dt.date.today)
    clock: Callable[[], dt.datetime] = dt.datetime.now  # tests fix it, for stable snapshots
    # The day the schedule opens on, read with the rest before the app starts: its first frame
    # shows the sessions, with no worker to wait for and no second layout.
    opening_day: week.DaySchedule | None = None
    opening_revision: tuple[int, int] | None = None  # the store's, read before the opening day

    @classmethod
    def load(
        cls,
        store: Store,
        me: str | None = None,
        today: dt.date | None = None,
        clock: Callable[[], dt.datetime] = dt.datetime.now,
    ) -> ReviewContext:
        review = store.review()
        assert review is not None, "Store.open refuses a database without a review"
        today = today or clock().date()
        revision = store.revision()
        return cls(
            store=store,
            review=review,
            days=week.days(store),
            reviewers=week.reviewers(store),
            focus_areas=week.focus_areas(store),
            me=me,
            today=today,
            clock=clock,
            opening_day=week.day_schedule(store, review.day_of(today)),
            opening_revision=revision,
        )

    @cached_property
    def roster(self) -> Roster:
        return Roster.of(self.reviewers)

    def may(self, change: Change, **facts: Unpack[Facts]) -> bool:
        """Whether the person at the keyboard may make ``change``: screens hide what the store
        would refuse (the store still refuses it, whatever the screen shows)."""
        return self.roster.refusal(self.me, change, **facts) is None

    @property
    def current_day(self) -> dt.date:
        return self.review.day_of(self.today)

    def reviewer_name(self, reviewer_id: str | None) -> str:
        found = next((r for r in self.reviewers if r.id == reviewer_id), None)
        return found.name if found else (reviewer_id or "?")

    def reviewer_initials(self, reviewer_id: str) -> str:
        """'Councillor Brian Oakes' -> 'BO': short enough for a table column."""
        words = [
            w for w in self.reviewer_name(reviewer_id).split() if w.lower().strip(".") not in _HONORIFICS
        ]
        return "".join(w[0].upper() for w in words) or reviewer_id

    @property
    def tags(self) -> list[str]:
        return [area.id for area in self.focus_areas]

    @cached_property
    def lines_of_enquiry(self) -> dict[str, LineOfEnquiry]:
        """The review's lines of enquiry by id ("practice.2")."""
        return {line.id: line for line in lines_of_enquiry(self.focus_areas)}

    @property
    def completions(self) -> list[str]:
        """What Tab completes after ``#`` in a note: focus areas, then lines of enquiry."""
        return [*self.tags, *self.lines_of_enquiry]

    def area_title(self, area_id: str | None) -> str:
        found = next((a for a in self.focus_areas if a.id == area_id), None)
        return found.title if found else f"#{area_id}" if area_id else "Not tagged to a focus area"
