"""The wash-up sheet: one page for the team meeting at the end of a day (``peerreview washup``).

Built from ``washup.Washup`` as a short outline of tables and lists, written as Markdown here or
as Word by ``washup_docx`` (python-docx, imported only then). It quotes the follow-up questions
from the notes, so those pass the non-attribution guard before anything is written; the team's
own names (owners, who raised what) are fine, and lines of enquiry come from the schedule file.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..store import Store
from ..washup import Washup
from .content import write_privately
from .documents import AttributionError, prepare_path
from .guard import check_attribution
from .text import printable
from .washup_outline import Sheet, sheet_outline, sheet_texts

FORMATS = ("md", "docx")


def sheet_markdown(sheet: Sheet) -> str:
    lines = [f"# {sheet.title}", "", sheet.subtitle, ""]
    for section in sheet.sections:
        lines += [f"## {section.heading}", ""]
        if section.table:
            lines += [_md_row(section.table.headers), _md_row(tuple("---" for _ in section.table.headers))]
            lines += [_md_row(row) for row in section.table.rows]
            if section.bullets:
                lines.append("")  # a list straight after a table reads as one more row in some viewers
        lines += [f"- {bullet}" for bullet in section.bullets]
        if not section.table and not section.bullets:
            lines.append(section.empty)
        lines.append("")
    return printable("\n".join(lines))


def _md_row(cells: tuple[str, ...]) -> str:
    return "| " + " | ".join(" ".join(cell.split()).replace("|", "\\|") for cell in cells) + " |"


def export_washup(
    store: Store,
    washup: Washup,
    fmt: str,
    path: Path,
    *,
    allow: Sequence[str] = (),
    accept_warnings: bool = False,
    replace: bool = False,
) -> Path:
    """Write the sheet at ``path`` as ``fmt`` ('md' or 'docx'), after the guard: raises
    ``AttributionError`` (nothing written), ``ValueError`` for a format or name that does not fit,
    ``FileExists`` (nothing written) when ``path`` exists, unless ``replace``, ``OSError``."""
    if fmt not in FORMATS:
        raise ValueError(f"the wash-up sheet can be written as Markdown (.md) or Word (.docx), not {fmt}")
    if path.suffix.lower() != f".{fmt}":
        raise ValueError(f"{path.name}: a {'Word' if fmt == 'docx' else 'Markdown'} file is named .{fmt}")
    path = prepare_path(store, path, replace)
    review = store.review()
    sheet = sheet_outline(washup, review.title if review else "")
    result = check_attribution(store, sheet_texts(sheet), allow)
    if result.refuses(accept_warnings=accept_warnings):
        raise AttributionError(result.hits, result.warnings, result.possible_names)
    if fmt == "md":
        text = sheet_markdown(sheet)

        def write_text(temp: Path) -> None:
            temp.write_text(text, encoding="utf-8")

        write_privately(path, write_text)
    else:
        from .washup_docx import write_sheet_docx

        write_privately(path, lambda temp: write_sheet_docx(sheet, temp))
    return path
