"""The `peerreview` command. Thin: each command parses options and calls the core.

A command's module is imported only when that command runs (``peerreview --help`` imports them
all to list them): `peerreview open` loads neither the schedule file's YAML and pydantic models,
nor the exports, nor sync. The UI (textual) and python-docx are imported only by the commands
that need them, so `check` and `init` stay fast.
"""

from __future__ import annotations

import importlib

import click

from .common import FriendlyGroup

# Each command by name, and where it is defined: "module:attribute" in this package.
COMMANDS = {
    "check": "review:check",
    "init": "review:init",
    "reload": "review:reload",
    "schema": "review:schema",
    "locate": "review:locate",
    "demo": "app:demo",
    "open": "app:open_",
    "note": "notes:note",
    "search": "search:search",
    "export": "exports:export",
    "washup": "exports:washup",
    "import": "evidence:import_",
    "coverage": "evidence:coverage",
    "findings": "evidence:findings_",
    "finding": "findings:finding",
    "bundle": "sync:bundle",
    "merge": "sync:merge",
    "conflicts": "sync:conflicts",
    "join": "sync:join",
    "encrypt": "security:encrypt",
    "rekey": "security:rekey",
    "purge": "security:purge",
    "whoami": "signed:whoami",
    "verify": "signed:verify",
}


class LazyGroup(FriendlyGroup):
    """A group whose commands are imported when they are asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        where = COMMANDS.get(cmd_name)
        if where is None:
            return None
        module, attribute = where.split(":")
        command = getattr(importlib.import_module(f".{module}", __name__), attribute)
        assert isinstance(command, click.Command)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="peerreview-tui")
def main() -> None:
    """Peer review notes, evidence and findings, offline, in one SQLite file."""


__all__ = ["main"]
