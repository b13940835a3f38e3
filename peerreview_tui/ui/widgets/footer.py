"""The footer of every screen: Textual's, rebuilt only when the keys it shows change."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

if TYPE_CHECKING:
    from textual.screen import Screen

Shown = tuple[tuple[str, str, str, bool, str], ...]


def shown_keys(screen: Screen[object]) -> Shown:
    """What a footer on ``screen`` shows: each key, its action and words, whether it is enabled."""
    return tuple(
        (binding.key, binding.action, binding.description, enabled, tooltip)
        for (_, binding, enabled, tooltip) in screen.active_bindings.values()
        if binding.show
    )


def _but_enabled(shown: Shown) -> list[tuple[str, str, str, str]]:
    return [(key, action, words, tooltip) for key, action, words, _, tooltip in shown]


class KeysFooter(Footer):
    """Textual's footer rebuilds itself (removes and mounts every key) on each refresh of the
    bindings: every change of focus, every row the schedule highlights, a dozen times while the
    app starts. This one is rebuilt only when what it shows would change."""

    _shown: Shown | None = None

    def compose(self) -> ComposeResult:
        if self._bindings_ready:
            self._shown = shown_keys(self.screen)
        yield from super().compose()

    def bindings_changed(self, screen: Screen[object]) -> None:
        shown = shown_keys(screen)
        if self._bindings_ready and shown == self._shown:
            return  # shown already, or a rebuild that will show it is on its way
        if (
            self._bindings_ready
            and self._shown is not None
            and _but_enabled(shown) == _but_enabled(self._shown)
            and self.is_attached
            and screen is self.screen
        ):
            # The same keys, one now enabled or not (`esc` back to the schedule, on a section
            # made before it was shown, is enabled once it is): redrawn, not rebuilt and laid out.
            self._shown = shown
            enabled: dict[str, bool] = {}
            for _, action, _, on, _ in shown:
                enabled.setdefault(action, on)
            for footer_key in self.query(FooterKey):
                off = not enabled.get(footer_key.action, True)
                footer_key._disabled = off  # what a click on it looks at
                footer_key.set_class(off, "-disabled")
            return
        if screen.app.app_focus and self.is_attached and screen is self.screen:  # a rebuild is asked for
            self._shown = shown
        super().bindings_changed(screen)
