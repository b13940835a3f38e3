"""`peerreview export letter` and `export slides` as a user types them."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from pptx import Presentation

from peerreview_tui import paths
from peerreview_tui.cli import main
from peerreview_tui.export.documents import remember_export_folder
from peerreview_tui.models import FindingStatus
from peerreview_tui.store import Store, findings


@pytest.fixture
def db(demo_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the demo; the current folder is a fresh one, where relative outputs go."""
    copy = tmp_path / "demo.db"
    shutil.copy(demo_file, copy)
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.chdir(out)
    return copy


def default_file(name: str) -> Path:
    """Where an export goes by default: the exports folder in the (temporary) data folder."""
    return paths.exports_dir() / name


def written() -> list[str]:
    """The files in the current folder and in the exports folder."""
    folders = [Path(), paths.exports_dir()]
    return sorted(p.name for folder in folders if folder.exists() for p in folder.iterdir())


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


def test_letter_is_written_to_the_exports_folder_in_the_data_folder(db: Path) -> None:
    result = run("export", "letter", "--db", str(db))
    assert result.exit_code == 0, result.output
    written = default_file("northborough-2012-letter.docx")
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
    lines = default_file("northborough-2012-letter.md").read_text().splitlines()
    assert lines[:3] == ["**Private and confidential**", "", "24 September 2012"]  # the schedule's date
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
    assert written() == []
    assert exported_at(db) is None
    assert run("export", "letter", "--format", "md", "--db", str(db)).exit_code == 1
    assert written() == []


def test_allow_keeps_a_phrase_deliberately(db: Path) -> None:
    plant(db, "Cllr Pryce was clear about this.")
    result = run("export", "letter", "--allow", "cllr pryce", "--db", str(db))
    assert result.exit_code == 0, result.output
    assert "Cllr Pryce was clear" in " ".join(
        p.text for p in Document(str(default_file("northborough-2012-letter.docx"))).paragraphs
    )


def test_a_role_next_to_speech_blocks_until_confirmed(db: Path) -> None:
    plant(db, "The chief executive told us it was the best year yet.")
    result = run("export", "letter", "--db", str(db))
    assert result.exit_code == 1
    assert "'chief executive' (role next to speech)" in result.output
    assert "warnings" in result.output and "--allow 'chief executive'" in result.output
    assert written() == []
    assert run("export", "letter", "--allow", "chief executive", "--db", str(db)).exit_code == 0


def test_a_template_that_is_not_a_word_file_is_refused(db: Path, tmp_path: Path) -> None:
    bad = tmp_path / "letterhead.docx"
    bad.write_text("not a zip")
    result = run("export", "letter", "--template", str(bad), "--db", str(db))
    assert result.exit_code == 1 and "is not a Word document or template" in result.output
    assert written() == []


def test_a_letterhead_template_is_used(db: Path, tmp_path: Path) -> None:
    template = tmp_path / "letterhead.docx"
    made = Document()
    made.sections[0].header.paragraphs[0].text = "Westmere County Council"
    made.save(str(template))
    assert run("export", "letter", "--template", str(template), "--db", str(db)).exit_code == 0
    written = Document(str(default_file("northborough-2012-letter.docx")))
    assert written.sections[0].header.paragraphs[0].text == "Westmere County Council"


def test_slides(db: Path) -> None:
    pytest.importorskip("peerreview_tui.export.slides")
    result = run("export", "slides", "--db", str(db))
    assert result.exit_code == 0, result.output
    assert default_file("northborough-2012-slides.pptx").stat().st_size > 0
    assert run("export", "slides", "--format", "md", "--db", str(db)).exit_code == 0
    assert default_file("northborough-2012-slides.md").read_text().strip()
    assert exported_at(db) is None  # only the letter counts for the purge


def test_slides_are_guarded_too(db: Path) -> None:
    pytest.importorskip("peerreview_tui.export.slides")
    plant(db, "Mark Ellerby agrees.")
    result = run("export", "slides", "--db", str(db))
    assert result.exit_code == 1 and "'Mark Ellerby' (name)" in result.output
    assert written() == []


# --- Names and formats -------------------------------------------------------------------


def test_the_date_on_the_letter_can_be_given(db: Path) -> None:
    assert run("export", "letter", "-o", "letter.md", "--date", "2012-10-01", "--db", str(db)).exit_code == 0
    assert "\n1 October 2012\n" in Path("letter.md").read_text()
    bad = run("export", "letter", "--date", "1 October", "--db", str(db))
    assert bad.exit_code == 2 and "'1 October' does not match the format '%Y-%m-%d'" in bad.output
    assert not default_file("northborough-2012-letter.docx").exists()


@pytest.mark.parametrize(
    ("what", "name", "said"),
    [
        (
            "letter",
            "letter.pptx",
            "letter.pptx: the letter can be written as Word (.docx), Markdown (.md) or PDF (.pdf)",
        ),
        (
            "letter",
            "letter",
            "letter: the letter can be written as Word (.docx), Markdown (.md) or PDF (.pdf)",
        ),
        (
            "slides",
            "slides.docx",
            "slides.docx: the slides can be written as PowerPoint (.pptx), Markdown (.md) or PDF (.pdf)",
        ),
        (
            "slides",
            "slides.txt",
            "slides.txt: the slides can be written as PowerPoint (.pptx), Markdown (.md) or PDF (.pdf)",
        ),
    ],
)
def test_a_name_that_does_not_fit_the_document_is_refused(db: Path, what: str, name: str, said: str) -> None:
    result = run("export", what, "-o", name, "--db", str(db))
    assert result.exit_code == 1 and said in result.output
    assert written() == []


