"""Triangulation: how independent the evidence behind a finding is ("no theory without evidence").

A finding backed by one session, or by one kind of source, is single-source: the lead sees it on
the finding's badge before agreeing it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from .rows import SourceKind


class Cited(Protocol):
    """What the badge needs of an item (an ``EvidenceItem``, or less)."""

    @property
    def id(self) -> str: ...
    @property
    def session_id(self) -> str | None: ...
    @property
    def note_id(self) -> str | None: ...
    @property
    def source_kind(self) -> SourceKind: ...
    @property
    def author_id(self) -> str: ...
    @property
    def detached(self) -> bool: ...


@dataclass(frozen=True)
class Triangulation:
    """How independent the evidence behind a finding is: the badge the lead checks."""

    sessions: int
    source_kinds: int
    reviewers: int
    items: int
    broken: int

    @classmethod
    def of(cls, items: Iterable[Cited]) -> Triangulation:
        """The badge of ``items``; broken ones (note line deleted) are counted apart, backing nothing."""
        items = list(items)
        sound = [item for item in items if not item.detached]
        # Data, the questionnaire and documents have no session: each kind of them is one source.
        sessions = {("session", i.session_id) if i.session_id else ("kind", i.source_kind) for i in sound}
        heard_by = {i.author_id for i in sound if i.session_id or i.note_id}
        kinds = {i.source_kind for i in sound}
        return cls(len(sessions), len(kinds), len(heard_by), len(items), len(items) - len(sound))

    @property
    def single_source(self) -> bool:
        return self.sessions <= 1 or self.source_kinds <= 1

    def label(self) -> str:
        """'3 sessions · 2 kinds · 2 reviewers', then ' · single source', ' · 1 broken link'."""
        if self.items == 0:
            return "no evidence"
        parts = [_count(self.sessions, "session"), _count(self.source_kinds, "kind")]
        parts += [_count(self.reviewers, "reviewer")]
        parts += ["single source"] if self.single_source else []
        parts += [_count(self.broken, "broken link")] if self.broken else []
        return " · ".join(parts)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
