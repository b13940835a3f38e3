"""The lead enrols reviewers' keys: each fingerprint is read out and compared with the one the
reviewer's own laptop shows (the exchange screen, or 'peerreview whoami') before saying yes."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid
from textual.screen import ModalScreen
from textual.widgets import Button, Label

from ...names import Names
from ...signing import fingerprint
from ...store import Store, signatures
from ...sync.signatures import UnknownKey


def own_fingerprint(store: Store, reviewer: str) -> str:
    """``reviewer``'s key on this laptop (made now if there is none), as people compare it."""
    with store.write() as db:
        return fingerprint(signatures.ensure_key(db, reviewer))


class EnrolKeysModal(ModalScreen[bool]):
    """Enrol these keys? The safe answer (no) is focused."""

    DEFAULT_CSS = """
    EnrolKeysModal { align: center middle; }
    EnrolKeysModal > Grid {
        grid-size: 2; grid-gutter: 1 2; grid-rows: auto auto auto 3;
        width: 72; height: auto; padding: 1 2; border: thick $warning; background: $surface;
    }
    EnrolKeysModal Label { column-span: 2; width: 100%; }
    EnrolKeysModal #keys { text-style: bold; }
    EnrolKeysModal Button { width: 100%; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,n", "answer(False)", "No", id="enrol.no"),
        Binding("y", "answer(True)", "Enrol", id="enrol.yes"),
    ]

    def __init__(self, unknown: list[UnknownKey], names: Names) -> None:
        super().__init__()
        self.unknown = unknown
        self.names = names

    def compose(self) -> ComposeResult:
        with Grid():
            yield Label("These bundles hold work signed by keys you have not enrolled yet:")
            yield Label(
                "\n".join(f"{self.names.reviewer(key.reviewer)}: {key.fingerprint}" for key in self.unknown),
                id="keys",
            )
            yield Label(
                "Ask each reviewer to read out the key their laptop shows (exchange screen, or "
                "'peerreview whoami'). Enrol only if every one matches: a key that does not is someone "
                "else's."
            )
            yield Button("Cancel", id="no")
            yield Button("They match: enrol", variant="warning", id="yes")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
