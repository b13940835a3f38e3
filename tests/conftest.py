"""Every test runs against a temporary data folder: no test ever touches a real home."""

from __future__ import annotations

from pathlib import Path

import pytest

from peerreview_tui.schedule import parse_schedule
from peerreview_tui.store import Store
from peerreview_tui.store import week

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "schedule.example.yaml"


@pytest.fixture(autouse=True)
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("PEERREVIEW_HOME", str(home))
    monkeypatch.delenv("PEERREVIEW_DB", raising=False)
    return home


@pytest.fixture
def example_schedule():
    return parse_schedule(EXAMPLE.read_bytes(), EXAMPLE.name).schedule


@pytest.fixture
def store(tmp_path: Path, example_schedule) -> Store:
    """A review database loaded from the example schedule."""
    opened = Store.open(tmp_path / "review.db", create=True)
    week.apply_schedule(opened, example_schedule, "sha")
    yield opened
    opened.close()
