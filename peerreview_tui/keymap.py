"""Remapped keys: ``keys.yaml`` in the data folder maps binding ids to keys.

    # keys.yaml
    schedule.mine: o          # "only mine" on o instead of m
    capture.timestamp: ctrl+k

Every binding has an id; F1 lists the keys, and the ids are in the README.
"""

from __future__ import annotations

from pathlib import Path

from .paths import data_dir


class KeymapError(Exception):
    """``keys.yaml`` cannot be used; the message says why."""


def keymap_path() -> Path:
    return data_dir() / "keys.yaml"


def load_keymap(path: Path | None = None) -> dict[str, str]:
    """The user's key overrides, or {} when there is no file."""
    path = path or keymap_path()
    if not path.is_file():
        return {}
    import yaml  # most laptops have no keys.yaml: YAML loads only for one

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise KeymapError(f"{path}: cannot be read as YAML ({error.__class__.__name__})") from None
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise KeymapError(f"{path}: expected lines like 'schedule.mine: o' (binding id: key)")
    return data
