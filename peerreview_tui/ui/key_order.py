"""Keys are handled one at a time, in the order they were typed.

Textual hands each key to the focused widget's queue as soon as the app reads it. When keys
arrive together (typing fast, a paste-like burst from the terminal) they are all handed to the
same widget before the first has done anything: the keys after `a` (add a session) go to the
schedule's table behind the form the `a` opens, and `ctrl+q`, a priority binding that runs as it
is read, quits before the letters queued before it have reached the editor.

So the app holds each key until the one before it has gone all the way: through the focused
widget, up to the app's bindings, and, if it opened a screen, until that screen is mounted and
has its focus. A marker message follows the key up the same chain of queues; when it reaches the
app, and then the current screen's queue has been worked through, it goes round again from the
focused widget, until a round ends with the same screen and focus as the round before; then the
next key is sent.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from textual import events
from textual.app import App, ScreenStackError
from textual.dom import DOMNode
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer

# How often to look whether the marker was lost: the key removed the widget it went to (escape
# closing a form) before the marker behind it got out, so the next key must not wait for it.
LOST_MARKER_CHECK = 0.25
MAX_ROUNDS = 6  # a key whose effects go on changing the screen is let go after this many
# A screen still reading what a key asked for (a day not read yet, in the first moments after
# the app opens) holds the next key this much longer at most, looking this often.
DATA_WAIT = 3.0  # s
DATA_CHECK = 0.02  # s


class KeyPassed(Message):
    """Follows a key up from the widget it was sent to: the key has been handled."""

    def __init__(self, serial: int) -> None:
        super().__init__()
        self.serial = serial


class KeysInOrder(App[Any]):
    """An App that sends a typed key on only once the key before it has had its effect."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._keys_waiting: deque[events.Key] = deque()
        self._key_in_flight: int | None = None  # serial of the key whose marker is awaited
        self._key_serial = 0
        self._lost_marker_timer: Timer | None = None
        self._rounds = 0  # times the marker of the key in flight went round
        self._seen: tuple[object, object] | None = None  # screen and focus after the last round
        self._data_waited = 0.0  # how long the key in flight has waited for its screen's data

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            self._keys_waiting.append(event)
            if self._key_in_flight is None:
                await self._send_next_key()
            return
        await super().on_event(event)

    def _screen_now(self) -> Screen[Any] | None:
        """The current screen; none for a moment while a mode is switched in."""
        try:
            return self.screen
        except ScreenStackError:  # the new mode's stack is not made yet
            return None

    async def _send_next_key(self) -> None:
        if self._key_in_flight is not None or not self._keys_waiting:
            return
        screen = self._screen_now()
        if screen is None:
            self.set_timer(LOST_MARKER_CHECK / 10, self._send_next_key)
            return
        event = self._keys_waiting.popleft()
        target = self.focused or screen
        self._key_serial += 1
        self._key_in_flight = self._key_serial
        self._rounds = 0
        self._seen = None
        self._data_waited = 0.0
        await super().on_event(event)  # priority bindings, else to the focused widget
        self._send_marker(target)

    def _send_marker(self, target: DOMNode) -> None:
        serial = self._key_in_flight
        assert serial is not None
        if not target.post_message(KeyPassed(serial)):
            self._key_passed(serial)
            return
        self._watch_marker(serial, target)

    def _watch_marker(self, serial: int, target: DOMNode) -> None:
        def check() -> None:
            if self._key_in_flight != serial:
                return
            if target.is_attached:  # the marker is on its way up: it cannot be lost
                self._watch_marker(serial, target)
            else:
                self._key_passed(serial)

        if self._lost_marker_timer is not None:
            self._lost_marker_timer.stop()
        self._lost_marker_timer = self.set_timer(LOST_MARKER_CHECK, check)

    def on_key_passed(self, message: KeyPassed) -> None:
        message.stop()
        # Through the current screen's queue: a screen the key opened is composed and mounted
        # before its queue is read, and the focus it set (queued on the app) is in place after.
        screen = self._screen_now()
        if screen is None:
            self.call_later(self._round_done, message.serial)
        elif not screen.call_later(self.call_later, self._round_done, message.serial):
            self._key_passed(message.serial)

    def _round_done(self, serial: int) -> None:
        """The marker went round once. A key's effect can take more than one round: enter on
        the schedule selects a row, the row opens a note, the note's screen takes the focus; so
        it goes round again until a round changes neither the screen nor the focus."""
        if self._key_in_flight != serial:
            return
        screen = self._screen_now()
        seen = (screen, self.focused)
        self._rounds += 1
        if self._rounds < MAX_ROUNDS and (self._rounds < 2 or seen != self._seen or screen is None):
            self._seen = seen
            self._send_marker(self.focused or screen or self)
        elif self._awaiting_data() and self._data_waited < DATA_WAIT:
            # the key showed rows still being read (a day key as the app opens): the next key
            # (down, enter) must act on them
            self._data_waited += DATA_CHECK
            self._rounds = MAX_ROUNDS
            self.set_timer(DATA_CHECK, lambda: self._round_done(serial))
        else:
            self._key_passed(serial)

    def _awaiting_data(self) -> bool:
        awaiting = getattr(self.screen, "awaiting_data", None)
        return bool(awaiting()) if callable(awaiting) else False

    def _key_passed(self, serial: int) -> None:
        if self._key_in_flight != serial:
            return  # already passed on (the marker came after the timer, or the other way)
        if self._lost_marker_timer is not None:
            self._lost_marker_timer.stop()
            self._lost_marker_timer = None
        self._key_in_flight = None
        if self._keys_waiting:
            self.call_next(self._send_next_key)
