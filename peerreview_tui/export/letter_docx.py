"""The feedback letter as a Word document (python-docx), from the outline in ``letter_markdown``.

With a letterhead template its headers, footers, logo and styles are kept and its body is
replaced; a style the letter needs and the template lacks is created. Without one the letter
gets A4 pages, plain heading styles and "Page X of Y" in the footer. The marking ("Private and
confidential") and, for a draft, DRAFT go in the header, so they are on every page.

Every numbered list restarts at 1: python-docx cannot do that itself, so each list gets a
``w:num`` of its own with a ``startOverride``. Numbered paragraphs share one ``w:num`` through
the whole letter instead. Import this module only when writing a letter: it loads python-docx.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, cast

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.exceptions import PackageNotFoundError
from docx.opc.packuri import PackURI
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.parts.numbering import NumberingPart
from docx.shared import Cm, Pt, RGBColor, Twips

from .content import LetterContent, TemplateError, template_as_document, write_privately
from .letter_markdown import DRAFT_MARK, Block, Item, letter_outline
from .text import printable_content

DRAFT_HEADER = "DRAFT: not the letter to send"
PARAGRAPH_INDENT = 567  # twips (1 cm): where numbered paragraphs' text starts
__all__ = ["TemplateError", "write_letter_docx"]

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.oxml.numbering import CT_Numbering
    from docx.styles.style import ParagraphStyle
    from docx.text.paragraph import Paragraph

FONT = "Arial"
DARK = RGBColor(0x1F, 0x2A, 0x44)
RED = RGBColor(0xC0, 0x00, 0x00)
_TEMPLATE_TYPE = b"wordprocessingml.template.main+xml"
_DOCUMENT_TYPE = b"wordprocessingml.document.main+xml"
# The end of w:pPr's schema order, from the properties this module sets: Word refuses a
# document whose properties are out of order.
_P_PR_TAIL = (
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)


def write_letter_docx(content: LetterContent, path: Path, template: Path | None = None) -> None:
    """Write the letter at ``path`` (owner-only, replaced in one step); ``TemplateError`` if the
    letterhead cannot be read. Control characters in the text are left out (Word cannot hold them)."""
    content = printable_content(content)
    document = _open_template(template) if template else _plain_document()
    writer = _Writer(document, numbered_paragraphs=content.numbered_paragraphs)
    for block in letter_outline(content):
        writer.add(block)
    _mark_every_page(document, content.marking, draft=content.has_drafts)
    props = document.core_properties
    what = content.review_title[:1].lower() + content.review_title[1:]
    props.title = f"{content.council}: {what} feedback"
    props.author = props.last_modified_by = content.lead.name if content.lead else "Peer review team"
    props.subject, props.keywords, props.comments = content.review_title, "", ""
    props.created = props.modified = dt.datetime.now().replace(microsecond=0)
    props.revision = 1
    write_privately(path, lambda temp: document.save(str(temp)))


def _open_template(path: Path) -> DocxDocument:
    """The letterhead with its body emptied; a .dotx is read as the document it makes."""
    try:
        data = template_as_document(path.read_bytes(), _TEMPLATE_TYPE, _DOCUMENT_TYPE)
        document = Document(io.BytesIO(data))
    except OSError as error:
        raise TemplateError(f"cannot read the template {path}: {error.strerror}") from None
    except (zipfile.BadZipFile, KeyError, ValueError, PackageNotFoundError):
        raise TemplateError(f"{path} is not a Word document or template (.docx or .dotx)") from None
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):  # the last section keeps the letterhead's headers and footers
            body.remove(child)
    return document


def _plain_document() -> DocxDocument:
    """python-docx's default document made to look like a letter: A4, Arial, sober headings."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin, section.bottom_margin = Cm(2.5), Cm(2.2)
    styles = document.styles
    _font(styles["Normal"], size=11)
    styles["Normal"].paragraph_format.space_after = Pt(8)
    styles["Normal"].paragraph_format.line_spacing = 1.15
    for name, size, before, after in (
        ("Title", 12, 6, 12),
        ("Heading 1", 12, 16, 6),
        ("Heading 2", 11, 10, 4),
    ):
        style = styles[name]
        _font(style, size=size, bold=True, colour=DARK)
        fmt = style.paragraph_format
        fmt.space_before, fmt.space_after = Pt(before), Pt(after)
        p_pr = style.element.get_or_add_pPr()
        for border in p_pr.findall(qn("w:pBdr")):  # the default Title is underlined in blue
            p_pr.remove(border)
    _font(styles["Quote"], size=11, colour=RGBColor(0x40, 0x40, 0x40))
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("Page ")
    _field(footer, "PAGE", "1")
    footer.add_run(" of ")
    _field(footer, "NUMPAGES", "1")
    for run in footer.runs:
        run.font.size = Pt(9)
    return document


