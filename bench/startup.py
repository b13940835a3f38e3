"""`peerreview open` as a benchmark: headless, exits after the schedule's first refresh with data.

Run as a subprocess so interpreter start-up and imports count, as they do for a user.
"""

import sys
from pathlib import Path

from peerreview_tui.store import Store
from peerreview_tui.ui.app import PeerReviewApp
from peerreview_tui.ui.context import ReviewContext
from peerreview_tui.ui.screens.schedule import ScheduleScreen

_original = ScheduleScreen.on_schedule_screen_loaded


def _loaded(self: ScheduleScreen, message: ScheduleScreen.Loaded) -> None:
    _original(self, message)
    self.app.call_after_refresh(self.app.exit)


ScheduleScreen.on_schedule_screen_loaded = _loaded  # type: ignore[method-assign]

if __name__ == "__main__":
    store = Store.open(Path(sys.argv[1]))
    context = ReviewContext.load(store, me="lead")
    PeerReviewApp(context).run(headless=True)
    store.close()
