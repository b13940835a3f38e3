"""Where bundles are written and read: the folder the review last exchanged through (a USB
stick, a shared folder), else ``exchange`` in the data folder, never the folder the app or the
command started in (a bundle holds interview notes; in a git checkout it would be an untracked
file waiting to be committed)."""

from __future__ import annotations

from pathlib import Path

from ..paths import data_dir
from ..store import Store

FOLDER_KEY = "exchange_folder"  # meta: the folder last used, offered again


def default_exchange_dir() -> Path:
    return data_dir() / "exchange"


def exchange_folder(store: Store) -> Path:
    remembered = store.get_meta(FOLDER_KEY)
    return Path(remembered) if remembered else default_exchange_dir()


def remember_exchange_folder(store: Store, folder: Path) -> None:
    store.set_meta(FOLDER_KEY, str(folder.absolute()))


def ready_to_write(folder: Path) -> Path:
    """``folder``, made if it is the data folder's own (readable only by its owner); any other
    folder must exist already (a stick not plugged in is not made up as a folder)."""
    if folder.absolute() == default_exchange_dir().absolute():
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder
