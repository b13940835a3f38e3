"""Where signed work is kept (``peerreview_tui.signing`` says what it is): this laptop's keys,
the roster the lead signed, the signed log. Called inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from sqlite_utils import Database

from .. import signing
from ..models import now
from ..signing import Enrolment, Entry

LEAD_KEY = "signing.lead_key"  # meta: the lead's public key as this laptop pinned it


def private_key(db: Database, reviewer_id: str) -> bytes | None:
    row = next(db.query("SELECT private_key FROM signing_keys WHERE reviewer_id = ?", [reviewer_id]), None)
    return bytes(row["private_key"]) if row else None


def public_key_of(db: Database, reviewer_id: str) -> str | None:
    """The public key of ``reviewer_id``'s key pair on this laptop, if it holds one."""
    row = next(db.query("SELECT public_key FROM signing_keys WHERE reviewer_id = ?", [reviewer_id]), None)
    return str(row["public_key"]) if row else None


def ensure_key(db: Database, reviewer_id: str) -> str:
    """``reviewer_id``'s public key on this laptop, the key pair made now if there is none."""
    found = public_key_of(db, reviewer_id)
    if found is not None:
        return found
    private = signing.new_private_key()
    public = signing.public_key(private)
    db.execute(
        "INSERT INTO signing_keys (reviewer_id, private_key, public_key, created_at) VALUES (?, ?, ?, ?)",
        [reviewer_id, private, public, now()],
    )
    return public


def held_keys(db: Database) -> dict[str, str]:
    """Reviewer -> public key, for the key pairs this laptop holds."""
    return {row["reviewer_id"]: row["public_key"] for row in db.query("SELECT * FROM signing_keys")}


def lead_key(db: Database) -> str | None:
    row = next(db.query("SELECT value FROM meta WHERE key = ?", [LEAD_KEY]), None)
    return str(row["value"]) if row else None


def pin_lead_key(db: Database, public: str) -> None:
    db.execute("INSERT INTO meta (key, value) VALUES (?, ?)", [LEAD_KEY, public])


# --- The roster ------------------------------------------------------------------------------------


def enrolments(db: Database) -> dict[str, Enrolment]:
    """Public key -> its enrolment, as this laptop holds them."""
    return {row["public_key"]: Enrolment(**row) for row in db.query("SELECT * FROM roster_keys")}


def save_enrolment(db: Database, enrolment: Enrolment) -> None:
    db.table("roster_keys").upsert(vars(enrolment), pk="public_key")


def enrol(
    db: Database, reviewer_id: str, public: str, *, retired_after: int | None = None, at: str | None = None
) -> Enrolment:
    """The lead's laptop signs that ``public`` is ``reviewer_id``'s (or, with ``retired_after``,
    that it was until then). Needs the lead's private key here."""
    lead = lead_key(db)
    signer = next(db.query("SELECT private_key FROM signing_keys WHERE public_key = ?", [lead]), None)
    if lead is None or signer is None:
        raise ValueError("only the lead's laptop enrols keys")
    unsigned = Enrolment(public, reviewer_id, at or now(), lead, retired_after)
    enrolment = Enrolment(
        **(vars(unsigned) | {"signature": signing.sign(signer["private_key"], unsigned.message())})
    )
    save_enrolment(db, enrolment)
    return enrolment


# --- The log ---------------------------------------------------------------------------------------


def log(db: Database) -> Iterator[Entry]:
    """Every entry, by key then sequence."""
    for row in db.query("SELECT * FROM signed_log ORDER BY public_key, seq"):
        yield Entry(**row)


def signed_versions(db: Database) -> set[tuple[str, str, str, str]]:
    """(table, row key, hash, author) of every signed version here."""
    sql = "SELECT table_name, row_key, hash, author FROM signed_log"
    return {(r["table_name"], r["row_key"], r["hash"], r["author"]) for r in db.query(sql)}


def heads(db: Database) -> dict[str, Entry]:
    """Public key -> the last entry of its log."""
    sql = (
        "SELECT * FROM signed_log WHERE (public_key, seq) IN "
        "(SELECT public_key, max(seq) FROM signed_log GROUP BY public_key)"
    )
    return {row["public_key"]: Entry(**row) for row in db.query(sql)}


def append(db: Database, entries: Iterable[Entry]) -> None:
    db.conn.executemany(
        "INSERT INTO signed_log (public_key, seq, prev, table_name, row_key, hash, stamp, author, signature) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [list(vars(entry).values()) for entry in entries],
    )


def sign_versions(db: Database, versions: Iterable[tuple[str, str, str, str, str]]) -> int:
    """Sign (table, row key, hash, stamp, author) versions with their authors' keys here (made
    if need be), each appended to its key's chain; returns how many."""
    tips = heads(db)
    keys: dict[str, tuple[str, bytes]] = {}
    made: list[Entry] = []
    for table, key, digest, stamp, author in versions:
        if author not in keys:
            public = ensure_key(db, author)
            private = private_key(db, author)
            assert private is not None
            keys[author] = (public, private)
        public, private = keys[author]
        tip = tips.get(public)
        unsigned = Entry(
            public,
            (tip.seq + 1) if tip else 1,
            tip.entry_hash() if tip else "",
            table,
            key,
            digest,
            stamp,
            author,
        )
        entry = Entry(**(vars(unsigned) | {"signature": signing.sign(private, unsigned.message())}))
        tips[public] = entry
        made.append(entry)
    append(db, made)
    return len(made)
