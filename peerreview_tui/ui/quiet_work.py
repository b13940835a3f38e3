"""What the app does while nobody is typing: the garbage collector's reclaim, and the sections
made before they are asked for. Both wait until the keys have been quiet for a while, and look
again later if they have not."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeGuard

from textual import events
from textual.screen import Screen
from textual.timer import Timer

from .collector import Collector
from .key_order import KeysInOrder
from .screens.base import ReviewScreen

if TYPE_CHECKING:
    from .screens.capture import CaptureScreen

# This long without a key or a click, the garbage among the objects the collector no longer walks
# is reclaimed (collector.py): a full collection, at a moment nobody is typing.
QUIET_BEFORE_RECLAIM = 2.0  # s

# Sections made and read before they are first asked for, one at a time, each once the keys have
# been quiet this long with nothing else under way: the first showing of Findings on a ×10 week
# was ~0.5 s (its module, its widgets, 1,900 findings read and listed) and is then what showing it
# again is. Not while a note is open (its keys come first); the exchange only on a laptop that
# holds its reviewer's signing key already, as its first showing makes the key (a write).
WARM_SECTIONS = ("findings", "washup", "coverage", "search", "exchange")
QUIET_BEFORE_WARMING = 1.0  # s
MAX_UNSEEN_DRAWS = 3  # layouts of a section made ahead, if each asks for another (see _draw_unseen)


def is_capture(screen: Screen[Any]) -> TypeGuard[CaptureScreen]:
    # by name: importing CaptureScreen to ask would load it at start-up
    return type(screen).__name__ == "CaptureScreen"


class QuietWork(KeysInOrder):
    """An App that knows when the keys were last used, and works when they have been quiet."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Full garbage collections walk only what was made since the app was last idle.
        self._collector = Collector()
        self.process_ends_with_app = False  # `peerreview open`: nothing folded is handed back
        self._last_input = time.monotonic()
        self._reclaim_timer: Timer | None = None
        self.warm_sections = True  # the tests turn it off: what they time and count stays theirs
        self.signing_key_held = False  # by who is at the keyboard (the exchange is made ahead)
        self._warm_timer: Timer | None = None
        self._warming: Screen[Any] | None = None  # made, not yet drawn
        self._unseen_draws = 0  # of the screen being made

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseEvent)):
            self._last_input = time.monotonic()
        await super().on_event(event)

    def on_unmount(self) -> None:
        self._collector.close(hand_back=not self.process_ends_with_app)

    def _later_unless_quiet(self, quiet: float, busy: bool, then: Callable[[], None]) -> Timer | None:
        """A timer that calls ``then`` again once the keys may have been quiet for ``quiet``
        seconds, if they have not been yet or the app is ``busy``; None if it may go ahead."""
        quiet_for = time.monotonic() - self._last_input
        if quiet_for >= quiet and not busy:
            return None
        return self.set_timer(max(quiet - quiet_for, quiet / 10), then)

    def _keys_coming(self) -> bool:
        return bool(self._keys_waiting) or self._key_in_flight is not None

    # --- the collector ---------------------------------------------------------------

    def on_idle(self) -> None:
        if self._collector.fold() and self._reclaim_timer is None:
            # whether a reclaim is due is asked then: counting what is folded walks it all
            self._reclaim_timer = self.set_timer(QUIET_BEFORE_RECLAIM, self._reclaim_when_quiet)

    def _reclaim_when_quiet(self) -> None:
        self._reclaim_timer = self._later_unless_quiet(
            QUIET_BEFORE_RECLAIM, self._keys_coming(), self._reclaim_when_quiet
        )
        if self._reclaim_timer is None and self._collector.reclaim_due:
            self._collector.reclaim()

    # --- sections made ahead ---------------------------------------------------------

    def start_warming(self) -> None:
        """Make the sections ahead, from now on, as the keys allow."""
        if self.warm_sections and self._warm_timer is None:
            self._warm_timer = self.set_timer(QUIET_BEFORE_WARMING, self._warm_next_section)

    def sections_to_warm(self) -> list[str]:
        return [mode for mode in WARM_SECTIONS if mode != "exchange" or self.signing_key_held]

    def _warm_next_section(self) -> None:
        """Make the next section's screen, and let it read what it shows (its ScreenResume), or
        draw the one made last, if the keys have been quiet and nothing else is under way."""
        self._warm_timer = None
        left = [mode for mode in self.sections_to_warm() if mode not in self._screen_stacks]
        if not left and self._warming is None:
            return
        screen = self._screen_now()
        busy = (
            self._keys_coming()
            or any(not worker.is_finished for worker in self.workers)
            or screen is None  # a section is being switched in, or the app is closing
            or is_capture(screen)
            or not isinstance(screen, ReviewScreen)  # a form or question is open
        )
        self._warm_timer = self._later_unless_quiet(QUIET_BEFORE_WARMING, busy, self._warm_next_section)
        if self._warm_timer is not None:
            return
        if self._warming is not None:  # made, and what it shows read and put in its widgets
            self._unseen_draws += 1
            if not self._draw_unseen(self._warming) or self._unseen_draws >= MAX_UNSEEN_DRAWS:
                self._warming = None
        else:
            self._init_mode(left[0])  # as switch_mode makes a section's screen, without showing it
            self._warming = self._screen_stacks[left[0]][-1]
            self._unseen_draws = 0
        self._warm_timer = self.set_timer(QUIET_BEFORE_WARMING / 10, self._warm_next_section)

    def _draw_unseen(self, screen: Screen[Any]) -> bool:
        """Lay a section's screen out and draw it, without showing it: its widgets keep the lines
        they drew, and showing it draws the screen from them (as when it is shown again). True
        if it is to be done again: a layout that changes a widget's size asks for another, which
        a screen not on show keeps until it is shown (its footer's keys, sized the first time)."""
        if not screen.is_mounted or screen.is_current:
            return False
        again = screen._layout_required or screen._compositor.size != self.size
        if again:
            screen._refresh_layout(self.size)
            screen._layout_required = False
            screen._compositor.render_update(full=True)
        return again
