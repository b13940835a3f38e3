"""The feedback letter read back as its reader gets it: Word (python-docx) and Markdown.

The demo week's letter, and a small review written for these tests (another council, see
``small_review``) for each of the letter's settings in the schedule file. LibreOffice renders
are in ``test_render``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from docx import Document

from peerreview_tui.export.content import build_content, content_texts
from peerreview_tui.export.letter_docx import DRAFT_HEADER, write_letter_docx
from peerreview_tui.export.letter_markdown import letter_markdown
from peerreview_tui.models import DEFAULT_MARKING, EvidenceKind, FindingSection, FindingStatus
from peerreview_tui.store import Store, findings, week
from peerreview_tui.store.evidence_items import list_evidence
from tests.small_review import COUNCIL, load_small_review, small_schedule

DAY = dt.date(2012, 9, 21)
SIGNED = "24 September 2012"  # review.letter.date in the example schedule
NUMBER_WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def letter(store: Store, tmp_path: Path, *, drafts: bool = False, template: Path | None = None):
    path = tmp_path / ("drafts.docx" if drafts else "letter.docx")
    write_letter_docx(build_content(store, include_drafts=drafts, today=DAY), path, template)
    return Document(str(path))


@pytest.fixture
def small(tmp_path: Path):
    """The small review with the letter block as the tests' schedule writes it (no date, no
    marking, no numbered paragraphs, no next steps)."""
    with load_small_review(tmp_path / "small.db") as store:
        yield store


def small_with(tmp_path: Path, *, drafts: int = 0, **letter_fields) -> Store:
    """The small review with these fields added to its letter block (the caller closes it)."""
    schedule = small_schedule()
    schedule["review"]["letter"].update(letter_fields)
    return load_small_review(tmp_path / f"small-{len(list(tmp_path.iterdir()))}.db", schedule, drafts=drafts)


def header_lines(document) -> list[str]:
    return [p.text for p in document.sections[0].header.paragraphs if p.text]


def texts(document) -> list[str]:
    return [p.text for p in document.paragraphs]


def numbered(paragraph) -> str | None:
    """The numId a paragraph is numbered with, if any."""
    found = paragraph._p.xpath("./w:pPr/w:numPr/w:numId/@w:val")
    return found[0] if found else None


def spoken(n: int, noun: str) -> str:
    return f"{NUMBER_WORDS[n] if n < 10 else n} {noun}{'' if n == 1 else 's'}"


def test_sections_come_in_the_order_of_a_feedback_letter(demo: Store, tmp_path: Path) -> None:
    lines = texts(letter(demo, tmp_path, drafts=True))
    areas = [area.title for area in week.focus_areas(demo)]
    expected = [
        SIGNED,
        "Sarah Whitcombe",
        "Dear Ms Whitcombe",
        "Children's safeguarding peer review: ",
        "Thank you for inviting us",
        "It is not an inspection",
        "Scope of the review",
        "The review team",
        "How the review was carried out",
        "Key messages",
        *areas,
        "Recommendations",
        "Next steps",
        "Yours sincerely",
        "Helen Marchbank",
    ]
    headings = {
        "Scope of the review",
        "The review team",
        "How the review was carried out",
        "Key messages",
        *areas,
        "Recommendations",
        "Next steps",
    }
    places = [0]
    for wanted in expected:  # each after the one before
        matches = (line == wanted if wanted in headings else wanted in line for line in lines[places[-1] :])
        places.append(places[-1] + next(i for i, match in enumerate(matches) if match))
    assert len(set(places[1:])) == len(expected)
    assert "Chief Executive\nNorthborough Borough Council\nCivic Centre" in lines[places[2]]


def test_headings_use_heading_styles(demo: Store, tmp_path: Path) -> None:
    document = letter(demo, tmp_path, drafts=True)
    styles = {p.text: p.style.name for p in document.paragraphs}
    assert styles["Scope of the review"] == "Heading 1"
    assert styles["Partnership work"] == "Heading 1"
    assert styles["Strengths"] == styles["Areas for development"] == "Heading 2"
    assert any(
        name == "Title" and text.startswith("Children's safeguarding") for text, name in styles.items()
    )


def test_each_focus_area_has_its_agreed_findings_in_the_leads_order(demo: Store, tmp_path: Path) -> None:
    practice = findings.list_findings(demo, focus_area="practice", section=FindingSection.STRENGTH)
    for view in practice:  # agree them all, then put the last first
        if view.finding.status is FindingStatus.DRAFT:
            findings.agree_finding(demo, view.finding.id, "lead")
    findings.move_finding(demo, practice[-1].finding.id, -len(practice), "lead")
    found: dict[tuple[str, str], list[str]] = {}
    area = sub = ""
    for paragraph in letter(demo, tmp_path).paragraphs:
        if paragraph.style.name == "Heading 1":
            area, sub = paragraph.text, ""
        elif paragraph.style.name == "Heading 2":
            sub = paragraph.text
        elif sub and numbered(paragraph):
            found.setdefault((area, sub), []).append(paragraph.text)
    titles = {area.id: area.title for area in week.focus_areas(demo)}
    heading = {FindingSection.STRENGTH: "Strengths", FindingSection.DEVELOPMENT: "Areas for development"}
    expected: dict[tuple[str, str], list[str]] = {}
    for view in findings.list_findings(demo, status=FindingStatus.AGREED):
        f = view.finding
        if f.section in heading:
            expected.setdefault((titles[f.focus_area_id], heading[f.section]), []).append(f.title)
    assert {key: [text.split(".")[0] for text in value] for key, value in found.items()} == expected
    assert found[(titles["practice"], "Strengths")][0].startswith(practice[-1].finding.title)


def test_method_counts_match_the_store(demo: Store, tmp_path: Path) -> None:
    with demo.read() as db:
        team = {row["id"] for row in db.query("SELECT id FROM reviewers WHERE retired = 0")}
        sessions = [
            row
            for row in db.query("SELECT * FROM sessions WHERE status != 'cancelled'")
            if row["kind"] != "presentation"
            and not (
                row["kind"] == "meeting"
                and set(json.loads(row["reviewers"])) >= team
                and json.loads(row["participants"]) == []
            )
        ]
        people, names = 0, set()
        for row in sessions:
            for p in json.loads(row["participants"]):
                if p.get("name") and p["name"] in names:
                    continue
                names.add(p.get("name"))
                people += p["count"]
        documents = db.execute("SELECT count(*) FROM evidence WHERE source_kind = 'document'").fetchone()[0]
    kinds = [row["kind"] for row in sessions]
    responses = max(view.item.data["n"] for view in list_evidence(demo, source_kind="questionnaire"))
    text = " ".join(texts(letter(demo, tmp_path)))
    cases = sum(row["cases"] or 0 for row in sessions if row["kind"] == "case_file_audit")
    assert f"met {people} people in {len(sessions)} sessions" in text
    assert spoken(kinds.count("interview"), "interview") in text
    assert spoken(kinds.count("focus_group"), "focus group") in text
    assert spoken(kinds.count("site_visit"), "site visit") in text
    assert f"and audited {cases} case files." in text
    assert f"read {spoken(documents, 'document')}" in text
    assert f"questionnaire with {responses} responses" in text
    assert "nothing in it is attributed to any individual" in text


def test_numbered_lists_restart_at_one_in_each_section(small: Store, tmp_path: Path) -> None:
    document = letter(small, tmp_path)
    numbering = document.part.numbering_part.element
    lists: dict[str, list[str]] = {}
    heading = ""
    for paragraph in document.paragraphs:
        if paragraph.style.name.startswith("Heading"):
            heading = paragraph.text
        elif (num_id := numbered(paragraph)) and paragraph.style.name == "List Number":
            lists.setdefault(heading, []).append(num_id)
    scope, strengths = lists["Scope of the review"], lists["Strengths"]
    assert len(set(scope)) == 1 and len(scope) == 3
    assert scope[0] != strengths[0]
    list_number = document.styles["List Number"].element.pPr.numPr.numId.val
    abstract = numbering.num_having_numId(list_number).abstractNumId.val
    for num_id in {scope[0], strengths[0]}:
        num = numbering.num_having_numId(int(num_id))
        assert num.abstractNumId.val == abstract
        assert num.xpath("./w:lvlOverride[@w:ilvl='0']/w:startOverride/@w:val") == ["1"]
    all_ids = [num_id for ids in lists.values() for num_id in set(ids)]
    assert len(all_ids) == len(set(all_ids))  # no two sections share a list


def test_footer_says_page_x_of_y_with_fields(demo: Store, tmp_path: Path) -> None:
    footer = letter(demo, tmp_path).sections[0].footer
    instructions = [t.strip() for t in footer._element.xpath(".//w:instrText/text()")]
    assert instructions == ["PAGE", "NUMPAGES"]
    assert footer.paragraphs[0].text.startswith("Page ")


def test_core_properties_and_a4(demo: Store, tmp_path: Path) -> None:
    document = letter(demo, tmp_path)
    assert (
        document.core_properties.title
        == "Northborough Borough Council: children's safeguarding peer review feedback"
    )
    assert document.core_properties.author == "Helen Marchbank"
    assert round(document.sections[0].page_width.cm, 1) == 21.0


def test_drafts_are_left_out_by_default_and_marked_when_included(demo: Store, tmp_path: Path) -> None:
    draft = findings.list_findings(demo, status=FindingStatus.DRAFT)[0].finding
    plain = " ".join(texts(letter(demo, tmp_path)))
    assert draft.title not in plain and "[DRAFT]" not in plain
    lines = texts(letter(demo, tmp_path, drafts=True))
    assert f"[DRAFT] {draft.title}" in " ".join(lines)
    assert lines[0].startswith("[DRAFT] This version includes findings")


def test_chosen_quotes_are_indented_italic_and_unattributed(demo: Store, tmp_path: Path) -> None:
    finding = findings.list_findings(demo, status=FindingStatus.AGREED)[0].finding
    quote = next(
        v.item for v in list_evidence(demo, kinds=[EvidenceKind.QUOTE]) if "supervisor" in v.item.text
    )
    findings.attach_evidence(demo, finding.id, [quote.id], "lead")
    unchosen = " ".join(texts(letter(demo, tmp_path)))
    assert "My supervisor asks" not in unchosen
    findings.choose_quote(demo, finding.id, quote.id, True, "lead")
    findings.agree_finding(demo, finding.id, "lead")  # choosing a quote returns it to draft
    document = letter(demo, tmp_path)
    said = next(p for p in document.paragraphs if "My supervisor asks" in p.text)
    assert said.text == "“My supervisor asks what the child would say about my plan”"
    assert said.style.name == "Quote" and all(run.italic for run in said.runs)
    assert said.paragraph_format.left_indent > 0
    before = document.paragraphs[[p.text for p in document.paragraphs].index(said.text) - 1]
    assert before.text.startswith(finding.title)


def test_a_letterhead_without_list_number_keeps_its_header(small: Store, tmp_path: Path) -> None:
    template = tmp_path / "letterhead.docx"
    made = Document()
    made.sections[0].header.paragraphs[0].text = "Westmere County Council letterhead"
    made.add_paragraph("Template body to be replaced")
    styles = made.styles.element
    styles.remove(made.styles["List Number"].element)
    made.save(str(template))
    document = letter(small, tmp_path, template=template)
    assert document.sections[0].header.paragraphs[0].text == "Westmere County Council letterhead"
    assert "Template body to be replaced" not in texts(document)
    lists = {numbered(p) for p in document.paragraphs if p.style.name == "List Number"}
    assert len(lists) >= 3  # scope and each section with findings, each its own list


def test_a_template_with_no_numbering_or_heading_styles_still_works(demo: Store, tmp_path: Path) -> None:
    template = tmp_path / "bare.dotx"
    made = Document()
    for name in ("List Number", "List Bullet", "Heading 1", "Heading 2", "Quote", "Title"):
        made.styles.element.remove(made.styles[name].element)
    rel = next(r for r in made.part.rels.values() if r.reltype.endswith("/numbering"))
    made.part.drop_rel(rel.rId)
    made.save(str(template))
    _as_dotx(template)
    document = letter(demo, tmp_path, drafts=True, template=template)
    assert document.styles["Heading 1"] is not None
    assert any(numbered(p) for p in document.paragraphs)
    assert "Key messages" in texts(document)


def test_without_a_letter_block_the_salutation_is_neutral(demo: Store, tmp_path: Path) -> None:
    with demo.write() as db:
        db.execute("UPDATE review SET letter = NULL")
    lines = texts(letter(demo, tmp_path))
    assert "Dear Chief Executive" in lines
    assert "The Chief Executive\nNorthborough Borough Council" in lines


def test_the_file_is_private_and_no_temporary_file_is_left(demo: Store, tmp_path: Path) -> None:
    letter(demo, tmp_path)
    assert (tmp_path / "letter.docx").stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("demo.db")) == ["letter.docx"]


def test_markdown_letter(demo: Store, tmp_path: Path) -> None:
    content = build_content(demo, include_drafts=True, today=DAY)
    text = letter_markdown(content)
    assert text.startswith("**Private and confidential**\n\n> **[DRAFT] This version")
    assert "Sarah Whitcombe  \nChief Executive  \n" in text
    for heading in ("## Scope of the review", "## Key messages", "## Partnership work", "### Strengths"):
        assert f"\n{heading}\n" in text
    assert text.count("\n1. ") == 1  # the example numbers its paragraphs through the letter
    assert "\n8. **[DRAFT] Committed leadership" in text
    assert "Yours sincerely\n\nHelen Marchbank  \n" in text
    agreed = letter_markdown(build_content(demo, today=DAY))
    assert "[DRAFT]" not in agreed and "Effectiveness of commissioning" in agreed  # in the scope


def test_markdown_escapes_text_that_would_become_markup(demo: Store) -> None:
    view = findings.list_findings(demo, status=FindingStatus.AGREED)[0]
    findings.update_finding(
        demo, view.finding.id, "lead", body="Uses *stars* and <b>tags</b>\n2012. began it"
    )
    findings.agree_finding(demo, view.finding.id, "lead")
    text = letter_markdown(build_content(demo, today=DAY))
    assert r"Uses \*stars\* and \<b\>tags\</b\> 2012. began it" in text


def test_content_texts_cover_findings_but_not_the_address(demo: Store) -> None:
    content = build_content(demo, include_drafts=True)
    where = [w for w, _ in content_texts(content)]
    assert "Key messages: Committed leadership and a stable, well-supported workforce" in where
    assert any(w.startswith("Partnership work, strengths: ") for w in where)
    assert not any("Whitcombe" in text for _, text in content_texts(content))


def _as_dotx(path: Path) -> None:
    """Make a saved .docx into a Word template, as Word saves one."""
    import zipfile

    data = {}
    with zipfile.ZipFile(path) as package:
        for name in package.namelist():
            data[name] = package.read(name)
    data["[Content_Types].xml"] = data["[Content_Types].xml"].replace(
        b"wordprocessingml.document.main+xml", b"wordprocessingml.template.main+xml"
    )
    with zipfile.ZipFile(path, "w") as package:
        for name, blob in data.items():
            package.writestr(name, blob)


def test_a_control_character_in_a_chosen_quote_is_left_out_of_the_letter_with_a_warning(
    demo: Store, tmp_path: Path
) -> None:
    from peerreview_tui.export.documents import export_document
    from peerreview_tui.store import notes

    finding = findings.list_findings(demo, status=FindingStatus.AGREED)[0].finding
    pasted = "! We hear\x07 back\x1b[0m within a day\x00 now"
    notes.append_to_note(demo, "mon-1330-lscb", "lead", pasted + "\n")
    quote = next(v.item for v in list_evidence(demo, kinds=[EvidenceKind.QUOTE]) if "We hear" in v.item.text)
    findings.attach_evidence(demo, finding.id, [quote.id], "lead")
    findings.choose_quote(demo, finding.id, quote.id, True, "lead")
    findings.agree_finding(demo, finding.id, "lead")  # a new quote returned it to draft
    path = tmp_path / "letter.docx"
    exported = export_document(demo, "letter", "docx", path)
    said = [p.text for p in Document(str(path)).paragraphs if "We hear" in p.text]
    assert said == ["“We hear back[0m within a day now”"]
    assert any("control character" in warning and "(quote)" in warning for warning in exported.warnings)
    assert pasted in notes.get_note(demo, "mon-1330-lscb", "lead").body  # kept as typed
    markdown = tmp_path / "letter.md"
    export_document(demo, "letter", "md", markdown)
    assert "We hear back[0m within a day now" in markdown.read_text()


# --- The letter's settings in the schedule file (review.letter), on the small review ----------


def test_the_letter_is_dated_as_the_schedule_says_unless_a_date_is_given(tmp_path: Path) -> None:
    with small_with(tmp_path, date=dt.date(2024, 3, 18)) as store:
        assert letter_markdown(build_content(store, today=DAY)).count("\n18 March 2024\n") == 1
        given = build_content(store, date=dt.date(2024, 3, 20), today=DAY)
        assert "\n20 March 2024\n" in letter_markdown(given) and "18 March" not in letter_markdown(given)


def test_without_a_date_the_letter_is_dated_the_day_it_is_written(small: Store) -> None:
    today = dt.date.today()
    assert f"\n{today.day} {today:%B %Y}\n" in letter_markdown(build_content(small))


def test_the_marking_is_at_the_top_of_every_page(tmp_path: Path) -> None:
    with small_with(tmp_path, marking="OFFICIAL-SENSITIVE") as store:
        document = letter(store, tmp_path)
        markdown = letter_markdown(build_content(store, today=DAY))
    assert header_lines(document) == ["OFFICIAL-SENSITIVE"]
    assert all(not section.different_first_page_header_footer for section in document.sections)
    assert "OFFICIAL-SENSITIVE" not in " ".join(texts(document))  # in the header, not the body
    assert markdown.startswith("**OFFICIAL-SENSITIVE**\n")


def test_the_marking_is_private_and_confidential_unless_the_schedule_says_otherwise(
    small: Store, tmp_path: Path
) -> None:
    assert DEFAULT_MARKING == "Private and confidential"
    assert header_lines(letter(small, tmp_path)) == [DEFAULT_MARKING]
    with small_with(tmp_path, marking="") as unmarked:
        assert header_lines(letter(unmarked, tmp_path)) == []


def test_a_letterhead_keeps_its_header_and_gets_the_marking_under_it(small: Store, tmp_path: Path) -> None:
    template = tmp_path / "letterhead.docx"
    made = Document()
    section = made.sections[0]
    section.different_first_page_header_footer = True
    section.first_page_header.paragraphs[0].text = "Lakemoor Council: first page letterhead"
    section.header.paragraphs[0].text = "Lakemoor Council"
    made.save(str(template))
    document = letter(small, tmp_path, template=template)
    section = document.sections[0]
    assert [p.text for p in section.first_page_header.paragraphs] == [
        "Lakemoor Council: first page letterhead",
        DEFAULT_MARKING,
    ]
    assert [p.text for p in section.header.paragraphs] == ["Lakemoor Council", DEFAULT_MARKING]


def test_a_draft_says_draft_at_the_top_of_every_page(tmp_path: Path) -> None:
    with small_with(tmp_path, drafts=2) as store:
        draft = letter(store, tmp_path, drafts=True)
        agreed = letter(store, tmp_path)
    assert header_lines(draft) == [DRAFT_HEADER, DEFAULT_MARKING]
    assert texts(draft)[0].startswith("[DRAFT] This version includes findings")
    assert header_lines(agreed) == [DEFAULT_MARKING]


def test_numbered_paragraphs_run_through_the_letter(tmp_path: Path) -> None:
    with small_with(tmp_path, numbered_paragraphs=True) as store:
        document = letter(store, tmp_path)
        markdown = letter_markdown(build_content(store, today=DAY))
    body = [p for p in document.paragraphs if p.style.name == "List Number"]
    assert len({numbered(p) for p in body}) == 1  # one list: the numbers carry on
    numbering = document.part.numbering_part.element
    num = numbering.num_having_numId(int(numbered(body[0])))
    assert num.xpath("./w:lvlOverride/w:startOverride/@w:val") == ["1"]  # restarted once, at the top
    assert body[0].text.startswith("Thank you for inviting us")
    findings_shown = [p.text for p in body if p.runs and p.runs[0].bold]
    assert findings_shown[0].startswith("A confident front door")
    assert body[-1].text.startswith("The team would be pleased")  # next steps are numbered too
    # the focus areas and the team are lists inside a paragraph: bullets, no numbers of their own
    bullets = [p.text for p in document.paragraphs if p.style.name == "List Bullet"]
    assert "Reach and impact of early help" in bullets
    assert "\n1. Thank you for inviting us" in markdown and "\n2. The review was carried out" in markdown
    assert "\n3. The council and the team agreed" in markdown
    assert "\n- Reach and impact of early help\n" in markdown
    numbers = [int(found[1]) for line in markdown.splitlines() if (found := re.match(r"(\d+)\. ", line))]
    assert numbers == list(range(1, len(numbers) + 1))


def test_the_method_counts_case_files_not_audit_sessions(small: Store) -> None:
    text = letter_markdown(build_content(small, today=DAY))
    assert (
        "During the week the team met 30 people in eight sessions, including one interview, one focus "
        "group, one meeting, one site visit, one observation of practice and one other session, and "
        "audited 14 case files."
    ) in text


def test_an_audit_session_without_a_count_makes_it_at_least(tmp_path: Path) -> None:
    schedule = small_schedule()
    del schedule["days"][1]["sessions"][0]["cases"]
    with load_small_review(tmp_path / "some.db", schedule) as store:
        assert "and audited at least six case files." in letter_markdown(build_content(store))
    del schedule["days"][0]["sessions"][2]["cases"]
    with load_small_review(tmp_path / "none.db", schedule) as store:
        assert "and audited case files in two sessions." in letter_markdown(build_content(store))


def test_next_steps_come_from_the_schedule(tmp_path: Path) -> None:
    steps = ["The council will publish this letter on its website.", "We will return in the autumn."]
    with small_with(tmp_path, next_steps=steps) as store:
        text = letter_markdown(build_content(store, today=DAY))
    after = text.split("## Next steps\n\n", 1)[1]
    assert after.startswith(f"{steps[0]}\n\n{steps[1]}\n\nYours sincerely")


def test_the_default_next_steps_claim_no_publication_policy(small: Store) -> None:
    text = letter_markdown(build_content(small, today=DAY))
    steps = text.split("## Next steps\n", 1)[1].split("Yours sincerely")[0]
    assert "discuss the letter" in steps
    for claim in ("publish", "published", "publication", "within"):
        assert claim not in steps.lower()


def test_without_an_addressee_the_letter_goes_to_the_chief_executive_at_the_address(tmp_path: Path) -> None:
    schedule = small_schedule(letter={"address": [COUNCIL, "Town Hall"], "date": dt.date(2024, 3, 18)})
    with load_small_review(tmp_path / "plain.db", schedule) as store:
        text = letter_markdown(build_content(store))
    assert f"The Chief Executive  \n{COUNCIL}  \nTown Hall\n\nDear Chief Executive\n" in text
    assert "\n18 March 2024\n" in text
