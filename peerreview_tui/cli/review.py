"""Commands for the review itself: the schedule file, the database, the app."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import click

from .. import paths
from ..schedule import LoadedSchedule, Problem, ScheduleError, load_schedule
from ..store import Store, week
from ..store.backup import list_backups
from ..store.connection import is_encrypted
from .common import (
    DB_OPTION,
    DB_OPTION_NO_DEMO,
    fail,
    new_passphrase,
    open_store,
    review_path,
)


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
@click.argument("schedule_file", type=click.Path(path_type=Path), required=False)
@DB_OPTION_NO_DEMO
@click.option(
    "--encrypt",
    is_flag=True,
    help="Encrypt the database with a passphrase (asked twice, or $PEERREVIEW_PASSPHRASE).",
)
@click.option(
    "--from",
    "from_bundle",
    type=click.Path(path_type=Path),
    metavar="BUNDLE",
    help="Start from the lead's bundle instead of a schedule file (same as 'peerreview join').",
)
@click.option("--as", "me", metavar="REVIEWER_ID", help="With --from: who you are in the review.")
@click.pass_context
def init(
    ctx: click.Context,
    schedule_file: Path | None,
    db_path: Path | None,
    encrypt: bool,
    from_bundle: Path | None,
    me: str | None,
) -> None:
    """Create a review database from a schedule file, or from the lead's bundle (--from)."""
    if from_bundle is not None:
        from .sync import join

        if schedule_file is not None:
            fail("give a schedule file or --from BUNDLE, not both")
        ctx.invoke(join, bundle_file=from_bundle, me=me, db_path=db_path)
        return
    if schedule_file is None:
        fail("give the schedule file (or --from BUNDLE to start from the lead's bundle)")
    path = paths.resolve_db_path(db_path)
    loaded = _load(schedule_file)
    if not path.exists() or path.stat().st_size == 0:
        store = Store.open(path, create=True, passphrase=new_passphrase(path) if encrypt else None)
    else:
        store = open_store(path, create=True)
        review = store.review()
        if review is not None:
            store.close()
            fail(
                f"{path} already holds review '{review.id}'; use 'peerreview reload' to apply a revised schedule"
            )
        if encrypt and not store.encrypted:
            store.close()
            fail(f"{path} exists and is not encrypted; run 'peerreview encrypt' once the review is created")
    with store:
        week.apply_schedule(store, loaded.schedule, _sha256(schedule_file))
    encrypt = store.encrypted
    s = loaded.schedule
    click.echo(
        f"Created {'encrypted ' if encrypt else ''}review '{s.review.id}' at {path}: {len(s.days)} days, "
        f"{len(s.sessions())} sessions, {len(s.reviewers)} reviewers, {len(s.focus_areas)} focus areas."
    )
    if encrypt:
        click.echo("Keep the passphrase safe: without it nobody, you included, can read these notes.")


@click.command()
@click.argument("schedule_file", type=click.Path(path_type=Path))
@DB_OPTION
def reload(schedule_file: Path, db_path: Path | None) -> None:
    """Apply a revised schedule to a review, keeping every note."""
    loaded = _load(schedule_file)
    with open_store(review_path(db_path)) as store, store.backup_if_changed("reload") as saved:
        changes = week.apply_schedule(store, loaded.schedule, _sha256(schedule_file))
    click.echo(f"Reloaded {schedule_file.name}: {changes.summary()}.")
    if saved.path is not None:
        click.echo(f"A backup from before the reload: {saved.path}")


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
        if not p.exists():
            return "  (not created yet)"
        return "  (encrypted)" if p.is_file() and is_encrypted(p) else ""

    in_use = "  (not created yet: commands use the demo)" if paths.uses_demo(db_path) else state(path)
    click.echo(f"data folder:  {paths.data_dir()}{state(paths.data_dir())}")
    click.echo(f"database:     {path}{in_use}")
    click.echo(f"backups:      {paths.backups_dir(path)}  ({len(list_backups(path))} kept)")
    click.echo(f"demo:         {demo}{state(demo)}")


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
