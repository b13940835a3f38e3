"""Where reviews live on disk: one data directory, overridable for tests and scripts."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "peerreview-tui"


def data_dir() -> Path:
    """``PEERREVIEW_HOME`` if set (tests point it at a temp folder), else the platform's
    user data directory."""
    home = os.environ.get("PEERREVIEW_HOME")
    return Path(home).expanduser() if home else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_db_path() -> Path:
    """``PEERREVIEW_DB`` if set, else ``review.db`` in the data directory."""
    chosen = os.environ.get("PEERREVIEW_DB")
    return Path(chosen).expanduser() if chosen else data_dir() / "review.db"


def demo_db_path() -> Path:
    return data_dir() / "demo.db"


def resolve_db_path(option: str | Path | None) -> Path:
    """The database a command works on: ``--db``, else ``PEERREVIEW_DB``, else the default."""
    return Path(option).expanduser() if option else default_db_path()


def backups_dir(db_path: Path) -> Path:
    """Backups sit beside the database they copy, in a folder named after its file
    (``backups/review.db/``): no other database's backups can be taken for its own."""
    return db_path.parent / "backups" / db_path.name
