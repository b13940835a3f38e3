"""Day five: findings per focus area, each with its triangulation badge, evidence and sign-off."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from ...names import local_time
from ...ownership import Change
from ...rows import EvidenceKind, Finding, FindingSection, FindingStatus
from ...store import StoreError, findings
from ...store.audit import AuditEntry
from ...store.evidence_items import EvidenceView, list_evidence
from ...store.findings import FindingView, LinkedEvidence
from ...washup import lines_of_findings
from ..modals.audit import AuditModal
from ..modals.choice import ChoiceModal
from ..modals.confirm import ConfirmModal
from ..modals.evidence_picker import EvidencePickerModal
from ..modals.finding_form import SECTION_LABELS, FindingFormModal
from ..widgets.footer import KeysFooter
from ..widgets.gutter_row import GutterRow
from .base import ReviewScreen

if TYPE_CHECKING:
    from ...export.guard import GuardHit


@dataclass(frozen=True)
class Detail:
    view: FindingView
    evidence: list[LinkedEvidence]


# The keys that act on the chosen finding (n makes a new one, whatever is chosen).
FINDING_ACTIONS = {"edit", "attach", "detach", "quote", "move", "agree", "reopen", "history", "delete"}


class FindingsScreen(ReviewScreen):
    CHANGE_FAILED_TITLE = "Not done"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new", "New", id="findings.new"),
        Binding("e", "edit", "Edit", id="findings.edit", tooltip="its wording, section or focus area"),
        Binding("a", "attach", "Attach", id="findings.attach", tooltip="cite evidence"),
        Binding("d", "detach", "Detach", id="findings.detach", tooltip="stop citing evidence"),
        Binding(
            "q",
            "quote",
            "Choose quote",
            id="findings.quote",
            show=False,
            tooltip="for the letter, never attributed",
        ),
        Binding("left_square_bracket", "move(-1)", "Move up", id="findings.up", show=False),
        Binding("right_square_bracket", "move(1)", "Move down", id="findings.down", show=False),
        Binding("g", "agree", "Agree", id="findings.agree", tooltip="the lead only"),
        Binding("r", "reopen", "Reopen", id="findings.reopen", show=False, tooltip="back to draft"),
        Binding("h", "history", "History", id="findings.history", tooltip="who changed what, when"),
        Binding("delete", "delete", "Delete", id="findings.delete", show=False, tooltip="asks first"),
    ]

    class Loaded(Message):
        def __init__(
            self, views: list[FindingView], detail: Detail | None, lines: dict[str, list[str]]
        ) -> None:
            super().__init__()
            self.views = views
            self.detail = detail
            self.lines = lines

    def __init__(self) -> None:
        super().__init__()
        self.views: list[FindingView] = []
        self.detail: Detail | None = None
        self.selected_id: str | None = None
        self.lines: dict[str, list[str]] = {}  # finding id -> the lines of enquiry it rests on
        self.group_area: str | None = None  # the focus area of the highlighted group, if any

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            yield OptionList(id="findings")
            with VerticalScroll(id="finding-pane"):
                yield Static(id="finding-detail")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.sub_title = "Findings: each backed by more than one source"
        self.query_one("#findings", OptionList).focus()

    def on_screen_resume(self) -> None:
        self.show_current()  # the first showing reads too

    def reload(self) -> None:
        self._load(self.selected_id)

    @work(thread=True, exclusive=True, group="findings", exit_on_error=False)
    def _load(self, selected: str | None) -> None:
        store = self.context.store
        try:
            self.mark_read()
            views = findings.list_findings(store)
            view = next((v for v in views if v.finding.id == selected), None)
            detail = Detail(view, findings.linked_evidence(store, view.finding.id)) if view else None
            lines = lines_of_findings(store, views)
        except StoreError as error:
            self.app.notify(str(error), severity="error", title="Could not read the findings", markup=False)
            return
        self.post_message(self.Loaded(views, detail, lines))

    def on_findings_screen_loaded(self, message: Loaded) -> None:
        self.views, self.detail, self.lines = message.views, message.detail, message.lines
        self._fill_list()
        shown = self.detail.view.finding.id if self.detail else None
        if shown != self.selected_id:  # the cursor moved on while the findings were read
            self._read_detail(self.selected_id)
        self._show_detail()
        self.refresh_bindings()

    class DetailLoaded(Message):
        def __init__(self, detail: Detail) -> None:
            super().__init__()
            self.detail = detail

    def _read_detail(self, selected: str | None) -> None:
        """Show the chosen finding's evidence: only it is read (the list is read already)."""
        view = next((v for v in self.views if v.finding.id == selected), None)
        if view is None:
            self.detail = None
            self._show_detail()
            self.refresh_bindings()
        else:
            self._load_detail(view)

    @work(thread=True, exclusive=True, group="findings-detail", exit_on_error=False)
    def _load_detail(self, view: FindingView) -> None:
        try:
            detail = Detail(view, findings.linked_evidence(self.context.store, view.finding.id))
        except StoreError as error:
            self.app.notify(str(error), severity="error", title="Could not read the finding", markup=False)
            return
        self.post_message(self.DetailLoaded(detail))

    def awaiting_data(self) -> bool:
        """The chosen finding's evidence is still being read: the app holds the next key (an
        agree or an edit) until it is, so that it acts on the finding now chosen (see key_order)."""
        chosen = self.selected_id is not None and any(v.finding.id == self.selected_id for v in self.views)
        return chosen and (self.detail is None or self.detail.view.finding.id != self.selected_id)

    def on_findings_screen_detail_loaded(self, message: DetailLoaded) -> None:
        if message.detail.view.finding.id == self.selected_id:
            self.detail = message.detail
            self._show_detail()
            self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The footer offers what the person may do with the chosen finding (none chosen: only a
        new one); agreeing, reopening and quotes are the lead's; an agreed finding is the lead's
        to change."""
        status = self.detail.view.finding.status if self.detail else None
        if self.detail is None and action in FINDING_ACTIONS:
            return False  # no finding chosen: nothing to act on
        if action == "agree":
            return self.context.may(Change.AGREE) and status is not FindingStatus.AGREED
        if action == "reopen":
            return self.context.may(Change.REOPEN) and status is FindingStatus.AGREED
        if action == "quote":
            return self.context.may(Change.CHOOSE_QUOTE)
        if action in {"edit", "attach", "detach", "move", "delete"}:
            return self.context.may(Change.FINDING, finding_status=status)
        return True

    def _groups(self) -> list[tuple[str, FindingSection, str | None]]:
        groups: list[tuple[str, FindingSection, str | None]] = [
            ("Key messages", FindingSection.KEY_MESSAGE, None)
        ]
        for area in self.context.focus_areas:
            groups.append((f"{area.title}: strengths", FindingSection.STRENGTH, area.id))
            groups.append((f"{area.title}: areas for development", FindingSection.DEVELOPMENT, area.id))
        groups.append(("Recommendations", FindingSection.RECOMMENDATION, None))
        return groups

    def _fill_list(self) -> None:
        """The findings under their lists' headings, every row wrapped to the width: a title is
        read whole, and its badge is never cut."""
        listing = self.query_one("#findings", OptionList)
        keep, near = self.selected_id or self._highlighted_id(), listing.highlighted or 0
        options: list[Option] = []
        for label, section, area in self._groups():
            members = [
                v for v in self.views if v.finding.section is section and v.finding.focus_area_id == area
            ]
            agreed = sum(v.finding.status is FindingStatus.AGREED for v in members)
            options.append(
                Option(_heading(label, f"{agreed}/{len(members)} agreed"), id=_group_id(section, area))
            )
            options += [Option(self._row(listing, view), id=view.finding.id) for view in members]
        listing.clear_options()
        listing.add_options(options)
        if options:  # the same row again; one deleted, the row now in its place
            index = next((i for i, option in enumerate(options) if option.id == keep), near)
            listing.highlighted = min(index, len(options) - 1)

    def _highlighted_id(self) -> str | None:
        listing = self.query_one("#findings", OptionList)
        if listing.highlighted is None or listing.option_count == 0:
            return None
        return listing.get_option_at_index(listing.highlighted).id

    @staticmethod
    def _row(listing: OptionList, view: FindingView) -> GutterRow:
        """'✓ ⚠' in a gutter, then the title and, on its own line, the badge."""
        f = view.finding
        weak = view.badge.single_source or view.badge.broken
        gutter = Text.assemble(
            "  ",
            ("✓", "green") if f.status is FindingStatus.AGREED else ("○", "dim"),
            (" ⚠" if weak else "", "bold red"),
        )
        return GutterRow(
            listing,
            gutter,
            Text.assemble(f.title, "\n", (view.badge.label(), "bold red" if weak else "cyan")),
        )

    @on(OptionList.OptionHighlighted, "#findings")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        data = event.option.id
        new = data if data and not data.startswith("group:") else None
        group_area = data.split(":")[2] or None if data and data.startswith("group:") else None
        if group_area != self.group_area:
            self.group_area = group_area
            if new is None and self.selected_id is None:
                self._show_detail()
        if new != self.selected_id:
            self.selected_id = new
            self._read_detail(new)

    def _show_detail(self) -> None:
        pane = self.query_one("#finding-detail", Static)
        if self.detail is None and self.group_area is not None:
            pane.update(self._area_lines(self.group_area))
            return
        if self.detail is None:
            pane.update(
                Text(
                    "Choose a finding on the left, or press n for a new one.\n\n"
                    "Findings can also be made from evidence: on the coverage screen (f4), enter on a cell, "
                    "select items with space and press f.",
                    style="dim",
                )
            )
            return
        view, evidence = self.detail.view, self.detail.evidence
        f = view.finding
        out = Text()
        out.append(f"{f.title}\n", style="bold")
        where = SECTION_LABELS[f.section] + (
            f" · {self.context.area_title(f.focus_area_id)}" if f.focus_area_id else ""
        )
        out.append(f"{where}\n", style="italic")
        if f.status is FindingStatus.AGREED:
            out.append(
                f"Agreed by {self.context.reviewer_name(f.agreed_by)} ({local_time(f.agreed_at)})\n",
                style="green",
            )
        else:
            out.append("Draft: the lead agrees it with g\n", style="yellow")
        out.append(view.badge.label() + "\n", style="bold red" if view.badge.single_source else "cyan")
        if rests_on := self.lines.get(f.id):
            out.append(f"Rests on lines of enquiry: {', '.join(rests_on)}\n", style="dim")
        out.append(f"\n{f.body or '(no paragraph yet: e to write one)'}\n")
        out.append(f"\nEvidence ({len(evidence)})\n", style="bold underline")
        for linked in evidence:
            item = linked.item
            symbol = {"strength": "+", "development": "-", "follow_up": "?", "quote": "!"}.get(
                item.kind.value, "•"
            )
            out.append(f" {symbol} ", style="bold")
            out.append(item.text)
            source = (
                f"{linked.day:%a} {linked.session_title}"
                if linked.session_title and linked.day
                else item.title or item.source_kind.value
            )
            out.append(f"  — {source}", style="dim")
            if linked.quote_chosen:
                out.append("  [quote chosen for the letter]", style="magenta")
            if linked.broken:
                out.append("  [broken: the note line was deleted]", style="bold red")
            out.append("\n")
        if not evidence:
            out.append("  none yet: a to attach\n", style="dim")
        pane.update(out)

    def _area_lines(self, area_id: str) -> Text:
        """Which of a focus area's lines of enquiry its findings rest on, and which none does."""
        in_area = [v.finding.id for v in self.views if v.finding.focus_area_id == area_id]
        out = Text()
        out.append(f"{self.context.area_title(area_id)}\n", style="bold")
        out.append("Lines of enquiry its findings rest on\n\n", style="italic")
        for line in self.context.lines_of_enquiry.values():
            if line.area_id != area_id:
                continue
            count = sum(line.id in self.lines.get(finding, []) for finding in in_area)
            mark, style = ("✓ ", "green") if count else ("✗ ", "bold red")
            out.append(mark, style=style)
            out.append(f"{line.id} ", style="bold")
            out.append(line.text)
            out.append(
                f"  {count} finding{'s' if count != 1 else ''}\n" if count else "  no finding yet\n",
                style="dim",
            )
        return out

    # --- actions ---------------------------------------------------------------------

    def _current(self) -> FindingView | None:
        if self.detail is None:
            self.notify("Choose a finding first.", severity="warning")
            return None
        return self.detail.view

    def system_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("New finding", "Write a finding", self.action_new)
        yield SystemCommand("Agree finding", "The lead agrees the selected finding", self.action_agree)
        yield SystemCommand("Finding history", "Who changed the finding, and when", self.action_history)

    def action_new(self) -> None:
        # in the focus area of the list the cursor is in (on its heading or one of its findings)
        chosen = self._highlighted_id() or ""
        view = next((v for v in self.views if v.finding.id == chosen), None)
        if view is not None:
            area = view.finding.focus_area_id
        else:
            area = chosen.split(":")[2] or None if chosen.startswith("group:") else None

        def made(fields: dict[str, Any] | None) -> None:
            if fields:
                self.run_change(
                    lambda: findings.create_finding(self.context.store, actor=self.actor(), **fields),
                    done=f"Finding made: {fields['title']}",
                    then=self._made,
                )

        self.app.push_screen(FindingFormModal(self.context, focus_area=area), made)

    def _select(self, finding_id: str) -> None:
        self.selected_id = finding_id

    def _made(self, made: Finding) -> None:
        self._select(made.id)
        self._warn_if_flagged(made.id)

    @work(thread=True, group="findings-guard", exit_on_error=False)
    def _warn_if_flagged(self, finding_id: str) -> None:
        """The guard on a finding just written: what it found is shown at once, not at export."""
        from ...export.guard import check_saved_finding

        try:
            hits = check_saved_finding(self.context.store, finding_id).all()
        except StoreError:
            return  # the export runs the guard again in any case
        for hit in hits:
            message = f"'{hit.phrase}' ({hit.kind}, in the {hit.where}): {hit.advice}"
            self.app.call_from_thread(
                self.notify, message, title="Attribution check", severity="warning", timeout=15
            )

    def action_edit(self) -> None:
        view = self._current()
        if view is None:
            return

        def edited(fields: dict[str, Any] | None) -> None:
            if fields:
                self.run_change(
                    lambda: findings.update_finding(
                        self.context.store, view.finding.id, self.actor(), **fields
                    ),
                    done=lambda after: self._edit_done(view.finding, after),
                    then=lambda _: self._warn_if_flagged(view.finding.id),
                )

        self.app.push_screen(FindingFormModal(self.context, finding=view.finding), edited)

    def _edit_done(self, before: Finding, after: Finding) -> str:
        moved = (before.section, before.focus_area_id) != (after.section, after.focus_area_id)
        done = f"Moved to {self._list_name(after)}" if moved else "Saved"
        return done + (": back to draft" if after.status is not before.status else "")

    def _list_name(self, finding: Finding) -> str:
        """'Partnership work: areas for development', 'Key messages'."""
        for label, section, area in self._groups():
            if section is finding.section and area == finding.focus_area_id:
                return label
        return SECTION_LABELS[finding.section]  # a focus area the schedule no longer has

    def action_attach(self) -> None:
        view = self._current()
        if view is not None:
            self._pick_evidence(view)

    @work(thread=True, group="findings-pick", exit_on_error=False)
    def _pick_evidence(self, view: FindingView) -> None:
        try:
            candidates = list_evidence(self.context.store, focus_area=view.finding.focus_area_id)
        except StoreError as error:
            self.app.notify(str(error), severity="error", markup=False)
            return
        linked = set(view.evidence_ids)
        offer = [c for c in candidates if c.item.id not in linked]
        self.app.call_from_thread(self._offer, view, offer)

    def _offer(self, view: FindingView, offer: list[EvidenceView]) -> None:
        def chosen(ids: list[str] | None) -> None:
            if ids:
                self.run_change(
                    lambda: findings.attach_evidence(self.context.store, view.finding.id, ids, self.actor()),
                    done=f"Attached {len(ids)} item{'s' if len(ids) != 1 else ''}",
                )

        self.app.push_screen(EvidencePickerModal(offer, view.finding.title), chosen)

    def _choose_linked(self, prompt: str, linked: list[LinkedEvidence], then: Callable[[str], None]) -> None:
        if not linked:
            self.notify("Nothing to choose from.", severity="warning")
            return
        choices = [(item.item.text, item.item.id) for item in linked]  # whole: the modal wraps them
        self.app.push_screen(ChoiceModal(prompt, choices), lambda chosen: then(chosen) if chosen else None)

    def action_detach(self) -> None:
        view = self._current()
        if view is None or self.detail is None:
            return
        self._choose_linked(
            "Detach which evidence from this finding?",
            self.detail.evidence,
            lambda item_id: self.run_change(
                lambda: findings.detach_evidence(
                    self.context.store, view.finding.id, [item_id], self.actor()
                ),
                done="Evidence detached",
            ),
        )

    def action_quote(self) -> None:
        view = self._current()
        if view is None or self.detail is None:
            return
        quotes = [e for e in self.detail.evidence if e.item.kind is EvidenceKind.QUOTE]
        chosen_now = {e.item.id for e in quotes if e.quote_chosen}
        self._choose_linked(
            "Use which quote in the letter (again to stop using it)? Never attributed.",
            quotes,
            lambda item_id: self.run_change(
                lambda: findings.choose_quote(
                    self.context.store, view.finding.id, item_id, item_id not in chosen_now, self.actor()
                ),
                done="Quote choice saved"
                + (
                    ": back to draft for the lead to agree"
                    if view.finding.status is FindingStatus.AGREED
                    else ""
                ),
                then=lambda _: self._warn_if_flagged(view.finding.id),
            ),
        )

    def action_move(self, step: int) -> None:
        view = self._current()
        if view is not None:
            self.run_change(
                lambda: findings.move_finding(self.context.store, view.finding.id, step, self.actor())
            )

    def action_agree(self) -> None:
        view = self._current()
        if view is not None:
            self._check_then_agree(view)

    @work(thread=True, group="findings-agree", exit_on_error=False)
    def _check_then_agree(self, view: FindingView) -> None:
        """The non-attribution guard first: a finding that names someone, or a role next to
        words of speech, is agreed only once the lead has read what was found and confirmed."""
        from ...export.guard import check_saved_finding  # the guard's word list loads on first use

        try:
            result = check_saved_finding(self.context.store, view.finding.id)
        except StoreError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error", title="Not agreed")
            return
        self.app.call_from_thread(self._agree, view, result.all())

    def _agree(self, view: FindingView, hits: Sequence[GuardHit]) -> None:
        note = " (it rests on a single source)" if view.badge.single_source else ""

        def agree(yes: bool | None = True) -> None:
            if yes:
                self.run_change(
                    lambda: findings.agree_finding(self.context.store, view.finding.id, self.actor()),
                    done=f"Agreed{note}",
                )

        if not hits:
            agree()
            return
        found = "\n".join(f"• '{hit.phrase}' ({hit.kind}, in the {hit.where}): {hit.advice}" for hit in hits)
        question = (
            f"The attribution check found, in '{view.finding.title}':\n{found}\n\nAgree it all the same?"
        )
        self.app.push_screen(ConfirmModal(question, yes="Agree"), agree)

    def action_reopen(self) -> None:
        view = self._current()
        if view is not None:
            self.run_change(
                lambda: findings.reopen_finding(self.context.store, view.finding.id, self.actor()),
                done="Back to draft",
            )

    def action_delete(self) -> None:
        view = self._current()
        if view is None:
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.selected_id = None
                self.run_change(
                    lambda: findings.delete_finding(self.context.store, view.finding.id, self.actor()),
                    done="Finding deleted",
                )

        self.app.push_screen(
            ConfirmModal(f"Delete the finding '{view.finding.title}'?", yes="Delete"), confirmed
        )

    def action_history(self) -> None:
        view = self._current()
        if view is not None:
            self._history(view.finding.id, view.finding.title)

    @work(thread=True, group="findings-history", exit_on_error=False)
    def _history(self, finding_id: str, title: str) -> None:
        try:
            trail: list[AuditEntry] = findings.audit_trail(self.context.store, finding_id)
        except StoreError as error:
            self.app.notify(str(error), severity="error", markup=False)
            return
        self.app.call_from_thread(self.app.push_screen, AuditModal(title, trail, self.context))


def _group_id(section: FindingSection, area: str | None) -> str:
    return f"group:{section.value}:{area or ''}"


def _heading(label: str, count: str) -> Table:
    """A list's heading: its name, wrapped, and how many of its findings are agreed, whole."""
    grid = Table.grid(padding=(0, 1), expand=True)
    grid.add_column(ratio=1)
    grid.add_column(no_wrap=True, justify="right")
    grid.add_row(Text(label, style="bold"), Text(count, style="dim"))
    return grid
