"""Full garbage collections kept out of the way of the keys.

A full collection walks every container object Python tracks. Once the sections of a ×10 week
have been shown that is ~200,000 objects and 120–170 ms on the bench machine, and it came in the
middle of a key: a day switch drawn in 250–300 ms instead of 150 (bench/, README Performance).
Almost all of those objects are what the app has read and shows, and they live until the section
reads again. So when the app goes idle after a collection has moved survivors into the old
generation, they are folded into the permanent generation (``gc.freeze``), which no collection
walks: a full collection then walks only what was made since the last fold, and each fold is a
constant-time splice of the collector's lists.

Folded objects that later become garbage are still freed by reference counting, but reference
cycles among them are not: a section read again mounts new widgets, and the old ones (cycles,
with their drawn lines) would stay. On the ×10 week a round of every section, read again, left
~27,000 objects, ~4 MiB. So once the folded objects have grown by ``RECLAIM_AFTER`` since the
last reclaim, and the keyboard has been quiet for a while, they are handed back, collected and
folded again: one full collection (~0.2 s on that week) at a moment nobody is typing, instead of
one in the middle of a key every few keys. When the app closes, everything folded is handed back to the
collector (``close``), for the tests and the bench, which run many apps in one process; not
when the process ends with the app (`peerreview open`), where handing it back would only make
Python's last collection at exit walk it all.
"""

from __future__ import annotations

import gc
from typing import Any

# Folded objects this many more than after the last reclaim: time to reclaim what of them is garbage.
RECLAIM_AFTER = 50_000


class Collector:
    """Folds what survived into the permanent generation when asked at idle, if anything has."""

    def __init__(self) -> None:
        self._survivors = False  # a collection of the young generations has run since the last fold
        self.folds = 0
        self.reclaims = 0
        self._kept = gc.get_freeze_count()  # folded objects after the last reclaim
        gc.callbacks.append(self._collected)

    def _collected(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "stop" and info["generation"] >= 1:
            self._survivors = True

    def fold(self) -> bool:
        """Move what the collector tracks out of its walk, if survivors have joined the old
        generation since the last fold (cheap to ask: the app asks at every idle)."""
        if not self._survivors:
            return False
        self._survivors = False
        gc.collect(0)  # the newest objects, short-lived garbage among them, are not folded in
        gc.freeze()
        self.folds += 1
        return True

    @property
    def reclaim_due(self) -> bool:
        """Whether the folded objects grew by RECLAIM_AFTER since the last reclaim. Not to be
        asked while keys are coming: counting them walks them all (~5 ms on a ×10 week)."""
        return gc.get_freeze_count() - self._kept > RECLAIM_AFTER

    def reclaim(self) -> None:
        """Collect what has become garbage among the folded objects (a full collection, all of
        it walked), and fold the rest again."""
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        self._kept = gc.get_freeze_count()
        self._survivors = False
        self.reclaims += 1

    def close(self, *, hand_back: bool) -> None:
        """Stop listening to the collector; ``hand_back``: return everything folded to it."""
        if self._collected in gc.callbacks:
            gc.callbacks.remove(self._collected)
        if hand_back:
            gc.unfreeze()
