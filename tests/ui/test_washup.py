"""The wash-up screen (f8) on the demo week, and tying a line of enquiry while typing a note."""

from __future__ import annotations

from textual.widgets import OptionList, Static

from peerreview_tui.evidence import complete_tag
from peerreview_tui.store import follow_ups, notes
from peerreview_tui.store.evidence_items import list_evidence
from peerreview_tui.ui.modals.choice import ChoiceModal
from peerreview_tui.ui.screens.capture import CaptureScreen
from peerreview_tui.ui.screens.washup import WashupScreen
from peerreview_tui.ui.widgets.note_editor import NoteEditor

from .conftest import SIZE, make_app, wait_until

FOCUS_GROUP = "mon-1400-swfg"
TUESDAY = "2012-09-11"


async def _open_washup(app, pilot, day: str = TUESDAY) -> WashupScreen:
    await pilot.press("f8")
    await wait_until(pilot, lambda: isinstance(app.screen, WashupScreen) and app.screen.view is not None)
    screen = app.screen
    screen.query_one("#day").value = day
    await wait_until(pilot, lambda: screen.view.washup.day.id.isoformat() == day)
    return screen


def _options(screen, listing: str) -> list[str]:
    found = screen.query_one(listing, OptionList)
    return [str(found.get_option_at_index(n).prompt) for n in range(found.option_count)]


async def test_day_two_lists_the_untested_lines_with_sessions_that_can_test_them(demo) -> None:
    app = make_app(demo, me="lead")
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_washup(app, pilot)
        lines = _options(screen, "#lines")
        assert lines[0].startswith("✗ commissioning.4") and "no evidence" in lines[0]
        assert lines[1].startswith("½ early-help.2")
        assert any(line.startswith("✓ practice.1") for line in lines)
        summary = str(screen.query_one("#summary").render())
        assert "6 of 17 lines untested" in summary and "5 follow-ups open" in summary
        screen.query_one("#lines", OptionList).highlighted = 1  # early-help.2
        await pilot.pause()
        detail = str(screen.query_one("#detail", Static).render())
        assert "Could be tested in:" in detail
        assert (
            "Wed 12 Sep 09:00 Site visit: Riverside Children's Centre (Councillor Brian Oakes, David Fenwick-Hale)"
            in detail
        )
        follow = _options(screen, "#follow-ups")
        assert any("Councillor Brian Oakes" in f and "re-modelling savings" in f for f in follow)
        assert any("not handed out" in f and "dental checks" in f for f in follow)


async def test_enter_lists_the_evidence_behind_a_line_and_opens_its_note(demo) -> None:
    app = make_app(demo, me="lead")
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_washup(app, pilot)
        screen.query_one("#lines", OptionList).highlighted = 1  # early-help.2: four items, all interviews
        await pilot.pause()
        evidence = _options(screen, "#evidence")
        assert len(evidence) == 4
        assert any("re-modelling has made" in item for item in evidence)
        await pilot.press("enter")
        assert screen.focused is screen.query_one("#evidence")
        listing = screen.query_one("#evidence", OptionList)
        first = screen.view.evidence[listing.get_option_at_index(0).id]
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, CaptureScreen))
        assert app.screen.session_id == first.item.session_id
        assert app.screen.author_id == first.item.author_id


def _dental_question(store) -> str:  # type: ignore[no-untyped-def]
    """The demo's open follow-up about health and dental checks."""
    return next(v.item.id for v in list_evidence(store) if v.item.text.startswith("Health and dental checks"))


async def _open_on_follow_up(app, pilot, question: str):  # type: ignore[no-untyped-def]
    """The wash-up, with the follow-up ``question`` highlighted in its list, which has the focus."""
    screen = await _open_washup(app, pilot)
    listing = screen.query_one("#follow-ups", OptionList)
    listing.focus()
    listing.highlighted = next(
        n for n in range(listing.option_count) if listing.get_option_at_index(n).id == question
    )
    return screen


