"""What the feedback letter and the presentation say, read from the store once.

Both exports are written from a ``LetterContent``: agreed findings (drafts too, marked, with
``include_drafts``) in the lead's order, the team, and the counts the method section quotes.
``content_texts`` lists every piece of that text the non-attribution guard must check. Nothing
here knows about Word, PowerPoint or Markdown.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..models import (
    DEFAULT_MARKING,
    FindingSection,
    FindingStatus,
    Letter,
    SessionKind,
    SessionRow,
    SessionStatus,
    SourceKind,
    letter_of,
    presentation_of,
)
from ..store import Store, week
from ..store.evidence_items import evidence_count_by_source, list_evidence
from ..store.findings import FindingView, linked_evidence, list_findings

# Quotation marks a reviewer may have typed around a quote; the writers add their own.
_QUOTE_MARKS = "\"'“”‘’"


class TemplateError(ValueError):
    """A letterhead or slide template cannot be used; the message says why."""


@dataclass(frozen=True)
class LetterFinding:
    finding_id: str
    title: str
    body: str
    draft: bool  # only when include_drafts
    quotes: tuple[str, ...]  # quotes the lead chose for this finding: text only, never who said it


@dataclass(frozen=True)
class AreaFindings:
    area_id: str
    title: str
    strengths: tuple[LetterFinding, ...]  # in the lead's order
    developments: tuple[LetterFinding, ...]


@dataclass(frozen=True)
class TeamMember:
    name: str
    role: str
    organisation: str
    lead: bool


@dataclass(frozen=True)
class MethodCounts:
    people_met: int  # participants of the sessions held (a named person met twice counts once)
    interviews: int
    focus_groups: int
    case_file_audits: int  # sessions
    case_files: int  # case files audited, from the sessions that say (the schedule's `cases:`)
    uncounted_audits: int  # case file audit sessions that do not say how many files
    site_visits: int
    observations: int
    meetings: int
    other_sessions: int
    sessions_held: int  # every kind above; not cancelled; the team's own meetings and the presentation aside
    documents: int
    performance_indicators: int  # distinct indicators (an indicator over two periods is one)
    questionnaire_responses: int  # the largest n among the questionnaire's questions


@dataclass(frozen=True)
class LetterContent:
    date: dt.date
    council: str
    review_title: str
    start: dt.date
    end: dt.date
    letter: Letter | None  # the addressee block; None: the writer uses a neutral one
    focus_areas: tuple[tuple[str, str], ...]  # (id, title), as agreed in the scope
    team: tuple[TeamMember, ...]
    lead: TeamMember | None
    method: MethodCounts
    key_messages: tuple[LetterFinding, ...]
    areas: tuple[AreaFindings, ...]
    recommendations: tuple[LetterFinding, ...]
    include_drafts: bool
    marking: str = DEFAULT_MARKING  # at the top of every page and on every slide; '' for none
    numbered_paragraphs: bool = False  # the letter's paragraphs numbered 1, 2, 3... throughout
    letter_next_steps: tuple[str, ...] = ()  # from the schedule; empty: the writer's neutral default
    deck_next_steps: tuple[str, ...] = ()  # likewise, for the presentation

    @property
    def has_drafts(self) -> bool:
        return any(finding.draft for _, finding in all_findings(self))


def build_content(
    store: Store,
    *,
    include_drafts: bool = False,
    date: dt.date | None = None,
    today: dt.date | None = None,
) -> LetterContent:
    """The letter's content: agreed findings only, unless ``include_drafts``. It is dated
    ``date``, else the schedule's ``review.letter.date``, else ``today`` (the real today by
    default)."""
    review = store.review()
    if review is None:
        raise ValueError("no review loaded")
    views = [
        view for view in list_findings(store) if include_drafts or view.finding.status is FindingStatus.AGREED
    ]
    team = tuple(TeamMember(r.name, r.role, r.organisation, r.is_lead) for r in week.reviewers(store))
    scope = tuple((area.id, area.title) for area in week.focus_areas(store))
    with store.read() as db:
        # Retired areas are left out of the scope, but any finding still filed under one is kept.
        titles = {
            row["id"]: row["title"] for row in db.query("SELECT id, title FROM focus_areas ORDER BY position")
        }
    in_letter = [area_id for area_id in titles if area_id in dict(scope) or _has_area(views, area_id)]
    settings = letter_of(review)
    return LetterContent(
        date=date or (settings.date if settings else None) or today or dt.date.today(),
        council=review.council,
        review_title=review.title,
        start=review.start_date,
        end=review.end_date,
        letter=settings,
        focus_areas=scope,
        team=team,
        lead=next((member for member in team if member.lead), None),
        method=count_method(store),
        key_messages=_section(store, views, FindingSection.KEY_MESSAGE),
        areas=tuple(
            AreaFindings(
                area_id,
                titles[area_id],
                _section(store, views, FindingSection.STRENGTH, area_id),
                _section(store, views, FindingSection.DEVELOPMENT, area_id),
            )
            for area_id in in_letter
        ),
        recommendations=_section(store, views, FindingSection.RECOMMENDATION),
        include_drafts=include_drafts,
        marking=settings.marking if settings else DEFAULT_MARKING,
        numbered_paragraphs=settings.numbered_paragraphs if settings else False,
        letter_next_steps=tuple(settings.next_steps) if settings else (),
        deck_next_steps=tuple(presentation.next_steps) if (presentation := presentation_of(review)) else (),
    )


def count_method(store: Store) -> MethodCounts:
    """The counts behind the letter's method section."""
    held = [
        s for s in week.sessions(store) if s.status is not SessionStatus.CANCELLED and s.removed_at is None
    ]
    team_ids = {r.id for r in week.reviewers(store)}
    met = [s for s in held if s.kind is not SessionKind.PRESENTATION and not _team_meeting(s, team_ids)]
    named: set[str] = set()
    people = 0
    for session in met:
        for participant in session.participants:
            name = " ".join(participant.name.split()).casefold()
            if name in named:
                continue  # someone interviewed twice is one person met
            if name:
                named.add(name)
            people += participant.count
    kinds = [s.kind for s in met]
    audits = [s for s in met if s.kind is SessionKind.CASE_FILE_AUDIT]
    by_source = evidence_count_by_source(store)
    indicators = {view.item.title for view in list_evidence(store, source_kind=SourceKind.PERFORMANCE_DATA)}
    responses = [
        int(view.item.data.get("n") or 0)
        for view in list_evidence(store, source_kind=SourceKind.QUESTIONNAIRE)
    ]
    return MethodCounts(
        people_met=people,
        interviews=kinds.count(SessionKind.INTERVIEW),
        focus_groups=kinds.count(SessionKind.FOCUS_GROUP),
        case_file_audits=len(audits),
        case_files=sum(s.cases or 0 for s in audits),
        uncounted_audits=sum(1 for s in audits if not s.cases),
        site_visits=kinds.count(SessionKind.SITE_VISIT),
        observations=kinds.count(SessionKind.OBSERVATION),
        meetings=kinds.count(SessionKind.MEETING),
        other_sessions=kinds.count(SessionKind.OTHER),
        sessions_held=len(met),
        documents=by_source.get(SourceKind.DOCUMENT, 0),
        performance_indicators=len(indicators),
        questionnaire_responses=max(responses, default=0),
    )


