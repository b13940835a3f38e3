"""The line above a note that names its session: title, day, time, place and whose note it is,
fitted to the width it has."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from ...names import shorten
from ...rows import SessionRow, SessionStatus

MIN_TITLE = 20  # a title cut shorter says too little: the line's end goes instead


class SessionLine(Widget):
    """At full width: 'Focus group: social workers  Mon 10 Sep 14:00–15:30 · Northgate House ·
    your note'. Narrower, what is least needed goes first: the date (the day's name stays), the
    place, then the owner's longer words (``owner_short``: what the screen says elsewhere), then
    the end of the title, cut at a word (the header and the schedule have it whole). The day,
    the time and whose note it is stay."""

    DEFAULT_CSS = """
    SessionLine { height: 1; padding: 0 1; background: $boost; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.session: SessionRow | None = None
        self.owner = ""  # 'your note', "Angela Osei's note (read only)"
        self.owner_short = ""  # the same in fewer words, for when the title would be cut

    def show(self, session: SessionRow, owner: str, owner_short: str | None = None) -> None:
        self.session, self.owner, self.owner_short = session, owner, owner_short or owner
        self.refresh()

    def render(self) -> Text:
        if self.session is None:
            return Text("")
        return fit_session_line(self.session, self.owner, self.owner_short, self.size.width)


def fit_session_line(s: SessionRow, owner: str, owner_short: str, width: int) -> Text:
    """The fullest line that fits ``width`` (see SessionLine)."""
    status = {SessionStatus.DONE: ("  ✓ done", "green"), SessionStatus.CANCELLED: ("  cancelled", "red")}
    end = status.get(s.status, ("", ""))
    times = f"{s.start_time}–{s.end_time}"
    date, day = f"{s.day:%a %-d %b}", f"{s.day:%a}"

    def line(title: str, when: str, where: str, who: str) -> Text:
        return Text.assemble(
            (title, "bold"),
            f"  {when} {times} · ",
            f"{where} · " if where else "",
            (who, "italic"),
            end,
            no_wrap=True,
            overflow="ellipsis",  # narrower than any laptop's terminal: the end goes
        )

    for when, where in ((date, s.location), (day, s.location), (date, ""), (day, "")):
        whole = line(s.title, when, where, owner)
        if whole.cell_len <= width:
            return whole
    room = width - line("", day, "", owner_short).cell_len
    return line(shorten(s.title, max(room, MIN_TITLE)), day, "", owner_short)
