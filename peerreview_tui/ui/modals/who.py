"""Whose laptop is this? Asked once; remembered in the review database."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from ...models import ReviewerRow


class WhoModal(ModalScreen[str]):
    DEFAULT_CSS = """
    WhoModal { align: center middle; }
    WhoModal > Vertical {
        width: 70; height: auto; border: thick $primary; background: $surface; padding: 1 2;
    }
    WhoModal OptionList { height: auto; max-height: 12; margin-top: 1; }
    """

    def __init__(self, reviewers: list[ReviewerRow]) -> None:
        super().__init__()
        self.reviewers = reviewers

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Who is using this laptop? Your notes are written in your name.")
            yield OptionList(
                *[Option(f"{r.name}, {r.role}", id=r.id) for r in self.reviewers], id="who"
            )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        assert event.option.id is not None
        self.dismiss(event.option.id)
