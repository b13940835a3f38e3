"""The daily wash-up: focus areas × sources, where evidence is thin, and what backs each cell.

Enter on a cell lists its items below; space selects items, `f` makes a finding of them, Enter
on an item opens its note at the line.
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

from ...coverage import SOURCE_LABELS, Coverage, cell_text, compute_coverage
from ...models import SourceKind
from ...store import StoreError, findings
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

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="filters"):
            yield Label("Day ")
            yield Select(
                [(day.label, day.id.isoformat()) for day in self.context.days], prompt="whole week", id="day"
            )
            yield Label("  Reviewer ")
            yield Select([(r.name, r.id) for r in self.context.reviewers], prompt="whole team", id="author")
        yield DataTable(id="matrix", cursor_type="cell")
        yield Label("", id="cell-title")
        yield SelectionList[str](id="items")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.sub_title = "Coverage: where is the evidence thin?"
        self.query_one("#matrix", DataTable).focus()
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

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
        self._load(day, author, self.cell)

    @work(thread=True, exclusive=True, group="coverage", exit_on_error=False)
    def _load(self, day: dt.date | None, author: str | None, cell: tuple[str, str | None] | None) -> None:
        store = self.context.store
        try:
            coverage = compute_coverage(store, day=day, author=author)
            items: list[EvidenceView] = []
            if cell is not None:
                area, source = cell
                items = list_evidence(
                    store,
                    focus_area=None if area == UNTAGGED else area,
                    source_kind=SourceKind(source) if source else None,
                    day=day,
                    author=author,
                    untagged=area == UNTAGGED,
                )
        except StoreError as error:
            self.app.notify(str(error), severity="error", title="Could not read the evidence")
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
        table.clear(columns=True)
        table.add_column("Focus area", key="area", width=26)
        for source in coverage.sources:
            table.add_column(SOURCE_LABELS[source], key=source.value)
        for area in coverage.areas:
            cells = []
            for source in coverage.sources:
                cell = coverage.cell(area, source)
                style = "bold red" if cell.thin and cell.total else "dim" if not cell.total else ""
                cells.append(Text(cell_text(cell), style=style))
            thin_row = area in coverage.thin_areas()
            title = Text(self.context.area_title(area), style="bold red" if thin_row else "bold")
            table.add_row(title, *cells, key=area)
        table.add_row(
            Text(
                f"Not tagged to a focus area: {coverage.untagged}",
                style="yellow" if coverage.untagged else "dim",
            ),
            *[Text("") for _ in coverage.sources],
            key=UNTAGGED,
        )
        if keep.row < table.row_count and keep.column < len(table.columns):
            table.cursor_coordinate = keep

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
        where = "not tagged" if area == UNTAGGED else self.context.area_title(area)
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
