from __future__ import annotations

from pathlib import Path

import pytest

from peerreview_tui.keymap import KeymapError, load_keymap


def test_no_file_means_no_overrides(tmp_path: Path) -> None:
    assert load_keymap(tmp_path / "keys.yaml") == {}


def test_overrides_are_read(tmp_path: Path) -> None:
    path = tmp_path / "keys.yaml"
    path.write_text("schedule.mine: o\ncapture.timestamp: ctrl+k\n")
    assert load_keymap(path) == {"schedule.mine": "o", "capture.timestamp": "ctrl+k"}


@pytest.mark.parametrize("text", ["- o\n- p\n", "a: [1]\n", "a: : :\n"])
def test_a_bad_file_is_one_clear_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "keys.yaml"
    path.write_text(text)
    with pytest.raises(KeymapError, match=r"keys\.yaml"):
        load_keymap(path)
