"""Kill the app with SIGKILL while a reviewer types: everything typed up to a second before the
kill must be in the database. `make bench` runs 20 trials; here, three."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.durability import trial
from peerreview_tui.demo import build_demo


@pytest.mark.parametrize("seed", range(3))
def test_sigkill_loses_nothing_typed_a_second_before(tmp_path: Path, seed: int) -> None:
    db = tmp_path / "demo.db"
    build_demo(db)
    kept, problem = trial(db, seed)
    assert kept, problem
