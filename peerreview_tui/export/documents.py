"""Writing the letter or the presentation, for the command line and the app alike: the content,
the non-attribution guard, then the file. Nothing is written while the guard objects.

The file's suffix is its format: .docx (Word) or .md for the letter, .pptx (PowerPoint) or .md
for the slides, and .pdf for either, converted through LibreOffice. A name whose suffix does not
fit is refused, so a Word file is never written under the name of a PDF.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..models import FindingStatus, now
from ..paths import exports_dir, name_part
from ..store import Store, findings
from .content import LetterContent, build_content, content_texts, write_privately
from .guard import GuardHit, check_attribution
from .text import control_warnings

# What the app offers for each document; the command line adds PDF (SUFFIXES).
FORMATS = {"letter": ("docx", "md"), "slides": ("pptx", "md")}
SUFFIXES = {"letter": ("docx", "md", "pdf"), "slides": ("pptx", "md", "pdf")}
NAMES = {"docx": "Word", "pptx": "PowerPoint", "md": "Markdown", "pdf": "PDF"}
DOCUMENTS = {"letter": "the letter", "slides": "the slides"}


# The folder exports go to, per review, once someone chose one other than the default.
EXPORT_FOLDER_KEY = "export_folder"


class FileExists(Exception):
    """The file to write exists and the exporter has not said to replace it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(f"{path} already exists")


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


def export_folder(store: Store) -> Path:
    """The folder the review's exports go to: the one last chosen in the app, else ``exports``
    in the data folder."""
    remembered = store.get_meta(EXPORT_FOLDER_KEY)
    return Path(remembered) if remembered else exports_dir()


def remember_export_folder(store: Store, folder: Path) -> bool:
    """Make ``folder`` the review's export folder; whether that changed it."""
    folder = folder.absolute()
    if folder == export_folder(store).absolute():
        return False
    store.set_meta(EXPORT_FOLDER_KEY, str(folder))
    return True


def prepare_path(store: Store, path: Path, replace: bool) -> Path:
    """``path`` made absolute, ready to be written: ``FileExists`` when it exists and is not to
    be replaced; the export folder is made when it does not exist yet (no other folder is)."""
    path = path.absolute()
    if path.exists() and not replace:
        raise FileExists(path)
    if path.parent == export_folder(store).absolute():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def default_path(store: Store, what: str, fmt: str, folder: Path | None = None) -> Path:
    """REVIEW-ID-letter.docx (or slides, .md…) in ``folder``, else the review's export folder."""
    review = store.review()
    assert review is not None
    # built only from an id: a review id that is not one (a path, say) gives a plain name instead
    return (folder or export_folder(store)) / f"{name_part(review.id, 'review')}-{what}.{fmt}"


def format_of(what: str, path: Path) -> str:
    """The format a file name asks for ('docx', 'md', 'pptx', 'pdf'); ``ValueError`` with a
    message for the user when its suffix does not fit ``what``."""
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in SUFFIXES[what]:
        raise ValueError(f"{path.name}: {DOCUMENTS[what]} can be written as {_suffixes(what)}")
    return fmt


def export_document(
    store: Store,
    what: str,
    fmt: str,
    path: Path,
    *,
    include_drafts: bool = False,
    allow: Sequence[str] = (),
    template: Path | None = None,
    date: dt.date | None = None,
    accept_warnings: bool = False,
    replace: bool = False,
) -> Exported:
    """Write the letter or the slides to ``path``, whose suffix must be ``fmt``; the letter is
    dated ``date`` (default: the schedule's date for it, else today). Raises ``ValueError``
    (a suffix that does not fit; nothing written), ``AttributionError`` (nothing written),
    ``OSError``, ``content.TemplateError`` for a template that cannot be used and
    ``pdf.ConversionError`` when there is no LibreOffice for a PDF, ``SignedWorkError`` (the
    letter; nothing written) when the review's signed work does not check out. ``accept_warnings``:
    the exporter has checked the possible names the guard lists and writes all the same.
    ``FileExists`` (nothing written) when ``path`` exists, unless ``replace``. The export folder
    (see ``export_folder``) is made when it does not exist yet; no other folder is."""
    if fmt not in SUFFIXES[what]:
        raise ValueError(f"{DOCUMENTS[what]} can be written as {_suffixes(what)}, not {fmt}")
    if path.suffix.lower() != f".{fmt}":
        raise ValueError(f"{path.name}: a {NAMES[fmt]} file is named .{fmt}")
    path = prepare_path(store, path, replace)
    if fmt == "pdf":
        from .pdf import require_libreoffice

        require_libreoffice(_office_format(what))  # before anything else: no PDF without it
    if what == "letter":
        from ..sync.verify import require_verified  # (signing loads only here)

        require_verified(store)  # ``SignedWorkError``: a forged agreement never reaches the letter
    content = build_content(store, include_drafts=include_drafts, date=date)
    result = check_attribution(store, content_texts(content), allow)
    if result.refuses(accept_warnings=accept_warnings):
        raise AttributionError(result.hits, result.warnings, result.possible_names)
    if fmt == "pdf":
        from .pdf import write_pdf

        office = _office_format(what)
        write_pdf(path, office, lambda source: _write(what, office, content, source, template))
    else:
        _write(what, fmt, content, path, template)
    if what == "letter":
        store.set_meta("letter_exported_at", now())  # a purge of the notes waits for this
    drafts = 0 if include_drafts else len(findings.list_findings(store, status=FindingStatus.DRAFT))
    empty = [area.title for area in content.areas if not (area.strengths or area.developments)]
    return Exported(path, content, drafts, empty, control_warnings(content_texts(content)))


def _office_format(what: str) -> str:
    return "docx" if what == "letter" else "pptx"


def _suffixes(what: str) -> str:
    named = [f"{NAMES[fmt]} (.{fmt})" for fmt in SUFFIXES[what]]
    return f"{', '.join(named[:-1])} or {named[-1]}"


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

        write_slides_pptx(content, path, template)
