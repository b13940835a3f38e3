"""The landing screen: the week day by day, one tab a day, a detail pane for the session."""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Iterable
from functools import partial
from typing import Any, ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.lazy import Lazy
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Header
from textual.worker import get_current_worker

from ...names import shorten
from ...ownership import Change
from ...rows import SessionRow, SessionStatus
from ...store import StoreError, week
from ...store.week import DaySchedule
from ..widgets.day_bar import DayBar
from ..widgets.footer import KeysFooter
from ..widgets.session_detail import SessionDetail
from ..widgets.session_table import Column, Row, SessionTable
from .base import WIDE, ReviewScreen, day_number_keys

STATUS_MARKS = {"planned": "·", "notes": "✎", "done": "✓", "cancelled": "✗"}
STATUS_WORDS = {"planned": "planned", "notes": "notes begun", "done": "done", "cancelled": "cancelled"}


# After the first frame with the day on show: the rest of the week is read (a day key then shows
# its day at once).
REST_OF_WEEK_AFTER = 0.1  # s


class ScheduleScreen(ReviewScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open_note", "Open note", id="schedule.open", tooltip="your note for the session"),
        Binding("m", "toggle_mine", "Only mine", id="schedule.mine", tooltip="only my sessions / everyone's"),
        Binding(
            "d", "toggle_done", "Done", id="schedule.done", tooltip="mark the session done (again: planned)"
        ),
        Binding("a", "add_session", "Add", id="schedule.add", tooltip="add a session"),
        Binding(
            "e",
            "edit_session",
            "Move/swap",
            id="schedule.edit",
            tooltip="move it, change its room or reviewers",
        ),
        Binding(
            "x",
            "cancel_session",
            "Cancel session",
            id="schedule.cancel",
            tooltip="notes are kept; again: restore",
        ),
        Binding("left_square_bracket", "day(-1)", "Prev day", id="schedule.prev_day", show=False),
        Binding("right_square_bracket", "day(1)", "Next day", id="schedule.next_day", show=False),
        *day_number_keys("schedule"),
    ]

    only_mine: reactive[bool] = reactive(False, init=False)

    class Loaded(Message):
        """A day was read: by the read numbered ``generation``, the day on show first."""

        def __init__(self, generation: int, day: dt.date, view: DaySchedule, first: bool) -> None:
            super().__init__()
            self.generation = generation
            self.day = day
            self.view = view
            self.first = first

    def __init__(self) -> None:
        super().__init__()
        self.week: dict[dt.date, DaySchedule] = {}  # the days read so far
        self._shown_day: dt.date | None = None  # the day the table holds
        self._generation = 0  # of the latest read: what an older one reads is dropped
        self._table_ready = False  # its columns added (on_mount, before is_mounted holds)
        self._filled_width: int | None = None  # the app's width the table's columns were sized for

    def compose(self) -> ComposeResult:
        yield Header()
        yield DayBar(
            [(f"day-{day.id.isoformat()}", day.id.strftime("%A %-d %B")) for day in self.context.days],
            active=f"day-{self.context.current_day.isoformat()}",
            id="days",
        )
        with Horizontal():
            yield SessionTable(id="sessions")
            # Mounted after the first frame: the table first.
            yield Lazy(SessionDetail(id="detail"))
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#sessions", SessionTable).focus()  # its columns fit each day's rows
        self._table_ready = True
        opening, self.context.opening_day = self.context.opening_day, None  # read once, used once
        if opening is not None and opening.day == self.selected_day:
            self.week[opening.day] = opening
            self._read_at = self.context.opening_revision
            self._fill_table()

    def on_resize(self) -> None:
        narrow = self.app.size.width < WIDE
        self.set_class(narrow, "-narrow")
        bar = self.query_one("#days", DayBar)  # "Monday 10 September", or "Mon 10 Sep" when narrow
        bar.days = [
            (f"day-{day.id.isoformat()}", day.id.strftime("%a %-d %b" if narrow else "%A %-d %B"))
            for day in self.context.days
        ]
        bar.refresh()
        # Textual sends several Resize events as the app starts, all of one size: a day of a
        # ×10 week (110 rows) was filled five times before the first frame.
        if self.app.size.width != self._filled_width:
            self._fill_table()

    def on_screen_resume(self) -> None:
        if self.week and self._generation == 0:  # opening, the day on show read already
            self._generation += 1
            self._after_first_frame(self._generation, self.selected_day)
        else:
            self.show_current()

    def reload(self) -> None:
        """Read the day on show; once it is drawn, the other days, so that a day key shows its
        day at once. The cost of opening the schedule is one day's, whatever the week's size."""
        self._generation += 1
        self._load(self._generation, [self.selected_day], first=True)

    @work(thread=True, exclusive=True, group="schedule-load", exit_on_error=False)
    def _load(self, generation: int, days: list[dt.date], first: bool = False) -> None:
        worker = get_current_worker()
        store = self.context.store
        for n, day in enumerate(days):
            if worker.is_cancelled:  # a newer read is under way
                return
            try:
                if first and n == 0:  # the rest of the week follows, read after it
                    self.mark_read()
                view = week.day_schedule(store, day)
            except StoreError as error:
                self.app.notify(
                    str(error), severity="error", title="Could not read the schedule", markup=False
                )
                return
            self.post_message(self.Loaded(generation, day, view, first))

    def on_schedule_screen_loaded(self, message: Loaded) -> None:
        if message.generation != self._generation:
            return
        self.week[message.day] = message.view
        if message.day == self.selected_day:
            self._fill_table()
        if message.first:
            self._after_first_frame(message.generation, message.day)

    def _after_first_frame(self, generation: int, done: dt.date) -> None:
        self.call_after_refresh(
            self.set_timer, REST_OF_WEEK_AFTER, partial(self._load_rest_of_week, generation, done)
        )

    def _load_rest_of_week(self, generation: int, done: dt.date) -> None:
        if generation == self._generation:
            self._load(generation, [day.id for day in self.context.days if day.id != done])

    def awaiting_data(self) -> bool:
        """The day on show is not read yet (a day key in the first moments after the app
        opens): the app holds the next key until it is (see key_order)."""
        return self._table_ready and self.selected_day not in self.week

    @property
    def view(self) -> DaySchedule | None:
        """The day the table shows, once read."""
        return self.week.get(self._shown_day) if self._shown_day else None

    @property
    def selected_day(self) -> dt.date:
        active = self.query_one("#days", DayBar).active or f"day-{self.context.current_day.isoformat()}"
        return dt.date.fromisoformat(active.removeprefix("day-"))

    @on(DayBar.Changed, "#days")
    def _day_changed(self) -> None:
        if self._shown_day != self.selected_day:  # a click on a tab; the day keys fill at once
            self._fill_table()
        self.query_one("#sessions", SessionTable).focus()

    def watch_only_mine(self) -> None:
        self._fill_table()

    def _fill_table(self) -> None:
        if not self._table_ready:
            return
        day = self.selected_day
        view = self.week.get(day)
        if view is None:  # not read yet (a day key in the first moments): filled when it is
            if self._shown_day is not None:
                self.query_one("#sessions", SessionTable).clear()
                self._shown_day = None
                self._show_detail()
            return
        table = self.query_one("#sessions", SessionTable)
        keep = table.cursor_key if self._shown_day == day else None
        self._shown_day = day
        self._filled_width = self.app.size.width
        me = self.context.me
        shown = [s for s in view.sessions if not (self.only_mine and me not in s.reviewers)]
        texts = [self._row(s) for s in shown]
        columns = [
            Column(key, label, width)
            for (key, label), width in zip(self._columns(), self._widths(texts), strict=True)
        ]
        rows = []
        for s, row in zip(shown, texts, strict=True):
            style = "dim strike" if s.status is SessionStatus.CANCELLED else ""
            cells = [(row[0], "bold yellow" if row[0] == "⚠" else "")] + [(text, style) for text in row[1:]]
            rows.append(Row(s.id, self._cut(cells, columns)))
        table.set_rows(columns, rows, cursor_key=keep)
        self._show_detail()
        mine = " · only my sessions" if self.only_mine else ""
        who = self.context.reviewer_name(self.context.me) if self.context.me else "no reviewer chosen"
        # The day is underlined in the bar below: the title changing with it laid the screen
        # out a second time for each day key.
        self.sub_title = f"Schedule · {who}{mine}"

    def _columns(self) -> list[tuple[str, str]]:
        columns = [("mark", ""), ("time", "Time"), ("title", "Session"), ("kind", "Kind")]
        columns += [("where", "Where"), ("reviewers", "Who")]
        if self.app.size.width < WIDE:  # the kind is in the detail pane, and often in the title
            columns.remove(("kind", "Kind"))
        return columns

    def _row(self, s: SessionRow) -> list[str]:
        """The texts of a row, in the order of ``_columns``."""
        names = (
            "team"
            if len(s.reviewers) >= len(self.context.reviewers)
            else " ".join(self.context.reviewer_initials(r) for r in s.reviewers)
        )
        row = [self._mark(s), f"{s.start_time}–{s.end_time}", s.title, s.kind.label, s.location, names]
        if self.app.size.width < WIDE:
            del row[3]
        return row

    def _widths(self, rows: list[list[str]]) -> list[int]:
        """Each column as wide as what it holds, the title taking what is left of the table; when
        that is not enough the room goes to the title before the place."""
        columns = self._columns()
        widths = [max([len(label), *(len(row[i]) for row in rows)]) for i, (_, label) in enumerate(columns)]
        title, where = (next(i for i, (key, _) in enumerate(columns) if key == k) for k in ("title", "where"))
        pane = 30 if self.app.size.width < WIDE else 36  # app.tcss
        room = self.app.size.width - pane - 2 - 2 * len(columns)  # scroll bar; a cell's padding
        rest = room - sum(w for i, w in enumerate(widths) if i not in (title, where))
        if widths[title] + widths[where] > rest:
            widths[where] = min(widths[where], max(len("Where"), rest // 4, rest - widths[title]))
            widths[title] = max(len("Session"), rest - widths[where])
        elif rows:  # the title column takes the spare room, so the table fills its side
            widths[title] = rest - widths[where]
        return widths

    @staticmethod
    def _cut(cells: list[tuple[str, str]], columns: list[Column]) -> tuple[tuple[str, str], ...]:
        """Texts longer than their column end in an ellipsis at a word, not mid-word at the edge."""
        return tuple(
            (shorten(text, column.width) if cell_len(text) > column.width else text, style)
            for (text, style), column in zip(cells, columns, strict=True)
        )

    def _mark(self, s: SessionRow) -> str:
        """Done and cancelled say all; a clash matters only while the session is still to come."""
        assert self.view is not None
        if s.status is SessionStatus.PLANNED and s.id in self.view.clashes:
            return "⚠"
        return STATUS_MARKS[self._status(s)]

    def _status(self, s: SessionRow) -> str:
        assert self.view is not None
        if s.status is SessionStatus.PLANNED and s.id in self.view.authors:
            return "notes"
        return s.status.value

    @property
    def selected_session(self) -> SessionRow | None:
        if self.view is None:
            return None
        key = self.query_one("#sessions", SessionTable).cursor_key
        return next((s for s in self.view.sessions if s.id == key), None)

    @on(SessionTable.RowHighlighted, "#sessions")
    @on(SessionDetail.Mounted)  # after the first frame: it shows then what the table highlights
    def _show_detail(self) -> None:
        for detail in self.query("#detail").results(SessionDetail):  # none until mounted
            detail.show(self._detail(self.selected_session), self._detail_width())
        self.refresh_bindings()

    def _detail_width(self) -> int:
        """The pane's width in app.tcss, less its border, padding and scroll bar: known before
        the first layout, when the text is first made."""
        return (30 if self.app.size.width < WIDE else 36) - 5

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Done and cancel are for the session's reviewers and the lead: the keys go from the
        footer on another's session."""
        if action in {"toggle_done", "cancel_session"}:
            s = self.selected_session
            return s is None or self.context.may(Change.SESSION_STATUS, session_reviewers=s.reviewers)
        return True

    def _detail(self, s: SessionRow | None) -> Text:
        if s is None:
            return Text("No sessions on this day." if not self.only_mine else "None of your sessions today.")
        ctx = self.context
        out = Text()
        out.append(f"{s.title}\n", style="bold")
        out.append(f"{s.day.strftime('%A %-d %B')}, {s.start_time}–{s.end_time} · {s.kind.label}\n")
        out.append(f"{s.location or 'room to be confirmed'}\n")
        out.append(f"{STATUS_MARKS[self._status(s)]} {STATUS_WORDS[self._status(s)]}", style="italic")
        if s.origin.value == "onsite":
            out.append(" · added on site", style="italic")
        out.append("\n")
        assert self.view is not None
        for warning in self.view.clashes.get(s.id, []):
            out.append(f"⚠ {warning}\n", style="bold yellow")
        width = self._detail_width()
        out.append("\nReviewers\n", style="bold underline")
        for r in s.reviewers:
            you = " (you)" if r == ctx.me else ""
            out.append(_hanging(f"  {ctx.reviewer_initials(r):<4}", f"{ctx.reviewer_name(r)}{you}", width))
        out.append("\nParticipants\n", style="bold underline")
        for p in s.participants or []:
            count = f"{p.count} × " if p.count > 1 else ""
            who = f"{count}{p.role}" + (f", {p.organisation}" if p.organisation else "")
            out.append(_hanging("  • ", who, width))
        if not s.participants:
            out.append("  none listed\n", style="dim")
        out.append("\nFocus areas\n", style="bold underline")
        for area_id in s.focus_areas:
            out.append(_hanging("  • ", ctx.area_title(area_id), width))
            out.append(f"    #{area_id}\n", style="cyan")
        prompts = list(s.prompts) + [
            line for a in ctx.focus_areas if a.id in s.focus_areas for line in a.lines_of_enquiry
        ]
        if prompts:
            out.append("\nLines of enquiry to probe\n", style="bold underline")
            for line in prompts:
                out.append(_hanging("  • ", line, width))
        authors = self.view.authors.get(s.id, frozenset())
        if authors:
            out.append("\nNotes by ", style="bold")
            out.append(", ".join(sorted(ctx.reviewer_name(a) for a in authors)) + "\n")
        return out

    # --- actions ---------------------------------------------------------------------

    def system_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Only my sessions", "Show only my sessions / everyone's", self.action_toggle_mine)
        yield SystemCommand("Add a session", "Add a session to the schedule", self.action_add_session)
        yield SystemCommand("Move or change session", "Day, time, room, reviewers", self.action_edit_session)
        yield SystemCommand(
            "Mark session done", "Toggle done for the selected session", self.action_toggle_done
        )
        yield SystemCommand(
            "Cancel session", "Cancel (or restore) the selected session", self.action_cancel_session
        )

    @on(SessionTable.RowSelected, "#sessions")
    def action_open_note(self) -> None:
        session = self.selected_session
        if session is not None:
            self.post_message(self.OpenNote(session.id))

    def action_toggle_mine(self) -> None:
        self.only_mine = not self.only_mine

    def action_day(self, step: int) -> None:
        days = self.context.days
        index = next((i for i, d in enumerate(days) if d.id == self.selected_day), 0)
        self._activate(days[(index + step) % len(days)].id)

    def action_day_number(self, number: int) -> None:
        if number <= len(self.context.days):
            self._activate(self.context.days[number - 1].id)

    def _activate(self, day: dt.date) -> None:
        self.query_one("#days", DayBar).active = f"day-{day.isoformat()}"
        # The table shows the new day now, not when DayBar.Changed comes round: a key typed right
        # after the day key (down, enter) must act on the new day's rows.
        self._fill_table()

    def action_toggle_done(self) -> None:
        s = self.selected_session
        if s is None or s.status is SessionStatus.CANCELLED:
            return
        status = SessionStatus.PLANNED if s.status is SessionStatus.DONE else SessionStatus.DONE
        self.run_change(
            lambda: week.set_session_status(self.context.store, s.id, status, self.actor()),
            done=f"{s.title}: {status.value}",
        )

    def action_add_session(self) -> None:
        from ..modals.session_form import SessionFormModal  # forms load when first used

        def added(fields: dict[str, Any] | None) -> None:
            if fields:
                self.run_change(
                    lambda: week.add_session(self.context.store, actor=self.actor(), **fields),
                    done=f"Added {fields['title']}",
                )

        self.app.push_screen(SessionFormModal(self.context, day=self.selected_day), added)

    def action_edit_session(self) -> None:
        from ..modals.session_form import SessionFormModal

        s = self.selected_session
        if s is None:
            return

        def changed(fields: dict[str, Any] | None) -> None:
            if fields:
                self.run_change(
                    lambda: week.change_session(self.context.store, s.id, self.actor(), **fields),
                    done=f"Changed {fields['title']}",
                )

        self.app.push_screen(SessionFormModal(self.context, session=s), changed)

    def action_cancel_session(self) -> None:
        from ..modals.confirm import ConfirmModal

        s = self.selected_session
        if s is None:
            return
        if s.status is SessionStatus.CANCELLED:
            self.run_change(
                lambda: week.set_session_status(
                    self.context.store, s.id, SessionStatus.PLANNED, self.actor()
                ),
                done=f"{s.title} is back on the schedule",
            )
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.run_change(
                    lambda: week.set_session_status(
                        self.context.store, s.id, SessionStatus.CANCELLED, self.actor()
                    ),
                    done=f"Cancelled {s.title} (press x again to restore it)",
                )

        self.app.push_screen(
            ConfirmModal(
                f"Cancel '{s.title}'? Notes already written are kept.", yes="Cancel session", no="Keep"
            ),
            confirmed,
        )


def _hanging(lead: str, text: str, width: int) -> str:
    """``text`` after ``lead``, wrapped to ``width`` with its lines lined up after the lead."""
    return (
        textwrap.fill(
            text, width, initial_indent=lead, subsequent_indent=" " * len(lead), break_on_hyphens=False
        )
        + "\n"
    )
