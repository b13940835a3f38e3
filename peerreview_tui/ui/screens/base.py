"""What every screen of the review shares: the open review and who is at the keyboard."""

from __future__ import annotations

from textual.screen import Screen

from ..context import ReviewContext


class ReviewScreen(Screen[None]):
    @property
    def context(self) -> ReviewContext:
        return self.app.context  # type: ignore[attr-defined,no-any-return]

    def actor(self) -> str:
        """Who the changes made here are recorded against."""
        return self.context.me or "unknown"
