"""The side panel: this note's marked lines, live, grouped by focus area."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import Static

from ...evidence import Mark, group_by_focus_area
from ...rows import EvidenceKind
from ...store.tagging import Tag
from ..context import ReviewContext

KIND_STYLE = {
    EvidenceKind.STRENGTH: ("+", "bold green"),
    EvidenceKind.DEVELOPMENT: ("-", "bold yellow"),
    EvidenceKind.FOLLOW_UP: ("?", "bold cyan"),
    EvidenceKind.QUOTE: ("!", "bold magenta"),
}


class MarksPanel(Static):
    def __init__(self, context: ReviewContext, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.context = context
        self.others_tags: dict[str, list[Tag]] = {}  # by the marked line's text

    def show(self, marks: Sequence[Mark]) -> None:
        if not marks:
            self.update(
                Text("No marked lines yet. Start a line with + - ? or ! and add a #tag.", style="dim")
            )
            return
        out = Text()
        for area_id, area_marks in group_by_focus_area(marks).items():
            out.append(self.context.area_title(area_id) + "\n", style="bold underline")
            for mark in area_marks:
                symbol, style = KIND_STYLE.get(mark.kind, ("•", ""))
                out.append(f" {symbol} ", style=style)
                out.append(f"{mark.text}\n")
                for tag in self.others_tags.get(mark.text, []):
                    if tag.focus_area_id not in mark.tags:
                        out.append(
                            f"     tagged #{tag.focus_area_id} by {tag.tagger_name}\n", style="dim italic"
                        )
            out.append("\n")
        unknown = sorted({tag for mark in marks for tag in mark.unknown})
        if unknown:
            out.append("Unknown tags: " + " ".join(f"#{t}" for t in unknown) + "\n", style="bold red")
        self.update(out)
