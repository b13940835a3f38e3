"""The `peerreview` command. Thin: each command parses options and calls the core.

The UI (textual) is imported only by the commands that open it, so `check` and `init` stay fast.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from importlib import resources
from pathlib import Path
from typing import Any, NoReturn

import click

from . import paths
from .keymap import KeymapError, load_keymap
from .schedule import LoadedSchedule, Problem, ScheduleError, load_schedule, parse_schedule
from .store import Store, StoreError
from .store import week
from .store.backup import list_backups
from .store.connection import explain

DB_OPTION = click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Review database (default: $PEERREVIEW_DB, else review.db in the data folder).",
)


class _FriendlyGroup(click.Group):
    """Turns the errors users can cause into one line and a non-zero exit, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except StoreError as error:
            raise click.ClickException(str(error)) from None
        except sqlite3.Error as error:
            raise click.ClickException(explain(error)) from None


@click.group(cls=_FriendlyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="peerreview-tui")
def main() -> None:
    """Peer review notes, evidence and findings, offline, in one SQLite file."""


@main.command()
@click.argument("schedule_file", type=click.Path(path_type=Path))
def check(schedule_file: Path) -> None:
    """Check a schedule file without loading it. Exit 1 if it has errors."""
    loaded = _load(schedule_file)
    s = loaded.schedule
    click.echo(
        f"{schedule_file.name}: ok: {len(s.days)} days, {len(s.sessions())} sessions, "
        f"{len(s.reviewers)} reviewers, {len(s.focus_areas)} focus areas"
    )


@main.command()
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
            _fail(f"{path} already holds review '{review.id}'; use 'peerreview reload' to apply a revised schedule")
    with Store.open(path, create=True) as store:
        week.apply_schedule(store, loaded.schedule, _sha256(schedule_file))
    s = loaded.schedule
    click.echo(
        f"Created review '{s.review.id}' at {path}: {len(s.days)} days, {len(s.sessions())} sessions, "
        f"{len(s.reviewers)} reviewers, {len(s.focus_areas)} focus areas."
    )


@main.command()
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


@main.command()
def schema() -> None:
    """Print the JSON Schema of the schedule file, for editors."""
    from .models import Schedule

    click.echo(json.dumps(Schedule.model_json_schema(), indent=2))


@main.command()
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


@main.command()
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
        schedule = example_schedule()
        with Store.open(path, create=True) as store:
            week.apply_schedule(store, schedule.schedule, hashlib.sha256(example_schedule_text()).hexdigest())
        click.echo(f"Demo review written to {path}", err=no_open is False)
    elif no_open:
        click.echo(f"Demo review is at {path}")
    if not no_open:
        _open_app(path)


def _open_app(path: Path, me: str | None = None, session_id: str | None = None) -> None:
    """Open the review in the app; errors found before the screen takes over print one line."""
    from .ui.app import PeerReviewApp
    from .ui.context import ReviewContext

    store = Store.open(path)
    try:
        context = ReviewContext.load(store)
        if me is not None:
            _check_reviewer(store, me)
            store.set_meta("me", me)
        context.me = me or store.get_meta("me")
        if session_id is not None and week.session(store, session_id) is None:
            _fail(f"no session '{session_id}' in this review")
        try:
            keymap = load_keymap()
        except KeymapError as error:
            _fail(str(error))
        PeerReviewApp(context, open_session=session_id, keymap=keymap).run()
    finally:
        store.close()


@main.command("open")
@DB_OPTION
@click.option("--as", "me", metavar="REVIEWER_ID", help="Whose laptop this is (remembered after the first time).")
@click.option("--session", "session_id", metavar="SESSION_ID", help="Go straight to your note for this session.")
def open_(db_path: Path | None, me: str | None, session_id: str | None) -> None:
    """Open a review in the app."""
    _open_app(paths.resolve_db_path(db_path), me, session_id)


@main.group()
def note() -> None:
    """Notes written outside the app."""


@note.command("add")
@click.argument("session_id")
@click.option("--as", "me", metavar="REVIEWER_ID", required=True, help="Whose note it is.")
@click.option("--file", "source", type=click.File("r", encoding="utf-8"), default="-",
              help="Text to append (default: standard input).")
@DB_OPTION
def note_add(session_id: str, me: str, source: Any, db_path: Path | None) -> None:
    """Append text to a reviewer's note for a session; marks in it count like typed ones."""
    from .store import notes

    with Store.open(paths.resolve_db_path(db_path)) as store:
        _check_reviewer(store, me)
        if week.session(store, session_id) is None:
            _fail(f"no session '{session_id}' in this review")
        text = source.read()
        if not text.strip():
            _fail("nothing to add: the text is empty")
        saved = notes.append_to_note(store, session_id, me, text.rstrip("\n") + "\n")
    lines = text.rstrip("\n").count("\n") + 1
    click.echo(f"Added {lines} line{'s' if lines != 1 else ''} to {me}'s note for {session_id} "
               f"(now {len(saved.body.splitlines())} lines).")


@main.group()
def export() -> None:
    """Write notes (and, later, the letter and slides) to files."""


@export.command("notes")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Markdown file to write (default: print to the terminal).")
@click.option("--session", "session_id", metavar="SESSION_ID", help="Only this session's notes.")
@DB_OPTION
def export_notes(output: Path | None, session_id: str | None, db_path: Path | None) -> None:
    """All notes as Markdown, by day and session, with authors and marks."""
    from .export.notes_markdown import notes_markdown

    with Store.open(paths.resolve_db_path(db_path)) as store:
        if session_id is not None and week.session(store, session_id) is None:
            _fail(f"no session '{session_id}' in this review")
        text = notes_markdown(store, session_id)
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
        output.chmod(0o600)
    except OSError as error:
        _fail(f"cannot write {output}: {error.strerror}")
    click.echo(f"Notes written to {output} (confidential: keep it safe).")


def _check_reviewer(store: Store, me: str) -> None:
    known = [r.id for r in week.reviewers(store)]
    if me not in known:
        _fail(f"no reviewer '{me}' in this review; choose one of: {', '.join(known)}")


def example_schedule_text() -> bytes:
    return resources.files("peerreview_tui").joinpath("data/schedule.example.yaml").read_bytes()


def example_schedule() -> LoadedSchedule:
    return parse_schedule(example_schedule_text(), "schedule.example.yaml")


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


def _fail(message: str) -> NoReturn:
    raise click.ClickException(message)
