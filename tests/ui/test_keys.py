"""Every key lands: keys typed in one burst (as a terminal delivers them) reach the field that the
key before them opened, and quitting or leaving saves every key typed before it."""

from __future__ import annotations

import unicodedata

from textual import events
from textual.widgets import Input

from peerreview_tui.store import notes, week
from peerreview_tui.ui.modals.session_form import SessionFormModal
from peerreview_tui.ui.screens.capture import CaptureScreen
from peerreview_tui.ui.widgets.note_editor import NoteEditor

from .conftest import SIZE, settle, wait_until


def burst(app, *keys: str) -> None:
    """Send ``keys`` as a terminal does when they arrive together: all at once, with no pause
    between them (``pilot.press`` waits for the app to go idle after each key)."""
    for key in keys:
        char = key if len(key) == 1 else None
        name = {" ": "space"}.get(key, key) if len(key) == 1 and not key.isalnum() else key
        if len(key) == 1 and not key.isalnum() and key != " ":
            name = unicodedata.name(key).lower().replace(" ", "_").replace("-", "_")
        event = events.Key(name, char)
        event.set_sender(app)
        app._driver.send_message(event)


async def _type_and_quit(app, words: str) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.focused, NoteEditor))
        burst(app, *words, "ctrl+q")
        await wait_until(pilot, lambda: not app.is_running)


async def test_text_typed_with_ctrl_q_in_one_burst_is_all_saved(store, app_factory) -> None:
    sessions = [s.id for s in week.sessions(store)][:20]
    assert len(sessions) == 20
    lost = []
    for trial, session in enumerate(sessions):  # a fresh app on a fresh note each time
        words = f"trial {trial}: some words typed fast"
        await _type_and_quit(app_factory(session=session), words)
        note = notes.get_note(store, session, "officer1")
        if note is None or not note.body.endswith(words):
            lost.append((trial, note.body[-40:] if note else None))
    assert lost == []


async def test_a_then_a_title_in_one_burst_types_the_title(store, app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        burst(app, "a", *"Reality testing")
        await wait_until(pilot, lambda: isinstance(app.screen, SessionFormModal))
        await settle(pilot)
        assert app.screen.query_one("#title", Input).value == "Reality testing"


async def test_a_key_right_after_a_day_key_acts_on_the_new_day(store, app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        tuesday = [s.id for s in week.sessions(store) if s.day.isoformat() == "2012-09-11"]
        burst(app, "2", "down", "down", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, CaptureScreen))
        assert app.screen.session_id == tuesday[2]