class _Writer:
    """Adds the outline's blocks to the document's body."""

    def __init__(self, document: DocxDocument, *, numbered_paragraphs: bool) -> None:
        self.document = document
        self.numbered_paragraphs = numbered_paragraphs
        self.styles: dict[str, ParagraphStyle] = {
            name: _ensure_style(document, name)
            for name in ("Normal", "Title", "Heading 1", "Heading 2", "Quote", "List Number", "List Bullet")
        }
        self.numbering = _numbering(document)
        self.decimal = self._abstract("List Number", "decimal", "%1.")
        self.bullet = self._abstract("List Bullet", "bullet", "•")
        self.indent = _indent(self.numbering, self.decimal)
        self.paragraph_numbers: int | None = None  # the one w:num of the numbered paragraphs
        self.default_style = document.styles.default(WD_STYLE_TYPE.PARAGRAPH)

    def _paragraph(self, style: str | ParagraphStyle, text: str = "") -> Paragraph:
        """A new paragraph in ``style`` (a name of ``styles``, or the style). Its style is set by
        id: python-docx's own setter reads every style of the document to find the default one,
        for every paragraph (half the time of a letter)."""
        style = self.styles[style] if isinstance(style, str) else style
        paragraph = self.document.add_paragraph(text)
        # the default style is written as no pStyle, as python-docx writes it
        paragraph._p.style = None if style == self.default_style else style.style_id
        return paragraph

    def _abstract(self, style: str, fmt: str, text: str) -> int:
        """The list definition the template's style uses, else one made for the letter."""
        found = _style_abstract(self.styles[style], self.numbering)
        return _add_abstract(self.numbering, fmt, text) if found is None else found

    def add(self, block: Block) -> None:
        kind = block.kind
        if kind == "marking":
            return  # in the header of every page instead
        if kind == "numbered":
            self._numbered(block.items, block.continuous)
        elif kind == "bullets":
            num_id = self._new_list(self.bullet)
            for line in block.lines:
                paragraph = self._list_paragraph(self.styles["List Bullet"], num_id)
                paragraph.add_run(line)
                if self.numbered_paragraphs:  # a list inside a numbered paragraph
                    paragraph.paragraph_format.left_indent = Twips(PARAGRAPH_INDENT + 360)
                    paragraph.paragraph_format.first_line_indent = Twips(-360)
        elif kind in ("address", "signature"):
            self._lines(block)
        else:
            style = {"title": "Title", "heading": "Heading 1", "subheading": "Heading 2"}.get(kind, "Normal")
            paragraph = self._paragraph(style)
            run = paragraph.add_run(block.lines[0])
            if kind == "notice":
                run.bold, run.font.color.rgb = True, RED
            if kind == "title":  # a letter's subject line, even where a template's Title is poster-sized
                run.bold, run.font.size = True, Pt(12)
            if kind in ("heading", "subheading"):
                paragraph.paragraph_format.keep_with_next = True

    def _lines(self, block: Block) -> None:
        """Lines that belong together: the address, or the sign-off with room to sign."""
        lines = list(block.lines)
        if block.kind == "signature":
            if previous := self.document.paragraphs[-1:]:  # no sign-off alone on the last page
                previous[0].paragraph_format.keep_with_next = True
            closing = self._paragraph("Normal", lines.pop(0))
            closing.paragraph_format.keep_with_next = True
            closing.paragraph_format.space_after = Pt(40)
        paragraph = self._paragraph("Normal")
        paragraph.paragraph_format.keep_together = True
        for i, line in enumerate(lines):
            run = paragraph.add_run(line)
            run.bold = block.kind == "signature" and i == 0
            if i < len(lines) - 1:
                run.add_break()
        paragraph.paragraph_format.space_after = Pt(16)

    def _numbered(self, items: tuple[Item, ...], continuous: bool) -> None:
        indent = self.indent
        if continuous:
            if self.paragraph_numbers is None:  # room for "12." before the text
                self.paragraph_numbers = self._new_list(
                    _add_abstract(self.numbering, "decimal", "%1.", PARAGRAPH_INDENT)
                )
            num_id, indent = self.paragraph_numbers, PARAGRAPH_INDENT
        else:
            num_id = self._new_list(self.decimal)
        for item in items:
            paragraph = self._list_paragraph(self.styles["List Number"], num_id)
            if item.title or continuous:
                # a finding or a numbered paragraph: the list style's tight spacing would run
                # them together
                _set(paragraph, "w:contextualSpacing", "0")
                paragraph.paragraph_format.space_after = Pt(8)
            if item.title:
                if item.draft:
                    mark = paragraph.add_run(DRAFT_MARK + " ")
                    mark.bold, mark.font.color.rgb = True, RED
                paragraph.add_run(item.title).bold = True
                if item.text:
                    paragraph.add_run(" " + item.text)
            else:
                paragraph.add_run(item.text)
            for more in item.more:
                follow = self._paragraph("Normal", more)
                follow.paragraph_format.left_indent = Twips(indent)
            for quote in item.quotes:
                said = self._paragraph("Quote")
                said.paragraph_format.left_indent = Twips(indent + 425)
                said.paragraph_format.right_indent = Twips(425)
                said.add_run(f"“{quote}”").italic = True

    def _list_paragraph(self, style: ParagraphStyle, num_id: int) -> Paragraph:
        paragraph = self._paragraph(style)
        num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
        num_pr.get_or_add_ilvl().val = 0
        num_pr.get_or_add_numId().val = num_id
        return paragraph

    def _new_list(self, abstract_id: int) -> int:
        """A list numbered from 1 whatever came before it."""
        # python-docx leaves its numbering elements' methods untyped
        num = self.numbering.add_num(abstract_id)  # type: ignore[no-untyped-call]
        num.add_lvlOverride(ilvl=0).add_startOverride(1)
        num_id: int = num.numId
        return num_id


