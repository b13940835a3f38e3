"""The wash-up matrix: counts per focus area and source, thin cells and rows, filters, the text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from peerreview_tui.coverage import Cell, compute_coverage, format_coverage
from peerreview_tui.imports import import_performance, import_questionnaire
from peerreview_tui.models import SourceKind, now
from peerreview_tui.store import Store, notes, week
from peerreview_tui.store.evidence_items import add_document, list_evidence

DATA = Path(__file__).resolve().parent.parent / "peerreview_tui" / "data"
MONDAY, TUESDAY = dt.date(2012, 9, 10), dt.date(2012, 9, 11)


def _week(store: Store) -> None:
    """Two focus groups and an interview on Monday, a site visit on Tuesday."""
    focus_group = (
        "+ supervision #practice\n- caseloads #practice #commissioning\n? who audits #practice\n"
        "! we never see the plan #practice\nuntagged:\n+ the café"
    )
    notes.save_note(store, "mon-1400-swfg", "officer2", focus_group)
    notes.save_note(store, "tue-1100-tmfg", "officer1", "+ managers know their cases #practice")
    notes.save_note(
        store, "mon-1330-lscb", "lead", "- no early help strategy #early-help\n+ challenge #partnership"
    )
    notes.save_note(store, "tue-0900-mash", "health", "+ triage is quick #partnership")


def _titles(store: Store) -> dict[str, str]:
    return {area.id: area.title for area in week.focus_areas(store)}


def test_cells_count_each_kind_of_mark_and_the_sessions_behind_them(store: Store) -> None:
    _week(store)
    coverage = compute_coverage(store)
    assert coverage.areas == ["practice", "early-help", "partnership", "commissioning"]
    assert coverage.sources == [SourceKind.INTERVIEW, SourceKind.FOCUS_GROUP, SourceKind.SITE_VISIT]
    practice = coverage.cell("practice", SourceKind.FOCUS_GROUP)
    assert (practice.strengths, practice.developments, practice.follow_ups, practice.quotes) == (2, 1, 1, 1)
    assert practice.total == 5 and len(practice.evidence_ids) == 5
    assert practice.sessions == {"mon-1400-swfg", "tue-1100-tmfg"} and not practice.thin
    # one item with two tags counts in both rows
    assert coverage.cell("commissioning", SourceKind.FOCUS_GROUP).developments == 1
    assert coverage.cell("early-help", SourceKind.INTERVIEW).thin
    assert coverage.cell("early-help", SourceKind.SITE_VISIT) == Cell() and Cell().thin
    assert coverage.untagged == 1


def test_a_row_resting_on_one_session_is_thin(store: Store) -> None:
    _week(store)
    coverage = compute_coverage(store)
    assert coverage.thin_areas() == ["early-help", "commissioning"]  # partnership: an interview and a visit


def test_data_sources_count_once_so_a_cell_of_data_alone_is_thin(store: Store) -> None:
    import_performance(store, DATA / "performance.example.csv", "manager")
    import_questionnaire(store, DATA / "questionnaire.example.csv", "manager")
    add_document(
        store, title="Position statement", summary="candid", focus_areas=["early-help"], actor="manager"
    )
    add_document(
        store, title="Early help strategy", summary="draft only", focus_areas=["early-help"], actor="manager"
    )
    coverage = compute_coverage(store)
    assert coverage.sources == [
        SourceKind.INTERVIEW,
        SourceKind.FOCUS_GROUP,
        SourceKind.PERFORMANCE_DATA,
        SourceKind.QUESTIONNAIRE,
        SourceKind.DOCUMENT,
    ]
    data = coverage.cell("practice", SourceKind.PERFORMANCE_DATA)
    assert data.observations == 5 and data.thin
    assert coverage.cell("early-help", SourceKind.DOCUMENT).thin
    assert coverage.thin_areas() == []  # each row has data and the questionnaire


def test_filters_by_day_and_reviewer(store: Store) -> None:
    _week(store)
    import_performance(store, DATA / "performance.example.csv", "manager")
    tuesday = compute_coverage(store, day=TUESDAY)
    assert tuesday.sources == [SourceKind.INTERVIEW, SourceKind.FOCUS_GROUP, SourceKind.SITE_VISIT]
    assert tuesday.cell("practice", SourceKind.FOCUS_GROUP).strengths == 1
    assert tuesday.cell("partnership", SourceKind.SITE_VISIT).sessions == {"tue-0900-mash"}
    assert tuesday.untagged == 0
    lead = compute_coverage(store, author="lead")
    assert lead.cell("partnership", SourceKind.INTERVIEW).strengths == 1
    assert lead.cell("practice", SourceKind.FOCUS_GROUP).total == 0
    assert compute_coverage(store, day=MONDAY, author="officer2").untagged == 1


def test_detached_items_are_not_counted(store: Store) -> None:
    notes.save_note(store, "mon-1330-lscb", "lead", "+ challenge #partnership")
    [view] = list_evidence(store)
    stamp = now()
    with store.write() as db:
        db.execute(
            "INSERT INTO findings (id, section, position, title, status, created_by, created_at, updated_by, "
            "updated_at) VALUES ('f1', 'strength', 1, 'LSCB', 'draft', 'lead', ?, 'lead', ?)",
            [stamp, stamp],
        )
        db.execute(
            "INSERT INTO finding_evidence (finding_id, evidence_id, created_by, created_at, updated_by, "
            "updated_at) VALUES ('f1', ?, 'lead', ?, 'lead', ?)",
            [view.item.id, stamp, stamp],
        )
    notes.save_note(store, "mon-1330-lscb", "lead", "nothing marked")
    assert compute_coverage(store).cell("partnership", SourceKind.INTERVIEW).total == 0


def test_the_text_matrix_shows_titles_counts_and_thin_marks(store: Store) -> None:
    _week(store)
    text = format_coverage(compute_coverage(store), _titles(store))
    lines = text.splitlines()
    assert lines[0].split() == ["Focus", "area", "interview", "focus", "group", "site", "visit"]
    assert lines[1].startswith("Quality of practice and care planning") and '2+ 1- 1? 1"' in lines[1]
    assert lines[2].startswith("Impact of early intervention") and "0+ 1- 0?!" in lines[2]
    assert "+ strength" in text and "! thin" in text
    assert (
        "Thin across every source: Impact of early intervention and service re-modelling; "
        "Effectiveness of commissioning" in text
    )
    assert lines[-1] == "1 item not tagged to a focus area"


def test_the_text_matrix_of_a_full_week_fits_120_columns(store: Store) -> None:
    _week(store)
    for session_id in ("mon-1045-files", "tue-1330-strategy", "mon-0930-dcs", "fri-1400-feedback"):
        notes.save_note(store, session_id, "lead", "+ one #practice\n- two #early-help\n? three #partnership")
    import_performance(store, DATA / "performance.example.csv", "manager")
    import_questionnaire(store, DATA / "questionnaire.example.csv", "manager")
    add_document(store, title="Plan", summary="priorities", focus_areas=["partnership"], actor="lead")
    coverage = compute_coverage(store)
    assert len(coverage.sources) == 9
    text = format_coverage(coverage, _titles(store))
    assert max(map(len, text.splitlines())) <= 120
    assert "Quality of practice" in text and "Effectiveness of commissioning" in text
    assert "obs!" in text and text.splitlines()[-1] == "1 item not tagged to a focus area"


def test_an_empty_review_is_thin_everywhere(store: Store) -> None:
    coverage = compute_coverage(store)
    assert coverage.sources == [SourceKind.INTERVIEW, SourceKind.FOCUS_GROUP]
    assert coverage.thin_areas() == coverage.areas and coverage.untagged == 0
    assert format_coverage(coverage, {}).splitlines()[-1] == "0 items not tagged to a focus area"
