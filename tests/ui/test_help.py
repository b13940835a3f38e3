"""F1 is read from the live bindings (never stale, remapped keys as remapped); footers fit."""

from __future__ import annotations

import pytest
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from peerreview_tui.store import Store
from peerreview_tui.ui.app import PeerReviewApp
from peerreview_tui.ui.context import ReviewContext
from peerreview_tui.ui.modals.help import HelpModal

from .conftest import MONDAY_AFTERNOON, SIZE, make_app, settle, wait_until


async def _help(app, pilot) -> str:
    await pilot.press("f1")
    await wait_until(pilot, lambda: isinstance(app.screen, HelpModal))
    return app.screen.help_text


def _row(text: str, description: str) -> str:
    """The help table's row for ``description``."""
    return next(line for line in text.splitlines() if f"| {description}" in line)


async def test_help_lists_the_day_keys_and_the_keys_hidden_from_the_footer(store) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = await _help(app, pilot)
    assert _row(text, "Day of the week").startswith("| `1` `2` `3` `4` `5` `6` `7` |")
    assert _row(text, "Prev day").startswith("| `[` |") and _row(text, "Next day").startswith("| `]` |")
    assert _row(text, "Only mine").startswith("| `m` |")
    for key, section in [("f2", "Schedule"), ("f5", "Findings"), ("f6", "Export"), ("f7", "Exchange")]:
        assert _row(text, section).startswith(f"| `{key}` |")
    assert "## Schedule" in text and "## Everywhere" in text and "## Marks" in text


async def test_help_on_the_findings_screen_lists_every_findings_key(demo) -> None:
    app = make_app(demo, me="lead")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "FindingsScreen")
        text = await _help(app, pilot)
    for key, description in [
        ("q", "Choose quote"),
        ("[", "Move up"),
        ("]", "Move down"),
        ("r", "Reopen"),
        ("del", "Delete"),
        ("h", "History"),
    ]:
        assert _row(text, description).startswith(f"| `{key}` |"), description


async def test_help_on_the_exchange_screen_lists_its_keys_while_the_folder_has_focus(store) -> None:
    app = make_app(store, me="lead")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f7")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "ExchangeScreen")
        text = await _help(app, pilot)
    assert _row(text, "Keep version in place").startswith("| `^y` |")
    assert _row(text, "Keep other version").startswith("| `^o` |")


async def test_a_remapped_key_shows_as_remapped_in_help_and_footer(store: Store) -> None:
    context = ReviewContext.load(store, me="officer1", clock=lambda: MONDAY_AFTERNOON)
    app = PeerReviewApp(context, keymap={"schedule.mine": "o", "app.findings": "ctrl+f"})
    app.warm_sections = False
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        shown = {key.description: key.key_display for key in app.screen.query_one(Footer).query(FooterKey)}
        assert shown["Only mine"] == "o"
        text = await _help(app, pilot)
        assert _row(text, "Only mine").startswith("| `o` |") and "schedule.mine" in _row(text, "Only mine")
        assert _row(text, "Findings").startswith("| `^f` |")
        await pilot.press("escape", "o")  # and the remapped key does it
        await wait_until(pilot, lambda: getattr(app.screen, "only_mine", False))


# Each screen in turn, in one app per person and size: the keys that bring it up from the last.
SCREENS = [
    ("schedule", []),
    ("search", ["f3"]),
    ("coverage", ["f4"]),
    ("findings", ["f5"]),
    ("findings-chosen", ["down", "down"]),
    ("exchange", ["f7"]),
    ("capture", ["f2", "enter"]),
]


@pytest.mark.parametrize("size", [(100, 30), (160, 48)])
@pytest.mark.parametrize("who", ["lead", "officer1"])
async def test_no_footer_label_is_cut_at_100_or_160_columns(demo, who: str, size) -> None:
    app = make_app(demo, me=who)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        for screen, keys in SCREENS:
            for key in keys:
                await pilot.press(key)
                await settle(pilot)
            if screen == "exchange":
                app.screen.query_one("#conflicts").focus()
            if screen == "findings-chosen":
                await wait_until(pilot, lambda: app.screen.detail is not None)
            await pilot.pause()
            assert type(app.screen).__name__.lower() == screen.split("-")[0] + "screen", screen
            footer = app.screen.query_one(Footer)
            shown_keys = list(footer.query(FooterKey))
            palette = [key for key in shown_keys if key.has_class("-command-palette")]
            edge = palette[0].region.x if palette else footer.region.right
            shown = [key for key in shown_keys if key not in palette]
            assert {"Help", "Quit"} <= {key.description for key in shown}, screen
            if screen == "findings-chosen":  # a finding's keys come with a finding
                assert "History" in {key.description for key in shown}
            for key in shown:
                text = str(key.render())
                assert key.description in text and key.region.width > 0, (screen, key.description)
                assert key.region.right <= edge, f"{screen}: {key.description!r} is cut at {size[0]} columns"
