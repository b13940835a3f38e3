"""A small review written for the export tests, not the example week: another council, three
days, three focus areas, a session of every kind, agreed findings. Everything is invented.

``small_schedule(**changes)`` is the schedule as a dict (``review.letter`` and
``review.presentation`` replaced by ``letter=`` and ``presentation=``); ``load_small_review``
loads a schedule into a new database and adds the findings.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from peerreview_tui.models import FindingSection
from peerreview_tui.schedule import parse_schedule
from peerreview_tui.store import Store, findings, week

COUNCIL = "Harrowfield Metropolitan Borough Council"
TITLE = "Safeguarding and early help peer challenge"
LONG_AREA = (
    "How well the partnership identifies, assesses and supports adolescents at risk of exploitation "
    "outside the home"
)
AREAS = {
    "front-door": "Effectiveness of the front door and thresholds",
    "early-help": "Reach and impact of early help",
    "adolescents": LONG_AREA,
}
PARTICIPANT_NAMES = ("Dana Whitlow", "Imran Sethi")

_SCHEDULE: dict[str, Any] = {
    "review": {
        "id": "harrowfield-2024",
        "title": TITLE,
        "council": COUNCIL,
        "start": dt.date(2024, 3, 4),
        "end": dt.date(2024, 3, 6),
        "letter": {
            "addressee": "Morag Ellison",
            "position": "Chief Executive",
            "address": [COUNCIL, "Town Hall", "Harrowfield", "HF1 2AB"],
            "salutation": "Dear Ms Ellison",
        },
    },
    "focus_areas": [{"id": key, "title": title} for key, title in AREAS.items()],
    "reviewers": [
        {
            "id": "lead",
            "name": "Gareth Pennock",
            "role": "Review lead",
            "organisation": "Lakemoor Council",
            "lead": True,
        },
        {"id": "officer", "name": "Sunita Bhatt", "role": "Officer peer", "organisation": "Fenwold Council"},
        {"id": "health", "name": "Owen Carrick", "role": "Health peer", "organisation": "Fenwold NHS Trust"},
        {
            "id": "manager",
            "name": "Lucy Ferrand",
            "role": "Peer review manager",
            "organisation": "Peer Review Programme",
        },
    ],
    "days": [
        {
            "date": dt.date(2024, 3, 4),
            "sessions": [
                {
                    "id": "mon-0830-team",
                    "start": "08:30",
                    "end": "09:00",
                    "title": "Team meeting",
                    "kind": "meeting",
                    "reviewers": ["lead", "officer", "health", "manager"],
                },
                {
                    "id": "mon-0900-director",
                    "start": "09:00",
                    "end": "10:00",
                    "title": "Interview: Director of Children's Services",
                    "kind": "interview",
                    "reviewers": ["lead"],
                    "participants": [{"role": "Director of Children's Services", "name": "Dana Whitlow"}],
                },
                {
                    "id": "mon-1030-files",
                    "start": "10:30",
                    "end": "12:30",
                    "title": "Case file audit",
                    "kind": "case_file_audit",
                    "reviewers": ["officer", "health"],
                    "cases": 6,
                    "participants": [{"role": "Team manager", "count": 2}],
                },
                {
                    "id": "mon-1400-swfg",
                    "start": "14:00",
                    "end": "15:30",
                    "title": "Focus group: social workers",
                    "kind": "focus_group",
                    "reviewers": ["officer"],
                    "participants": [{"role": "Social worker", "count": 8}],
                },
            ],
        },
        {
            "date": dt.date(2024, 3, 5),
            "sessions": [
                {
                    "id": "tue-0900-files",
                    "start": "09:00",
                    "end": "12:00",
                    "title": "Case file audit",
                    "kind": "case_file_audit",
                    "reviewers": ["officer", "health"],
                    "cases": 8,
                    "participants": [{"role": "Team manager", "count": 2}],
                },
                {
                    "id": "tue-1300-mash",
                    "start": "13:00",
                    "end": "14:00",
                    "title": "Site visit: the front door",
                    "kind": "site_visit",
                    "reviewers": ["lead", "manager"],
                    "participants": [{"role": "Front door practitioner", "count": 5}],
                },
                {
                    "id": "tue-1500-conference",
                    "start": "15:00",
                    "end": "16:30",
                    "title": "Observation: child protection conference",
                    "kind": "observation",
                    "reviewers": ["health"],
                    "participants": [{"role": "Conference member", "count": 6}],
                },
            ],
        },
        {
            "date": dt.date(2024, 3, 6),
            "sessions": [
                {
                    "id": "wed-0900-partners",
                    "start": "09:00",
                    "end": "10:00",
                    "title": "Meeting: partnership leads",
                    "kind": "meeting",
                    "reviewers": ["lead", "health"],
                    "participants": [
                        {"role": "Police lead", "name": "Imran Sethi"},
                        {"role": "Health commissioner", "count": 2},
                    ],
                },
                {
                    "id": "wed-1030-hub",
                    "start": "10:30",
                    "end": "11:30",
                    "title": "Walk round the family hub",
                    "kind": "other",
                    "reviewers": ["officer"],
                    "participants": [{"role": "Family hub worker", "count": 3}],
                },
                {
                    "id": "wed-1500-feedback",
                    "start": "15:00",
                    "end": "16:00",
                    "title": "Feedback presentation",
                    "kind": "presentation",
                    "reviewers": ["lead", "officer", "health", "manager"],
                },
            ],
        },
    ],
}

# section, focus area, title, body
FINDINGS = [
    (
        "key_message",
        None,
        "A confident front door and a workforce that feels supported",
        "Staff told the team they feel supported.",
    ),
    (
        "strength",
        "front-door",
        "Thresholds are understood and applied consistently",
        "Partners described the threshold document.",
    ),
    ("strength", "front-door", "Strategy discussions are held the same day in urgent cases", ""),
    ("development", "front-door", "Step-down to early help is not yet tracked", "Cases can wait weeks."),
    ("strength", "early-help", "Family hubs reach the families who need them most", ""),
    ("development", "early-help", "The impact of early help is not yet measured", ""),
    ("strength", "adolescents", "A dedicated team knows its young people well", ""),
    ("development", "adolescents", "Return home interviews are not always offered", ""),
    ("recommendation", None, "Track step-down and measure the impact of early help", ""),
]


def small_schedule(**changes: Any) -> dict[str, Any]:
    """The schedule as a dict; ``letter=`` / ``presentation=`` replace those blocks (None
    removes them); any other keyword replaces the review's field."""
    schedule = copy.deepcopy(_SCHEDULE)
    review = schedule["review"]
    for key, value in changes.items():
        if value is None:
            review.pop(key, None)
        else:
            review[key] = value
    return schedule


def schedule_text(schedule: dict[str, Any]) -> str:
    return yaml.safe_dump(schedule, sort_keys=False, allow_unicode=True)


def load_small_review(path: Path, schedule: dict[str, Any] | None = None, *, drafts: int = 0) -> Store:
    """A new review database at ``path`` with the findings agreed (the last ``drafts`` left as
    drafts). The caller closes the store."""
    loaded = parse_schedule(schedule_text(schedule or small_schedule()), "small.yaml")
    store = Store.open(path, create=True)
    week.apply_schedule(store, loaded.schedule, "sha")
    for number, (section, area, title, body) in enumerate(FINDINGS):
        made = findings.create_finding(
            store, section=FindingSection(section), focus_area_id=area, title=title, body=body, actor="lead"
        )
        if number < len(FINDINGS) - drafts:
            findings.agree_finding(store, made.id, "lead")
    return store
