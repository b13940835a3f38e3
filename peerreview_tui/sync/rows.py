"""What every row of a bundle must look like, checked as it is read, before merge writes any.

A bundle comes from another laptop and may have been edited by hand, so nothing in it is taken
on trust: each table has exactly the columns this version writes, each value has its storage
type (text, integer...), ids follow the id rule, stamps the stamp format (and are not in the
future), enums hold one of their values, JSON columns parse to the types the models read
(``Letter``, ``Participant``, ``Attendee``...), and a note's id is the one its session and
author give: so every row reads back through its model (``Note``, ``SessionRow``...) as the app
will read it. The first value that fails raises ``RowProblem``, naming the table, the row (its
key, or its place when the key itself is bad) and the column.

A bundle holds tens of thousands of values: the checks are plain functions, values that repeat
(ids, small JSON lists) are checked once, and ``versions`` rows take a fast path.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from enum import StrEnum
from typing import Any

from pydantic import TypeAdapter, ValidationError

from ..models import (
    Attendee,
    EvidenceKind,
    FindingSection,
    FindingStatus,
    Id,
    Letter,
    Participant,
    Presentation,
    SessionKind,
    SessionOrigin,
    SessionStatus,
    SourceKind,
    note_id,
    parse_time,
)
from ..paths import is_id
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
CONFLICT_TABLES = (
    "sessions",
    "notes",
    "evidence",
    "evidence_tags",
    "evidence_lines",
    "follow_ups",
    "findings",
    "finding_evidence",
)
TOMBSTONE_TABLES = tuple(table.name for table in TABLES if table.tombstones)


class RowProblem(Exception):
    """A value of a bundle that this peerreview did not write; ``str()`` says where and what."""

    def __init__(self, where: str, problem: str):
        super().__init__(f"{where}: {problem}" if where else problem)
        self.where = where
        self.problem = problem


class _Bad(ValueError):
    """What is wrong with one value (the caller knows where it is)."""


# A check returns the value, or raises ``_Bad`` saying what is wrong with it.
Check = Callable[[Any], Any]


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


def text(value: Any) -> Any:
    if type(value) is not str:
        raise _Bad(f"{_shown(value)}, not text")
    return value


_ID = TypeAdapter(Id)


@functools.lru_cache(maxsize=4096)
def _id_problem(value: str) -> str | None:
    """Why ``value`` breaks the model's id rule, in its words, or None."""
    try:
        _ID.validate_python(value)
    except ValidationError as error:
        return str(error.errors()[0]["msg"])
    if not value.isprintable():  # the rule's '$' lets a final line break through
        return f"{_shown(value)} is not an id (lower-case letters, digits and '-', at most 48)"
    return None


_known_id = functools.lru_cache(maxsize=65536)(is_id)  # authors, sessions, stamps' "by": repeated


def ident(value: Any) -> Any:
    """The id rule of the schedule file (``models.Id``): lower-case letters, digits and '-'.
    ``paths.is_id`` (the same rule, for file names) is the fast path; the model's rule decides."""
    if type(value) is str and _known_id(value):
        return value
    text(value)
    if problem := _id_problem(value):
        raise _Bad(problem)
    return value


def stamp(value: Any) -> Any:
    text(value)
    try:
        if not _STAMP_PATTERN.fullmatch(value):
            raise ValueError
        dt.datetime.fromisoformat(value[:-1])  # the pattern has the shape; this, a real time
    except ValueError:
        raise _Bad(f"{_shown(value)} is not a time stamp (like 2012-09-10T09:30:00.000000Z)") from None
    return value


def integer(value: Any) -> Any:
    if not isinstance(value, int) or isinstance(value, bool):
        raise _Bad(f"{_shown(value)}, not a whole number")
    return value


def flag(value: Any) -> Any:
    if not isinstance(value, int) or value not in (0, 1):
        raise _Bad(f"{_shown(value)}, not 0 or 1")
    return value


def real(value: Any) -> Any:
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        raise _Bad(f"{_shown(value)}, not a number")
    return value


def date(value: Any) -> Any:
    text(value)
    try:
        if not _DATE_PATTERN.fullmatch(value):
            raise ValueError
        dt.date.fromisoformat(value)
    except ValueError:
        raise _Bad(f"{_shown(value)} is not a date (YYYY-MM-DD)") from None
    return value


