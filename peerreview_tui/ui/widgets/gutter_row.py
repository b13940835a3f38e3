"""An option list's row of a gutter and wrapped text beside it, measured without being drawn.

An ``OptionList`` works out the height of every option as it is filled, and for a Rich
renderable it does so by drawing it: 1,900 findings on the ×10 week were 1,900 grids drawn
(~1.5 s) to be counted, then drawn again for the few on screen. ``GutterRow`` is drawn as the
same grid, built when first drawn, and counts its height from the words: the lines Rich's
wrapping makes of each paragraph at the text column's width (``rich._wrap.divide_line``, the
function ``Text.wrap`` itself uses).
"""

from __future__ import annotations

from rich._wrap import divide_line
from rich.cells import cell_len
from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual.css.styles import RulesMap
from textual.visual import RichVisual
from textual.widget import Widget

# Below this many columns for the text, Rich's grid shares out the width its own way: the row
# is drawn to be measured, as before.
MIN_TEXT_WIDTH = 8


class GutterRow(RichVisual):
    """``gutter`` (one line, never wrapped), a space, then ``text`` wrapped to the width left."""

    def __init__(self, widget: Widget, gutter: Text, text: Text) -> None:
        # RichVisual's own state, but for the renderable: the grid is built when first drawn
        self._widget = widget
        self._measurement = None
        self._gutter = gutter
        self._text = text
        self._paragraphs = text.plain.split("\n")
        self._grid: Table | None = None

    @property
    def _renderable(self) -> RenderableType:  # type: ignore[override]
        if self._grid is None:
            self._grid = grid = Table.grid(padding=(0, 1), expand=True)  # wrapped lines after the gutter
            grid.add_column(no_wrap=True, width=self._gutter.cell_len)
            grid.add_column(ratio=1)
            grid.add_row(self._gutter, self._text)
        return self._grid

    def get_height(self, rules: RulesMap, width: int) -> int:
        text_width = width - self._gutter.cell_len - 1
        if text_width < MIN_TEXT_WIDTH or "\t" in self._text.plain:
            return super().get_height(rules, width)
        # the grid's text column wraps as Text.wrap does with the column's "ellipsis" overflow;
        # a paragraph that fits is one line (most do: dividing each costs ~50 µs)
        return sum(
            1 if cell_len(part) <= text_width else len(divide_line(part, text_width, fold=False)) + 1
            for part in self._paragraphs
        )
