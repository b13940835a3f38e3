"""Typing a note: it is saved by itself, survives leaving and quitting, and a failed save keeps it."""

from __future__ import annotations

import pytest

from peerreview_tui.models import SessionStatus
from peerreview_tui.store import Store, StoreError, notes, week
from peerreview_tui.store.evidence_items import list_evidence
from peerreview_tui.store.tagging import tag_evidence
from peerreview_tui.ui.modals.help import help_markdown
from peerreview_tui.ui.screens.capture import CaptureScreen
from peerreview_tui.ui.screens.schedule import ScheduleScreen
from peerreview_tui.ui.widgets.note_editor import NoteEditor

from .conftest import SIZE, wait_until

FOCUS_GROUP = "mon-1400-swfg"  # officer2 and member book it; officer1 may write a note there too


async def _wait_for_autosave(pilot) -> None:
    """Until the editor's revision is written, or a write has failed."""
    await wait_until(pilot, lambda: not pilot.app.screen.dirty or pilot.app.screen._failure)


def _body(store, session=FOCUS_GROUP, author="officer1") -> str | None:
    note = notes.get_note(store, session, author)
    return note.body if note else None


async def test_enter_on_a_session_opens_a_note_from_its_template(store, app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#sessions")
        table.move_cursor(row=table.get_row_index(FOCUS_GROUP))
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CaptureScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = app.screen.query_one(NoteEditor).text
        assert "Focus group: social workers" in text
        assert "Started [14:05]" in text
        assert "5 × Social worker" in text  # attendees by role, never by name
    assert _body(store) is None  # nothing is written until the reviewer types


async def test_typed_text_is_saved_within_a_second_and_is_there_on_reopening(store, app_factory) -> None:
    app = app_factory(session=FOCUS_GROUP)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press(*"+ supervision is weekly #practice")
        await _wait_for_autosave(pilot)
        assert "+ supervision is weekly #practice" in _body(store)
        assert "saved 14:05:00" in str(app.screen.query_one("#save-state").render())
    again = app_factory(session=FOCUS_GROUP)
    async with again.run_test(size=SIZE) as pilot:
        await again.workers.wait_for_complete()
        await pilot.pause()
        assert "+ supervision is weekly #practice" in again.screen.query_one(NoteEditor).text


async def test_marks_are_grouped_by_focus_area_as_you_type(store, app_factory) -> None:
    app = app_factory(session=FOCUS_GROUP)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter", *"- caseloads are high #partnership", "enter", *"? check audit #nope")
        await wait_until(pilot, lambda: "#nope" in str(app.screen.query_one("#marks").render()))
        panel = str(app.screen.query_one("#marks").render())
        assert "Partnership work" in panel and "caseloads are high" in panel
        assert "Unknown tags: #nope" in panel


async def test_tab_completes_a_focus_area_tag(store, app_factory) -> None:
    app = app_factory(session=FOCUS_GROUP)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter", *"+ joint visits #partn", "tab", *"ok")
        assert app.screen.query_one(NoteEditor).text.endswith("+ joint visits #partnership ok")


async def test_ctrl_t_inserts_the_time(store, app_factory) -> None:
    app = app_factory(session=FOCUS_GROUP)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter", "ctrl+t", *"arrived")
        assert app.screen.query_one(NoteEditor).text.endswith("[14:05] arrived")


async def test_ctrl_home_and_ctrl_end_go_to_the_start_and_end_of_the_note(store, app_factory) -> None:
    app = app_factory(session=FOCUS_GROUP)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        editor = app.screen.query_one(NoteEditor)
        end = editor.document.end
        assert editor.cursor_location == end  # a note opens at its end, ready to type
        await pilot.press("ctrl+home")
        assert editor.cursor_location == (0, 0)
        await pilot.press(*"Top: ")
        assert editor.text.startswith("Top: Focus group")
        await pilot.press("ctrl+end", *" bottom")
        assert editor.text.endswith(" bottom") and editor.cursor_location == editor.document.end
        await pilot.press("ctrl+shift+home")
        assert editor.selected_text == editor.text


async def test_attendance_ticked_in_the_panel_is_in_the_notes_export(store, app_factory) -> None:
    from click.testing import CliRunner

    from peerreview_tui.cli import main

    app = app_factory(session=FOCUS_GROUP)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        # tab to the attendance list, untick the first person, then add someone unplanned
        await pilot.press(*"+ supervision is weekly", "tab", "tab", "space", "tab")
        await pilot.press(*"Advanced practitioner, Northborough Borough Council", "enter", "escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ScheduleScreen))
    exported = CliRunner().invoke(main, ["export", "notes", "--db", str(store.path)]).output
    section = exported[exported.index("Focus group: social workers") :]
    attended = section[section.index("*Attended*") : section.index("```text")]
    assert "- Advanced practitioner, Northborough Borough Council (not on the schedule)" in attended
    assert "*Expected but not there*\n\n- 5 × Social worker" in attended


async def test_quitting_straight_after_typing_keeps_the_text(store, app_factory) -> None:
    app = app_factory(session=FOCUS_GROUP)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press(*"last words")
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert _body(store).endswith("last words")


async def test_leaving_with_escape_saves_and_returns_to_the_schedule(store, app_factory) -> None:
    app = app_factory(session=FOCUS_GROUP)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press(*"quick", "escape")
        await pilot.pause()
        assert isinstance(app.screen, ScheduleScreen)
        assert _body(store).endswith("quick")
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one("#sessions")
        assert table.cell(FOCUS_GROUP, "mark") == "✎"


async def test_a_failing_save_keeps_the_text_warns_and_retries(store, app_factory, monkeypatch) -> None:
    real_save = notes.save_note_since
    disk = {"full": True}

    def flaky(*args, **kwargs):
        if disk["full"]:
            raise StoreError("the disk is full; free some space")
        return real_save(*args, **kwargs)

    monkeypatch.setattr(notes, "save_note_since", flaky)
    monkeypatch.setattr("peerreview_tui.ui.screens.capture.RETRY_DELAY", 1.0)
    app = app_factory(session=FOCUS_GROUP)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press(*"precious")
        await _wait_for_autosave(pilot)
        state = str(app.screen.query_one("#save-state").render())
        assert "NOT SAVED" in state and "disk is full" in state
        assert app.screen.query_one(NoteEditor).text.endswith("precious")
        assert _body(store) is None
        disk["full"] = False
        await wait_until(pilot, lambda: not app.screen.dirty)
        assert "saved" in str(app.screen.query_one("#save-state").render())
    assert _body(store).endswith("precious")


async def test_ctrl_g_marks_the_session_done(store, app_factory) -> None:
    app = app_factory(session=FOCUS_GROUP, me="member")  # booked for it, so theirs to mark
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("ctrl+g")
        await wait_until(pilot, lambda: week.session(store, FOCUS_GROUP).status is SessionStatus.DONE)


async def test_attendance_changes_are_saved_with_the_note(store, app_factory) -> None:
    app = app_factory(session=FOCUS_GROUP)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        listing = app.screen.query_one("#attendance")
        listing.deselect(0)
        extra = app.screen.query_one("#extra")
        extra.value = "Advanced practitioner, Northborough Borough Council"
        await extra.action_submit()

        def saved_with_the_extra() -> bool:
            note = notes.get_note(store, FOCUS_GROUP, "officer1")
            return note is not None and note.attendance[-1].extra

        await wait_until(pilot, saved_with_the_extra)
    note = notes.get_note(store, FOCUS_GROUP, "officer1")
    assert note is not None
    assert [a.present for a in note.attendance][:1] == [False]
    assert note.attendance[-1].extra and note.attendance[-1].role == "Advanced practitioner"


def _told(app, words: str) -> bool:
    return any(words in str(n.message) for n in app._notifications)


async def test_a_note_add_while_the_note_is_open_is_kept_and_shown(store, app_factory) -> None:
    app = app_factory(session=FOCUS_GROUP)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter", *"+ supervision is weekly #practice")
        await _wait_for_autosave(pilot)
        with Store.open(store.path) as shell:  # `peerreview note add` in another terminal
            notes.append_to_note(shell, FOCUS_GROUP, "officer1", "? ask for the audit\n")
        await pilot.press("enter", *"- caseloads are high #partnership")
        await _wait_for_autosave(pilot)
        body = _body(store)
        assert "+ supervision is weekly #practice" in body
        assert "- caseloads are high #partnership" in body
        assert "? ask for the audit" in body
        await wait_until(pilot, lambda: _told(app, "changed outside this screen"))
        assert "? ask for the audit" in app.screen.query_one(NoteEditor).text
        await pilot.press(*" more")
        await _wait_for_autosave(pilot)
    body = _body(store)
    assert "? ask for the audit" in body and "#partnership more" in body


async def test_a_session_removed_by_a_reload_while_its_note_is_open_keeps_the_text(
    store, app_factory, example_schedule
) -> None:
    app = app_factory(session=FOCUS_GROUP)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        schedule = example_schedule.model_copy(deep=True)
        for day in schedule.days:
            day.sessions = [s for s in day.sessions if s.id != FOCUS_GROUP]
        with Store.open(store.path) as shell:  # `peerreview reload` in another terminal
            assert week.apply_schedule(shell, schedule, "sha2").removed == [FOCUS_GROUP]
        await pilot.press(*"typed while it went")
        await _wait_for_autosave(pilot)
        assert not app.screen._failure
        assert _told(app, "kept as cancelled")
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.return_code == 0  # quit at once: nothing left unsaved to ask about
    assert _body(store).endswith("typed while it went")
    assert week.session(store, FOCUS_GROUP).status is SessionStatus.CANCELLED


async def test_the_author_sees_the_tags_colleagues_gave_their_lines(store, app_factory) -> None:
    notes.save_note(store, FOCUS_GROUP, "member", "+ supervision is monthly\n")
    item = list_evidence(store, author="member")[0].item
    tag_evidence(store, item.id, "practice", "lead")
    app = app_factory(session=FOCUS_GROUP, me="member")
    async with app.run_test(size=SIZE) as pilot:
        panel = app.screen.query_one("#marks")
        await wait_until(pilot, lambda: "tagged #practice by Helen Marchbank" in str(panel.render()))
        assert app.screen.query_one(NoteEditor).text == "+ supervision is monthly\n"


def _notes_here(app) -> str:
    return str(app.screen.query_one("#notes-here").render())


def _footer_keys(app) -> set[str]:
    from textual.widgets._footer import FooterKey

    return {key.key for key in app.screen.query(FooterKey)}


async def test_the_lead_reads_colleagues_notes_for_a_session_one_key_at_a_time(store, app_factory) -> None:
    notes.save_note(store, FOCUS_GROUP, "officer2", "+ supervision is weekly #practice\nsecond line")
    notes.save_note(store, FOCUS_GROUP, "member", "- caseloads are high #practice")
    notes.save_note(store, FOCUS_GROUP, "health", "")  # opened, nothing written: not offered
    app = app_factory(me="lead")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#sessions")
        table.move_cursor(row=table.get_row_index(FOCUS_GROUP))
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, CaptureScreen) and app.screen.session)
        # the lead's own note first (typing there starts it), saying colleagues have written here
        assert app.screen.author_id == "lead" and not app.screen.read_only
        assert "Notes here: ▸ yours · Councillor Brian Oakes · David Fenwick-Hale" in _notes_here(app)
        assert "you have no note here yet; 2 colleagues have: ^n to read" in _notes_here(app)
        assert "ctrl+n" in _footer_keys(app)
        help_text = help_markdown(app.screen)
        assert "| `^n` | Next note: the colleagues' notes" in help_text
        assert "| `^home` | Start of the note |" in help_text and "| `^end` | End of the note |" in help_text

        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: isinstance(app.screen, CaptureScreen) and app.screen.session)
        screen = app.screen
        assert screen.author_id == "member" and screen.read_only
        assert screen.query_one(NoteEditor).text == "- caseloads are high #practice"
        assert "read only" in str(screen.query_one("#session-line").render())
        assert "read only: Councillor Brian Oakes's note" in str(screen.query_one("#save-state").render())
        assert "▸ Councillor Brian Oakes" in _notes_here(app)
        assert {"ctrl+t", "ctrl+s"}.isdisjoint(_footer_keys(app)) and "ctrl+n" in _footer_keys(app)

        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: app.screen is not screen and app.screen.session)
        assert app.screen.author_id == "officer2"
        assert app.screen.query_one(NoteEditor).cursor_location == (0, 0)  # read from the top
        await pilot.press("ctrl+n")  # round again to the lead's own
        await wait_until(pilot, lambda: app.screen.author_id == "lead" and app.screen.session)
        assert (
            not app.screen.read_only
            and "Focus group: social workers" in app.screen.query_one(NoteEditor).text
        )
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ScheduleScreen))
    assert _body(store, author="lead") is None  # reading wrote nothing


