"""The app: modes for the top-level sections, global keys, and the capture screen's lifecycle."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from ..store import StoreError
from .context import ReviewContext
from .quiet_work import QuietWork, is_capture
from .screens.base import WIDE, ReviewScreen
from .screens.schedule import ScheduleScreen

if TYPE_CHECKING:
    from .screens.capture import CaptureScreen


# The schedule is the landing screen; the others are imported when first opened, which keeps
# start-up (measured in bench/) close to a bare Textual app's.
def _search_screen() -> Screen[None]:
    from .screens.search import SearchScreen

    return SearchScreen()


def _coverage_screen() -> Screen[None]:
    from .screens.coverage import CoverageScreen

    return CoverageScreen()


def _findings_screen() -> Screen[None]:
    from .screens.findings import FindingsScreen

    return FindingsScreen()


def _exchange_screen() -> Screen[None]:
    from .screens.exchange import ExchangeScreen

    return ExchangeScreen()


def _washup_screen() -> Screen[None]:
    from .screens.washup import WashupScreen

    return WashupScreen()


# This long after the first frame, the soundness check and the start-up backup are made (see
# on_mount): the frame is on screen, and what follows it (the detail pane, the rest of the week)
# has started.
PREPARE_AFTER_FIRST_FRAME = 0.1  # s


# The keys to each section of the app: (key, binding id's name, action, label, tooltip).
SECTION_KEYS = [
    ("f2", "schedule", "switch_mode('schedule')", "Schedule", "the week, day by day"),
    ("f3", "search", "switch_mode('search')", "Search", "search all notes"),
    (
        "f4",
        "coverage",
        "switch_mode('coverage')",
        "Coverage",
        "focus areas × sources, where evidence is thin",
    ),
    ("f5", "findings", "switch_mode('findings')", "Findings", "strengths and areas for development"),
    ("f6", "export", "export", "Export", "the letter or the presentation"),
    (
        "f7",
        "exchange",
        "switch_mode('exchange')",
        "Exchange",
        "bundles with the team's laptops; settle conflicts",
    ),
    (
        "f8",
        "washup",
        "switch_mode('washup')",
        "Wash-up",
        "the day's lines of enquiry, gaps and open follow-ups",
    ),
]


class PeerReviewApp(QuietWork):
    CSS_PATH = "app.tcss"
    MODES: ClassVar[dict[str, str | Callable[[], Screen[Any]]]] = {
        "schedule": ScheduleScreen,
        "search": _search_screen,
        "coverage": _coverage_screen,
        "findings": _findings_screen,
        "exchange": _exchange_screen,
        "washup": _washup_screen,
    }
    DEFAULT_MODE = "schedule"
    # The footer keeps its width for the screen's own keys: the sections' keys are in F1 (which
    # every footer shows) and in the command palette.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", "Help", id="app.help"),
        *[
            Binding(key, action, label, id=f"app.{name}", show=False, tooltip=tooltip)
            for key, name, action, label, tooltip in SECTION_KEYS
        ],
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True, tooltip="your note is saved first"),
    ]

    def __init__(
        self, context: ReviewContext, open_session: str | None = None, keymap: dict[str, str] | None = None
    ) -> None:
        super().__init__()
        self.context = context
        if keymap:
            self.set_keymap(keymap)
        self.open_session = open_session
        # The note opened from another section (search), and that section's mode: esc goes back.
        self._back_from_capture: tuple[Screen[Any], str] | None = None
        self._prepared = False
        review = context.review
        self.title = f"{review.council} · {review.title}"

    def on_resize(self) -> None:
        # Narrow: the council alone, so the screen's own line (day, who, filters) stays whole.
        review = self.context.review
        self.title = review.council if self.size.width < WIDE else f"{review.council} · {review.title}"

    def on_mount(self) -> None:
        theme = self.context.store.get_meta("theme")
        if theme and theme in self.available_themes:
            self.theme = theme
        self.theme_changed_signal.subscribe(self, lambda theme: self._remember("theme", theme.name))
        self._update_subtitle()
        # The check that the file is sound and the copy of the review as it was when the app
        # opened are made once the first frame is drawn (or before the first write, if that
        # comes first): both read the whole file, which on a big week would double the start-up.
        self.context.store.backup_before_first_write("app")
        self.call_after_refresh(self.set_timer, PREPARE_AFTER_FIRST_FRAME, self._prepare_writes)
        for notice in self.context.store.notices:  # an encrypt, purge or rekey settled on opening
            self.notify(str(notice), title="Interrupted operation settled", timeout=30, markup=False)
        for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
            # not on this platform, or not in the main thread (tests)
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                asyncio.get_running_loop().add_signal_handler(sig, self._quit_on_signal)
        if self.context.me is None:
            from .modals.choice import ChoiceModal

            self.push_screen(
                ChoiceModal(
                    "Who is using this laptop? Your notes are written in your name.",
                    [(f"{r.name}, {r.role}", r.id) for r in self.context.reviewers],
                    cancellable=False,
                ),
                self._chose_me,
            )
        elif self.open_session:
            self.open_capture(self.open_session)

    def _chose_me(self, reviewer_id: str | None) -> None:
        if reviewer_id is None:
            return
        self.context.me = reviewer_id
        self._remember("me", reviewer_id)
        self._update_subtitle()
        if self.open_session:
            self.open_capture(self.open_session)
        if isinstance(self.screen, ScheduleScreen):
            self.screen.reload()

    def _update_subtitle(self) -> None:
        ctx = self.context
        me = ctx.reviewer_name(ctx.me) if ctx.me else "no reviewer chosen"
        self.sub_title = f"{ctx.current_day:%A %-d %B} · {me}"

    @work(thread=True, group="meta", exit_on_error=False)
    def _remember(self, key: str, value: str) -> None:
        try:
            self.context.store.set_meta(key, value)
        except StoreError as error:
            self.notify(str(error), severity="warning", title="Setting not remembered", markup=False)

    def _prepare_writes(self) -> None:
        if not self._prepared:
            self._prepared = True
            self._prepare_in_thread()
            self.start_warming()

    @work(thread=True, group="backup", exit_on_error=False)
    def _prepare_in_thread(self) -> None:
        """Check the file is sound, and copy the review as it was when the app opened (the copy
        is kept among its backups when the app closes the review if anything was changed); and
        read whether this laptop holds its reviewer's signing key (quiet_work.WARM_SECTIONS)."""
        try:
            self.context.store.prepare_writes()
            me = self.context.me
            held = me is not None and self.context.store.query(
                "SELECT 1 FROM signing_keys WHERE reviewer_id = ?", [me]
            )
            self.signing_key_held = bool(held)
        except StoreError as error:
            self.notify(
                str(error), severity="error", title="Changes cannot be saved yet", timeout=30, markup=False
            )

    # --- capture ---------------------------------------------------------------------

    def on_review_screen_open_note(self, message: ReviewScreen.OpenNote) -> None:
        self.open_capture(message.session_id, message.author_id, message.line, back=message.back)

    def on_capture_screen_leave(self, message: CaptureScreen.Leave) -> None:
        self.leave_capture(message.capture)

    def open_capture(
        self,
        session_id: str,
        author_id: str | None = None,
        line: int | None = None,
        *,
        back: str | None = None,
    ) -> None:
        """Open a note in the schedule section, closing any note already open there; leaving it
        returns to the section ``back`` (say, the search it was opened from)."""
        if self.context.me is None:
            return
        if self.current_mode != "schedule":
            self.switch_mode("schedule")
        from .screens.capture import CaptureScreen

        while isinstance(self.screen, CaptureScreen):
            self.screen.flush()
            self.pop_screen()
        capture = CaptureScreen(session_id, author_id or self.context.me, line)
        self._back_from_capture = (capture, back) if back else None
        self.push_screen(capture)

    def leave_capture(self, screen: CaptureScreen) -> None:
        from .modals.confirm import ConfirmModal

        if screen.flush():
            self._pop_capture(screen)
            return

        def decided(leave: bool | None) -> None:
            if leave:
                self._pop_capture(screen)

        self.push_screen(
            ConfirmModal(
                f"The note could not be saved: {screen._failure}\n"
                "Stay and it keeps retrying. Leave and the unsaved text is lost.",
                yes="Leave without saving",
                no="Stay",
            ),
            decided,
        )

    def _pop_capture(self, screen: CaptureScreen) -> None:
        """Close the note, and go back to the section it was opened from."""
        self.pop_screen()
        opened_from, self._back_from_capture = self._back_from_capture, None
        if opened_from is not None and opened_from[0] is screen:
            self.switch_mode(opened_from[1])

    def _open_captures(self) -> list[CaptureScreen]:
        return [screen for screen in self.get_screen_stack("schedule") if is_capture(screen)]

    async def action_quit(self) -> None:
        from .modals.confirm import ConfirmModal

        unsaved = [screen for screen in self._open_captures() if not screen.flush()]
        if not unsaved:
            self.exit()
            return

        def decided(leave: bool | None) -> None:
            if leave:
                self.exit()

        self.push_screen(
            ConfirmModal(
                f"A note could not be saved: {unsaved[0]._failure}\nQuit anyway and lose the unsaved text?",
                yes="Quit and lose it",
                no="Stay",
            ),
            decided,
        )

    def _quit_on_signal(self) -> None:
        for screen in self._open_captures():
            screen.flush()
        self.exit()

    # --- app-wide actions ------------------------------------------------------------

    def action_export(self, what: str = "letter") -> None:
        from .modals.export import ExportModal

        self.push_screen(ExportModal(self.context.store, what))

    def action_help(self) -> None:
        from .modals.help import HelpModal

        if not isinstance(self.screen, HelpModal):
            self.push_screen(HelpModal(self.screen))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "switch_mode" and parameters and parameters[0] == self.current_mode:
            return None if not is_capture(self.screen) else True
        return True

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Schedule", "The week, day by day", lambda: self.switch_mode("schedule"))
        yield SystemCommand(
            "Search notes", "Full-text search over every note", lambda: self.switch_mode("search")
        )
        yield SystemCommand(
            "Coverage", "Focus areas × sources: where evidence is thin", lambda: self.switch_mode("coverage")
        )
        yield SystemCommand(
            "Findings",
            "Strengths and areas for development per focus area",
            lambda: self.switch_mode("findings"),
        )
        yield SystemCommand(
            "Wash-up",
            "The day's lines of enquiry, the gaps and who tests them, open follow-ups",
            lambda: self.switch_mode("washup"),
        )
        yield SystemCommand("Help", "Keys and inline marks", self.action_help)
        yield SystemCommand(
            "Exchange bundles",
            "Write this laptop's bundle, read the team's, settle conflicts",
            lambda: self.switch_mode("exchange"),
        )
        yield SystemCommand("Export the letter", "The feedback letter (Word or Markdown)", self.action_export)
        yield SystemCommand(
            "Export the presentation",
            "The feedback slides (PowerPoint or Markdown)",
            lambda: self.action_export("slides"),
        )
        if isinstance(screen, ReviewScreen):
            yield from screen.system_commands()
