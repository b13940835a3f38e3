"""The schedule's detail pane: the highlighted session in full.

Its text is wrapped to its width when it is shown, and it scrolls by itself (Textual's line API):
its height is known before the screen is laid out, so a day key is laid out and drawn once. As
a Static in a VerticalScroll, the new day's height was found in the first layout, which asked
for a second one and two more frames (bench/, README Performance).
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip


class SessionDetail(ScrollView):
    DEFAULT_CSS = "SessionDetail { scrollbar-gutter: stable; }"  # one width to wrap to

    class Mounted(Message):
        """The pane is mounted (after the first frame, with the schedule): it has no text yet."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.text = Text()
        self._lines: list[Strip] = []  # the text wrapped to the width
        self._drawn: dict[tuple[int, int, Style], Strip] = {}  # lines in the pane's style
        self._wrapped_to = 0
        self._width_before_layout = 0

    def on_mount(self) -> None:
        self.post_message(self.Mounted())

    def show(self, text: Text, width_before_layout: int) -> None:
        """``text``, from its top, unless it is on show already (a day key showed the same
        session twice, once for the fill and once for the table's cursor coming to its first
        row); wrapped to ``width_before_layout`` if the pane has not been laid out yet."""
        self._width_before_layout = width_before_layout
        if self._lines and text == self.text:
            return
        self.text = text
        self._set_lines(self._width())
        self.scroll_to(y=0, animate=False, immediate=True)

    def on_resize(self) -> None:
        if self._width() != self._wrapped_to:
            self._set_lines(self._width())

    def _width(self) -> int:
        width = self.scrollable_content_region.width
        return width if width > 0 else self._width_before_layout

    def _set_lines(self, width: int) -> None:
        console = self.app.console
        self._lines = [Strip(line.render(console), line.cell_len) for line in self.text.wrap(console, width)]
        self._drawn.clear()
        self._wrapped_to = width
        self.virtual_size = Size(width, len(self._lines))
        self.refresh()

    def render_line(self, y: int) -> Strip:
        index, width, style = y + int(self.scroll_y), self.size.width, self.rich_style
        if index >= len(self._lines):
            return Strip.blank(width, style)
        key = (index, width, style)
        drawn = self._drawn.get(key)
        if drawn is None:
            drawn = self._drawn[key] = self._lines[index].apply_style(style).extend_cell_length(width, style)
        return drawn
