"""Tagging evidence with a focus area after the fact (the coverage screen's `g`).

Apart from ``evidence_items`` because a note's item is tagged through the note, and ``notes``
already depends on ``evidence_items`` to re-derive items on every save.
"""

from __future__ import annotations

from ..evidence import parse_line
from ..models import EvidenceKind, now
from . import notes
from .evidence_items import check_focus_areas, compact_json, get_evidence
from .review import Store


def tag_evidence(store: Store, evidence_id: str, focus_area_id: str, actor: str) -> None:
    """Tag an item with a focus area. A note's item is tagged by adding ``#tag`` to its line and
    saving the note, so the note stays the source of truth and the item keeps its id."""
    check_focus_areas(store, [focus_area_id])
    with store.lock:  # read-modify-write of the note, kept whole against autosaves
        view = get_evidence(store, evidence_id)
        if view is None:
            raise ValueError(f"no evidence item {evidence_id}")
        item = view.item
        if focus_area_id in item.focus_areas:
            return
        if item.note_id and item.session_id and item.line_no is not None and not item.detached:
            note = notes.get_note(store, item.session_id, item.author_id)
            if note is None:
                raise ValueError(f"the note of evidence item {evidence_id} is missing")
            body = _with_tag(note.body, item.line_no, item.kind, focus_area_id)
            notes.save_note(store, note.session_id, note.author_id, body, actor=actor)
            return
        with store.write() as db:
            db.execute(
                "UPDATE evidence SET focus_areas = ?, updated_by = ?, updated_at = ? WHERE id = ?",
                [compact_json([*item.focus_areas, focus_area_id]), actor, now(), evidence_id],
            )


def _with_tag(body: str, line_no: int, kind: EvidenceKind, tag: str) -> str:
    lines = body.splitlines(keepends=True)
    line = lines[line_no] if line_no < len(lines) else ""
    content = (line.splitlines() or [""])[0]
    mark = parse_line(content, line_no)
    if mark is None or mark.kind is not kind:
        raise ValueError("the note has changed since the list was shown; try again")
    lines[line_no] = f"{content.rstrip()} #{tag}{line[len(content) :]}"
    return "".join(lines)
