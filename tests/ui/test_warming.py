"""Sections are made and read before they are first asked for, once the keys have been quiet:
their first showing is then as quick as showing them again. Never while keys are coming or a
note is open, and never a write (the exchange, whose first showing makes a signing key, waits for the key)."""

from __future__ import annotations

import pytest
from textual.widgets._footer import FooterKey

from peerreview_tui.store import Store, findings, signatures
from peerreview_tui.ui import quiet_work
from peerreview_tui.ui.app import PeerReviewApp
from peerreview_tui.ui.quiet_work import WARM_SECTIONS
from peerreview_tui.ui.screens.capture import CaptureScreen
from peerreview_tui.ui.screens.findings import FindingsScreen

from .conftest import SIZE, make_app, settle, wait_until

QUIET = 0.2  # s, for the tests: the app's own is longer


@pytest.fixture(autouse=True)
def _quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(quiet_work, "QUIET_BEFORE_WARMING", QUIET)


def _made(app: PeerReviewApp) -> set[str]:
    return {mode for mode in WARM_SECTIONS if mode in app._screen_stacks}


def _all_made(app: PeerReviewApp) -> bool:
    return _made(app) == set(app.sections_to_warm()) and app._warming is None


async def test_a_section_made_while_quiet_shows_its_findings_as_the_key_is_pressed(
    demo: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads = [0]
    list_findings = findings.list_findings

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        reads[0] += 1
        return list_findings(*args, **kwargs)

    monkeypatch.setattr(findings, "list_findings", counted)
    app = make_app(demo, me="lead")
    app.warm_sections = True
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: _all_made(app))
        assert "exchange" not in app._screen_stacks  # the demo's laptop holds no signing key yet
        read_before = reads[0]
        assert read_before >= 1
        await pilot.press("f5")
        screen = app.screen
        assert isinstance(screen, FindingsScreen)
        assert screen.views  # on show with the key: nothing left to read
        await settle(pilot)
        assert reads[0] == read_before


async def test_nothing_is_made_while_keys_are_coming_or_a_note_is_open(
    demo: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    quiet = 0.8  # a key and a pause of 0.1 s take ~0.2 s here: never that quiet
    monkeypatch.setattr(quiet_work, "QUIET_BEFORE_WARMING", quiet)
    app = make_app(demo, me="lead")
    app.warm_sections = True
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(8):
            await pilot.press("down")
            await pilot.pause(0.1)
        assert _made(app) == set()
        await pilot.press("enter")  # the note of the session under the cursor
        await wait_until(pilot, lambda: isinstance(app.screen, CaptureScreen))
        await pilot.pause(quiet * 2)
        assert _made(app) == set()
        await pilot.press("escape")
        await wait_until(pilot, lambda: _all_made(app))


@pytest.mark.parametrize("key_held", [False, True])
async def test_making_the_sections_writes_nothing(demo: Store, key_held: bool) -> None:
    if key_held:  # as after the laptop's first bundle: the exchange is made ahead too
        with demo.write() as db:
            signatures.ensure_key(db, "lead")
    revision = demo.revision()
    app = make_app(demo, me="lead")
    app.warm_sections = True
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: _all_made(app))
        assert ("exchange" in app._screen_stacks) == key_held
        await settle(pilot)
    assert demo.revision() == revision


async def test_a_section_made_ahead_shows_its_footer_keys_enabled_as_on_show(demo: Store) -> None:
    """Made while the schedule was on show, the search's `esc` (back to the schedule) was
    disabled then; shown, it is enabled, in the same footer, not a rebuilt one."""
    app = make_app(demo, me="lead")
    app.warm_sections = True
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: _all_made(app))
        search = app._screen_stacks["search"][-1]
        before = {key.action: key for key in search.query(FooterKey)}
        assert before["app.switch_mode('schedule')"].has_class("-disabled")
        await pilot.press("f3")
        await settle(pilot)
        after = {key.action: key for key in app.screen.query(FooterKey)}
        assert after == before  # the same keys
        assert not after["app.switch_mode('schedule')"].has_class("-disabled")
        await pilot.press("escape")
        await settle(pilot)
        assert app.current_mode == "schedule"
