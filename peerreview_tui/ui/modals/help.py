"""F1: the keys as they are bound now (read from the live bindings, so never stale) and the marks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Markdown

MARKS = """\
## Marks, typed at the start of a line in a note

| mark | means |
| --- | --- |
| `+` | a strength / good practice |
| `-` | an area for development |
| `?` | something to follow up |
| `!` | a quote worth keeping (never attributed) |
| `#tag` | anywhere on a line: the focus area it is evidence for |

Type `#` then Tab to complete a focus-area tag. A line can start with a
timestamp (the note's Time key inserts one): `[10:42] + supervision is regular #practice`.
Keep facts apart from your own reading of them: one point per line.

In the coverage matrix a cell marked `!` rests on one session or source only. A finding's badge
counts the sessions, kinds of source and reviewers behind it; one session or one kind of source
is marked "single source".

Status marks in the schedule: `·` planned, `✎` notes started, `✓` done,
`✗` cancelled, `⚠` a reviewer or room booked twice at once.

Keys can be moved to others in `keys.yaml` in the data folder (`schedule.mine: o`): the ids are
in the last column above.
"""

# What a screen's keys are headed by in F1, where its class name does not say it.
GROUP_TITLES = {"CaptureScreen": "Note", "NoteEditor": "Note editor", "PeerReviewApp": "Everywhere"}


@dataclass
class KeyRow:
    keys: list[str]
    description: str
    binding_id: str
    available: bool
    tooltip: str = ""  # the longer explanation, where the footer's word is not enough


def key_rows(screen: Screen[Any]) -> list[tuple[str, list[KeyRow]]]:
    """The keys of ``screen`` and the app, as they are bound now (remapped keys as remapped),
    grouped by where they are defined: those hidden from the footer too, and those not
    available at the moment marked so. Keys of Textual's own widgets and screens (cursor
    movement, text editing, tab) are left out."""
    app = screen.app
    focused = list(screen.focused.ancestors_with_self) if screen.focused else []
    nodes = [node for node in focused if not isinstance(node, (Screen, App))] + [screen, app]
    groups: list[tuple[str, list[KeyRow]]] = []
    for node in nodes:
        # Each node's own bindings with the keymap applied, as Textual binds them: the binding
        # chain itself would drop a screen's letter keys while an Input has the focus.
        bindings = node._bindings.copy()
        bindings.apply_keymap(app._keymap)
        rows: dict[str, KeyRow] = {}
        for _key, binding in bindings:
            # ours all have ids (the keymap needs them); Textual's own, but for the palette, are
            # the same on every screen (tab moves the focus)
            if not binding.description or binding.system or (binding.id is None and node is not app):
                continue
            row = rows.setdefault(
                binding.description, KeyRow([], binding.description, binding.id or "", False, binding.tooltip)
            )
            display = app.get_key_display(binding)
            if display not in row.keys:
                row.keys.append(display)
            # what the footer asks too: the screen's check_action (the ownership rule among others)
            row.available |= app._check_action_state(binding.action, node) is not False
        if rows:
            name = type(node).__name__
            title = GROUP_TITLES.get(name, name.removesuffix("Screen").removesuffix("Modal"))
            groups.append((title, list(rows.values())))
    return groups


def help_markdown(screen: Screen[Any]) -> str:
    out = ["# peerreview help\n"]
    for title, rows in key_rows(screen):
        out.append(f"## {title}\n\n| key | does | id |\n| --- | --- | --- |")
        for row in rows:
            keys = " ".join(f"`{key}`" for key in row.keys)
            does = f"{row.description}: {row.tooltip}" if row.tooltip else row.description
            if not row.available:
                does += " *(not now, or not yours)*"
            out.append(f"| {keys} | {does} | {row.binding_id} |")
        out.append("")
    return "\n".join(out) + "\n" + MARKS


class HelpModal(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpModal { align: center middle; }
    HelpModal > VerticalScroll {
        width: 84; max-height: 90%; border: thick $primary; background: $surface; padding: 0 1;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,f1,q", "dismiss", "Close", id="help.close")]

    def __init__(self, screen: Screen[Any]) -> None:
        super().__init__()
        self.help_text = help_markdown(screen)  # read now: this modal's own keys are not the help

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Markdown(self.help_text)
