"""What every command shares: the --db option, friendly errors, and who is acting."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any, NoReturn

import click

from .. import paths
from ..store import Store, StoreError, week
from ..store.connection import explain

DB_OPTION = click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Review database (default: $PEERREVIEW_DB, else review.db in the data folder).",
)


class FriendlyGroup(click.Group):
    """Turns the errors users can cause into one line and a non-zero exit, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except StoreError as error:
            raise click.ClickException(str(error)) from None
        except sqlite3.Error as error:
            raise click.ClickException(explain(error)) from None


def open_review(db_path: Path | None) -> Store:
    return Store.open(paths.resolve_db_path(db_path))


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
