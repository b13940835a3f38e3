"""`peerreview open --db REVIEW` as a benchmark: the user's own command (the click entry point and
all it imports), headless, exiting once the first frame with the schedule's sessions is drawn.

Run as a subprocess so interpreter start-up and imports count, as they do for a user. Only
``textual.app`` is imported before the command runs, to make the app headless and stop it: the
app imports it anyway, so what is imported, and when, is the user's path.
"""

import sys
from typing import Any

from textual.app import App

_run = App.run


def _run_headless(self: App[Any], *args: Any, **kwargs: Any) -> Any:
    # The command has imported the schedule screen by the time it runs the app.
    from peerreview_tui.ui.screens.schedule import ScheduleScreen

    fill = ScheduleScreen._fill_table

    def _filled(screen: ScheduleScreen) -> None:
        fill(screen)
        if screen.view is not None:  # the day's sessions are in the table: exit once drawn
            ScheduleScreen._fill_table = fill  # type: ignore[method-assign]
            screen.app.call_after_refresh(screen.app.exit)

    ScheduleScreen._fill_table = _filled  # type: ignore[method-assign]
    return _run(self, *args, **{**kwargs, "headless": True})


App.run = _run_headless  # type: ignore[method-assign]

if __name__ == "__main__":
    from peerreview_tui.cli import main

    main(["open", "--db", sys.argv[1]], prog_name="peerreview", standalone_mode=False)
