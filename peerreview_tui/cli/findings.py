"""Findings from the shell, for drafting off-screen and for scripting: add, edit, quote, agree,
show, list. The same rules as the app: the store's ownership rule decides who may change what,
and the non-attribution guard reports at once what a finding's words or quotes would reveal.

Ids may be given by their first characters, as `finding list` shows them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO

import click

from ..models import FindingSection, FindingStatus
from ..ownership import Change
from ..store import Store, findings, week
from ..store.evidence_items import evidence_facts, get_evidence
from ..store.ownership import roster
from .common import DB_OPTION, acting_reviewer, fail, open_review
from .evidence import AS_OPTION

SECTIONS = {
    "key-message": FindingSection.KEY_MESSAGE,
    "strength": FindingSection.STRENGTH,
    "development": FindingSection.DEVELOPMENT,
    "recommendation": FindingSection.RECOMMENDATION,
}
SHORT_ID = 8
MAX_BODY_BYTES = 64 * 1024  # a finding is a paragraph or two, not a document

BODY_OPTION = click.option("--body", metavar="TEXT", help="The finding's paragraph.")
BODY_FILE_OPTION = click.option(
    "--body-file",
    type=click.File("rb"),
    metavar="FILE",
    help="Read the paragraph from FILE (UTF-8), or '-' for standard input.",
)
EVIDENCE_OPTION = click.option(
    "--evidence",
    "evidence",
    multiple=True,
    metavar="ID",
    help="Cite this evidence item (repeatable; the start of its id is enough).",
)


@click.group()
def finding() -> None:
    """Draft, quote and agree findings from the shell."""


@finding.command("add")
@click.option("--area", "area_id", metavar="AREA_ID", help="Focus area (strengths and developments).")
@click.option(
    "--section", type=click.Choice(list(SECTIONS)), required=True, help="Where it goes in the letter."
)
@click.option("--title", required=True, metavar="TEXT", help="One line: the finding's heading.")
@BODY_OPTION
@BODY_FILE_OPTION
@EVIDENCE_OPTION
@AS_OPTION
@DB_OPTION
def finding_add(
    area_id: str | None,
    section: str,
    title: str,
    body: str | None,
    body_file: BinaryIO | None,
    evidence: tuple[str, ...],
    me: str | None,
    db_path: Path | None,
) -> None:
    """Add a draft finding and print its id. Key messages and recommendations take no --area."""
    text = _body(body, body_file) or ""
    with open_review(db_path) as store:
        actor = acting_reviewer(store, me)
        if area_id is not None:
            _check_area(store, area_id)
        ids = [_evidence_id(store, given) for given in evidence]
        try:
            made = findings.create_finding(
                store,
                section=SECTIONS[section],
                focus_area_id=area_id,
                title=title,
                body=text,
                evidence_ids=ids,
                actor=actor,
            )
        except ValueError as error:
            fail(_with_hint(str(error)))
        click.echo(made.id)
        _report_guard(store, made.id)


@finding.command("edit")
@click.argument("finding_id", metavar="ID")
@click.option("--title", metavar="TEXT", help="New heading.")
@click.option(
    "--section",
    type=click.Choice(list(SECTIONS)),
    help="Move it to another section (at the end of its list).",
)
@click.option("--area", "area_id", metavar="AREA_ID", help="Move it to another focus area.")
@BODY_OPTION
@BODY_FILE_OPTION
@EVIDENCE_OPTION
@AS_OPTION
@DB_OPTION
def finding_edit(
    finding_id: str,
    title: str | None,
    section: str | None,
    area_id: str | None,
    body: str | None,
    body_file: BinaryIO | None,
    evidence: tuple[str, ...],
    me: str | None,
    db_path: Path | None,
) -> None:
    """Change a finding's wording or place (section, focus area), or cite more evidence. An agreed
    finding is the lead's to change, and goes back to draft."""
    text = _body(body, body_file)
    if title is None and text is None and section is None and area_id is None and not evidence:
        fail("nothing to change: give --title, --body, --body-file, --section, --area or --evidence")
    with open_review(db_path) as store:
        actor = acting_reviewer(store, me)
        full_id = _finding_id(store, finding_id)
        ids = [_evidence_id(store, given) for given in evidence]
        place: dict[str, Any] = {"section": SECTIONS[section]} if section else {}
        if area_id is not None:
            _check_area(store, area_id)
            place["focus_area_id"] = area_id
        was_agreed = _status(store, full_id) is FindingStatus.AGREED
        try:
            if title is not None or text is not None or place:
                findings.update_finding(store, full_id, actor, title=title, body=text, **place)
            if ids:
                findings.attach_evidence(store, full_id, ids, actor)
        except ValueError as error:
            fail(str(error))
        now_status = _status(store, full_id)
        click.echo(f"Finding {full_id[:SHORT_ID]} saved ({now_status.value}).")
        if was_agreed and now_status is FindingStatus.DRAFT:
            click.echo("It changed, so it is back in draft: the lead agrees it again.")
        _report_guard(store, full_id)


