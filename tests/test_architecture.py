"""The core never depends on the UI: only peerreview_tui/ui/ may import textual."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "peerreview_tui"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_only_the_ui_imports_textual() -> None:
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if "textual" in _imports(path) and path.relative_to(PACKAGE).parts[0] != "ui"
    ]
    assert offenders == []


def test_core_and_cli_import_without_loading_textual() -> None:
    code = (
        "import sys, peerreview_tui.cli, peerreview_tui.store.week, peerreview_tui.store.notes, "
        "peerreview_tui.schedule; print('textual' in sys.modules, 'docx' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
