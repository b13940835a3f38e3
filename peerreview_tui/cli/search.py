"""Search everyone's notes from the shell: the same lines, grouped the same way, as the app's f3."""

from __future__ import annotations

from pathlib import Path

import click

from ..store.search import LIMIT, by_session, search_notes
from .common import DB_OPTION, open_review


@click.command()
@click.argument("words", nargs=-1, required=True)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=LIMIT,
    show_default=True,
    help="Show at most this many lines.",
)
@DB_OPTION
def search(words: tuple[str, ...], limit: int, db_path: Path | None) -> None:
    """Every line of the notes holding WORDS (the last may be the start of a word), by session,
    with whose note it is. The lines of the note template are left out."""
    query = " ".join(words)
    with open_review(db_path) as store:
        hits = search_notes(store, query, limit=limit + 1)  # one more: "there are more"
    shown = hits[:limit]
    groups = by_session(shown)
    width = max((len(hit.author_name) for hit in shown), default=0)
    for group in groups:
        click.echo(f"{group.day:%a %-d %b} {group.start_time}  {group.session_title}")
        for hit in group.hits:
            click.echo(f"  {hit.author_name:<{width}}  {hit.line}")
    lines, sessions = len(shown), len(groups)
    if len(hits) > limit:
        click.echo(
            f"The first {lines} lines, in {sessions} sessions: add words to narrow the search.", err=True
        )
    elif not lines:
        click.echo("No line of anyone's notes has these words.", err=True)
    else:
        click.echo(
            f"{lines} line{'s' if lines != 1 else ''} in {sessions} session{'s' if sessions != 1 else ''}.",
            err=True,
        )