@finding.command("quote")
@click.argument("finding_id", metavar="ID")
@click.argument("evidence_id", metavar="EVIDENCE_ID")
@click.option("--drop", is_flag=True, help="No longer use this quote in the letter.")
@AS_OPTION
@DB_OPTION
def finding_quote(
    finding_id: str, evidence_id: str, drop: bool, me: str | None, db_path: Path | None
) -> None:
    """Choose a quote the finding cites for the letter (the lead's choice), or --drop it. An agreed
    finding goes back to draft: the letter changes."""
    with open_review(db_path) as store:
        actor = acting_reviewer(store, me)
        full_id = _finding_id(store, finding_id)
        item_id = _evidence_id(store, evidence_id)
        was_agreed = _status(store, full_id) is FindingStatus.AGREED
        try:
            findings.choose_quote(store, full_id, item_id, not drop, actor)
        except ValueError as error:
            fail(_with_hint(str(error), full_id))
        verb = "no longer used" if drop else "chosen for the letter"
        click.echo(f"Quote {item_id[:SHORT_ID]} {verb} in finding {full_id[:SHORT_ID]}.")
        if was_agreed and _status(store, full_id) is FindingStatus.DRAFT:
            click.echo("The letter changed, so the finding is back in draft: agree it again.")
        _report_guard(store, full_id)


@finding.command("agree")
@click.argument("finding_id", metavar="ID")
@click.option("--yes", "-y", is_flag=True, help="Agree without asking, even when the check flags something.")
@AS_OPTION
@DB_OPTION
def finding_agree(finding_id: str, yes: bool, me: str | None, db_path: Path | None) -> None:
    """Agree a finding's wording and quotes for the letter (the lead only)."""
    with open_review(db_path) as store:
        actor = acting_reviewer(store, me)
        full_id = _finding_id(store, finding_id)
        with store.read() as db:
            refusal = roster(db).refusal(actor, Change.AGREE)
        if refusal is not None:  # before the check and its question: the store would refuse anyway
            fail(refusal)
        flagged = _report_guard(store, full_id)
        if flagged and not yes:
            click.confirm("Agree it all the same?", err=True, abort=True)
        agreed = findings.agree_finding(store, full_id, actor)
    click.echo(f"Finding {full_id[:SHORT_ID]} agreed: {agreed.title}")


@finding.command("show")
@click.argument("finding_id", metavar="ID")
@DB_OPTION
def finding_show(finding_id: str, db_path: Path | None) -> None:
    """A finding: its wording, status, evidence (by id) and what the check finds in it."""
    with open_review(db_path) as store:
        view = findings.get_finding(store, _finding_id(store, finding_id))
        assert view is not None  # _finding_id found it
        found = view.finding
        areas = {area.id: area.title for area in week.focus_areas(store)}
        place = findings.SECTION_HEADINGS[found.section]
        if found.focus_area_id:
            place = f"{areas.get(found.focus_area_id, found.focus_area_id)}: {place.lower()}"
        status = found.status.value
        if found.status is FindingStatus.AGREED and found.agreed_by:
            status += f" by {found.agreed_by}"
        click.echo(f"{found.id}  [{status}]  {place}")
        click.echo(found.title)
        if found.body:
            click.echo("")
            click.echo(found.body)
        click.echo("")
        click.echo(f"Evidence: {view.badge.label()}")
        for link in findings.linked_evidence(store, found.id):
            item = link.item
            source = link.session_title or item.title or item.source_kind.value.replace("_", " ")
            mark = "  broken" if link.broken else ""
            click.echo(f"  {item.id[:SHORT_ID]}  {item.kind.value:<11} {source}{mark}")
            if link.quote_chosen:
                click.echo(f"            chosen for the letter: {item.text}")
        _report_guard(store, found.id)


