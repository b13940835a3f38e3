"""Signed work from the shell: who this laptop signs as, and whether a review's signed work
checks out."""

from __future__ import annotations

from pathlib import Path

import click

from ..signing import fingerprint
from ..store import signatures, week
from ..sync.seal import pin_own_lead_key
from .common import DB_OPTION, acting_reviewer, open_review
from .evidence import AS_OPTION


@click.command()
@AS_OPTION
@DB_OPTION
def whoami(me: str | None, db_path: Path | None) -> None:
    """Who you are in this review, and your key's fingerprint (the lead checks it with you
    before enrolling it; the key pair is made now if this laptop has none for you)."""
    with open_review(db_path) as store:
        actor = acting_reviewer(store, me)
        with store.write() as db:
            public = signatures.ensure_key(db, actor)
            pin_own_lead_key(db)  # the lead's laptop: the lead's key is the roster's
            enrolment = signatures.enrolments(db).get(public)
            lead = signatures.lead_key(db)
        name = week.names(store).reviewer(actor)
    click.echo(f"You are {name} ({actor}) in review at {store.path}.")
    click.echo(f"Your key: {fingerprint(public)}")
    if lead == public:
        click.echo("You are the lead: your key signs the roster of everyone's keys.")
    elif enrolment is not None and enrolment.retired_after is None:
        click.echo("The lead has enrolled it.")
    elif enrolment is not None:
        click.echo("The lead has retired it (re-enrolled you with another key).")
    else:
        click.echo(
            "Not enrolled yet: the lead enrols it on merging your first bundle, once you have compared fingerprints."
        )
    if lead is not None and lead != public:
        click.echo(f"The lead's key, as this laptop pinned it: {fingerprint(lead)}")


@click.command()
@AS_OPTION
@DB_OPTION
def verify(me: str | None, db_path: Path | None) -> None:
    """Check the review's signed work: the lead's roster, every reviewer's chain of signed
    changes, every row signed by its author, the audit trail whole, every agreement the lead's.
    This laptop's own unsigned changes are signed first. The letter is exported only if it passes."""
    from ..sync.verify import verify_review

    with open_review(db_path) as store:
        verified = verify_review(store, acting_reviewer(store, me) if me else None)
    click.echo(verified.describe())
    if not verified.ok:
        raise SystemExit(1)
