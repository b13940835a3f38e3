"""What the forms share: Save checks the fields and returns them, Cancel returns None."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Label

from ..widgets.footer import KeysFooter


def form_bindings(prefix: str) -> list[BindingType]:
    """escape cancels, ctrl+s saves; ids under ``prefix``, the names keymaps use."""
    return [
        Binding("escape", "cancel", "Cancel", id=f"{prefix}.cancel"),
        Binding("ctrl+s", "save", "Save", id=f"{prefix}.save"),
    ]


class FormModal(ModalScreen[dict[str, Any] | None]):
    """A form that returns its fields, or None when cancelled. A form yields `compose_end()` last
    and says in `fields()` what it returns, or `refuse()`s with what is wrong."""

    # The field focused on opening: the first, not the scrolling box around the fields (the
    # default, "*"). Focused in on_mount, not by AUTO_FOCUS, which centres it and so scrolls the
    # form's heading out of sight.
    AUTO_FOCUS = ""
    FIRST_FIELD = "Input, TextArea, Select, SelectionList"

    def on_mount(self) -> None:
        # Under the whole screen, not in the form's scrolling box: esc and ctrl+s always in sight.
        self.mount(KeysFooter())
        fields = self.query(self.FIRST_FIELD)
        if fields:
            self.set_focus(fields.first(), scroll_visible=False)

    def compose_end(self, save: str = "Save") -> ComposeResult:
        """The line that shows what is wrong (moved beside the field it is about), then Cancel and
        the ``save`` button."""
        yield Label("", id="error")
        with Horizontal(id="buttons"):
            yield Button("Cancel", id="cancel")
            yield Button(save, variant="primary", id="save")

    def fields(self) -> dict[str, Any] | None:
        """What the form returns, or None (after `refuse`) when it cannot be saved as it is."""
        raise NotImplementedError

    def refuse(self, problem: str, field: str | None = None) -> None:
        """Say why the form cannot be saved, under the field with id ``field`` (which gets the
        focus) or above the buttons, scrolled into view; the form stays open."""
        error = self.query_one("#error", Label)
        error.update(problem)
        box = error.parent
        if field is not None and isinstance(box, Widget):
            widget = self.query_one(f"#{field}")
            anchor: Widget = widget
            while anchor.parent is not box and isinstance(anchor.parent, Widget):
                anchor = anchor.parent  # the Start and End fields share a row: under the row
            if anchor.parent is box:
                box.move_child(error, after=anchor)
            widget.focus()
        self.call_after_refresh(error.scroll_visible)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        fields = self.fields()
        if fields is not None:
            self.dismiss(fields)
