"""An app on the example week, with a fixed day and clock so screens are deterministic."""

from __future__ import annotations

import datetime as dt

import pytest

from peerreview_tui.store import Store
from peerreview_tui.ui.app import PeerReviewApp
from peerreview_tui.ui.context import ReviewContext

MONDAY_AFTERNOON = dt.datetime(2012, 9, 10, 14, 5, 0)
SIZE = (120, 40)


def make_app(store: Store, me: str | None = "officer1", session: str | None = None) -> PeerReviewApp:
    context = ReviewContext.load(store, me=me, clock=lambda: MONDAY_AFTERNOON)
    app = PeerReviewApp(context, open_session=session)
    app.warm_sections = False  # on only where a test is about it: sections read unasked
    return app


@pytest.fixture
def app_factory(store: Store):
    def factory(**kwargs) -> PeerReviewApp:
        return make_app(store, **kwargs)

    return factory


async def wait_until(pilot, condition, timeout: float = 10.0) -> None:
    """Pause until ``condition()`` holds: a busy machine may take longer than a fixed pause."""
    waited = 0.0
    while not condition():
        if waited >= timeout:
            raise AssertionError(f"still not true after {timeout} s: {condition.__doc__ or condition}")
        await pilot.pause(0.05)
        waited += 0.05
    await settle(pilot)


async def settle(pilot) -> None:
    """Pause until no worker is left running (a change's worker starts the reload's worker) and
    every key already sent has been handled: on a loaded machine a burst of keys is still
    queued when the screen it opened first shows."""
    await pilot.pause()
    for _ in range(200):  # 10 s: a timer's message may come and go, never the whole time
        if any(not worker.is_finished for worker in pilot.app.workers):
            await pilot.app.workers.wait_for_complete()
        elif not _messages_queued(pilot.app):
            return
        await pilot.pause(0.05)


def _messages_queued(app) -> bool:
    nodes = [app, *app.screen.walk_children(with_self=True)] if app.screen_stack else [app]
    return any(node.message_queue_size for node in nodes)
