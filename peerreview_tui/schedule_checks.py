"""Checks a schedule's models pass but its meaning fails: dates, ids, references, clashes, and
participants that are groups written as one person.

Pure model checks: each issue names its place as a path into the file (``["days", 2, "date"]``);
``schedule`` turns paths into line numbers.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from .clashes import Slot, find_clashes
from .models import Schedule
from .names import Names

MAX_CLASH_WARNINGS = 50

# Words that count people: a participant described with one is a group, whatever its case.
COUNT_WORDS = {
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "dozen": 12,
    "several": 0,
    "some": 0,
    "many": 0,
    "various": 0,
    "all": 0,
    "both": 2,
}
# Plural nouns for people: "Social workers", "Eight young people", "Parents and carers".
PEOPLE_PLURALS = frozenset(
    """
    people persons staff workers managers officers practitioners teachers nurses doctors midwives
    visitors parents carers members leaders representatives partners heads councillors governors
    volunteers residents pupils students colleagues peers advisers advisors consultants therapists
    coordinators co-ordinators commissioners providers chairs clinicians detectives constables
    sergeants inspectors leavers users adults youngsters children families mothers fathers
    foster-carers directors assistants chiefs supervisors administrators reviewers auditors
""".split()
)

Loc = Sequence[str | int]


@dataclass(frozen=True)
class Issue:
    loc: Loc
    message: str
    warning: bool = False
    pinned: bool = True  # False: about the file as a whole, no line to point at


def check_meaning(schedule: Schedule) -> list[Issue]:
    """Errors; and, only when there are none, the clash warnings."""
    issues: list[Issue] = []

    def at(loc: Loc, message: str) -> None:
        issues.append(Issue(loc, message))

    review = schedule.review
    if review.end < review.start:
        at(["review", "end"], f"{review.end} is before the start, {review.start}")

    leads = [i for i, r in enumerate(schedule.reviewers) if r.lead]
    if not leads:
        at(["reviewers"], "no reviewer has 'lead: true'; the lead agrees findings and signs the letter")
    for i in leads[1:]:
        at(["reviewers", i, "lead"], "only one reviewer can be the lead")

    _check_unique(at, [(["focus_areas", i, "id"], f.id) for i, f in enumerate(schedule.focus_areas)])
    _check_unique(at, [(["reviewers", i, "id"], r.id) for i, r in enumerate(schedule.reviewers)])
    _check_unique(at, [(["days", i, "date"], str(d.date)) for i, d in enumerate(schedule.days)])
    _check_unique(
        at,
        [
            (["days", d, "sessions", s, "id"], session.id)
            for d, day in enumerate(schedule.days)
            for s, session in enumerate(day.sessions)
        ],
    )

    reviewer_ids = [r.id for r in schedule.reviewers]
    area_ids = [f.id for f in schedule.focus_areas]
    for d, day in enumerate(schedule.days):
        if review.start <= review.end and not review.start <= day.date <= review.end:
            at(["days", d, "date"], f"{day.date} is outside the review ({review.start} to {review.end})")
        for s, session in enumerate(day.sessions):
            base: list[str | int] = ["days", d, "sessions", s]
            if session.end <= session.start:
                at([*base, "end"], f"{session.end!r} is not after the start, {session.start!r}")
            for i, ref in enumerate(session.reviewers):
                if ref not in reviewer_ids:
                    at([*base, "reviewers", i], _unknown("reviewer", ref, reviewer_ids))
            for i, ref in enumerate(session.focus_areas):
                if ref not in area_ids:
                    at([*base, "focus_areas", i], _unknown("focus area", ref, area_ids))
    return issues or [*_group_warnings(schedule), *_clash_warnings(schedule)]


def looks_like_group(text: str) -> bool:
    """'Eight social workers', '6 parents', 'Team managers': a name that counts or describes
    several people rather than naming one person."""
    return any(word.isdigit() or word in COUNT_WORDS or word in PEOPLE_PLURALS for word in _words(text))


def plural_role(role: str) -> bool:
    """'Social workers (duty team)', 'Parents': a role whose head noun is plural. 'Cabinet member
    for children and families' is one person: only the words before 'of', 'for', ... count."""
    head = re.split(r"[(,;:]|\s(?:of|for|in|at|from|with|to|on)\s", role.casefold(), maxsplit=1)[0]
    words = _words(head)
    return bool(words) and words[-1] in PEOPLE_PLURALS


def _group_warnings(schedule: Schedule) -> Iterator[Issue]:
    for d, day in enumerate(schedule.days):
        for s, session in enumerate(day.sessions):
            for i, person in enumerate(session.participants):
                loc: list[str | int] = ["days", d, "sessions", s, "participants", i]
                if person.name and looks_like_group(person.name):
                    count = _count_in(person.name) or person.count
                    yield Issue(
                        [*loc, "name"],
                        f"{person.name!r} looks like a group, not one person's name: describe them by "
                        f"role with 'count: {count if count > 1 else 'N'}' and leave 'name:' out (names are "
                        "only for checking that exports name no one)",
                        warning=True,
                    )
                elif person.count == 1 and plural_role(person.role):
                    yield Issue(
                        [*loc, "role"],
                        f"{person.role!r} sounds like several people: say how many with 'count: N' "
                        "(otherwise the role counts as one person's)",
                        warning=True,
                    )


def _count_in(text: str) -> int:
    for word in _words(text):
        if word.isdigit():
            return int(word)
        if COUNT_WORDS.get(word):
            return COUNT_WORDS[word]
    return 0


def _words(text: str) -> list[str]:
    return [word.strip(".,;:()'’\"") for word in text.casefold().split()]


def _clash_warnings(schedule: Schedule) -> list[Issue]:
    places: dict[str, Loc] = {
        session.id: ["days", d, "sessions", s]
        for d, day in enumerate(schedule.days)
        for s, session in enumerate(day.sessions)
    }
    slots = [Slot(s.id, day.date, s.start, s.end, s.reviewers, s.location) for day, s in schedule.sessions()]
    clashes = find_clashes(slots, limit=MAX_CLASH_WARNINGS + 1)
    names = Names.of(
        ((r.id, r.name) for r in schedule.reviewers),
        ((s.id, day.date, s.start, s.title) for day, s in schedule.sessions()),
    )
    warnings = [
        Issue(places[c.second], c.describe(names), warning=True) for c in clashes[:MAX_CLASH_WARNINGS]
    ]
    if len(clashes) > MAX_CLASH_WARNINGS:
        warnings.append(
            Issue(["days"], f"more clashes than the first {MAX_CLASH_WARNINGS} shown", True, False)
        )
    return warnings


def _check_unique(at: Callable[[Loc, str], None], entries: list[tuple[Loc, str]]) -> None:
    seen: set[str] = set()
    for loc, value in entries:
        if value in seen:
            at(loc, f"{value!r} is used twice; ids must be unique")
        seen.add(value)


def _unknown(what: str, ref: str, known: list[str]) -> str:
    close = difflib.get_close_matches(ref, known, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else f" (known: {', '.join(known)})"
    return f"{ref!r} is not a {what} in this file{hint}"
