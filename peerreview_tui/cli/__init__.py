"""The `peerreview` command. Thin: each command parses options and calls the core.

The UI (textual) and python-docx are imported only by the commands that need them, so `check`
and `init` stay fast.
"""

from __future__ import annotations

import click

from . import evidence, exports, findings, notes, review, security, signed, sync
from .common import FriendlyGroup


@click.group(cls=FriendlyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="peerreview-tui")
def main() -> None:
    """Peer review notes, evidence and findings, offline, in one SQLite file."""


for command in (
    review.check,
    review.init,
    review.reload,
    review.schema,
    review.locate,
    review.demo,
    review.open_,
    notes.note,
    exports.export,
    evidence.import_,
    evidence.coverage,
    evidence.findings_,
    findings.finding,
    sync.bundle,
    sync.merge,
    sync.conflicts,
    sync.join,
    security.encrypt,
    security.rekey,
    security.purge,
    signed.whoami,
    signed.verify,
):
    main.add_command(command)

__all__ = ["main"]
