"""``peerreview verify``: whether a whole review's signed work checks out, as a short report.

What merge checks of each bundle (``signatures``), checked of the review as it stands here:
the roster signed by the pinned lead key; every key's log a whole chain of good signatures, by
enrolled keys (this laptop's own keys may wait for the lead's enrolment) and none past its
retirement (on a colleague's laptop that is no forgery but work waiting for the lead's decision:
a lost laptop's, come here before the lead retired its key); every row version signed by its author (this laptop's own work is sealed first);
every audit entry ever signed still here, unchanged (the trail is append-only); every agreed
finding agreed and last changed by the lead. The letter is exported only from a review that
passes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlite_utils import Database

from .. import signing
from ..models import FindingStatus
from ..signing import Entry
from ..store import Store, StoreError, signatures
from .seal import TOMBSTONES, author_of, is_derived, key_of, seal, unsigned_on_purpose
from .signatures import describe_entries
from .tables import TABLES, row_hash


class SignedWorkError(StoreError):
    """The review's signed work does not check out; the message says what."""


@dataclass
class Verified:
    lines: list[str] = field(default_factory=list)  # what was checked, in words
    problems: list[str] = field(default_factory=list)  # what failed, in words
    # work that is no forgery but not the team's until the lead says so, in words
    waiting: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        # Work waiting for the lead is not ok: this laptop cannot tell it from a thief's
        return not self.problems and not self.waiting

    def describe(self, limit: int = 10) -> str:
        if self.problems:
            head = f"Signed work does NOT check out ({len(self.problems)} problems):"
        elif self.waiting:
            head = "Nothing here is forged, but some signed work waits for the lead's decision:"
        else:
            head = "Signed work checks out."
        found = [*self.problems, *self.waiting]
        shown = [f"  - {problem}" for problem in found[:limit]]
        if len(found) > limit:
            shown.append(f"  - ... and {len(found) - limit} more")
        return "\n".join([head, *shown, *(f"  {line}" for line in self.lines)])


def verify_review(store: Store, actor: str | None = None) -> Verified:
    """Seal this laptop's own work (as ``actor``, else whoever it belongs to), then check the
    whole review (see the module)."""
    me = actor or store.get_meta("me")
    with store.write() as db:
        seal(db, me)
        return _verify(db, me)


def require_verified(store: Store, actor: str | None = None) -> Verified:
    """``verify_review``, raising ``SignedWorkError`` naming the first problems if it fails."""
    verified = verify_review(store, actor)
    if not verified.ok:
        found = [*verified.problems, *verified.waiting]
        why = (
            "the review's signed work does not check out"
            if verified.problems
            else "some of the review's signed work waits for the lead's decision"
        )
        raise SignedWorkError(
            f"{why}, so nothing was exported: "
            + "; ".join(found[:3])
            + (f" (and {len(found) - 3} more: see 'peerreview verify')" if len(found) > 3 else "")
        )
    return verified


