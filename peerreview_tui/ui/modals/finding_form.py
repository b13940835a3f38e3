"""A finding's wording: a title line and a short paragraph, in a section of the letter."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.widgets import Input, Label, Select, TextArea

from ...models import Finding, FindingSection
from ..context import ReviewContext
from .form import FormModal, form_bindings

SECTION_LABELS = {
    FindingSection.STRENGTH: "Strength / good practice",
    FindingSection.DEVELOPMENT: "Area for development",
    FindingSection.KEY_MESSAGE: "Key message",
    FindingSection.RECOMMENDATION: "Recommendation",
}


class FindingFormModal(FormModal):
    """New finding (section, focus area, wording) or, given ``finding``, its wording only."""

    DEFAULT_CSS = """
    FindingFormModal { align: center middle; }
    FindingFormModal > VerticalScroll {
        width: 90; height: auto; max-height: 90%; border: thick $primary; background: $surface; padding: 0 1;
    }
    FindingFormModal Label { margin-top: 1; color: $text-muted; }
    FindingFormModal TextArea { height: 8; }
    FindingFormModal #buttons { height: 3; margin-top: 1; align-horizontal: right; }
    FindingFormModal #error { color: $error; }
    """
    BINDINGS: ClassVar[list[BindingType]] = form_bindings("finding_form")
    FIRST_FIELD = "#title"  # the section and area are chosen already, most times

    def __init__(
        self,
        context: ReviewContext,
        finding: Finding | None = None,
        focus_area: str | None = None,
        evidence_count: int = 0,
    ) -> None:
        super().__init__()
        self.context = context
        self.finding = finding
        self.focus_area = focus_area
        self.evidence_count = evidence_count

    def compose(self) -> ComposeResult:
        f = self.finding
        with VerticalScroll():
            heading = "Edit the finding's wording" if f else "New finding"
            if self.evidence_count:
                heading += (
                    f" from {self.evidence_count} evidence item{'s' if self.evidence_count != 1 else ''}"
                )
            yield Label(heading, classes="title")
            if f is None:
                yield Label("Section")
                yield Select(
                    [(label, section.value) for section, label in SECTION_LABELS.items()],
                    value=FindingSection.STRENGTH.value,
                    allow_blank=False,
                    id="section",
                )
                yield Label("Focus area (for strengths and areas for development)")
                yield Select(
                    [(area.title, area.id) for area in self.context.focus_areas],
                    value=self.focus_area if self.focus_area else Select.NULL,
                    prompt="none",
                    id="area",
                )
            yield Label("Title line")
            yield Input(
                f.title if f else "", id="title", placeholder="e.g. Supervision is regular and valued"
            )
            yield Label("Paragraph")
            yield TextArea(f.body if f else "", id="body", soft_wrap=True)
            yield from self.compose_end()

    def fields(self) -> dict[str, Any] | None:
        title = self.query_one("#title", Input).value.strip()
        body = self.query_one("#body", TextArea).text.strip()
        if not title:
            self.refuse("Give the finding a title line.", "title")
            return None
        if self.finding is not None:
            return {"title": title, "body": body}
        section = FindingSection(str(self.query_one("#section", Select).value))
        area = self.query_one("#area", Select).value
        focus_area = None if area == Select.NULL else str(area)
        if section in (FindingSection.STRENGTH, FindingSection.DEVELOPMENT) and focus_area is None:
            self.refuse("A strength or area for development needs its focus area.", "area")
            return None
        if section in (FindingSection.KEY_MESSAGE, FindingSection.RECOMMENDATION):
            focus_area = None
        return {"section": section, "focus_area_id": focus_area, "title": title, "body": body}
