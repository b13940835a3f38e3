"""Moving between sections: a screen shown again reads again only when the review has changed
(here, or in another program), its first showing reads once, and what it draws is cheap to draw."""

from __future__ import annotations

from textual.color import Color
from textual.css.stylesheet import Stylesheet

from peerreview_tui.models import FindingSection
from peerreview_tui.store import Store, findings, notes
from peerreview_tui.ui.screens.findings import FindingsScreen
from peerreview_tui.ui.screens.schedule import ScheduleScreen
from peerreview_tui.ui.widgets.session_detail import SessionDetail

from .conftest import SIZE, make_app, settle, wait_until


def _count_reads(monkeypatch) -> list[int]:
    reads = [0]
    list_findings = findings.list_findings

    def counted(*args, **kwargs):
        reads[0] += 1
        return list_findings(*args, **kwargs)

    monkeypatch.setattr(findings, "list_findings", counted)
    return reads


def _titles(screen: FindingsScreen) -> list[str]:
    return [view.finding.title for view in screen.views]


async def test_a_section_shown_again_with_nothing_changed_is_not_read_again(demo, monkeypatch) -> None:
    reads = _count_reads(monkeypatch)
    app = make_app(demo, me="lead")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        await wait_until(pilot, lambda: isinstance(app.screen, FindingsScreen) and app.screen.views)
        first = reads[0]
        assert first >= 1
        for key in ("f2", "f5", "f2", "f5"):
            await pilot.press(key)
            await settle(pilot)
        assert isinstance(app.screen, FindingsScreen)
        assert reads[0] == first


async def test_a_change_made_in_another_program_shows_when_the_section_is_shown_again(demo) -> None:
    app = make_app(demo, me="lead")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        await wait_until(pilot, lambda: isinstance(app.screen, FindingsScreen) and app.screen.views)
        screen = app.screen
        assert isinstance(screen, FindingsScreen)
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(app.screen, ScheduleScreen))
        with Store.open(demo.path) as other:  # `peerreview finding add` beside the app
            findings.create_finding(
                other,
                section=FindingSection.KEY_MESSAGE,
                focus_area_id=None,
                title="Added beside",
                actor="lead",
            )
        await pilot.press("f5")
        await wait_until(pilot, lambda: "Added beside" in _titles(screen))


async def test_the_wash_up_is_read_once_on_its_first_showing(demo, monkeypatch) -> None:
    """Its day picker setting its first value is not a change of day (it read the whole
    wash-up a second time when that came before the first read)."""
    from peerreview_tui.ui.screens import washup

    reads: list[int] = []
    week_reads: list[int] = []
    work_out, read_week = washup.washup_of, washup.read_washup_week

    def counted(read, number, **kwargs):
        reads.append(number)
        return work_out(read, number, **kwargs)

    def read_counted(store):
        week_reads.append(1)
        return read_week(store)

    monkeypatch.setattr(washup, "washup_of", counted)
    monkeypatch.setattr(washup, "read_washup_week", read_counted)
    app = make_app(demo, me="lead")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f8")
        await wait_until(pilot, lambda: isinstance(app.screen, washup.WashupScreen) and app.screen.view)
        await app.workers.wait_for_complete()
        await settle(pilot)
        assert reads == [1]
        await pilot.press("2")  # choosing another day works that day out from what was read
        await wait_until(pilot, lambda: reads == [1, 2])
        assert week_reads == [1]
        with Store.open(demo.path) as shell:  # `peerreview note add` in another terminal
            notes.append_to_note(shell, "mon-1045-ce", "lead", "? who audits the audits\n")
        await pilot.press("3")  # the review changed: the week is read again, with the new line
        await wait_until(pilot, lambda: reads == [1, 2, 3])
        assert week_reads == [1, 1]
        raised = [f.view.item.text for f in app.screen.view.washup.follow_ups]
        assert "who audits the audits" in raised


async def test_a_day_key_shows_the_new_days_first_session_with_one_update_of_the_detail(
    demo, monkeypatch
) -> None:
    """Each new text in the detail pane is wrapped and drawn again: the fill showed the session,
    then the table's cursor coming to its first row showed it a second time."""
    updates: list[str] = []
    set_lines = SessionDetail._set_lines

    def counted(self, width):  # type: ignore[no-untyped-def]
        updates.append(self.text.plain.split("\n")[0])
        return set_lines(self, width)

    monkeypatch.setattr(SessionDetail, "_set_lines", counted)
    app = make_app(demo, me="lead")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ScheduleScreen)
        updates.clear()
        await pilot.press("2")
        await settle(pilot)
        first = screen.view.sessions[0].title if screen.view else None
        assert updates == [first]
        await pilot.press("down")  # another session: shown, once
        await settle(pilot)
        assert updates == [first, screen.selected_session.title]


async def test_a_day_key_lays_the_schedule_out_once(demo, monkeypatch) -> None:
    """A layout, then a frame, for each change of size found in it: the header's title naming
    the day, and the detail pane's new height found in the layout, each asked for another."""
    layouts: list[int] = []
    refresh_layout = ScheduleScreen._refresh_layout

    def counted(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        layouts.append(1)
        return refresh_layout(self, *args, **kwargs)

    monkeypatch.setattr(ScheduleScreen, "_refresh_layout", counted)
    app = make_app(demo, me="lead")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for day in "2312":
            layouts.clear()
            await pilot.press(day)
            await settle(pilot)
            assert len(layouts) == 1, day


async def test_sections_are_shown_without_parsing_the_stylesheets_again(demo, monkeypatch) -> None:
    """Textual took each section's screen, when first shown, for one styled before a change of
    theme, and parsed every stylesheet of the app again, twice: ~40-130 ms a first visit."""
    parsed: list[int] = []
    reparse = Stylesheet.reparse

    def counted(self):  # type: ignore[no-untyped-def]
        parsed.append(1)
        return reparse(self)

    monkeypatch.setattr(Stylesheet, "reparse", counted)
    app = make_app(demo, me="lead")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        parsed.clear()
        for key in ("f3", "f4", "f5", "f7", "f8", "f2", "f3", "f8"):
            await pilot.press(key)
            await settle(pilot)
        assert parsed == []


async def test_a_section_shown_again_after_the_theme_changed_is_in_the_new_theme(demo) -> None:
    app = make_app(demo, me="lead")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await settle(pilot)
        dark = app.screen.styles.background
        await pilot.press("f2")
        await settle(pilot)
        app.theme = "textual-light"
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        assert app.screen.styles.background != dark
        assert app.screen.styles.background == Color.parse(app.get_css_variables()["background"])
