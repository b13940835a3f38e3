"""`peerreview open --db REVIEW` as a benchmark: the user's own command (the click entry point and
all it imports), headless, exiting once the schedule first shows its data.

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

    shown = ScheduleScreen.on_schedule_screen_loaded

    def _loaded(screen: ScheduleScreen, message: ScheduleScreen.Loaded) -> None:
        shown(screen, message)
        screen.app.call_after_refresh(screen.app.exit)

    ScheduleScreen.on_schedule_screen_loaded = _loaded  # type: ignore[method-assign]
    return _run(self, *args, **{**kwargs, "headless": True})


App.run = _run_headless  # type: ignore[method-assign]

if __name__ == "__main__":
    from peerreview_tui.cli import main

    main(["open", "--db", sys.argv[1]], prog_name="peerreview", standalone_mode=False)
