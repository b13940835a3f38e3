"""Pick one of a few things from a list: a reviewer, a focus area."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option


class ChoiceModal(ModalScreen[str | None]):
    DEFAULT_CSS = """
    ChoiceModal { align: center middle; }
    ChoiceModal > Vertical {
        width: 90%; max-width: 96; height: auto; border: thick $primary; background: $surface; padding: 1 2;
    }
    ChoiceModal Label { width: 100%; }
    ChoiceModal OptionList { height: auto; max-height: 14; margin-top: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss_none", "Cancel", id="choice.cancel")]

    def __init__(self, prompt: str, choices: list[tuple[str, str]], cancellable: bool = True) -> None:
        """``choices`` are (label, value) pairs."""
        super().__init__()
        self.prompt = prompt
        self.choices = choices
        self.cancellable = cancellable

    def compose(self) -> ComposeResult:
        with Vertical():
            # The prompt wraps, and it and the choices (quotes, names) are plain text, never markup.
            yield Label(Content(self.prompt))
            yield OptionList(
                *[Option(Content(label), id=value) for label, value in self.choices], id="choices"
            )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_dismiss_none(self) -> None:
        if self.cancellable:
            self.dismiss(None)
