"""Where reviews live on disk: one data directory, overridable for tests and scripts."""

from __future__ import annotations

import os
import re
from pathlib import Path

import platformdirs

APP_NAME = "peerreview-tui"
# The id rule of the schedule file (``models.Id``), for the ids that become parts of file names;
# repeated here because paths stands beside models, not on it.
_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,47}")
_STEM = re.compile(r"[a-z0-9][a-z0-9-]*")


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


def uses_demo(option: str | Path | None) -> bool:
    """Whether a command that opens a review opens the demo: nothing chose a database (no
    ``--db``, no ``PEERREVIEW_DB``), there is no ``review.db`` yet, and the demo exists."""
    if option or os.environ.get("PEERREVIEW_DB"):
        return False
    return not default_db_path().exists() and demo_db_path().exists()


def exports_dir() -> Path:
    """Where letters and slides are written unless a review remembers another folder: inside
    the data folder, so confidential exports never land in whatever folder the app started in."""
    return data_dir() / "exports"


def backups_dir(db_path: Path) -> Path:
    """Backups sit beside the database they copy, in a folder named after its file
    (``backups/review.db/``): no other database's backups can be taken for its own."""
    return db_path.parent / "backups" / db_path.name


def is_id(value: object) -> bool:
    """Whether ``value`` is an id: lower-case letters, digits and '-', so never a path."""
    return isinstance(value, str) and _ID.fullmatch(value) is not None


def is_file_stem(stem: str) -> bool:
    """Whether ``stem`` is made of ids and digits joined by '-': a file name with no folder in it."""
    return _STEM.fullmatch(stem) is not None


def name_part(value: str, instead: str) -> str:
    """``value`` for a default file name if it is an id, else ``instead``: default names are
    built only from ids, so a file lands where it is meant to."""
    return value if is_id(value) else instead
