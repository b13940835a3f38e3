"""Coverage: focus areas × sources (or, with `v`, key lines of enquiry × sources), where
evidence is thin, and what backs each cell.

Enter on a cell lists its items below; space selects items, `f` makes a finding of them, `l`
ties an item to a line of enquiry, Enter on an item opens its note at the line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import DataTable, Header, Label, Select, SelectionList

from ...coverage import (
    SOURCE_LABELS,
    Cell,
    Coverage,
    cell_text,
    compute_coverage,
    compute_line_coverage,
    matrix_widths,
)
from ...names import shorten
from ...rows import SourceKind
from ...store import StoreError, findings
from ...store.enquiry import tie_line
from ...store.evidence_items import EvidenceView, add_document, list_evidence
from ...store.tagging import tag_evidence
from ..modals.choice import ChoiceModal
from ..modals.document_form import DocumentFormModal
from ..modals.finding_form import FindingFormModal
from ..widgets.footer import KeysFooter
from .base import ReviewScreen

UNTAGGED = "(untagged)"
KIND_SYMBOL = {"strength": "+", "development": "-", "follow_up": "?", "quote": "!", "observation": "•"}


@dataclass(frozen=True)
class CoverageView:
    coverage: Coverage
    items: list[EvidenceView]  # those of the chosen cell
    cell: tuple[str, str | None] | None


class CoverageScreen(ReviewScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "enter",
            "drill",
            "Items",
            id="coverage.items",
            show=False,
            tooltip="on a cell: list its evidence below",
        ),
        Binding(
            "t", "to_tag", "To tag", id="coverage.to_tag", tooltip="the evidence not tagged to a focus area"
        ),
        Binding("g", "tag_item", "Tag item", id="coverage.tag", tooltip="tag the item to a focus area"),
        Binding(
            "f",
            "make_finding",
            "Make finding",
            id="coverage.finding",
            tooltip="from the items selected (space)",
        ),
        Binding(
            "l",
            "tie_item",
            "Tie to line",
            id="coverage.tie",
            show=False,
            tooltip="tie the item to a key line of enquiry (it counts for its focus area too)",
        ),
        Binding(
            "v",
            "toggle_view",
            "By line",
            id="coverage.view",
            show=False,
            tooltip="rows by key line of enquiry, or back to focus areas",
        ),
        Binding(
            "n", "add_document", "Add document", id="coverage.document", tooltip="a document the team read"
        ),
        Binding(
            "o",
            "open_item",
            "Open note",
            id="coverage.open",
            tooltip="the note an item came from, at its line",
        ),
    ]

    class Loaded(Message):
        def __init__(self, view: CoverageView) -> None:
            super().__init__()
            self.view = view

    def __init__(self) -> None:
        super().__init__()
        self.view: CoverageView | None = None
        self.cell: tuple[str, str | None] | None = None  # (area or UNTAGGED, source kind or None)
        self.by_line = False  # rows are lines of enquiry ("practice.2") rather than focus areas

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="filters"):
            yield Label("Day ")
            yield Select(
                [(day.label, day.id.isoformat()) for day in self.context.days], prompt="whole week", id="day"
            )
            yield Label("  Reviewer ")
            yield Select([(r.name, r.id) for r in self.context.reviewers], prompt="whole team", id="author")
        yield DataTable(id="matrix", cursor_type="cell", fixed_columns=1)
        yield Label("", id="cell-title")
        yield SelectionList[str](id="items")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.sub_title = "Coverage: where is the evidence thin?"
        self.query_one("#matrix", DataTable).focus()

    def on_screen_resume(self) -> None:
        self.show_current()  # the first showing reads too

    @on(Select.Changed)
    def _filters_changed(self) -> None:
        self.reload()

    def _filters(self) -> tuple[dt.date | None, str | None]:
        day = self.query_one("#day", Select).value
        author = self.query_one("#author", Select).value
        return (
            dt.date.fromisoformat(str(day)) if day != Select.NULL else None,
            str(author) if author != Select.NULL else None,
        )

    def reload(self) -> None:
        day, author = self._filters()
        self._load(day, author, self.cell, self.by_line)

    @work(thread=True, exclusive=True, group="coverage", exit_on_error=False)
    def _load(
        self, day: dt.date | None, author: str | None, cell: tuple[str, str | None] | None, by_line: bool
    ) -> None:
        store = self.context.store
        try:
            self.mark_read()
            compute = compute_line_coverage if by_line else compute_coverage
            coverage = compute(store, day=day, author=author)
            items: list[EvidenceView] = []
            if cell is not None:
                row, source = cell
                named = None if row == UNTAGGED else row
                items = list_evidence(
                    store,
                    focus_area=None if by_line else named,
                    line_of_enquiry=named if by_line else None,
                    source_kind=SourceKind(source) if source else None,
                    day=day,
                    author=author,
                    untagged=row == UNTAGGED and not by_line,
                )
                if by_line and row == UNTAGGED:
                    items = [view for view in items if not view.item.lines_of_enquiry]
        except StoreError as error:
            self.app.notify(str(error), severity="error", title="Could not read the evidence", markup=False)
            return
        self.post_message(self.Loaded(CoverageView(coverage, items, cell)))

    def on_coverage_screen_loaded(self, message: Loaded) -> None:
        self.view = message.view
        self._fill_matrix()
        self._fill_items()

    def _fill_matrix(self) -> None:
        assert self.view is not None
        coverage = self.view.coverage
        table = self.query_one("#matrix", DataTable)
        keep = table.cursor_coordinate
        untagged_title = f"{'Not tied' if self.by_line else 'Not tagged'} ({coverage.untagged})"
        titles = [self._row_title(area) for area in coverage.areas]
        # Sized to what they hold and to the screen, not to what was there before: counts are
        # never cut, titles take what is left. Each column has a cell of padding either side.
        available = self.app.size.width - 4  # the screen's edges and the scroll bar
        area_width, widths = matrix_widths(
            coverage, ["Focus area", *titles, untagged_title], available - 2, gap=2, most=60
        )
        if self.by_line:  # a line is a question: enough of it to read, the counts scroll if need be
            area_width = max(area_width, min(40, max(map(len, titles))))
        elif area_width + 2 + sum(w + 2 for w in widths) > available:
            # Too many kinds of source for the screen: the titles stay (a fixed column) and the
            # counts scroll sideways, whole.
            area_width = max(area_width, min(30, max(map(len, titles))))
        table.clear(columns=True)
        table.add_column("Line of enquiry" if self.by_line else "Focus area", key="area", width=area_width)
        for source, width in zip(coverage.sources, widths, strict=True):
            table.add_column(SOURCE_LABELS[source], key=source.value, width=width)
        for area, title in zip(coverage.areas, titles, strict=True):
            cells = [self._cell(coverage.cell(area, source)) for source in coverage.sources]
            thin_row = area in coverage.thin_areas()
            table.add_row(
                Text(shorten(title, area_width), style="bold red" if thin_row else "bold"), *cells, key=area
            )
        table.add_row(
            Text(shorten(untagged_title, area_width), style="yellow" if coverage.untagged else "dim"),
            *[self._cell(coverage.untagged_cell(source), thin_matters=False) for source in coverage.sources],
            key=UNTAGGED,
        )
        if keep.row < table.row_count and keep.column < len(table.columns):
            table.cursor_coordinate = keep

    @staticmethod
    def _cell(cell: Cell, thin_matters: bool = True) -> Text:
        style = "bold red" if thin_matters and cell.thin and cell.total else "dim" if not cell.total else ""
        return Text(cell_text(cell, mark_thin=thin_matters), style=style)

    def on_resize(self) -> None:
        if self.view is not None:
            self._fill_matrix()

    def _row_title(self, row: str) -> str:
        line = self.context.lines_of_enquiry.get(row) if self.by_line else None
        return f"{row} {line.text}" if line else self.context.area_title(row)

    def _fill_items(self) -> None:
        assert self.view is not None
        listing = self.query_one("#items", SelectionList)
        listing.clear_options()
        cell = self.view.cell
        if cell is None:
            self.query_one("#cell-title", Label).update(
                "enter on a cell lists its evidence · ! thin: one session or source only"
            )
            return
        area, source = cell
        where = ("not tied" if self.by_line else "not tagged") if area == UNTAGGED else self._row_title(area)
        what = f" · {source.replace('_', ' ')}" if source else ""
        count = len(self.view.items)
        self.query_one("#cell-title", Label).update(
            f"{where}{what}: {count} item{'s' if count != 1 else ''} · space selects, f makes a finding"
        )
        for view in self.view.items:
            listing.add_option((self._item_label(view), view.item.id))
        if listing.option_count:
            listing.highlighted = 0

    def _item_label(self, view: EvidenceView) -> Text:
        item = view.item
        symbol = KIND_SYMBOL.get(item.kind.value, "•")
        where = (
            f"{view.day:%a} {view.session_title}"
            if view.session_title and view.day
            else item.title or item.source_kind.value
        )
        return Text.assemble(
            (f"{symbol} ", "bold"),
            item.text,
            (f"  — {where}, {view.author_name}", "dim"),
            (" (broken link)" if item.detached else "", "red"),
        )

    # --- actions ---------------------------------------------------------------------

    def system_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Evidence to tag", "Items not tagged to a focus area", self.action_to_tag)
        yield SystemCommand(
            "Add a document", "A document the team read, as evidence", self.action_add_document
        )

    def _cell_at_cursor(self) -> tuple[str, str | None] | None:
        if self.view is None:
            return None
        table = self.query_one("#matrix", DataTable)
        if table.row_count == 0:
            return None
        keys = table.coordinate_to_cell_key(table.cursor_coordinate)
        area = str(keys.row_key.value)
        column = str(keys.column_key.value)
        return (area, None if column == "area" or area == UNTAGGED else column)

    @on(DataTable.CellSelected, "#matrix")
    def action_drill(self) -> None:
        self.cell = self._cell_at_cursor()
        self.reload()
        self.query_one("#items", SelectionList).focus()

    def action_to_tag(self) -> None:
        self.cell = (UNTAGGED, None)
        self.reload()
        self.query_one("#items", SelectionList).focus()

    def _highlighted_item(self) -> EvidenceView | None:
        if self.view is None:
            return None
        listing = self.query_one("#items", SelectionList)
        if listing.highlighted is None or listing.option_count == 0:
            return None
        item_id = listing.get_option_at_index(listing.highlighted).value
        return next((v for v in self.view.items if v.item.id == item_id), None)

    def action_open_item(self) -> None:
        view = self._highlighted_item()
        if view is None or view.item.session_id is None:
            self.notify("Choose an item from a note (data and documents have no note).", severity="warning")
            return
        self.post_message(self.OpenNote(view.item.session_id, view.item.author_id, view.item.line_no))

    def action_tag_item(self) -> None:
        view = self._highlighted_item()
        if view is None:
            return
        choices = [(area.title, area.id) for area in self.context.focus_areas]

        def chosen(area_id: str | None) -> None:
            if area_id:
                self.run_change(
                    lambda: tag_evidence(self.context.store, view.item.id, area_id, self.actor()),
                    done=f"Tagged #{area_id}",
                )

        self.app.push_screen(
            ChoiceModal(f"Which focus area is this evidence for?\n{view.item.text}", choices), chosen
        )

    def action_toggle_view(self) -> None:
        self.by_line = not self.by_line
        self.cell = None
        self.reload()

    def action_tie_item(self) -> None:
        view = self._highlighted_item()
        if view is None:
            self.notify("Choose an item first: enter on a cell lists them.", severity="warning")
            return
        areas = view.item.focus_areas
        lines = sorted(
            self.context.lines_of_enquiry.values(), key=lambda line: (line.area_id not in areas, line.id)
        )
        choices = [
            (f"{line.id}  {line.text}", line.id)
            for line in lines
            if line.id not in view.item.lines_of_enquiry
        ]

        def chosen(line_id: str | None) -> None:
            if line_id:
                self.run_change(
                    lambda: tie_line(self.context.store, view.item.id, line_id, self.actor()),
                    done=f"Tied to #{line_id}",
                )

        self.app.push_screen(
            ChoiceModal(f"Which line of enquiry does this speak to?\n{view.item.text}", choices), chosen
        )

    def action_add_document(self) -> None:
        def added(fields: dict[str, Any] | None) -> None:
            if fields:
                self.run_change(
                    lambda: add_document(self.context.store, actor=self.actor(), **fields),
                    done=f"Added document: {fields['title']}",
                )

        self.app.push_screen(DocumentFormModal(self.context), added)

    def action_make_finding(self) -> None:
        selected = list(self.query_one("#items", SelectionList).selected)
        if not selected:
            self.notify("Select evidence items with space first.", severity="warning")
            return
        area = self.cell[0] if self.cell and self.cell[0] != UNTAGGED else None

        def made(fields: dict[str, Any] | None) -> None:
            if fields:
                self.run_change(
                    lambda: findings.create_finding(
                        self.context.store, evidence_ids=selected, actor=self.actor(), **fields
                    ),
                    done=lambda made: f"Finding made: {made.title}\nf5 shows the findings.",
                    failed_title="Finding not made",
                    reload=False,  # the matrix is as it was, and the selection stays for another finding
                )

        self.app.push_screen(
            FindingFormModal(self.context, focus_area=area, evidence_count=len(selected)), made
        )