def time_of_day(value: Any) -> Any:
    text(value)
    if parse_time(value) != value:
        raise _Bad(f"{_shown(value)} is not a time of day (HH:MM)")
    return value


def digest(value: Any) -> Any:
    text(value)
    if not _HASH_PATTERN.fullmatch(value):
        raise _Bad(f"{_shown(value)} is not a version hash")
    return value


def positive(value: Any) -> Any:
    integer(value)
    if value < 1:
        raise _Bad(f"{_shown(value)} is not a number from 1 up")
    return value


def hex_of(size: int) -> Check:
    pattern = re.compile(f"[0-9a-f]{{{2 * size}}}")

    def check(value: Any) -> Any:
        if type(value) is not str or not pattern.fullmatch(value):
            raise _Bad(f"{_shown(value)} is not a key or signature ({size} bytes in hex)")
        return value

    return check


def one_of(values: tuple[str, ...]) -> Check:
    def check(value: Any) -> Any:
        text(value)
        if value not in values:
            raise _Bad(f"{_shown(value)} is not one of: {', '.join(values)}")
        return value

    return check


def enum(kind: type[StrEnum]) -> Check:
    return one_of(tuple(member.value for member in kind))


def nullable(check: Check) -> Check:
    def maybe(value: Any) -> Any:
        return None if value is None else check(value)

    return maybe


def json_of(shape: Any, what: str) -> Check:
    """Text holding JSON of ``shape`` (a type the models use), strictly: no number for a flag."""
    adapter: TypeAdapter[Any] = TypeAdapter(shape)

    @functools.lru_cache(maxsize=4096)  # '[]', '{}', the same tags: many values repeat
    def problem(value: str) -> str | None:
        try:
            adapter.validate_json(value, strict=True)
        except ValidationError as error:
            first = error.errors()[0]
            if first["type"] == "json_invalid":
                return "not valid JSON"
            at = ".".join(str(part) for part in first["loc"])
            return f"not {what} ({at + ': ' if at else ''}{first['msg'].lower()})"
        return None

    def check(value: Any) -> Any:
        text(value)
        if found := problem(value):
            raise _Bad(found)
        return value

    return check


# --- The tables ----------------------------------------------------------------------------------

_STAMPS: dict[str, Check] = {
    "created_by": ident,
    "created_at": stamp,
    "updated_by": ident,
    "updated_at": stamp,
}
_IDS = json_of(list[str], "a list of ids")
# A line of enquiry: a focus area's id, a dot, its number from 1 ("practice.2").
_LINE_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,47}\.[1-9][0-9]?")


def line_of_enquiry(value: Any) -> Any:
    text(value)
    if not _LINE_ID.fullmatch(value):
        raise _Bad(f"{_shown(value)} is not a line of enquiry (a focus area's id, a dot and a number)")
    return value


def _line_ids(value: Any) -> Any:
    text(value)
    try:
        lines = json.loads(value)
    except ValueError:
        raise _Bad("not valid JSON") from None
    if not isinstance(lines, list) or not all(
        isinstance(line, str) and _LINE_ID.fullmatch(line) for line in lines
    ):
        raise _Bad('not a list of lines of enquiry (like ["practice.2"])')
    return value


