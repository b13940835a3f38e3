"""F1: the keys and the marks, in one place."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

HELP = """\
# peerreview help

## Marks, typed at the start of a line in a note

| mark | means |
| --- | --- |
| `+` | a strength / good practice |
| `-` | an area for development |
| `?` | something to follow up |
| `!` | a quote worth keeping (never attributed) |
| `#tag` | anywhere on a line: the focus area it is evidence for |

Type `#` then Tab to complete a focus-area tag. A line can start with a
timestamp (`ctrl+t` inserts one): `[10:42] + supervision is regular #practice`.
Keep facts apart from your own reading of them: one point per line.

## Keys everywhere

| key | does |
| --- | --- |
| `f1` | this help |
| `f2` | the schedule |
| `f3` | search all notes |
| `f4` | coverage: focus areas × sources, where evidence is thin |
| `f5` | findings |
| `f6` | export the letter or the presentation |
| `f7` | exchange bundles with the team's laptops; settle conflicts |
| `ctrl+p` | every command, by name (also themes) |
| `ctrl+q` | quit (your note is saved first) |

## Schedule

| key | does |
| --- | --- |
| `enter` | open your note for the session |
| `1`–`7`, `[` `]` | choose the day |
| `m` | only my sessions / everyone's |
| `d` | mark the session done (again: planned) |
| `a` | add a session |
| `e` | move it, change its room or swap reviewers |
| `x` | cancel the session |

## Note

| key | does |
| --- | --- |
| `ctrl+t` | insert the time, like `[10:42]` |
| `ctrl+s` | save now (it also saves by itself within a second) |
| `ctrl+g` | mark the session done |
| `ctrl+z` / `ctrl+y` | undo / redo |
| `escape` | back to the schedule |

## Coverage

| key | does |
| --- | --- |
| `enter` | on a cell: list its evidence below |
| `space` | select an item; `f` makes a finding of the selected items |
| `o` | open the note an item came from, at its line |
| `t` | the evidence not tagged to a focus area; `g` tags the item |
| `n` | add a document the team read |

A cell marked `!` rests on one session or source only.

## Findings

| key | does |
| --- | --- |
| `n` / `e` | new finding / edit its wording |
| `a` / `d` | attach / detach evidence |
| `q` | choose a quote for the letter (never attributed) |
| `[` `]` | move it up / down in its list |
| `g` / `r` | agree it (the lead only) / back to draft |
| `h` | its history: who changed what, when |
| `delete` | delete it (asks first) |

The badge counts the sessions, kinds of source and reviewers behind a finding;
one session or one kind of source is marked "single source".

Status marks in the schedule: `·` planned, `✎` notes started, `✓` done,
`✗` cancelled, `⚠` a reviewer or room booked twice at once.
"""


class HelpModal(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpModal { align: center middle; }
    HelpModal > VerticalScroll {
        width: 84; max-height: 90%; border: thick $primary; background: $surface; padding: 0 1;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,f1,q", "dismiss", "Close", id="help.close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Markdown(HELP)
