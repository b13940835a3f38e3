"""What every screen of the review shares: the open review, who is at the keyboard, and the one way
a screen writes a change (in a thread, then says so and reads again)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from typing import Any, ClassVar, TypeVar

from textual import events, on, work
from textual._context import NoActiveAppError
from textual.app import SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen

from ...store import StoreError
from ..context import ReviewContext

T = TypeVar("T")

# What the core raises when it refuses a change or cannot make it: the reason is shown, never a
# traceback. Anything else is a bug and is left to the worker.
REFUSED = (StoreError, ValueError)

# From this many columns a screen shows everything at full length; narrower, the less needed
# goes first (the review's title, the kind of session), never a number or a name.
WIDE = 140


def day_number_keys(screen: str) -> list[Binding]:
    """`1`–`7`: the review's first to seventh day, on a screen that shows a day at a time (its
    ``action_day_number``); in F1, not the footer. ``screen`` prefixes the ids (the keymap's)."""
    return [
        Binding(str(n), f"day_number({n})", "Day of the week", show=False, id=f"{screen}.day{n}")
        for n in range(1, 8)
    ]


class ReviewScreen(Screen[None]):
    CHANGE_FAILED_TITLE: ClassVar[str] = "Not saved"  # above the reason a change was refused

    class OpenNote(Message):
        """Open a reviewer's note (the app owns the note screens), at a line if given; leaving
        the note returns to the section ``back`` (a mode), else to the schedule."""

        def __init__(
            self,
            session_id: str,
            author_id: str | None = None,
            line: int | None = None,
            back: str | None = None,
        ) -> None:
            super().__init__()
            self.session_id = session_id
            self.author_id = author_id
            self.line = line
            self.back = back

    class _RevisionRead(Message):
        """The store's revision, read in a thread for `show_current` (None: it could not be read)."""

        def __init__(self, revision: tuple[int, int] | None) -> None:
            super().__init__()
            self.revision = revision

    # The store's revision when what the screen shows was read (None: not read yet), and whether
    # a check of it is under way.
    _read_at: tuple[int, int] | None = None
    _checking = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A section's screen is made when it is first shown, and styled as it mounts with the
        # stylesheet as it is then. Textual takes a screen it has not styled before for one
        # whose styles are out of date, and parses every stylesheet of the app again, twice
        # (App.refresh_css, ~40-130 ms a first visit on the bench machine). Only a change of
        # theme since (which counts up the app's own number) needs that.
        with contextlib.suppress(NoActiveAppError):
            self._css_update_count = self.app._css_update_count
        self._app_look_when_hidden: object = None

    # Shown again, Textual applies every CSS rule to every widget of the screen afresh (~30-60 ms
    # for a section of a ×10 week), in case the look changed while it was hidden. The theme
    # changing is seen to by Textual when it shows the screen (App.refresh_css); what else is
    # looked at here: the app's classes and pseudo-classes (focus, dark, ansi...), which Textual
    # updates only on the screens on show.
    def _app_look(self) -> tuple[object, ...]:
        app = self.app
        return frozenset(app.classes), frozenset(app.get_pseudo_classes()), app._css_update_count

    @on(events.Mount)  # styled as it mounts (a section made before it is shown, see app.py)
    @on(events.ScreenSuspend)
    def _note_app_look(self) -> None:
        self._app_look_when_hidden = self._app_look()

    @on(events.ScreenResume)
    def _keep_styles_if_app_look_unchanged(self, event: events.ScreenResume) -> None:
        if self._app_look_when_hidden == self._app_look():
            event.refresh_styles = False

    @property
    def context(self) -> ReviewContext:
        # App has no `context`: PeerReviewApp sets it, and this module cannot import PeerReviewApp
        # to say so (app.py imports the screens).
        context: ReviewContext = self.app.context  # type: ignore[attr-defined]
        return context

    def actor(self) -> str:
        """Who the changes made here are recorded against ('' when nobody is chosen: the core
        refuses the change and says to choose who you are first)."""
        return self.context.me or ""

    def system_commands(self) -> Iterable[SystemCommand]:
        """This screen's own entries in the command palette (after the app's)."""
        return ()

    def reload(self) -> None:
        """Read again what this screen shows: `run_change` calls it once a change is written."""

    def show_current(self) -> None:
        """Make sure what the screen shows is current: `reload` if the review changed since it was
        read (here or in another program), or if it never was. A screen shown again with nothing
        changed (the usual case when moving between sections) shows at once, with no read; the
        first showing reads once, however many resume events it gets."""
        if not self._checking:
            self._checking = True
            self._read_revision()

    @work(thread=True, group="revision", exit_on_error=False)
    def _read_revision(self) -> None:
        try:
            revision: tuple[int, int] | None = self.context.store.revision()
        except StoreError:
            revision = None  # read again, which says what is wrong
        self.post_message(self._RevisionRead(revision))

    def on_review_screen__revision_read(self, message: _RevisionRead) -> None:
        self._checking = False
        if message.revision is None or message.revision != self._read_at:
            self.reload()

    def mark_read(self) -> None:
        """In a screen's read, before it reads: what it shows is now as of this revision."""
        self._read_at = self.context.store.revision()

    def run_change(
        self,
        change: Callable[[], T],
        *,
        done: str | Callable[[T], str] | None = None,
        then: Callable[[T], object] | None = None,
        failed_title: str | None = None,
        reload: bool = True,
    ) -> None:
        """Write ``change`` in a thread worker. Then, on the event loop: if the core refused it,
        say why (titled ``failed_title``, or the screen's CHANGE_FAILED_TITLE); otherwise say
        ``done`` (a text, or made from what ``change`` returned), call ``then`` with what it
        returned, and ``reload`` the screen."""
        title = self.CHANGE_FAILED_TITLE if failed_title is None else failed_title

        def write() -> None:
            try:
                result = change()
            except REFUSED as error:
                self.app.call_from_thread(self.show_change_failed, str(error), title)
                return
            # Through the app, not a message to this screen: a screen closed while its change was
            # written (a note left straight after ctrl+g) would drop the message, and the outcome.
            self.app.call_from_thread(self._change_written, result, done, then, reload)

        self.run_worker(write, thread=True, exit_on_error=False, group="change")

    def _change_written(
        self,
        result: T,
        done: str | Callable[[T], str] | None,
        then: Callable[[T], object] | None,
        reload: bool,
    ) -> None:
        text = done(result) if callable(done) else done
        if text:
            self.show_change_done(text)
        if then is not None:
            then(result)
        if reload:
            self.reload()

    def show_change_done(self, text: str) -> None:
        """How this screen says a change was written: a notification, unless it has its own place."""
        self.notify(text, markup=False)

    def show_change_failed(self, reason: str, title: str) -> None:
        """How this screen says a change was refused: an error notification, unless it has its own place."""
        self.notify(reason, severity="error", title=title, markup=False)
