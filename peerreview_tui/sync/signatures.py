"""Checking signed work (``peerreview_tui.signing``): the bundles a merge brings in, and a whole
review (``peerreview verify``).

For each bundle, in order, before anything is written:

1. its roster: every enrolment signed by the lead's key pinned here (a laptop with none pins
   the lead's own enrolment, signed by itself, from the first bundle that carries it: joining
   from the lead's bundle);
2. its signed log: each key's entries a chain from 1 (none missing, each naming the hash of the
   one before, none differing from one held here), each signed by a key the lead enrolled for
   the reviewer it names, and not past that key's retirement. An unknown key refuses the
   bundle, unless the lead merging named its reviewer in ``accept``: then the lead's laptop
   enrols it (re-enrols: the reviewer's old key is retired), audited. Entries of a retired key
   past its retirement (a lost laptop's, which a colleague had before the lead) refuse the
   bundle too, unless the lead merging named their reviewer in ``keep_lost_work``: then the
   lead's laptop raises the retirement to the bundle's last entry of that key, audited. Only
   the lead decides: whoever holds a lost laptop can sign with its key;
3. its rows: each version signed by the reviewer it names as its author, and the latest that
   author signed of that row (an older one would be a replayed version). Rows from the
   schedule file, a purge's blanking and the marked rows merge keeps for a deletion are not
   signed (``seal``).

Agreeing, reopening and choosing quotes are the lead's by the ownership rule (``rules``); with
every version signed, nobody else can put the lead's name on one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from .. import signing
from ..models import now
from ..names import local_time
from ..signing import Enrolment, Entry
from ..store import audit, signatures
from .bundle import Bundle, SyncError, refused
from .rules import Here
from .seal import TOMBSTONES, author_of, is_derived, key_of, stamp_of, unsigned_on_purpose
from .tables import TABLES, row_hash


class Forged(Exception):
    """Why signed work does not check out, in words for the user."""


@dataclass
class UnknownKey:
    reviewer: str
    public_key: str

    @property
    def fingerprint(self) -> str:
        return signing.fingerprint(self.public_key)


class KeyNotEnrolled(SyncError):
    """A bundle holds work signed by a key the lead has not enrolled; the lead may accept it."""

    def __init__(self, message: str, unknown: list[UnknownKey], *, can_accept: bool):
        super().__init__(message)
        self.unknown = unknown
        self.can_accept = can_accept  # the lead is merging on their own laptop: they may enrol them


class LostWorkHeld(SyncError):
    """A bundle holds entries a lost laptop's key signed after the lead retired it; the lead may
    keep them (``keep_lost_work``)."""

    def __init__(self, message: str, reviewers: list[str], *, can_keep: bool):
        super().__init__(message)
        self.reviewers = reviewers  # whose lost laptops signed them
        self.can_keep = can_keep  # the lead is merging on their own laptop: they may keep them


@dataclass
class Signed:
    """The signed work as it stands during a merge: this laptop's, and what the bundles checked
    so far bring."""

    lead_key: str | None
    signer: bytes | None  # the lead's private key, when this is the lead's laptop and the lead is merging
    roster: dict[str, Enrolment]
    log: dict[str, dict[int, Entry]]
    versions: dict[tuple[str, str, str, str], Entry] = field(default_factory=dict)  # table, key, hash, author
    new_entries: list[Entry] = field(default_factory=list)
    new_enrolments: list[Enrolment] = field(default_factory=list)  # to keep (from bundles or made here)
    made_here: list[tuple[Enrolment, Enrolment | None]] = field(default_factory=list)  # (enrolled, retired)
    pinned: bool = False
    retiring: set[str] = field(default_factory=set)  # reviewers re-enrolled: their other keys retire
    keeping: set[str] = field(default_factory=set)  # reviewers whose lost laptop's later work the lead keeps
    # (the retirement raised here, the entries it lets in)
    kept: list[tuple[Enrolment, list[Entry]]] = field(default_factory=list)

    @classmethod
    def load(cls, db: Database, actor: str) -> Signed:
        lead = signatures.lead_key(db)
        leads = {row["id"] for row in db.query("SELECT id FROM reviewers WHERE is_lead = 1 AND retired = 0")}
        mine = signatures.public_key_of(db, actor)
        signer = signatures.private_key(db, actor) if actor in leads and mine == lead else None
        log: dict[str, dict[int, Entry]] = {}
        signed = cls(lead, signer, signatures.enrolments(db), log)
        for entry in signatures.log(db):
            log.setdefault(entry.public_key, {})[entry.seq] = entry
            signed.index(entry)
        return signed

    @property
    def can_enrol(self) -> bool:
        return self.signer is not None

    def index(self, entry: Entry) -> None:
        self.versions[(entry.table_name, entry.row_key, entry.hash, entry.author)] = entry


def check_signed_work(
    db: Database,
    bundles: list[Bundle],
    here: Here,
    *,
    actor: str,
    accept: Iterable[str] = (),
    reenrol: Iterable[str] = (),
    keep_lost_work: Iterable[str] = (),
) -> Signed:
    """Check every bundle's signed work (see the module); ``SyncError`` naming the first thing
    forged, ``KeyNotEnrolled`` for keys the lead may accept, ``LostWorkHeld`` for a lost
    laptop's work the lead may keep. The lead's laptop enrols the new keys of the reviewers in
    ``accept`` (a reviewer may work on two laptops), and of those in ``reenrol``, retiring their
    other keys (a lost laptop); it keeps the work the lost laptops of those in
    ``keep_lost_work`` signed after their retirement. Nothing is written."""
    signed = Signed.load(db, actor)
    signed.retiring = set(reenrol)
    signed.keeping = set(keep_lost_work)
    if signed.keeping and not signed.can_enrol:
        raise SyncError(_only_the_lead_keeps(here.lead_names()))
    accepted = set(accept) | signed.retiring
    for bundle in bundles:  # every roster first: the lead's bundle enrols keys others' bundles use
        try:
            _check_roster(bundle, signed, here)
        except Forged as why:
            raise SyncError(refused(bundle.path, str(why))) from None
    for bundle in bundles:
        try:
            unknown, lost = _check_log(bundle, signed, here, accepted, actor)
            if unknown:
                raise KeyNotEnrolled(
                    _unknown_message(bundle, unknown, signed, here), unknown, can_accept=signed.can_enrol
                )
            _check_rows(bundle, signed, here)  # a forgery is named before the lead is asked to keep anything
            if lost:
                owners = list(dict.fromkeys(signed.roster[public].reviewer_id for public in lost))
                raise LostWorkHeld(
                    _lost_message(bundle, lost, signed, here), owners, can_keep=signed.can_enrol
                )
        except Forged as why:
            raise SyncError(refused(bundle.path, str(why))) from None
    return signed


def check_may_keep_lost_work(db: Database, actor: str, keep_lost_work: Iterable[str]) -> None:
    """``SyncError`` if someone other than the lead on the lead's laptop asks to keep a lost
    laptop's work (before any bundle is read: the answer is no whatever they hold)."""
    if list(keep_lost_work) and not Signed.load(db, actor).can_enrol:
        leads = db.query("SELECT name FROM reviewers WHERE is_lead = 1 AND retired = 0 ORDER BY id")
        raise SyncError(_only_the_lead_keeps(", ".join(row["name"] for row in leads) or "none named"))