async def test_the_lead_hands_out_a_follow_up_and_its_owner_closes_it(demo) -> None:
    question = _dental_question(demo)
    app = make_app(demo, me="lead")
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_on_follow_up(app, pilot, question)
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceModal))
        choices = app.screen.query_one("#choices", OptionList)
        choices.highlighted = next(
            n for n in range(choices.option_count) if choices.get_option_at_index(n).id == "health"
        )
        await pilot.press("enter")
        await wait_until(
            pilot, lambda: isinstance(app.screen, ChoiceModal) and "later session" in str(app.screen.prompt)
        )
        sessions = app.screen.query_one("#choices", OptionList)
        assert str(sessions.get_option_at_index(0).prompt).startswith(
            "Wed 12 Sep"
        )  # later than Tuesday 09:00
        sessions.highlighted = 0
        await pilot.press("enter")
        await wait_until(
            pilot,
            lambda: (f := follow_ups.get_follow_up(demo, question)) is not None and f.owner_id == "health",
        )
        await wait_until(
            pilot, lambda: any("Angela Osei" in f and "dental" in f for f in _options(screen, "#follow-ups"))
        )
    state = follow_ups.get_follow_up(demo, question)
    assert state is not None and state.session_day is not None and state.session_day.isoformat() > TUESDAY

    app = make_app(demo, me="health")  # the owner closes it, with the evidence that answered it
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_on_follow_up(app, pilot, question)
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceModal))
        choices = app.screen.query_one("#choices", OptionList)
        choices.highlighted = 1  # the first item after the question
        answer = choices.get_option_at_index(1).id
        await pilot.press("enter")
        await wait_until(pilot, lambda: not follow_ups.get_follow_up(demo, question).is_open)
        await wait_until(pilot, lambda: not any("dental" in f for f in _options(screen, "#follow-ups")))
    assert follow_ups.get_follow_up(demo, question).answer_id == answer


async def test_keys_typed_with_c_go_to_the_list_of_answers_read_after_it(demo) -> None:
    """The answers are read when `c` is pressed: the keys typed with it wait for their list."""
    from .test_keys import burst

    question = _dental_question(demo)
    app = make_app(demo, me="lead")
    async with app.run_test(size=SIZE) as pilot:
        await _open_on_follow_up(app, pilot, question)
        await pilot.pause()
        burst(app, "c", "down", "enter")  # the first answer after "No answer to link"
        await wait_until(pilot, lambda: not follow_ups.get_follow_up(demo, question).is_open)
    state = follow_ups.get_follow_up(demo, question)
    assert state.answer_id is not None and state.answer_id != question


async def test_someone_else_may_not_hand_out_or_close_a_follow_up(demo) -> None:
    question = _dental_question(demo)
    app = make_app(demo, me="member")  # neither raised it nor leads
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_on_follow_up(app, pilot, question)
        await pilot.pause()
        assert screen.check_action("assign", ()) is None and screen.check_action("close", ()) is None
        await pilot.press("a", "c")
        await pilot.pause()
        assert isinstance(app.screen, WashupScreen)
    assert follow_ups.get_follow_up(demo, question).owner_id is None


async def test_tab_completes_a_line_of_enquiry_and_shows_its_question(store, app_factory) -> None:
    app = app_factory(session=FOCUS_GROUP)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter", *"+ supervision monthly #practice.")
        editor = app.screen.query_one(NoteEditor)
        offered = complete_tag(editor._partial() or "", editor.tags)
        assert offered == [f"practice.{n}" for n in range(1, 6)]
        hint = app.screen._hint(offered)  # what the line under the note shows while the cursor is there
        assert "#practice.1 How well do" in hint and "#practice.3 How effective" in hint
        await pilot.press("3")
        offered = complete_tag(editor._partial() or "", editor.tags)
        assert app.screen._hint(offered) == (
            "tab completes: #practice.3 How effective are supervision and management oversight of casework?"
        )
        await wait_until(pilot, lambda: not app.screen.dirty)  # saved: the hint stays while in the tag
        assert "#practice.3 How effective" in str(app.screen.query_one("#save-state", Static).render())
        await pilot.press("tab", *"ok")
        assert app.screen.query_one(NoteEditor).text.endswith("+ supervision monthly #practice.3 ok")
        await pilot.press("ctrl+q")
        await pilot.pause()
    item = next(v.item for v in list_evidence(store, author="officer1"))
    assert item.lines_of_enquiry == ["practice.3"] and item.focus_areas == ["practice"]
    assert item.text == "supervision monthly ok"
    assert notes.get_note(store, FOCUS_GROUP, "officer1") is not None


