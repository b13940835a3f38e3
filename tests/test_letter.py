"""The feedback letter read back as its reader gets it: Word (python-docx), Markdown and PDF."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document

from peerreview_tui.export.content import build_content, content_texts
from peerreview_tui.export.letter_docx import write_letter_docx
from peerreview_tui.export.letter_markdown import letter_markdown
from peerreview_tui.models import EvidenceKind, FindingSection, FindingStatus
from peerreview_tui.store import Store, findings, week
from peerreview_tui.store.evidence_items import list_evidence

DAY = dt.date(2012, 9, 21)
NUMBER_WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def letter(store: Store, tmp_path: Path, *, drafts: bool = False, template: Path | None = None):
    path = tmp_path / ("drafts.docx" if drafts else "letter.docx")
    write_letter_docx(build_content(store, include_drafts=drafts, today=DAY), path, template)
    return Document(str(path))


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
        "21 September 2012",
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
    assert f"met {people} people in {len(sessions)} sessions" in text
    assert spoken(kinds.count("interview"), "interview") in text
    assert spoken(kinds.count("focus_group"), "focus group") in text
    assert f"audited case files in {spoken(kinds.count('case_file_audit'), 'session')}" in text
    assert f"read {spoken(documents, 'document')}" in text
    assert f"questionnaire with {responses} responses" in text
    assert "nothing in it is attributed to any individual" in text


def test_numbered_lists_restart_at_one_in_each_section(demo: Store, tmp_path: Path) -> None:
    document = letter(demo, tmp_path, drafts=True)
    numbering = document.part.numbering_part.element
    lists: dict[str, list[str]] = {}
    heading = ""
    for paragraph in document.paragraphs:
        if paragraph.style.name.startswith("Heading"):
            heading = paragraph.text
        elif (num_id := numbered(paragraph)) and paragraph.style.name == "List Number":
            lists.setdefault(heading, []).append(num_id)
    scope, strengths = lists["Scope of the review"], lists["Strengths"]
    assert len(set(scope)) == 1 and len(scope) == 4
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
    document = letter(demo, tmp_path)
    said = next(p for p in document.paragraphs if "My supervisor asks" in p.text)
    assert said.text == "“My supervisor asks what the child would say about my plan”"
    assert said.style.name == "Quote" and all(run.italic for run in said.runs)
    assert said.paragraph_format.left_indent > 0
    before = document.paragraphs[[p.text for p in document.paragraphs].index(said.text) - 1]
    assert before.text.startswith(finding.title)


def test_a_letterhead_without_list_number_keeps_its_header(demo: Store, tmp_path: Path) -> None:
    template = tmp_path / "letterhead.docx"
    made = Document()
    made.sections[0].header.paragraphs[0].text = "Westmere County Council letterhead"
    made.add_paragraph("Template body to be replaced")
    styles = made.styles.element
    styles.remove(made.styles["List Number"].element)
    made.save(str(template))
    document = letter(demo, tmp_path, template=template)
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
    assert text.startswith("> **[DRAFT] This version")
    assert "Sarah Whitcombe  \nChief Executive  \n" in text
    for heading in ("## Scope of the review", "## Key messages", "## Partnership work", "### Strengths"):
        assert f"\n{heading}\n" in text
    assert text.count("\n1. ") >= 6  # every list starts again at 1
    assert "1. **[DRAFT] Committed leadership" in text
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


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_renders_the_letter(demo: Store, tmp_path: Path) -> None:
    letter(demo, tmp_path, drafts=True)
    subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(tmp_path / "drafts.docx"),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = tmp_path / "drafts.pdf"
    assert pdf.stat().st_size > 10_000
    if shutil.which("pdftotext") is None:
        return
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    pages = text.count("\f")
    assert f"Page 1 of {pages}" in " ".join(text.split())
    for wanted in ("Dear Ms Whitcombe", "Scope of the review", "Yours sincerely", "Helen Marchbank"):
        assert wanted in text
    for name in ("Mark Ellerby", "Janet Pryce", "Geoffrey Lambourne", "Ruth Calloway"):
        assert name not in text


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
    path = tmp_path / "letter.docx"
    exported = export_document(demo, "letter", "docx", path)
    said = [p.text for p in Document(str(path)).paragraphs if "We hear" in p.text]
    assert said == ["“We hear back[0m within a day now”"]
    assert any("control character" in warning and "(quote)" in warning for warning in exported.warnings)
    assert pasted in notes.get_note(demo, "mon-1330-lscb", "lead").body  # kept as typed
    markdown = tmp_path / "letter.md"
    export_document(demo, "letter", "md", markdown)
    assert "We hear back[0m within a day now" in markdown.read_text()
