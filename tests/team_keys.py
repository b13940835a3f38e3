"""Laptops of one team in tests, where any laptop may act as any reviewer: each laptop holds a
key pair of its own for every reviewer, and the lead (on the first laptop) has enrolled them
all, as if each reviewer had worked on every laptop and the lead had checked every fingerprint.
Tests of enrolment itself make their laptops without this."""

from __future__ import annotations

from peerreview_tui.store import Store, signatures
from peerreview_tui.sync.seal import pin_own_lead_key


def share_team_keys(first: Store, *others: Store) -> None:
    """``first`` is the lead's laptop; every laptop gets key pairs, all enrolled everywhere."""
    keys: list[tuple[str, str]] = []
    for store in (first, *others):
        with store.write() as db:
            keys += [
                (row["id"], signatures.ensure_key(db, row["id"]))
                for row in db.query("SELECT id FROM reviewers")
            ]
    with first.write() as db:
        pin_own_lead_key(db)
        for reviewer, public in keys:
            if public not in signatures.enrolments(db):
                signatures.enrol(db, reviewer, public)
        roster = list(signatures.enrolments(db).values())
        lead = signatures.lead_key(db)
    assert lead is not None
    for other in others:
        with other.write() as db:
            db.execute("DELETE FROM meta WHERE key = ?", [signatures.LEAD_KEY])
            signatures.pin_lead_key(db, lead)
            for enrolment in roster:
                signatures.save_enrolment(db, enrolment)