async def test_keys_typed_with_the_next_note_key_are_saved_before_it_switches(store, app_factory) -> None:
    from .test_keys import burst

    notes.save_note(store, FOCUS_GROUP, "officer2", "their note")
    app = app_factory(session=FOCUS_GROUP)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.focused, NoteEditor))
        burst(app, *"typed fast", "ctrl+n")
        await wait_until(pilot, lambda: app.screen.author_id == "officer2" and app.screen.session)
        assert _body(store).endswith("typed fast")
        burst(app, "ctrl+n", *" and more")
        await wait_until(pilot, lambda: app.screen.author_id == "officer1" and app.screen.session)
        await wait_until(pilot, lambda: app.screen.query_one(NoteEditor).text.endswith("typed fast and more"))
        assert "▸ yours · David Fenwick-Hale" in _notes_here(app)
        await _wait_for_autosave(pilot)
    assert _body(store).endswith("typed fast and more")
    assert notes.get_note(store, FOCUS_GROUP, "officer2").body == "their note"


async def test_no_colleagues_notes_no_line_and_no_key(store, app_factory) -> None:
    app = app_factory(session=FOCUS_GROUP)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.focused, NoteEditor))
        assert not app.screen.query_one("#notes-here").display
        assert "ctrl+n" not in _footer_keys(app)


