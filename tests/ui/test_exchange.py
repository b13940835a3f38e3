"""The exchange screen: a bundle written to a folder on one laptop is read on another."""

from __future__ import annotations

import re
import stat
from pathlib import Path

from textual.widgets import Input

from peerreview_tui import signing
from peerreview_tui.store import Store, notes, signatures, week
from peerreview_tui.sync.folder import default_exchange_dir
from peerreview_tui.ui.modals.enrol_keys import EnrolKeysModal
from peerreview_tui.ui.screens.exchange import ExchangeScreen

from ..team_keys import share_team_keys
from .conftest import SIZE, make_app, settle, wait_until
from .test_keys import burst


def _laptop(tmp_path: Path, name: str, schedule) -> Store:
    store = Store.open(tmp_path / f"{name}.db", create=True)
    week.apply_schedule(store, schedule, "sha")
    return store


async def _exchange(app, pilot, folder: Path, button: str) -> ExchangeScreen:
    await pilot.press("f7")
    await wait_until(pilot, lambda: isinstance(app.screen, ExchangeScreen))
    screen = app.screen
    screen.query_one("#folder").value = str(folder)
    await pilot.click(f"#{button}")
    await wait_until(pilot, lambda: str(screen.query_one("#report").render()).strip() != "")
    return screen


async def test_a_bundle_goes_from_one_laptop_to_another_through_a_folder(tmp_path, example_schedule) -> None:
    stick = tmp_path / "stick"
    stick.mkdir()
    health, lead = _laptop(tmp_path, "health", example_schedule), _laptop(tmp_path, "lead", example_schedule)
    notes.save_note(health, "mon-1330-lscb", "health", "+ the chair challenges partners #partnership")
    try:
        sender = make_app(health, me="health")
        async with sender.run_test(size=SIZE) as pilot:
            screen = await _exchange(sender, pilot, stick, "write")
            assert "Written" in str(screen.query_one("#report").render())
        assert len(list(stick.glob("*.prbundle"))) == 1
        with health.read() as db:
            shown = signing.fingerprint(signatures.public_key_of(db, "health") or "")
        receiver = make_app(lead, me="lead")
        async with receiver.run_test(size=SIZE) as pilot:
            # health's key is new to the lead: the lead is asked, and cancelling merges nothing
            screen = await _exchange(receiver, pilot, stick, "read")
            await wait_until(pilot, lambda: isinstance(receiver.screen, EnrolKeysModal))
            assert f"Angela Osei: {shown}" in str(receiver.screen.query_one("#keys").render())
            await pilot.press("escape")
            await wait_until(pilot, lambda: receiver.screen is screen)
            assert "not enrolled" in str(screen.query_one("#report").render())
            assert notes.get_note(lead, "mon-1330-lscb", "health") is None
            # read again, and enrol once the fingerprints match
            await pilot.click("#read")
            await wait_until(pilot, lambda: isinstance(receiver.screen, EnrolKeysModal))
            await pilot.click("#yes")
            await wait_until(pilot, lambda: "from Angela Osei" in str(screen.query_one("#report").render()))
            report = str(screen.query_one("#report").render())
            assert "1 note" in report
        assert notes.get_note(lead, "mon-1330-lscb", "health").body.startswith("+ the chair")
        with lead.read() as db:
            enrolled = signatures.enrolments(db)
            assert [
                e.reviewer_id for e in enrolled.values() if signing.fingerprint(e.public_key) == shown
            ] == ["health"]
            assert next(db.query("SELECT actor FROM audit WHERE action = 'enrol key'"))["actor"] == "lead"
    finally:
        health.close()
        lead.close()


async def test_a_missing_folder_is_said_plainly(store, tmp_path) -> None:
    app = make_app(store, me="lead")
    async with app.run_test(size=SIZE) as pilot:
        screen = await _exchange(app, pilot, tmp_path / "no-stick", "read")
        assert "is not a folder" in str(screen.query_one("#report").render())


