"""The README's screenshots: the schedule, a note being written and the findings, on the demo.

Run by `make screens` (no LibreOffice needed: Textual draws the screens as SVG). The demo review
is built in a temporary folder and the app is driven headless at 120×36, as a reviewer and as the
lead would see it on the Monday afternoon of the week.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from textual.pilot import Pilot

from peerreview_tui.demo import build_demo
from peerreview_tui.store import Store
from peerreview_tui.ui.app import PeerReviewApp
from peerreview_tui.ui.context import ReviewContext

OUT = Path(__file__).resolve().parent / "pictures"
SIZE = (120, 36)
MONDAY_AFTERNOON = dt.datetime(2012, 9, 10, 14, 5)


async def settle(pilot: Pilot[None]) -> None:
    for _ in range(3):
        await pilot.pause(0.3)
        await pilot.app.workers.wait_for_complete()


async def schedule(pilot: Pilot[None]) -> None:
    await pilot.press("2", "down")


async def findings(pilot: Pilot[None]) -> None:
    await pilot.press("f5")
    await settle(pilot)
    await pilot.press("down", "down", "down", "down")


SHOTS: list[tuple[str, str, str | None, Callable[[Pilot[None]], Awaitable[None]] | None]] = [
    ("screen-schedule", "lead", None, schedule),
    ("screen-capture", "officer2", "mon-1400-swfg", None),
    ("screen-findings", "lead", None, findings),
]


async def shoot(store: Store, name: str, me: str, session: str | None, steps) -> Path:
    context = ReviewContext.load(store, me=me, clock=lambda: MONDAY_AFTERNOON)
    app = PeerReviewApp(context, open_session=session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        if steps is not None:
            await steps(pilot)
            await settle(pilot)
        return Path(app.save_screenshot(f"{name}.svg", path=str(OUT)))


def main() -> int:
    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="peerreview-screens-") as folder:
        build_demo(Path(folder) / "demo.db")
        with Store.open(Path(folder) / "demo.db") as store:
            for name, me, session, steps in SHOTS:
                made = asyncio.run(shoot(store, name, me, session, steps))
                print(f"{made.relative_to(OUT.parent.parent)}: {made.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