def _verify(db: Database, me: str | None) -> Verified:
    out = Verified()
    names = {row["id"]: row["name"] for row in db.query("SELECT id, name FROM reviewers")}
    leads = {row["id"] for row in db.query("SELECT id FROM reviewers WHERE is_lead = 1 AND retired = 0")}

    def name(reviewer: str) -> str:
        return str(names.get(reviewer, repr(reviewer)))

    lead = signatures.lead_key(db)
    own = signatures.public_key_of(db, me) if me else None  # may wait for the lead's enrolment
    leads_laptop = own is not None and own == lead
    roster = signatures.enrolments(db)
    for entered in roster.values():
        if entered.lead_key != lead or not entered.verifies():
            out.problems.append(
                f"the roster entry for {name(entered.reviewer_id)}'s key {signing.fingerprint(entered.public_key)} "
                "is not signed by the pinned lead key"
            )

    chains: dict[str, list[Entry]] = {}
    for entry in signatures.log(db):
        chains.setdefault(entry.public_key, []).append(entry)
    versions: dict[tuple[str, str, str, str], Entry] = {}
    for public, entries in chains.items():
        enrolment = roster.get(public)
        owner = enrolment.reviewer_id if enrolment else entries[0].author
        if enrolment is None and public != own:
            out.problems.append(
                f"{name(owner)}'s key {signing.fingerprint(public)} signed work but is not enrolled"
            )
        previous: Entry | None = None
        beyond: list[Entry] = []  # past the key's retirement
        for expected, entry in enumerate(entries, start=1):
            where = f"{name(entry.author)}'s entry {entry.seq} ({entry.table_name} row '{entry.row_key}')"
            if entry.seq != expected:
                out.problems.append(
                    f"{name(owner)}'s signed log misses entry {expected}: a version was dropped"
                )
                break
            if entry.prev != (previous.entry_hash() if previous else ""):
                out.problems.append(f"{where} does not follow the entry before: the chain is broken")
            if not entry.verifies():
                out.problems.append(f"{where}: the signature does not check out")
            if enrolment is not None and enrolment.reviewer_id != entry.author:
                out.problems.append(f"{where} is signed with {name(enrolment.reviewer_id)}'s key")
            if (
                enrolment is not None
                and enrolment.retired_after is not None
                and entry.seq > enrolment.retired_after
            ):
                beyond.append(entry)
            versions[(entry.table_name, entry.row_key, entry.hash, entry.author)] = entry
            previous = entry
        if beyond:
            one = len(beyond) == 1
            held = (
                f"{'1 entry' if one else f'{len(beyond)} entries'} signed with {name(owner)}'s lost laptop's key "
                f"after the lead retired it ({describe_entries(beyond)})"
            )
            if leads_laptop:  # the lead's merge keeps such work or refuses it: here it was put in by hand
                out.problems.append(f"this laptop holds {held}, which the lead never kept")
            else:
                them = "it" if one else "them"
                out.waiting.append(
                    f"this laptop holds {held}, which the lead has not decided on yet: send your next bundle to "
                    f"the lead ({' and '.join(sorted(name(lead_id) for lead_id in leads))}), who keeps {them} if "
                    f"{name(owner)} made {them} before the laptop was lost; the lead's next bundle then settles it "
                    "here"
                )

    tombs = {(t["table_name"], t["row_id"]): t for t in db.query("SELECT * FROM tombstones")}
    unsigned, count = 0, 0
    first_unsigned = ""
    for table_name in [*(table.name for table in TABLES), TOMBSTONES]:
        for row in db.query(f"SELECT * FROM {table_name}"):
            author = author_of(table_name, row)
            if unsigned_on_purpose(table_name, author):
                continue
            count += 1
            key = key_of(table_name, row)
            if (table_name, key, row_hash(row), author) not in versions and not is_derived(
                table_name, row, tombs
            ):
                unsigned += 1
                first_unsigned = first_unsigned or f"{table_name} row '{key}' by {name(author)}"
    if unsigned:
        out.problems.append(
            f"{'1 row version carries' if unsigned == 1 else f'{unsigned} row versions carry'} no signature "
            f"of its author (e.g. {first_unsigned})"
        )

    audit = {row["id"]: row_hash(row) for row in db.query("SELECT * FROM audit")}
    signed_audit = {(e.row_key, e.hash) for e in versions.values() if e.table_name == "audit"}
    for row_id, digest in sorted(signed_audit):
        if row_id not in audit:
            out.problems.append(f"the audit entry '{row_id}' was signed but is gone: the trail was cut")
        elif audit[row_id] != digest:
            out.problems.append(f"the audit entry '{row_id}' was changed after it was signed")

    agreed = list(
        db.query(
            "SELECT * FROM findings WHERE status = ? AND deleted_at IS NULL", [FindingStatus.AGREED.value]
        )
    )
    for finding in agreed:
        if finding["agreed_by"] not in leads or finding["updated_by"] not in leads:
            out.problems.append(f"the finding '{finding['title']}' is agreed, but not by the lead")

    authors = sorted({name(e.author) for e in versions.values()})
    out.lines += [
        f"Lead's key: {signing.fingerprint(lead) if lead else 'none pinned'}; {len(roster)} keys enrolled.",
        f"{len(versions)} signed versions in {len(chains)} chains, by {', '.join(authors) or 'nobody yet'}.",
        f"{count} row versions checked, {len(audit)} audit entries, {len(agreed)} agreed finding"
        f"{'' if len(agreed) == 1 else 's'}.",
    ]
    return out
