"""The note editor: a TextArea that completes `#tags` with Tab and goes to either end of the
note with ctrl+home / ctrl+end (Textual's TextArea binds neither)."""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import TextArea

from ...evidence import complete_tag, partial_tag_at


class NoteEditor(TextArea):
    """Tab after `#` or `#par` completes a focus-area tag, after `#practice.` a line of enquiry
    (the hint shows its question); elsewhere Tab moves focus."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+home", "note_start", "Start of the note", id="editor.start", show=False),
        Binding("ctrl+end", "note_end", "End of the note", id="editor.end", show=False),
        # with shift, select to there: editing keys like TextArea's own, so not listed in F1
        Binding("ctrl+shift+home", "note_start(True)", show=False),
        Binding("ctrl+shift+end", "note_end(True)", show=False),
    ]

    class TagHint(Message):
        """The cursor sits after `#...`: these tags would complete it (empty: no hint)."""

        def __init__(self, choices: list[str]) -> None:
            super().__init__()
            self.choices = choices

    def __init__(self, text: str, tags: list[str], *, id: str | None = None, read_only: bool = False) -> None:
        super().__init__(text, soft_wrap=True, tab_behavior="focus", id=id, read_only=read_only)
        self.tags = tags
        self._hinting = False

    def action_note_start(self, select: bool = False) -> None:
        self.move_cursor((0, 0), select=select)

    def action_note_end(self, select: bool = False) -> None:
        self.move_cursor(self.document.end, select=select)

    def tag_choices(self) -> list[str]:
        """What Tab would complete where the cursor is (empty: not in a tag)."""
        partial = self._partial()
        return complete_tag(partial, self.tags) if partial is not None else []

    def _partial(self) -> str | None:
        row, column = self.cursor_location
        return partial_tag_at(self.document.get_line(row), column)

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "tab" and not self.read_only:
            partial = self._partial()
            choices = complete_tag(partial, self.tags) if partial is not None else []
            if choices:
                event.stop()
                event.prevent_default()
                self.insert(choices[0][len(partial or "") :] + " ")
                return
        await super()._on_key(event)

    def on_text_area_selection_changed(self) -> None:
        partial = self._partial()
        choices = complete_tag(partial, self.tags) if partial is not None else []
        if choices or self._hinting:
            self._hinting = bool(choices)
            self.post_message(self.TagHint(choices))
