"""Exports from the shell: everyone's notes, the feedback letter, the presentation, the day's
wash-up sheet.

The letter and the slides pass the non-attribution guard first: on a name, a single-person role
next to words of speech, or a possible name of someone not in the schedule (until accepted with
--accept-warnings), nothing is written. The output's suffix says the format (.docx, .pptx, .md,
or .pdf through LibreOffice). python-docx and python-pptx are imported only by the command that
writes with them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from ..export.documents import (
    SUFFIXES,
    AttributionError,
    Exported,
    FileExists,
    default_path,
    export_document,
    format_of,
)
from ..export.guard import GuardHit
from .common import DB_OPTION, check_session, fail, open_review

OUTPUT_HELP = (
    "File to write; its suffix is the format: {suffixes} (default: REVIEW-ID-{what}.{ext} in the "
    "review's export folder: the one last chosen in the app, else exports/ in the data folder). "
    "PDF needs LibreOffice."
)
FORCE_OPTION = click.option(
    "--force", is_flag=True, help="Replace the file if it exists (without it, nothing is overwritten)."
)
ALLOW_OPTION = click.option(
    "--allow",
    "allow",
    multiple=True,
    metavar="PHRASE",
    help="Keep this phrase although the attribution check flags it (repeatable).",
)
ACCEPT_OPTION = click.option(
    "--accept-warnings",
    is_flag=True,
    help="Write although the check lists possible names of people not in the schedule, once you "
    "have checked that none is a person's name.",
)
DRAFTS_OPTION = click.option(
    "--include-drafts", is_flag=True, help="Include findings not yet agreed, marked [DRAFT]."
)


F = TypeVar("F", bound=Callable[..., Any])


def _document_options(what: str, template_help: str, formats_help: str) -> Callable[[F], F]:
    """The options the letter and the slides share: output, template, drafts, format, guard."""
    suffixes = SUFFIXES[what]
    named = ", ".join(f".{s}" for s in suffixes[:-1]) + f" or .{suffixes[-1]}"
    options = [
        click.option(
            "-o",
            "--output",
            type=click.Path(dir_okay=False, path_type=Path),
            help=OUTPUT_HELP.format(suffixes=named, what=what, ext=suffixes[0]),
        ),
        click.option(
            "--template", type=click.Path(exists=True, dir_okay=False, path_type=Path), help=template_help
        ),
        DRAFTS_OPTION,
        click.option("--format", "fmt", type=click.Choice(suffixes), help=formats_help),
        ALLOW_OPTION,
        ACCEPT_OPTION,
        FORCE_OPTION,
        DB_OPTION,
    ]

    def decorate(command: F) -> F:
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


@click.group()
def export() -> None:
    """Write notes, the feedback letter or the presentation to files."""


@export.command("notes")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Markdown file to write (default: print to the terminal).",
)
@click.option("--session", "session_id", metavar="SESSION_ID", help="Only this session's notes.")
@FORCE_OPTION
@DB_OPTION
def export_notes(output: Path | None, session_id: str | None, force: bool, db_path: Path | None) -> None:
    """All notes as Markdown, by day and session, with authors and marks."""
    from ..export.notes_markdown import notes_markdown

    if output is not None and output.exists() and not force:
        _refuse_to_replace(output)
    warnings: list[str] = []
    with open_review(db_path) as store:
        if session_id is not None:
            check_session(store, session_id)
        text = notes_markdown(store, session_id, warnings)
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
        output.chmod(0o600)
    except OSError as error:
        fail(f"cannot write {output}: {error.strerror}")
    click.echo(f"Notes written to {output.absolute()} (confidential: keep it safe).")


@export.command("letter")
@_document_options(
    "letter",
    "Letterhead (.docx or .dotx): its headers, footers, logo and styles are kept.",
    "Without -o: Word (default), Markdown or PDF.",
)
@click.option(
    "--date",
    "letter_date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    metavar="YYYY-MM-DD",
    help="The date on the letter (default: review.letter.date in the schedule, else today).",
)
def export_letter(
    output: Path | None,
    template: Path | None,
    letter_date: dt.datetime | None,
    include_drafts: bool,
    fmt: str | None,
    allow: tuple[str, ...],
    accept_warnings: bool,
    force: bool,
    db_path: Path | None,
) -> None:
    """The feedback letter from the agreed findings, for the council's portfolio report."""
    fmt = _format("letter", output, fmt)
    if template and fmt == "md":
        click.echo("note: --template applies to the Word and PDF letter only; ignored", err=True)
    day = letter_date.date() if letter_date else None
    _export(
        "letter",
        fmt,
        output,
        include_drafts,
        allow,
        None if fmt == "md" else template,
        accept_warnings,
        force,
        db_path,
        day,
    )


