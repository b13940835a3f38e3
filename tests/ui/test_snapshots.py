"""Every screen at a laptop's smallest usual terminal (100×30) and a large one (160×48).

Regenerate (--snapshot-update) only after looking at the new pictures.
"""

from __future__ import annotations

import pytest

from peerreview_tui.store import notes

from .conftest import make_app, wait_until

SIZES = pytest.mark.parametrize("size", [(100, 30), (160, 48)], ids=["100x30", "160x48"])

NOTE = """Focus group: social workers
Started [14:02]

+ Supervision is weekly and reflective #practice
- Caseloads in assessment teams are above 25 #practice
? Ask the head of service for the caseload data #practice
! "We know the early help offer, we just can't get families into it" #early-help
[14:40] + Joint visits with health visitors are routine #partnership
"""


async def _settle(pilot) -> None:
    for box in pilot.app.screen.query("Input, TextArea"):
        box.cursor_blink = False  # a blinking cursor is caught on or off at random
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await wait_until(
        pilot,
        lambda: (
            "loading" not in str(pilot.app.screen.query("#save-state").first().render())
            if pilot.app.screen.query("#save-state")
            else True
        ),
    )


@SIZES
def test_schedule_snapshot(store, snap_compare, size) -> None:
    notes.save_note(store, "mon-1045-ce", "lead", "+ clear vision #practice")
    assert snap_compare(make_app(store), terminal_size=size, run_before=_settle)


@SIZES
def test_capture_snapshot(store, snap_compare, size) -> None:
    notes.save_note(store, "mon-1400-swfg", "officer1", NOTE)
    assert snap_compare(make_app(store, session="mon-1400-swfg"), terminal_size=size, run_before=_settle)


@SIZES
def test_search_snapshot(store, snap_compare, size) -> None:
    notes.save_note(store, "mon-1400-swfg", "officer1", NOTE)
    notes.save_note(store, "mon-1045-ce", "lead", "- supervision of agency staff is patchy #practice")

    async def search(pilot) -> None:
        await pilot.press("f3", *"supervision")
        await wait_until(pilot, lambda: pilot.app.screen.query_one("#results").option_count == 4)
        await _settle(pilot)

    assert snap_compare(make_app(store), terminal_size=size, run_before=search)


@SIZES
def test_coverage_snapshot(demo, snap_compare, size) -> None:
    async def coverage(pilot) -> None:
        await pilot.press("f4")
        await wait_until(pilot, lambda: getattr(pilot.app.screen, "view", None) is not None)
        await _settle(pilot)

    assert snap_compare(make_app(demo, me="lead"), terminal_size=size, run_before=coverage)


@SIZES
def test_findings_snapshot(demo, snap_compare, size) -> None:
    async def findings_screen(pilot) -> None:
        await pilot.press("f5")
        await wait_until(pilot, lambda: bool(getattr(pilot.app.screen, "views", None)))
        await pilot.press("down", "down", "down", "down", "down")  # a draft: no agreed-at time
        await wait_until(pilot, lambda: pilot.app.screen.detail is not None)
        await _settle(pilot)

    assert snap_compare(make_app(demo, me="lead"), terminal_size=size, run_before=findings_screen)


@SIZES
def test_exchange_snapshot(demo, snap_compare, size, monkeypatch) -> None:
    demo.set_meta("exchange_folder", "/media/usb-stick")  # not this checkout's folder
    # each laptop's key is its own: the picture shows a fixed one
    monkeypatch.setattr(
        "peerreview_tui.ui.screens.exchange.own_fingerprint", lambda store, reviewer: "a3ea f6d0 0724 05a1"
    )

    async def exchange(pilot) -> None:
        await pilot.press("f7")
        await _settle(pilot)
        folder = pilot.app.screen.query_one("#folder")
        folder.action_end()  # where the cursor lands as the remembered folder fills in varies
        await _settle(pilot)

    assert snap_compare(make_app(demo, me="lead"), terminal_size=size, run_before=exchange)