def _mark_every_page(document: DocxDocument, marking: str, *, draft: bool) -> None:
    """The marking, and DRAFT on a draft, at the top of every page: added to each header the
    letter's pages use (a letterhead's first-page and even-page headers too), after its own
    content."""
    if not (marking or draft):
        return
    settings = document.settings
    for section in document.sections:
        headers = [section.header]
        if section.different_first_page_header_footer:
            headers.append(section.first_page_header)
        if settings.odd_and_even_pages_header_footer:
            headers.append(section.even_page_header)
        for header in headers:
            lines = [(DRAFT_HEADER, RED)] if draft else []
            lines += [(marking, DARK)] if marking else []
            for text, colour in lines:
                # a new header's one empty paragraph is used; a letterhead's (a logo, say) is kept
                first = header.paragraphs[0] if len(header.paragraphs) == 1 else None
                empty = first is not None and not first._p.xpath("./w:r | ./w:hyperlink | ./w:fldSimple")
                paragraph = first if first is not None and empty else header.add_paragraph()
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                run = paragraph.add_run(text)
                run.bold, run.font.size, run.font.color.rgb = True, Pt(9), colour


def _ensure_style(document: DocxDocument, name: str) -> ParagraphStyle:
    """The template's style, or a plain one made for the letter when the template lacks it."""
    styles = document.styles
    style: ParagraphStyle
    try:
        style = styles[name]
        return style
    except KeyError:
        pass
    style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    if name != "Normal":
        with contextlib.suppress(KeyError):
            style.base_style = styles["Normal"]
    fmt = style.paragraph_format
    if name == "Title":
        style.font.bold, style.font.size, fmt.space_after = True, Pt(12), Pt(12)
    elif name.startswith("Heading"):
        style.font.bold, fmt.keep_with_next = True, True
        style.font.size = Pt(12 if name == "Heading 1" else 11)
        fmt.space_before, fmt.space_after = Pt(12), Pt(4)
        _set(style, "w:outlineLvl", "0" if name == "Heading 1" else "1")
    elif name == "Quote":
        style.font.italic = True
    return style


