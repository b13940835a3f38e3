"""The feedback presentation, read back with python-pptx as someone opening the file would.

Content made here (another council than the example week) and the small review of the export
tests; the demo deck at the end. LibreOffice renders are in ``test_render``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.oxml.ns import qn
from pptx.util import Inches, Pt

from peerreview_tui.export.content import (
    AreaFindings,
    LetterContent,
    LetterFinding,
    MethodCounts,
    TeamMember,
    TemplateError,
    build_content,
)
from peerreview_tui.export.slides import BUILT_IN, NEXT_STEPS, TITLE_PT, _lines, fit_title, slides_markdown
from peerreview_tui.export.slides import deck as slides_deck
from peerreview_tui.export.slides_pptx import write_slides_pptx
from peerreview_tui.store import Store, week
from tests.small_review import COUNCIL, LONG_AREA, TITLE, load_small_review, small_schedule

LEAD = TeamMember("Gareth Pennock", "Review lead", "Lakemoor Council", True)
TEAM = (
    LEAD,
    TeamMember("Sunita Bhatt", "Officer peer", "Fenwold Council", False),
    TeamMember("Owen Carrick", "Health peer", "Fenwold NHS Trust", False),
)
METHOD = MethodCounts(
    people_met=144,
    interviews=13,
    focus_groups=12,
    case_file_audits=7,
    case_files=38,
    uncounted_audits=0,
    site_visits=2,
    observations=3,
    meetings=4,
    other_sessions=1,
    sessions_held=42,
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
        date=dt.date(2024, 3, 18),
        council=COUNCIL,
        review_title=TITLE,
        start=dt.date(2024, 3, 4),
        end=dt.date(2024, 3, 6),
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


def write(content: LetterContent, tmp_path: Path, template: Path | None = None):
    path = tmp_path / "feedback.pptx"
    write_slides_pptx(content, path, template)
    return Presentation(str(path))


def titles(deck) -> list[str]:
    return [slide.shapes.title.text_frame.text for slide in deck.slides]


def kind(shape) -> str:
    found = shape._element.xpath("./p:nvSpPr/p:nvPr/p:ph/@type")
    return found[0] if found else "obj"


def body_boxes(slide):
    """The boxes the slide's lists are in: body placeholders, and text boxes that are not the
    footer."""
    return [
        shape
        for shape in slide.shapes
        if (
            kind(shape) in ("body", "obj")
            if shape.is_placeholder
            else shape.shape_type == MSO_SHAPE_TYPE.TEXT_BOX and shape.top < Inches(6.5)
        )
    ]


def paragraphs(slide):
    """Every body paragraph on a slide (not the title), with whether it shows a bullet."""
    for shape in body_boxes(slide):
        for paragraph in shape.text_frame.paragraphs:
            properties = paragraph._p.pPr
            yield paragraph, properties is None or properties.find(qn("a:buNone")) is None


def bullets(slide) -> list[str]:
    return [paragraph.text for paragraph, bulleted in paragraphs(slide) if bulleted]


def headings(slide) -> list[str]:
    return [
        paragraph.text
        for paragraph, bulleted in paragraphs(slide)
        if not bulleted and paragraph.runs[0].font.bold
    ]


def most_bullets_in_a_box(deck) -> int:
    """Two lists side by side: the limit is on each list."""
    return max(
        sum(1 for p in box.text_frame.paragraphs if p._p.pPr is None or p._p.pPr.find(qn("a:buNone")) is None)
        for slide in deck.slides
        for box in body_boxes(slide)
    )


def slide_titled(deck, title: str):
    return next(slide for slide in deck.slides if slide.shapes.title.text_frame.text == title)


def all_text(slide) -> str:
    return "\n".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)


def footer(slide) -> tuple[str, str]:
    """(the footer's text, the slide number field's type and text) of a slide."""
    text = next((s.text_frame.text for s in slide.placeholders if kind(s) == "ftr"), "")
    fields = slide._element.xpath(".//a:fld")
    number = f"{fields[0].get('type')} {fields[0].xpath('string(./a:t)')}" if fields else ""
    return text, number


def test_the_slides_come_in_the_order_of_the_feedback(tmp_path: Path) -> None:
    deck = write(make_content(), tmp_path)
    assert titles(deck) == [
        TITLE,
        "Scope and method",
        "Key messages",
        "Quality of practice",  # strengths and areas for development side by side
        "Partnership work",  # no areas for development: one list
        "Recommendations",
        "Next steps",
        "Thank you",
    ]
    assert headings(slide_titled(deck, "Quality of practice")) == ["Strengths", "Areas for development"]
    assert headings(slide_titled(deck, "Partnership work")) == ["Strengths"]


def test_the_title_slide_is_the_reviews_own(tmp_path: Path) -> None:
    opening = write(make_content(), tmp_path).slides[0]
    assert opening.shapes.title.text_frame.text == TITLE
    lines = [
        p.text for s in opening.placeholders if s.placeholder_format.idx == 1 for p in s.text_frame.paragraphs
    ]
    assert lines == [COUNCIL, "4 to 6 March 2024", "Review lead: Gareth Pennock, Lakemoor Council"]


def test_a_16_9_deck_readable_from_the_back_of_the_room(tmp_path: Path) -> None:
    deck = write(make_content(), tmp_path)
    assert (deck.slide_width, deck.slide_height) == (Inches(13.333), Inches(7.5))
    for slide in deck.slides:
        for run in (r for p in slide.shapes.title.text_frame.paragraphs for r in p.runs):
            assert run.font.size >= Pt(24)
        for paragraph, _ in paragraphs(slide):
            for run in paragraph.runs:
                assert run.font.size >= Pt(20)
        for shape in slide.shapes:  # every box on the slide
            assert shape.left >= 0 and shape.top >= 0
            assert shape.left + shape.width <= deck.slide_width
            assert shape.top + shape.height <= deck.slide_height


def test_every_slide_carries_the_marking_and_all_but_the_first_its_number(tmp_path: Path) -> None:
    content = dataclasses.replace(make_content(), marking="OFFICIAL-SENSITIVE")
    deck = write(content, tmp_path)
    feet = [footer(slide) for slide in deck.slides]
    assert feet[0] == ("OFFICIAL-SENSITIVE", "")
    assert feet[1:] == [("OFFICIAL-SENSITIVE", f"slidenum {n}") for n in range(2, len(feet) + 1)]


def test_a_draft_deck_says_so_at_the_foot_of_every_slide(tmp_path: Path) -> None:
    deck = write(make_content(drafts=True, include_drafts=True), tmp_path)
    assert {footer(slide)[0] for slide in deck.slides} == {"DRAFT · Private and confidential"}
    agreed = write(make_content(drafts=True), tmp_path)
    assert {footer(slide)[0] for slide in agreed.slides} == {"Private and confidential"}


def test_the_method_counts_every_kind_of_session(tmp_path: Path) -> None:
    slide = slide_titled(write(make_content(), tmp_path), "Scope and method")
    assert headings(slide) == ["Focus areas", "Method"]
    assert bullets(slide) == [
        "Quality of practice",
        "Partnership work",
        "42 sessions with 144 people",
        "13 interviews, 12 focus groups, 4 meetings and 1 other session",
        "38 case files audited",
        "2 site visits and 3 observations of practice",
        "2 documents and 11 performance indicators read",
        "86 questionnaire responses",
    ]
    notes = slide.notes_slide.notes_text_frame.text
    assert "7 case file audit sessions, 2 site visits, 3 observations of practice" in notes


def test_the_small_reviews_method_slide_drops_no_session(tmp_path: Path) -> None:
    with load_small_review(tmp_path / "small.db") as store:
        content = build_content(store)
    counts = content.method
    kinds = (
        counts.interviews,
        counts.focus_groups,
        counts.case_file_audits,
        counts.site_visits,
        counts.observations,
        counts.meetings,
        counts.other_sessions,
    )
    assert sum(kinds) == counts.sessions_held == 8
    deck = write(content, tmp_path)
    method = next(
        s for s in deck.slides if "Method" in headings(s) or s.shapes.title.text_frame.text == "Method"
    )
    shown = bullets(method)
    assert "1 site visit and 1 observation of practice" in shown and "14 case files audited" in shown


def test_next_steps_come_from_the_schedule_or_say_nothing_of_timescales(tmp_path: Path) -> None:
    default = bullets(slide_titled(write(make_content(), tmp_path), "Next steps"))
    assert default == list(NEXT_STEPS)
    assert not any("days" in line or "within" in line for line in default)
    steps = ("A letter by 18 March", "An action plan by the end of April")
    given = write(dataclasses.replace(make_content(), deck_next_steps=steps), tmp_path)
    assert bullets(slide_titled(given, "Next steps")) == list(steps)


def test_the_small_reviews_next_steps_reach_the_deck(tmp_path: Path) -> None:
    schedule = small_schedule(presentation={"next_steps": ["A letter to the council by 18 March"]})
    with load_small_review(tmp_path / "small.db", schedule) as store:
        deck = write(build_content(store), tmp_path)
    assert bullets(slide_titled(deck, "Next steps")) == ["A letter to the council by 18 March"]


def test_a_long_focus_area_title_gets_a_size_that_keeps_it_above_the_list(tmp_path: Path) -> None:
    with load_small_review(tmp_path / "small.db") as store:
        deck = write(build_content(store), tmp_path)
    slide = next(s for s in deck.slides if s.shapes.title.text_frame.text.startswith(LONG_AREA[:40]))
    title = slide.shapes.title
    size = title.text_frame.paragraphs[0].runs[0].font.size.pt
    assert size in TITLE_PT and size < TITLE_PT[0]
    assert _lines(title.text_frame.text, title.width / 914400 - 0.2, size, bold=True) <= 2
    assert 2 * size * 1.2 / 72 <= title.height / 914400  # two lines fit in the title box
    assert all(title.top + title.height <= box.top for box in body_boxes(slide))


def test_fit_title_prefers_one_line_then_two_then_cuts_at_a_word() -> None:
    assert fit_title("Next steps", "", BUILT_IN.title) == ("Next steps", TITLE_PT[0])
    medium = "Impact of early intervention and service re-modelling"
    assert fit_title(medium, "", BUILT_IN.title)[1] > TITLE_PT[-1]  # two large lines, not one small
    long_title, size = fit_title(LONG_AREA, "", BUILT_IN.title)
    assert long_title == LONG_AREA and size in TITLE_PT
    very_long = "A focus area title that goes on and on " * 6
    cut, size = fit_title(very_long, " (continued)", BUILT_IN.title)
    assert cut.endswith("… (continued)") and size == TITLE_PT[-1]
    assert very_long.startswith(cut.removesuffix("… (continued)"))


def test_eight_strengths_go_on_a_continued_slide_six_bullets_at_most(tmp_path: Path) -> None:
    deck = write(make_content(strengths=8), tmp_path)
    assert titles(deck)[3:6] == [
        "Quality of practice",
        "Quality of practice (continued)",
        "Quality of practice",  # then its areas for development, under their heading
    ]
    assert [headings(slide) for slide in list(deck.slides)[3:6]] == [
        ["Strengths"],
        ["Strengths"],
        ["Areas for development"],
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
    deck = write(dataclasses.replace(content, areas=(area,)), tmp_path)
    slides = [s for s in deck.slides if s.shapes.title.text_frame.text.startswith("Quality of practice")]
    assert len(slides) >= 2
    assert sum(len(bullets(slide)) for slide in slides) == 6


def test_a_title_over_110_characters_is_cut_at_a_word(tmp_path: Path) -> None:
    title = "Thresholds are understood and applied consistently by partners " * 3
    long = LetterFinding("long", title, "Body.", False, ())
    deck = write(dataclasses.replace(make_content(), key_messages=(long,)), tmp_path)
    [shown] = bullets(slide_titled(deck, "Key messages"))
    assert len(shown) <= 110 and shown.endswith("…")
    assert title.startswith(shown[:-1])
    assert shown[:-1] == shown[:-1].rstrip()  # cut between words, not inside one
    assert title[len(shown) - 1] == " "


def test_bullets_are_title_lines_and_bodies_are_in_the_speaker_notes(tmp_path: Path) -> None:
    deck = write(make_content(), tmp_path)
    practice = slide_titled(deck, "Quality of practice")
    assert bullets(practice) == ["Finding 10 title line", "Finding 11 title line", "Finding 30 title line"]
    for slide in deck.slides:
        assert "Body of finding" not in all_text(slide)
    notes = practice.notes_slide.notes_text_frame.text
    assert notes.startswith("Strengths:\n")
    assert (
        "Body of finding 10" in notes
        and "Areas for development:\n\nFinding 30 title line\nBody of finding 30" in notes
    )


def test_each_slide_has_its_own_speaker_notes_page(tmp_path: Path) -> None:
    content = make_content()
    deck = write(content, tmp_path)
    planned = list(slides_deck(content, BUILT_IN))
    assert len(planned) == len(deck.slides)
    pages = set()
    for made, plan in zip(deck.slides, planned, strict=True):
        if plan.notes:
            assert made.notes_slide.notes_text_frame.text == plan.notes
            assert made.notes_slide.part.partname not in pages
            pages.add(made.notes_slide.part.partname)
    assert len(pages) > 3


def test_drafts_are_marked_when_included_and_left_out_otherwise(tmp_path: Path) -> None:
    with_drafts = write(make_content(drafts=True, include_drafts=True), tmp_path)
    practice = slide_titled(with_drafts, "Quality of practice")
    assert bullets(practice)[-1] == "[DRAFT] Finding 30 title line"
    assert "includes findings not yet agreed" in all_text(with_drafts.slides[0])

    agreed_only = write(make_content(drafts=True, include_drafts=False), tmp_path)
    assert headings(slide_titled(agreed_only, "Quality of practice")) == ["Strengths"]
    assert all("[DRAFT]" not in all_text(slide) for slide in agreed_only.slides)
    assert "not yet agreed" not in all_text(agreed_only.slides[0])


def test_a_chosen_quote_is_an_italic_line_under_its_finding_and_says_nothing_of_who(tmp_path: Path) -> None:
    deck = write(make_content(quotes=("We rewrite the plans we inherit",)), tmp_path)
    shown = [(p, bulleted) for p, bulleted in paragraphs(slide_titled(deck, "Quality of practice"))]
    texts = [paragraph.text for paragraph, _ in shown]
    assert texts[:4] == [
        "Strengths",
        "Finding 10 title line",
        "“We rewrite the plans we inherit”",
        "Finding 11 title line",
    ]
    quote, bulleted = shown[2]
    assert not bulleted and all(run.font.italic for run in quote.runs)
    everything = "\n".join(
        all_text(slide) for slide in list(deck.slides)[1:-1]
    )  # team on first and last only
    for member in TEAM[1:]:
        assert member.name not in everything


def test_the_closing_slide_names_the_team_with_their_roles(tmp_path: Path) -> None:
    closing = write(make_content(), tmp_path).slides[-1]
    assert bullets(closing) == [
        "Gareth Pennock, Review lead, Lakemoor Council",
        "Sunita Bhatt, Officer peer, Fenwold Council",
        "Owen Carrick, Health peer, Fenwold NHS Trust",
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
    assert [line[2:] for line in text.splitlines() if line.startswith("# ")] == titles(deck)
    assert text.count("\n---\n") == len(deck.slides) - 1
    assert "- Finding 10 title line\n  *“We rewrite the plans we inherit”*" in text
    assert "- 42 sessions with 144 people" in text
    assert f"# {TITLE}\n\n{COUNCIL}  \n" in text and "*Private and confidential*" in text
    # The bodies are there for the presenter, as notes a Markdown viewer hides.
    body = "Body of finding 10: the evidence behind it, in sentences for the presenter."
    assert body in text and text.index("<!--") < text.index(body)


# --- A template ------------------------------------------------------------------------------


def make_template(path: Path, *, slides: int = 1) -> Path:
    """A 4:3 template (python-pptx's own) with slides of its own."""
    made = Presentation()
    box = made.slides.add_slide(made.slide_layouts[6]).shapes.add_textbox(
        Inches(1), Inches(1), Inches(4), Inches(1)
    )
    box.text_frame.text = "Template's own example slide"
    for _ in range(slides - 1):
        made.slides.add_slide(made.slide_layouts[1])
    made.save(str(path))
    return path


def test_a_template_keeps_its_size_and_layouts_and_loses_its_own_slides(tmp_path: Path) -> None:
    template = make_template(tmp_path / "ours.pptx", slides=2)
    deck = write(make_content(), tmp_path, template)
    assert (deck.slide_width, deck.slide_height) == (Inches(10), Inches(7.5))  # the template's 4:3
    # narrower slides: the scope and the method no longer fit side by side
    assert titles(deck)[:4] == [TITLE, "Scope", "Method", "Key messages"]
    assert all("Template's own example slide" not in all_text(slide) for slide in deck.slides)
    layouts = {slide.shapes.title.text_frame.text: slide.slide_layout.name for slide in deck.slides}
    assert layouts[TITLE] == "Title Slide"
    assert layouts["Key messages"] == "Title and Content"
    assert layouts["Quality of practice"] == "Two Content"
    for slide in deck.slides:  # nothing outside the template's slide
        for shape in slide.shapes:
            assert (
                shape.left + shape.width <= deck.slide_width and shape.top + shape.height <= deck.slide_height
            )
    feet = [footer(slide) for slide in deck.slides]
    assert feet[1] == ("Private and confidential", "slidenum 2")


def test_a_potx_template_is_read_as_the_deck_it_makes(tmp_path: Path) -> None:
    import zipfile

    template = make_template(tmp_path / "ours.pptx")
    with zipfile.ZipFile(template) as package:
        parts = {name: package.read(name) for name in package.namelist()}
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"presentationml.presentation.main+xml", b"presentationml.template.main+xml"
    )
    potx = tmp_path / "ours.potx"
    with zipfile.ZipFile(potx, "w") as package:
        for name, blob in parts.items():
            package.writestr(name, blob)
    assert titles(write(make_content(), tmp_path, potx))[0] == TITLE


