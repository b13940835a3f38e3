"""The review week as pydantic models: what the schedule file says and what the store holds.

No IO here. The schedule models (``Schedule`` and its parts) are the YAML file's shape and
forbid unknown fields, so a typo is an error rather than a silently ignored line. The row models
(``Note``, ``EvidenceItem``, ``Finding``, ...) are what the store reads back.

Ids: everything the schedule file defines carries the id written in the file, so every laptop
that loads the same file holds the same ids. Rows made in use carry UUIDs, and every row records
who made it and when, so rows from several laptops merge by id.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, Strict, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

# A namespace for UUIDs derived from schedule ids (uuid5), fixed forever.
ID_NAMESPACE = uuid.UUID("6f1b6a57-52c2-4cf4-9b1e-2f4a1f0c9d3e")
# `created_by` of rows that come from the schedule file rather than a person.
SCHEDULE_AUTHOR = "schedule"
# The letter's and the deck's marking when the schedule file gives none.
DEFAULT_MARKING = "Private and confidential"
MAX_CASES = 500  # case files in one audit session: far beyond a day's work
MAX_MARKING = 80  # characters: "OFFICIAL-SENSITIVE", "Private and confidential: not for publication"

_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,47}$")
_TIME_PATTERN = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def _check_id(value: str) -> str:
    if not _ID_PATTERN.match(value):
        raise PydanticCustomError(
            "bad_id",
            "{value} is not an id (lower-case letters, digits and '-', at most 48)",
            {"value": repr(value)},
        )
    return value


def parse_time(value: str) -> str | None:
    """'9:30' -> '09:30'; None if it is not a time of day."""
    match = _TIME_PATTERN.match(value.strip())
    return f"{int(match.group(1)):02d}:{match.group(2)}" if match else None


def _check_time(value: str) -> str:
    parsed = parse_time(value)
    if parsed is None:
        raise PydanticCustomError("bad_time", "{value} is not a time (HH:MM)", {"value": repr(value)})
    return parsed


def _check_text(value: str) -> str:
    value = value.strip()
    if not value:
        raise PydanticCustomError("empty_text", "must not be empty", {})
    return value


Id = Annotated[str, AfterValidator(_check_id)]
Time = Annotated[str, AfterValidator(_check_time)]
Text = Annotated[str, AfterValidator(_check_text)]


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


# --- The schedule file -------------------------------------------------------------------


class _FileModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Letter(_FileModel):
    """The feedback letter: who it goes to (the address block is exempt from the attribution
    check), its date and marking, and how it ends."""

    addressee: str = Field("", description="Name of the person the letter is addressed to")
    position: str = Field("", description="Their post, e.g. Chief Executive")
    address: list[Text] = Field(default_factory=list, description="Address lines")
    salutation: str = Field("", description="e.g. 'Dear Ms Example'")
    date: dt.date | None = Field(None, description="The date on the letter (default: the day it is exported)")
    marking: str = Field(DEFAULT_MARKING, description="At the top of every page; '' for none")
    numbered_paragraphs: bool = Field(False, description="Number the paragraphs 1, 2, 3... across the letter")
    next_steps: list[Text] = Field(
        default_factory=list, description="The 'Next steps' paragraphs (default: a neutral offer to discuss)"
    )

    @field_validator("marking")
    @classmethod
    def _short_marking(cls, value: str) -> str:
        if len(value) > MAX_MARKING:
            raise PydanticCustomError(
                "bad_value",
                "is {length} characters long; a marking fits on one line (at most {most})",
                {"length": len(value), "most": MAX_MARKING},
            )
        return value


class Presentation(_FileModel):
    """The feedback presentation given on the last day."""

    next_steps: list[Text] = Field(
        default_factory=list, description="Bullets of the 'Next steps' slide (default: the letter to follow)"
    )


class ReviewInfo(_FileModel):
    id: Id = Field(description="Short id of this review; bundles from another review are refused")
    title: Text
    council: Text = Field(description="The council being reviewed")
    start: dt.date = Field(description="First day on site (YYYY-MM-DD)")
    end: dt.date = Field(description="Last day on site (YYYY-MM-DD)")
    letter: Letter | None = None
    presentation: Presentation | None = None


class FocusArea(_FileModel):
    id: Id = Field(description="Also the #tag reviewers type in notes, e.g. 'partnership'")
    title: Text
    lines_of_enquiry: list[Text] = Field(
        default_factory=list, description="Key lines of enquiry: the questions to test"
    )


class Reviewer(_FileModel):
    id: Id
    name: Text
    role: Text = Field(description="Role in the review team, e.g. 'Health peer'")
    organisation: str = ""
    lead: bool = Field(False, description="The review lead: agrees findings, signs the letter")


class Participant(_FileModel):
    """Someone met in a session, described by role and organisation; the name is optional and is
    only used to check that exports never name a speaker."""

    role: Text
    organisation: str = ""
    name: str = ""
    count: int = Field(1, ge=1, le=500, description="How many people of this role (focus groups)")


class Session(_FileModel):
    id: Id = Field(description="e.g. 'mon-0930-dcs'")
    start: Time
    end: Time
    title: Text
    kind: SessionKind
    location: str = ""
    reviewers: list[Id] = Field(default_factory=list, description="Reviewer ids")
    focus_areas: list[Id] = Field(default_factory=list, description="Focus area ids")
    participants: list[Participant] = Field(default_factory=list)
    prompts: list[Text] = Field(
        default_factory=list, description="Questions for this session beyond the focus areas'"
    )
    cases: Annotated[int, Strict()] | None = Field(
        None, description="Case file audits only: how many case files were audited"
    )

    @field_validator("cases")
    @classmethod
    def _cases_of_an_audit(cls, value: int | None, info: ValidationInfo) -> int | None:
        kind = info.data.get("kind")  # absent when the kind itself was wrong
        if value is not None and kind is not None and kind is not SessionKind.CASE_FILE_AUDIT:
            raise PydanticCustomError(
                "bad_value",
                "only a case_file_audit session counts case files (this one is {kind})",
                {"kind": kind.value},
            )
        if value is not None and not 1 <= value <= MAX_CASES:
            raise PydanticCustomError(
                "bad_value",
                "{value} is not a number of case files (1 to {most})",
                {"value": value, "most": MAX_CASES},
            )
        return value


class Day(_FileModel):
    date: dt.date
    title: str = Field("", description="Optional theme of the day")
    sessions: list[Session] = Field(default_factory=list)


class Schedule(_FileModel):
    """A review week as written in the schedule file."""

    review: ReviewInfo
    focus_areas: list[FocusArea] = Field(min_length=1)
    reviewers: list[Reviewer] = Field(min_length=1)
    days: list[Day] = Field(min_length=1)

    def sessions(self) -> list[tuple[Day, Session]]:
        return [(day, session) for day in self.days for session in day.sessions]

    @property
    def lead(self) -> Reviewer | None:
        return next((r for r in self.reviewers if r.lead), None)


# --- Rows made in use --------------------------------------------------------------------


class _Row(BaseModel):
    model_config = ConfigDict(extra="ignore")

    created_by: str
    created_at: str
    updated_by: str
    updated_at: str


class ReviewRow(_Row):
    id: str
    title: str
    council: str
    start_date: dt.date
    end_date: dt.date
    letter: Letter | None = None
    presentation: Presentation | None = None
    schedule_sha256: str

    @field_validator("letter", "presentation", mode="before")
    @classmethod
    def _from_json(cls, value: Any) -> Any:
        return _json_value(value, None)

    def day_of(self, today: dt.date) -> dt.date:
        """Today if it falls inside the review, else its first day."""
        return today if self.start_date <= today <= self.end_date else self.start_date


class FocusAreaRow(_Row):
    id: str
    position: int
    title: str
    lines_of_enquiry: list[str]
    retired: bool

    @field_validator("lines_of_enquiry", mode="before")
    @classmethod
    def _from_json(cls, value: Any) -> Any:
        return _json_list(value)


class ReviewerRow(_Row):
    id: str
    position: int
    name: str
    role: str
    organisation: str
    is_lead: bool
    retired: bool


class DayRow(_Row):
    id: dt.date
    title: str
    retired: bool

    @property
    def label(self) -> str:
        return self.id.strftime("%a %-d %b")


class SessionRow(_Row):
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
    participants: list[Participant]
    prompts: list[str]
    origin: SessionOrigin
    status: SessionStatus
    removed_at: str | None = None
    cases: int | None = None  # case files audited, when the schedule says

    @field_validator("reviewers", "focus_areas", "participants", "prompts", mode="before")
    @classmethod
    def _from_json(cls, value: Any) -> Any:
        return _json_list(value)


class Attendee(BaseModel):
    role: str
    organisation: str = ""
    present: bool = True
    extra: bool = False  # not on the schedule: someone who turned up


class Note(_Row):
    id: str
    session_id: str
    author_id: str
    body: str
    attendance: list[Attendee]

    @field_validator("attendance", mode="before")
    @classmethod
    def _from_json(cls, value: Any) -> Any:
        return _json_list(value)


class EvidenceItem(_Row):
    id: str
    kind: EvidenceKind
    source_kind: SourceKind
    text: str
    title: str = ""
    focus_areas: list[str]
    lines_of_enquiry: list[str] = Field(default_factory=list)  # "practice.2": see evidence.LineOfEnquiry
    session_id: str | None = None
    note_id: str | None = None
    line_no: int | None = None
    author_id: str
    detached: bool = False  # its note line was deleted; kept so links to it are never lost
    data: dict[str, Any] = Field(default_factory=dict)

    @field_validator("focus_areas", "lines_of_enquiry", mode="before")
    @classmethod
    def _from_json(cls, value: Any) -> Any:
        return _json_list(value)

    @field_validator("data", mode="before")
    @classmethod
    def _data_from_json(cls, value: Any) -> Any:
        return _json_value(value, {})


class Finding(_Row):
    id: str
    section: FindingSection
    focus_area_id: str | None
    position: float
    title: str
    body: str
    status: FindingStatus
    agreed_by: str | None = None
    agreed_at: str | None = None


def _json_value(value: Any, empty: Any) -> Any:
    if value is None or value == "":
        return empty
    if isinstance(value, str):
        return json.loads(value)
    return value


def _json_list(value: Any) -> Any:
    return _json_value(value, [])
