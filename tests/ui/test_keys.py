"""Every key lands: keys typed in one burst (as a terminal delivers them) reach the field that the
key before them opened, and quitting or leaving saves every key typed before it."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
from textual import events
from textual.containers import VerticalScroll
from textual.widgets import Input
from textual.widgets._footer import FooterKey

from peerreview_tui.store import notes, week
from peerreview_tui.ui.modals.document_form import DocumentFormModal
from peerreview_tui.ui.modals.export import ExportModal
from peerreview_tui.ui.modals.finding_form import FindingFormModal
from peerreview_tui.ui.modals.session_form import SessionFormModal
from peerreview_tui.ui.screens import schedule
from peerreview_tui.ui.screens.capture import CaptureScreen
from peerreview_tui.ui.screens.coverage import CoverageScreen
from peerreview_tui.ui.screens.exchange import ExchangeScreen
from peerreview_tui.ui.screens.findings import FindingsScreen
from peerreview_tui.ui.widgets.note_editor import NoteEditor

from .conftest import SIZE, make_app, settle, wait_until


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


def saved(store, session: str) -> str:
    note = notes.get_note(store, session, "officer1")
    return note.body if note else ""


async def _type_and_quit(app, words: str) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.focused, NoteEditor))
        burst(app, *words, "ctrl+q")
        await wait_until(pilot, lambda: not app.is_running)


# 20 trials in four tests of five, so that the test workers share them
@pytest.mark.parametrize("first", [0, 5, 10, 15])
async def test_text_typed_with_ctrl_q_in_one_burst_is_all_saved(store, app_factory, first: int) -> None:
    sessions = [s.id for s in week.sessions(store)][first : first + 5]
    assert len(sessions) == 5
    lost = []
    for trial, session in enumerate(sessions, start=first):  # a fresh app on a fresh note each time
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


async def test_keys_typed_as_the_app_opens_wait_for_the_day_they_chose(
    store, app_factory, monkeypatch
) -> None:
    """Only the day on show is read before the first frame: a day key typed before the other
    days are read holds the keys after it until its day is."""
    monkeypatch.setattr(schedule, "REST_OF_WEEK_AFTER", 60.0)  # read below, when the test says
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        tuesday = [s.id for s in week.sessions(store) if s.day.isoformat() == "2012-09-11"]
        burst(app, "2", "down", "enter", *"typed")
        await pilot.pause(0.3)
        screen = app.screen
        assert isinstance(screen, schedule.ScheduleScreen) and screen.awaiting_data()
        screen._load_rest_of_week(screen._generation, dt.date(2012, 9, 10))
        await wait_until(pilot, lambda: isinstance(app.screen, CaptureScreen))
        assert app.screen.session_id == tuesday[1]
        await wait_until(pilot, lambda: app.screen.query_one(NoteEditor).text.endswith("typed"))


async def _open_and_type(app, pilot, opening: list[str], text: str, form: type) -> None:
    burst(app, *opening, *text)
    await wait_until(pilot, lambda: isinstance(app.screen, form))
    await settle(pilot)


async def test_the_document_form_takes_what_is_typed_after_n(demo) -> None:
    app = make_app(demo, me="lead")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await wait_until(
            pilot, lambda: isinstance(app.screen, CoverageScreen) and app.screen.view is not None
        )
        # n opens the form; the "n" and "d" in the title would open another, and "t" and "g" tag
        await _open_and_type(app, pilot, ["n"], "Early help strategy and data", DocumentFormModal)
        assert app.screen.query_one("#title", Input).value == "Early help strategy and data"


async def test_the_finding_form_takes_what_is_typed_after_n(demo) -> None:
    app = make_app(demo, me="lead")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        await wait_until(pilot, lambda: isinstance(app.screen, FindingsScreen))
        await settle(pilot)
        await _open_and_type(app, pilot, ["n"], "Audits drive change", FindingFormModal)
        assert app.screen.query_one("#title", Input).value == "Audits drive change"


async def test_the_export_form_opens_with_its_first_field_focused(demo) -> None:
    app = make_app(demo, me="lead")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await wait_until(
            pilot, lambda: isinstance(app.screen, CoverageScreen) and app.screen.view is not None
        )
        burst(app, "f6", "n", "g")  # keys for the coverage screen behind, were they to reach it
        await wait_until(pilot, lambda: isinstance(app.screen, ExportModal))
        await settle(pilot)
        assert isinstance(app.screen, ExportModal)
        assert app.focused is app.screen.query_one("#what")
        assert {"ctrl+s", "escape"} <= {key.key for key in app.screen.query(FooterKey)}


async def test_the_exchange_folder_takes_what_is_typed_after_f7(store, app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        burst(app, "f7", *"/stick")
        await wait_until(pilot, lambda: isinstance(app.screen, ExchangeScreen))
        await settle(pilot)
        folder = app.screen.query_one("#folder", Input)
        assert app.focused is folder
        assert folder.value.endswith("/stick")


async def test_a_refused_form_says_why_beside_the_field_in_view(store, app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await _open_and_type(app, pilot, ["a"], "Reality testing", SessionFormModal)
        form = app.screen
        assert form.query_one(VerticalScroll).scroll_y == 0  # the heading is in sight
        assert {"ctrl+s", "escape"} <= {key.key for key in form.query(FooterKey)}
        burst(app, "ctrl+s")
        await wait_until(pilot, lambda: "Start is not a time" in str(form.query_one("#error").render()))
        await settle(pilot)
        assert app.screen is form
        error, start = form.query_one("#error"), form.query_one("#start", Input)
        assert app.focused is start
        scroll = form.query_one(VerticalScroll)
        assert scroll.region.contains_region(error.region)  # in view, not below the visible part
        assert error.region.y == form.query_one("#times").region.bottom + 1  # under the field
        assert all(field.region.height == 3 for field in form.query(Input))
        burst(app, *"14:00", "tab", *"13:00", "ctrl+s")
        await wait_until(pilot, lambda: "End must be after start" in str(form.query_one("#error").render()))


@pytest.mark.parametrize("first", [0, 5])
async def test_text_typed_with_escape_or_a_mode_key_in_one_burst_is_all_saved(
    store, app_factory, first: int
) -> None:
    sessions = [s.id for s in week.sessions(store)][first : first + 5]
    lost = []
    for trial, (session, leave) in enumerate(
        zip(sessions, ["escape", "f2", "f3", "f4", "f5"], strict=True), start=first
    ):
        app = app_factory(session=session)
        words = f"trial {trial}: left with {leave}"
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: isinstance(app.focused, NoteEditor))  # noqa: B023
            burst(app, *words, leave)
            await wait_until(pilot, lambda: not isinstance(app.screen, CaptureScreen) or leave == "f2")  # noqa: B023
            await settle(pilot)
            if leave == "f2":  # the schedule's own key: the note stays open, and saves by itself
                await wait_until(pilot, lambda: saved(store, session).endswith(words))  # noqa: B023
        note = notes.get_note(store, session, "officer1")
        if note is None or not note.body.endswith(words):
            lost.append((trial, leave, note.body[-40:] if note else None))
    assert lost == []


async def test_typing_right_after_enter_on_a_session_goes_into_its_note(store, app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        burst(app, "enter", *"typed at once")
        await wait_until(pilot, lambda: isinstance(app.screen, CaptureScreen))
        # keys still queued on a loaded machine land after the screen shows: wait for them (a
        # key lost never lands, and this fails after the timeout)
        await wait_until(pilot, lambda: app.screen.query_one(NoteEditor).text.endswith("typed at once"))