def _only_the_lead_keeps(leads: str) -> str:
    return (
        f"nothing was merged: only the lead ({leads}), on their own laptop, decides whether a lost laptop's "
        "work counts; merge without --keep-lost-work, and let the lead have the bundle"
    )


def save_signed_work(db: Database, signed: Signed, actor: str) -> None:
    """What the checked bundles brought, kept; enrolments made here audited."""
    if signed.pinned and signed.lead_key is not None:
        signatures.pin_lead_key(db, signed.lead_key)
    for enrolment in signed.new_enrolments:
        signatures.save_enrolment(db, enrolment)
    signatures.append(db, signed.new_entries)
    for enrolment, retired in signed.made_here:
        changes: dict[str, Any] = {
            "reviewer": enrolment.reviewer_id,
            "fingerprint": signing.fingerprint(enrolment.public_key),
        }
        if retired is not None:
            changes["retired"] = signing.fingerprint(retired.public_key)
        audit.record(
            db,
            at=enrolment.enrolled_at,
            actor=actor,
            table="roster_keys",
            row_id=enrolment.public_key,
            action="re-enrol key" if retired is not None else "enrol key",
            changes=changes,
        )
    for raised, entries in signed.kept:
        audit.record(
            db,
            at=now(),
            actor=actor,
            table="roster_keys",
            row_id=raised.public_key,
            action="keep lost laptop's work",
            changes={
                "reviewer": raised.reviewer_id,
                "fingerprint": signing.fingerprint(raised.public_key),
                "retired_after": {"from": entries[0].seq - 1, "to": raised.retired_after},
                "stamped": [min(e.stamp for e in entries), max(e.stamp for e in entries)],
            },
        )


# --- 1. The roster ------------------------------------------------------------------------------