def content_texts(content: LetterContent) -> list[tuple[str, str]]:
    """(where, text) for every piece of text the non-attribution guard checks: the scope and
    each finding's title, body and chosen quotes. The address block, salutation and the team
    (who may legitimately be named) are not included."""
    texts = [("Scope", title) for _, title in content.focus_areas]
    for section, finding in all_findings(content):
        where = f"{section}: {finding.title}"
        texts.append((where, finding.title))
        if finding.body:
            texts.append((where, finding.body))
        texts += [(f"{where} (quote)", quote) for quote in finding.quotes]
    return texts


def all_findings(content: LetterContent) -> Iterator[tuple[str, LetterFinding]]:
    """Every finding in letter order, with the name of the section it sits in."""
    for finding in content.key_messages:
        yield "Key messages", finding
    for area in content.areas:
        for finding in area.strengths:
            yield f"{area.title}, strengths", finding
        for finding in area.developments:
            yield f"{area.title}, areas for development", finding
    for finding in content.recommendations:
        yield "Recommendations", finding


def write_privately(path: Path, write: Callable[[Path], None]) -> None:
    """Have ``write`` make a temporary file beside ``path`` (readable by its owner only), then
    put it in place in one step, so a failed export never leaves half a file."""
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    temp = Path(name)
    try:
        write(temp)
        os.chmod(temp, 0o600)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def template_as_document(data: bytes, template_type: bytes, document_type: bytes) -> bytes:
    """An Office template's bytes (.dotx, .potx) as those of the document it makes: the same
    package with the main part's content type changed; other files as they are.
    Raises ``zipfile.BadZipFile`` and ``KeyError`` for a file that is no Office package."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        types = package.read("[Content_Types].xml")
        if template_type not in types:
            return data
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
            for info in package.infolist():
                blob = package.read(info)
                if info.filename == "[Content_Types].xml":
                    blob = types.replace(template_type, document_type)
                copy.writestr(info, blob)
    return out.getvalue()


def _section(
    store: Store, views: list[FindingView], section: FindingSection, area_id: str | None = None
) -> tuple[LetterFinding, ...]:
    # list_findings gives the lead's order within each list.
    return tuple(
        _letter_finding(store, view)
        for view in views
        if view.finding.section is section and view.finding.focus_area_id == area_id
    )


def _letter_finding(store: Store, view: FindingView) -> LetterFinding:
    finding = view.finding
    quotes = tuple(
        _unquoted(link.item.text)
        for link in linked_evidence(store, finding.id)
        if link.quote_chosen and not link.broken and _unquoted(link.item.text)
    )
    return LetterFinding(
        finding.id, finding.title, finding.body, finding.status is FindingStatus.DRAFT, quotes
    )


def _unquoted(text: str) -> str:
    text = " ".join(text.split())
    while len(text) > 1 and text[0] in _QUOTE_MARKS and text[-1] in _QUOTE_MARKS:
        text = text[1:-1].strip()
    return text


def _has_area(views: list[FindingView], area_id: str) -> bool:
    return any(view.finding.focus_area_id == area_id for view in views)


def _team_meeting(session: SessionRow, team_ids: set[str]) -> bool:
    """The review team's own meeting: a meeting of every reviewer with nobody else. (A meeting
    of the whole team with the director, say, is a session held.)"""
    return (
        session.kind is SessionKind.MEETING
        and team_ids <= set(session.reviewers)
        and not session.participants
    )
