"""Signed work: what a signature covers, and the Ed25519 arithmetic. Pure; no IO.

The design, in brief (anchors: git's signed commits, Secure Scuttlebutt's per-author logs):

- **Keys.** A reviewer's key pair is made on the laptop where they work, the first time their
  work is sealed (a bundle, ``peerreview verify``, ``whoami``), and kept in the review database
  (``store.signatures``), so it is encrypted with it. A laptop may hold several reviewers' keys
  (a shared laptop, the demo); a key is known to others by its fingerprint.
- **Signed row versions.** Every version of a row that leaves a laptop is signed by the reviewer
  who made it (the row's ``updated_by``, an audit row's ``actor``, a deletion's ``deleted_by``).
  The signature covers a *log entry*: table, row key, the row's hash (``sync.tables.row_hash``,
  over every column, stamps included), its stamp, its author, and the entry's place in its
  key's log: a sequence number and the hash of the previous entry. Each key's entries form a
  hash chain, so a version dropped from the middle, reordered, or rewritten is seen.
- **When.** Versions are sealed when a bundle is written (and by ``verify``), not as they are
  typed: one place covers every write path (the app, the CLI, triggers, merge's own rows), the
  typing path never pays, and the chain holds exactly the versions that were published. The
  cost: a version overwritten before any bundle was never signed, which is what a log of
  published work should say.
- **The roster.** The lead's key is pinned by every laptop (its own, or from the lead's bundle
  at join); every other key counts only once an enrolment signed by the lead's key names it
  (``Enrolment``). The lead enrols a reviewer's key on merging their first bundle, after
  checking its fingerprint with them; re-enrolling (a lost laptop) retires the old key after the
  entries the lead holds from it. A colleague may hold later ones, honestly (they merged the
  laptop's last bundle first): only the lead can say they count, by signing the retirement again
  further on (``keep_lost_work``); of the lead's enrolments of a key, the latest retirement
  stands. All three are audited.
- **Unsigned on purpose.** Rows loaded from the schedule file (author ``schedule``) are not
  signed: every laptop holds the file, and merge already refuses schedule rows that differ from
  its own. A purge's blanking (author ``purge``) is not signed either: it carries no words.

``cryptography`` is imported only where a key is made, a signature made or checked, so opening
the app costs nothing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from typing import Any

SIGNED_ROW = b"peerreview signed row version 1\n"
SIGNED_ENROLMENT = b"peerreview roster enrolment 1\n"


@dataclass(frozen=True)
class Entry:
    """One signed version in a key's log."""

    public_key: str  # hex, 32 bytes
    seq: int  # 1, 2, 3... per key
    prev: str  # the previous entry's ``entry_hash``; '' for the first
    table_name: str
    row_key: str
    hash: str  # the row's hash
    stamp: str  # its updated_at (at, deleted_at)
    author: str  # the reviewer who made it
    signature: str = ""  # hex, 64 bytes

    def message(self) -> bytes:
        return SIGNED_ROW + canonical(
            {
                "public_key": self.public_key,
                "seq": self.seq,
                "prev": self.prev,
                "table_name": self.table_name,
                "row_key": self.row_key,
                "hash": self.hash,
                "stamp": self.stamp,
                "author": self.author,
            }
        )

    def entry_hash(self) -> str:
        """What the next entry names as ``prev``: over the message and the signature, so a
        valid signature on the last entry of a chain vouches for every entry before it."""
        try:
            signature = bytes.fromhex(self.signature)
        except ValueError:
            signature = self.signature.encode()
        return hashlib.sha256(self.message() + signature).hexdigest()[:32]

    def verifies(self) -> bool:
        return verify(self.public_key, self.message(), self.signature)


@dataclass(frozen=True)
class Enrolment:
    """The lead's word that ``public_key`` is ``reviewer_id``'s; signed by the lead's key.
    ``retired_after`` (re-enrolment): entries of this key after that number are not theirs (the
    lead may move it later, never back)."""

    public_key: str
    reviewer_id: str
    enrolled_at: str
    lead_key: str  # the key that signed it
    retired_after: int | None = None
    signature: str = ""

    def message(self) -> bytes:
        fields = asdict(self)
        del fields["signature"]
        return SIGNED_ENROLMENT + canonical(fields)

    def verifies(self) -> bool:
        return verify(self.lead_key, self.message(), self.signature)


def canonical(fields: dict[str, Any]) -> bytes:
    """One byte string per set of fields: sorted keys, no spaces, UTF-8."""
    return _CANONICAL.encode(fields).encode()


# One encoder for every message: ``json.dumps`` with these arguments makes one per call.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def new_private_key() -> bytes:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.generate().private_bytes_raw()


def public_key(private: bytes) -> str:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.from_private_bytes(private).public_key().public_bytes_raw().hex()


def sign(private: bytes, message: bytes) -> str:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.from_private_bytes(private).sign(message).hex()


def verify(public: str, message: bytes, signature: str) -> bool:
    """Whether ``signature`` (hex) is ``public``'s (hex) over ``message``; False for anything
    malformed."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public))
        key.verify(bytes.fromhex(signature), message)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def fingerprint(public: str) -> str:
    """A public key as people compare it aloud: 16 hex digits in groups of four."""
    digest = hashlib.sha256(bytes.fromhex(public)).hexdigest()[:16]
    return " ".join(digest[i : i + 4] for i in range(0, 16, 4))