def _check_roster(bundle: Bundle, signed: Signed, here: Here) -> None:
    if signed.lead_key is None:
        # the roster's root: the lead's own enrolment, signed by itself (the lead who started
        # the review, even if a revised schedule names another since)
        roots = [e for e in bundle.roster if e.public_key == e.lead_key and e.verifies()]
        if len(roots) == 1:
            signed.lead_key, signed.pinned = roots[0].public_key, True
    for enrolment in bundle.roster:
        held = signed.roster.get(enrolment.public_key)
        if held == enrolment:
            continue
        if signed.lead_key is None or enrolment.lead_key != signed.lead_key or not enrolment.verifies():
            pinned = f" ({signing.fingerprint(signed.lead_key)})" if signed.lead_key else ""
            raise Forged(
                f"its roster says key {signing.fingerprint(enrolment.public_key)} is {here.name(enrolment.reviewer_id)}'s, "
                f"but that is not signed by the lead's key pinned here{pinned}: forged, or from another review "
                "(roster_keys)"
            )
        if held is not None and not _stands_over(enrolment, held):
            continue  # the lead's later word on this key is already here
        signed.roster[enrolment.public_key] = enrolment
        signed.new_enrolments.append(enrolment)


def _stands_over(incoming: Enrolment, held: Enrolment) -> bool:
    """Of two lead-signed enrolments of one key, whether ``incoming`` stands: a retirement over
    none (a retired key is never enrolled again), a later retirement over an earlier one (the lead
    kept a lost laptop's later work; never lowered); the rest only so every laptop keeps the same."""

    def standing(enrolment: Enrolment) -> tuple[bool, int, str, str]:
        retired = enrolment.retired_after
        return (retired is not None, retired or 0, enrolment.enrolled_at, enrolment.signature)

    return standing(incoming) > standing(held)


# --- 2. The signed log ----------------------------------------------------------------------------


def _check_log(
    bundle: Bundle, signed: Signed, here: Here, accepted: set[str], actor: str
) -> tuple[list[UnknownKey], dict[str, list[Entry]]]:
    """The keys the lead has not enrolled, and the entries of retired keys past their retirement
    (by key), that the bundle brings; ``Forged`` for anything forged."""
    unknown: dict[str, UnknownKey] = {}
    lost: dict[str, list[Entry]] = {}
    ordered = sorted(bundle.log, key=lambda e: (e.public_key, e.seq))
    # Each entry names the hash of the one before (signature included), so the signature of a
    # key's last new entry vouches for all its new entries: one Ed25519 check per key and bundle.
    by_key: dict[str, list[Entry]] = {}
    for entry in ordered:
        by_key.setdefault(entry.public_key, []).append(entry)
    heads = {public: entries[-1] for public, entries in by_key.items()}
    for entry in ordered:
        chain = signed.log.setdefault(entry.public_key, {})
        held = chain.get(entry.seq)
        who = here.name(entry.author)
        if held is not None:
            if held != entry:
                # named from the entry held here: the bundle's copy may claim any author
                raise Forged(
                    f"it rewrites {here.name(held.author)}'s signed work: entry {entry.seq} of their log differs "
                    f"from the one held here ({_version(held, here)})"
                )
            continue
        if entry.public_key in unknown:
            continue  # the first entry of an unknown key is enough to name it
        enrolment = signed.roster.get(entry.public_key)
        if enrolment is None and entry.author in here.leads:
            # the lead's key is pinned, never enrolled from a bundle: this one is someone else's
            raise Forged(
                f"{_version(entry, here)} claims to be by the lead, {who}, but is not signed with the lead's key"
                f"{' (' + signing.fingerprint(signed.lead_key) + ')' if signed.lead_key else ''}: forged"
            )
        if enrolment is None:
            enrolment = _enrol_if_accepted(entry, signed, accepted)
        if enrolment is None:
            unknown[entry.public_key] = UnknownKey(entry.author, entry.public_key)
            continue
        before = chain.get(entry.seq - 1)
        if entry.seq > 1 and before is None:
            raise Forged(
                f"a version signed by {who} is missing: entry {entry.seq - 1} of their log is neither in it nor "
                f"here, so a version was dropped ({_version(entry, here)} comes after it)"
            )
        if entry.prev != (before.entry_hash() if before else ""):
            raise Forged(
                f"{who}'s signed log is broken at entry {entry.seq}: it does not follow the entry before "
                f"(versions dropped, reordered or replaced; {_version(entry, here)})"
            )
        if enrolment.reviewer_id != entry.author:
            raise Forged(
                f"{_version(entry, here)} claims to be by {who}, but is signed with "
                f"{here.name(enrolment.reviewer_id)}'s key"
            )
        if enrolment.retired_after is not None and entry.seq > enrolment.retired_after:
            if entry.author in signed.keeping and signed.can_enrol:
                _keep_lost_work(enrolment, by_key[entry.public_key], signed)
            else:
                # chained and signed like any entry (checked on), but only the lead says it counts
                lost.setdefault(entry.public_key, []).append(entry)
        if heads[entry.public_key] is entry and not entry.verifies():
            raise Forged(
                f"{_version(entry, here)}: its signature by {who} does not check out (edited after signing)"
            )
        chain[entry.seq] = entry
        signed.index(entry)
        signed.new_entries.append(entry)
    return list(unknown.values()), lost


