"""The week as the store reads it back, and the words every layer shares: plain dataclasses and
enums, no pydantic.

A row read back was validated when it entered (the schedule file, a CSV, a bundle: see
``models``), so it is not validated again: opening a review builds these from the database's
rows directly, which keeps pydantic (and its model building) off the app's start-up.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Any

# A namespace for UUIDs derived from schedule ids (uuid5), fixed forever.
ID_NAMESPACE = uuid.UUID("6f1b6a57-52c2-4cf4-9b1e-2f4a1f0c9d3e")
# `created_by` of rows that come from the schedule file rather than a person.
SCHEDULE_AUTHOR = "schedule"

Row = Mapping[str, Any]  # a database row, column by name


def now() -> str:
    """The current time as stored in every row: ISO 8601, UTC, microseconds."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def new_id() -> str:
    return str(uuid.uuid4())


def note_id(review_id: str, session_id: str, author_id: str) -> str:
    """One note per reviewer per session, with the same id on every laptop."""
    return str(uuid.uuid5(ID_NAMESPACE, f"note/{review_id}/{session_id}/{author_id}"))


class SessionKind(StrEnum):
    INTERVIEW = "interview"
    FOCUS_GROUP = "focus_group"
    CASE_FILE_AUDIT = "case_file_audit"
    SITE_VISIT = "site_visit"
    OBSERVATION = "observation"
    MEETING = "meeting"
    PRESENTATION = "presentation"
    OTHER = "other"

    @property
    def label(self) -> str:
        return "case audit" if self is SessionKind.CASE_FILE_AUDIT else self.value.replace("_", " ")


class SessionStatus(StrEnum):
    PLANNED = "planned"
    DONE = "done"
    CANCELLED = "cancelled"


class SessionOrigin(StrEnum):
    SCHEDULE = "schedule"  # from the YAML file; a reload may change it
    ONSITE = "onsite"  # added in the app during the week; a reload never touches it


class EvidenceKind(StrEnum):
    STRENGTH = "strength"  # `+` in a note
    DEVELOPMENT = "development"  # `-` in a note: an area for development
    FOLLOW_UP = "follow_up"  # `?` in a note
    QUOTE = "quote"  # `!` in a note
    OBSERVATION = "observation"  # from data, the questionnaire or a document


class SourceKind(StrEnum):
    """Where a piece of evidence came from: the columns of the coverage matrix."""

    INTERVIEW = "interview"
    FOCUS_GROUP = "focus_group"
    CASE_FILE_AUDIT = "case_file_audit"
    SITE_VISIT = "site_visit"
    OBSERVATION = "observation"
    MEETING = "meeting"
    PERFORMANCE_DATA = "performance_data"
    QUESTIONNAIRE = "questionnaire"
    DOCUMENT = "document"
    OTHER = "other"


class FindingSection(StrEnum):
    STRENGTH = "strength"
    DEVELOPMENT = "development"
    KEY_MESSAGE = "key_message"
    RECOMMENDATION = "recommendation"


class FindingStatus(StrEnum):
    DRAFT = "draft"
    AGREED = "agreed"


# --- The week's rows ---------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Stamped:
    """Who made a row and when, and who changed it last."""

    created_by: str
    created_at: str
    updated_by: str
    updated_at: str

    @staticmethod
    def stamps(row: Row) -> dict[str, str]:
        return {key: row[key] for key in ("created_by", "created_at", "updated_by", "updated_at")}


@dataclass(frozen=True, kw_only=True)
class ReviewRow(Stamped):
    id: str
    title: str
    council: str
    start_date: dt.date
    end_date: dt.date
    # The schedule file's letter and presentation settings, as JSON (``models.letter_of`` and
    # ``models.presentation_of`` read them: only the exports need them).
    letter_json: str | None = None
    presentation_json: str | None = None
    schedule_sha256: str

    @classmethod
    def from_row(cls, row: Row) -> ReviewRow:
        return cls(
            id=row["id"],
            title=row["title"],
            council=row["council"],
            start_date=dt.date.fromisoformat(row["start_date"]),
            end_date=dt.date.fromisoformat(row["end_date"]),
            letter_json=row["letter"] or None,
            presentation_json=row["presentation"] or None,
            schedule_sha256=row["schedule_sha256"],
            **cls.stamps(row),
        )

    def day_of(self, today: dt.date) -> dt.date:
        """Today if it falls inside the review, else its first day."""
        return today if self.start_date <= today <= self.end_date else self.start_date


@dataclass(frozen=True, kw_only=True)
class FocusAreaRow(Stamped):
    id: str
    position: int
    title: str
    lines_of_enquiry: list[str]
    retired: bool

    @classmethod
    def from_row(cls, row: Row) -> FocusAreaRow:
        return cls(
            id=row["id"],
            position=row["position"],
            title=row["title"],
            lines_of_enquiry=json_list(row["lines_of_enquiry"]),
            retired=bool(row["retired"]),
            **cls.stamps(row),
        )


@dataclass(frozen=True, kw_only=True)
class ReviewerRow(Stamped):
    id: str
    position: int
    name: str
    role: str
    organisation: str
    is_lead: bool
    retired: bool

    @classmethod
    def from_row(cls, row: Row) -> ReviewerRow:
        return cls(
            id=row["id"],
            position=row["position"],
            name=row["name"],
            role=row["role"],
            organisation=row["organisation"],
            is_lead=bool(row["is_lead"]),
            retired=bool(row["retired"]),
            **cls.stamps(row),
        )


@dataclass(frozen=True, kw_only=True)
class DayRow(Stamped):
    id: dt.date
    title: str
    retired: bool

    @classmethod
    def from_row(cls, row: Row) -> DayRow:
        return cls(
            id=dt.date.fromisoformat(row["id"]),
            title=row["title"],
            retired=bool(row["retired"]),
            **cls.stamps(row),
        )

    @property
    def label(self) -> str:
        return self.id.strftime("%a %-d %b")