def test_the_suffix_is_the_format(db: Path) -> None:
    assert run("export", "letter", "-o", "Letter.DOCX", "--db", str(db)).exit_code == 0
    assert Document("Letter.DOCX").paragraphs  # a Word file, whatever the case of its suffix
    assert run("export", "slides", "-o", "deck.md", "--db", str(db)).exit_code == 0
    assert Path("deck.md").read_text().startswith("# Children's safeguarding peer review\n")
    assert run("export", "slides", "-o", "deck.pptx", "--db", str(db)).exit_code == 0
    assert zipfile.is_zipfile("deck.pptx") and Presentation("deck.pptx").slides


def test_a_format_that_disagrees_with_the_name_is_refused(db: Path) -> None:
    result = run("export", "letter", "--format", "md", "-o", "letter.docx", "--db", str(db))
    assert result.exit_code == 1
    assert "--format md does not match letter.docx; name the file .md, or leave out --format" in result.output
    assert written() == []


def test_pdf_without_libreoffice_names_the_package(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import peerreview_tui.export.pdf as pdf

    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    letter = run("export", "letter", "-o", "letter.pdf", "--db", str(db))
    assert letter.exit_code == 1
    assert "writing PDF needs LibreOffice" in letter.output and "libreoffice-writer" in letter.output
    slides = run("export", "slides", "--format", "pdf", "--db", str(db))
    assert slides.exit_code == 1 and "libreoffice-impress" in slides.output
    assert written() == []
    assert exported_at(db) is None


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_pdf_through_libreoffice(db: Path) -> None:
    result = run("export", "letter", "-o", "letter.pdf", "--db", str(db))
    assert result.exit_code == 0, result.output
    assert Path("letter.pdf").read_bytes()[:5] == b"%PDF-"
    assert Path("letter.pdf").stat().st_mode & 0o777 == 0o600
    assert run("export", "slides", "--format", "pdf", "--db", str(db)).exit_code == 0
    assert default_file("northborough-2012-slides.pdf").read_bytes()[:5] == b"%PDF-"
    assert written() == ["letter.pdf", "northborough-2012-slides.pdf"]


def test_slides_with_a_template(db: Path, tmp_path: Path) -> None:
    template = tmp_path / "ours.pptx"
    Presentation().save(str(template))  # 4:3
    assert run("export", "slides", "--template", str(template), "--db", str(db)).exit_code == 0
    deck = Presentation(str(default_file("northborough-2012-slides.pptx")))
    assert deck.slide_width * 3 == deck.slide_height * 4
    bad = tmp_path / "bad.pptx"
    bad.write_text("not a zip")
    result = run("export", "slides", "-o", "other.pptx", "--template", str(bad), "--db", str(db))
    assert result.exit_code == 1 and "is not a PowerPoint presentation or template" in result.output
    assert not Path("other.pptx").exists()


def test_an_existing_file_is_not_replaced_without_force(db: Path) -> None:
    first = run("export", "letter", "--db", str(db))
    assert first.exit_code == 0, first.output
    letter = default_file("northborough-2012-letter.docx")
    letter.write_bytes(b"the copy sent to the council")
    again = run("export", "letter", "--db", str(db))
    assert again.exit_code == 1
    assert f"{letter} already exists; nothing was written: --force replaces it" in again.output
    assert letter.read_bytes() == b"the copy sent to the council"
    forced = run("export", "letter", "--force", "--db", str(db))
    assert forced.exit_code == 0 and f"Letter written to {letter}" in forced.output
    assert zipfile.is_zipfile(letter)


def test_notes_to_an_existing_file_are_refused_without_force(db: Path) -> None:
    Path("notes.md").write_text("mine")
    refused = run("export", "notes", "-o", "notes.md", "--db", str(db))
    assert refused.exit_code == 1 and "already exists; nothing was written" in refused.output
    assert Path("notes.md").read_text() == "mine"
    forced = run("export", "notes", "-o", "notes.md", "--force", "--db", str(db))
    assert forced.exit_code == 0
    assert f"Notes written to {Path('notes.md').absolute()}" in forced.output


def test_the_folder_chosen_in_the_app_is_the_default(db: Path, tmp_path: Path) -> None:
    chosen = tmp_path / "council letters"
    chosen.mkdir()
    with Store.open(db) as store:
        assert remember_export_folder(store, chosen)
    result = run("export", "slides", "--format", "md", "--db", str(db))
    assert result.exit_code == 0, result.output
    assert f"Slides written to {chosen / 'northborough-2012-slides.md'}" in result.output


def test_help_names_the_default_folder_and_force() -> None:
    text = " ".join(run("export", "letter", "--help").output.split())
    assert "exports/ in the data folder" in text and "current folder" not in text
    assert "--force" in text