COLUMNS: dict[str, dict[str, Check]] = {
    "review": {
        "id": ident,
        "title": text,
        "council": text,
        "start_date": date,
        "end_date": date,
        "letter": nullable(json_of(Letter, "a letter's addressee, position, address and salutation")),
        "presentation": nullable(json_of(Presentation, "the presentation's settings")),
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
        "cases": nullable(integer),
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
        "lines_of_enquiry": _line_ids,
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
    "evidence_lines": {
        "evidence_id": ident,
        "line_id": line_of_enquiry,
        "deleted_at": nullable(stamp),
        **_STAMPS,
    },
    "follow_ups": {
        "evidence_id": ident,
        "owner_id": nullable(ident),
        "session_id": nullable(ident),
        "assigned_by": nullable(ident),
        "closed_at": nullable(stamp),
        "closed_by": nullable(ident),
        "answer_id": nullable(ident),
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
    # signed work (``peerreview_tui.signing``): whether it verifies is merge's to say
    "signed_log": {
        "public_key": hex_of(32),
        "seq": positive,
        "prev": text,
        "table_name": one_of((*BY_NAME, "tombstones")),
        "row_key": text,
        "hash": digest,
        "stamp": stamp,
        "author": text,
        "signature": hex_of(64),
    },
    "roster_keys": {
        "public_key": hex_of(32),
        "reviewer_id": ident,
        "enrolled_at": stamp,
        "lead_key": hex_of(32),
        "retired_after": nullable(integer),
        "signature": hex_of(64),
    },
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
_KEYS = {name: table.key for name, table in BY_NAME.items()} | {"tombstones": ("id",)}
# Columns holding a time stamp, which may not lie in the future.
_STAMP_COLUMNS = frozenset(
    column
    for columns in [*COLUMNS.values(), HEADER]
    for column in columns
    if column.endswith("_at") or column == "at"
)


def latest_stamp(now: dt.datetime | None = None) -> str:
    """The latest stamp a row may carry: this laptop's clock, and a day's slack (to the hour, so
    the bundles of one merge are checked against the same limit)."""
    latest = (now or dt.datetime.now(dt.UTC)) + CLOCK_SLACK
    return latest.replace(minute=0, second=0, microsecond=0).strftime(STAMP_FORMAT)


def check_columns(table: str, names: list[str]) -> None:
    """The columns of a bundle's table (``bundle`` is its header) are those this version
    writes, no more, no fewer."""
    expected = HEADER if table == "bundle" else COLUMNS[table]
    if len(names) == len(expected) and all(name in expected for name in names):
        return
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
    _check_values(lambda: "its header", HEADER, header, latest_stamp())


def check_row(table: str, row: Mapping[str, Any], number: int, *, review_id: str, latest: str) -> None:
    """Every value of ``row`` (the ``number``-th of ``table`` in the bundle), then the row as a
    whole; ``RowProblem`` for the first that fails."""

    def where() -> str:
        return row_label(table, row, number)

    _check_values(where, COLUMNS[table], row, latest)
    _check_whole(table, row, where, review_id=review_id, latest=latest)


def check_rows(table: str, rows: Sequence[Mapping[str, Any]], *, review_id: str, latest: str) -> None:
    """Every row of ``table`` (in the bundle's order) as ``check_row`` checks it, the values a
    column at a time: each distinct value once (ids, stamps' authors, flags, small JSON lists
    repeat across thousands of rows). Should anything fail, the rows are checked again one by one,
    so the problem named is the first, in ``check_row``'s words."""
    columns = COLUMNS[table]
    try:
        for column, check in columns.items():
            values = _distinct([row[column] for row in rows])
            for value in values:
                check(value)
            if column in _STAMP_COLUMNS and any(value is not None and value > latest for value in values):
                raise _Bad("in the future")
        for row in rows:
            _check_whole(table, row, lambda: table, review_id=review_id, latest=latest)
    except (_Bad, RowProblem) as found:
        for number, row in enumerate(rows, start=1):
            check_row(table, row, number, review_id=review_id, latest=latest)
        raise RowProblem(f"its table {table}", str(found)) from None  # pragma: no cover - named above


_NUMBERS = frozenset({int, float, bool})


def _distinct(values: list[Any]) -> list[Any]:
    """Each value once, told apart by type too where types could compare equal (1, 1.0 and True
    are one in a set, and one of them may be the wrong type)."""
    if len(set(map(type, values)) & _NUMBERS) > 1:
        return [value for _, value in {(type(value), value) for value in values}]
    return list(set(values))


def _check_values(
    where: Callable[[], str], columns: Mapping[str, Check], row: Mapping[str, Any], latest: str
) -> None:
    column = ""
    try:  # one try for the row, not one per value: a bundle holds tens of thousands of values
        for column, check in columns.items():
            value = check(row[column])
            if value is not None and column in _STAMP_COLUMNS and value > latest:
                raise _Bad(
                    f"{_shown(value)} is in the future (is the clock of the laptop that wrote it right?)"
                )
    except _Bad as bad:
        raise RowProblem(f"{where()}, field {column}", str(bad)) from None


def check_version(values: tuple[Any, ...], number: int) -> None:
    """A row of ``versions`` (table, row key, hash): the most numerous, so checked on a fast path,
    the slow one only to say what is wrong."""
    table, key, hashed = values
    texts = type(table) is str and type(key) is str and type(hashed) is str
    if texts and table in BY_NAME and _HASH_PATTERN.fullmatch(hashed):
        return
    row = dict(zip(COLUMNS["versions"], values, strict=True))
    _check_values(lambda: row_label("versions", row, number), COLUMNS["versions"], row, "")
    raise RowProblem(f"versions row number {number}", "is not a version")  # pragma: no cover - unreachable


def _check_whole(
    table: str,
    row: Mapping[str, Any],
    where: Callable[[], str],
    *,
    review_id: str,
    latest: str,
) -> None:
    """What no single value shows: ids that must agree, the rows that JSON columns hold."""
    if table == "notes" and row["id"] != note_id(review_id, row["session_id"], row["author_id"]):
        raise RowProblem(
            f"{where()}, field id",
            f"not the id of {row['author_id']}'s note for session {row['session_id']} (session_id or "
            "author_id changed?)",
        )
    if table == "findings":
        _check_finding(row, where)
    if table == "follow_ups":
        _check_follow_up(row, where)
    if table in ("tombstones", "conflicts"):
        copy = "row" if table == "tombstones" else "loser"
        if table == "tombstones" and row["id"] != f"{row['table_name']}/{row['row_id']}":
            raise RowProblem(f"{where()}, field id", "does not name its table_name and row_id")
        # a deleted row travels in every bundle after: the same text, checked once
        if problem := _copy_problem(row["table_name"], row[copy], row["row_id"], review_id, latest):
            raise RowProblem(f"{where()}, field {copy}", problem)


def _check_finding(row: Mapping[str, Any], where: Callable[[], str]) -> None:
    in_area = row["section"] in (FindingSection.STRENGTH, FindingSection.DEVELOPMENT)
    if in_area != (row["focus_area_id"] is not None):
        need = "needs a focus area" if in_area else "belongs to no focus area"
        raise RowProblem(f"{where()}, field focus_area_id", f"a finding in section {row['section']} {need}")
    agreed = row["status"] == FindingStatus.AGREED
    for column in ("agreed_by", "agreed_at"):
        if agreed != (row[column] is not None):
            raise RowProblem(
                f"{where()}, field {column}",
                "an agreed finding says who agreed it and when"
                if agreed
                else "a draft finding is agreed by no one",
            )


def _check_follow_up(row: Mapping[str, Any], where: Callable[[], str]) -> None:
    if (row["owner_id"] is None) != (row["assigned_by"] is None):
        raise RowProblem(f"{where()}, field assigned_by", "a follow-up handed out says who handed it out")
    if row["session_id"] is not None and row["owner_id"] is None:
        raise RowProblem(f"{where()}, field owner_id", "a follow-up given a session is given someone to ask")
    closed = row["closed_at"] is not None
    if closed != (row["closed_by"] is not None):
        raise RowProblem(f"{where()}, field closed_by", "a closed follow-up says who closed it and when")
    if row["answer_id"] is not None and not closed:
        raise RowProblem(f"{where()}, field answer_id", "an open follow-up has no answer yet")
    if row["answer_id"] is not None and row["answer_id"] == row["evidence_id"]:
        raise RowProblem(f"{where()}, field answer_id", "a follow-up does not answer itself")


@functools.lru_cache(maxsize=8192)
def _copy_problem(table: str, text: str, key: str, review_id: str, latest: str) -> str | None:
    """What is wrong with a whole row of ``table`` kept as JSON (a deleted row, a conflict's
    loser) under ``key``, or None."""
    copy = json.loads(text)
    try:
        check_columns(table, list(copy))
        check_row(table, copy, 1, review_id=review_id, latest=latest)
    except RowProblem as problem:
        return f"the {table} row it holds: {problem}"
    if BY_NAME[table].row_key(copy) != key:
        return f"holds another {table} row than {key}"
    return None
