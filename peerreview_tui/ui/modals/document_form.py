"""A document the team read, added by hand as evidence."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, SelectionList

from ..context import ReviewContext


class DocumentFormModal(ModalScreen[dict[str, Any] | None]):
    DEFAULT_CSS = """
    DocumentFormModal { align: center middle; }
    DocumentFormModal > VerticalScroll {
        width: 80; height: auto; max-height: 90%; border: thick $primary; background: $surface; padding: 0 1;
    }
    DocumentFormModal Label { margin-top: 1; color: $text-muted; }
    DocumentFormModal SelectionList { height: auto; }
    DocumentFormModal #buttons { height: 3; margin-top: 1; align-horizontal: right; }
    DocumentFormModal #error { color: $error; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="document_form.cancel"),
        Binding("ctrl+s", "save", "Save", id="document_form.save"),
    ]

    def __init__(self, context: ReviewContext) -> None:
        super().__init__()
        self.context = context

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Label("Add a document the team read", classes="title")
            yield Label("Title")
            yield Input(id="title", placeholder="e.g. Early help strategy 2012-15")
            yield Label("What it shows")
            yield Input(id="summary", placeholder="e.g. Targets set but no baseline or measures of impact")
            yield Label("Focus areas")
            yield SelectionList[str](*[(a.title, a.id) for a in self.context.focus_areas], id="areas")
            yield Label("", id="error")
            with Horizontal(id="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Add", variant="primary", id="save")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_save() if event.button.id == "save" else self.action_cancel()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        title = self.query_one("#title", Input).value.strip()
        summary = self.query_one("#summary", Input).value.strip()
        if not title or not summary:
            self.query_one("#error", Label).update("Give the document a title and say what it shows.")
            return
        areas = list(self.query_one("#areas", SelectionList).selected)
        self.dismiss({"title": title, "summary": summary, "focus_areas": areas})
