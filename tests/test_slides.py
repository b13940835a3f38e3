"""The feedback presentation, read back with python-pptx as someone opening the file would."""

from __future__ import annotations

import datetime as dt
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.oxml.ns import qn
from pptx.util import Inches, Pt

from peerreview_tui.demo import build_demo
from peerreview_tui.export.content import (
    AreaFindings,
    LetterContent,
    LetterFinding,
    MethodCounts,
    TeamMember,
    build_content,
)
from peerreview_tui.export.slides import DECK_TITLE, slides_markdown
from peerreview_tui.export.slides_pptx import write_slides_pptx
from peerreview_tui.store import Store, week

LEAD = TeamMember("Helen Marchbank", "Review lead", "Westmere County Council", True)
TEAM = (
    LEAD,
    TeamMember("Brian Oakes", "Member peer", "Eastvale Council", False),
    TeamMember("Angela Osei", "Health peer", "Westmere PCT", False),
)
METHOD = MethodCounts(
    people_met=144,
    interviews=13,
    focus_groups=12,
    case_file_audits=7,
    site_visits=2,
    observations=2,
    sessions_held=37,
    documents=2,
    performance_indicators=11,
    questionnaire_responses=86,
)


def finding(n: int, *, draft: bool = False, quotes: tuple[str, ...] = ()) -> LetterFinding:
    return LetterFinding(
        finding_id=f"f{n}",
        title=f"Finding {n} title line",
        body=f"Body of finding {n}: the evidence behind it, in sentences for the presenter.",
        draft=draft,
        quotes=quotes,
    )


def make_content(
    *, strengths: int = 2, include_drafts: bool = False, drafts: bool = False, quotes: tuple[str, ...] = ()
) -> LetterContent:
    practice = AreaFindings(
        "practice",
        "Quality of practice",
        strengths=tuple(finding(10 + i, quotes=quotes if i == 0 else ()) for i in range(strengths)),
        developments=(finding(30, draft=drafts),),
    )
    partnership = AreaFindings("partnership", "Partnership work", strengths=(finding(40),), developments=())
    return LetterContent(
        date=dt.date(2012, 9, 14),
        council="Northborough Borough Council",
        review_title="Children's safeguarding peer review",
        start=dt.date(2012, 9, 10),
        end=dt.date(2012, 9, 14),
        letter=None,
        focus_areas=(("practice", "Quality of practice"), ("partnership", "Partnership work")),
        team=TEAM,
        lead=LEAD,
        method=METHOD,
        key_messages=(finding(1),),
        areas=(practice, partnership),
        recommendations=(finding(50), finding(51)),
        include_drafts=include_drafts,
    )


def write(content: LetterContent, tmp_path: Path):
    path = tmp_path / "feedback.pptx"
    write_slides_pptx(content, path)
    return Presentation(str(path))


def titles(deck) -> list[str]:
    return [slide.shapes.title.text_frame.text for slide in deck.slides]


def body_boxes(slide):
    return [
        shape for shape in slide.placeholders if shape.placeholder_format.idx != 0 and shape.has_text_frame
    ]


def paragraphs(slide):
    """Every body paragraph on a slide (not the title), with whether it shows a bullet."""
    for shape in body_boxes(slide):
        for paragraph in shape.text_frame.paragraphs:
            properties = paragraph._p.pPr
            yield paragraph, properties is None or properties.find(qn("a:buNone")) is None


def bullets(slide) -> list[str]:
    return [paragraph.text for paragraph, bulleted in paragraphs(slide) if bulleted]


def most_bullets_in_a_box(deck) -> int:
    """Scope and method has two lists side by side: the limit is on each list."""
    return max(
        sum(1 for p in box.text_frame.paragraphs if p._p.pPr is None or p._p.pPr.find(qn("a:buNone")) is None)
        for slide in deck.slides
        for box in body_boxes(slide)
    )


def slide_titled(deck, title: str):
    return next(slide for slide in deck.slides if slide.shapes.title.text_frame.text == title)


def all_text(slide) -> str:
    return "\n".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)


def test_the_slides_come_in_the_order_of_the_feedback(tmp_path: Path) -> None:
    deck = write(make_content(), tmp_path)
    assert titles(deck) == [
        "Northborough Borough Council",
        "Scope and method",
        "Key messages",
        "Quality of practice: strengths",
        "Quality of practice: areas for development",
        "Partnership work: strengths",  # no areas for development: no empty slide
        "Recommendations",
        "Next steps",
        "Thank you",
    ]
    opening = all_text(deck.slides[0])
    assert DECK_TITLE in opening and "10 to 14 September 2012" in opening and "Helen Marchbank" in opening