@export.command("slides")
@_document_options(
    "slides",
    "Slide template (.pptx or .potx): its master, layouts, colours and fonts are kept.",
    "Without -o: PowerPoint (default), Markdown or PDF.",
)
def export_slides(
    output: Path | None,
    template: Path | None,
    include_drafts: bool,
    fmt: str | None,
    allow: tuple[str, ...],
    accept_warnings: bool,
    force: bool,
    db_path: Path | None,
) -> None:
    """The feedback presentation from the agreed findings, a slide or two per focus area."""
    fmt = _format("slides", output, fmt)
    if template and fmt == "md":
        click.echo("note: --template applies to the PowerPoint and PDF slides only; ignored", err=True)
    _export(
        "slides",
        fmt,
        output,
        include_drafts,
        allow,
        None if fmt == "md" else template,
        accept_warnings,
        force,
        db_path,
    )


@click.command("washup")
@click.option(
    "--day",
    type=click.IntRange(1, 31),
    help="Day N of the review (1 = the first day; default: today, else day 1).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("md", "docx")),
    help="Without -o: Markdown (default) or Word.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write; its suffix is the format: .md or .docx (default: REVIEW-ID-washup-dayN.md in "
    "the review's export folder, exports/ in the data folder unless another was chosen).",
)
@ALLOW_OPTION
@ACCEPT_OPTION
@FORCE_OPTION
@DB_OPTION
def washup(
    day: int | None,
    fmt: str | None,
    output: Path | None,
    allow: tuple[str, ...],
    accept_warnings: bool,
    force: bool,
    db_path: Path | None,
) -> None:
    """The day's wash-up sheet: lines of enquiry tested and untested, the later sessions that
    could test each gap, open follow-ups with their owners, thin evidence."""
    from ..export.washup_sheet import export_washup
    from ..washup import NoSuchDay, compute_washup

    if output is not None:
        named = output.suffix.lower().lstrip(".")
        if named not in ("md", "docx"):
            fail(f"{output.name}: the wash-up sheet can be written as Markdown (.md) or Word (.docx)")
        if fmt and fmt != named:
            fail(f"--format {fmt} does not match {output.name}; name the file .{fmt}, or leave out --format")
        fmt = named
    fmt = fmt or "md"
    with open_review(db_path) as store:
        try:
            sheet = compute_washup(store, day)
        except NoSuchDay as error:
            fail(str(error))
        path = output or default_path(store, f"washup-day{sheet.day_number}", fmt)
        try:
            path = export_washup(
                store, sheet, fmt, path, allow=allow, accept_warnings=accept_warnings, replace=force
            )
        except FileExists as exists:
            _refuse_to_replace(exists.path)
        except AttributionError as blocked:
            _refuse(blocked)
        except OSError as error:
            fail(f"cannot write {path}: {error.strerror or error}")
    untested = len(sheet.untested)
    click.echo(
        f"Wash-up of day {sheet.day_number} ({sheet.day.id:%a %-d %b}) written to {path}: "
        f"{_count(untested, 'line')} of enquiry untested, {_count(len(sheet.follow_ups), 'follow-up')} open."
    )


