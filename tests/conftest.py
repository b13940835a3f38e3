"""Every test runs against a temporary data folder: no test ever touches a real home."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from peerreview_tui.demo import build_demo
from peerreview_tui.schedule import parse_schedule
from peerreview_tui.store import Store, week

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "schedule.example.yaml"

# `make test` draws the same examples every run: a landing can't fail on a draw no earlier run
# made. `make explore` draws new ones, ten times as many, to look for what the fixed draws miss.
settings.register_profile("fixed", derandomize=True, database=None, print_blob=True)
settings.register_profile("explore", derandomize=False, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fixed"))
EXPLORE = 10 if os.environ.get("HYPOTHESIS_PROFILE") == "explore" else 1


def examples(count: int) -> int:
    """How many examples a property draws: ``count`` in make test, ten times that exploring."""
    return count * EXPLORE


@pytest.fixture(autouse=True)
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("PEERREVIEW_HOME", str(home))
    monkeypatch.delenv("PEERREVIEW_DB", raising=False)
    return home


@pytest.fixture(scope="session")
def parsed_example():
    return parse_schedule(EXAMPLE.read_bytes(), EXAMPLE.name).schedule


@pytest.fixture
def example_schedule(parsed_example):
    """The example schedule, a copy of its own (parsing it is ~0.1 s; a deep copy is far less)."""
    return parsed_example.model_copy(deep=True)


@pytest.fixture(scope="session")
def store_file(tmp_path_factory: pytest.TempPathFactory, parsed_example) -> Path:
    """A review database loaded from the example schedule, made once per run (its own data
    folder, so no test's home holds the backups of making it)."""
    folder = tmp_path_factory.mktemp("store")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PEERREVIEW_HOME", str(folder / "home"))
        with Store.open(folder / "review.db", create=True) as made:
            week.apply_schedule(made, parsed_example, "sha")
    return folder / "review.db"


@pytest.fixture
def store(tmp_path: Path, store_file: Path) -> Iterator[Store]:
    """A review database loaded from the example schedule: a fresh copy of one made once."""
    copy = tmp_path / "review.db"
    shutil.copy(store_file, copy)
    opened = Store.open(copy)
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


def search_index_is_sound(store: Store) -> bool:
    """Whether the notes' search index holds the words of the notes as they are now, no more
    (FTS5's integrity check, against the notes' text)."""
    with store.write() as db:
        try:
            db.execute("INSERT INTO notes_fts (notes_fts, rank) VALUES ('integrity-check', 1)")
        except Exception:  # sqlite3's or sqlcipher3's DatabaseError: "database disk image is malformed"
            return False
    return True