def test_a_16_9_deck_readable_from_the_back_of_the_room(tmp_path: Path) -> None:
    deck = write(make_content(), tmp_path)
    assert (deck.slide_width, deck.slide_height) == (Inches(13.333), Inches(7.5))
    for slide in deck.slides:
        for run in (r for p in slide.shapes.title.text_frame.paragraphs for r in p.runs):
            assert run.font.size >= Pt(32)
        for paragraph, _ in paragraphs(slide):
            for run in paragraph.runs:
                assert run.font.size >= Pt(20)
        for shape in slide.shapes:  # every box on the slide
            assert shape.left >= 0 and shape.top >= 0
            assert shape.left + shape.width <= deck.slide_width
            assert shape.top + shape.height <= deck.slide_height


def test_scope_and_method_lists_the_focus_areas_and_the_counts(tmp_path: Path) -> None:
    slide = slide_titled(write(make_content(), tmp_path), "Scope and method")
    assert bullets(slide) == [
        "Quality of practice",
        "Partnership work",
        "37 sessions with 144 people",
        "13 interviews",
        "12 focus groups",
        "7 case file audit sessions",
        "2 documents read",
        "86 questionnaire responses",
    ]
    # What the slide leaves out is in the notes for the presenter to mention.
    assert "2 site visits, 2 observations of practice" in slide.notes_slide.notes_text_frame.text


def test_eight_strengths_go_on_a_continued_slide_six_bullets_at_most(tmp_path: Path) -> None:
    deck = write(make_content(strengths=8), tmp_path)
    assert titles(deck)[3:5] == [
        "Quality of practice: strengths",
        "Quality of practice: strengths (continued)",
    ]
    shown = bullets(deck.slides[3]) + bullets(deck.slides[4])
    assert shown == [f"Finding {10 + i} title line" for i in range(8)]
    assert [len(bullets(deck.slides[3])), len(bullets(deck.slides[4]))] == [4, 4]
    assert most_bullets_in_a_box(deck) <= 6


def test_long_titles_spill_onto_more_slides_rather_than_out_of_the_box(tmp_path: Path) -> None:
    wordy = tuple(
        LetterFinding(
            f"w{i}", "A long finding title that goes on " * 3 + str(i), "Body.", False, ("Q " * 50,)
        )
        for i in range(6)
    )
    content = make_content()
    area = AreaFindings("practice", "Quality of practice", wordy, ())
    deck = write(LetterContent(**{**content.__dict__, "areas": (area,)}), tmp_path)
    slides = [s for s in deck.slides if s.shapes.title.text_frame.text.startswith("Quality of practice")]
    assert len(slides) >= 2
    assert sum(len(bullets(slide)) for slide in slides) == 6


def test_a_title_over_110_characters_is_cut_at_a_word(tmp_path: Path) -> None:
    title = "Thresholds are understood and applied consistently by partners " * 3
    long = LetterFinding("long", title, "Body.", False, ())
    content = make_content()
    deck = write(LetterContent(**{**content.__dict__, "key_messages": (long,)}), tmp_path)
    [shown] = bullets(slide_titled(deck, "Key messages"))
    assert len(shown) <= 110 and shown.endswith("…")
    assert title.startswith(shown[:-1])
    assert shown[:-1] == shown[:-1].rstrip()  # cut between words, not inside one
    assert title[len(shown) - 1] == " "


def test_bullets_are_title_lines_and_bodies_are_in_the_speaker_notes(tmp_path: Path) -> None:
    deck = write(make_content(), tmp_path)
    strengths = slide_titled(deck, "Quality of practice: strengths")
    assert bullets(strengths) == ["Finding 10 title line", "Finding 11 title line"]
    for slide in deck.slides:
        assert "Body of finding" not in all_text(slide)
    notes = strengths.notes_slide.notes_text_frame.text
    assert "Body of finding 10" in notes and "Body of finding 11" in notes
    assert (
        "Body of finding 30"
        in slide_titled(deck, "Quality of practice: areas for development").notes_slide.notes_text_frame.text
    )


