"""Exchanging work between laptops from the shell: bundle, merge, conflicts, join."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import click

from .. import paths
from ..names import local_time
from ..signing import fingerprint
from ..store import Store, week
from ..sync import (
    SUFFIX,
    BundlePassphraseNeeded,
    MergeSummary,
    free_bundle_path,
    get_conflict,
    init_from_bundle,
    list_conflicts,
    merge_bundles,
    read_bundle,
    resolve_conflict,
    write_bundle,
)
from ..sync.conflicts import Keep, compare, conflict_names
from ..sync.folder import exchange_folder, ready_to_write
from .common import (
    DB_OPTION,
    DB_OPTION_NO_DEMO,
    acting_reviewer,
    fail,
    new_passphrase,
    open_review,
    passphrase_for,
)
from .evidence import AS_OPTION

BUNDLE_ENV = "PEERREVIEW_BUNDLE_PASSPHRASE"
KEEP_SAFE = "It holds interview notes: carry it on an encrypted stick and delete it once merged."


@click.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help=f"File to write (default: REVIEW-REVIEWER-YYYYmmdd-HHMM{SUFFIX} in the folder the app last "
    "exchanged through, else in 'exchange' in the data folder).",
)
@click.option("--since-last", is_flag=True, help="Only what changed since this laptop's previous bundle.")
@click.option(
    "--encrypt",
    is_flag=True,
    help=f"Encrypt the bundle with a passphrase for the exchange (asked twice, or ${BUNDLE_ENV}). "
    "An encrypted review's bundles are encrypted with its own passphrase anyway.",
)
@AS_OPTION
@DB_OPTION
def bundle(
    output: Path | None, since_last: bool, encrypt: bool, me: str | None, db_path: Path | None
) -> None:
    """Write this laptop's work on the review to one file, for the others to merge."""
    with open_review(db_path) as store:
        actor = acting_reviewer(store, me)
        review = store.review()
        assert review is not None  # open_review refuses a database without one
        if output is None and not paths.is_id(review.id):
            fail(
                f"this review's id {review.id!r} is not an id, so no file can be named after it; give one with -o"
            )
        path = output or _new_bundle_path(store, f"{review.id}-{actor}-{dt.datetime.now():%Y%m%d-%H%M}")
        passphrase = new_passphrase(path, env=BUNDLE_ENV) if encrypt else None
        summary = write_bundle(store, path, since_last=since_last, actor=actor, passphrase=passphrase)
        encrypted = encrypt or store.encrypted
    click.echo(f"Bundle written to {path}{' (encrypted)' if encrypted else ''}: {summary.describe()}.")
    click.echo(KEEP_SAFE)


