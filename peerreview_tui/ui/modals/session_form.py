"""Add a session, or move one (day, time, room), retitle it, swap its reviewers."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Input, Label, Select, SelectionList

from ...models import SessionKind, SessionRow, parse_time
from ..context import ReviewContext
from .form import FormModal, form_bindings


class SessionFormModal(FormModal):
    """Returns the fields to write, or None when cancelled. Clashes never block a change:
    the schedule shows them as warnings afterwards."""

    DEFAULT_CSS = """
    SessionFormModal { align: center middle; }
    SessionFormModal > VerticalScroll {
        width: 80; height: 90%; border: thick $primary; background: $surface; padding: 0 1;
    }
    SessionFormModal Label { margin-top: 1; color: $text-muted; }
    SessionFormModal SelectionList { height: auto; max-height: 8; }
    SessionFormModal #times { height: auto; }
    SessionFormModal #times Input { width: 1fr; }
    SessionFormModal #buttons { height: 3; margin-top: 1; align-horizontal: right; }
    SessionFormModal #error { color: $error; margin-top: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = form_bindings("form")

    def __init__(self, context: ReviewContext, session: SessionRow | None = None, day: dt.date | None = None):
        super().__init__()
        self.context = context
        self.session = session
        self.day = session.day if session else day or context.current_day

    def compose(self) -> ComposeResult:
        s = self.session
        with VerticalScroll():
            yield Label("Move or change session" if s else "Add a session", classes="title")
            yield Label("Title")
            yield Input(s.title if s else "", id="title", placeholder="e.g. Reality testing: MASH decisions")
            yield Label("Kind")
            yield Select(
                [(kind.label, kind.value) for kind in SessionKind],
                value=(s.kind.value if s else SessionKind.INTERVIEW.value),
                allow_blank=False,
                id="kind",
            )
            yield Label("Day")
            yield Select(
                [(day.label, day.id.isoformat()) for day in self.context.days],
                value=self.day.isoformat(),
                allow_blank=False,
                id="day",
            )
            yield Label("Start and end (HH:MM)")
            with Horizontal(id="times"):
                yield Input(s.start_time if s else "", id="start", placeholder="14:00")
                yield Input(s.end_time if s else "", id="end", placeholder="15:00")
            yield Label("Room")
            yield Input(s.location if s else "", id="location")
            yield Label("Reviewers")
            chosen = set(s.reviewers if s else [self.context.me] if self.context.me else [])
            yield SelectionList[str](
                *[(f"{r.name} ({r.role})", r.id, r.id in chosen) for r in self.context.reviewers],
                id="reviewers",
            )
            yield Label("Focus areas")
            areas = set(s.focus_areas if s else [])
            yield SelectionList[str](
                *[(a.title, a.id, a.id in areas) for a in self.context.focus_areas], id="areas"
            )
            yield from self.compose_end()

    def fields(self) -> dict[str, Any] | None:
        title = self.query_one("#title", Input).value.strip()
        start = parse_time(self.query_one("#start", Input).value)
        end = parse_time(self.query_one("#end", Input).value)
        problem, field = (
            ("Give the session a title.", "title")
            if not title
            else ("Start is not a time (HH:MM).", "start")
            if start is None
            else ("End is not a time (HH:MM).", "end")
            if end is None
            else ("End must be after start.", "end")
            if end <= start
            else ("", "")
        )
        if problem:
            self.refuse(problem, field)
            return None
        return {
            "title": title,
            "kind": self.query_one("#kind", Select).value,
            "day": dt.date.fromisoformat(str(self.query_one("#day", Select).value)),
            "start_time": start,
            "end_time": end,
            "location": self.query_one("#location", Input).value.strip(),
            "reviewers": list(self.query_one("#reviewers", SelectionList).selected),
            "focus_areas": list(self.query_one("#areas", SelectionList).selected),
        }
