"""Notes from the shell: append a drafted note (exporting them is in ``exports``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .common import DB_OPTION, check_reviewer, check_session, fail, open_review


@click.group()
def note() -> None:
    """Notes written outside the app."""


@note.command("add")
@click.argument("session_id")
@click.option("--as", "me", metavar="REVIEWER_ID", required=True, help="Whose note it is.")
@click.option(
    "--file",
    "source",
    type=click.File("r", encoding="utf-8"),
    default="-",
    help="Text to append (default: standard input).",
)
@DB_OPTION
def note_add(session_id: str, me: str, source: Any, db_path: Path | None) -> None:
    """Append text to a reviewer's note for a session; marks in it count like typed ones."""
    from ..store import notes

    with open_review(db_path) as store:
        check_reviewer(store, me)
        check_session(store, session_id)
        text = source.read()
        if not text.strip():
            fail("nothing to add: the text is empty")
        saved = notes.append_to_note(store, session_id, me, text.rstrip("\n") + "\n")
    lines = text.rstrip("\n").count("\n") + 1
    click.echo(
        f"Added {lines} line{'s' if lines != 1 else ''} to {me}'s note for {session_id} "
        f"(now {len(saved.body.splitlines())} lines)."
    )
