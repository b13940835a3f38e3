"""What a merge brought in: counts per bundle and per table, in words for people."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..signing import Enrolment
from .bundle import NOUNS, BundleHeader, plural
from .tables import TABLES


@dataclass
class TableCounts:
    added: int = 0
    updated: int = 0
    deleted: int = 0  # rows deleted here by deletions merged in
    unchanged: int = 0
    conflicts: int = 0

    @property
    def changed(self) -> int:
        return self.added + self.updated


@dataclass
class BundleMerge:
    """What one bundle brought in, or why it was skipped."""

    path: Path
    header: BundleHeader
    counts: dict[str, TableCounts] = field(default_factory=lambda: {t.name: TableCounts() for t in TABLES})
    skipped: str | None = None

    @property
    def conflicts(self) -> int:
        return sum(counts.conflicts for counts in self.counts.values())

    def describe(self) -> str:
        return describe_counts(self.counts)


@dataclass
class MergeSummary:
    bundles: list[BundleMerge]
    removed: dict[str, int] = field(default_factory=dict)  # rows deleted by deletions merged in
    enrolled: list[Enrolment] = field(default_factory=list)  # keys the lead enrolled in this merge
    # retirements the lead raised in this merge, keeping a lost laptop's later work (and which)
    kept: list[tuple[Enrolment, str]] = field(default_factory=list)
    pinned_lead_key: str | None = None  # the lead's key, pinned by this merge (a laptop joining)
    own_key: str | None = None  # the merging reviewer's public key on this laptop

    def total(self, table: str) -> TableCounts:
        total = TableCounts()
        for merged in self.bundles:
            counts = merged.counts[table]
            total.added += counts.added
            total.updated += counts.updated
            total.deleted += counts.deleted
            total.unchanged += counts.unchanged
            total.conflicts += counts.conflicts
        return total

    @property
    def conflicts(self) -> int:
        return sum(merged.conflicts for merged in self.bundles)

    def describe(self) -> str:
        return describe_counts({table.name: self.total(table.name) for table in TABLES})


def describe_counts(counts: dict[str, TableCounts]) -> str:
    """'3 notes (1 new), 2 findings, 1 conflict': what a person wants to hear first."""

    def part(table: str, noun: str) -> str:
        c = counts[table]
        text = f"{c.changed} {noun}{'' if c.changed == 1 else 's'}"
        return text + (f" ({c.added} new)" if c.added and c.updated else "")

    parts = [part("notes", "note"), part("findings", "finding")]
    conflicts = sum(c.conflicts for c in counts.values())
    parts.append(f"{conflicts} conflict{'' if conflicts == 1 else 's'}")
    others = sum(c.changed for name, c in counts.items() if name not in {"notes", "findings"})
    if others:
        parts.append(f"{others} other row{'' if others == 1 else 's'} (evidence, schedule, audit)")
    parts += [
        f"{plural(counts[table].deleted, noun)} deleted" for table, noun in NOUNS if counts[table].deleted
    ]
    return ", ".join(parts)
