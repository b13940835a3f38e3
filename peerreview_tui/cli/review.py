"""Commands for the review itself: the schedule file, the database, the app."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import click

from .. import paths
from ..keymap import KeymapError, load_keymap
from ..schedule import LoadedSchedule, Problem, ScheduleError, load_schedule
from ..store import Store, week
from ..store.backup import list_backups
from .common import DB_OPTION, check_reviewer, check_session, fail


@click.command()
@click.argument("schedule_file", type=click.Path(path_type=Path))
def check(schedule_file: Path) -> None:
    """Check a schedule file without loading it. Exit 1 if it has errors."""
    loaded = _load(schedule_file)
    s = loaded.schedule
    click.echo(
        f"{schedule_file.name}: ok: {len(s.days)} days, {len(s.sessions())} sessions, "
        f"{len(s.reviewers)} reviewers, {len(s.focus_areas)} focus areas"
    )


@click.command()
@click.argument("schedule_file", type=click.Path(path_type=Path))
@DB_OPTION
def init(schedule_file: Path, db_path: Path | None) -> None:
    """Create a review database from a schedule file."""
    path = paths.resolve_db_path(db_path)
    loaded = _load(schedule_file)
    if path.exists() and path.stat().st_size > 0:
        with Store.open(path, create=True) as existing:
            review = existing.review()
        if review is not None:
            fail(f"{path} already holds review '{review.id}'; use 'peerreview reload' to apply a revised schedule")
    with Store.open(path, create=True) as store:
        week.apply_schedule(store, loaded.schedule, _sha256(schedule_file))
    s = loaded.schedule
    click.echo(
        f"Created review '{s.review.id}' at {path}: {len(s.days)} days, {len(s.sessions())} sessions, "
        f"{len(s.reviewers)} reviewers, {len(s.focus_areas)} focus areas."
    )


@click.command()
@click.argument("schedule_file", type=click.Path(path_type=Path))
@DB_OPTION
def reload(schedule_file: Path, db_path: Path | None) -> None:
    """Apply a revised schedule to a review, keeping every note."""
    loaded = _load(schedule_file)
    with Store.open(paths.resolve_db_path(db_path)) as store:
        saved = store.backup()
        changes = week.apply_schedule(store, loaded.schedule, _sha256(schedule_file))
    click.echo(f"Reloaded {schedule_file.name}: {changes.summary()}.")
    click.echo(f"A backup from before the reload: {saved}")


@click.command()
def schema() -> None:
    """Print the JSON Schema of the schedule file, for editors."""
    from ..models import Schedule

    click.echo(json.dumps(Schedule.model_json_schema(), indent=2))


@click.command()
@DB_OPTION
def locate(db_path: Path | None) -> None:
    """Print where reviews, backups and the demo live."""
    path = paths.resolve_db_path(db_path)
    demo = paths.demo_db_path()

    def state(p: Path) -> str:
        return "" if p.exists() else "  (not created yet)"

    click.echo(f"data folder:  {paths.data_dir()}{state(paths.data_dir())}")
    click.echo(f"database:     {path}{state(path)}")
    click.echo(f"backups:      {paths.backups_dir(path)}  ({len(list_backups(path))} kept)")
    click.echo(f"demo:         {demo}{state(demo)}")


@click.command()
@DB_OPTION
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

    store = Store.open(path)
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
        PeerReviewApp(context, open_session=session_id, keymap=keymap).run()
    finally:
        store.close()


@click.command("open")
@DB_OPTION
@click.option("--as", "me", metavar="REVIEWER_ID", help="Whose laptop this is (remembered after the first time).")
@click.option("--session", "session_id", metavar="SESSION_ID", help="Go straight to your note for this session.")
def open_(db_path: Path | None, me: str | None, session_id: str | None) -> None:
    """Open a review in the app."""
    _open_app(paths.resolve_db_path(db_path), me, session_id)


def _load(schedule_file: Path) -> LoadedSchedule:
    try:
        loaded = load_schedule(schedule_file)
    except ScheduleError as error:
        _print_problems(error.problems)
        raise SystemExit(1) from None
    for warning in loaded.warnings:
        click.echo(f"warning: {warning}", err=True)
    return loaded


def _print_problems(problems: list[Problem]) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)
    count = len(problems)
    click.echo(f"{count} error{'s' if count != 1 else ''}; nothing was loaded", err=True)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
