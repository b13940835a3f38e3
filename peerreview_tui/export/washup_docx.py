"""The wash-up sheet as a Word page (python-docx): A4 landscape, small type, one table per
section, so a day's sheet fits a page or two. Import only when writing one: it loads python-docx."""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.shared import Cm, Length, Pt, RGBColor

from .text import printable
from .washup_outline import Sheet, Table

FONT = "Arial"
DARK = RGBColor(0x1F, 0x2A, 0x44)
MARKING = "Confidential: for the review team"
TEXT_WIDTH_CM = 27.1  # A4 landscape less the margins
WIDEST = 70  # characters: a longer cell wraps rather than take more of the page


def write_sheet_docx(sheet: Sheet, path: Path) -> None:
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.3))
    section.header.paragraphs[0].text = MARKING
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(8.5)
    normal.paragraph_format.space_after = Pt(1)
    title = document.add_paragraph()
    run = title.add_run(printable(sheet.title))
    run.bold, run.font.size, run.font.color.rgb = True, Pt(14), DARK
    document.add_paragraph(printable(sheet.subtitle)).runs[0].italic = True
    for part in sheet.sections:
        heading = document.add_paragraph()
        heading.paragraph_format.space_before = Pt(6)
        run = heading.add_run(part.heading)
        run.bold, run.font.size, run.font.color.rgb = True, Pt(10.5), DARK
        if part.table:
            table = document.add_table(rows=1, cols=len(part.table.headers))
            table.style = "Table Grid"
            table.autofit = False
            for cell, text in zip(table.rows[0].cells, part.table.headers, strict=True):
                cell.text = text
                cell.paragraphs[0].runs[0].bold = True
            for row in part.table.rows:
                for cell, text in zip(table.add_row().cells, row, strict=True):
                    cell.text = printable(text)
            for column, width in zip(table.columns, _widths(part.table), strict=True):
                column.width = width  # the grid, which LibreOffice follows; Word follows the cells
                for cell in column.cells:
                    cell.width = width
        for bullet in part.bullets:
            document.add_paragraph(printable(bullet), style="List Bullet")
        if not part.table and not part.bullets:
            document.add_paragraph(part.empty)
    document.save(str(path))


def _widths(table: Table) -> list[Length]:
    """Column widths across the page in proportion to what they hold (a question, not a count,
    gets the room), each at least a short word's width."""
    weights = [
        min(max(len(text) for text in (header, *(row[n] for row in table.rows))), WIDEST) + 6
        for n, header in enumerate(table.headers)
    ]
    return [Cm(TEXT_WIDTH_CM * weight / sum(weights)) for weight in weights]
