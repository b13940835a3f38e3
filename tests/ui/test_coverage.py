"""The wash-up matrix: thin cells, drill-down, and a finding made from evidence."""

from __future__ import annotations

import re

from peerreview_tui.store import findings
from peerreview_tui.store.evidence_items import list_evidence
from peerreview_tui.ui.modals.document_form import DocumentFormModal
from peerreview_tui.ui.modals.finding_form import FindingFormModal
from peerreview_tui.ui.screens.coverage import CoverageScreen

from .conftest import SIZE, make_app, wait_until


async def _open_coverage(app, pilot) -> CoverageScreen:
    await pilot.press("f4")
    await wait_until(pilot, lambda: isinstance(app.screen, CoverageScreen) and app.screen.view is not None)
    return app.screen


async def test_the_matrix_flags_thin_cells(demo) -> None:
    app = make_app(demo, me="lead")
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_coverage(app, pilot)
        table = screen.query_one("#matrix")
        assert str(table.get_cell("commissioning", "interview")).endswith("!")
        assert not str(table.get_cell("practice", "focus_group")).endswith("!")
        assert str(table.get_cell("(untagged)", "area")) == "Not tagged (4)"


async def test_a_finding_from_three_items_across_two_sessions(demo) -> None:
    app = make_app(demo, me="lead")
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_coverage(app, pilot)
        table = screen.query_one("#matrix")
        table.cursor_coordinate = (table.get_row_index("practice"), table.get_column_index("focus_group"))
        await pilot.press("enter")
        items = screen.query_one("#items")
        await wait_until(pilot, lambda: items.option_count > 0)
        sessions = {}
        for view in screen.view.items:
            if view.item.kind.value == "development" and len(sessions) < 3:
                sessions.setdefault(view.item.id, view.item.session_id)
        chosen = list(sessions)[:3]
        assert len(set(sessions.values())) >= 2
        for item_id in chosen:
            items.select(item_id)
        await pilot.press("f")
        await wait_until(pilot, lambda: isinstance(app.screen, FindingFormModal))
        app.screen.query_one("#section").value = "development"
        app.screen.query_one("#title").value = "Caseloads in assessment teams are too high"
        await pilot.press("ctrl+s")
        await wait_until(
            pilot, lambda: any(v.finding.title.startswith("Caseloads") for v in findings.list_findings(demo))
        )
    made = next(v for v in findings.list_findings(demo) if v.finding.title.startswith("Caseloads"))
    assert set(made.evidence_ids) == set(chosen)
    assert made.finding.focus_area_id == "practice"
    assert made.badge.sessions >= 2 and made.badge.reviewers >= 1


async def test_a_document_needs_a_title_and_what_it_shows(demo) -> None:
    app = make_app(demo, me="lead")
    async with app.run_test(size=SIZE) as pilot:
        await _open_coverage(app, pilot)
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, DocumentFormModal))
        form = app.screen
        form.query_one("#title").value = "Early help strategy 2012-15"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form
        assert "say what it shows" in str(form.query_one("#error").render())
        form.query_one("#summary").value = "Targets set but no baseline"
        await pilot.click("#save")
        await wait_until(pilot, lambda: isinstance(app.screen, CoverageScreen))
        await wait_until(
            pilot, lambda: any(v.item.title == "Early help strategy 2012-15" for v in list_evidence(demo))
        )
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, DocumentFormModal))
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, CoverageScreen))


async def test_the_not_tagged_row_counts_by_source_and_no_count_is_cut(demo) -> None:
    untagged = list_evidence(demo, untagged=True)
    for size in [(100, 30), (160, 48)]:
        app = make_app(demo, me="lead")
        async with app.run_test(size=size) as pilot:
            screen = await _open_coverage(app, pilot)
            table = screen.query_one("#matrix")
            kinds = {view.item.source_kind.value for view in untagged}
            for kind in kinds:
                count = sum(view.item.source_kind.value == kind for view in untagged)
                shown = str(table.get_cell("(untagged)", kind))  # e.g. 0+ 1- 0? 1" (one quote)
                assert sum(int(n) for n in re.findall(r"\d+", shown)) == count, shown
            if size[0] >= 160:
                assert sum(column.get_render_width(table) for column in table.columns.values()) <= size[0]
            assert table.fixed_columns == 1  # narrower: the titles stay while the counts scroll
            for column_key, column in table.columns.items():
                if column_key.value == "area":
                    continue
                for row_key in table.rows:
                    assert len(str(table.get_cell(row_key, column_key))) <= column.width, (
                        row_key,
                        column_key,
                    )
