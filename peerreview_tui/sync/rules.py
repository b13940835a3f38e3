"""What bundles may bring into this review, checked against the database before merge writes
anything (the rows themselves were checked as they were read: ``rows``).

- References: every row refers to rows that exist, here or in the bundles being merged.
- The sender is a reviewer of this review.
- A purged review takes no note text back in, from a laptop that has not purged.
- Ownership (``peerreview_tui.ownership``, the one rule), for each version this laptop has not
  held before: a note is changed by its author (or blanked by a purge); a finding is agreed, an
  agreed one changed, and a quote chosen for the letter, by the lead as this database knows it;
  a conflict is settled by whom the rule allows; the review, its reviewers (and who leads), days
  and focus areas come only from the schedule file; an audit entry, once written, never changes.

Each ownership check is a small function answering "why may this version not come in?" with a
sentence for the user, or None; the rule itself answers who may.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from ..models import FindingStatus, validated_reviewer_row
from ..names import local_time
from ..ownership import Change, Member, Roster
from ..store.purge import NOTES_PURGED, PURGE_AUTHOR
from .bundle import Bundle, SyncError, refused
from .tables import BY_NAME, Row, State, content

AGREED = FindingStatus.AGREED.value
SCHEDULE_TABLES = ("reviewers", "review", "days", "focus_areas")  # who leads: said first
FROM_THE_FILE = "come only from the schedule file: reload it with 'peerreview reload'"
# (table, column, table referred to, whether the column holds a JSON list of keys)
REFERENCES = (
    ("sessions", "day", "days", False),
    ("sessions", "reviewers", "reviewers", True),
    ("sessions", "focus_areas", "focus_areas", True),
    ("notes", "session_id", "sessions", False),
    ("notes", "author_id", "reviewers", False),
    ("evidence", "session_id", "sessions", False),
    ("evidence", "note_id", "notes", False),
    ("evidence", "author_id", "reviewers", False),
    ("evidence", "focus_areas", "focus_areas", True),
    ("evidence_tags", "evidence_id", "evidence", False),
    ("evidence_tags", "focus_area_id", "focus_areas", False),
    ("evidence_lines", "evidence_id", "evidence", False),
    ("follow_ups", "evidence_id", "evidence", False),
    ("follow_ups", "owner_id", "reviewers", False),
    ("follow_ups", "assigned_by", "reviewers", False),
    ("follow_ups", "session_id", "sessions", False),
    ("follow_ups", "closed_by", "reviewers", False),
    ("follow_ups", "answer_id", "evidence", False),
    ("findings", "focus_area_id", "focus_areas", False),
    ("findings", "agreed_by", "reviewers", False),
    ("finding_evidence", "finding_id", "findings", False),
    ("finding_evidence", "evidence_id", "evidence", False),
)
_NOUN = {
    "days": "day",
    "reviewers": "reviewer",
    "focus_areas": "focus area",
    "sessions": "session",
    "notes": "note",
    "evidence": "evidence item",
    "findings": "finding",
}


class Refusal(Exception):
    """Why a bundle may not come in, in words for the user."""


@dataclass
class Here:
    """The review as it stands before the merge, with what the bundles bring: what the rules
    compare with and the names they speak in."""

    states: Mapping[str, State]
    has_review: bool
    team: dict[str, Row]  # the reviewers: this database's, or (a first merge) the bundles'
    roster: Roster  # the team for the rule: retired reviewers too (their past versions stand), who leads now
    purged_at: str | None
    rows: dict[str, dict[str, Row]]  # table -> key -> row, here or in a bundle (for names)
    known: dict[str, set[str]]  # table -> keys here or in a bundle, deleted ones too

    @classmethod
    def build(cls, db: Database, states: Mapping[str, State], bundles: list[Bundle]) -> Here:
        has_review = bool(states["review"].rows)
        rows: dict[str, dict[str, Row]] = {}
        known: dict[str, set[str]] = {}
        for name, state in states.items():
            theirs = {state.table.row_key(row): row for bundle in bundles for row in bundle.rows[name]}
            rows[name] = theirs | state.rows
            deleted = {
                tomb["row_id"]
                for bundle in bundles
                for tomb in bundle.tombstones
                if tomb["table_name"] == name
            }
            known[name] = set(rows[name]) | set(state.tombs) | deleted
        team = states["reviewers"].rows if has_review else rows["reviewers"]
        found = next(db.query("SELECT value FROM meta WHERE key = ?", [NOTES_PURGED]), None)
        purged_at = found["value"] if found else None
        return cls(states, has_review, dict(team), roster_of(team), purged_at, rows, known)

    @property
    def leads(self) -> set[str]:
        return {member.id for member in self.roster.members if member.is_lead}

    def name(self, reviewer_id: str | None) -> str:
        row = self.rows["reviewers"].get(reviewer_id or "")
        return str(row["name"]) if row else repr(reviewer_id)

    def lead_names(self) -> str:
        return ", ".join(self.name(lead) for lead in sorted(self.leads)) or "the schedule names none"

    def session_title(self, session_id: str | None) -> str:
        row = self.rows["sessions"].get(session_id or "")
        return f"'{row['title']}'" if row else f"session {session_id}"

    def finding_title(self, finding_id: str) -> str:
        row = self.rows["findings"].get(finding_id)
        return f"'{row['title']}'" if row else f"{finding_id}"


def roster_of(team: Mapping[str, Row]) -> Roster:
    """The rule's roster from reviewers rows; a retired reviewer still wrote what they wrote, but
    leads no more."""
    people = [validated_reviewer_row(row) for row in team.values()]
    people.sort(key=lambda person: person.position)
    return Roster(tuple(Member(p.id, p.name, p.is_lead and not p.retired) for p in people))


def check_bundles(db: Database, states: Mapping[str, State], bundles: list[Bundle]) -> Here:
    """Refuse (``SyncError``, one line) the first bundle that may not come in; nothing is
    written. Returns the review as the rules saw it (with the names they speak in)."""
    here = Here.build(db, states, bundles)
    for bundle in bundles:
        try:
            check_sender(bundle, here)
            check_references(bundle, here, _earlier_hint(bundles))
            check_purged(bundle, here)
            check_ownership(bundle, here)
        except Refusal as why:
            raise SyncError(refused(bundle.path, str(why))) from None
    return here


def check_sender(bundle: Bundle, here: Here) -> None:
    sender = bundle.header.sender
    if sender not in here.team:
        raise Refusal(f"its header, field sender: {sender!r} is no reviewer of this review")


# --- References ----------------------------------------------------------------------------------


def check_references(bundle: Bundle, here: Here, hint: str) -> None:
    for table, column, target, is_list in REFERENCES:
        keys = BY_NAME[table]
        for row in bundle.rows[table]:
            values = json.loads(row[column]) if is_list else [row[column]]
            for value in values:
                if value is not None and value not in here.known[target]:
                    raise Refusal(
                        f"{table} row '{keys.row_key(row)}', field {column}: {value!r} is no "
                        f"{_NOUN[target]} of this review, here or in the bundles{hint}"
                    )


def _earlier_hint(bundles: list[Bundle]) -> str:
    partial = [b for b in bundles if b.header.since is not None]
    if not partial:
        return ""
    names = ", ".join(b.path.name for b in partial)
    senders = ", ".join(sorted({b.header.sender for b in partial}))
    holds = "holds" if len(partial) == 1 else "hold"
    return (
        f"; {names} {holds} only changes since an earlier bundle: merge the earlier bundles from "
        f"{senders} first, or ask for a full bundle"
    )


# --- A purged review -----------------------------------------------------------------------------


def check_purged(bundle: Bundle, here: Here) -> None:
    """After a purge, nothing brings the words of the notes back: a bundle holding any is
    refused until the laptop that wrote it is purged too."""
    if here.purged_at is None:
        return
    for what in note_text_in(bundle, here):
        raise Refusal(
            f"the notes of this review were purged here on {here.purged_at[:10]}, and it holds note text "
            f"({what}); purge the notes on the laptop that wrote it ('peerreview purge --notes') and bundle again"
        )


def note_text_in(bundle: Bundle, here: Here) -> Iterator[str]:
    """Where the bundle holds words of the notes, in words (never the words themselves)."""
    for row in bundle.rows["notes"]:
        if _note_has_text(row):
            yield f"{here.name(row['author_id'])}'s note for {here.session_title(row['session_id'])}"
    for row in bundle.rows["evidence"]:
        if _item_has_text(row):
            yield f"an evidence item of {here.name(row['author_id'])}"
    copies = [(row["table_name"], json.loads(row["loser"])) for row in bundle.rows["conflicts"]]
    copies += [(tomb["table_name"], json.loads(tomb["row"])) for tomb in bundle.tombstones]
    for table, copy in copies:
        if (table == "notes" and _note_has_text(copy)) or (table == "evidence" and _item_has_text(copy)):
            yield f"a copy of a row of {table} by {here.name(copy['author_id'])}, kept by an earlier merge"


def _note_has_text(row: Mapping[str, Any]) -> bool:
    people = json.loads(row["attendance"])
    return row["body"] != "" or any(person.get("role") or person.get("organisation") for person in people)


def _item_has_text(row: Mapping[str, Any]) -> bool:
    # what purge blanks: the text, and the title of items from notes and of quotes
    from_notes = row["note_id"] is not None or row["kind"] == "quote"
    return bool(row["text"] != "" or (from_notes and row["title"] != ""))


# --- Ownership -----------------------------------------------------------------------------------


def check_ownership(bundle: Bundle, here: Here) -> None:
    """Each version new to this laptop, against the rule of who may change what."""
    if here.has_review:  # a first merge (joining) takes the review as the bundle has it
        for table in SCHEDULE_TABLES:
            _check_schedule_table(bundle, here, table)
    for table in ("notes", "findings", "finding_evidence", "follow_ups", "conflicts", "audit"):
        state = here.states[table]
        for row in bundle.rows[table]:
            key = state.table.row_key(row)
            local = state.rows.get(key)
            why = None
            if table == "audit":
                why = audit_rewrite_refused(row, local, here)
            elif not state.is_new(key, row):
                continue
            elif table == "notes":
                why = note_change_refused(row, here)
            elif state.wins(key, row):  # an older version changes nothing
                if table == "findings":
                    why = agreement_refused(row, local, here)
                elif table == "finding_evidence":
                    why = quote_choice_refused(row, local, here)
                elif table == "follow_ups":
                    why = follow_up_refused(row, local, here)
                else:
                    why = settlement_refused(row, local, here)
            if why:
                raise Refusal(f"{why} ({table} row '{key}')")


def note_change_refused(row: Row, here: Here) -> str | None:
    """A note's text and attendance are its author's; the purge may blank them."""
    if row["updated_by"] == PURGE_AUTHOR and not _note_has_text(row):
        return None
    if row["updated_by"] == row["author_id"]:
        return None  # the author's own, retired since or not
    reason = here.roster.refusal(row["updated_by"], Change.NOTE, author=row["author_id"])
    return (
        f"it changes {here.name(row['author_id'])}'s note for {here.session_title(row['session_id'])} in a "
        f"change made by {here.name(row['updated_by'])}: {reason}"
    )


def agreement_refused(row: Row, local: Row | None, here: Here) -> str | None:
    """Only the lead agrees a finding, and changes an agreed one (its place in the list too:
    moving a draft never touches its neighbours)."""
    if row["status"] != AGREED:
        return None
    was_agreed = local is not None and local["status"] == AGREED
    change = Change.FINDING if was_agreed else Change.AGREE
    reason = here.roster.refusal(row["updated_by"], change, finding_status=AGREED if was_agreed else None)
    reason = reason or here.roster.refusal(row["agreed_by"], Change.AGREE)
    if reason is None:
        return None
    return (
        f"it marks the finding {here.finding_title(row['id'])} agreed by {here.name(row['agreed_by'])} in a "
        f"change made by {here.name(row['updated_by'])}: {reason}"
    )


def quote_choice_refused(row: Row, local: Row | None, here: Here) -> str | None:
    """Only the lead chooses the letter's quotes; whoever stops citing a quote unchooses it."""
    before, after = bool(local and local["quote_chosen"]), bool(row["quote_chosen"])
    if before == after or (not after and row["deleted_at"] is not None):
        return None
    reason = here.roster.refusal(row["updated_by"], Change.CHOOSE_QUOTE)
    if reason is None:
        return None
    return (
        f"it {'chooses' if after else 'drops'} a quote for the letter in the finding "
        f"{here.finding_title(row['finding_id'])} as {here.name(row['updated_by'])}: {reason}"
    )


