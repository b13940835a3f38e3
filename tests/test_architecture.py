"""The architecture as pyproject.toml states it: front ends on the core, textual only in the UI.

The contracts themselves are import-linter's (``make lint`` runs them too); this test keeps a
broken contract from passing ``pytest`` on its own.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from peerreview_tui.store import Store

ROOT = Path(__file__).resolve().parent.parent


def _lint_imports() -> subprocess.CompletedProcess[str]:
    command = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or "lint-imports"
    return subprocess.run([command], cwd=ROOT, capture_output=True, text=True, check=False)


def test_the_import_contracts_hold() -> None:
    result = _lint_imports()
    assert result.returncode == 0, result.stdout[-3000:]
    assert "0 broken" in result.stdout


def test_core_and_cli_import_without_loading_textual() -> None:
    code = (
        "import sys, peerreview_tui.cli, peerreview_tui.store.week, peerreview_tui.store.notes, "
        "peerreview_tui.schedule; print('textual' in sys.modules, 'docx' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


# What opening a review must not load before its first frame: pydantic (rows read back are not
# validated again), sqlite-utils and what it brings, the exports' libraries, YAML, SQLCipher for
# a plain review, and the core modules behind them (see README, Performance).
HEAVY = (
    "pydantic",
    "pydantic_core",
    "sqlite_utils",
    "dateutil",
    "pluggy",
    "docx",
    "pptx",
    "yaml",
    "sqlcipher3",
    "merge3",
    "wordfreq",
    "peerreview_tui.models",
    "peerreview_tui.schedule",
    "peerreview_tui.export",
    "peerreview_tui.sync",
)
OPEN_AND_LIST_MODULES = """
import runpy, sys
heavy = sys.argv[3:]
sys.argv = [sys.argv[1], sys.argv[2]]
runpy.run_path(sys.argv[0], run_name="__main__")
print(" ".join(sorted(m for m in sys.modules if any(m == h or m.startswith(h + ".") for h in heavy))))
"""


def test_peerreview_open_draws_the_schedule_without_the_heavy_modules(store: Store) -> None:
    """`peerreview open`, as bench/startup.py runs it (headless, stopped once the schedule's
    sessions are drawn): none of HEAVY is imported by then."""
    store.set_meta("me", "lead")
    store.close()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            OPEN_AND_LIST_MODULES,
            str(ROOT / "bench" / "startup.py"),
            str(store.path),
            *HEAVY,
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    loaded = done.stdout.split()
    assert loaded == [], f"imported on the way to the first frame: {loaded}"


SECTIONS_READ = """
import sys
from pathlib import Path
import peerreview_tui.ui.screens.coverage, peerreview_tui.ui.screens.findings, peerreview_tui.ui.screens.washup
from peerreview_tui.coverage import compute_coverage, compute_line_coverage
from peerreview_tui.store import Store, findings
from peerreview_tui.store.evidence_items import list_evidence
from peerreview_tui.washup import compute_washup, lines_of_findings
with Store.open(Path(sys.argv[1])) as store:
    views = findings.list_findings(store)
    lines_of_findings(store, views)
    views and findings.linked_evidence(store, views[0].finding.id)
    compute_washup(store, 1), list_evidence(store), compute_coverage(store), compute_line_coverage(store)
print(" ".join(sorted(m for m in ("pydantic", "peerreview_tui.models") if m in sys.modules)))
"""


def test_the_sections_screens_read_without_pydantic(demo: Store) -> None:
    """Coverage, findings and the wash-up import and read without pydantic (~60 ms to import,
    and more to build its validators, on the first section a reviewer opens)."""
    demo.close()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, "-c", SECTIONS_READ, str(demo.path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    assert done.stdout.split() == []
