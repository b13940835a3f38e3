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

from ...store.audit import AuditEntry
from ..context import ReviewContext


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
            out.append(f"{entry.at[:19].replace('T', ' ')} UTC  ", style="dim")
            out.append(f"{self.context.reviewer_name(entry.actor)}  ", style="bold")
            out.append(f"{entry.action}\n", style="cyan")
            for field, change in entry.changes.items():
                out.append(f"    {field.replace('_', ' ')}: {_describe(field, change)}\n")
        if not self.trail:
            out.append("No changes recorded.", style="dim")
        with VerticalScroll():
            yield Static(out)


def _describe(field: str, change: object) -> str:
    if field in ("attached", "detached") and isinstance(change, list):
        return f"{len(change)} evidence item{'s' if len(change) != 1 else ''}"
    if isinstance(change, list) and len(change) == 2:
        before, after = change
        return f"{_value(before)} → {_value(after)}"
    return _value(change)


def _value(value: object) -> str:
    return (
        "(none)"
        if value is None
        else value
        if isinstance(value, str)
        else json.dumps(value, ensure_ascii=False)
    )
