"""Interview capture: the reviewer's note for one session, saved as they type.

Autosave: every change bumps a revision; half a second after the last keystroke the text is
written in a thread worker. One write is in flight at a time, and a write never replaces a newer
one (``_write`` checks the revision under a lock), so a slow save cannot undo a later one.
A failed write leaves the text in the editor, says so, and is retried.

Each write says what the editor's text grew from (``notes.Base``). If the note changed
meanwhile (``peerreview note add``, a merge from the reviewer's other laptop) the store merges
the two; the merged text is then taken into the editor around what was typed since, and the
reviewer is told. If the session was removed meanwhile, it comes back cancelled with the note.

Colleagues' notes for the same session open here too, read only: a line above the note names
them, and one key goes round them and back to the reviewer's own (saved before it is left).
"""

from __future__ import annotations

import datetime as dt
import difflib
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Header, Input, Label, SelectionList, Static

from ...evidence import parse_marks
from ...models import Attendee, Note, SessionRow, SessionStatus
from ...ownership import Change
from ...store import StoreError, notes, tagging, week
from ...templates import note_template
from ..widgets.footer import KeysFooter
from ..widgets.marks_panel import MarksPanel
from ..widgets.note_editor import NoteEditor
from ..widgets.session_line import SessionLine
from .base import ReviewScreen

SAVE_DELAY = 0.5  # seconds after the last keystroke
MAX_UNSAVED = 0.5  # ...but never longer than this while someone types without a pause
RETRY_DELAY = 2.0


@dataclass(frozen=True)
class _Written:
    """One write of the note, for the event loop to take in."""

    text: str  # what the editor held when it was sent
    attendance: list[Attendee]
    saved: notes.SavedNote
    base: notes.Base  # the base the screen kept after it


