"""`peerreview washup` as the review manager types it at the end of a day, on the review written
for the wash-up tests."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document

from peerreview_tui.cli import main
from peerreview_tui.paths import exports_dir
from peerreview_tui.store import notes
from tests.washup_review import load_washup_review


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "washup.db"
    load_washup_review(path).close()
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.chdir(out)
    return path


def run(*args: str):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def test_the_sheet_is_markdown_in_the_export_folder_by_default_and_not_replaced_unasked(db: Path) -> None:
    result = run("washup", "--day", "1", "--db", str(db))
    assert result.exit_code == 0, result.output
    sheet = exports_dir() / "harrowfield-2024-washup-day1.md"
    assert f"written to {sheet.resolve()}" in result.output
    assert "5 lines of enquiry untested, 1 follow-up open" in result.output
    text = sheet.read_text(encoding="utf-8")
    assert text.startswith("# Wash-up: day 1, Monday 4 March 2024")
    assert "| front-door.3 | Is step-down to early help safe? | none | none | no evidence |" in text
    # the tested lines' sentence is a paragraph of its own, not read as one more row of the table
    assert re.search(r"\|\n\n- Tested so far", text)
    assert (
        "- front-door.2 (one kind of source): Tue 5 Mar 13:00 Site visit: the front door (Gareth Pennock, "
        "Lucy Ferrand); Wed 6 Mar 09:00 Meeting: partnership leads (Gareth Pennock, Owen Carrick)"
    ) in text
    assert (
        "| Ask for the early help outcome measures | Gareth Pennock, Mon 09:00 Interview: Director of Children's Services | not handed out |  |"
        in text
    )
    assert sheet.stat().st_mode & 0o077 == 0
    again = run("washup", "--day", "1", "--db", str(db))
    assert again.exit_code == 1 and "already exists; nothing was written: --force replaces it" in again.output
    assert run("washup", "--day", "1", "--db", str(db), "--force").exit_code == 0


def test_the_sheet_as_word(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "sheet.docx"
    result = run("washup", "--day", "1", "-o", str(out), "--db", str(db))
    assert result.exit_code == 0, result.output
    document = Document(str(out))
    assert document.paragraphs[0].text == "Wash-up: day 1, Monday 4 March 2024"
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert "Are plans specific and reviewed?" in cells and "Ask for the early help outcome measures" in cells


def test_a_follow_up_naming_someone_met_stops_the_sheet(db: Path) -> None:
    from peerreview_tui.store import Store

    with Store.open(db) as store:
        notes.save_note(store, "mon-1400-swfg", "officer", "? Ask Dana Whitlow why step-down stalls\n")
    result = run("washup", "--day", "1", "--db", str(db))
    assert result.exit_code == 1
    assert "Dana Whitlow" in result.output and "nothing was written" in result.output
    assert not list(Path.cwd().iterdir())


def test_a_day_outside_the_review_or_a_wrong_suffix_is_refused_in_one_line(db: Path) -> None:
    result = run("washup", "--day", "4", "--db", str(db))
    assert result.exit_code == 1 and "the review has 3 days" in result.output
    result = run("washup", "-o", "sheet.pdf", "--db", str(db))
    assert result.exit_code == 1 and ".md" in result.output and ".docx" in result.output
    result = run("washup", "-o", "sheet.md", "--format", "docx", "--db", str(db))
    assert result.exit_code == 1 and "does not match" in result.output