def _new_bundle_path(store: Store, stem: str) -> Path:
    folder = exchange_folder(store)
    if not ready_to_write(folder).is_dir():
        fail(
            f"{folder}, the folder this review last exchanged through, is not there (is the stick plugged "
            "in?); give the file to write with -o"
        )
    return free_bundle_path(folder, stem)


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--accept-key",
    "accept",
    metavar="REVIEWER_ID",
    multiple=True,
    help="(The lead) enrol this reviewer's new key, after checking its fingerprint with them "
    "('peerreview whoami' on their laptop). Again for each reviewer.",
)
@click.option(
    "--re-enrol",
    "reenrol",
    metavar="REVIEWER_ID",
    multiple=True,
    help="(The lead) enrol this reviewer's new key and retire their old one (a lost laptop): work "
    "signed with it after what this laptop holds is refused from now on. Audited.",
)
@click.option(
    "--keep-lost-work",
    "keep",
    metavar="REVIEWER_ID",
    multiple=True,
    help="(The lead) keep the work this reviewer's lost laptop signed after its key was retired, "
    "which a colleague's bundle carries (merge says when): only if the reviewer made it before the "
    "laptop was lost. Audited.",
)
@AS_OPTION
@DB_OPTION
def merge(
    files: tuple[Path, ...],
    accept: tuple[str, ...],
    reenrol: tuple[str, ...],
    keep: tuple[str, ...],
    me: str | None,
    db_path: Path | None,
) -> None:
    """Bring in bundles from other laptops (files, or folders holding them). Merging a bundle
    twice, or in any order, gives the same review. Every change in them must be signed by its
    author's enrolled key; the lead enrols a reviewer's key on merging their first bundle."""
    bundles = _bundle_files(files)
    key = os.environ.get(BUNDLE_ENV) or None  # a passphrase agreed for the exchange, if given
    with open_review(db_path) as store:
        enrolling = bool(accept or reenrol or keep)  # a lead's action: the lead must be who acts
        actor = acting_reviewer(store, me) if me or enrolling else store.get_meta("me") or "unknown"

        def merge_with(passphrase: str | None) -> MergeSummary:
            return merge_bundles(
                store,
                bundles,
                actor=actor,
                passphrase=passphrase,
                accept_keys=accept,
                reenrol=reenrol,
                keep_lost_work=keep,
            )

        with store.backup_if_changed("merge") as backup:  # kept only if the merge changed the review
            try:
                summary = merge_with(key)
            except BundlePassphraseNeeded as needed:  # encrypted with a passphrase for the exchange
                if key is not None:
                    raise  # the one given is wrong; the message says so
                click.echo(str(needed), err=True)
                summary = merge_with(passphrase_for(needed.path, env=BUNDLE_ENV))
        names = week.names(store)  # after the merge: a bundle may bring sessions
    for merged in summary.bundles:
        if merged.skipped:
            click.echo(f"{merged.path.name}: skipped, {merged.skipped}.")
        else:
            sender, made = names.reviewer(merged.header.sender), local_time(merged.header.created_at)
            click.echo(f"{merged.path.name} (from {sender}, {made}): {merged.describe()}.")
    if len(summary.bundles) > 1:
        click.echo(f"Total: {summary.describe()}.")
    if summary.conflicts:
        click.echo(
            "Some rows were changed on two laptops: the later change is in place and the other "
            "version is kept; see 'peerreview conflicts'."
        )
    for enrolled in summary.enrolled:
        click.echo(
            f"Enrolled {names.reviewer(enrolled.reviewer_id)}'s key {fingerprint(enrolled.public_key)}."
        )
    for raised, entries in summary.kept:
        click.echo(
            f"Kept the work {names.reviewer(raised.reviewer_id)}'s lost laptop signed after its key was "
            f"retired ({entries}); the key stays retired after entry {raised.retired_after}."
        )
    if summary.pinned_lead_key:
        click.echo(
            f"Pinned the lead's key {fingerprint(summary.pinned_lead_key)}: check it with the lead "
            "('peerreview whoami' on their laptop)."
        )
    if backup.path is not None:
        click.echo(f"A backup from before the merge: {backup.path}")


def _bundle_files(arguments: tuple[Path, ...]) -> list[Path]:
    found: list[Path] = []
    for argument in arguments:
        if argument.is_dir():
            inside = sorted(argument.glob(f"*{SUFFIX}"))
            if not inside:
                fail(f"no bundles (*{SUFFIX}) in {argument}")
            found += inside
        else:
            found.append(argument)
    return found


