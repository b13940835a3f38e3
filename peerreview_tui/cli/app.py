"""The commands that open the app: a review, or the demo.

The UI (textual) is imported when the app opens, after the review has been opened and checked.
"""

from __future__ import annotations

import gc
from pathlib import Path

import click

from .. import paths
from ..keymap import KeymapError, load_keymap
from .common import DB_OPTION, check_reviewer, check_session, fail, open_store, review_path


@click.command()
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where the demo review goes (default: demo.db in the data folder; 'peerreview locate' "
    "shows where). Other commands use it while there is no review.db there.",
)
@click.option("--no-open", is_flag=True, help="Only write the demo database; do not open the app.")
@click.option("--reset", is_flag=True, help="Start the demo afresh, discarding changes made to it.")
def demo(db_path: Path | None, no_open: bool, reset: bool) -> None:
    """Open a demo review of an invented council's week."""
    path = db_path or paths.demo_db_path()
    if reset:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    if not path.exists():
        from ..demo import build_demo

        try:
            build_demo(path)
        except BaseException:
            for suffix in ("", "-wal", "-shm"):  # never leave a half-made demo behind
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            raise
        click.echo(f"Demo review written to {path}", err=no_open is False)
    elif no_open:
        click.echo(f"Demo review is at {path}")
    if not no_open:
        _open_app(path)


def _open_app(path: Path, me: str | None = None, session_id: str | None = None) -> None:
    """Open the review in the app; errors found before the screen takes over print one line."""
    from ..ui.app import PeerReviewApp
    from ..ui.context import ReviewContext

    store = open_store(path, check_later=True)  # the app checks the file once its first screen is up
    try:
        context = ReviewContext.load(store)
        if me is not None:
            check_reviewer(store, me)
            store.set_meta("me", me)
        context.me = me or store.get_meta("me")
        if session_id is not None:
            check_session(store, session_id)
        try:
            keymap = load_keymap()
        except KeymapError as error:
            fail(str(error))
        app = PeerReviewApp(context, open_session=session_id, keymap=keymap)
        # What is loaded by now lives as long as the app: out of the collector's sight, the
        # collections that drawing the first screen sets off do not walk it all again (~10%
        # of the start-up, bench/).
        gc.freeze()
        app.process_ends_with_app = True
        app.run()
    finally:
        store.close()


@click.command("open")
@DB_OPTION
@click.option(
    "--as", "me", metavar="REVIEWER_ID", help="Whose laptop this is (remembered after the first time)."
)
@click.option(
    "--session", "session_id", metavar="SESSION_ID", help="Go straight to your note for this session."
)
def open_(db_path: Path | None, me: str | None, session_id: str | None) -> None:
    """Open a review in the app."""
    _open_app(review_path(db_path), me, session_id)
