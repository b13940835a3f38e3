"""Sections are made and read before they are first asked for, once the keys have been quiet:
their first showing is then as quick as showing them again. Never while keys are coming or a
note is open, and never a write (the exchange, whose first showing makes a signing key, waits)."""

from __future__ import annotations

import pytest

from peerreview_tui.store import Store, findings
from peerreview_tui.ui import app as app_module
from peerreview_tui.ui.app import WARM_SECTIONS
from peerreview_tui.ui.screens.capture import CaptureScreen
from peerreview_tui.ui.screens.findings import FindingsScreen

from .conftest import SIZE, make_app, settle, wait_until

QUIET = 0.2  # s, for the tests: the app's own is longer


@pytest.fixture(autouse=True)
def _quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app_module, "QUIET_BEFORE_WARMING", QUIET)


def _made(app: app_module.PeerReviewApp) -> set[str]:
    return {mode for mode in WARM_SECTIONS if mode in app._screen_stacks}


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
        await wait_until(pilot, lambda: _made(app) == set(WARM_SECTIONS) and app._warming is None)
        assert "exchange" not in app._screen_stacks
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
    monkeypatch.setattr(app_module, "QUIET_BEFORE_WARMING", quiet)
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
        await wait_until(pilot, lambda: _made(app) == set(WARM_SECTIONS))


async def test_making_the_sections_writes_nothing(demo: Store) -> None:
    revision = demo.revision()
    app = make_app(demo, me="lead")
    app.warm_sections = True
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: _made(app) == set(WARM_SECTIONS) and app._warming is None)
        await settle(pilot)
    assert demo.revision() == revision
