"""Choose evidence items to attach to a finding."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, SelectionList

from ...store.evidence_items import EvidenceView
from ..widgets.footer import KeysFooter

SYMBOLS = {"strength": "+", "development": "-", "follow_up": "?", "quote": "!"}


class EvidencePickerModal(ModalScreen[list[str] | None]):
    DEFAULT_CSS = """
    EvidencePickerModal { align: center middle; }
    EvidencePickerModal > Vertical {
        width: 110; height: 85%; border: thick $primary; background: $surface; padding: 0 1;
    }
    EvidencePickerModal SelectionList { height: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="picker.cancel"),
        Binding("enter,ctrl+s", "done", "Attach selected", id="picker.done", priority=True),
    ]

    def __init__(self, items: list[EvidenceView], finding_title: str) -> None:
        super().__init__()
        self.items = items
        self.finding_title = finding_title

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(
                f"Attach evidence to: {self.finding_title}\nspace selects · enter attaches · escape cancels"
            )
            options = []
            for view in self.items:
                item = view.item
                where = (
                    f"{view.day:%a} {view.session_title}"
                    if view.day and view.session_title
                    else item.title or item.source_kind.value
                )
                label = Text.assemble(
                    (f"{SYMBOLS.get(item.kind.value, '•')} ", "bold"), item.text, (f"  — {where}", "dim")
                )
                options.append((label, item.id))
            yield SelectionList[str](*options, id="pick")
            if not self.items:
                yield Label("No more evidence for this focus area.")
        yield KeysFooter()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_done(self) -> None:
        self.dismiss(list(self.query_one("#pick", SelectionList).selected))