async def test_the_folder_offered_at_first_is_the_data_folders_never_the_current_one(
    store, tmp_path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    app = make_app(store, me="lead")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f7")
        await wait_until(pilot, lambda: isinstance(app.screen, ExchangeScreen))
        screen = app.screen
        await wait_until(pilot, lambda: screen.query_one("#folder", Input).value != "")
        assert screen.query_one("#folder", Input).value == str(default_exchange_dir())
        await pilot.click("#write")
        await wait_until(pilot, lambda: "Written" in str(screen.query_one("#report").render()))
    assert len(list(default_exchange_dir().glob("*.prbundle"))) == 1
    assert stat.S_IMODE(default_exchange_dir().stat().st_mode) == 0o700
    assert list(tmp_path.glob("*.prbundle")) == []


async def test_a_folder_typed_as_the_screen_opens_is_kept(store, tmp_path) -> None:
    app = make_app(store, me="lead")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        burst(app, "f7", *"/media/stick")
        await wait_until(pilot, lambda: isinstance(app.screen, ExchangeScreen))
        await settle(pilot)
        assert app.screen.query_one("#folder", Input).value == "/media/stick"


def _lead_with_a_note_written_twice(tmp_path: Path, schedule, on_laptop: str, on_tablet: str) -> Store:
    """The lead's laptop after merging officer1's note for one session as written on two laptops
    (the tablet's, written later, in place): one conflict."""
    from peerreview_tui.sync import merge_bundles, write_bundle

    laptop, tablet = _laptop(tmp_path, "laptop", schedule), _laptop(tmp_path, "tablet", schedule)
    lead = _laptop(tmp_path, "lead", schedule)
    share_team_keys(lead, laptop, tablet)
    notes.save_note(laptop, "mon-0930-dcs", "officer1", on_laptop)
    notes.save_note(tablet, "mon-0930-dcs", "officer1", on_tablet)
    for i, source in enumerate((laptop, tablet)):
        path = tmp_path / f"{i}.prbundle"
        write_bundle(source, path, actor="officer1")
        merge_bundles(lead, [path], actor="lead")
        source.close()
    return lead


async def test_conflicts_read_names_titles_and_local_times_not_ids(tmp_path, example_schedule) -> None:
    lead = _lead_with_a_note_written_twice(
        tmp_path,
        example_schedule,
        "typed on the laptop\n",
        "typed on the tablet\n",  # the tablet's wins
    )
    try:
        app = make_app(lead, me="lead")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("f7")
            await wait_until(pilot, lambda: isinstance(app.screen, ExchangeScreen))
            table = app.screen.query_one("#conflicts")
            await wait_until(
                pilot, lambda: table.row_count == 1 and "none" not in str(table.get_row_at(0)[0])
            )
            what, in_place, kept = (str(cell) for cell in table.get_row_at(0))
            subject = "Priya Natarajan's note for Monday 09:30 Opening meeting with the Director of Children's Services"
            assert what.endswith("…") and subject.startswith(what[:-1])  # cut at a word to fit
            for version in (in_place, kept):  # who, and when in local time ('PN Mon 10 Sep 14:05')
                assert re.fullmatch(r"PN \w{3} \d{1,2} \w{3} \d\d:\d\d", version), version
            diff = app.screen.query_one("#conflict-diff")
            await wait_until(pilot, lambda: subject in str(diff.render()))  # whole, and who in full
            assert "in place: Priya Natarajan" in str(diff.render())
    finally:
        lead.close()


async def test_a_conflict_shows_what_differs_line_by_line_naming_whose_version_is_whose(
    tmp_path, example_schedule
) -> None:
    lead = _lead_with_a_note_written_twice(
        tmp_path,
        example_schedule,
        "Opening\n+ clear vision #practice\nsame end\n",
        "Opening\n- vision unclear #practice\nsame end\n",
    )
    try:
        app = make_app(lead, me="lead")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("f7")
            await wait_until(pilot, lambda: isinstance(app.screen, ExchangeScreen))
            diff = app.screen.query_one("#conflict-diff")
            await wait_until(pilot, lambda: "kept aside" in str(diff.render()))
            lines = str(diff.render()).splitlines()
            assert lines[0] == (
                "Priya Natarajan's note for Monday 09:30 Opening meeting with the Director of Children's Services"
            )
            assert re.fullmatch(r"- in place: Priya Natarajan, \w{3} \d{1,2} \w{3} \d\d:\d\d", lines[1])
            assert re.fullmatch(r"\+ kept aside: Priya Natarajan, \w{3} \d{1,2} \w{3} \d\d:\d\d", lines[2])
            assert lines[4:] == [
                "text",
                "  Opening",
                "- - vision unclear #practice",
                "+ + clear vision #practice",
                "  same end",
            ]
            colours = " ".join(str(span.style) for span in diff.render().spans)
            assert "red" in colours and "green" in colours  # in place red, kept aside green
    finally:
        lead.close()


async def test_the_keep_keys_work_while_the_folder_box_has_the_focus(tmp_path, example_schedule) -> None:
    from textual.widgets import Input

    from peerreview_tui.sync import list_conflicts

    lead = _lead_with_a_note_written_twice(
        tmp_path, example_schedule, "typed on the laptop\n", "typed on the tablet\n"
    )
    try:
        app = make_app(lead, me="lead")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("f7")
            await wait_until(pilot, lambda: isinstance(app.screen, ExchangeScreen) and app.screen.conflicts)
            screen = app.screen
            assert isinstance(screen.focused, Input) and screen.focused.id == "folder"
            footer = {key.key for key in screen.query("FooterKey")}
            assert {"ctrl+y", "ctrl+o"} <= footer
            await pilot.press("end", *"/usb", "ctrl+o")  # typing in the box, then the key: one burst
            await wait_until(pilot, lambda: not list_conflicts(lead))
            assert screen.query_one("#folder", Input).value.endswith("/usb")  # typed, not taken
            assert "Kept the other version" in str(screen.query_one("#report").render())
        assert notes.get_note(lead, "mon-0930-dcs", "officer1").body == "typed on the laptop\n"
    finally:
        lead.close()


async def test_the_conflicts_table_fits_the_screen_at_100_and_160_columns(tmp_path, example_schedule) -> None:
    lead = _lead_with_a_note_written_twice(tmp_path, example_schedule, "on the laptop\n", "on the tablet\n")
    try:
        for size in ((100, 30), (160, 48)):
            app = make_app(lead, me="lead")
            async with app.run_test(size=size) as pilot:
                await pilot.press("f7")
                await wait_until(pilot, lambda: isinstance(app.screen, ExchangeScreen))  # noqa: B023
                table = app.screen.query_one("#conflicts")
                await wait_until(pilot, lambda: table.row_count == 1 and "PN" in str(table.get_row_at(0)[1]))  # noqa: B023
                await pilot.pause()
                assert table.virtual_size.width <= table.size.width, size
                for version in table.get_row_at(0)[1:]:
                    assert str(version) in _screen_text(app), (size, version)
    finally:
        lead.close()


def _screen_text(app) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())
