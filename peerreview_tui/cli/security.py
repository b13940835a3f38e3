"""Keeping the notes safe: encrypt a review, change its passphrase, purge the notes once the
letter is issued."""

from __future__ import annotations

from pathlib import Path

import click

from .. import paths
from ..store.connection import is_encrypted
from ..store.unfinished import settle_files
from .common import (
    DB_OPTION,
    DB_OPTION_NO_DEMO,
    NEW_PASSPHRASE_ENV,
    fail,
    new_passphrase,
    open_review,
    open_store,
)


@click.command()
@DB_OPTION_NO_DEMO
def encrypt(db_path: Path | None) -> None:
    """Encrypt a plain review with a passphrase; the plaintext file and its backups are wiped
    once the encrypted copy has been checked."""
    from ..store.crypto import encrypt_review

    path = paths.resolve_db_path(db_path)
    settled = settle_files(path)
    for notice in settled:
        click.echo(str(notice), err=True)
    if path.is_file() and is_encrypted(path):
        if any(notice.operation == "encrypt" and notice.completed for notice in settled):
            click.echo(f"{path} is encrypted.")
            return
        fail(
            f"{path} is already encrypted (or not a review database); change its passphrase with 'peerreview rekey'"
        )
    with open_store(path):  # refuses what is not a review before any passphrase is asked for
        pass
    done = encrypt_review(path, new_passphrase(path))
    click.echo(f"Encrypted {path} ({done.rows} rows checked in the encrypted copy).")
    click.echo(
        f"Wiped the plaintext file and {done.plaintext_backups_removed} plaintext "
        f"backup{'s' if done.plaintext_backups_removed != 1 else ''}; an encrypted backup: {done.backup}"
    )
    click.echo(
        "Files exported earlier (notes in Markdown, letters) are not encrypted: delete them when done."
    )


@click.command()
@DB_OPTION
def rekey(db_path: Path | None) -> None:
    """Change the passphrase of an encrypted review (its backups are replaced by one under the new passphrase)."""
    with open_review(db_path) as store:
        if not store.encrypted:
            fail(f"{store.path} is not encrypted; encrypt it with 'peerreview encrypt'")
        fresh = store.rekey(new_passphrase(store.path, env=NEW_PASSPHRASE_ENV))
    click.echo(f"Changed the passphrase of {store.path}; the old one no longer opens it.")
    click.echo(f"Older backups were wiped; a backup under the new passphrase: {fresh}")


@click.command()
@click.option("--notes", "notes_", is_flag=True, help="Remove the text of notes, evidence and quotes.")
@click.option("--force", is_flag=True, help="Purge even though the letter has not been exported.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation (for scripts).")
@DB_OPTION
def purge(notes_: bool, force: bool, yes: bool, db_path: Path | None) -> None:
    """Once the letter is issued: remove what interviewees said from the review and its backups,
    keeping the schedule, the findings and the counts the letter uses."""
    from ..store.purge import LETTER_EXPORTED, purge_notes

    if not notes_:
        fail("say what to purge: 'peerreview purge --notes'")
    with open_review(db_path) as store:
        exported = store.get_meta(LETTER_EXPORTED)
        if exported is None and not force:
            fail(
                "the letter has not been exported from this review yet; purge the notes once it has been "
                "issued (or use --force)"
            )
        with store.read() as db:
            count = db.execute("SELECT count(*) FROM notes WHERE body != ''").fetchone()[0]
        if not yes:
            click.confirm(
                f"Remove the text of {count} note{'s' if count != 1 else ''}, their evidence and quotes from "
                f"{store.path} and its backups? This cannot be undone",
                default=False,
                abort=True,
                err=True,
            )
        done = purge_notes(store, force=force)
    click.echo(
        f"Purged {done.notes} note{'s' if done.notes != 1 else ''} and {done.evidence} evidence "
        f"item{'s' if done.evidence != 1 else ''} from {store.path}; "
        "the schedule, findings and counts are kept."
    )
    click.echo(
        f"Wiped {done.backups_removed} older backup{'s' if done.backups_removed != 1 else ''}; "
        f"a backup of the purged review: {done.backup}"
    )
