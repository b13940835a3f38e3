"""Ask before anything destructive."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Label


class ConfirmModal(ModalScreen[bool]):
    """Yes/no, with the safe answer focused."""

    DEFAULT_CSS = """
    ConfirmModal { align: center middle; }
    ConfirmModal > Grid {
        grid-size: 2; grid-gutter: 1 2; grid-rows: auto 3;
        width: 64; height: auto; padding: 1 2; border: thick $warning; background: $surface;
    }
    ConfirmModal Label { column-span: 2; width: 100%; }
    ConfirmModal Button { width: 100%; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,n", "answer(False)", "No", id="confirm.no"),
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
    ]

    def __init__(self, question: str, yes: str = "Yes", no: str = "Cancel") -> None:
        super().__init__()
        self.question = question
        self.yes = yes
        self.no = no

    def compose(self) -> ComposeResult:
        with Grid():
            yield Label(Content(self.question))  # titles, paths, errors: never read as markup
            yield Button(self.no, id="no")
            yield Button(self.yes, variant="warning", id="yes")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