def test_a_file_that_is_no_template_is_refused_with_a_reason(tmp_path: Path) -> None:
    bad = tmp_path / "deck.pptx"
    bad.write_text("not a zip")
    with pytest.raises(TemplateError, match="is not a PowerPoint presentation or template"):
        write(make_content(), tmp_path, bad)
    assert not (tmp_path / "feedback.pptx").exists()


# --- The demo -------------------------------------------------------------------------------


def test_the_demo_deck(demo: Store, tmp_path: Path) -> None:
    deck = write(build_content(demo, include_drafts=True), tmp_path)
    areas = [area.title for area in week.focus_areas(demo)]
    assert titles(deck) == [
        "Children's safeguarding peer review",
        "Scope and method",
        "Key messages",
        *areas,
        "Recommendations",
        "Next steps",
        "Thank you",
    ]
    assert most_bullets_in_a_box(deck) <= 6
    # Nobody the team met is named anywhere in the deck, notes included.
    text = "\n".join(all_text(slide) + slide.notes_slide.notes_text_frame.text for slide in deck.slides)
    names = {p.name for s in week.sessions(demo) for p in s.participants if p.name}
    assert names and not [name for name in names if name in text]


def test_the_demo_deck_without_drafts_has_only_agreed_findings(demo: Store, tmp_path: Path) -> None:
    content = build_content(demo, include_drafts=False)
    deck = write(content, tmp_path)
    assert all("[DRAFT]" not in all_text(slide) for slide in deck.slides)
    areas = {area.title for area in content.areas}
    shown = [
        text
        for slide in deck.slides
        if slide.shapes.title.text_frame.text in areas
        for text in bullets(slide)
    ]
    agreed = [f.title for area in content.areas for f in (*area.strengths, *area.developments)]
    assert shown == agreed


def test_the_markdown_deck_does_not_load_python_pptx() -> None:
    code = (
        "import sys; from peerreview_tui.export import slides; "
        "print('pptx' in sys.modules, 'textual' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
