"""The findings as plain text, for `peerreview findings` in a terminal."""

from __future__ import annotations

from collections.abc import Sequence

from .models import FindingSection
from .store.findings import AREA_SECTIONS, SECTION_HEADINGS, FindingView


def format_findings(views: Sequence[FindingView], area_titles: dict[str, str]) -> str:
    """Plain text for ``peerreview findings``: a heading per section or focus area, a line per
    finding with its status and badge; '!' marks one resting on a single source."""
    if not views:
        return "No findings yet."
    lines: list[str] = []
    heading: tuple[str, str] | None = None
    subheading: FindingSection | None = None
    for view in views:
        finding = view.finding
        in_area = finding.section in AREA_SECTIONS
        area = finding.focus_area_id or ""
        key = ("area", area) if in_area else ("section", finding.section.value)
        if key != heading:
            lines += [""] if lines else []
            lines.append(area_titles.get(area, area) if in_area else SECTION_HEADINGS[finding.section])
            heading, subheading = key, None
        if in_area and finding.section != subheading:
            lines.append(f"  {SECTION_HEADINGS[finding.section]}")
            subheading = finding.section
        indent = "  " if in_area else ""
        mark = "! " if view.badge.single_source else "  "
        lines.append(f"{indent}{mark}[{finding.status.value}] {finding.title}  ({view.badge.label()})")
    if any(view.badge.single_source for view in views):
        lines += ["", "! one session, one kind of source or no evidence behind it"]
    return "\n".join(lines)
