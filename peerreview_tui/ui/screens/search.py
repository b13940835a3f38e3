"""Search every note (FTS5): every matching line, grouped by session; Enter opens the note at
that line, and esc from the note comes back here with the query and the chosen line kept."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.widgets import Header, Input, OptionList, Static
from textual.widgets.option_list import Option

from ...store import StoreError
from ...store.search import LIMIT, SearchHit, by_session, search_notes, term_spans
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
        self._shown_query: str | None = None

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
        # Back from a note opened here: the focus stays where it was (on the chosen line), and the
        # search runs again if that note (or any) has changed.
        if self.focused is None:
            self.query_one("#query", Input).focus()
        self.show_current()

    def reload(self) -> None:
        self._search(self.query_one("#query", Input).value)

    @on(Input.Changed, "#query")
    def _query_changed(self, event: Input.Changed) -> None:
        self._search(event.value)

    @on(Input.Submitted, "#query")
    def action_focus_results(self) -> None:
        results = self.query_one("#results", OptionList)
        if self.hits:
            results.focus()
            if results.highlighted is None:
                results.action_first()

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def _search(self, query: str) -> None:
        try:
            self.mark_read()
            hits = search_notes(self.context.store, query, limit=LIMIT + 1)  # one more: "there are more"
        except StoreError as error:
            self.app.notify(str(error), severity="error", title="Search failed", markup=False)
            return
        self.post_message(self.Found(query, hits))

    def on_search_screen_found(self, message: Found) -> None:
        if message.query != self.query_one("#query", Input).value:
            return  # the user has typed on since
        # The same search again (back from a note): the same line stays chosen.
        same = message.query == self._shown_query
        self.hits = message.hits[:LIMIT]
        self._shown_query = message.query
        self._fill_results(keep_choice=same)
        more = len(message.hits) > LIMIT
        self.query_one("#search-summary", Static).update(self._summary(message.query, more))

    def on_resize(self) -> None:
        if self.hits:
            self.call_after_refresh(self._fill_results)  # lines wrapped again to the new width

    def _fill_results(self, keep_choice: bool = True) -> None:
        results = self.query_one("#results", OptionList)
        chosen = results.highlighted_option
        keep = chosen.id if chosen is not None and keep_choice else None
        options: list[Option] = []
        # the authors' names in a column as wide as the longest, up to a quarter of the screen
        width = min(max((len(hit.author_name) for hit in self.hits), default=0), self.size.width // 4)
        line_width = results.scrollable_content_region.width - 2  # an option's padding
        for group in by_session(self.hits):
            heading = Content.assemble(
                (f"{group.day:%a %-d %b} {group.start_time}  {group.session_title}", "bold")
            )
            options.append(Option(heading, id=f"session:{group.session_id}", disabled=True))
            options += [
                Option(self._render_hit(hit, width, line_width), id=self._option_id(hit))
                for hit in group.hits
            ]
        results.clear_options()
        results.add_options(options)
        if keep is not None:
            found = [i for i, option in enumerate(options) if option.id == keep]
            if found:
                results.highlighted = found[0]

    def _summary(self, query: str, more: bool) -> str:
        if not query.strip():
            return ""
        lines = len(self.hits)
        sessions = len({hit.session_id for hit in self.hits})
        if more:
            return f"the first {lines} lines, in {sessions} sessions: add words to narrow the search"
        if not lines:
            return "no line of anyone's notes has these words"
        return (
            f"{lines} line{'s' if lines != 1 else ''} in {sessions} session{'s' if sessions != 1 else ''}"
            " · enter opens the note at the line"
        )

    @staticmethod
    def _option_id(hit: SearchHit) -> str:
        return f"{hit.note_id}:{hit.line_no}"

    @staticmethod
    def _render_hit(hit: SearchHit, author_width: int, width: int) -> Content:
        """The author, then the line, wrapped under itself (not under the author's name)."""
        line = Content(hit.line)  # the reviewer's text, never read as markup
        for start, end in term_spans(hit.line, hit.terms):
            line = line.stylize("bold reverse", start, end)
        column = author_width + 4
        author = Content.styled(("  " + hit.author_name)[: column - 2].ljust(column), "italic")
        rows = line.wrap(max(20, width - column))
        indent = Content(" " * column)
        return Content("\n").join([author + rows[0], *(indent + row for row in rows[1:])])

    @on(OptionList.OptionSelected, "#results")
    def _open(self, event: OptionList.OptionSelected) -> None:
        chosen = next((hit for hit in self.hits if self._option_id(hit) == event.option.id), None)
        if chosen is not None:
            self.post_message(
                self.OpenNote(chosen.session_id, chosen.author_id, chosen.line_no, back="search")
            )