def _numbering(document: DocxDocument) -> CT_Numbering:
    """The numbering definitions, made if the document has none (python-docx cannot)."""
    part = document.part
    try:
        # python-docx types the related part as a plain Part; it casts the same way itself
        numbering = cast(NumberingPart, part.part_related_by(RT.NUMBERING))
    except KeyError:
        element = parse_xml(f"<w:numbering {nsdecls('w')}/>")
        numbering = NumberingPart(PackURI("/word/numbering.xml"), CT.WML_NUMBERING, element, part.package)
        part.relate_to(numbering, RT.NUMBERING)
    numbering_element: CT_Numbering = numbering.element
    return numbering_element


def _style_abstract(style: ParagraphStyle, numbering: CT_Numbering) -> int | None:
    """The abstract list definition the style numbers its paragraphs with, if any."""
    num_pr = style.element.pPr.numPr if style.element.pPr is not None else None
    if num_pr is None or num_pr.numId is None:
        return None
    try:
        # python-docx leaves this lookup untyped
        num = numbering.num_having_numId(num_pr.numId.val)  # type: ignore[no-untyped-call]
        abstract_id: int = num.abstractNumId.val
    except KeyError:
        return None
    found = numbering.xpath(f'./w:abstractNum[@w:abstractNumId="{abstract_id}"]')
    return abstract_id if found else None


def _add_abstract(numbering: CT_Numbering, fmt: str, text: str, indent: int = 425) -> int:
    """A one-level list definition; ``indent`` (twips) is where the text starts."""
    ids = [int(value) for value in numbering.xpath("./w:abstractNum/@w:abstractNumId")]
    abstract_id = max(ids, default=-1) + 1
    abstract = parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
        '<w:multiLevelType w:val="singleLevel"/><w:lvl w:ilvl="0"><w:start w:val="1"/>'
        f'<w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
        f'<w:pPr><w:ind w:left="{indent}" w:hanging="{indent}"/></w:pPr></w:lvl></w:abstractNum>'
    )
    first_num = numbering.find(qn("w:num"))  # every abstractNum comes before the nums
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    return abstract_id


def _indent(numbering: CT_Numbering, abstract_id: int) -> int:
    """Where the text of a list item starts, in twips, so follow-on paragraphs line up."""
    found = numbering.xpath(
        f'./w:abstractNum[@w:abstractNumId="{abstract_id}"]/w:lvl[@w:ilvl="0"]/w:pPr/w:ind'
    )
    value = found[0].get(qn("w:left")) or found[0].get(qn("w:start")) if found else None
    return int(value) if value and value.isdigit() else 425


def _field(paragraph: Paragraph, instruction: str, shown: str) -> None:
    """A Word field (PAGE, NUMPAGES) that the reader's program fills in; ``shown`` until then."""
    _field_char(paragraph, "begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    paragraph.add_run()._r.append(instr)
    _field_char(paragraph, "separate")
    paragraph.add_run(shown)
    _field_char(paragraph, "end")


def _field_char(paragraph: Paragraph, kind: str) -> None:
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    paragraph.add_run()._r.append(char)


def _font(
    style: ParagraphStyle, *, size: float, bold: bool | None = None, colour: RGBColor | None = None
) -> None:
    font = style.font
    font.name, font.size = FONT, Pt(size)
    if bold is not None:
        font.bold = bold
    if colour is not None:
        font.color.rgb = colour
    fonts = style.element.rPr.find(qn("w:rFonts"))
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):  # the theme would win
        fonts.attrib.pop(qn(attr), None)


def _set(owner: Paragraph | ParagraphStyle, tag: str, value: str) -> None:
    """A property with a w:val in a paragraph's or a style's pPr, in its schema place."""
    p_pr = owner._p.get_or_add_pPr() if hasattr(owner, "_p") else owner.element.get_or_add_pPr()
    for old in p_pr.findall(qn(tag)):
        p_pr.remove(old)
    child = OxmlElement(tag)
    child.set(qn("w:val"), value)
    p_pr.insert_element_before(child, *_P_PR_TAIL[_P_PR_TAIL.index(tag) + 1 :])
