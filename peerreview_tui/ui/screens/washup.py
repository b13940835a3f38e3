"""The daily wash-up: for a chosen day, the key lines of enquiry (untested first), the later
sessions that could test each gap, the follow-ups still open and who has them.

Highlight a line to see what it rests on and where it could be tested; enter lists its evidence,
enter on an item opens its note at the line. On a follow-up: `a` hands it to a reviewer for a
later session, `c` closes it (with the evidence that answered it), enter opens the note it came
from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Header, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from ...coverage import SOURCE_LABELS
from ...ownership import Change
from ...rows import SessionRow, SessionStatus
from ...store import StoreError
from ...store.evidence_items import EvidenceView, list_evidence
from ...store.follow_ups import FollowUp, assign_follow_up, close_follow_up
from ...washup import LineEvidence, Washup, WashupWeek, can_test, read_washup_week, washup_of
from ..modals.choice import ChoiceModal
from ..widgets.footer import KeysFooter
from .base import ReviewScreen, day_number_keys

STATE_MARK = {
    "no evidence": ("✗", "bold red"),
    "one kind of source": ("½", "yellow"),
    "tested": ("✓", "green"),
}
KIND_SYMBOL = {"strength": "+", "development": "-", "follow_up": "?", "quote": "!", "observation": "•"}
ANY_SESSION = "(any)"
NO_ANSWER = "(none)"


@dataclass(frozen=True)
class WashupView:
    washup: Washup
    evidence: dict[str, EvidenceView]  # by id: the items lines rest on, and the open follow-ups
    sessions: list[SessionRow]  # the week's, for handing a follow-up out


class WashupScreen(ReviewScreen):
    DEFAULT_CSS = """
    WashupScreen #filters { height: 3; }
    WashupScreen #filters Label { padding: 1 0 0 1; }
    WashupScreen #filters Select { width: 24; }
    WashupScreen #summary { padding: 1 1 0 2; width: 1fr; }
    WashupScreen .heading { padding: 0 1; text-style: bold; width: 100%; background: $boost; }
    WashupScreen #left { width: 1fr; }
    WashupScreen #right { width: 1fr; }
    WashupScreen #lines { height: 3fr; }
    WashupScreen #follow-ups { height: 2fr; }
    WashupScreen #detail { height: auto; max-height: 60%; padding: 0 1; }
    WashupScreen #evidence { height: 1fr; }
    /* rows wrap; their heights are measured before a scroll bar would narrow them */
    WashupScreen OptionList { scrollbar-gutter: stable; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "enter",
            "open",
            "Open",
            id="washup.open",
            show=False,
            tooltip="a line: its evidence; an item or a follow-up: its note at the line",
        ),
        Binding("a", "assign", "Hand out", id="washup.assign", tooltip="a follow-up: who asks it, and when"),
        Binding("c", "close", "Close", id="washup.close", tooltip="a follow-up answered, with its evidence"),
        Binding("left_square_bracket", "day(-1)", "Day before", id="washup.previous"),
        Binding("right_square_bracket", "day(1)", "Day after", id="washup.next"),
        *day_number_keys("washup"),
    ]

    class Loaded(Message):
        def __init__(self, view: WashupView) -> None:
            super().__init__()
            self.view = view

    def __init__(self) -> None:
        super().__init__()
        self.view: WashupView | None = None
        self._shown: str | None = None  # the line whose evidence is listed
        self._asked_day: int | None = None  # the day of the latest read
        self._answering: str | None = None  # the follow-up whose possible answers are being read

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="filters"):
            yield Label("Day ")
            days = self.context.days
            today = self.context.current_day
            chosen = next((d.id.isoformat() for d in days if d.id == today), days[0].id.isoformat())
            yield Select(
                [(f"{n}  {day.label}", day.id.isoformat()) for n, day in enumerate(days, start=1)],
                value=chosen,
                allow_blank=False,
                id="day",
            )
            yield Label("", id="summary")
        with Horizontal():
            with Vertical(id="left"):
                yield Label("Lines of enquiry: untested first", classes="heading")
                yield OptionList(id="lines")
                yield Label("Open follow-ups · a hands out · c closes", classes="heading")
                yield OptionList(id="follow-ups")
            with Vertical(id="right"):
                yield Label("", id="detail-title", classes="heading")
                yield Static("", id="detail")
                yield Label("Evidence behind it · enter opens the note", classes="heading")
                yield OptionList(id="evidence")
        yield KeysFooter()

    # What the wash-up of any day is worked out from, the week's evidence by id, and the revision
    # they were read at
    _week_read: tuple[tuple[int, int] | None, WashupWeek, dict[str, EvidenceView]] | None = None

    def on_mount(self) -> None:
        self.sub_title = "Wash-up: what is tested, who asks what tomorrow"
        self.query_one("#lines", OptionList).focus()

    def on_screen_resume(self) -> None:
        self.show_current()  # the first showing reads too

    @on(Select.Changed, "#day")
    def _day_changed(self) -> None:
        # Not the Select setting its first value, before or after the first showing's read (it
        # read the day twice, each time the whole wash-up, when it came first)
        if self._asked_day is not None and self._day_number() != self._asked_day:
            self._shown = None
            self.reload()

    def _day_number(self) -> int:
        value = str(self.query_one("#day", Select).value)
        days = [d.id.isoformat() for d in self.context.days]
        return days.index(value) + 1 if value in days else 1

    def reload(self) -> None:
        self._asked_day = self._day_number()
        self._load(self._asked_day)

    @work(thread=True, exclusive=True, group="washup", exit_on_error=False)
    def _load(self, number: int) -> None:
        store = self.context.store
        try:
            self.mark_read()
            # The week is the same whichever day is chosen: read again only when the review has
            # changed (on the ×10 week, reading it was nearly all of a day key's ~1 s wait)
            held = self._week_read
            if held is None or held[0] != self._read_at:
                read = read_washup_week(store)
                tied = [fact.id for fact in read.facts if fact.lines]  # the items under some line
                evidence = {view.item.id: view for view in list_evidence(store, ids=tied)}
                evidence |= {follow_up.id: follow_up.view for follow_up in read.follow_ups}
                held = (self._read_at, read, evidence)
                self._week_read = held
            _, read, evidence = held
            washup = washup_of(read, number)
            sessions = read.sessions
        except (StoreError, ValueError) as error:
            self.app.notify(str(error), severity="error", title="Could not read the wash-up")
            return
        self.post_message(self.Loaded(WashupView(washup, evidence, sessions)))

    def on_washup_screen_loaded(self, message: Loaded) -> None:
        self.view = message.view
        washup = self.view.washup
        untested = len(washup.untested)
        thin = len(washup.thin)
        self.query_one("#summary", Label).update(
            f"{untested} of {len(washup.lines)} lines untested · {len(washup.follow_ups)} follow-ups open · "
            f"{thin} thin cell{'s' if thin != 1 else ''}"
        )
        self._fill(self.query_one("#lines", OptionList), [self._line_option(line) for line in washup.lines])
        self._fill(
            self.query_one("#follow-ups", OptionList), [self._follow_up_option(f) for f in washup.follow_ups]
        )
        self._show_detail(follow_up=self.focused is self.query_one("#follow-ups"))
        self.refresh_bindings()

    @staticmethod
    def _fill(listing: OptionList, options: list[Option]) -> None:
        keep = listing.highlighted
        listing.clear_options()
        listing.add_options(options)
        if options:
            listing.highlighted = min(keep or 0, len(options) - 1)

    def _line_option(self, line: LineEvidence) -> Option:
        mark, style = STATE_MARK[line.state]
        counts = (
            f"{line.strengths}+ {line.developments}- {line.follow_ups}? · {len(line.kinds)} kind"
            f"{'s' if len(line.kinds) != 1 else ''}"
            if line.items
            else "no evidence"
        )
        label = Text.assemble(
            (f"{mark} ", style), (f"{line.line.id} ", "bold"), line.line.text, (f"  {counts}", "dim")
        )
        return Option(label, id=line.line.id)

    def _follow_up_option(self, follow_up: FollowUp) -> Option:
        owner = follow_up.owner_name or "not handed out"
        when = f" · {follow_up.session_label}" if follow_up.session_label else ""
        label = Text.assemble(
            ("? ", "bold"),
            follow_up.view.item.text,
            (f"  — {owner}{when}", "yellow" if follow_up.owner_name is None else "dim"),
        )
        return Option(label, id=follow_up.id)

    # --- what the highlighted line rests on ---------------------------------------------

    @on(OptionList.OptionHighlighted, "#lines")
    def _line_highlighted(self) -> None:
        self._show_detail()

    @on(OptionList.OptionHighlighted, "#follow-ups")
    def _follow_up_highlighted(self) -> None:
        if self.focused is self.query_one("#follow-ups"):
            self._show_detail(follow_up=True)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # the right-hand side follows the list the reviewer is in
        if event.widget.id == "follow-ups":
            self._show_detail(follow_up=True)
        elif event.widget.id == "lines":
            self._show_detail()
        self.refresh_bindings()

    def _highlighted(self, listing_id: str) -> str | None:
        listing = self.query_one(listing_id, OptionList)
        if listing.highlighted is None or listing.option_count == 0:
            return None
        return listing.get_option_at_index(listing.highlighted).id

    def _line(self) -> LineEvidence | None:
        line_id = self._highlighted("#lines")
        return self.view.washup.line(line_id) if self.view and line_id else None

    def _follow_up(self) -> FollowUp | None:
        chosen = self._highlighted("#follow-ups")
        if self.view is None or chosen is None:
            return None
        return next((f for f in self.view.washup.follow_ups if f.id == chosen), None)

    def _show_detail(self, follow_up: bool = False) -> None:
        if self.view is None:
            return
        title, detail = self.query_one("#detail-title", Label), self.query_one("#detail", Static)
        if follow_up and (chosen := self._follow_up()) is not None:
            view = chosen.view
            where = f"{view.day:%a} {view.start_time} {view.session_title}" if view.day else "no session"
            title.update("Follow-up")
            detail.update(
                Text.assemble(
                    (f"? {view.item.text}\n", "bold"),
                    f"raised by {view.author_name}, {where}\n",
                    f"with: {chosen.owner_name or 'nobody yet (a hands it out)'}",
                    f" · to ask in {chosen.session_label}" if chosen.session_label else "",
                )
            )
            self._list_evidence([view.item.id])
            return
        line = self._line()
        if line is None:
            title.update("")
            detail.update(self._day_summary())
            self._list_evidence([])
            return
        title.update(f"{line.line.id} · {line.state}")
        self._show_line(line, detail)

    def _show_line(self, line: LineEvidence, detail: Static) -> None:
        assert self.view is not None
        kinds = ", ".join(SOURCE_LABELS[k] for k in line.kinds) or "none yet"
        parts: list[str | tuple[str, str]] = [
            (f"{line.line.text}\n", "bold"),
            f"{_count(line.strengths, 'strength')}, {line.developments} for development, "
            f"{_count(line.follow_ups, 'follow-up')}",
            f" ({line.today} today)\n" if line.today else "\n",
            f"from: {kinds}\n",
        ]
        gap = next((g for g in self.view.washup.gaps if g.line.line.id == line.line.id), None)
        if gap is not None:
            if gap.sessions:
                parts.append(("Could be tested in:\n", "bold"))
                for chance in gap.sessions[:4]:
                    parts.append(f" {chance.label} ({', '.join(chance.reviewers) or 'no reviewer yet'})\n")
                if len(gap.sessions) > 4:
                    parts.append((f" and {len(gap.sessions) - 4} more\n", "dim"))
            else:
                parts.append(("No later session covers this focus area.\n", "yellow"))
        detail.update(Text.assemble(*parts))
        self._list_evidence(line.evidence_ids)

    def _day_summary(self) -> Text:
        """What came in on the day, per focus area, and where it is thin: when no line is chosen."""
        assert self.view is not None
        washup = self.view.washup
        parts: list[str | tuple[str, str]] = [("What came in that day\n", "bold")]
        for area in washup.arrived.areas:
            cells = {k: washup.arrived.cell(area, k) for k in washup.arrived.sources}
            count = sum(c.total for c in cells.values())
            kinds = [SOURCE_LABELS[k] for k, c in cells.items() if c.total]
            parts.append(f" {self.context.area_title(area)}: {count} items ({', '.join(kinds) or 'none'})\n")
        return Text.assemble(*parts)

    def _list_evidence(self, evidence_ids: list[str]) -> None:
        assert self.view is not None
        listing = self.query_one("#evidence", OptionList)
        listing.clear_options()
        options = []
        for evidence_id in evidence_ids:
            view = self.view.evidence.get(evidence_id)
            if view is None:
                continue
            item = view.item
            where = (
                f"{view.day:%a} {view.session_title}"
                if view.day and view.session_title
                else item.title or item.source_kind.value
            )
            label = Text.assemble(
                (f"{KIND_SYMBOL.get(item.kind.value, '•')} ", "bold"),
                item.text,
                (f"  — {where}, {view.author_name}", "dim"),
            )
            options.append(Option(label, id=item.id))
        listing.add_options(options)  # at once: each add measures the list again
        if listing.option_count:
            listing.highlighted = 0

    # --- actions -----------------------------------------------------------------------

    def system_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Hand out a follow-up", "Who asks it, in which later session", self.action_assign)
        yield SystemCommand(
            "Close a follow-up", "Answered, with the evidence that answered it", self.action_close
        )

    def action_day(self, step: int) -> None:
        self.action_day_number(self._day_number() + step)

    def action_day_number(self, number: int) -> None:
        days = [d.id.isoformat() for d in self.context.days]
        if 1 <= number <= len(days):
            self.query_one("#day", Select).value = days[number - 1]

    def awaiting_data(self) -> bool:
        """The day chosen is not read yet (just after a day key): the app holds the next key
        until it is (see key_order), so that down or enter act on that day's lines."""
        if self._answering is not None:  # `c` was pressed: its list of answers comes next
            return True
        return self.view is None or self.view.washup.day_number != self._day_number()

    def action_open(self) -> None:
        focused = self.focused
        if focused is self.query_one("#lines", OptionList):
            if self.query_one("#evidence", OptionList).option_count:
                self.query_one("#evidence", OptionList).focus()
            return
        chosen = self._highlighted("#evidence") if focused is self.query_one("#evidence") else None
        if focused is self.query_one("#follow-ups"):
            found = self._follow_up()
            chosen = found.id if found else None
        view = self.view.evidence.get(chosen) if self.view and chosen else None
        if view is None:
            return
        if view.item.session_id is None:
            self.notify("Data and documents have no note to open.", severity="warning")
            return
        self.post_message(self.OpenNote(view.item.session_id, view.item.author_id, view.item.line_no))

    @on(OptionList.OptionSelected)
    def _selected(self) -> None:
        self.action_open()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("assign", "close") and self.is_mounted:
            found = self._follow_up() if self.view else None
            if found is None:
                return None  # dimmed: no follow-up chosen
            author = found.view.item.author_id
            change = Change.ASSIGN_FOLLOW_UP if action == "assign" else Change.CLOSE_FOLLOW_UP
            return True if self.context.may(change, author=author, owner=found.owner_id) else None
        return True

    def action_assign(self) -> None:
        found = self._follow_up()
        if found is None:
            self.notify("Choose an open follow-up first (the lower list).", severity="warning")
            return
        raised = found.view
        people = [(f"{r.name}, {r.role}", r.id) for r in self.context.reviewers]

        def chose_owner(owner: str | None) -> None:
            if owner:
                self._choose_session(found, owner)

        self.app.push_screen(ChoiceModal(f"Who will ask this?\n? {raised.item.text}", people), chose_owner)

    def _choose_session(self, found: FollowUp, owner: str) -> None:
        sessions = self._later_sessions(found, owner)
        choices = [(f"{label}", session_id) for label, session_id in sessions]
        choices.append(("Any session (not yet decided)", ANY_SESSION))

        def chose(session_id: str | None) -> None:
            if not session_id:
                return
            target = None if session_id == ANY_SESSION else session_id
            name = self.context.reviewer_name(owner)
            self.run_change(
                lambda: assign_follow_up(
                    self.context.store, found.id, owner=owner, session_id=target, actor=self.actor()
                ),
                done=f"Handed to {name}",
                failed_title="Not handed out",
            )

        self.app.push_screen(
            ChoiceModal(f"In which later session will {self.context.reviewer_name(owner)} ask it?", choices),
            chose,
        )

    def _later_sessions(self, found: FollowUp, owner: str) -> list[tuple[str, str]]:
        """Planned sessions the owner attends after the wash-up's day (and after the one the
        question came from), those of its focus areas first, earliest first, as (label, id)."""
        assert self.view is not None
        raised = found.view
        after = max((raised.day or dt.date.min, raised.start_time or ""), (self.view.washup.day.id, "~"))
        areas = set(raised.item.focus_areas)
        later = [
            s
            for s in self.view.sessions
            if owner in s.reviewers
            and s.status is SessionStatus.PLANNED
            and s.removed_at is None
            and (s.day, s.start_time) > after
            and can_test(s)  # someone to ask: not a presentation nor a team meeting
        ]
        later.sort(key=lambda s: (not areas & set(s.focus_areas), s.day, s.start_time))
        return [(f"{s.day:%a %-d %b} {s.start_time} {s.title}", s.id) for s in later]

    def action_close(self) -> None:
        found = self._follow_up()
        if found is None or self.view is None:
            self.notify("Choose an open follow-up first (the lower list).", severity="warning")
            return
        self._answering = found.id
        self._read_answers(found)

    class AnswersRead(Message):
        def __init__(self, follow_up: FollowUp, answers: list[EvidenceView]) -> None:
            super().__init__()
            self.follow_up, self.answers = follow_up, answers

    @work(thread=True, exclusive=True, group="washup-answers", exit_on_error=False)
    def _read_answers(self, found: FollowUp) -> None:
        """The items that could answer ``found``: raised after it, on its focus areas (any, if
        it has none). Read when asked: the whole week's items, on the ×10 week ~0.2 s."""
        raised = found.view
        areas = set(raised.item.focus_areas)
        try:
            answers = [
                view
                for view in list_evidence(self.context.store)
                if view.item.id != found.id
                and view.day is not None
                and (view.day, view.start_time or "") > (raised.day or dt.date.min, raised.start_time or "")
                and (not areas or areas & set(view.item.focus_areas))
            ]
        except StoreError as error:
            self.app.call_from_thread(setattr, self, "_answering", None)
            self.app.notify(str(error), severity="error", title="Could not read the answers", markup=False)
            return
        self.post_message(self.AnswersRead(found, answers))

    def on_washup_screen_answers_read(self, message: AnswersRead) -> None:
        self._answering = None
        found, raised = message.follow_up, message.follow_up.view
        choices = [("No answer to link", NO_ANSWER)]
        choices += [
            (
                f"{KIND_SYMBOL.get(v.item.kind.value, '•')} {v.item.text} — {v.day:%a} {v.session_title}",
                v.item.id,
            )
            for v in message.answers[:60]
        ]

        def chose(answer: str | None) -> None:
            if not answer:
                return
            answer_id = None if answer == NO_ANSWER else answer
            self.run_change(
                lambda: close_follow_up(
                    self.context.store, found.id, actor=self.actor(), answer_id=answer_id
                ),
                done="Follow-up closed",
                failed_title="Not closed",
            )

        self.app.push_screen(ChoiceModal(f"What answered it?\n? {raised.item.text}", choices), chose)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
