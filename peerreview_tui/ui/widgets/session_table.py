"""The schedule's table: Textual's DataTable, with its one-line text cells drawn directly.

DataTable draws every cell through Rich (a padded, styled renderable laid out in its own console
pass): on a day of 110 sessions that was most of the cost of showing a day (bench/). A schedule
cell is one line of plain text in one style, already cut to its column (see the schedule's
`_cut`), so its line is three segments: the padding, the text, the padding. Anything else (the
header, a text with spans or wider than its column) is drawn by DataTable as before, and the
picture is the same either way (tests/ui/test_session_table.py compares them).
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowKey

_NULL = Style.null()


class SessionTable(DataTable[Text]):
    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        # DataTable measures every cell of the new rows through Rich to size the columns that fit
        # their content; the schedule gives each column its width, and its rows are one line
        # high, so only the table's size is left to set.
        if any(column.auto_width for column in self.columns.values()) or any(
            self.rows[key].auto_height or self.rows[key].label is not None
            for key in new_rows
            if key in self.rows
        ):
            super()._update_dimensions(new_rows)
            return
        width = sum(column.get_render_width(self) for column in self.columns.values())
        header = self.header_height if self.show_header else 0
        self.virtual_size = Size(width + self._row_label_column_width, self._total_row_height + header)

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> list[list[Segment]]:
        fast = self._one_line_cell(row_index, column_index, width)
        if fast is None:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        row_key, column_key, cell = fast
        cache_key = (
            row_key,
            column_key,
            base_style,
            cursor,
            hover,
            self._show_hover_cursor,
            self._update_count,
            self._pseudo_class_state,
        )
        lines = self._cell_render_cache.get(cache_key)
        if lines is None:
            is_fixed = row_index < self.fixed_rows or column_index < self.fixed_columns
            component_style, post_style = self._get_styles_to_render_cell(
                False,
                False,
                is_fixed,
                hover,
                cursor,
                self.show_cursor,
                self._show_hover_cursor,
                self.cursor_foreground_priority == "css",
                self.cursor_background_priority == "css",
            )
            # What Styled(Padding(cell, (0, pad)), pre_style, post_style) renders to, on one line.
            pre = base_style + Style.from_meta({"row": row_index, "column": column_index}) + component_style
            blank = pre + _NULL + post_style
            text_style = self.app.console.get_style(cell.style) if isinstance(cell.style, str) else cell.style
            pad = self.cell_padding
            spare = width - 2 * pad - cell.cell_len
            line = [Segment(" " * pad, blank)]
            if cell.plain:
                line.append(Segment(cell.plain, pre + text_style + post_style))
            line.append(Segment(" " * (spare + pad), blank))
            lines = [line]
            self._cell_render_cache[cache_key] = lines
        return lines

    def _one_line_cell(
        self, row_index: int, column_index: int, width: int
    ) -> tuple[RowKey, ColumnKey, Text] | None:
        """The cell's keys and text if it is drawn here: a data cell of a one-line row holding one
        line of text in a single style that fits its column."""
        if row_index < 0 or column_index < 0:
            return None
        row_key: RowKey | None = self._row_locations.get_key(row_index)
        column_key: ColumnKey | None = self._column_locations.get_key(column_index)
        if row_key is None or column_key is None or self.rows[row_key].height != 1:
            return None
        cell = self._data.get(row_key, {}).get(column_key)
        if (
            not isinstance(cell, Text)
            or cell.spans
            or "\n" in cell.plain
            or "\t" in cell.plain
            or cell.cell_len > width - 2 * self.cell_padding
        ):
            return None
        return row_key, column_key, cell