@dataclass(frozen=True, kw_only=True)
class ParticipantRow:
    """Someone the schedule says a session meets (``models.Participant`` as the store keeps it)."""

    role: str
    organisation: str = ""
    name: str = ""
    count: int = 1


# The session columns that hold JSON lists.
SESSION_LISTS = ("reviewers", "focus_areas", "participants", "prompts")


@dataclass(frozen=True, kw_only=True)
class SessionRow(Stamped):
    """A session as the store holds it: the schedule's fields plus what happened on site."""

    id: str
    day: dt.date
    start_time: str
    end_time: str
    title: str
    kind: SessionKind
    location: str
    reviewers: list[str]
    focus_areas: list[str]
    participants: list[ParticipantRow]
    prompts: list[str]
    origin: SessionOrigin
    status: SessionStatus
    removed_at: str | None = None
    cases: int | None = None  # case files audited, when the schedule says

    @classmethod
    def from_row(cls, row: Row) -> SessionRow:
        return cls(
            id=row["id"],
            day=dt.date.fromisoformat(row["day"]),
            start_time=row["start_time"],
            end_time=row["end_time"],
            title=row["title"],
            kind=SessionKind(row["kind"]),
            location=row["location"],
            reviewers=string_list(row["reviewers"]),
            focus_areas=string_list(row["focus_areas"]),
            participants=[ParticipantRow(**p) for p in json_list(row["participants"])],
            prompts=string_list(row["prompts"]),
            origin=SessionOrigin(row["origin"]),
            status=SessionStatus(row["status"]),
            removed_at=row.get("removed_at"),
            cases=row.get("cases"),
            **cls.stamps(row),
        )

    def to_row(self) -> dict[str, Any]:
        """The row's columns as the database holds them (lists as JSON)."""
        return {
            **self.stamps(vars(self)),
            "id": self.id,
            "day": self.day.isoformat(),
            "start_time": self.start_time,
            "end_time": self.end_time,
            "title": self.title,
            "kind": self.kind.value,
            "location": self.location,
            "reviewers": _json(self.reviewers),
            "focus_areas": _json(self.focus_areas),
            "participants": _json([vars(p) for p in self.participants]),
            "prompts": _json(self.prompts),
            "origin": self.origin.value,
            "status": self.status.value,
            "removed_at": self.removed_at,
            "cases": self.cases,
        }


# --- Rows made in use ----------------------------------------------------------------------
# Evidence items and findings are made by the app itself (from a note's marks, a CSV already
# checked, a finding written through the store), and read back by the thousand for lists: built
# from their rows directly.

_EVIDENCE_KINDS = {kind.value: kind for kind in EvidenceKind}
_SOURCE_KINDS = {kind.value: kind for kind in SourceKind}


@dataclass(frozen=True, kw_only=True)
class EvidenceItem(Stamped):
    """A marked note line, a document read or a figure imported: what findings cite."""

    id: str
    kind: EvidenceKind
    source_kind: SourceKind
    text: str
    title: str = ""
    focus_areas: list[str]
    lines_of_enquiry: list[str] = field(default_factory=list)  # "practice.2": see evidence.LineOfEnquiry
    session_id: str | None = None
    note_id: str | None = None
    line_no: int | None = None
    author_id: str
    detached: bool = False  # its note line was deleted; kept so links to it are never lost
    data: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_row(cls, row: Row) -> EvidenceItem:
        """The item of an ``evidence`` row (other columns, such as a join's, are left aside)."""
        return cls(
            id=row["id"],
            kind=_EVIDENCE_KINDS[row["kind"]],
            source_kind=_SOURCE_KINDS[row["source_kind"]],
            text=row["text"],
            title=row["title"],
            focus_areas=string_list(row["focus_areas"]),
            lines_of_enquiry=string_list(row["lines_of_enquiry"]),
            session_id=row["session_id"],
            note_id=row["note_id"],
            line_no=row["line_no"],
            author_id=row["author_id"],
            detached=bool(row["detached"]),
            data=json.loads(row["data"]) if row["data"] and row["data"] != "{}" else {},
            **cls.stamps(row),
        )


@dataclass(frozen=True, kw_only=True)
class Finding(Stamped):
    """A strength, an area for development, a key message or a recommendation of the letter."""

    id: str
    section: FindingSection
    focus_area_id: str | None
    position: float
    title: str
    body: str
    status: FindingStatus
    agreed_by: str | None = None
    agreed_at: str | None = None

    @classmethod
    def from_row(cls, row: Row) -> Finding:
        return cls(
            id=row["id"],
            section=FindingSection(row["section"]),
            focus_area_id=row["focus_area_id"],
            position=float(row["position"]),
            title=row["title"],
            body=row["body"],
            status=FindingStatus(row["status"]),
            agreed_by=row["agreed_by"],
            agreed_at=row["agreed_at"],
            **cls.stamps(row),
        )


def string_list(value: Any) -> list[str]:
    """A JSON list-of-strings column (ids, tags, lines of enquiry): None or '' is the empty list.
    Thousands of rows hold the same few lists, so each text is parsed once."""
    if isinstance(value, list):  # decoded already
        return list(value)
    return list(_strings(value)) if value else []


@lru_cache(maxsize=4096)
def _strings(text: str) -> tuple[str, ...]:
    return tuple(json.loads(text))


def json_list(value: Any) -> Any:
    """A JSON list column: None or '' is the empty list."""
    if value is None or value == "":
        return []
    return json.loads(value) if isinstance(value, str) else value


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