async def test_a_note_that_cannot_be_saved_is_not_left_for_the_next(store, app_factory, monkeypatch) -> None:
    def full(*args, **kwargs):
        raise StoreError("the disk is full; free some space")

    notes.save_note(store, FOCUS_GROUP, "officer2", "their note")
    monkeypatch.setattr(notes, "save_note_since", full)
    app = app_factory(session=FOCUS_GROUP)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.focused, NoteEditor))
        await pilot.press(*"precious", "ctrl+n")
        await wait_until(pilot, lambda: any("disk is full" in str(n.message) for n in app._notifications))
        assert app.screen.author_id == "officer1" and app.screen.query_one(NoteEditor).text.endswith(
            "precious"
        )


async def test_the_no_note_yet_line_goes_once_you_type(store, app_factory) -> None:
    notes.save_note(store, FOCUS_GROUP, "officer2", "their note")
    app = app_factory(session=FOCUS_GROUP)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.focused, NoteEditor))
        assert "you have no note here yet; 1 colleague has: ^n to read" in _notes_here(app)
        await pilot.press(*"x")
        assert "no note here yet" not in _notes_here(app) and "^n: next" in _notes_here(app)


def _line_on_screen(app, selector: str) -> str:
    """The text the screen shows where ``selector`` is (its first line)."""
    region = app.screen.query_one(selector).region
    return app.screen._compositor.render_strips()[region.y].text[region.x : region.right]


