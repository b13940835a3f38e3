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
    return PeerReviewApp(context, open_session=session)


@pytest.fixture
def app_factory(store: Store):
    def factory(**kwargs) -> PeerReviewApp:
        return make_app(store, **kwargs)

    return factory
