"""Quicker ways to add what every slide of a deck repeats.

python-pptx walks every part of the package to name each new part, and clones the notes
master's placeholders for each notes page and the layout's for each footer: on a week's deck of
~50 slides that was most of the time taken. Here each is done once and copied after, so the
file is the same but for the order of a few attributes. Imported only when a deck is written.
"""

from __future__ import annotations

import copy
import uuid
from typing import TYPE_CHECKING, Any

from pptx.opc.constants import CONTENT_TYPE as CT
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.opc.packuri import PackURI
from pptx.oxml.ns import qn
from pptx.parts.slide import NotesSlidePart

if TYPE_CHECKING:
    from pptx.presentation import Presentation
    from pptx.slide import Slide


class PartNames:
    """The package's next free part names, from one walk of its parts."""

    def __init__(self, presentation: Presentation) -> None:
        package = presentation.part.package
        self._taken = {str(part.partname) for part in package.iter_parts()}
        self._next: dict[str, int] = {}
        # this package's own: python-pptx asks the package for each new slide's and page's name
        package.next_partname = self.next_partname  # type: ignore[method-assign,assignment]

    def next_partname(self, template: str) -> PackURI:
        number = self._next.get(template, 1)
        while template % number in self._taken:
            number += 1
        self._next[template] = number + 1
        self._taken.add(template % number)
        return PackURI(template % number)


class NotesPages:
    """Speaker notes: the first page made by python-pptx, the others copies of it made blank."""

    def __init__(self) -> None:
        self._blank: Any = None

    def add(self, slide: Slide, text: str) -> None:
        if self._blank is None:
            notes = slide.notes_slide
            self._blank = copy.deepcopy(notes.element)
        else:
            slide_part = slide.part
            package = slide_part.package
            part = NotesSlidePart(
                package.next_partname("/ppt/notesSlides/notesSlide%d.xml"),
                CT.PML_NOTES_SLIDE,
                package,
                copy.deepcopy(self._blank),
            )
            part.relate_to(package.presentation_part.notes_master_part, RT.NOTES_MASTER)
            part.relate_to(slide_part, RT.SLIDE)
            slide_part.relate_to(part, RT.NOTES_SLIDE)
            notes = part.notes_slide
        frame = notes.notes_text_frame
        if frame is not None:
            frame.text = text


class Footers:
    """Each layout's finished footer boxes, kept after their first slide and copied to the rest."""

    def __init__(self) -> None:
        self._made: dict[tuple[int, str], Any] = {}

    def copy_to(self, slide: Slide, layout: Any, kind: str, number: int | None) -> bool:
        """Put a copy of ``layout``'s ``kind`` box on ``slide`` (``number`` in a slide-number
        field); False if none is kept yet."""
        made = self._made.get((id(layout), kind))
        if made is None:
            return False
        element = copy.deepcopy(made)
        element.nvSpPr.cNvPr.id = slide.shapes._next_shape_id
        for field in element.iter(qn("a:fld")):
            field.set("id", f"{{{uuid.uuid4()}}}".upper())
            text = field.find(qn("a:t"))
            if text is not None:
                text.text = str(number)
        slide.shapes._spTree.append(element)
        return True

    def keep(self, layout: Any, kind: str, element: Any) -> None:
        self._made[(id(layout), kind)] = copy.deepcopy(element)
