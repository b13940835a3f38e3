"""Every test runs against a temporary data folder: no test ever touches a real home."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from peerreview_tui.demo import build_demo
from peerreview_tui.schedule import parse_schedule
from peerreview_tui.store import Store, week

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


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo review (notes, data, documents, findings), built once per run."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    build_demo(path)
    return path


@pytest.fixture
def demo(demo_file: Path, tmp_path: Path) -> Iterator[Store]:
    """A fresh copy of the demo review, open."""
    copy = tmp_path / "demo.db"
    shutil.copy(demo_file, copy)
    with Store.open(copy) as opened:
        yield opened
