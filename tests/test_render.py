"""The letter and the deck as LibreOffice renders them (what a council opening the files sees):
page count, the marking on every page, page and slide numbers in the footer, no text outside the
slide, titles clear of the lists under them. Skipped, saying why, where LibreOffice or poppler's
pdftotext is not installed (apt-get install libreoffice-writer libreoffice-impress poppler-utils).

The review is the small one written for the export tests, with a long focus-area title."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest
from pptx import Presentation

from peerreview_tui.export.content import build_content
from peerreview_tui.export.letter_docx import DRAFT_HEADER, write_letter_docx
from peerreview_tui.export.slides_pptx import write_slides_pptx
from tests.small_review import LONG_AREA, PARTICIPANT_NAMES, load_small_review, small_schedule

pytestmark = [
    pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed"),
    pytest.mark.skipif(
        shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed"
    ),
]

MARKING = "OFFICIAL-SENSITIVE"
XHTML = "{http://www.w3.org/1999/xhtml}"


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True)
class Page:
    width: float
    height: float
    words: tuple[Word, ...]

    @property
    def text(self) -> str:
        return " ".join(word.text for word in self.words)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The small review's draft letter (numbered paragraphs, a marking) and its deck, as PDF."""
    folder = tmp_path_factory.mktemp("render")
    schedule = small_schedule()
    schedule["review"]["letter"] |= {"marking": MARKING, "numbered_paragraphs": True}
    with load_small_review(folder / "small.db", schedule, drafts=2) as store:
        content = build_content(store, include_drafts=True)
    write_letter_docx(content, folder / "letter.docx")
    write_slides_pptx(content, folder / "deck.pptx")
    subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(folder / "letter.docx"),
            str(folder / "deck.pptx"),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return {"letter": folder / "letter.pdf", "deck": folder / "deck.pdf", "pptx": folder / "deck.pptx"}


def pages(pdf: Path) -> list[Page]:
    """Every page's words with their boxes (points, from the top left), as pdftotext sees them."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True)
    root = ET.fromstring(out.stdout)
    found = []
    for page in root.iter(f"{XHTML}page"):
        words = tuple(
            Word(w.text or "", *(float(w.get(k) or 0) for k in ("xMin", "yMin", "xMax", "yMax")))
            for w in page.iter(f"{XHTML}word")
        )
        found.append(Page(float(page.get("width") or 0), float(page.get("height") or 0), words))
    return found


def test_the_letter_has_the_marking_draft_and_page_x_of_y_on_every_page(rendered: dict[str, Path]) -> None:
    letter = pages(rendered["letter"])
    count = len(letter)
    assert 2 <= count <= 6
    for number, page in enumerate(letter, start=1):
        top = " ".join(word.text for word in page.words if word.y1 < 72)  # the top inch
        assert MARKING in top and DRAFT_HEADER in top
        bottom = " ".join(word.text for word in page.words if word.y0 > page.height - 72)
        assert f"Page {number} of {count}" in bottom


def test_the_letters_paragraph_numbers_run_on_across_pages(rendered: dict[str, Path]) -> None:
    text = " ".join(page.text for page in pages(rendered["letter"]))
    numbers = [int(n) for n in re.findall(r"(?:^| )(\d{1,2})\. (?=[A-Z\[])", text)]
    assert numbers[:4] == [1, 2, 3, 4]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers) >= 15


def test_the_letter_names_nobody_the_team_met(rendered: dict[str, Path]) -> None:
    text = " ".join(page.text for page in pages(rendered["letter"]))
    assert "Dear Ms Ellison" in text and "Yours sincerely" in text and "Gareth Pennock" in text
    for name in PARTICIPANT_NAMES:
        assert name.split()[-1] not in text


def test_the_deck_has_a_page_a_slide_with_marking_and_number(rendered: dict[str, Path]) -> None:
    deck = pages(rendered["deck"])
    slides = Presentation(str(rendered["pptx"])).slides
    assert len(deck) == len(slides)
    for number, page in enumerate(deck, start=1):
        foot = [word.text for word in page.words if word.y0 > page.height * 0.88]
        assert "DRAFT" in foot and MARKING in foot
        assert (str(number) in foot) == (number > 1)  # no number on the title slide


def test_no_text_leaves_the_slide_or_runs_into_the_footer(rendered: dict[str, Path]) -> None:
    for page in pages(rendered["deck"]):
        for word in page.words:
            assert 0 <= word.x0 <= word.x1 <= page.width and 0 <= word.y0 <= word.y1 <= page.height
        footer_top = min(word.y0 for word in page.words if word.text == MARKING)
        assert all(word.y1 <= footer_top + 1 for word in page.words if word.y0 < footer_top - 1)


def test_slide_titles_take_two_lines_at_most_and_stay_above_the_lists(rendered: dict[str, Path]) -> None:
    slides = Presentation(str(rendered["pptx"])).slides
    checked = []
    for slide, page in list(zip(slides, pages(rendered["deck"]), strict=True))[1:]:
        title = slide.shapes.title.text_frame.text.split()
        words = sorted(page.words, key=lambda word: (round(word.y0), word.x0))
        assert [word.text for word in words[: len(title)]] == title  # the title comes first
        title_words, rest = words[: len(title)], words[len(title) :]
        assert len({round(word.y0) for word in title_words}) <= 2
        bottom = max(word.y1 for word in title_words)
        assert all(word.y0 >= bottom - 1 for word in rest)
        checked.append(" ".join(title))
    assert LONG_AREA in checked  # the long focus-area title was among them, whole
