"""A few pictures at a fixed size. Regenerate (--snapshot-update) only after looking at them."""

from __future__ import annotations

from peerreview_tui.store import notes

from .conftest import SIZE, make_app, wait_until

NOTE = """Focus group: social workers
Started [14:02]

+ Supervision is weekly and reflective #practice
- Caseloads in assessment teams are above 25 #practice
? Ask the head of service for the caseload data #practice
! "We know the early help offer, we just can't get families into it" #early-help
[14:40] + Joint visits with health visitors are routine #partnership
"""


async def _settle(pilot) -> None:
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


def test_schedule_snapshot(store, snap_compare) -> None:
    notes.save_note(store, "mon-1045-ce", "lead", "+ clear vision #practice")
    assert snap_compare(make_app(store), terminal_size=SIZE, run_before=_settle)


def test_capture_snapshot(store, snap_compare) -> None:
    notes.save_note(store, "mon-1400-swfg", "officer1", NOTE)
    assert snap_compare(make_app(store, session="mon-1400-swfg"), terminal_size=SIZE, run_before=_settle)


def test_search_snapshot(store, snap_compare) -> None:
    notes.save_note(store, "mon-1400-swfg", "officer1", NOTE)
    notes.save_note(store, "mon-1045-ce", "lead", "- supervision of agency staff is patchy #practice")

    async def search(pilot) -> None:
        await pilot.press("f3", *"supervision")
        await wait_until(pilot, lambda: pilot.app.screen.query_one("#results").option_count == 4)
        await _settle(pilot)

    assert snap_compare(make_app(store), terminal_size=SIZE, run_before=search)


def test_coverage_snapshot(demo, snap_compare) -> None:
    async def coverage(pilot) -> None:
        await pilot.press("f4")
        await wait_until(pilot, lambda: getattr(pilot.app.screen, "view", None) is not None)
        await _settle(pilot)

    assert snap_compare(make_app(demo, me="lead"), terminal_size=SIZE, run_before=coverage)


def test_findings_snapshot(demo, snap_compare) -> None:
    async def findings_screen(pilot) -> None:
        await pilot.press("f5")
        await wait_until(pilot, lambda: bool(getattr(pilot.app.screen, "views", None)))
        await pilot.press("down", "down", "down", "down", "down", "down")  # a draft: no agreed-at time
        await wait_until(pilot, lambda: pilot.app.screen.detail is not None)
        await _settle(pilot)

    assert snap_compare(make_app(demo, me="lead"), terminal_size=SIZE, run_before=findings_screen)
