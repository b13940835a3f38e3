"""Writing the letter or the presentation, for the command line and the app alike: the content,
the non-attribution guard, then the file. Nothing is written while the guard objects."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..models import FindingStatus, now
from ..paths import name_part
from ..store import Store, findings
from .content import LetterContent, build_content, content_texts, write_privately
from .guard import GuardHit, check_attribution
from .text import control_warnings

FORMATS = {"letter": ("docx", "md"), "slides": ("pptx", "md")}


class AttributionError(Exception):
    """The guard found names, single-person roles next to words of speech, or possible names of
    people the schedule does not know that the exporter has not accepted."""

    def __init__(
        self, hits: list[GuardHit], warnings: list[GuardHit], possible_names: Sequence[GuardHit] = ()
    ):
        self.hits = hits
        self.warnings = warnings
        self.possible_names = list(possible_names)
        super().__init__(
            f"{len(hits)} names, {len(warnings)} role warnings and {len(self.possible_names)} possible names"
        )


@dataclass(frozen=True)
class Exported:
    path: Path
    content: LetterContent
    drafts_left_out: int
    empty_areas: list[str]
    warnings: list[str]  # control characters left out of the document, and where


def default_path(store: Store, what: str, fmt: str, folder: Path | None = None) -> Path:
    review = store.review()
    assert review is not None
    # built only from an id: a review id that is not one (a path, say) gives a plain name instead
    return (folder or Path.cwd()) / f"{name_part(review.id, 'review')}-{what}.{fmt}"


def export_document(
    store: Store,
    what: str,
    fmt: str,
    path: Path,
    *,
    include_drafts: bool = False,
    allow: Sequence[str] = (),
    template: Path | None = None,
    accept_warnings: bool = False,
) -> Exported:
    """Write the letter or the slides to ``path``. Raises ``AttributionError`` (nothing written),
    ``OSError`` and, for a bad letterhead, ``letter_docx.TemplateError``. ``accept_warnings``:
    the exporter has checked the possible names the guard lists and writes all the same."""
    if fmt not in FORMATS[what]:
        raise ValueError(f"the {what} is written as {' or '.join(FORMATS[what])}, not {fmt}")
    content = build_content(store, include_drafts=include_drafts)
    result = check_attribution(store, content_texts(content), allow)
    if result.refuses(accept_warnings=accept_warnings):
        raise AttributionError(result.hits, result.warnings, result.possible_names)
    _write(what, fmt, content, path, template)
    if what == "letter":
        store.set_meta("letter_exported_at", now())  # a purge of the notes waits for this
    drafts = 0 if include_drafts else len(findings.list_findings(store, status=FindingStatus.DRAFT))
    empty = [area.title for area in content.areas if not (area.strengths or area.developments)]
    return Exported(path, content, drafts, empty, control_warnings(content_texts(content)))


def _write(what: str, fmt: str, content: LetterContent, path: Path, template: Path | None) -> None:
    if fmt == "md":
        if what == "letter":
            from .letter_markdown import letter_markdown as render
        else:
            from .slides import slides_markdown as render
        text = render(content)

        def write_text(temp: Path) -> None:
            temp.write_text(text, encoding="utf-8")

        write_privately(path, write_text)
    elif what == "letter":
        from .letter_docx import write_letter_docx

        write_letter_docx(content, path, template)
    else:
        from .slides_pptx import write_slides_pptx

        write_slides_pptx(content, path)
