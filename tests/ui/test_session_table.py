"""The schedule's table draws its one-line cells itself: the same picture as DataTable's."""

from __future__ import annotations

from rich.style import Style
from textual.coordinate import Coordinate
from textual.strip import Strip
from textual.widgets import DataTable

from peerreview_tui.store import Store, week
from peerreview_tui.ui.widgets.session_table import SessionTable

from .conftest import SIZE, make_app, settle


def _line(table: SessionTable, row: int, hover: Coordinate, slow: bool) -> list[tuple[str, Style | None]]:
    for cache in (table._line_cache, table._row_render_cache, table._cell_render_cache):
        cache.clear()
    if slow:  # as DataTable draws it
        table._render_cell = lambda *args, **kwargs: DataTable._render_cell(table, *args, **kwargs)  # type: ignore[method-assign]
    try:
        _, cells = table._render_line_in_row(
            table._row_locations.get_key(row), 0, Style.parse("on #223344"), table.cursor_coordinate, hover
        )
    finally:
        if slow:
            del table._render_cell
    return [(segment.text, segment.style) for cell in cells for segment in Strip(cell).simplify()]


async def test_every_row_is_drawn_as_datatable_draws_it(demo: Store) -> None:
    week.set_session_status(demo, week.sessions(demo)[1].id, week.SessionStatus.CANCELLED, "lead")
    app = make_app(demo, me="lead")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#sessions", SessionTable)
        drawn_here = 0
        for day in "12345":
            await pilot.press(day)
            await settle(pilot)
            for cursor in (0, 2):
                table.move_cursor(row=cursor)
                await pilot.pause()
                for row in range(table.row_count):
                    for hover in (Coordinate(-1, -1), Coordinate(row, 1)):
                        assert _line(table, row, hover, slow=False) == _line(table, row, hover, slow=True)
                    drawn_here += all(
                        table._one_line_cell(row, column, c.get_render_width(table)) is not None
                        for column, c in enumerate(table.ordered_columns)
                    )
        assert drawn_here > 20  # the rows were drawn by SessionTable, not handed back to DataTable
