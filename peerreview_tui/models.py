"""The review week as pydantic models: what the schedule file says and what the store holds.

No IO here. The schedule models (``Schedule`` and its parts) are the YAML file's shape and
forbid unknown fields, so a typo is an error rather than a silently ignored line. ``Note`` is
what the store reads back of a note; the other rows read back are plain dataclasses (``rows``).

Ids: everything the schedule file defines carries the id written in the file, so every laptop
that loads the same file holds the same ids. Rows made in use carry UUIDs, and every row records
who made it and when, so rows from several laptops merge by id.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from functools import cache
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    TypeAdapter,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

# The words every layer shares and the week's rows live in ``rows`` (no pydantic); they are
# named here too, for the modules that work with the models.
from .rows import (
    ID_NAMESPACE,
    SCHEDULE_AUTHOR,
    SESSION_LISTS,
    DayRow,
    EvidenceItem,
    EvidenceKind,
    Finding,
    FindingSection,
    FindingStatus,
    FocusAreaRow,
    ParticipantRow,
    ReviewerRow,
    ReviewRow,
    Row,
    SessionKind,
    SessionOrigin,
    SessionRow,
    SessionStatus,
    SourceKind,
    json_list,
    new_id,
    note_id,
    now,
)

__all__ = [
    "ID_NAMESPACE",
    "SCHEDULE_AUTHOR",
    "DayRow",
    "EvidenceItem",
    "EvidenceKind",
    "Finding",
    "FindingSection",
    "FindingStatus",
    "FocusAreaRow",
    "ParticipantRow",
    "ReviewRow",
    "ReviewerRow",
    "SessionKind",
    "SessionOrigin",
    "SessionRow",
    "SessionStatus",
    "SourceKind",
    "new_id",
    "note_id",
    "now",
]

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


# --- The schedule file -------------------------------------------------------------------


class _FileModel(BaseModel):
    # defer_build: a model's validator is built when it first validates, not when this module is
    # imported (a command that never reads a schedule file never pays for it).
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)


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
# The week's rows (sessions, days, reviewers, focus areas, the review), evidence items and
# findings are plain dataclasses in ``rows``: read back for display, they need no second
# validation. These below still are models.


class _Row(BaseModel):
    model_config = ConfigDict(extra="ignore", defer_build=True)

    created_by: str
    created_at: str
    updated_by: str
    updated_at: str


class Attendee(BaseModel):
    model_config = ConfigDict(defer_build=True)

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


def _json_value(value: Any, empty: Any) -> Any:
    if value is None or value == "":
        return empty
    if isinstance(value, str):
        return json.loads(value)
    return value


def _json_list(value: Any) -> Any:
    return _json_value(value, [])


# --- The week's rows, where they enter from outside -----------------------------------------


def letter_of(review: ReviewRow) -> Letter | None:
    """The schedule file's letter settings of a review read back (validated when they entered)."""
    return Letter.model_validate_json(review.letter_json) if review.letter_json else None


def presentation_of(review: ReviewRow) -> Presentation | None:
    """The schedule file's presentation settings of a review read back."""
    return Presentation.model_validate_json(review.presentation_json) if review.presentation_json else None


@cache
def _adapter(row_type: type[Any]) -> TypeAdapter[Any]:
    return TypeAdapter(row_type)


def validated_session_row(row: Mapping[str, Any]) -> SessionRow:
    """A session row that came from outside (a tombstone in a colleague's bundle), checked field
    by field; raises ``ValueError`` (pydantic's ValidationError) if it is not one."""
    decoded = {key: json_list(value) if key in SESSION_LISTS else value for key, value in row.items()}
    session: SessionRow = _adapter(SessionRow).validate_python(decoded)
    return session


def validated_reviewer_row(row: Row) -> ReviewerRow:
    """A reviewer row that came from outside (a bundle), checked field by field."""
    reviewer: ReviewerRow = _adapter(ReviewerRow).validate_python(dict(row))
    return reviewer
