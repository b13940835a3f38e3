"""The schedule: days as tabs, only-mine, on-site changes and their clash warnings."""

from __future__ import annotations

import datetime as dt

from peerreview_tui.models import SessionStatus
from peerreview_tui.store import notes, week
from peerreview_tui.ui.modals.choice import ChoiceModal
from peerreview_tui.ui.modals.confirm import ConfirmModal
from peerreview_tui.ui.modals.session_form import SessionFormModal
from peerreview_tui.ui.screens.capture import CaptureScreen
from peerreview_tui.ui.screens.schedule import ScheduleScreen
from peerreview_tui.ui.widgets.session_detail import SessionDetail

from .conftest import SIZE, settle


def _rows(app) -> list[str]:
    table = app.screen.query_one("#sessions")
    return table.row_keys


async def _ready(app, pilot) -> None:
    await settle(pilot)


async def test_opens_on_the_first_day_with_its_sessions_in_time_order(store, app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _ready(app, pilot)
        assert app.screen.query_one("#days").active == "day-2012-09-10"
        rows = _rows(app)
        assert rows[0] == "mon-0830-setup" and len(rows) == 10
        bar = app.screen.query_one("#days")
        assert " Mon 10 Sep " in str(bar.render().renderables[0])  # the day's tab, at 120 columns


async def test_number_keys_and_brackets_change_the_day(store, app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _ready(app, pilot)
        await pilot.press("3")
        await pilot.pause()
        assert all(r.startswith("wed-") for r in _rows(app))
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert all(r.startswith("thu-") for r in _rows(app))


async def test_only_mine_hides_other_reviewers_sessions(store, app_factory) -> None:
    app = app_factory(me="health")
    async with app.run_test(size=SIZE) as pilot:
        await _ready(app, pilot)
        everyone = _rows(app)
        await pilot.press("m")
        await pilot.pause()
        mine = _rows(app)
        assert 0 < len(mine) < len(everyone)
        assert all("health" in week.session(store, s).reviewers for s in mine)
        assert "only my sessions" in app.screen.sub_title


async def test_detail_pane_shows_participants_focus_areas_and_lines_of_enquiry(store, app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _ready(app, pilot)
        table = app.screen.query_one("#sessions")
        table.move_cursor(row=table.get_row_index("mon-1400-swfg"))
        await pilot.pause()
        detail = app.screen.query_one("#detail", SessionDetail).text.plain
        assert "  • 5 × Social worker" in detail  # wrapped to the pane, lined up after the bullet
        assert "5 × Social worker (assessment teams)" in " ".join(detail.split())
        assert "#practice" in detail and "Lines of enquiry to probe" in detail


async def test_a_clash_made_on_site_is_a_warning_on_both_sessions(store, app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _ready(app, pilot)
        await pilot.press("a")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, SessionFormModal)
        form.query_one("#title").value = "Reality testing: MASH decisions"
        form.query_one("#start").value = "14:15"
        form.query_one("#end").value = "15:00"
        form.query_one("#location").value = "Northgate House, Meeting room B"
        await pilot.press("ctrl+s")
        await _ready(app, pilot)
        added = next(s for s in week.sessions(store, dt.date(2012, 9, 10)) if s.origin.value == "onsite")
        assert added.reviewers == ["officer1"]
        table = app.screen.query_one("#sessions")
        assert table.cell(added.id, "mark") == "⚠"
        assert table.cell("mon-1400-swfg", "mark") == "⚠"  # the room is booked twice
        table.move_cursor(row=table.get_row_index(added.id))
        await pilot.pause()
        detail = app.screen.query_one("#detail", SessionDetail).text.plain
        # sessions by day, time and title, never by id
        assert (
            "room 'Northgate House, Meeting room B' is booked in both "
            "Monday 14:00 Focus group: social workers and Monday 14:15 Reality testing: MASH decisions"
        ) in detail
        assert "mon-1400-swfg" not in detail and added.id not in detail
        # once done, the session is done: the clash no longer matters for it, only for the other
        week.set_session_status(store, "mon-1400-swfg", SessionStatus.DONE, "lead")
        app.screen.reload()
        await _ready(app, pilot)
        assert table.cell("mon-1400-swfg", "mark") == "✓"
        assert table.cell(added.id, "mark") == "⚠"


async def test_every_column_fits_at_100_and_160_columns_and_times_and_initials_are_whole(
    store, app_factory
) -> None:
    for size in [(100, 30), (160, 48)]:
        app = app_factory()
        async with app.run_test(size=size) as pilot:
            await _ready(app, pilot)
            table = app.screen.query_one("#sessions")
            keys = [column.key for column in table.columns]
            assert {"time", "title", "where", "reviewers"} <= set(keys)
            assert ("kind" in keys) == (size[0] >= 160)  # narrow: the kind is in the detail pane
            assert sum(column.render_width for column in table.columns) <= table.size.width
            for row in table.row_keys:
                assert "…" not in table.cell(row, "time") + table.cell(row, "reviewers")
            titles = [table.cell(row, "title") for row in table.row_keys]
            assert "Interview: Chief Executive" in titles  # titles get the room


async def test_a_row_marked_as_begun_says_so_in_the_detail(store, app_factory) -> None:
    notes.save_note(store, "mon-1045-ce", "officer1", "+ a start")
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _ready(app, pilot)
        table = app.screen.query_one("#sessions")
        table.move_cursor(row=table.get_row_index("mon-1045-ce"))
        await pilot.pause()
        assert table.cell("mon-1045-ce", "mark") == "✎"
        detail = app.screen.query_one("#detail", SessionDetail).text.plain
        assert "✎ notes begun" in detail and "· planned" not in detail


async def test_the_form_refuses_an_end_before_the_start(store, app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _ready(app, pilot)
        await pilot.press("a")
        await pilot.pause()
        form = app.screen
        form.query_one("#title").value = "Backwards"
        form.query_one("#start").value = "15:00"
        form.query_one("#end").value = "14:00"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form
        assert "End must be after start" in str(form.query_one("#error").render())


async def test_moving_a_session_swaps_its_reviewers(store, app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _ready(app, pilot)
        table = app.screen.query_one("#sessions")
        table.move_cursor(row=table.get_row_index("mon-1445-hos-comm"))
        await pilot.press("e")
        await pilot.pause()
        form = app.screen
        form.query_one("#start").value = "15:00"
        form.query_one("#end").value = "16:00"
        reviewers = form.query_one("#reviewers")
        reviewers.deselect_all()
        reviewers.select("health")
        await pilot.press("ctrl+s")
        await _ready(app, pilot)
    moved = week.session(store, "mon-1445-hos-comm")
    assert (moved.start_time, moved.reviewers, moved.updated_by) == ("15:00", ["health"], "officer1")


async def test_cancelling_asks_first_and_keeps_the_notes(store, app_factory) -> None:
    notes.save_note(store, "mon-1330-lscb", "officer1", "+ chair is independent")
    app = app_factory(me="health")  # booked for the session, so theirs to cancel
    async with app.run_test(size=SIZE) as pilot:
        await _ready(app, pilot)
        table = app.screen.query_one("#sessions")
        table.move_cursor(row=table.get_row_index("mon-1330-lscb"))
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("n")
        await pilot.pause()
        assert week.session(store, "mon-1330-lscb").status is SessionStatus.PLANNED
        await pilot.press("x", "y")
        await _ready(app, pilot)
        assert week.session(store, "mon-1330-lscb").status is SessionStatus.CANCELLED
        assert app.screen.query_one("#sessions").cell("mon-1330-lscb", "mark") == "✗"
    assert notes.get_note(store, "mon-1330-lscb", "officer1").body == "+ chair is independent"


async def test_d_marks_a_session_done(store, app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _ready(app, pilot)
        await pilot.press("d")
        await _ready(app, pilot)
        assert app.screen.query_one("#sessions").cell("mon-0830-setup", "mark") == "✓"
    assert week.session(store, "mon-0830-setup").status is SessionStatus.DONE


async def test_an_unknown_reviewer_is_asked_who_they_are_once(store, app_factory) -> None:
    app = app_factory(me=None)
    async with app.run_test(size=SIZE) as pilot:
        await _ready(app, pilot)
        assert isinstance(app.screen, ChoiceModal)
        await pilot.press("down", "enter")
        await _ready(app, pilot)
        assert isinstance(app.screen, ScheduleScreen)
        assert app.context.me == "member"
    assert store.get_meta("me") == "member"


async def test_session_option_opens_capture_directly(store, app_factory) -> None:
    app = app_factory(session="mon-1330-lscb")
    async with app.run_test(size=SIZE) as pilot:
        await _ready(app, pilot)
        assert isinstance(app.screen, CaptureScreen)


async def test_f1_shows_the_marks_and_keys(store, app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _ready(app, pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpModal"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ScheduleScreen)


async def test_the_theme_is_remembered(store, app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _ready(app, pilot)
        app.theme = "nord"
        await _ready(app, pilot)
    assert store.get_meta("theme") == "nord"
    again = app_factory()
    async with again.run_test(size=SIZE) as pilot:
        await _ready(again, pilot)
        assert again.theme == "nord"


async def test_keys_can_be_remapped_by_binding_id(store) -> None:
    from .conftest import make_app

    app = make_app(store)
    app.set_keymap({"schedule.mine": "o"})
    async with app.run_test(size=SIZE) as pilot:
        await _ready(app, pilot)
        await pilot.press("o")
        await pilot.pause()
        assert app.screen.only_mine


async def test_done_and_cancel_are_offered_only_on_ones_own_sessions(store, app_factory) -> None:
    app = app_factory()  # officer1: not booked for the LSCB chair's interview
    async with app.run_test(size=SIZE) as pilot:
        await _ready(app, pilot)
        table = app.screen.query_one("#sessions")
        table.move_cursor(row=table.get_row_index("mon-1330-lscb"))
        await pilot.pause()
        offered = {binding.action for _, binding, enabled, _ in app.active_bindings.values() if enabled}
        assert not {"toggle_done", "cancel_session"} & offered
        await pilot.press("d", "x")
        await _ready(app, pilot)
        assert week.session(store, "mon-1330-lscb").status is SessionStatus.PLANNED
        table.move_cursor(row=table.get_row_index("mon-1330-hos-sg"))  # officer1's own
        await pilot.pause()
        offered = {binding.action for _, binding, enabled, _ in app.active_bindings.values() if enabled}
        assert {"toggle_done", "cancel_session"} <= offered