def follow_up_refused(row: Row, local: Row | None, here: Here) -> str | None:
    """A follow-up is handed out by whoever raised it or the lead (``assigned_by``), and closed by
    its owner (whoever raised it, while it has none) or the lead (``closed_by``): the rule, on what
    the version changes. A bundle carries a row's latest version only, so the row says who did each."""
    before = local or {"owner_id": None, "session_id": None, "closed_at": None, "answer_id": None}
    item = here.rows["evidence"].get(row["evidence_id"]) or {}
    author = item.get("author_id")
    question = f"a follow-up raised by {here.name(author)}"
    handed = (row["owner_id"], row["session_id"]) != (before["owner_id"], before["session_id"])
    if handed:
        assigner = row["assigned_by"] or row["updated_by"]
        reason = here.roster.refusal(assigner, Change.ASSIGN_FOLLOW_UP, author=author)
        if reason is not None:
            return f"it hands out {question} as {here.name(assigner)}: {reason}"
    closing = row["closed_at"] is not None
    if closing != (before["closed_at"] is not None) or row["answer_id"] != before["answer_id"]:
        # reopening leaves no name behind but the row's last change
        actor = row["closed_by"] if closing else row["updated_by"]
        reason = here.roster.refusal(actor, Change.CLOSE_FOLLOW_UP, author=author, owner=row["owner_id"])
        if reason is not None:
            return f"it {'closes' if closing else 'reopens'} {question} as {here.name(actor)}: {reason}"
    return None


