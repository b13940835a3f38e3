"""A document the team read, added by hand as evidence."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.widgets import Input, Label, SelectionList

from ..context import ReviewContext
from .form import FormModal, form_bindings


class DocumentFormModal(FormModal):
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
    BINDINGS: ClassVar[list[BindingType]] = form_bindings("document_form")

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
            yield from self.compose_end(save="Add")

    def fields(self) -> dict[str, Any] | None:
        title = self.query_one("#title", Input).value.strip()
        summary = self.query_one("#summary", Input).value.strip()
        if not title or not summary:
            self.refuse("Give the document a title and say what it shows.", "summary" if title else "title")
            return None
        areas = list(self.query_one("#areas", SelectionList).selected)
        return {"title": title, "summary": summary, "focus_areas": areas}
