"""Evidence items and findings read back for display are built from their rows without a second
validation: what the lists give is what validating every row through pydantic gives, value for
value and type for type, on the demo review (with tags, lines tied, a broken link, a chosen
quote, a deleted finding) and on a generated week."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter

from bench.generate import generate_week
from peerreview_tui.models import EvidenceItem, EvidenceKind, Finding
from peerreview_tui.store import Store, findings, notes, week
from peerreview_tui.store.enquiry import review_lines, tie_line
from peerreview_tui.store.evidence_items import evidence_facts, list_evidence
from peerreview_tui.store.tagging import tag_evidence
from peerreview_tui.triangulation import Triangulation


def _validated(row_type: type[Any], row: dict[str, Any], json_columns: tuple[str, ...] = ()) -> Any:
    names = {field.name for field in dataclasses.fields(row_type)}
    decoded = {k: json.loads(v) if k in json_columns else v for k, v in row.items() if k in names}
    return TypeAdapter(row_type).validate_python(decoded)


def _item(row: dict[str, Any]) -> EvidenceItem:
    item: EvidenceItem = _validated(EvidenceItem, row, ("focus_areas", "lines_of_enquiry", "data"))
    return item


def _same(read: Any, validated: Any) -> None:
    """Equal, and every field of the same type (an enum, not its string; a bool, not 0)."""
    assert read == validated
    for field in dataclasses.fields(validated):
        assert type(getattr(read, field.name)) is type(getattr(validated, field.name)), field.name


def _varied(store: Store) -> None:
    """Tags and lines added by others, a chosen quote, a detached link, a deleted and an agreed
    finding, and a cited note line deleted (a broken link)."""
    areas = [area.id for area in week.focus_areas(store)]
    lines = [line.id for line in review_lines(store)]
    items = list_evidence(store)
    for n, view in enumerate(items[:30]):
        if (area := areas[n % len(areas)]) not in view.item.focus_areas:
            tag_evidence(store, view.item.id, area, "lead")
        if n % 2:
            tie_line(store, view.item.id, lines[n % len(lines)], "lead")
    views = findings.list_findings(store)
    quote = next(v.item for v in items if v.item.kind is EvidenceKind.QUOTE)
    cited = [v.item for v in items[30:34] if v.item.note_id]
    first = views[0].finding.id
    findings.attach_evidence(store, first, [quote.id, *(item.id for item in cited)], "lead")
    findings.choose_quote(store, first, quote.id, True, "lead")
    findings.detach_evidence(store, first, [cited[1].id], "lead")
    findings.delete_finding(store, views[1].finding.id, "lead")
    findings.agree_finding(store, views[2].finding.id, "lead")
    gone = cited[0]
    assert gone.session_id is not None
    note = next(n for n in notes.notes_for_session(store, gone.session_id) if n.id == gone.note_id)
    kept = [line for n, line in enumerate(note.body.splitlines()) if n != gone.line_no]
    notes.save_note(store, note.session_id, note.author_id, "\n".join(kept))


@pytest.fixture(params=["demo", "generated week"])
def review(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "demo":
        store: Store = request.getfixturevalue("demo")
        _varied(store)
        assert store.query("SELECT count(*) AS n FROM evidence WHERE detached = 1")[0]["n"] == 1
        yield store
        return
    generate_week(tmp_path / "week.db", scale=1)
    with Store.open(tmp_path / "week.db") as generated:
        yield generated


def test_findings_read_as_validating_every_row_would(review: Store) -> None:
    views = findings.list_findings(review)
    rows = review.query("SELECT * FROM findings WHERE deleted_at IS NULL")
    assert {view.finding.id for view in views} == {row["id"] for row in rows}
    validated = {row["id"]: _validated(Finding, row) for row in rows}
    for view in views:
        _same(view.finding, validated[view.finding.id])
        linked = findings.linked_evidence(review, view.finding.id)
        assert view.evidence_ids == tuple(link.item.id for link in linked)
        # the badge counted from the one query is the badge of the whole items
        assert view.badge == Triangulation.of(link.item for link in linked)
        assert findings.get_finding(review, view.finding.id) == view


def test_evidence_reads_as_validating_every_row_would(review: Store) -> None:
    raw = {row["id"]: row for row in review.query("SELECT * FROM evidence")}
    listed = list_evidence(review, include_detached=True)
    assert {view.item.id for view in listed} == set(raw)
    for view in listed:
        # as listed, an item's focus areas and lines include those others added
        row = raw[view.item.id] | {
            "focus_areas": json.dumps(view.item.focus_areas),
            "lines_of_enquiry": json.dumps(view.item.lines_of_enquiry),
        }
        _same(view.item, _item(row))
    for view in findings.list_findings(review):
        for link in findings.linked_evidence(review, view.finding.id):
            _same(link.item, _item(raw[link.item.id]))
    facts = {fact.id: fact for fact in evidence_facts(review)}
    for view in listed:
        if not view.item.detached:
            fact = facts[view.item.id]
            assert (fact.focus_areas, fact.lines) == (view.item.focus_areas, view.item.lines_of_enquiry)
