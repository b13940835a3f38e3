"""What every row of a bundle must look like, checked as it is read, before merge writes any.

A bundle comes from another laptop and may have been edited by hand, so nothing in it is taken
on trust: each table has exactly the columns this version writes, each value has its storage
type (text, integer...), ids follow the id rule, stamps the stamp format (and are not in the
future), enums hold one of their values, JSON columns parse to the shape the models read
(``Letter``, ``Participant``, ``Attendee``...), a note's id is the one its session and author
give, and every row then reads back through its model as the app will read it. The first value
that fails raises ``RowProblem``, naming the table, the row (its key, or its place when the key
itself is bad) and the column.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from ..models import (
    Attendee,
    DayRow,
    EvidenceItem,
    EvidenceKind,
    Finding,
    FindingSection,
    FindingStatus,
    FocusAreaRow,
    Id,
    Letter,
    Note,
    Participant,
    ReviewerRow,
    ReviewRow,
    SessionKind,
    SessionOrigin,
    SessionRow,
    SessionStatus,
    SourceKind,
    note_id,
    parse_time,
)
from .tables import BY_NAME, TABLES

STAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
_STAMP_PATTERN = re.compile(r"[0-9]{4}-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]\.[0-9]{6}Z")
_DATE_PATTERN = re.compile(r"[0-9]{4}-[0-9][0-9]-[0-9][0-9]")
_HASH_PATTERN = re.compile(r"[0-9a-f]{32}")
# A laptop's clock may be a little ahead of this one's; a stamp further ahead would win every
# merge for ever.
CLOCK_SLACK = dt.timedelta(days=1)
# Tables whose rows a conflict may keep: the ones people edit (never the schedule's own rows,
# which a reload makes again, nor audit entries or conflicts).
CONFLICT_TABLES = ("sessions", "notes", "evidence", "evidence_tags", "findings", "finding_evidence")
TOMBSTONE_TABLES = tuple(table.name for table in TABLES if table.tombstones)


class RowProblem(Exception):
    """A value of a bundle that this peerreview did not write; ``str()`` says where and what."""

    def __init__(self, where: str, problem: str):
        super().__init__(f"{where}: {problem}" if where else problem)
        self.where = where
        self.problem = problem


class _Bad(ValueError):
    """What is wrong with one value (the caller knows where it is)."""


Check = Callable[[Any], None]


# --- Checks of one value -------------------------------------------------------------------------


def _shown(value: Any) -> str:
    if value is None:
        return "empty (NULL)"
    if isinstance(value, bytes):
        return "binary data (a BLOB)"
    if isinstance(value, bool | int | float):
        return f"the number {value}"
    text = str(value)
    return repr(text if len(text) <= 60 else text[:57] + "...")


def text(value: Any) -> None:
    if not isinstance(value, str):
        raise _Bad(f"{_shown(value)}, not text")


_ID = TypeAdapter(Id)


def ident(value: Any) -> None:
    """The id rule of the schedule file (``models.Id``): lower-case letters, digits and '-'."""
    text(value)
    try:
        _ID.validate_python(value)
    except ValidationError as error:
        raise _Bad(error.errors()[0]["msg"]) from None
    if not value.isprintable():  # the rule's '$' lets a final line break through
        raise _Bad(f"{_shown(value)} is not an id (lower-case letters, digits and '-', at most 48)")


def stamp(value: Any) -> None:
    text(value)
    try:
        if not _STAMP_PATTERN.fullmatch(value):
            raise ValueError
        dt.datetime.fromisoformat(value[:-1])  # the pattern has the shape; this, a real time
    except ValueError:
        raise _Bad(f"{_shown(value)} is not a time stamp (like 2012-09-10T09:30:00.000000Z)") from None


def integer(value: Any) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise _Bad(f"{_shown(value)}, not a whole number")


def flag(value: Any) -> None:
    if not isinstance(value, int) or value not in (0, 1):
        raise _Bad(f"{_shown(value)}, not 0 or 1")


def real(value: Any) -> None:
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        raise _Bad(f"{_shown(value)}, not a number")


def date(value: Any) -> None:
    text(value)
    try:
        if not _DATE_PATTERN.fullmatch(value):
            raise ValueError
        dt.date.fromisoformat(value)
    except ValueError:
        raise _Bad(f"{_shown(value)} is not a date (YYYY-MM-DD)") from None


def time_of_day(value: Any) -> None:
    text(value)
    if parse_time(value) != value:
        raise _Bad(f"{_shown(value)} is not a time of day (HH:MM)")


def digest(value: Any) -> None:
    text(value)
    if not _HASH_PATTERN.fullmatch(value):
        raise _Bad(f"{_shown(value)} is not a version hash")


def one_of(values: tuple[str, ...]) -> Check:
    def check(value: Any) -> None:
        text(value)
        if value not in values:
            raise _Bad(f"{_shown(value)} is not one of: {', '.join(values)}")

    return check


def enum(kind: type[StrEnum]) -> Check:
    return one_of(tuple(member.value for member in kind))


def nullable(check: Check) -> Check:
    def maybe(value: Any) -> None:
        if value is not None:
            check(value)

    return maybe


def json_of(shape: Any, what: str) -> Check:
    """Text holding JSON of ``shape`` (a type the models use), strictly: no number for a flag."""
    adapter: TypeAdapter[Any] = TypeAdapter(shape)

    def check(value: Any) -> None:
        text(value)
        try:
            parsed = json.loads(value)
        except ValueError:
            raise _Bad("not valid JSON") from None
        try:
            adapter.validate_python(parsed, strict=True)
        except ValidationError as error:
            first = error.errors()[0]
            at = ".".join(str(part) for part in first["loc"])
            raise _Bad(f"not {what} ({at + ': ' if at else ''}{first['msg'].lower()})") from None

    return check


# --- The tables ----------------------------------------------------------------------------------

_STAMPS: dict[str, Check] = {
    "created_by": ident,
    "created_at": stamp,
    "updated_by": ident,
    "updated_at": stamp,
}
_IDS = json_of(list[str], "a list of ids")

COLUMNS: dict[str, dict[str, Check]] = {
    "review": {
        "id": ident,
        "title": text,
        "council": text,
        "start_date": date,
        "end_date": date,
        "letter": nullable(json_of(Letter, "a letter's addressee, position, address and salutation")),
        "schedule_sha256": text,
        **_STAMPS,
    },
    "focus_areas": {
        "id": ident,
        "position": integer,
        "title": text,
        "lines_of_enquiry": json_of(list[str], "a list of lines of enquiry"),
        "retired": flag,
        **_STAMPS,
    },
    "reviewers": {
        "id": ident,
        "position": integer,
        "name": text,
        "role": text,
        "organisation": text,
        "is_lead": flag,
        "retired": flag,
        **_STAMPS,
    },
    "days": {"id": date, "title": text, "retired": flag, **_STAMPS},
    "sessions": {
        "id": ident,
        "day": date,
        "start_time": time_of_day,
        "end_time": time_of_day,
        "title": text,
        "kind": enum(SessionKind),
        "location": text,
        "reviewers": _IDS,
        "focus_areas": _IDS,
        "participants": json_of(list[Participant], "a list of participants"),
        "prompts": json_of(list[str], "a list of prompts"),
        "origin": enum(SessionOrigin),
        "status": enum(SessionStatus),
        "removed_at": nullable(stamp),
        **_STAMPS,
    },
    "notes": {
        "id": ident,
        "session_id": ident,
        "author_id": ident,
        "body": text,
        "attendance": json_of(list[Attendee], "a list of attendees"),
        **_STAMPS,
    },
    "evidence": {
        "id": ident,
        "kind": enum(EvidenceKind),
        "source_kind": enum(SourceKind),
        "text": text,
        "title": text,
        "focus_areas": _IDS,
        "session_id": nullable(ident),
        "note_id": nullable(ident),
        "line_no": nullable(integer),
        "author_id": ident,
        "detached": flag,
        "data": json_of(dict[str, Any], "a JSON object"),
        **_STAMPS,
    },
    "evidence_tags": {
        "evidence_id": ident,
        "focus_area_id": ident,
        "deleted_at": nullable(stamp),
        **_STAMPS,
    },
    "findings": {
        "id": ident,
        "section": enum(FindingSection),
        "focus_area_id": nullable(ident),
        "position": real,
        "title": text,
        "body": text,
        "status": enum(FindingStatus),
        "agreed_by": nullable(ident),
        "agreed_at": nullable(stamp),
        "deleted_at": nullable(stamp),
        **_STAMPS,
    },
    "finding_evidence": {
        "finding_id": ident,
        "evidence_id": ident,
        "quote_chosen": flag,
        "deleted_at": nullable(stamp),
        **_STAMPS,
    },
    "audit": {
        "id": ident,
        "at": stamp,
        "actor": ident,
        "table_name": text,
        "row_id": text,
        "action": text,
        "changes": json_of(dict[str, Any], "a JSON object"),
    },
    "conflicts": {
        "id": ident,
        "table_name": one_of(CONFLICT_TABLES),
        "row_id": text,
        "loser": json_of(dict[str, Any], "a JSON object"),
        "winner_updated_by": ident,
        "winner_updated_at": stamp,
        "resolution": nullable(one_of(("winner", "loser"))),
        "resolved_by": nullable(ident),
        "resolved_at": nullable(stamp),
        **_STAMPS,
    },
    "tombstones": {
        "id": text,
        "table_name": one_of(TOMBSTONE_TABLES),
        "row_id": ident,
        "row": json_of(dict[str, Any], "a JSON object"),
        "deleted_by": ident,
        "deleted_at": stamp,
    },
    "versions": {"table_name": one_of(tuple(BY_NAME)), "row_key": text, "hash": digest},
}
HEADER: dict[str, Check] = {
    "format": integer,
    "bundle_id": ident,
    "review_id": ident,
    "review_title": text,
    "schedule_sha256": text,
    "sender": ident,
    "created_at": stamp,
    "since": nullable(stamp),
}
# How the app reads each table back: a row must read this way too.
MODELS: dict[str, type[BaseModel]] = {
    "review": ReviewRow,
    "focus_areas": FocusAreaRow,
    "reviewers": ReviewerRow,
    "days": DayRow,
    "sessions": SessionRow,
    "notes": Note,
    "evidence": EvidenceItem,
    "findings": Finding,
}
_KEYS = {name: table.key for name, table in BY_NAME.items()} | {"tombstones": ("id",)}


def latest_stamp(now: dt.datetime | None = None) -> str:
    """The latest stamp a row may carry: this laptop's clock, and a day's slack."""
    return ((now or dt.datetime.now(dt.UTC)) + CLOCK_SLACK).strftime(STAMP_FORMAT)


def check_columns(table: str, names: list[str]) -> None:
    """The columns of a bundle's table (``bundle`` is its header) are those this version
    writes, no more, no fewer."""
    expected = HEADER if table == "bundle" else COLUMNS[table]
    if missing := [name for name in expected if name not in names]:
        raise RowProblem(
            "",
            f"its table {table} has no column {missing[0]} (written by another version of peerreview? use "
            "the same version on every laptop)",
        )
    if extra := [name for name in names if name not in expected]:
        raise RowProblem(
            "",
            f"its table {table} has a column {extra[0]} that this version of peerreview does not know "
            "(written by another version? use the same version on every laptop)",
        )


def row_label(table: str, row: Mapping[str, Any], number: int) -> str:
    """'notes row 'abc…'', or 'notes row number 3' when its key cannot name it."""
    keys = _KEYS.get(table, ())
    values = [row.get(column) for column in keys]
    named = [value for value in values if isinstance(value, str) and value]
    if keys and len(named) == len(values):
        return f"{table} row '{'/'.join(named)}'"
    return f"{table} row number {number}"


def check_header(header: Mapping[str, Any]) -> None:
    _check_values("its header", HEADER, header, latest_stamp())


def check_row(table: str, row: Mapping[str, Any], number: int, *, review_id: str, latest: str) -> None:
    """Every value of ``row`` (the ``number``-th of ``table`` in the bundle), then the row as a
    whole; ``RowProblem`` for the first that fails."""
    where = row_label(table, row, number)
    _check_values(where, COLUMNS[table], row, latest)
    _check_whole(table, row, where, review_id=review_id, latest=latest)


def _check_values(where: str, columns: Mapping[str, Check], row: Mapping[str, Any], latest: str) -> None:
    for column, check in columns.items():
        value = row[column]
        try:
            check(value)
            if check is stamp or column.endswith("_at"):
                _not_in_future(value, latest)
        except _Bad as bad:
            raise RowProblem(f"{where}, field {column}", str(bad)) from None


def _not_in_future(value: Any, latest: str) -> None:
    if isinstance(value, str) and value > latest:
        raise _Bad(f"{_shown(value)} is in the future (is the clock of the laptop that wrote it right?)")


def _check_whole(table: str, row: Mapping[str, Any], where: str, *, review_id: str, latest: str) -> None:
    """What no single value shows: ids that must agree, the rows JSON columns hold, the model."""
    if table == "notes" and row["id"] != note_id(review_id, row["session_id"], row["author_id"]):
        raise RowProblem(
            f"{where}, field id",
            f"not the id of {row['author_id']}'s note for session {row['session_id']} (session_id or "
            "author_id changed?)",
        )
    if table == "findings":
        _check_finding(row, where)
    if table == "tombstones":
        if row["id"] != f"{row['table_name']}/{row['row_id']}":
            raise RowProblem(f"{where}, field id", "does not name its table_name and row_id")
        _check_copy(
            row["table_name"], json.loads(row["row"]), f"{where}, field row", row["row_id"], review_id, latest
        )
    if table == "conflicts":
        loser = json.loads(row["loser"])
        _check_copy(row["table_name"], loser, f"{where}, field loser", None, review_id, latest)
        if BY_NAME[row["table_name"]].row_key(loser) != row["row_id"]:
            raise RowProblem(f"{where}, field row_id", "is not the key of the row it keeps")
    if model := MODELS.get(table):
        try:
            model.model_validate(dict(row))
        except (ValidationError, ValueError) as error:
            field = error.errors()[0]["loc"][0] if isinstance(error, ValidationError) else "?"
            raise RowProblem(f"{where}, field {field}", "cannot be read back") from None


def _check_finding(row: Mapping[str, Any], where: str) -> None:
    in_area = row["section"] in (FindingSection.STRENGTH, FindingSection.DEVELOPMENT)
    if in_area != (row["focus_area_id"] is not None):
        need = "needs a focus area" if in_area else "belongs to no focus area"
        raise RowProblem(f"{where}, field focus_area_id", f"a finding in section {row['section']} {need}")
    agreed = row["status"] == FindingStatus.AGREED
    for column in ("agreed_by", "agreed_at"):
        if agreed != (row[column] is not None):
            raise RowProblem(
                f"{where}, field {column}",
                "an agreed finding says who agreed it and when"
                if agreed
                else "a draft finding is agreed by no one",
            )


def _check_copy(
    table: str, copy: dict[str, Any], where: str, key: str | None, review_id: str, latest: str
) -> None:
    """A whole row kept as JSON (a conflict's loser, a deleted row): a row of ``table``."""
    try:
        check_columns(table, list(copy))
        check_row(table, copy, 1, review_id=review_id, latest=latest)
    except RowProblem as problem:
        raise RowProblem(where, f"the {table} row it holds: {problem}") from None
    if key is not None and BY_NAME[table].row_key(copy) != key:
        raise RowProblem(where, f"holds another {table} row than {key}")
