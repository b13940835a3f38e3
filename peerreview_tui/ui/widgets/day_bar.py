"""The days of the review across the top of the schedule, the day on show underlined.

It looks like Textual's ``Tabs`` and is one widget where ``Tabs`` is nine (a tab each, their
containers, the underline and its animation): on the schedule, the first screen, that is a
third of the cost of the first frame (bench/).
"""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group
from rich.style import Style
from rich.text import Text
from textual import events
from textual.message import Message
from textual.reactive import reactive
from textual.renderables.bar import Bar
from textual.widget import Widget


class DayBar(Widget):
    """One label a day; ``active`` is the id of the day on show."""

    DEFAULT_CSS = """
    DayBar {
        width: 100%;
        height: 2;
        & > .day-bar--day { color: $foreground 50%; }
        & > .day-bar--active { color: $foreground; }
        & > .day-bar--bar {
            color: $block-cursor-background;
            background: $foreground 10%;
        }
    }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"day-bar--day", "day-bar--active", "day-bar--bar"}
    ALLOW_SELECT = False

    active: reactive[str] = reactive("")

    class Changed(Message):
        """Another day was chosen (a key or a click)."""

        def __init__(self, day_bar: DayBar, active: str) -> None:
            super().__init__()
            self.day_bar = day_bar
            self.active = active

        @property
        def control(self) -> DayBar:
            return self.day_bar

    def __init__(self, days: list[tuple[str, str]], *, active: str, id: str | None = None) -> None:
        """``days``: (id, label) in order."""
        super().__init__(id=id)
        self.days = days
        self.set_reactive(DayBar.active, active)
        self._offset = 0  # columns scrolled off to the left, to keep the day on show in sight

    def watch_active(self, old: str, new: str) -> None:
        if old != new:
            self.post_message(self.Changed(self, new))

    def _spans(self) -> list[tuple[str, int, int]]:
        """Each day's id and columns (its label with a space either side), left to right."""
        spans, start = [], 0
        for day_id, label in self.days:
            end = start + len(label) + 2
            spans.append((day_id, start, end))
            start = end
        return spans

    def render(self) -> Group:
        width = self.size.width
        spans = self._spans()
        active = next(((start, end) for day_id, start, end in spans if day_id == self.active), (0, 0))
        total = spans[-1][2] if spans else 0
        if active[1] - self._offset > width:  # keep the day on show in sight
            self._offset = active[1] - width
        elif active[0] < self._offset:
            self._offset = active[0]
        self._offset = max(0, min(self._offset, max(0, total - width)))
        day_style = self.get_component_rich_style("day-bar--day")
        active_style = self.get_component_rich_style("day-bar--active")
        bar = self.get_component_rich_style("day-bar--bar")
        labels = Text(no_wrap=True, overflow="crop", end="")
        for day_id, label in self.days:
            labels.append(f" {label} ", active_style if day_id == self.active else day_style)
        left = self._offset
        underline = Bar(  # under the label, as Tabs draws it
            highlight_range=(active[0] + 1 - left, active[1] - 1 - left),
            highlight_style=Style.from_color(bar.color),
            background_style=Style.from_color(bar.bgcolor),
        )
        return Group(labels[left : left + width], underline)

    def on_click(self, event: events.Click) -> None:
        column = event.x + self._offset
        for day_id, start, end in self._spans():
            if start <= column < end:
                self.active = day_id
                break