def test_drafts_are_marked_when_included_and_left_out_otherwise(tmp_path: Path) -> None:
    with_drafts = write(make_content(drafts=True, include_drafts=True), tmp_path)
    development = slide_titled(with_drafts, "Quality of practice: areas for development")
    assert bullets(development) == ["[DRAFT] Finding 30 title line"]
    assert "includes findings not yet agreed" in all_text(with_drafts.slides[0])

    agreed_only = write(make_content(drafts=True, include_drafts=False), tmp_path)
    assert "Quality of practice: areas for development" not in titles(agreed_only)
    assert all("[DRAFT]" not in all_text(slide) for slide in agreed_only.slides)
    assert "not yet agreed" not in all_text(agreed_only.slides[0])


def test_a_chosen_quote_is_an_italic_line_under_its_finding_and_says_nothing_of_who(tmp_path: Path) -> None:
    deck = write(make_content(quotes=("We rewrite the plans we inherit",)), tmp_path)
    shown = list(paragraphs(slide_titled(deck, "Quality of practice: strengths")))
    texts = [paragraph.text for paragraph, _ in shown]
    assert texts == ["Finding 10 title line", "“We rewrite the plans we inherit”", "Finding 11 title line"]
    quote, bulleted = shown[1]
    assert not bulleted and all(run.font.italic for run in quote.runs)
    everything = "\n".join(
        all_text(slide) for slide in list(deck.slides)[1:-1]
    )  # team named on first and last only
    for member in TEAM:
        assert member.name not in everything


def test_the_closing_slide_names_the_team_with_their_roles(tmp_path: Path) -> None:
    closing = write(make_content(), tmp_path).slides[-1]
    assert bullets(closing) == [
        "Helen Marchbank, Review lead, Westmere County Council",
        "Brian Oakes, Member peer, Eastvale Council",
        "Angela Osei, Health peer, Westmere PCT",
    ]


def test_the_file_is_private_and_written_in_one_step(tmp_path: Path) -> None:
    path = tmp_path / "feedback.pptx"
    path.write_bytes(b"an older deck")
    write_slides_pptx(make_content(), path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["feedback.pptx"]  # no temporary file left
    assert Presentation(str(path)).slides


def test_markdown_is_the_same_deck(tmp_path: Path) -> None:
    content = make_content(strengths=8, quotes=("We rewrite the plans we inherit",))
    text = slides_markdown(content)
    deck = write(content, tmp_path)
    headings = [line[2:] for line in text.splitlines() if line.startswith("# ")]
    assert headings == titles(deck)
    assert text.count("\n---\n") == len(deck.slides) - 1
    assert "- Finding 10 title line\n  *“We rewrite the plans we inherit”*" in text
    assert "- 37 sessions with 144 people" in text
    # The bodies are there for the presenter, as notes a Markdown viewer hides.
    body = "Body of finding 10: the evidence behind it, in sentences for the presenter."
    assert body in text and text.index("<!--") < text.index(body)


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    build_demo(path)
    store = Store.open(path)
    yield store
    store.close()


def test_the_demo_deck(demo_store: Store, tmp_path: Path) -> None:
    deck = write(build_content(demo_store, include_drafts=True), tmp_path)
    areas = [
        "Quality of practice and care planning",
        "Impact of early intervention and service re-modelling",
        "Partnership work",
        "Effectiveness of commissioning",
    ]
    assert titles(deck) == [
        "Northborough Borough Council",
        "Scope and method",
        "Key messages",
        *(f"{area}: {part}" for area in areas for part in ("strengths", "areas for development")),
        "Recommendations",
        "Next steps",
        "Thank you",
    ]
    assert most_bullets_in_a_box(deck) <= 6
    # Nobody the team met is named anywhere in the deck, notes included.
    text = "\n".join(all_text(slide) + slide.notes_slide.notes_text_frame.text for slide in deck.slides)
    names = {p.name for s in week.sessions(demo_store) for p in s.participants if p.name}
    assert names and not [name for name in names if name in text]


def test_the_demo_deck_without_drafts_has_only_agreed_findings(demo_store: Store, tmp_path: Path) -> None:
    content = build_content(demo_store, include_drafts=False)
    deck = write(content, tmp_path)
    assert all("[DRAFT]" not in all_text(slide) for slide in deck.slides)
    shown = [text for slide in list(deck.slides)[2:-2] for text in bullets(slide)]
    agreed = [f.title for area in content.areas for f in (*area.strengths, *area.developments)]
    assert shown == agreed


def test_the_markdown_deck_does_not_load_python_pptx() -> None:
    code = (
        "import sys; from peerreview_tui.export import slides; "
        "print('pptx' in sys.modules, 'textual' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
