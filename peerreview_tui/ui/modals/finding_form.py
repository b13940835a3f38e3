"""A finding: its section of the letter and focus area, its title line and a short paragraph."""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.widgets import Input, Label, Select, TextArea

from ...rows import Finding, FindingSection
from ...store.findings import AREA_SECTIONS
from ..context import ReviewContext
from .form import FormModal, form_bindings

SECTION_LABELS = {
    FindingSection.STRENGTH: "Strength / good practice",
    FindingSection.DEVELOPMENT: "Area for development",
    FindingSection.KEY_MESSAGE: "Key message",
    FindingSection.RECOMMENDATION: "Recommendation",
}


class FindingFormModal(FormModal):
    """New finding or, given ``finding``, that one: section, focus area and wording. The focus area
    is for strengths and areas for development only: it is greyed out for the other sections."""

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
    FIRST_FIELD = "#title"  # the section and area are chosen already, most times (shift+tab)

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
            heading = "Edit the finding" if f else "New finding"
            if self.evidence_count:
                heading += (
                    f" from {self.evidence_count} evidence item{'s' if self.evidence_count != 1 else ''}"
                )
            yield Label(heading, classes="title")
            section = f.section if f else FindingSection.STRENGTH
            area = f.focus_area_id if f else self.focus_area
            yield Label("Section")
            yield Select(
                [(label, choice.value) for choice, label in SECTION_LABELS.items()],
                value=section.value,
                allow_blank=False,
                id="section",
            )
            areas = [(a.title, a.id) for a in self.context.focus_areas]
            if area and area not in {a.id for a in self.context.focus_areas}:
                areas.append((f"#{area} (no longer a focus area)", area))  # the schedule dropped it
            yield Label("Focus area (for strengths and areas for development)")
            yield Select(
                areas,
                value=area if area else Select.NULL,
                prompt="none",
                id="area",
                disabled=section not in AREA_SECTIONS,
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
        section = FindingSection(str(self.query_one("#section", Select).value))
        area = self.query_one("#area", Select).value
        focus_area = None if area == Select.NULL or section not in AREA_SECTIONS else str(area)
        if section in AREA_SECTIONS and focus_area is None:
            self.refuse("A strength or area for development needs its focus area.", "area")
            return None
        return {"section": section, "focus_area_id": focus_area, "title": title, "body": body}

    @on(Select.Changed, "#section")
    def _section_chosen(self, event: Select.Changed) -> None:
        self.query_one("#area", Select).disabled = FindingSection(str(event.value)) not in AREA_SECTIONS