class CaptureScreen(ReviewScreen):
    CHANGE_FAILED_TITLE = ""  # the reason alone
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "leave", "Back", id="capture.back"),
        Binding("ctrl+t", "timestamp", "Time", id="capture.timestamp"),
        Binding("ctrl+s", "save_now", "Save", id="capture.save"),
        Binding("ctrl+g", "mark_done", "Done", id="capture.done"),
        Binding(
            "ctrl+n",
            "next_note",
            "Next note",
            id="capture.next_note",
            tooltip="the colleagues' notes for this session (read only), then yours again",
        ),
    ]

    class Saved(Message):
        def __init__(self, revision: int, at: dt.datetime, written: _Written | None) -> None:
            super().__init__()
            self.revision = revision
            self.at = at
            self.written = written  # None: a newer revision was already in the database

    class SaveFailed(Message):
        def __init__(self, reason: str) -> None:
            super().__init__()
            self.reason = reason

    class Leave(Message):
        """Back to the schedule: the app leaves the note, asking first if it could not be saved."""

        def __init__(self, capture: CaptureScreen) -> None:
            super().__init__()
            self.capture = capture

    def __init__(self, session_id: str, author_id: str, line: int | None = None) -> None:
        super().__init__()
        self.session_id = session_id
        self.author_id = author_id
        self.line = line
        self.session: SessionRow | None = None
        self.authors: list[str] = [author_id]  # the notes for the session: mine first, then the team's
        self.attendance: list[Attendee] = []
        self._revision = 0  # bumped by every change in this screen
        self._written = 0  # the newest revision in the database
        self._write_lock = threading.Lock()
        self._base = notes.Base("")  # what the editor's text grew from (under _write_lock)
        self._saving = False
        self._save_timer: Timer | None = None
        self._marks_timer: Timer | None = None
        self._failure: str | None = None
        self._loaded_text: str | None = None  # load_text() posts Changed too; that is no edit
        self._text_kept = ""  # the text as opened or as last written (under _write_lock)
        self._new = False
        self._saved_at: dt.datetime | None = None
        self._unsaved_since: float | None = None  # monotonic time of the first unsaved change

    @property
    def read_only(self) -> bool:
        return self.author_id != self.context.me

    @property
    def dirty(self) -> bool:
        return self._revision > self._written

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            with Vertical(id="note-column"):
                yield SessionLine(id="session-line")
                yield Static(id="notes-here")
                yield NoteEditor("", self.context.completions, id="editor", read_only=True)  # until opened
                yield Static("loading…", id="save-state")
            with Vertical(id="side"):
                yield Label("Marks by focus area", classes="side-title")
                with VerticalScroll(id="marks-scroll"):
                    yield MarksPanel(self.context, id="marks")
                yield Label("Attendance (space: present/absent)", classes="side-title")
                yield SelectionList[int](id="attendance")
                yield Input(placeholder="someone else there? role, organisation", id="extra")
        yield KeysFooter()

    def on_mount(self) -> None:
        # Read on the event loop, deliberately: two single-row reads (~0.1 ms on a ×10 week,
        # bench/) so the editor is ready the moment it is drawn. Read in a worker, a reviewer
        # who starts typing at once would type into an editor that is not loaded yet.
        store = self.context.store
        try:
            session = week.session(store, self.session_id)
            note = notes.get_note(store, self.session_id, self.author_id)
            written = notes.session_note_authors(store, self.session_id)
        except StoreError as error:
            self.notify(str(error), severity="error", title="Could not open the note")
            return
        if session is None:
            self.notify(f"No session '{self.session_id}' in this review.", severity="error")
            return
        self.authors = self._notes_order(written)
        self._open(session, note)

    def _notes_order(self, written: set[str]) -> list[str]:
        """The notes to go round: mine (written or not), then the colleagues' who wrote one (and
        the one opened), in the team's order: the same order whichever of them is open."""
        me = self.context.me or self.author_id
        team = [r.id for r in self.context.reviewers] + sorted(written | {self.author_id})
        return list(dict.fromkeys([me, *(a for a in team if a in written or a == self.author_id)]))

    def _open(self, session: SessionRow, note: Note | None) -> None:
        self.session = session
        self.refresh_bindings()  # what may be done here depends on the session and the note
        self._base = notes.base_of(note)
        editor = self.query_one("#editor", NoteEditor)
        if note is not None:
            text = note.body
        else:
            text = note_template(
                session,
                [a for a in self.context.focus_areas if a.id in session.focus_areas],
                [r for r in self.context.reviewers if r.id in session.reviewers],
                self.context.clock().time(),
            )
        # a note written outside the app (`peerreview note add`) has no attendance yet
        self.attendance = (
            list(note.attendance)
            if note and note.attendance
            else [
                Attendee(role=f"{p.count} × {p.role}" if p.count > 1 else p.role, organisation=p.organisation)
                for p in session.participants
            ]
        )
        self._new = note is None
        self._loaded_text = text
        self._text_kept = text
        editor.load_text(text)
        editor.read_only = self.read_only
        self._fill_attendance()
        self._show_session_line()
        self._update_marks()
        if note is not None:
            self._load_others_tags(note.id)
        self._show_state()
        if self.line is not None:
            editor.move_cursor((min(self.line, editor.document.line_count - 1), 0), center=True)
        elif self.read_only:
            editor.move_cursor((0, 0))  # someone else's note is read from the top
        else:
            editor.move_cursor(editor.document.end)
        editor.focus()

    def _show_session_line(self) -> None:
        s = self.session
        assert s is not None
        who = self.context.reviewer_name(self.author_id)
        owner = "your note" if not self.read_only else f"{who}'s note (read only)"
        # short of room: the notes-here line below marks whose note it is (when it is shown)
        short = "read only" if self.read_only and len(self.authors) > 1 else owner
        self.query_one("#session-line", SessionLine).show(s, owner, short)
        self.sub_title = f"{s.title} · {owner}"
        self._show_notes_here()

    def _show_notes_here(self) -> None:
        """Whose notes there are for this session, this one marked, and the key to the next:
        shown only when colleagues have written here."""
        line = self.query_one("#notes-here", Static)
        line.display = len(self.authors) > 1
        if not line.display:
            return
        out = Text("Notes here: ")
        for i, author in enumerate(self.authors):
            if i:
                out.append(" · ")
            name = "yours" if author == self.context.me else self.context.reviewer_name(author)
            out.append(
                f"▸ {name}" if author == self.author_id else name,
                "bold reverse" if author == self.author_id else "",
            )
        key = self._key_display("next_note")
        if self._new and not self.read_only and not self._revision:
            colleagues = sum(author != self.context.me for author in self.authors)
            out.append(
                f"   you have no note here yet; {colleagues} colleague{'s' if colleagues != 1 else ''}"
                f" {'have' if colleagues != 1 else 'has'}: {key} to read",
                "bold",
            )
        else:
            out.append(f"   {key}: next", "dim")
        line.update(out)

    def _key_display(self, action: str) -> str:
        """The key bound to ``action`` here, as the footer shows it (remapped keys remapped)."""
        return next(
            (
                self.app.get_key_display(active.binding)
                for active in self.active_bindings.values()
                if active.binding.action == action
            ),
            action,
        )

    def _fill_attendance(self) -> None:
        listing = self.query_one("#attendance", SelectionList)
        listing.clear_options()
        for i, person in enumerate(self.attendance):
            label = person.role + (f", {person.organisation}" if person.organisation else "")
            listing.add_option((label + (" (extra)" if person.extra else ""), i, person.present))
        listing.disabled = self.read_only
        self.query_one("#extra", Input).disabled = self.read_only

    # --- typing ----------------------------------------------------------------------

    @on(NoteEditor.Changed, "#editor")
    def _text_changed(self) -> None:
        if self.session is None or self.read_only:
            return
        if self._loaded_text is not None:
            if self.query_one("#editor", NoteEditor).text == self._loaded_text:
                return
            self._loaded_text = None
        self._changed()
        if self._marks_timer is not None:
            self._marks_timer.stop()
        self._marks_timer = self.set_timer(0.15, self._update_marks)

    @on(events.DescendantFocus, "#attendance")
    def _attendance_focused(self) -> None:
        listing = self.query_one("#attendance", SelectionList)
        if listing.highlighted is None and listing.option_count:
            listing.highlighted = 0  # space ticks someone as soon as tab reaches the list

    @on(SelectionList.SelectedChanged, "#attendance")
    def _attendance_changed(self, event: SelectionList.SelectedChanged[int]) -> None:
        selected = set(event.selection_list.selected)
        changed = False
        for i, person in enumerate(self.attendance):
            if person.present != (i in selected):
                person.present = i in selected
                changed = True
        if changed:
            self._changed()

    @on(Input.Submitted, "#extra")
    def _add_extra(self, event: Input.Submitted) -> None:
        role, _, organisation = event.value.partition(",")
        if not role.strip():
            return
        self.attendance.append(Attendee(role=role.strip(), organisation=organisation.strip(), extra=True))
        event.input.clear()
        self._fill_attendance()
        self._changed()

    @on(NoteEditor.TagHint)
    def _tag_hint(self, message: NoteEditor.TagHint) -> None:
        if message.choices:
            self.query_one("#save-state", Static).update(Text(self._hint(message.choices), style="cyan"))
        else:
            self._show_state()

    def _hint(self, choices: list[str]) -> str:
        """'tab completes: #practice  #early-help', or with a line of enquiry its question."""
        lines = self.context.lines_of_enquiry
        if len(choices) == 1 and choices[0] in lines:
            return f"tab completes: #{choices[0]} {lines[choices[0]].text}"
        shown = [f"#{c} {_short(lines[c].text)}" if c in lines else f"#{c}" for c in choices]
        return "tab completes: " + "  ".join(shown)

    def _update_marks(self) -> None:
        text = self.query_one("#editor", NoteEditor).text
        self.query_one("#marks", MarksPanel).show(parse_marks(text, self.context.tags))

    @work(thread=True, exit_on_error=False, group="tags")
    def _load_others_tags(self, note_id: str) -> None:
        """Tags colleagues gave this note's items (from coverage): shown beside the lines, so
        the author sees them; they are never written into the note."""
        try:
            found = tagging.tags_on_note(self.context.store, note_id)
        except StoreError:
            return  # a hint beside the note; the note itself is unaffected
        by_text: dict[str, list[tagging.Tag]] = {}
        for tags in found.values():
            for tag in tags:
                by_text.setdefault(tag.item_text, []).append(tag)
        self.app.call_from_thread(self._show_others_tags, by_text)

    def _show_others_tags(self, by_text: dict[str, list[tagging.Tag]]) -> None:
        self.query_one("#marks", MarksPanel).others_tags = by_text
        self._update_marks()

    # --- saving ----------------------------------------------------------------------

    def _changed(self) -> None:
        self._revision += 1
        if self._revision == 1 and self._new:
            self._show_notes_here()  # no longer "you have no note here yet"
        if self._unsaved_since is None:
            self._unsaved_since = time.monotonic()
        self._show_state()
        self._schedule_save(self._delay())

    def _delay(self) -> float:
        """Wait for a pause in the typing, but not past MAX_UNSAVED from the first unsaved change:
        a reviewer typing without a break still has everything on disk within a second."""
        if self._unsaved_since is None:
            return SAVE_DELAY
        waited = time.monotonic() - self._unsaved_since
        return max(0.01, min(SAVE_DELAY, MAX_UNSAVED - waited))  # Textual timers refuse 0

    def _schedule_save(self, delay: float = SAVE_DELAY) -> None:
        if self._save_timer is not None:
            self._save_timer.stop()
        self._save_timer = self.set_timer(delay, self._save_soon)

    def _save_soon(self) -> None:
        if self._saving or not self.dirty:
            return  # a save in flight re-checks when it ends
        self._saving = True
        self._unsaved_since = None  # changes from now on start a new wait
        text = self.query_one("#editor", NoteEditor).text
        self._save_in_thread(self._revision, text, [a.model_copy() for a in self.attendance])

    @work(thread=True, group="autosave", exit_on_error=False)
    def _save_in_thread(self, revision: int, text: str, attendance: list[Attendee]) -> None:
        try:
            written = self._write(revision, text, attendance)
        except StoreError as error:
            self.post_message(self.SaveFailed(str(error)))
        else:
            self.post_message(self.Saved(revision, self.context.clock(), written))

    def _write(self, revision: int, text: str, attendance: list[Attendee]) -> _Written | None:
        with self._write_lock:
            if revision <= self._written:
                return None  # something newer is already in the database
            saved = notes.save_note_since(
                self.context.store,
                self.session_id,
                self.author_id,
                text,
                attendance,
                base=self._base,
                session=self.session,
            )
            # After a merge the editor holds the text sent, not the merge, until _take_in has
            # run: a write before then merges again, with the text sent as its base.
            self._base = (
                notes.Base(text, tuple(attendance), None) if saved.merged else notes.base_of(saved.note)
            )
            self._written = revision
            self._text_kept = text
            return _Written(text, attendance, saved, self._base)

    def on_capture_screen_saved(self, message: Saved) -> None:
        self._saving = False
        self._failure = None
        self._saved_at = message.at
        if message.written is not None:
            self._take_in(message.written)
        self._show_state()
        if self.dirty:  # typed while the save was in flight
            self._schedule_save(self._delay())

    def _take_in(self, written: _Written) -> None:
        """Show what the write did beyond saving the text: a session brought back, and the
        changes made elsewhere, merged into the editor around what was typed since."""
        saved = written.saved
        if saved.restored_session and self.session is not None:
            self.session = replace(self.session, status=SessionStatus.CANCELLED)
            self._show_session_line()
            self.notify(
                "This session was taken off the schedule (a reload) while the note was open. "
                "It is kept as cancelled, with your note.",
                title="Session removed",
                severity="warning",
                timeout=15,
            )
        if not saved.merged:
            return
        editor = self.query_one("#editor", NoteEditor)
        text, _ = notes.merge_text(written.text, editor.text, saved.note.body)
        if text != editor.text:
            _replace_keeping_cursor(editor, text)
        sent = [a.model_dump() for a in written.attendance]
        if (
            [a.model_dump() for a in self.attendance]
            == sent
            != [a.model_dump() for a in saved.note.attendance]
        ):
            self.attendance = [a.model_copy() for a in saved.note.attendance]
            self._fill_attendance()
        with self._write_lock:
            if self._base is written.base:  # no write since: the editor now grew from the merge
                self._base = notes.base_of(saved.note)
        self._update_marks()
        both = (
            f" {saved.collisions} place{'s' if saved.collisions != 1 else ''} had changed on both sides: "
            "both versions are kept, yours first."
            if saved.collisions
            else ""
        )
        self.notify(
            "This note was changed outside this screen (peerreview note add, or a merge from your "
            f"other laptop); those changes are merged in.{both}",
            title="Note merged",
            severity="warning" if saved.collisions else "information",
            timeout=15,
        )

    def on_capture_screen_save_failed(self, message: SaveFailed) -> None:
        self._saving = False
        self._failure = message.reason
        self._show_state()
        self.notify(
            f"{message.reason}\nYour text is still here; saving again in {RETRY_DELAY:.0f} s.",
            title="Note not saved",
            severity="error",
        )
        self._schedule_save(RETRY_DELAY)

    def _show_state(self) -> None:
        state = self.query_one("#save-state", Static)
        if self.read_only:
            who = self.context.reviewer_name(self.author_id)
            state.update(Text(f"read only: {who}'s note", style="dim"))
        elif self._failure:
            state.update(Text(f"NOT SAVED: {self._failure}; retrying", style="bold red"))
        elif (choices := self.query_one("#editor", NoteEditor).tag_choices()) and "." in choices[0]:
            # while a line of enquiry is typed its question stays in sight, saved or not
            state.update(Text(self._hint(choices), style="cyan"))
        elif self.dirty:
            state.update(Text("unsaved", style="yellow"))
        elif self._new and not self._written:
            state.update(Text("new note from the template: saved as soon as you type", style="dim"))
        elif self._saved_at is not None:
            state.update(Text(f"saved {self._saved_at:%H:%M:%S}", style="green"))
        else:
            state.update(Text("saved", style="green"))

    def flush(self) -> bool:
        """Write now, on the calling thread (leaving the screen, quitting). True if all is saved."""
        if self.session is None or self.read_only:
            return True
        text = self.query_one("#editor", NoteEditor).text
        with self._write_lock:
            # The last keys typed before a quit may be in the editor before their Changed
            # messages have reached this screen: the text itself says whether there is more.
            if text != self._text_kept and not self.dirty:
                self._revision += 1
        if not self.dirty:
            return True
        try:
            written = self._write(self._revision, text, [a.model_copy() for a in self.attendance])
        except StoreError as error:
            self._failure = str(error)
            self._show_state()
            return False
        self._failure = None
        if written is not None:
            self._take_in(written)
        return True

    # --- actions ---------------------------------------------------------------------

    def system_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Insert time", "Insert [HH:MM] at the cursor", self.action_timestamp)
        yield SystemCommand("Save note", "Save the note now", self.action_save_now)
        yield SystemCommand("Mark session done", "Mark this session done", self.action_mark_done)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Someone else's note is read only: its keys leave the footer. Marking the session done
        is for its reviewers and the lead."""
        if action in {"timestamp", "save_now"}:
            return not self.read_only
        if action == "next_note":
            return len(self.authors) > 1
        if action == "mark_done":
            session = self.session
            return session is not None and self.context.may(
                Change.SESSION_STATUS, session_reviewers=session.reviewers
            )
        return True

    def action_timestamp(self) -> None:
        editor = self.query_one("#editor", NoteEditor)
        if not editor.read_only:
            editor.insert(f"[{self.context.clock():%H:%M}] ")

    def action_save_now(self) -> None:
        if self.flush():
            self._saved_at = self.context.clock()
            self._show_state()
        else:
            self.notify(str(self._failure), title="Note not saved", severity="error")
            self._schedule_save(RETRY_DELAY)

    def action_mark_done(self) -> None:
        if self.session is None:
            return
        self.action_save_now()
        session_id = self.session.id
        self.run_change(
            lambda: week.set_session_status(self.context.store, session_id, SessionStatus.DONE, self.actor()),
            done="Session marked done",
            reload=False,
        )

    def action_next_note(self) -> None:
        """The next note for this session, mine saved first (if it cannot be, it stays open)."""
        if len(self.authors) < 2:
            return
        if not self.flush():
            self.notify(str(self._failure), title="Note not saved: it stays open", severity="error")
            self._schedule_save(RETRY_DELAY)
            return
        following = self.authors[(self.authors.index(self.author_id) + 1) % len(self.authors)]
        self.post_message(self.OpenNote(self.session_id, following))

    def action_leave(self) -> None:
        self.post_message(self.Leave(self))

    def on_screen_suspend(self) -> None:
        self.flush()


def _replace_keeping_cursor(editor: NoteEditor, text: str) -> None:
    """Put ``text`` in the editor with the cursor on the same line of what was typed, wherever
    lines came in above or below it (one edit: a single undo takes it back)."""
    row, column = editor.cursor_location
    old, new = editor.text.split("\n"), text.split("\n")
    target = row
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if i1 <= row < i2:
            target = j1 + (row - i1) if tag == "equal" else j1 + min(row - i1, max(j2 - j1 - 1, 0))
            break
    editor.replace(text, (0, 0), editor.document.end, maintain_selection_offset=False)
    target = min(target, editor.document.line_count - 1)
    editor.cursor_location = (target, min(column, len(editor.document.get_line(target))))


def _short(text: str, width: int = 28) -> str:
    """The start of a question, cut at a word, for a hint that lists several."""
    return text if len(text) <= width else text[: width - 1].rsplit(" ", 1)[0] + "…"
