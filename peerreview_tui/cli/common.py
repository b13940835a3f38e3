"""What every command shares: the --db option, the passphrase, friendly errors, and who is acting."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, NoReturn

import click

from .. import paths
from ..store import Store, StoreError, week
from ..store.connection import PassphraseNeeded, db_errors, explain
from ..store.unfinished import settle_files

PASSPHRASE_ENV = "PEERREVIEW_PASSPHRASE"
NEW_PASSPHRASE_ENV = "PEERREVIEW_NEW_PASSPHRASE"  # for 'rekey' in scripts
MIN_PASSPHRASE = 8

DB_HELP = (
    "Review database (default: $PEERREVIEW_DB, else review.db in the data folder, else, while "
    "there is no review.db, the demo's demo.db there; 'peerreview locate' shows where)."
)
DB_OPTION = click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), help=DB_HELP)
# For the commands that make or rewrite the database file itself (init, join, encrypt): never the
# demo unless it is named.
DB_OPTION_NO_DEMO = click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Review database (default: $PEERREVIEW_DB, else review.db in the data folder; "
    "'peerreview locate' shows where).",
)


class FriendlyGroup(click.Group):
    """Turns the errors users can cause into one line and a non-zero exit, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except StoreError as error:
            raise click.ClickException(str(error)) from None
        except db_errors() as error:
            raise click.ClickException(explain(error)) from None


def open_review(db_path: Path | None) -> Store:
    """The review of ``--db`` (or the default, or the demo: see ``review_path``), asking for its
    passphrase if it is encrypted."""
    return open_store(review_path(db_path))


def review_path(db_path: Path | None) -> Path:
    """The review a command works on: ``--db``, else ``$PEERREVIEW_DB``, else ``review.db`` in
    the data folder; while there is none, the demo, and the command says so (on stderr)."""
    if paths.uses_demo(db_path):
        demo = paths.demo_db_path()
        click.echo(
            f"Using the demo review, {demo} (there is no {paths.default_db_path().name} in the data "
            "folder yet; --db chooses another).",
            err=True,
        )
        return demo
    return paths.resolve_db_path(db_path)


def open_store(path: Path, *, create: bool = False, check_later: bool = False) -> Store:
    """Open ``path``; a file that turns out encrypted is opened again with its passphrase
    (``PEERREVIEW_PASSPHRASE``, else asked for). A wrong one fails with one line. What settling
    an interrupted encrypt, purge or rekey did is said first (see ``store.unfinished``).
    ``check_later``: see ``Store.open``."""
    for notice in settle_files(path):  # what needs no passphrase, said before one is asked for
        click.echo(str(notice), err=True)
    try:
        store = Store.open(path, create=create, check_later=check_later)
    except PassphraseNeeded:
        store = Store.open(path, create=create, passphrase=passphrase_for(path), check_later=check_later)
    for notice in store.notices:
        click.echo(str(notice), err=True)
    return store


def passphrase_for(path: Path, *, env: str = PASSPHRASE_ENV) -> str:
    """The passphrase of an existing encrypted review (or bundle)."""
    given = os.environ.get(env)
    if given:
        return given
    return click.prompt(f"Passphrase for {path.name}", hide_input=True, err=True)


def new_passphrase(path: Path, *, env: str = PASSPHRASE_ENV) -> str:
    """A passphrase for encrypting ``path``: from ``env`` for scripts, else typed twice."""
    given = os.environ.get(env)
    if given:
        _check_new(given)
        return given
    while True:
        chosen: str = click.prompt(
            f"New passphrase for {path.name}", hide_input=True, confirmation_prompt=True, err=True
        )
        try:
            _check_new(chosen)
            return chosen
        except click.ClickException as error:
            click.echo(f"Error: {error.message}", err=True)


def _check_new(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        fail(f"a passphrase needs at least {MIN_PASSPHRASE} characters")
    if "\x00" in passphrase:
        fail("a passphrase cannot contain a NUL character")


def check_reviewer(store: Store, me: str) -> None:
    known = [r.id for r in week.reviewers(store)]
    if me not in known:
        fail(f"no reviewer '{me}' in this review; choose one of: {', '.join(known)}")


def acting_reviewer(store: Store, me: str | None) -> str:
    """--as, else whoever this laptop belongs to (remembered by the app)."""
    chosen = me or store.get_meta("me")
    if chosen is None:
        fail("say who you are with --as REVIEWER_ID")
    check_reviewer(store, chosen)
    return chosen


def check_session(store: Store, session_id: str) -> None:
    if week.session(store, session_id) is None:
        fail(f"no session '{session_id}' in this review")


def fail(message: str) -> NoReturn:
    raise click.ClickException(message)
