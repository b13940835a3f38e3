"""Export the feedback letter or the presentation, with the non-attribution check before it."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from ...export.documents import FORMATS, AttributionError, Exported, default_path, export_document
from ...store import Store, StoreError
from ..widgets.footer import KeysFooter


class ExportModal(ModalScreen[Path | None]):
    DEFAULT_CSS = """
    ExportModal { align: center middle; }
    ExportModal > VerticalScroll {
        width: 96; height: auto; max-height: 90%; border: thick $primary; background: $surface; padding: 0 1;
    }
    ExportModal Label { margin-top: 1; color: $text-muted; }
    ExportModal #kinds { height: auto; }
    ExportModal #kinds Select { width: 1fr; }
    ExportModal #problems { margin-top: 1; }
    ExportModal #buttons { height: 3; margin-top: 1; align-horizontal: right; }
    """
    AUTO_FOCUS = ""  # the first field, in on_mount: not the scrolling box, and not centred
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="export.cancel"),
        Binding("ctrl+s", "export", "Export", id="export.go"),
    ]

    class Done(Message):
        def __init__(
            self, exported: Exported | None, problem: str | None, blocked: AttributionError | None
        ) -> None:
            super().__init__()
            self.exported = exported
            self.problem = problem
            self.blocked = blocked

    def __init__(self, store: Store, what: str = "letter", folder: Path | None = None) -> None:
        super().__init__()
        self.store = store
        self.what = what
        self.folder = folder or Path.cwd()
        self.allowed: list[str] = []

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Label("Export the letter or the presentation from the findings", classes="title")
            with Horizontal(id="kinds"):
                yield Select(
                    [("Feedback letter", "letter"), ("Feedback presentation", "slides")],
                    value=self.what,
                    allow_blank=False,
                    id="what",
                )
                yield Select(
                    self._formats(self.what), value=FORMATS[self.what][0], allow_blank=False, id="format"
                )
            yield Checkbox("Include draft findings (marked \\[DRAFT]; not for sending)", id="drafts")
            yield Label("Write to")
            yield Input(str(self._default()), id="path")
            yield Label(
                "Letterhead template (.docx, optional: its header, footer and logo are kept)",
                id="template-label",
            )
            yield Input(placeholder="path to a letterhead .docx", id="template")
            yield Static("", id="problems")
            with Horizontal(id="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Export", variant="primary", id="export")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#what", Select), scroll_visible=False)

    @staticmethod
    def _formats(what: str) -> list[tuple[str, str]]:
        labels = {"docx": "Word (.docx)", "pptx": "PowerPoint (.pptx)", "md": "Markdown (.md)"}
        return [(labels[fmt], fmt) for fmt in FORMATS[what]]

    def _default(self) -> Path:
        what = str(self.query_one("#what", Select).value) if self.is_mounted else self.what
        fmt = str(self.query_one("#format", Select).value) if self.is_mounted else FORMATS[what][0]
        return default_path(self.store, what, fmt, self.folder)

    @on(Select.Changed, "#what")
    def _what_changed(self, event: Select.Changed) -> None:
        what = str(event.value)
        formats = self.query_one("#format", Select)
        formats.set_options(self._formats(what))
        formats.value = FORMATS[what][0]
        letter = what == "letter"
        self.query_one("#template").display = letter
        self.query_one("#template-label").display = letter
        self.allowed = []

    @on(Select.Changed, "#format")
    def _format_changed(self) -> None:
        self.query_one("#path", Input).value = str(self._default())

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id in ("export", "keep"):
            self.action_export(keep=event.button.id == "keep")
        else:
            self.action_cancel()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_export(self, keep: bool = False) -> None:
        """Export; with ``keep``, the phrases the check flagged last time are kept deliberately."""
        what = str(self.query_one("#what", Select).value)
        fmt = str(self.query_one("#format", Select).value)
        path = Path(self.query_one("#path", Input).value.strip() or str(self._default())).expanduser()
        template_text = self.query_one("#template", Input).value.strip()
        template = (
            Path(template_text).expanduser() if template_text and what == "letter" and fmt == "docx" else None
        )
        self.query_one("#problems", Static).update(Text("Writing…", style="dim"))
        allow = list(self.allowed) if keep else []
        drafts = self.query_one("#drafts", Checkbox).value
        self._export(what, fmt, path, drafts, allow, template, accept=keep)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _export(
        self,
        what: str,
        fmt: str,
        path: Path,
        drafts: bool,
        allow: list[str],
        template: Path | None,
        *,
        accept: bool,
    ) -> None:
        """``accept``: the exporter has read the possible names listed and exports all the same."""
        try:
            exported = export_document(
                self.store,
                what,
                fmt,
                path,
                include_drafts=drafts,
                allow=allow,
                template=template,
                accept_warnings=accept,
            )
        except AttributionError as blocked:
            self.post_message(self.Done(None, None, blocked))
        except (StoreError, OSError, ValueError) as error:
            self.post_message(self.Done(None, str(getattr(error, "strerror", None) or error), None))
        else:
            self.post_message(self.Done(exported, None, None))

    def on_export_modal_done(self, message: Done) -> None:
        problems = self.query_one("#problems", Static)
        if message.exported is not None:
            exported = message.exported
            extra = (
                f"; {exported.drafts_left_out} draft findings left out" if exported.drafts_left_out else ""
            )
            self.app.notify(f"Written to {exported.path}{extra}", title="Exported")
            for warning in exported.warnings:
                self.app.notify(warning, title="Left out of the document", severity="warning", timeout=15)
            self.dismiss(exported.path)
            return
        if message.problem:
            problems.update(Text(f"Not written: {message.problem}", style="bold red"))
            self.call_after_refresh(problems.scroll_visible)
            return
        blocked = message.blocked
        assert blocked is not None
        out = Text("Nothing was written. The check for attribution found:\n", style="bold red")
        for hit in blocked.hits:
            out.append(f"  • name '{hit.phrase}' in {hit.where}: …{hit.excerpt}…\n", style="")
        for hit in blocked.warnings:
            out.append(
                f"  • '{hit.phrase}' next to words of speech in {hit.where}: …{hit.excerpt}…\n", style=""
            )
        for hit in blocked.possible_names:
            out.append(
                f"  • '{hit.phrase}' may be someone's name (not in the schedule) in {hit.where}: "
                f"…{hit.excerpt}…\n",
                style="",
            )
        out.append(
            "\nRephrase the finding (or choose another quote), or, having checked them, keep these "
            "phrases and export.",
            style="italic",
        )
        problems.update(out)
        self.call_after_refresh(problems.scroll_visible)
        self.allowed = sorted(
            {hit.phrase for hit in [*blocked.hits, *blocked.warnings, *blocked.possible_names]}
        )
        buttons = self.query_one("#buttons", Horizontal)
        if not self.query("#keep"):
            buttons.mount(Button("Keep these phrases and export", variant="warning", id="keep"), before=0)
