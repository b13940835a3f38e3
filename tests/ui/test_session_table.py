"""The schedule's table draws the picture Textual's DataTable draws for the same rows (row cursor,
zebra stripes), focused or not, with the mouse over a row, in a dark and a light theme; and it
moves as DataTable does."""

from __future__ import annotations

from typing import Any

import pytest
from rich.style import Style
from rich.text import Text
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import DataTable

from peerreview_tui.ui.widgets.session_table import Column, Row, SessionTable

COLUMNS = [
    Column("mark", "", 1),
    Column("time", "Time", 11),
    Column("title", "Session", 24),
    Column("who", "Who", 5),
]
TEXTS = [
    ("·", "09:00–10:00", "Meeting with the director", "HM"),  # wider than its column: cropped
    ("⚠", "10:15–11:00", "Case audit", "team"),
    ("✓", "11:00–12:00", "Social workers' focus gro…", "HM RT"),
    ("✗", "13:00–14:00", "Cancelled visit", ""),
]
SIZE = (60, 8)


def _cells(texts: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    style = "dim strike" if texts[0] == "✗" else ""
    return ((texts[0], "bold yellow" if texts[0] == "⚠" else ""), *((t, style) for t in texts[1:]))


ROWS = [Row(f"row-{n}", _cells(texts)) for n, texts in enumerate(TEXTS * 3)]  # more than fit: it scrolls


class OneTable(App[None]):
    def __init__(self, table: Widget, theme: str) -> None:
        super().__init__()
        self.table = table
        self.theme = theme
        self.highlighted: list[str] = []
        self.selected: list[str] = []

    def compose(self) -> ComposeResult:
        yield self.table

    def on_session_table_row_highlighted(self, message: SessionTable.RowHighlighted) -> None:
        self.highlighted.append(message.row_key)

    def on_session_table_row_selected(self, message: SessionTable.RowSelected) -> None:
        self.selected.append(message.row_key)


def _fill(table: Widget) -> None:
    """The rows into either table, once it is in an app."""
    if isinstance(table, SessionTable):
        table.set_rows(COLUMNS, ROWS)
        return
    assert isinstance(table, DataTable)
    for column in COLUMNS:
        table.add_column(column.label, key=column.key, width=column.width)
    for row in ROWS:
        table.add_row(*(Text(text, style=style) for text, style in row.cells), key=row.key)


async def _picture(table: Widget, theme: str, focused: bool, hover_row: int | None, cursor: int) -> list[Any]:
    """What the table draws, a (character, style) pair a cell, the styles without the mouse
    metadata DataTable keeps in them."""
    app = OneTable(table, theme)
    async with app.run_test(size=SIZE) as pilot:
        _fill(table)
        table.focus() if focused else app.set_focus(None)
        table.move_cursor(row=cursor)  # type: ignore[attr-defined]
        await pilot.pause()
        if hover_row is not None:
            await pilot.hover(table, offset=(3, hover_row + 1))
        await pilot.pause()
        lines = table.render_lines(Region(0, 0, table.size.width, table.size.height))
    return [
        [
            (character, (segment.style or Style()).clear_meta_and_links())
            for segment in line
            for character in segment.text
        ]
        for line in lines
    ]


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
@pytest.mark.parametrize(
    ("focused", "hover_row", "cursor"),
    [(True, None, 2), (False, None, 2), (True, 1, 0), (True, None, 9)],  # 9: scrolled down to it
)
async def test_the_picture_is_datatables(
    theme: str, focused: bool, hover_row: int | None, cursor: int
) -> None:
    ours = await _picture(SessionTable(), theme, focused, hover_row, cursor)
    theirs = await _picture(
        DataTable(cursor_type="row", zebra_stripes=True), theme, focused, hover_row, cursor
    )
    assert ours == theirs


async def test_keys_move_the_cursor_and_enter_selects() -> None:
    table = SessionTable()
    app = OneTable(table, "textual-dark")
    async with app.run_test(size=SIZE) as pilot:
        table.set_rows(COLUMNS, ROWS)
        table.focus()
        await pilot.press("down", "down", "enter")
        assert table.cursor_key == "row-2"
        await pilot.press("end")
        assert table.cursor_key == "row-11"
        assert table.scroll_y == len(ROWS) + 1 - SIZE[1]  # the last row on show, under the header
        await pilot.press("pageup", "home", "up")
        assert table.cursor_row == 0
        await pilot.pause()
    assert app.highlighted[:2] == ["row-1", "row-2"]
    assert app.selected == ["row-2"]


async def test_a_click_highlights_a_row_and_a_second_click_opens_it() -> None:
    table = SessionTable()
    app = OneTable(table, "textual-dark")
    async with app.run_test(size=SIZE) as pilot:
        table.set_rows(COLUMNS, ROWS)
        await pilot.click(table, offset=(5, 3))  # the header is line 0
        await pilot.pause()
        assert (table.cursor_key, app.selected) == ("row-2", [])
        await pilot.click(table, offset=(5, 3))
        await pilot.pause()
    assert app.selected == ["row-2"]


async def test_rows_set_again_keep_the_cursor_on_its_row_if_it_is_still_there() -> None:
    table = SessionTable()
    async with OneTable(table, "textual-dark").run_test(size=SIZE) as pilot:
        table.set_rows(COLUMNS, ROWS)
        table.move_cursor(row=3)
        table.set_rows(COLUMNS, ROWS[2:], cursor_key=table.cursor_key)
        assert (table.cursor_key, table.cursor_row) == ("row-3", 1)
        table.set_rows(COLUMNS, ROWS[5:], cursor_key="row-3")
        assert table.cursor_key == "row-5"
        table.clear()
        assert (table.cursor_key, table.row_count) == (None, 0)
        await pilot.pause()
