"""The architecture as pyproject.toml states it: front ends on the core, textual only in the UI.

The contracts themselves are import-linter's (``make lint`` runs them too); this test keeps a
broken contract from passing ``pytest`` on its own.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

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