@click.command()
@click.option(
    "--show", "show_id", metavar="ID", help="What differs between the version in place and the one kept."
)
@click.option("--keep-winner", "winner_id", metavar="ID", help="Keep the version in place; drop the other.")
@click.option(
    "--keep-loser", "loser_id", metavar="ID", help="Put the kept version back in place, as a new change."
)
@click.option("--all", "include_resolved", is_flag=True, help="List settled conflicts too.")
@AS_OPTION
@DB_OPTION
def conflicts(
    show_id: str | None,
    winner_id: str | None,
    loser_id: str | None,
    include_resolved: bool,
    me: str | None,
    db_path: Path | None,
) -> None:
    """Rows changed on two laptops since they last met: the later change is in place, the other
    version is kept here until the lead settles it."""
    if sum(x is not None for x in (show_id, winner_id, loser_id)) > 1:
        fail("give one of --show, --keep-winner, --keep-loser")
    with open_review(db_path) as store:
        if show_id is not None:
            conflict = get_conflict(store, show_id)
            names = conflict_names(store, [conflict])
            click.echo(f"{conflict.short_id}  {conflict.subject(names)}")
            click.echo(
                f"  - in place: {names.reviewer(conflict.winner_updated_by)}, {local_time(conflict.winner_updated_at)}"
            )
            click.echo(
                f"  + kept:     {names.reviewer(conflict.loser_updated_by)}, {local_time(conflict.loser_updated_at)}"
            )
            for diff in compare(store, conflict, names):
                click.echo(f"  {diff.field}:")
                click.echo("\n".join(f"    {mark} {line}".rstrip() for mark, line in diff.lines))
            return
        found = list_conflicts(store, include_resolved=include_resolved)
        names = conflict_names(store, found)
        if winner_id is not None or loser_id is not None:
            actor = acting_reviewer(store, me)
            keep: Keep = "winner" if winner_id is not None else "loser"
            conflict = resolve_conflict(store, winner_id or loser_id or "", keep, actor)
            done = "kept the version in place" if keep == "winner" else "put the kept version back in place"
            click.echo(f"Conflict {conflict.short_id} ({conflict.subject(names)}): {done}.")
            return
    if not found:
        click.echo("No conflicts.")
        return
    click.echo(f"{len(found)} conflict{'s' if len(found) != 1 else ''}:")
    for conflict in found:
        click.echo(f"  {conflict.short_id}  {conflict.subject(names)}")
        click.echo(
            f"            in place: by {names.reviewer(conflict.winner_updated_by)}"
            f" at {local_time(conflict.winner_updated_at)}"
        )
        click.echo(
            f"            kept:     by {names.reviewer(conflict.loser_updated_by)}"
            f" at {local_time(conflict.loser_updated_at)}"
        )
        if conflict.resolution:
            click.echo(
                f"            settled by {names.reviewer(conflict.resolved_by)}: kept the {conflict.resolution}"
            )
    click.echo(
        "--show ID shows what differs; --keep-winner ID drops the kept version; "
        "--keep-loser ID puts it back in place."
    )


@click.command()
@click.argument("bundle_file", type=click.Path(path_type=Path))
@click.option("--as", "me", metavar="REVIEWER_ID", help="Who you are in the review.")
@DB_OPTION_NO_DEMO
def join(bundle_file: Path, me: str | None, db_path: Path | None) -> None:
    """Start this laptop's copy of a review from the lead's bundle (same as 'init --from')."""
    key = None
    try:
        loaded = read_bundle(bundle_file)
    except BundlePassphraseNeeded:
        key = passphrase_for(bundle_file, env=BUNDLE_ENV)
        loaded = read_bundle(bundle_file, key)
    if me is None:
        known = ", ".join(row["id"] for row in loaded.rows["reviewers"] if not row["retired"])
        fail(f"say who you are with --as REVIEWER_ID (one of: {known})")
    path = paths.resolve_db_path(db_path)
    summary = init_from_bundle(path, bundle_file, me=me, passphrase=key)
    merged = summary.bundles[0]
    sessions, notes = merged.counts["sessions"].added, merged.counts["notes"].added
    click.echo(
        f"Joined review '{merged.header.review_id}' as {me} at {path}: {sessions} sessions, {notes} notes "
        f"from {merged.header.sender}'s bundle."
    )
    if summary.pinned_lead_key:
        click.echo(
            f"Pinned the lead's key {fingerprint(summary.pinned_lead_key)}: check it with the lead "
            "('peerreview whoami' on their laptop)."
        )
    if summary.own_key:
        click.echo(
            f"Your key is {fingerprint(summary.own_key)}: the lead checks it with you when merging your "
            "first bundle."
        )
