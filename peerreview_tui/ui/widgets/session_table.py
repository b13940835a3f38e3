"""The schedule's table of a day's sessions: a header line and a line a session.

It looks and moves like Textual's DataTable with a row cursor and zebra stripes (the same
component classes and colours; tests/ui/test_session_table.py compares the two pictures), but
holds no more than what it shows: a day's rows are set in one go, as the texts the schedule cut
to their columns, and only the lines on screen are drawn (Textual's line API). DataTable adds a
row at a time (~550 reactive updates for a day of 110 sessions) and draws each cell through
Rich: on the ×10 week that was a third of the time of a day key (bench/, README Performance).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

PADDING = 1  # a space either side of a cell's text, as DataTable's cell_padding
_NULL = Style.null()


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int  # of its text, without the padding

    @property
    def render_width(self) -> int:
        return self.width + 2 * PADDING


@dataclass(frozen=True)
class Row:
    key: str
    cells: tuple[tuple[str, str], ...]  # a column each: one line of text, and its style
    # (cropped to the column; plain strings, not Rich Texts: a day of 110 sessions makes 660)


class SessionTable(ScrollView, can_focus=True):
    DEFAULT_CSS = """
    SessionTable {
        background: $surface;
        color: $foreground;
        height: auto;
        max-height: 100%;
        &:focus {
            background-tint: $foreground 5%;
            & > .datatable--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .datatable--header { background-tint: $foreground 5%; }
        }
        &:dark > .datatable--even-row { background: $surface-darken-1 40%; }
        & > .datatable--header { text-style: bold; background: $panel; color: $foreground; }
        &:ansi > .datatable--header { background: ansi_bright_blue; color: ansi_default; }
        & > .datatable--odd-row { }
        & > .datatable--even-row { background: $surface-lighten-1 50%; }
        & > .datatable--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        & > .datatable--hover { background: $block-hover-background; }
    }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "datatable--header",
        "datatable--odd-row",
        "datatable--even-row",
        "datatable--cursor",
        "datatable--hover",
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Select", show=False),
        Binding("up", "cursor_up", "Cursor up", show=False),
        Binding("down", "cursor_down", "Cursor down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home,ctrl+home", "first", "First", show=False),
        Binding("end,ctrl+end", "last", "Last", show=False),
    ]

    cursor_row: reactive[int] = reactive(0, init=False, always_update=True, repaint=False)

    class _RowMessage(Message):
        def __init__(self, table: SessionTable, cursor_row: int, row_key: str) -> None:
            super().__init__()
            self.table = table
            self.cursor_row = cursor_row
            self.row_key = row_key

        @property
        def control(self) -> SessionTable:
            return self.table

    class RowHighlighted(_RowMessage):
        """The cursor moved to the row ``row_key`` (a key, a click, or ``move_cursor``)."""

    class RowSelected(_RowMessage):
        """Enter on the row, or a click on the row already highlighted."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.columns: list[Column] = []
        self._rows: list[Row] = []
        self._index: dict[str, int] = {}
        self._hover_row = -1  # the row under the mouse, shown while the mouse is what moves
        self._show_hover = False
        self._strips: dict[tuple[object, ...], Strip] = {}  # drawn lines, until the next set_rows
        self._styles: dict[tuple[object, ...], tuple[Style, Style, Style]] = {}  # see _line_styles
        self._text_styles: dict[tuple[Style, Style, str], Style] = {}
        # Asked once for each drawing (render_lines) rather than for each line: both walk the DOM.
        self._pseudo_classes: object = ()
        self._base_style = Style()

    # --- what it holds ---------------------------------------------------------------

    def set_rows(self, columns: list[Column], rows: list[Row], cursor_key: str | None = None) -> None:
        """Show ``rows`` under ``columns``, the cursor on the row ``cursor_key`` if it is among
        them, else on the first; the view scrolled to the cursor."""
        self.columns = columns
        self._rows = rows
        self._index = {row.key: n for n, row in enumerate(rows)}
        self._strips.clear()
        width = sum(column.render_width for column in columns)
        self.virtual_size = Size(width, len(rows) + 1)  # the header line
        self.set_reactive(SessionTable.cursor_row, self._index.get(cursor_key or "", 0))
        self._scroll_to_cursor()
        self.refresh()

    def clear(self) -> None:
        self.set_rows(self.columns, [])

    @property
    def row_count(self) -> int:
        return len(self._rows)

    @property
    def row_keys(self) -> list[str]:
        return [row.key for row in self._rows]

    @property
    def cursor_key(self) -> str | None:
        """The key of the row under the cursor (None: no rows)."""
        return self._rows[self.cursor_row].key if self._rows else None

    def get_row_index(self, key: str) -> int:
        return self._index[key]

    def cell(self, row_key: str, column_key: str) -> str:
        """The text shown in a cell."""
        column = next(n for n, c in enumerate(self.columns) if c.key == column_key)
        return self._rows[self._index[row_key]].cells[column][0]

    # --- the cursor ------------------------------------------------------------------

    def move_cursor(self, *, row: int) -> None:
        if self._rows:
            self.cursor_row = max(0, min(row, len(self._rows) - 1))

    def watch_cursor_row(self, old: int, new: int) -> None:
        self._refresh_row(old)
        self._refresh_row(new)
        self._scroll_to_cursor()
        if self._rows:
            self.post_message(self.RowHighlighted(self, new, self._rows[new].key))

    def _scroll_to_cursor(self) -> None:
        """Scroll as little as puts the cursor's row on show; once laid out, if it is not yet."""
        if not self.is_mounted:
            return
        shown = self.scrollable_content_region.height - 1  # less the header line
        if shown < 1:
            self.call_after_refresh(self._scroll_to_cursor)
            return
        row, top = self.cursor_row, self.scroll_y
        if row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= top + shown:
            self.scroll_to(y=row - shown + 1, animate=False, immediate=True)

    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 2)

    def action_cursor_up(self) -> None:
        self._keyboard(self.cursor_row - 1)

    def action_cursor_down(self) -> None:
        self._keyboard(self.cursor_row + 1)

    def action_page_up(self) -> None:
        self._keyboard(self.cursor_row - self._page())

    def action_page_down(self) -> None:
        self._keyboard(self.cursor_row + self._page())

    def action_first(self) -> None:
        self._keyboard(0)

    def action_last(self) -> None:
        self._keyboard(len(self._rows) - 1)

    def _keyboard(self, row: int) -> None:
        self._set_hover(False, self._hover_row)
        self.move_cursor(row=row)

    def action_select_cursor(self) -> None:
        if self._rows:
            self.post_message(self.RowSelected(self, self.cursor_row, self._rows[self.cursor_row].key))

    # --- the mouse -------------------------------------------------------------------

    def _row_at(self, y: int) -> int | None:
        row = y - 1 + int(self.scroll_y)
        return row if y >= 1 and 0 <= row < len(self._rows) else None

    def on_mouse_move(self, event: events.MouseMove) -> None:
        row = self._row_at(event.y)
        self._set_hover(row is not None, -1 if row is None else row)

    def on_leave(self) -> None:
        self._set_hover(False, self._hover_row)

    def _set_hover(self, show: bool, row: int) -> None:
        if (show, row) != (self._show_hover, self._hover_row):
            self._refresh_row(self._hover_row)
            self._show_hover, self._hover_row = show, row
            self._refresh_row(row)

    def on_click(self, event: events.Click) -> None:
        row = self._row_at(event.y)
        if row is None:
            return
        event.stop()
        if row == self.cursor_row:  # as DataTable: a click highlights, a second one selects
            self.action_select_cursor()
        else:
            self.move_cursor(row=row)

    # --- drawing ---------------------------------------------------------------------

    def _refresh_row(self, row: int) -> None:
        if 0 <= row < len(self._rows):
            self.refresh(Region(0, row + 1 - int(self.scroll_y), self.size.width, 1))

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()
        self._styles.clear()
        self._text_styles.clear()

    def render_lines(self, crop: Region) -> list[Strip]:
        self._pseudo_classes = self.get_pseudo_class_state()
        self._base_style = self.rich_style
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if y == 0:
            return self._strip("header", -1, width, False, False)
        row = y - 1 + int(self.scroll_y)
        if row >= len(self._rows):
            return Strip.blank(width, self._base_style)
        cursor = row == self.cursor_row
        hover = self._show_hover and row == self._hover_row
        return self._strip(self._rows[row].key, row, width, cursor, hover)

    def _strip(self, key: str, row: int, width: int, cursor: bool, hover: bool) -> Strip:
        cache_key = (
            key,
            row % 2,
            width,
            int(self.scroll_x),
            cursor,
            hover,
            self._pseudo_classes,
            self._base_style,
        )
        strip = self._strips.get(cache_key)
        if strip is None:
            strip = self._draw(row, width, cursor, hover)
            self._strips[cache_key] = strip
        return strip

    def _line_styles(self, header: bool, odd: bool, cursor: bool, hover: bool) -> tuple[Style, Style, Style]:
        """A line's styles, as DataTable makes them: under a cell's text and at the end of the
        line (the row's, the mouse's and the cursor's); of a cell's padding; over its text (the
        cursor's colour)."""
        key = (header, odd, cursor, hover, self._pseudo_classes)
        styles = self._styles.get(key)
        if styles is None:
            if header:
                row_style = self.get_component_styles("datatable--header").rich_style
            else:
                parity = "datatable--odd-row" if odd else "datatable--even-row"
                row_style = self.get_component_styles(parity).rich_style
            component = Style()
            if hover:
                component += self.get_component_rich_style("datatable--hover")
            if cursor:
                component += self.get_component_rich_style("datatable--cursor")
            post = Style.from_color(color=component.color)
            pre = row_style + component
            styles = self._styles[key] = (pre, pre + _NULL + post, post)
        return styles

    def _draw(self, row: int, width: int, cursor: bool, hover: bool) -> Strip:
        """A line as DataTable draws it: each cell its padding and text in the row's style, the
        cursor's and the mouse's over it, and the rest of the line in the row's style."""
        header = row == -1
        pre, blank, post = self._line_styles(header, row % 2 == 1, cursor, hover)
        texts = [(column.label, "") for column in self.columns] if header else self._rows[row].cells
        segments: list[Segment] = []
        pad = Segment(" " * PADDING, blank)
        for column, (text, style) in zip(self.columns, texts, strict=True):
            segments.append(pad)
            plain = text if cell_len(text) <= column.width else set_cell_size(text, column.width)
            if plain:
                segments.append(Segment(plain, self._text_style(pre, post, style)))
            segments.append(Segment(" " * (column.width - cell_len(plain) + PADDING), blank))
        drawn = sum(column.render_width for column in self.columns)
        if drawn < width:
            segments.append(Segment(" " * (width - drawn), pre))
        strip = Strip(segments, max(drawn, width))
        x = int(self.scroll_x)
        if x or drawn > width:
            strip = strip.crop(x, x + width).adjust_cell_length(width, self._base_style)
        return strip

    def _text_style(self, pre: Style, post: Style, style: str) -> Style:
        """A cell's text's style between the line's: kept, as each line asks for the same few."""
        key = (pre, post, style)
        combined = self._text_styles.get(key)
        if combined is None:
            combined = self._text_styles[key] = pre + self.app.console.get_style(style) + post
        return combined
