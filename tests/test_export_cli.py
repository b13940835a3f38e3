"""`peerreview export letter` and `export slides` as a user types them."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document

from peerreview_tui.cli import main
from peerreview_tui.models import FindingStatus
from peerreview_tui.store import Store, findings


@pytest.fixture
def db(demo_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the demo; the current folder is a fresh one, where default outputs go."""
    copy = tmp_path / "demo.db"
    shutil.copy(demo_file, copy)
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.chdir(out)
    return copy


def run(*args: str):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def plant(db: Path, sentence: str) -> str:
    """Add ``sentence`` to the body of an agreed finding (agreeing it again); returns its title."""
    with Store.open(db) as store:
        finding = findings.list_findings(store, status=FindingStatus.AGREED)[0].finding
        findings.update_finding(store, finding.id, "lead", body=f"{finding.body} {sentence}")
        findings.agree_finding(store, finding.id, "lead")
    return finding.title


def exported_at(db: Path) -> str | None:
    with Store.open(db) as store:
        return store.get_meta("letter_exported_at")


def test_letter_is_written_to_the_current_folder(db: Path) -> None:
    result = run("export", "letter", "--db", str(db))
    assert result.exit_code == 0, result.output
    written = Path("northborough-2012-letter.docx")
    assert f"Letter written to {written.resolve()}" in result.output
    assert "11 findings not yet agreed left out" in result.output
    assert "No findings to show yet for: Effectiveness of commissioning" in result.output
    assert written.stat().st_mode & 0o777 == 0o600
    assert any(
        p.text == "Key messages" or p.text == "Partnership work" for p in Document(str(written)).paragraphs
    )
    assert exported_at(db) is not None


def test_letter_as_markdown(db: Path, tmp_path: Path) -> None:
    assert run("export", "letter", "--format", "md", "--db", str(db)).exit_code == 0
    today = dt.date.today()
    assert Path("northborough-2012-letter.md").read_text().splitlines()[0] == f"{today.day} {today:%B %Y}"
    target = tmp_path / "letter.md"
    result = run("export", "letter", "-o", str(target), "--include-drafts", "--db", str(db))
    assert result.exit_code == 0 and "not for sending" in result.output
    assert "## Key messages" in target.read_text()


def test_a_name_stops_the_export_and_nothing_is_written(db: Path) -> None:
    title = plant(db, "Cllr Pryce was clear about this.")
    result = run("export", "letter", "--db", str(db))
    assert result.exit_code == 1
    assert (
        f"Quality of practice and care planning, strengths: {title}: 'Cllr Pryce' (name) — " in result.output
    )
    assert (
        "nothing was written; rephrase, or keep a phrase deliberately with --allow 'Cllr Pryce'"
        in result.output
    )
    assert list(Path().iterdir()) == []
    assert exported_at(db) is None
    assert run("export", "letter", "--format", "md", "--db", str(db)).exit_code == 1
    assert list(Path().iterdir()) == []


def test_allow_keeps_a_phrase_deliberately(db: Path) -> None:
    plant(db, "Cllr Pryce was clear about this.")
    result = run("export", "letter", "--allow", "cllr pryce", "--db", str(db))
    assert result.exit_code == 0, result.output
    assert "Cllr Pryce was clear" in " ".join(
        p.text for p in Document("northborough-2012-letter.docx").paragraphs
    )


def test_a_role_next_to_speech_blocks_until_confirmed(db: Path) -> None:
    plant(db, "The chief executive told us it was the best year yet.")
    result = run("export", "letter", "--db", str(db))
    assert result.exit_code == 1
    assert "'chief executive' (role next to speech)" in result.output
    assert "warnings" in result.output and "--allow 'chief executive'" in result.output
    assert list(Path().iterdir()) == []
    assert run("export", "letter", "--allow", "chief executive", "--db", str(db)).exit_code == 0


def test_a_template_that_is_not_a_word_file_is_refused(db: Path, tmp_path: Path) -> None:
    bad = tmp_path / "letterhead.docx"
    bad.write_text("not a zip")
    result = run("export", "letter", "--template", str(bad), "--db", str(db))
    assert result.exit_code == 1 and "is not a Word document or template" in result.output
    assert list(Path().iterdir()) == []


def test_a_letterhead_template_is_used(db: Path, tmp_path: Path) -> None:
    template = tmp_path / "letterhead.docx"
    made = Document()
    made.sections[0].header.paragraphs[0].text = "Westmere County Council"
    made.save(str(template))
    assert run("export", "letter", "--template", str(template), "--db", str(db)).exit_code == 0
    written = Document("northborough-2012-letter.docx")
    assert written.sections[0].header.paragraphs[0].text == "Westmere County Council"


def test_slides(db: Path) -> None:
    pytest.importorskip("peerreview_tui.export.slides")
    result = run("export", "slides", "--db", str(db))
    assert result.exit_code == 0, result.output
    assert Path("northborough-2012-slides.pptx").stat().st_size > 0
    assert run("export", "slides", "--format", "md", "--db", str(db)).exit_code == 0
    assert Path("northborough-2012-slides.md").read_text().strip()
    assert exported_at(db) is None  # only the letter counts for the purge


def test_slides_are_guarded_too(db: Path) -> None:
    pytest.importorskip("peerreview_tui.export.slides")
    plant(db, "Mark Ellerby agrees.")
    result = run("export", "slides", "--db", str(db))
    assert result.exit_code == 1 and "'Mark Ellerby' (name)" in result.output
    assert list(Path().iterdir()) == []
