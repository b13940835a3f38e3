"""The team meeting's exchange: write this laptop's bundle to a folder (a USB stick), read the
others' bundles from one, and settle what two laptops changed differently, having read what
differs between the two versions (shown for the conflict the cursor is on)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Checkbox, DataTable, Header, Input, Label, Static

from ...names import Names, local_time, shorten
from ...store import StoreError, week
from ...sync import (
    SUFFIX,
    Conflict,
    MergeSummary,
    free_bundle_path,
    list_conflicts,
    merge_bundles,
    resolve_conflict,
    write_bundle,
)
from ...sync.conflicts import FieldDiff, Keep, compare, conflict_names
from ...sync.folder import exchange_folder, ready_to_write, remember_exchange_folder
from ...sync.signatures import KeyNotEnrolled, UnknownKey
from ..modals.enrol_keys import EnrolKeysModal, own_fingerprint
from ..widgets.footer import KeysFooter
from .base import ReviewScreen

VERSIONS = ("In place", "Kept aside")


class ExchangeScreen(ReviewScreen):
    # ctrl keys, which the folder box does not take as typing: they settle the conflict under
    # the table's cursor wherever the focus is (letters would be typed into the folder, or, in
    # the table, settle a conflict when someone meant to type a folder).
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+y",
            "keep('winner')",
            "Keep version in place",
            id="exchange.keep_winner",
            tooltip="the conflict under the cursor: the later change stays",
        ),
        Binding(
            "ctrl+o",
            "keep('loser')",
            "Keep other version",
            id="exchange.keep_loser",
            tooltip="the conflict under the cursor: the version kept aside replaces it",
        ),
    ]

    class Done(Message):
        def __init__(self, report: Text | None, conflicts: list[Conflict], names: Names) -> None:
            super().__init__()
            self.report = report
            self.conflicts = conflicts
            self.names = names  # read with the conflicts: a merge may have brought new sessions

    class Compared(Message):
        def __init__(self, conflict: Conflict, diffs: list[FieldDiff]) -> None:
            super().__init__()
            self.conflict = conflict
            self.diffs = diffs

    class KeysToEnrol(Message):
        """The lead read bundles signed by keys not enrolled yet: ask before enrolling them."""

        def __init__(self, folder: Path, unknown: list[UnknownKey], report: Text) -> None:
            super().__init__()
            self.folder = folder
            self.unknown = unknown
            self.report = report

    def __init__(self) -> None:
        super().__init__()
        self.conflicts: list[Conflict] = []
        self.names = Names()

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label("Folder to exchange bundles through (a USB stick, a shared folder)")
        with Horizontal(id="exchange-folder"):
            yield Input(id="folder")  # filled in by the first read: the folder last used
            yield Button("Write my bundle", variant="primary", id="write")
            yield Button("Read bundles", id="read")
        yield Checkbox("Only what changed since my last bundle", id="since-last")
        yield Static("", id="report")
        yield Label(
            "Conflicts: rows changed on two laptops (the later change is in place; the other is kept)"
        )
        yield DataTable(id="conflicts", cursor_type="row")
        with VerticalScroll(id="conflict-diff-box"):
            yield Static(id="conflict-diff")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.sub_title = "Exchange: bundles between the team's laptops"
        self._run(None, None)  # show the folder last used and the open conflicts
        self.query_one("#folder", Input).focus()

    def _folder(self) -> Path:
        typed = self.query_one("#folder", Input).value.strip()
        return Path(typed).expanduser() if typed else exchange_folder(self.context.store)

    @on(Button.Pressed, "#write")
    def _write_pressed(self) -> None:
        self._run("write", self._folder(), self.query_one("#since-last", Checkbox).value)

    @on(Button.Pressed, "#read")
    def _read_pressed(self) -> None:
        self._run("read", self._folder())

    @work(thread=True, exclusive=True, group="exchange", exit_on_error=False)
    def _run(
        self, what: str | None, folder: Path | None, since_last: bool = False, accept: tuple[str, ...] = ()
    ) -> None:
        store = self.context.store
        report: Text | None = None
        try:
            if what is None:
                self.app.call_from_thread(self._set_folder, str(exchange_folder(store)))
                if self.actor():
                    report = Text(f"Your key: {own_fingerprint(store, self.actor())}", style="dim")
            elif folder is not None and not ready_to_write(folder).is_dir():
                report = Text(f"{folder} is not a folder (is the stick plugged in?)", style="bold red")
            elif what == "write" and folder is not None:
                review = store.review()
                assert review is not None
                path = free_bundle_path(folder, f"{review.id}-{self.actor()}-{dt.datetime.now():%Y%m%d-%H%M}")
                written = write_bundle(store, path, since_last=since_last, actor=self.actor())
                remember_exchange_folder(store, folder)
                report = Text.assemble(
                    ("Written ", "bold green"),
                    f"{path}: {written.describe()}.\n",
                    ("It holds interview notes: delete it from the stick once merged.", "italic"),
                )
            elif what == "read" and folder is not None:
                files = sorted(folder.glob(f"*{SUFFIX}"))
                if not files:
                    report = Text(f"No bundles (*{SUFFIX}) in {folder}.", style="yellow")
                else:
                    with store.backup_if_changed("merge"):  # kept only if the merge changed the review
                        merged = merge_bundles(store, files, actor=self.actor(), accept_keys=accept)
                    remember_exchange_folder(store, folder)
                    report = self._merge_report(merged, conflict_names(store, []))
            conflicts = list_conflicts(store)
        except KeyNotEnrolled as unknown:
            if unknown.can_accept and folder is not None:
                self.post_message(
                    self.KeysToEnrol(folder, unknown.unknown, Text(str(unknown), style="yellow"))
                )
                return
            report, conflicts = Text(str(unknown), style="bold red"), list_conflicts(store)
        except StoreError as error:  # SyncError included: another review, a damaged file...
            report, conflicts = Text(str(error), style="bold red"), list_conflicts(store)
        self.post_message(self.Done(report, conflicts, conflict_names(store, conflicts)))

    @staticmethod
    def _merge_report(summary: MergeSummary, names: Names) -> Text:
        out = Text()
        for merged in summary.bundles:
            if merged.skipped:
                out.append(f"{merged.path.name}: skipped, {merged.skipped}.\n", style="dim")
            else:
                out.append(f"{merged.path.name} ", style="bold")
                out.append(f"from {names.reviewer(merged.header.sender)}: {merged.describe()}.\n")
        out.append(f"In all: {summary.describe()}.", style="bold")
        return out

    def _set_folder(self, folder: str) -> None:
        box = self.query_one("#folder", Input)
        if not box.value:  # what was typed while the screen opened is kept
            box.value = folder
            box.select_all()  # offered: typing another folder replaces it

    def on_exchange_screen_done(self, message: Done) -> None:
        if message.report is not None:
            self.query_one("#report", Static).update(message.report)
        self.conflicts = message.conflicts
        self.names = message.names
        self.refresh_bindings()
        self._fill_conflicts()
        if not self.conflicts:
            self.query_one("#conflict-diff", Static).update("")

    def on_resize(self) -> None:
        self._fill_conflicts()

    def _fill_conflicts(self) -> None:
        """One row a conflict: who and when of each version whole, the row's name cut at a word
        to the width left (both are whole above the diff below)."""
        table = self.query_one("#conflicts", DataTable)
        cursor = table.cursor_row
        names, initials = self.names, self.context.reviewer_initials
        versions = [  # who by initials (named in full above the diff), and when
            (
                f"{initials(c.winner_updated_by)} {local_time(c.winner_updated_at)}",
                f"{initials(c.loser_updated_by)} {local_time(c.loser_updated_at)}",
            )
            for c in self.conflicts
        ]
        widths = [max([len(heading), *(len(v[i]) for v in versions)]) for i, heading in enumerate(VERSIONS)]
        padding = 2 * table.cell_padding * 3 + 2  # each cell's, and a scroll bar's
        what = max(12, table.size.width - sum(widths) - padding)
        table.clear(columns=True)
        table.add_column("What", width=what)
        for heading, width in zip(VERSIONS, widths, strict=True):
            table.add_column(heading, width=width)
        for conflict, (in_place, kept) in zip(self.conflicts, versions, strict=True):
            table.add_row(shorten(conflict.subject(names), what), in_place, kept, key=conflict.id)
        if not self.conflicts:
            table.add_row(Text("none", style="dim"), "", "", key="none")
        table.move_cursor(row=min(cursor, table.row_count - 1))

    @on(DataTable.RowHighlighted, "#conflicts")
    def _conflict_highlighted(self, event: DataTable.RowHighlighted) -> None:
        conflict = next((c for c in self.conflicts if c.id == event.row_key.value), None)
        if conflict is not None:
            self._compare(conflict)

    @work(thread=True, exclusive=True, group="exchange-compare", exit_on_error=False)
    def _compare(self, conflict: Conflict) -> None:
        try:
            diffs = compare(self.context.store, conflict, self.names)
        except StoreError as error:
            self.app.call_from_thread(self.show_change_failed, str(error), "")
            return
        self.post_message(self.Compared(conflict, diffs))

    def on_exchange_screen_compared(self, message: Compared) -> None:
        self.query_one("#conflict-diff", Static).update(self._diff_text(message.conflict, message.diffs))

    def _diff_text(self, conflict: Conflict, diffs: list[FieldDiff]) -> Text:
        """The two versions of the conflict's row, field by field: lines only in the version in
        place in red after '-', lines only in the one kept aside in green after '+'."""
        names = self.names
        out = Text.assemble((conflict.subject(names), "bold"), "\n")
        out.append(
            f"- in place: {names.reviewer(conflict.winner_updated_by)}, "
            f"{local_time(conflict.winner_updated_at)}\n",
            "red",
        )
        out.append(
            f"+ kept aside: {names.reviewer(conflict.loser_updated_by)}, "
            f"{local_time(conflict.loser_updated_at)}\n",
            "green",
        )
        if not diffs:
            out.append("\nThe two versions now read the same.", "dim")
        for diff in diffs:
            out.append(f"\n{diff.field}\n", "bold underline")
            for mark, line in diff.lines:
                if mark == "…":
                    out.append("  …\n", "dim")
                else:
                    out.append(f"{mark} {line}\n", {"-": "red", "+": "green"}.get(mark, ""))
        return out

    def on_exchange_screen_keys_to_enrol(self, message: KeysToEnrol) -> None:
        self.query_one("#report", Static).update(message.report)
        reviewers = tuple(key.reviewer for key in message.unknown)

        def enrol(yes: bool | None) -> None:
            if yes:
                self._run("read", message.folder, accept=reviewers)

        self.app.push_screen(EnrolKeysModal(message.unknown, week.names(self.context.store)), enrol)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keeping a version is offered when there is a conflict to settle."""
        if action == "keep":
            return bool(self.conflicts)
        return True

    def action_keep(self, keep: Keep) -> None:
        table = self.query_one("#conflicts", DataTable)
        if not self.conflicts or table.row_count == 0:
            return
        conflict_id = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        self.run_change(
            lambda: resolve_conflict(self.context.store, conflict_id, keep, self.actor()),
            done="Kept the version in place."
            if keep == "winner"
            else "Kept the other version: it is now in place.",
        )

    # What a change came to is said in the report, where the bundles' outcomes are.
    def show_change_done(self, text: str) -> None:
        self.query_one("#report", Static).update(Text(text, style="green"))

    def show_change_failed(self, reason: str, title: str) -> None:
        self.query_one("#report", Static).update(Text(reason, style="bold red"))

    def reload(self) -> None:
        self._list_conflicts()

    @work(thread=True, exclusive=True, group="exchange-conflicts", exit_on_error=False)
    def _list_conflicts(self) -> None:
        store = self.context.store
        conflicts = list_conflicts(store)
        self.post_message(self.Done(None, conflicts, conflict_names(store, conflicts)))
