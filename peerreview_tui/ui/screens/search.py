"""Search every note (FTS5); Enter opens the note at the matching line."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Header, Input, OptionList, Static
from textual.widgets.option_list import Option

from ...store import StoreError
from ...store.search import SearchHit, search_notes
from ..widgets.footer import KeysFooter
from .base import ReviewScreen


class SearchScreen(ReviewScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.switch_mode('schedule')", "Back", id="search.back"),
        Binding("down", "focus_results", "Results", id="search.results", show=False),
    ]

    class Found(Message):
        def __init__(self, query: str, hits: list[SearchHit]) -> None:
            super().__init__()
            self.query = query
            self.hits = hits

    def __init__(self) -> None:
        super().__init__()
        self.hits: list[SearchHit] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="search all notes: words, or the start of a word", id="query")
        yield Static("", id="search-summary")
        yield OptionList(id="results")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.sub_title = "Search"
        self.query_one("#query", Input).focus()

    def on_screen_resume(self) -> None:
        self.query_one("#query", Input).focus()
        self._search(self.query_one("#query", Input).value)

    @on(Input.Changed, "#query")
    def _query_changed(self, event: Input.Changed) -> None:
        self._search(event.value)

    @on(Input.Submitted, "#query")
    def action_focus_results(self) -> None:
        results = self.query_one("#results", OptionList)
        if results.option_count:
            results.focus()
            results.highlighted = results.highlighted or 0

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def _search(self, query: str) -> None:
        try:
            hits = search_notes(self.context.store, query)
        except StoreError as error:
            self.app.notify(str(error), severity="error", title="Search failed")
            return
        self.post_message(self.Found(query, hits))

    def on_search_screen_found(self, message: Found) -> None:
        if message.query != self.query_one("#query", Input).value:
            return  # the user has typed on since
        self.hits = message.hits
        results = self.query_one("#results", OptionList)
        results.clear_options()
        for i, hit in enumerate(self.hits):
            results.add_option(Option(self._render_hit(hit), id=str(i)))
        count = len(self.hits)
        summary = "" if not message.query.strip() else f"{count} note{'s' if count != 1 else ''} found"
        self.query_one("#search-summary", Static).update(summary)

    def _render_hit(self, hit: SearchHit) -> Text:
        line = Text(hit.line)
        line.highlight_words(list(hit.terms), style="bold reverse", case_sensitive=False)
        head = Text.assemble(
            (f"{hit.day:%a %-d %b} {hit.start_time}  ", "dim"),
            (hit.session_title, "bold"),
            (f"  · {hit.author_name}", "italic"),
        )
        return Text("\n").join([head, Text("  ") + line])

    @on(OptionList.OptionSelected, "#results")
    def _open(self, event: OptionList.OptionSelected) -> None:
        hit = self.hits[int(event.option.id or 0)]
        self.post_message(self.OpenNote(hit.session_id, hit.author_id, hit.line_no))