def _keep_lost_work(held: Enrolment, entries: list[Entry], signed: Signed) -> None:
    """The lead's laptop raises ``held``'s retirement to the last of ``entries``, the bundle's
    entries of that key (each still checked as the log goes on: a gap or a bad signature still
    refuses the bundle, and nothing is kept)."""
    cut = held.retired_after or 0
    raised = _lead_signed(
        signed, Enrolment(**(vars(held) | {"retired_after": entries[-1].seq, "signature": ""}))
    )
    signed.roster[held.public_key] = raised
    signed.new_enrolments.append(raised)
    signed.kept.append((raised, [entry for entry in entries if entry.seq > cut]))


def _enrol_if_accepted(entry: Entry, signed: Signed, accepted: set[str]) -> Enrolment | None:
    if not signed.can_enrol or entry.author not in accepted:
        return None
    unsigned = Enrolment(entry.public_key, entry.author, now(), signed.lead_key or "")
    retired = None
    if entry.author in signed.retiring:
        for old in [
            e for e in signed.roster.values() if e.reviewer_id == entry.author and e.retired_after is None
        ]:
            last = max(signed.log.get(old.public_key, {}), default=0)
            retired = _lead_signed(
                signed, Enrolment(**(vars(old) | {"retired_after": last, "signature": ""}))
            )
            signed.roster[old.public_key] = retired
            signed.new_enrolments.append(retired)
    enrolment = _lead_signed(signed, unsigned)
    signed.roster[enrolment.public_key] = enrolment
    signed.new_enrolments.append(enrolment)
    signed.made_here.append((enrolment, retired))
    return enrolment


def _lead_signed(signed: Signed, unsigned: Enrolment) -> Enrolment:
    assert signed.signer is not None
    return Enrolment(**(vars(unsigned) | {"signature": signing.sign(signed.signer, unsigned.message())}))


def _unknown_message(bundle: Bundle, unknown: list[UnknownKey], signed: Signed, here: Here) -> str:
    keys = "; ".join(f"{here.name(u.reviewer)}'s key {u.fingerprint}" for u in unknown)
    who = " ".join(f"--accept-key {u.reviewer}" for u in unknown)
    if signed.can_enrol:
        what = f"check each fingerprint with its reviewer ('peerreview whoami' on their laptop), then merge again with {who}"
    else:
        what = (
            f"only the lead ({here.lead_names()}) enrols keys: merge the lead's latest bundle first, or send this "
            "one to the lead"
        )
    return refused(bundle.path, f"it holds work signed by keys the lead has not enrolled ({keys}): {what}")


def _lost_message(bundle: Bundle, lost: dict[str, list[Entry]], signed: Signed, here: Here) -> str:
    owners = list(dict.fromkeys(signed.roster[public].reviewer_id for public in lost))
    facts = "; ".join(
        f"{here.name(signed.roster[public].reviewer_id)}'s lost laptop's key signed {_entries(len(entries))} "
        f"after the lead retired it ({describe_entries(entries)})"
        for public, entries in lost.items()
    )
    if not signed.can_enrol:
        return refused(
            bundle.path,
            f"{facts}: only the lead ({here.lead_names()}) decides whether that work counts: let the lead have "
            "this bundle, then merge the lead's next one",
        )
    who = " and ".join(here.name(owner) for owner in owners)
    keep = " ".join(f"--keep-lost-work {owner}" for owner in owners)
    again = (
        f"'peerreview merge {keep} {bundle.path.name}'"  # the app has no button for it: a rare, grave step
    )
    sender = bundle.header.sender
    laptop = "the laptop was" if len(owners) == 1 else "their laptops were"
    them = "it" if sum(len(entries) for entries in lost.values()) == 1 else "them"
    if sender in owners:  # from the lost laptop itself, it may be
        otherwise = f"if not, leave {them} out: whoever has the laptop now may have made {them}"
    else:
        otherwise = (
            f"if not, leave {them} out, and ask {here.name(sender)}, whose laptop took {them} in, to start that "
            "laptop again from your latest bundle ('peerreview join')"
        )
    return refused(
        bundle.path,
        f"{facts}: if {who} made {them} before {laptop} lost, merge it again with {again}; {otherwise}",
    )


