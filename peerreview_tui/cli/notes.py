"""Notes from the shell: append a drafted note (exporting them is in ``exports``)."""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Any

import click

from ..store import StoreError
from .common import DB_OPTION, check_reviewer, check_session, fail, open_review

# What Windows tools write when they do not write UTF-8: Notepad's "Unicode" (UTF-16 with a
# byte order mark), and the "ANSI" code page of Western Europe, Windows-1252.
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
WINDOWS = "cp1252"


@click.group()
def note() -> None:
    """Notes written outside the app."""


@note.command("add")
@click.argument("session_id")
@click.option("--as", "me", metavar="REVIEWER_ID", required=True, help="Whose note it is.")
@click.option(
    "--file",
    "source",
    type=click.File("rb"),
    default="-",
    help="Text to append, UTF-8 (default: standard input). Windows text is read too, and said so.",
)
@DB_OPTION
def note_add(session_id: str, me: str, source: Any, db_path: Path | None) -> None:
    """Append text to a reviewer's note for a session; marks in it count like typed ones.
    It waits for a review another program is writing to (up to a few seconds)."""
    from ..store import notes, week

    name = getattr(source, "name", "-")
    where = "standard input" if name in ("-", "<stdin>") else name
    text, read_as = decode_text(source.read(), where)
    if not text.strip():
        fail("nothing to add: the text is empty")
    with open_review(db_path) as store:
        check_reviewer(store, me)
        check_session(store, session_id)
        try:
            saved = notes.append_to_note(store, session_id, me, text.rstrip("\n") + "\n")
        except StoreError as error:
            fail(f"nothing was added: {error}")
        session = week.session(store, session_id)
        title = f"{session.day:%a %-d %b} {session.start_time} {session.title}" if session else session_id
        name = next((r.name for r in week.reviewers(store) if r.id == me), me)
    if read_as:
        click.echo(read_as, err=True)
    added, total = text.rstrip("\n").count("\n") + 1, len(saved.body.splitlines())
    click.echo(f"Added {_lines(added)} to {name}'s note for {title} (now {_lines(total)}).")


def _lines(n: int) -> str:
    return f"{n} line" if n == 1 else f"{n} lines"


def decode_text(raw: bytes, where: str) -> tuple[str, str | None]:
    """The text of ``raw`` (Windows line ends made plain), and a line to say how it was read
    when it was not UTF-8. Text in no encoding we know is refused, naming the first bad byte."""
    if raw.startswith(_UTF16_BOMS):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            fail(f"{where} starts like UTF-16 text but is not; nothing was added; save it as UTF-8")
        read_as: str | None = f"note: {where} was read as UTF-16 (it starts with a byte order mark)."
    else:
        try:
            text, read_as = raw.decode("utf-8-sig"), None
        except UnicodeDecodeError as error:
            line = raw.count(b"\n", 0, error.start) + 1
            bad = f"byte {raw[error.start]:#04x} on line {line}"
            try:
                text = raw.decode(WINDOWS)
            except UnicodeDecodeError:
                fail(
                    f"{where} is not UTF-8 ({bad}) nor Windows-1252 text; nothing was added; "
                    "save it as UTF-8 and try again"
                )
            read_as = (
                f"note: {where} is not UTF-8 ({bad}); it was read as Windows-1252 (cp1252), "
                "the usual Windows code page: check the note reads right."
            )
    return text.replace("\r\n", "\n"), read_as
