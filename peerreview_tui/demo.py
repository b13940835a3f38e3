"""The demo review: the example week with invented notes (their marks tied to lines of enquiry),
data, documents, follow-ups handed out and closed, and findings, so every screen (the wash-up of
every day too) has something to show at first start."""

from __future__ import annotations

import hashlib
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml

from .evidence import parse_marks
from .imports import import_performance, import_questionnaire
from .models import FindingSection, FindingStatus
from .schedule import LoadedSchedule, parse_schedule
from .store import Store, enquiry, findings, follow_ups, notes, week
from .store.evidence_items import add_document

DATA = resources.files("peerreview_tui") / "data"

# title, summary, focus areas, lines of enquiry it speaks to
DOCUMENTS = [
    (
        "Self-assessment / position statement (2012)",
        "Candid about assessment timeliness; early help impact described but not measured",
        ["practice", "early-help"],
        ["early-help.4"],
    ),
    (
        "Children and Young People's Plan 2011-14",
        "Shared priorities across the partnership; no needs analysis behind the commissioning intentions",
        ["partnership", "commissioning"],
        ["commissioning.1"],
    ),
]


def example_schedule_text() -> bytes:
    return (DATA / "schedule.example.yaml").read_bytes()


def example_schedule() -> LoadedSchedule:
    return parse_schedule(example_schedule_text(), "schedule.example.yaml")


def build_demo(path: Path) -> None:
    """Write the demo review at ``path`` (which must not exist yet)."""
    with Store.open(path, create=True) as store:
        week.apply_schedule(
            store, example_schedule().schedule, hashlib.sha256(example_schedule_text()).hexdigest()
        )
        seed = yaml.safe_load((DATA / "demo_notes.yaml").read_text(encoding="utf-8"))
        for entry in seed["notes"]:
            notes.save_note(store, entry["session"], entry["author"], entry["body"])
        import_performance(store, _as_path(DATA / "performance.example.csv"), actor="manager")
        import_questionnaire(store, _as_path(DATA / "questionnaire.example.csv"), actor="manager")
        for title, summary, areas, lines in DOCUMENTS:
            document = add_document(store, title=title, summary=summary, focus_areas=areas, actor="manager")
            for line in lines:
                enquiry.tie_line(store, document.id, line, "manager")
        for entry in seed["follow_ups"]:
            _follow_up(store, entry)
        for entry in seed["findings"]:
            _add_finding(store, entry)


def _add_finding(store: Store, entry: dict[str, Any]) -> None:
    evidence_ids = [_evidence_id(store, ref) for ref in entry.get("evidence", [])]
    made = findings.create_finding(
        store,
        section=FindingSection(entry["section"]),
        focus_area_id=entry.get("focus_area"),
        title=entry["title"],
        body=entry.get("body", ""),
        evidence_ids=evidence_ids,
        actor="lead",
    )
    if entry.get("status") == FindingStatus.AGREED.value:
        findings.agree_finding(store, made.id, "lead")


def _follow_up(store: Store, entry: dict[str, Any]) -> None:
    question = _evidence_id(store, entry["question"])
    follow_ups.assign_follow_up(
        store, question, owner=entry["owner"], session_id=entry.get("ask_in"), actor=entry["by"]
    )
    if "answer" in entry:
        answer = _evidence_id(store, entry["answer"])
        follow_ups.close_follow_up(store, question, actor=entry["owner"], answer_id=answer)


def _evidence_id(store: Store, ref: dict[str, str]) -> str:
    """The evidence item of the marked line in (session, author)'s note containing ``line``."""
    note = notes.get_note(store, ref["session"], ref["author"])
    if note is None:
        raise ValueError(f"demo data: no note for {ref}")
    marks = [m for m in parse_marks(note.body) if ref["line"] in note.body.splitlines()[m.line_no]]
    if len(marks) != 1:
        raise ValueError(f"demo data: {ref} matches {len(marks)} marked lines")
    with store.read() as db:
        row = next(
            db.query(
                "SELECT id FROM evidence WHERE note_id = ? AND line_no = ?", [note.id, marks[0].line_no]
            ),
            None,
        )
    if row is None:
        raise ValueError(f"demo data: no evidence item for {ref}")
    return str(row["id"])


def _as_path(resource: Traversable) -> Path:
    # package data is a plain file in every install this project supports (wheel or editable)
    return Path(str(resource))