def describe_entries(entries: list[Entry]) -> str:
    """'entries 5–7, stamped Mon 10 Sep 09:41–10:02' (local time): how a run of one key's
    entries is named to people."""
    first, last = entries[0].seq, entries[-1].seq
    numbers = f"entry {first}" if first == last else f"entries {first}–{last}"
    stamps = sorted(entry.stamp for entry in entries)
    start, end = local_time(stamps[0]), local_time(stamps[-1])
    if end == start:
        when = start
    elif end[:-5] == start[:-5]:  # the same day: 'Mon 10 Sep 09:41–10:02'
        when = f"{start}–{end[-5:]}"
    else:
        when = f"{start} to {end}"
    return f"{numbers}, stamped {when}"


def _entries(count: int) -> str:
    return f"{count} {'entry' if count == 1 else 'entries'}"


# --- 3. The rows ---------------------------------------------------------------------------------


def _check_rows(bundle: Bundle, signed: Signed, here: Here) -> None:
    tombs = {(t["table_name"], t["row_id"]): t for t in bundle.tombstones}
    tombs |= {
        (t["table_name"], t["row_id"]): t
        for state in here.states.values()
        for t in state.tombs.values()
        if (t["table_name"], t["row_id"]) not in tombs
    }
    # the latest signed version of each row the bundle's own log holds, by anyone: the version a
    # merge keeps (a conflict settled aside: settling wins whatever the stamps, see tables.order)
    carried: dict[tuple[str, str], Entry] = {}
    for entry in bundle.log:
        slot = (entry.table_name, entry.row_key)
        if slot not in carried or (entry.stamp, entry.seq) > (carried[slot].stamp, carried[slot].seq):
            carried[slot] = entry
    tables: list[tuple[str, list[Mapping[str, Any]]]] = [(t.name, list(bundle.rows[t.name])) for t in TABLES]
    tables.append((TOMBSTONES, list(bundle.tombstones)))
    for name, rows in tables:
        for row in rows:
            author = author_of(name, row)
            if unsigned_on_purpose(name, author):
                continue
            key, digest = key_of(name, row), row_hash(row)
            signer = signed.versions.get((name, key, digest, author))
            if signer is None:
                if is_derived(name, row, tombs):
                    continue
                raise Forged(
                    f"{_subject(name, row, here)} claims to be by {here.name(author)}, who never signed it "
                    f"(a version edited after signing, or made up; {name} row '{key}')"
                )
            # the bundle's own log holds a later version of the row, its author's or anyone's: the
            # row was swapped for an older one (a bundle merged again, whole, is no replay: its
            # older versions lose the merge and change nothing)
            latest = carried.get((name, key))
            if (
                latest is not None
                and name != "conflicts"
                and latest.hash != digest
                and latest.stamp > stamp_of(name, row)
            ):
                later = (
                    "the latest they signed"
                    if latest.author == author
                    else f"the later one by {here.name(latest.author)} that its own log holds"
                )
                raise Forged(
                    f"it holds an older version of {_subject(name, row, here)} by {here.name(author)} than "
                    f"{later} (a replayed version; {name} row '{key}')"
                )


def _version(entry: Entry, here: Here) -> str:
    row = here.rows.get(entry.table_name, {}).get(entry.row_key)
    if row is not None:
        return f"{_subject(entry.table_name, row, here)}, {entry.table_name} row '{entry.row_key}'"
    return f"{entry.table_name} row '{entry.row_key}'"


def _subject(table: str, row: Mapping[str, Any], here: Here) -> str:
    """A row as people know it (never a note's words)."""
    if table == "notes":
        return f"{here.name(row['author_id'])}'s note for {here.session_title(row['session_id'])}"
    if table == "findings":
        return f"the finding {here.finding_title(row['id'])}"
    if table == "finding_evidence":
        return f"a citation in the finding {here.finding_title(row['finding_id'])}"
    if table == "audit":
        return f"the audit entry '{row['action']}' on {row['table_name']} of {row['at'][:16].replace('T', ' ')} UTC"
    if table == "evidence":
        return f"an evidence item of {here.name(row['author_id'])}"
    if table == "sessions":
        return f"the session '{row['title']}'"
    if table == TOMBSTONES:
        return f"the deletion of a row of {row['table_name']}"
    return f"a row of {table}"