@finding.command("list")
@click.option("--status", type=click.Choice([s.value for s in FindingStatus]), help="Only draft or agreed.")
@DB_OPTION
def finding_list(status: str | None, db_path: Path | None) -> None:
    """Every finding with its short id, status and place, in letter order."""
    with open_review(db_path) as store:
        views = findings.list_findings(store, status=FindingStatus(status) if status else None)
    if not views:
        click.echo("No findings yet.")
    names = {value: key for key, value in SECTIONS.items()}
    for view in views:
        found = view.finding
        area = found.focus_area_id or "-"
        click.echo(
            f"{found.id[:SHORT_ID]}  {found.status.value:<6}  {names[found.section]:<14}  {area:<16}  {found.title}"
        )


# --- Helpers -----------------------------------------------------------------------------


def _report_guard(store: Store, finding_id: str) -> bool:
    """Print what the non-attribution guard finds in the finding; whether it found anything."""
    from ..export.guard import check_saved_finding

    result = check_saved_finding(store, finding_id)
    labels = {"name": "names someone the team met", "role": "one-person role next to words of speech"}
    labels["possible name"] = "possibly the name of someone not in the schedule"
    for hit in result.all():
        click.echo(f"check: {hit.where}: '{hit.phrase}' {labels[hit.kind]} — {hit.excerpt}", err=True)
        click.echo(f"       {hit.advice}", err=True)
    return not result.ok


def _body(body: str | None, body_file: BinaryIO | None) -> str | None:
    """The paragraph from --body or --body-file (UTF-8 only); None when neither is given."""
    if body is not None and body_file is not None:
        fail("give --body or --body-file, not both")
    if body_file is None:
        return body
    given = str(getattr(body_file, "name", "-"))
    name = "standard input" if given in ("-", "<stdin>") else given
    raw = body_file.read(MAX_BODY_BYTES + 1)
    if len(raw) > MAX_BODY_BYTES:
        fail(f"{name} is over {MAX_BODY_BYTES // 1024} KB: too long for a finding")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        fail(f"{name} is not UTF-8 text; save it as UTF-8 and try again")
    if "\x00" in text:
        fail(f"{name} holds a NUL character: not text")
    return text


def _finding_id(store: Store, given: str) -> str:
    """A finding's id from its start, as `finding list` shows it."""
    wanted = given.strip().lower()
    matches = [
        v.finding.id for v in findings.list_findings(store) if wanted and v.finding.id.startswith(wanted)
    ]
    if not matches:
        fail(f"no finding '{given}'; 'peerreview finding list' lists them")
    if len(matches) > 1:
        fail(f"'{given}' names several findings; give more of its id")
    return matches[0]


def _evidence_id(store: Store, given: str) -> str:
    wanted = given.strip().lower()
    if wanted and get_evidence(store, wanted) is not None:
        return wanted
    matches = [fact.id for fact in evidence_facts(store) if wanted and fact.id.startswith(wanted)]
    if not matches:
        fail(f"no evidence item '{given}'")
    if len(matches) > 1:
        fail(f"'{given}' names several evidence items; give more of its id")
    return matches[0]


def _check_area(store: Store, area_id: str) -> None:
    known = [area.id for area in week.focus_areas(store)]
    if area_id not in known:
        fail(f"no focus area '{area_id}'; choose one of: {', '.join(known)}")


def _status(store: Store, finding_id: str) -> FindingStatus:
    view = findings.get_finding(store, finding_id)
    assert view is not None  # callers resolved the id first
    return view.finding.status


def _with_hint(message: str, finding_id: str | None = None) -> str:
    """The store's refusal, with the option that fixes it."""
    if "needs a focus area" in message:
        return f"{message}: give --area AREA_ID"
    if "belongs to no focus area" in message:
        return f"{message}: leave out --area"
    if "is not cited by this finding" in message and finding_id:
        return (
            f"{message}; cite it first with 'peerreview finding edit {finding_id[:SHORT_ID]} --evidence ID'"
        )
    return message
