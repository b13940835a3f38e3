"""A finding's audit trail: who changed what, and when."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ...names import local_time
from ...store.audit import AuditEntry
from ..context import ReviewContext
from .finding_form import SECTION_LABELS


class AuditModal(ModalScreen[None]):
    DEFAULT_CSS = """
    AuditModal { align: center middle; }
    AuditModal > VerticalScroll {
        width: 100; height: 80%; border: thick $primary; background: $surface; padding: 0 1;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,h,q", "dismiss", "Close", id="audit.close")]

    def __init__(self, title: str, trail: Sequence[AuditEntry], context: ReviewContext) -> None:
        super().__init__()
        self.title_text = title
        self.trail = trail
        self.context = context

    def compose(self) -> ComposeResult:
        out = Text()
        out.append(f"History of: {self.title_text}\n\n", style="bold")
        for entry in self.trail:
            out.append(f"{local_time(entry.at)}  ", style="dim")
            out.append(f"{self.context.reviewer_name(entry.actor)}  ", style="bold")
            out.append(f"{ACTIONS.get(entry.action, entry.action)}\n", style="cyan")
            for field, change in entry.changes.items():
                if field in FIELDS:
                    out.append(f"    {FIELDS[field]}: {self._describe(field, change)}\n")
        if not self.trail:
            out.append("No changes recorded.", style="dim")
        with VerticalScroll():
            yield Static(out)

    def _describe(self, field: str, change: object) -> str:
        if field in ("attached", "detached") and isinstance(change, list):
            return f"{len(change)} evidence item{'s' if len(change) != 1 else ''}"
        if isinstance(change, list) and len(change) == 2:
            before, after = change
            return f"{self._value(field, before)} → {self._value(field, after)}"
        return self._value(field, change)

    def _value(self, field: str, value: object) -> str:
        """A stored value as a person reads it: names, titles, local times, words."""
        if value is None or value == "":
            return "(none)"
        if field == "focus_area_id":
            return self.context.area_title(str(value))
        if field == "kept":
            return "the version in place" if value == "winner" else "the other version"
        if field in ("agreed_by", "other_by"):
            return self.context.reviewer_name(str(value))
        if field in ("agreed_at", "deleted_at"):
            return local_time(str(value))
        if field == "section":
            return next(
                (label for section, label in SECTION_LABELS.items() if section.value == value), str(value)
            )
        if isinstance(value, bool):
            return "yes" if value else "no"
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


ACTIONS = {
    "create": "wrote it",
    "edit": "changed it",
    "attach": "cited evidence",
    "detach": "stopped citing evidence",
    "choose quote": "chose a quote for the letter",
    "move": "moved it in its list",
    "delete": "deleted it",
    "agree": "agreed it",
    "reopen": "returned it to draft",
    "resolve conflict": "settled a conflict",
}

# The fields a person reads about, in words; ids (the evidence item a quote is) stay out.
FIELDS = {
    "title": "title",
    "body": "wording",
    "section": "section",
    "focus_area_id": "focus area",
    "status": "status",
    "agreed_by": "agreed by",
    "agreed_at": "agreed at",
    "attached": "cited",
    "detached": "no longer cited",
    "quote_chosen": "chosen for the letter",
    "place": "place in its list",
    "deleted_at": "deleted",
    "kept": "kept",
    "other_by": "the other version by",
}
