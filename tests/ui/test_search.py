"""Search finds a typed word and opens the note at its line."""

from __future__ import annotations

from peerreview_tui.models import SessionStatus
from peerreview_tui.store import notes, week
from peerreview_tui.ui.screens.capture import CaptureScreen
from peerreview_tui.ui.widgets.note_editor import NoteEditor

from .conftest import SIZE, wait_until


async def test_search_finds_a_typed_word_and_opens_the_note_at_it(store, app_factory) -> None:
    app = app_factory(session="mon-1330-lscb")
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter", *"! the threshold document is not used #practice")
        await pilot.press("f3")
        await pilot.pause()
        await pilot.press(*"threshol")
        results = app.screen.query_one("#results")
        await wait_until(pilot, lambda: results.option_count > 0)
        assert results.option_count == 1
        assert "Interview: LSCB Independent Chair" in str(results.get_option_at_index(0).prompt)
        await pilot.press("enter", "enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, CaptureScreen)
        editor = app.screen.query_one(NoteEditor)
        row = editor.cursor_location[0]
        assert "threshold document" in editor.document.get_line(row)


async def test_another_reviewers_note_opens_read_only(store, app_factory) -> None:
    notes.save_note(store, "mon-1045-ce", "lead", "+ the chief executive knows the front door well")
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3", *"front door")
        await wait_until(pilot, lambda: app.screen.query_one("#results").option_count > 0)
        await pilot.press("enter", "enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, CaptureScreen)
        assert app.screen.query_one(NoteEditor).read_only
        offered = {binding.action for _, binding, enabled, _ in app.active_bindings.values() if enabled}
        assert not {"timestamp", "save_now", "mark_done"} & offered  # not theirs: no keys for it
        await pilot.press(*"typed", "ctrl+g", "ctrl+t")
        await app.workers.wait_for_complete()
        assert "typed" not in app.screen.query_one(NoteEditor).text
    assert notes.get_note(store, "mon-1045-ce", "officer1") is None
    session = week.session(store, "mon-1045-ce")
    assert session is not None and session.status is SessionStatus.PLANNED
