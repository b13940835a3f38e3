"""Full garbage collections are kept out of the keys' way: what survives is folded out of the
collector's walk when the app goes idle, garbage among it is reclaimed once the keyboard is quiet,
and nothing stays folded once the app has closed."""

from __future__ import annotations

import gc
import weakref

import pytest

from peerreview_tui.store import Store
from peerreview_tui.ui import collector as collector_module
from peerreview_tui.ui import quiet_work
from peerreview_tui.ui.collector import Collector

from .conftest import SIZE, make_app, settle


class Cycle:
    """An object kept alive only by a reference to itself: freed by a collection, never by
    reference counting."""

    def __init__(self) -> None:
        self.me = self


@pytest.fixture
def collector():
    gc.collect()
    made = Collector()
    yield made
    made.close(hand_back=True)


def test_survivors_are_folded_once_and_only_after_a_collection(collector: Collector) -> None:
    assert not collector.fold()  # nothing has joined the old generation yet
    kept = [[n] for n in range(1000)]  # containers the collector tracks, alive after this
    gc.collect(1)  # young generations collected: the lists are now survivors
    before = gc.get_freeze_count()
    assert collector.fold()
    assert gc.get_freeze_count() >= before + len(kept)
    assert not collector.fold()  # asking again, with nothing new, does nothing


def test_a_reclaim_frees_the_cycles_that_became_garbage_after_being_folded(collector: Collector) -> None:
    cycle = Cycle()
    gone = weakref.ref(cycle)
    gc.collect(1)
    assert collector.fold()
    del cycle
    gc.collect()  # a full collection does not walk what is folded
    assert gone() is not None
    collector.reclaim()
    assert gone() is None
    assert not collector.reclaim_due


def test_a_reclaim_is_due_once_the_folded_objects_grew_enough(
    collector: Collector, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(collector_module, "RECLAIM_AFTER", 500)
    assert not collector.reclaim_due
    kept = [[n] for n in range(1000)]
    gc.collect(1)
    collector.fold()
    assert collector.reclaim_due
    del kept


async def test_the_app_folds_as_it_goes_and_reclaims_only_when_the_keys_stop(
    demo: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(collector_module, "RECLAIM_AFTER", 1000)
    monkeypatch.setattr(quiet_work, "QUIET_BEFORE_RECLAIM", 0.3)
    app = make_app(demo, me="lead")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key in "2345123451":  # a key every ~0.05 s: never quiet for 0.3 s
            await pilot.press(key)
            await pilot.pause(0.05)
        await settle(pilot)
        assert app._collector.folds > 0
        assert app._collector.reclaims == 0
        await pilot.pause(0.8)
        assert app._collector.reclaims == 1
    assert gc.get_freeze_count() == 0  # all handed back when the app closed
