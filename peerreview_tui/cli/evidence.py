"""Evidence and findings from the shell: imports, the coverage matrix, the findings list."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from ..coverage import compute_coverage, format_coverage
from ..findings_text import format_findings
from ..imports import CsvImportError, import_performance, import_questionnaire
from ..models import FindingStatus
from ..store import Store, findings, week
from .common import DB_OPTION, acting_reviewer, fail, open_review

AS_OPTION = click.option(
    "--as", "me", metavar="REVIEWER_ID", help="Who is acting (default: this laptop's reviewer)."
)


@click.group("import")
def import_() -> None:
    """Bring in evidence from other sources (CSV)."""


def _run_import(
    importer: Callable[[Store, Path, str], int],
    what: str,
    csv_file: Path,
    me: str | None,
    db_path: Path | None,
) -> None:
    with open_review(db_path) as store:
        actor = acting_reviewer(store, me)
        try:
            count = importer(store, csv_file, actor)
        except CsvImportError as error:
            for problem in error.problems:
                click.echo(problem, err=True)
            fail(f"nothing was imported from {csv_file.name}")
    click.echo(f"Imported {count} {what} from {csv_file.name}; they show in the coverage matrix.")


@import_.command("performance")
@click.argument("csv_file", type=click.Path(path_type=Path))
@AS_OPTION
@DB_OPTION
def import_performance_(csv_file: Path, me: str | None, db_path: Path | None) -> None:
    """Performance indicators: indicator, period, value[, statistical_neighbours, england, note, focus_area]."""
    _run_import(import_performance, "indicators", csv_file, me, db_path)


@import_.command("questionnaire")
@click.argument("csv_file", type=click.Path(path_type=Path))
@AS_OPTION
@DB_OPTION
def import_questionnaire_(csv_file: Path, me: str | None, db_path: Path | None) -> None:
    """The online questionnaire: question, option, count[, focus_area]; or one row per respondent."""
    _run_import(import_questionnaire, "questions", csv_file, me, db_path)


@click.command()
@click.option(
    "--day", type=click.IntRange(1, 31), help="Only the evidence of day N of the review (1 = the first day)."
)
@click.option("--reviewer", metavar="REVIEWER_ID", help="Only this reviewer's evidence.")
@DB_OPTION
def coverage(day: int | None, reviewer: str | None, db_path: Path | None) -> None:
    """Focus areas × sources: how much evidence, and where it is thin."""
    with open_review(db_path) as store:
        days = week.days(store)
        if day is not None and day > len(days):
            fail(f"the review has {len(days)} days")
        if reviewer is not None:
            acting_reviewer(store, reviewer)
        matrix = compute_coverage(store, day=days[day - 1].id if day else None, author=reviewer)
        titles = {area.id: area.title for area in week.focus_areas(store)}
    click.echo(format_coverage(matrix, titles))


@click.command("findings")
@click.option(
    "--status",
    type=click.Choice([s.value for s in FindingStatus]),
    help="Only draft or only agreed findings.",
)
@DB_OPTION
def findings_(status: str | None, db_path: Path | None) -> None:
    """The findings with their triangulation badges."""
    with open_review(db_path) as store:
        views = findings.list_findings(store, status=FindingStatus(status) if status else None)
        titles = {area.id: area.title for area in week.focus_areas(store)}
    click.echo(format_findings(views, titles))
