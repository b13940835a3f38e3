"""A list row counted from its words is as tall as the same row drawn: the findings list measures
1,900 rows without drawing them, and a row counted one line short would cut its badge off."""

from __future__ import annotations

import itertools

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.visual import RichVisual
from textual.widgets import OptionList

from peerreview_tui.ui.widgets.gutter_row import GutterRow

TITLES = [
    "Short",
    "Partners trust each other and share information early, before a case reaches the front door",
    "A word longer than any column: " + "supercalifragilistic" * 4 + " then more words after it",
    "Wide characters 日本語のテキスト and an emoji 🙂 among words that wrap " * 2,
    "Spaces    between     words, and   a   trailing  space ",
]
BADGES = ["no evidence", "3 sessions · 2 kinds · 2 reviewers · single source · 1 broken link"]
GUTTERS = [Text.assemble("  ", ("○", "dim")), Text.assemble("  ", ("✓", "green"), (" ⚠", "bold red"))]


def _drawn(gutter: Text, text: Text) -> Table:
    """The row as the findings list drew it before: a Rich grid, measured by drawing it."""
    grid = Table.grid(padding=(0, 1), expand=True)
    grid.add_column(no_wrap=True, width=gutter.cell_len)
    grid.add_column(ratio=1)
    grid.add_row(gutter, text)
    return grid


async def test_a_row_counted_from_its_words_is_as_tall_as_drawn() -> None:
    class Rows(App[None]):
        def compose(self) -> ComposeResult:
            yield OptionList()

    app = Rows()
    async with app.run_test(size=(120, 40)):
        listing = app.query_one(OptionList)
        for title, badge, gutter in itertools.product(TITLES, BADGES, GUTTERS):
            text = Text.assemble(title, "\n", (badge, "cyan"))
            counted, drawn = GutterRow(listing, gutter, text), RichVisual(listing, _drawn(gutter, text))
            for width in range(1, 121):
                assert counted.get_height(listing.styles, width) == drawn.get_height(listing.styles, width), (
                    title,
                    badge,
                    width,
                )
            # and it draws the same
            style = listing.get_visual_style("option-list--option")
            assert [list(s) for s in GutterRow.to_strips(listing, counted, 50, None, style)] == [
                list(s) for s in RichVisual.to_strips(listing, drawn, 50, None, style)
            ]
