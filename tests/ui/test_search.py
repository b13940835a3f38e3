"""Search lists every matching line a reviewer wrote, grouped by session, and opens the note at
its line; esc from the note comes back to the results."""

from __future__ import annotations

import datetime as dt

from textual.widgets import Input, OptionList

from peerreview_tui.models import SessionStatus
from peerreview_tui.store import notes, week
from peerreview_tui.templates import note_template
from peerreview_tui.ui.screens.capture import CaptureScreen
from peerreview_tui.ui.screens.search import SearchScreen
from peerreview_tui.ui.widgets.note_editor import NoteEditor

from .conftest import SIZE, settle, wait_until


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
        # the session (day, time, title), then the line with its author; the template's lines of
        # enquiry hold no "threshol", and the new note starts from the template
        assert _shown(results) == [
            "Mon 10 Sep 13:30 Interview: LSCB Independent Chair",
            "  Priya Natarajan ! the threshold document is not used #practice",
        ]
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


def _shown(results: OptionList) -> list[str]:
    """Each option as read (runs of spaces as one; the headings are not indented, the lines are)."""
    shown = []
    for i in range(results.option_count):
        text = str(results.get_option_at_index(i).prompt)
        shown.append(("  " if text.startswith("  ") else "") + " ".join(text.split()))
    return shown


def _with_template(store, session_id: str, written: str) -> str:
    session = week.session(store, session_id)
    assert session is not None
    template = note_template(session, week.focus_areas(store), week.reviewers(store), dt.time(10, 47))
    return template + written


async def _search(pilot, query: str) -> OptionList:
    await pilot.press("f3", *query)
    results = pilot.app.screen.query_one("#results", OptionList)
    await wait_until(pilot, lambda: results.option_count > 0)
    return results


async def test_every_line_is_listed_by_session_and_the_template_is_left_out(store, app_factory) -> None:
    # "front door" is in a line of enquiry of the partnership area, which both templates list
    notes.save_note(
        store,
        "mon-1045-ce",
        "lead",
        _with_template(
            store, "mon-1045-ce", "+ the front door is well run\nbudget\n? who funds the front door\n"
        ),
    )
    notes.save_note(store, "mon-1045-ce", "manager", _with_template(store, "mon-1045-ce", "nothing yet\n"))
    notes.save_note(store, "tue-0900-mash", "officer2", "front door staff are experienced")
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        results = await _search(pilot, "front door")
        assert _shown(results) == [
            "Mon 10 Sep 10:45 Interview: Chief Executive",
            "  Helen Marchbank + the front door is well run",
            "  Helen Marchbank ? who funds the front door",
            "Tue 11 Sep 09:00 Site visit: Multi-Agency Safeguarding Hub (front door)",
            "  David Fenwick-Hale front door staff are experienced",
        ]
        summary = str(app.screen.query_one("#search-summary").content)
        assert summary.startswith("3 lines in 2 sessions")
        # the session headings cannot be chosen: down goes from the query to the first line
        await pilot.press("down")
        assert results.has_focus and results.highlighted == 1


async def test_esc_from_an_opened_result_returns_to_the_results(store, app_factory) -> None:
    notes.save_note(store, "mon-1045-ce", "lead", "+ supervision is regular\n- supervision is thin")
    notes.save_note(store, "thu-1330-dcs", "lead", "supervision again")
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        results = await _search(pilot, "supervision")
        await pilot.press("down", "down")  # the second line
        chosen = results.highlighted_option
        assert chosen is not None and "supervision is thin" in str(chosen.prompt)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, CaptureScreen))
        editor = app.screen.query_one(NoteEditor)
        assert editor.document.get_line(editor.cursor_location[0]) == "- supervision is thin"
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, SearchScreen))
        await settle(pilot)
        assert app.screen.query_one("#query", Input).value == "supervision"
        results = app.screen.query_one("#results", OptionList)
        assert results.has_focus
        assert results.highlighted_option is not None
        assert "supervision is thin" in str(results.highlighted_option.prompt)
        # and on from there: the next line opens
        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, CaptureScreen))
        assert app.screen.session_id == "thu-1330-dcs"
        # a note opened from the schedule still goes back to the schedule
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, SearchScreen))
        await pilot.press("escape")
        await pilot.pause()
        assert app.current_mode == "schedule"