def _format(what: str, output: Path | None, fmt: str | None) -> str:
    """The format: the output's suffix, or --format, or Word / PowerPoint; a suffix that does not
    fit the document, or disagrees with --format, is refused."""
    if output is None:
        return fmt or SUFFIXES[what][0]
    try:
        named = format_of(what, output)
    except ValueError as error:
        fail(str(error))
    if fmt and fmt != named:
        fail(f"--format {fmt} does not match {output.name}; name the file .{fmt}, or leave out --format")
    return named


def _export(
    what: str,
    fmt: str,
    output: Path | None,
    include_drafts: bool,
    allow: Sequence[str],
    template: Path | None,
    accept_warnings: bool,
    force: bool,
    db_path: Path | None,
    letter_date: dt.date | None = None,
) -> None:
    """Write it, or say what the attribution check found and write nothing."""
    from ..export.content import TemplateError
    from ..export.pdf import ConversionError

    with open_review(db_path) as store:
        path = output or default_path(store, what, fmt)
        try:
            exported = export_document(
                store,
                what,
                fmt,
                path,
                include_drafts=include_drafts,
                allow=allow,
                template=template,
                accept_warnings=accept_warnings,
                date=letter_date,
                replace=force,
            )
        except FileExists as exists:
            _refuse_to_replace(exists.path)
        except AttributionError as blocked:
            _refuse(blocked)
        except (TemplateError, ConversionError) as error:
            fail(str(error))
        except OSError as error:
            fail(f"cannot write {path}: {error.strerror or error}")
    click.echo(f"{'Letter' if what == 'letter' else 'Slides'} written to {exported.path}")
    _report(exported)


def _refuse_to_replace(path: Path) -> NoReturn:
    fail(f"{path.absolute()} already exists; nothing was written: --force replaces it, -o names another file")


def _refuse(blocked: AttributionError) -> NoReturn:
    hits, warnings, possible = blocked.hits, blocked.warnings, blocked.possible_names
    for hit in hits:
        click.echo(f"{hit.where}: '{hit.phrase}' (name) — {hit.excerpt}", err=True)
    for hit in warnings:
        click.echo(f"{hit.where}: '{hit.phrase}' (role next to speech) — {hit.excerpt}", err=True)
    for hit in possible:
        click.echo(
            f"{hit.where}: '{hit.phrase}' (possible name, not in the schedule) — {hit.excerpt}", err=True
        )
    found = []
    if hits:
        found.append(f"{_count(len(hits), 'name')} of people the team met")
    if warnings:
        found.append(
            f"{_count(len(warnings), 'single-person role')} next to words of speech (warnings: "
            "that would attribute a view, so they block the export until confirmed)"
        )
    if possible:
        found.append(
            f"{_count(len(possible), 'capitalised word')} that may be the names of people not in the "
            "schedule (a child or a parent in a case note?)"
        )
    fail(f"found {' and '.join(found)}; nothing was written; {_fixes(hits + warnings, possible)}")


def _fixes(flagged: list[GuardHit], possible: list[GuardHit]) -> str:
    """What to do: rephrase a finding, choose another quote, keep a phrase, accept the warnings."""
    fixes = []
    if flagged:
        where = {"choose another quote" if hit.in_quote else "rephrase" for hit in flagged}
        fixes.append(
            f"{' or '.join(sorted(where, reverse=True))}, or keep a phrase deliberately with "
            f"--allow '{flagged[0].phrase}'"
        )
    if possible:
        fixes.append(
            "if a possible name is someone's, rephrase (or choose another quote); once you have "
            "checked that none is, export with --accept-warnings"
        )
    return "; ".join(fixes)


def _report(exported: Exported) -> None:
    for warning in exported.warnings:
        click.echo(f"warning: {warning}", err=True)
    if exported.drafts_left_out:
        click.echo(
            f"{_count(exported.drafts_left_out, 'finding')} not yet agreed left out "
            "(--include-drafts adds them, marked [DRAFT])."
        )
    if exported.content.has_drafts:
        click.echo("This copy includes draft findings marked [DRAFT]: not for sending.")
    if exported.empty_areas:
        click.echo(f"No findings to show yet for: {'; '.join(exported.empty_areas)} (left out).")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
