"""Inline marks typed in notes: ``+`` strength, ``-`` area for development, ``?`` follow up,
``!`` quote, ``#tag`` for the focus area a line is about, and ``#tag.N`` for the N-th key line of
enquiry of that focus area (``#practice.2``), which names the focus area too.

A marked line is one whose first non-space character is a mark, optionally after a timestamp
(``[10:42] + good supervision #practice``). Parsing runs on every keystroke in the note editor,
so it is one pass over the lines with precompiled patterns and no IO.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .rows import EvidenceKind, FocusAreaRow

if TYPE_CHECKING:
    from .models import FocusArea

MARK_KINDS: dict[str, EvidenceKind] = {
    "+": EvidenceKind.STRENGTH,
    "-": EvidenceKind.DEVELOPMENT,
    "?": EvidenceKind.FOLLOW_UP,
    "!": EvidenceKind.QUOTE,
}

# Optional indentation, an optional [HH:MM] or [HH:MM:SS] timestamp, then the mark character;
# a doubled mark ("++ excellent", "?? who decides") is emphasis, not part of the text.
_MARKED_LINE = re.compile(r"\s*(?:\[\d{1,2}:\d{2}(?::\d{2})?\]\s*)?([-+?!])\1*(.*)", re.DOTALL)
# Evidence says something: a bare "-" (a bullet being typed) or a rule like "---" or "- - -"
# has no letter or digit in it and is layout, not a mark.
_WORDY = re.compile(r"[^\W_]")
# A tag starts a line or follows a non-word character, so "C#" and "issue#3" are not tags; it
# must not run into a word character either ("#early_help" is not "#early"). Case is folded.
_TAG = re.compile(r"(?<!\w)#([a-z0-9][a-z0-9-]*)(?!\w)", re.IGNORECASE)
# A line of enquiry: the focus area's tag, a dot, its number in the schedule (from 1). The tag
# before the dot is a tag as above, so "#practice.2" counts for #practice as well.
_LINE_TAG = re.compile(r"(?<!\w)#([a-z0-9][a-z0-9-]*)\.([1-9][0-9]?)(?!\w)", re.IGNORECASE)
# What precedes the cursor while a tag (or a line of enquiry's "#practice.2") is being typed.
_PARTIAL_TAG = re.compile(r"(?<!\w)#([a-z0-9-]*(?:\.[0-9]*)?)\Z", re.IGNORECASE)
# Cheap first test: only lines starting with a mark or a timestamp can be marked.
_FIRST_CHARS = frozenset("+-?![")


@dataclass(frozen=True)
class Mark:
    """One marked line of a note."""

    line_no: int  # 0-based line in the note
    kind: EvidenceKind
    text: str  # the line without timestamp and mark character, stripped; tags left in
    tags: tuple[str, ...]  # focus-area ids, in order of appearance, de-duplicated
    unknown: tuple[str, ...] = ()  # tags that are not known focus-area ids (with known_tags)
    lines: tuple[str, ...] = ()  # lines of enquiry ("practice.2"), in order, de-duplicated


@dataclass(frozen=True)
class LineOfEnquiry:
    """A key line of enquiry of a focus area, addressed as ``area.N`` (N from 1, the schedule's
    order): the question the team tests under that focus area. Numbers follow the schedule file,
    so reordering its lines re-numbers them: add new lines at the end during the week."""

    id: str  # "practice.2"
    area_id: str
    number: int
    text: str


def line_id(area_id: str, number: int) -> str:
    return f"{area_id}.{number}"


def area_of_line(line: str) -> str:
    """The focus area of a line of enquiry's id ("practice.2" -> "practice")."""
    return line.rsplit(".", 1)[0]


def lines_of_enquiry(areas: Iterable[FocusArea | FocusAreaRow]) -> list[LineOfEnquiry]:
    """Every line of enquiry of ``areas``, area by area, in the schedule's order."""
    return [
        LineOfEnquiry(line_id(area.id, number), area.id, number, text)
        for area in areas
        for number, text in enumerate(area.lines_of_enquiry, start=1)
    ]