async def test_coverage_shows_lines_of_enquiry_and_ties_an_item_to_one(demo) -> None:
    from peerreview_tui.ui.screens.coverage import CoverageScreen

    app = make_app(demo, me="member")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await wait_until(
            pilot, lambda: isinstance(app.screen, CoverageScreen) and app.screen.view is not None
        )
        screen = app.screen
        await pilot.press("v")
        await wait_until(
            pilot, lambda: screen.view is not None and screen.view.coverage.areas[0] == "practice.1"
        )
        table = screen.query_one("#matrix")
        assert str(table.get_cell("practice.1", "area")).startswith("practice.1 How well do")
        assert str(table.get_cell("commissioning.4", "focus_group")) == "0+ 1- 0?!"  # one session: thin
        # the untied row: an item tied to no line, tied now to commissioning.4
        table.cursor_coordinate = (table.get_row_index("(untagged)"), 0)
        await pilot.press("enter")
        items = screen.query_one("#items")
        await wait_until(pilot, lambda: items.option_count > 0)
        item = screen.view.items[0].item
        assert item.lines_of_enquiry == []
        await pilot.press("l")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceModal))
        choices = app.screen.query_one("#choices", OptionList)
        choices.highlighted = next(
            n for n in range(choices.option_count) if choices.get_option_at_index(n).id == "commissioning.4"
        )
        await pilot.press("enter")
        await wait_until(
            pilot,
            lambda: (
                "commissioning.4"
                in next(v for v in list_evidence(demo) if v.item.id == item.id).item.lines_of_enquiry
            ),
        )
    tied = next(v for v in list_evidence(demo) if v.item.id == item.id).item
    assert "commissioning" in tied.focus_areas  # tying tags the focus area too


async def test_findings_show_which_lines_of_enquiry_each_area_rests_on(demo) -> None:
    from textual.widgets import OptionList

    from peerreview_tui.ui.screens.findings import FindingsScreen

    app = make_app(demo, me="lead")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        await wait_until(pilot, lambda: isinstance(app.screen, FindingsScreen) and app.screen.views)
        screen = app.screen
        listing = screen.query_one("#findings", OptionList)
        listing.highlighted = listing.get_option_index("group:strength:practice")
        await wait_until(pilot, lambda: screen.group_area == "practice")
        text = str(screen.query_one("#finding-detail", Static).render())
        assert "Lines of enquiry its findings rest on" in text
        assert "practice.3 How effective are supervision" in text
        rested = [
            line
            for line in ("practice.1", "practice.2", "practice.3", "practice.4", "practice.5")
            if f"✓ {line}" in text
        ]
        assert rested, text


async def test_day_keys_choose_the_day_as_on_the_schedule(demo) -> None:
    from peerreview_tui.ui.modals.help import help_markdown
    from peerreview_tui.washup import compute_washup

    wednesday = compute_washup(demo, 3)

    app = make_app(demo, me="lead")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f8", "3", "down", "down")  # one burst, as typed
        await wait_until(pilot, lambda: isinstance(app.screen, WashupScreen) and app.screen.view is not None)
        screen = app.screen
        assert screen.view.washup.day.id.isoformat() == "2012-09-12"
        assert str(screen.query_one("#day #label").render()).startswith("3  Wed")
        summary = str(screen.query_one("#summary").render())
        assert summary.startswith(f"{len(wednesday.untested)} of {len(wednesday.lines)} lines untested")
        lines = screen.query_one("#lines", OptionList)
        assert lines.highlighted == 2  # the downs moved on Wednesday's lines
        assert str(screen.query_one("#detail-title").render()).startswith(lines.get_option_at_index(2).id)
        await pilot.press("1")
        await wait_until(pilot, lambda: screen.view.washup.day.id.isoformat() == "2012-09-10")
        await pilot.press("]", "]")
        await wait_until(pilot, lambda: screen.view.washup.day.id.isoformat() == "2012-09-12")
        await pilot.press("9")  # no ninth day: nothing changes
        await pilot.pause()
        assert screen.view.washup.day.id.isoformat() == "2012-09-12"
        help_text = help_markdown(screen)
    assert "| `1` `2` `3` `4` `5` `6` `7` | Day of the week | washup.day1 |" in help_text


async def test_every_follow_up_is_read_whole_at_100_columns(demo) -> None:
    app = make_app(demo, me="lead")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _open_washup(app, pilot, day="2012-09-12")
        listing = screen.query_one("#follow-ups", OptionList)
        listing.focus()
        seen = []
        for index in range(listing.option_count):  # each comes into sight as the cursor reaches it
            listing.highlighted = index
            await pilot.pause()
            region = listing.scrollable_content_region  # not its scroll bar
            strips = app.screen._compositor.render_strips()[region.y : region.bottom]
            seen.append(" ".join(" ".join(s.text[region.x : region.right].split()) for s in strips))
        shown = "\n".join(seen)
        header = app.screen._compositor.render_strips()[0].text
        assert screen.sub_title in header, header  # the screen's title is whole too
        for follow_up in screen.view.washup.follow_ups:
            assert follow_up.view.item.text in shown
            if follow_up.session_label:
                assert f"{follow_up.owner_name} · {follow_up.session_label}" in shown, follow_up.session_label