def settlement_refused(row: Row, local: Row | None, here: Here) -> str | None:
    """A conflict is settled by whom the rule allows (over a note: its author or the lead)."""
    if row["resolution"] is None or (local is not None and local["resolution"] == row["resolution"]):
        return None
    loser = json.loads(row["loser"])
    author = loser.get("author_id") if row["table_name"] == "notes" else None
    reason = here.roster.refusal(row["resolved_by"], Change.RESOLVE_CONFLICT, author=author)
    if reason is None:
        return None
    return f"it settles a conflict over a row of {row['table_name']} as {here.name(row['resolved_by'])}: {reason}"


def audit_rewrite_refused(row: Row, local: Row | None, here: Here) -> str | None:
    if local is None or local == row:
        return None
    return (
        f"it rewrites an audit entry ({local['action']} on {local['table_name']} by {here.name(local['actor'])} "
        f"at {local_time(local['at'])}); audit entries are written once"
    )


def _check_schedule_table(bundle: Bundle, here: Here, table: str) -> None:
    """A version of the schedule's own rows that differs from this laptop's and would win: the
    bundle's laptop loaded another schedule file (or the rows were edited)."""
    state = here.states[table]
    changed = []
    for row in bundle.rows[table]:
        key = state.table.row_key(row)
        local = state.rows.get(key)
        if state.wins(key, row) and (local is None or content(row) != content(local)):
            changed.append((key, row, local))
    if not changed:
        return
    if table == "reviewers":
        team = dict(here.team) | {key: row for key, row, _ in changed}
        leads = {key for key, row in team.items() if row["is_lead"] and not row["retired"]}
        if leads != here.leads:
            after = ", ".join(str(team[lead]["name"]) for lead in sorted(leads)) or "no one"
            reason = here.roster.refusal(bundle.header.sender, Change.ROSTER)
            raise Refusal(
                f"it changes who leads the review ({here.lead_names()} → {after}); {reason}: reload it with "
                f"'peerreview reload' (reviewers row '{changed[0][0]}')"
            )
    key, row, local = changed[0]
    fields = ", ".join(_differing(row, local)) if local else "new"
    if fields == "schedule_sha256":
        fields = "loaded from another schedule file"
    if table == "reviewers":
        what = f"the reviewer {here.name(key) if local else row['name']}"
    elif table == "focus_areas":
        what = f"the focus area '{(local or row)['title']}'"
    else:
        what = "the review" if table == "review" else f"the day {key}"
    if table == "reviewers":
        why = (
            f"{here.roster.refusal(bundle.header.sender, Change.ROSTER)}: reload it with 'peerreview reload'"
        )
    else:
        why = f"the review, its days and focus areas {FROM_THE_FILE}"
    raise Refusal(f"it changes {what} ({fields}); {why} ({table} row '{key}')")


def _differing(row: Row, local: Row) -> list[str]:
    return [column for column, value in content(row).items() if local.get(column) != value]