def lines_in_line(line: str) -> list[str]:
    """The lines of enquiry (``#practice.2``) of a line of text, lower-cased, in order, once each."""
    found: list[str] = []
    for match in _LINE_TAG.finditer(line):
        named = line_id(match.group(1).lower(), int(match.group(2)))
        if named not in found:
            found.append(named)
    return found


def strip_lines(text: str, lines: Collection[str]) -> str:
    """``text`` without the ``#area.N`` marks of ``lines`` (others stay, as written)."""
    return _LINE_TAG.sub(
        lambda m: " " if line_id(m.group(1).lower(), int(m.group(2))) in lines else m.group(0), text
    )


def tags_in_line(line: str) -> list[str]:
    """The ``#tags`` of a line, lower-cased, in order, de-duplicated."""
    found: list[str] = []
    for match in _TAG.finditer(line):
        # "#practice-" at the end of a clause: the dash is punctuation, not part of the id
        tag = match.group(1).rstrip("-").lower()
        if tag not in found:
            found.append(tag)
    return found


def parse_line(
    line: str,
    line_no: int = 0,
    known_tags: Collection[str] | None = None,
    known_lines: Collection[str] | None = None,
) -> Mark | None:
    """The mark on one line, or None if the line is not marked. With ``known_lines``, a line of
    enquiry that is not one of them is listed in ``unknown`` (as "practice.9")."""
    stripped = line.lstrip()
    if not stripped or stripped[0] not in _FIRST_CHARS:
        return None
    match = _MARKED_LINE.match(line)
    if match is None:
        return None
    text = match.group(2).strip()
    if not _WORDY.search(text):
        return None
    tags = tags_in_line(text)
    lines = lines_in_line(text) if "." in text else []
    unknown: list[str] = []
    if known_tags is not None:
        unknown = [tag for tag in tags if tag not in known_tags]
        tags = [tag for tag in tags if tag in known_tags]
    if known_lines is not None:
        unknown += [line for line in lines if line not in known_lines]
        lines = [line for line in lines if line in known_lines]
    return Mark(line_no, MARK_KINDS[match.group(1)], text, tuple(tags), tuple(unknown), tuple(lines))


def parse_marks(
    body: str, known_tags: Collection[str] | None = None, known_lines: Collection[str] | None = None
) -> list[Mark]:
    """The marked lines of a note, in line order.

    Lines are counted as the note editor counts them (``str.splitlines``), so ``line_no``
    points at the same line on screen whatever the line endings.
    """
    if known_tags is not None and not isinstance(known_tags, (set, frozenset, dict)):
        known_tags = frozenset(known_tags)
    if known_lines is not None and not isinstance(known_lines, (set, frozenset, dict)):
        known_lines = frozenset(known_lines)
    marks: list[Mark] = []
    for line_no, line in enumerate(body.splitlines()):
        mark = parse_line(line, line_no, known_tags, known_lines)
        if mark is not None:
            marks.append(mark)
    return marks


def group_by_focus_area(marks: Iterable[Mark]) -> dict[str | None, list[Mark]]:
    """Marks under each of their tags (a mark with two tags is under both); untagged under
    ``None``. Keys in order of first appearance, ``None`` last."""
    groups: dict[str | None, list[Mark]] = {}
    untagged: list[Mark] = []
    for mark in marks:
        if not mark.tags:
            untagged.append(mark)
        for tag in mark.tags:
            groups.setdefault(tag, []).append(mark)
    if untagged:
        groups[None] = untagged
    return groups


def partial_tag_at(line: str, column: int) -> str | None:
    """The tag being typed just before ``column`` (possibly '' right after the ``#``, or
    "practice." while a line of enquiry is typed), or None if the cursor is not in a tag."""
    if column < 0:
        return None
    match = _PARTIAL_TAG.search(line, 0, min(column, len(line)))
    return match.group(1) if match else None


def complete_tag(partial: str, tags: Sequence[str]) -> list[str]:
    """The tags that start with ``partial`` (ignoring case), in the order given. Lines of
    enquiry ("practice.2", when ``tags`` has them) are offered once the dot is typed."""
    prefix = partial.casefold()
    lines = "." in prefix
    return [tag for tag in tags if tag.casefold().startswith(prefix) and ("." in tag) == lines]
