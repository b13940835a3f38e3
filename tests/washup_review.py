"""A review written for the wash-up tests: the small review's week (another council, three days)
with key lines of enquiry under each focus area and focus areas on the sessions, and two
reviewers' notes of its first day tied to lines of enquiry. Everything is invented.

Lines of enquiry: front-door.1..3, early-help.1..2, adolescents.1. After day 1:
- front-door.1: an interview and a case audit (tested);
- front-door.2: a case audit only; early-help.2: an interview only (one kind of source each);
- front-door.3, early-help.1, adolescents.1: nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from peerreview_tui.store import Store, notes
from tests.small_review import load_small_review, small_schedule

LINES = {
    "front-door": [
        "Are thresholds understood and applied consistently?",
        "Are plans specific and reviewed?",
        "Is step-down to early help safe?",
    ],
    "early-help": ["Do partners share one view of early help?", "Is the impact of early help measured?"],
    "adolescents": ["Are return home interviews offered and used?"],
}
AREAS_OF_SESSION = {
    "mon-0830-team": ["front-door"],  # a team meeting: tests nothing
    "mon-0900-director": ["front-door", "early-help"],
    "mon-1030-files": ["front-door"],
    "mon-1400-swfg": ["front-door", "adolescents"],
    "tue-0900-files": ["front-door", "early-help"],
    "tue-1300-mash": ["front-door"],
    "tue-1500-conference": ["adolescents"],
    "wed-0900-partners": ["early-help", "front-door"],
    "wed-1030-hub": ["early-help"],
    "wed-1500-feedback": ["front-door", "early-help", "adolescents"],  # the presentation
}
DIRECTOR_NOTE = (
    "Interview notes\n"
    "+ Thresholds are well understood by managers #front-door.1\n"
    "- Nobody measures what early help achieves #early-help.2\n"
    "? Ask for the early help outcome measures #early-help.2\n"
)
FILES_NOTE = "+ Thresholds applied consistently in all six files #front-door.1\n- Plans list services, not outcomes #front-door.2\n"


def washup_schedule() -> dict[str, Any]:
    schedule = small_schedule()
    for area in schedule["focus_areas"]:
        area["lines_of_enquiry"] = LINES[area["id"]]
    for day in schedule["days"]:
        for session in day["sessions"]:
            session["focus_areas"] = AREAS_OF_SESSION[session["id"]]
    return schedule


def load_washup_review(path: Path) -> Store:
    """The review with the first day's notes; the caller closes the store."""
    store = load_small_review(path, washup_schedule())
    notes.save_note(store, "mon-0900-director", "lead", DIRECTOR_NOTE)
    notes.save_note(store, "mon-1030-files", "officer", FILES_NOTE)
    return store