@pytest.mark.parametrize("size", [(100, 30), (160, 48)], ids=["100x30", "160x48"])
async def test_the_session_line_keeps_day_time_and_whose_note(store, app_factory, size) -> None:
    longest = max(week.sessions(store), key=lambda s: len(s.title))  # 65 characters
    notes.save_note(store, longest.id, "officer2", "+ plans are reviewed on time #practice")
    app = app_factory(me="lead", session=longest.id)
    async with app.run_test(size=size) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, CaptureScreen) and app.screen.session)
        mine = _line_on_screen(app, "#session-line")
        await pilot.press("ctrl+n")  # a colleague's note
        await wait_until(pilot, lambda: app.screen.author_id == "officer2" and app.screen.session)
        theirs = _line_on_screen(app, "#session-line")
        assert "▸ David Fenwick-Hale" in _notes_here(app)  # whose it is, whatever the line's room
    times = f"{longest.start_time}–{longest.end_time}"
    for line in (mine, theirs):
        assert f"  {longest.day:%a} " in line and times in line
        title = line.strip().split("  ")[0]
        if size == (160, 48):
            assert title == longest.title, line
        else:  # cut at a word
            assert title.endswith("…") and f"{title[:-1]} " in longest.title, line
    assert mine.rstrip().endswith("your note") and theirs.rstrip().endswith("read only")
