"""Evidence items: derived from the marks of notes, with ids that links from findings can rely on."""

from __future__ import annotations

import datetime as dt

import pytest

from peerreview_tui.models import EvidenceKind, SourceKind, now
from peerreview_tui.store import Store, notes
from peerreview_tui.store.evidence_items import (
    add_document,
    evidence_count_by_source,
    get_evidence,
    list_evidence,
    match_lines,
)
from peerreview_tui.store.ownership import NotAllowed
from peerreview_tui.store.tagging import tag_evidence, tags_on_note

FOCUS_GROUP = "mon-1400-swfg"  # social workers, Monday 14:00
INTERVIEW = "mon-1330-lscb"  # LSCB chair, Monday 13:30


def _items(store: Store, **filters) -> list:
    return [view.item for view in list_evidence(store, **filters)]


def _ids(store: Store, session_id: str = FOCUS_GROUP, author: str = "officer2") -> list[str]:
    return [
        item.id
        for item in _items(store, include_detached=True)
        if item.session_id == session_id and item.author_id == author
    ]


def _link(store: Store, evidence_id: str, *, deleted: bool = False) -> str:
    """A finding citing ``evidence_id``, written as the findings code would."""
    stamp, finding_id = now(), f"finding-{evidence_id[:8]}"
    with store.write() as db:
        db.execute(
            "INSERT INTO findings (id, section, position, title, status, created_by, created_at, updated_by, "
            "updated_at) VALUES (?, 'strength', 1, 'Supervision is valued', 'draft', 'lead', ?, 'lead', ?)",
            [finding_id, stamp, stamp],
        )
        db.execute(
            "INSERT INTO finding_evidence (finding_id, evidence_id, deleted_at, created_by, created_at, "
            "updated_by, updated_at) VALUES (?, ?, ?, 'lead', ?, 'lead', ?)",
            [finding_id, evidence_id, stamp if deleted else None, stamp, stamp],
        )
    return finding_id


def test_each_marked_line_is_an_item_with_its_session_and_author(store: Store) -> None:
    body = (
        "Eleven social workers\n+ supervision is  regular #practice\n- caseloads too high #practice #commissioning\n"
        "? who audits the plans\n! we never see the plan #early-help\nunmarked line #practice"
    )
    notes.save_note(store, FOCUS_GROUP, "officer2", body)
    views = list_evidence(store)
    assert [(v.item.kind, v.item.text, v.item.focus_areas, v.item.line_no) for v in views] == [
        (EvidenceKind.STRENGTH, "supervision is regular", ["practice"], 1),
        (EvidenceKind.DEVELOPMENT, "caseloads too high", ["practice", "commissioning"], 2),
        (EvidenceKind.FOLLOW_UP, "who audits the plans", [], 3),
        (EvidenceKind.QUOTE, "we never see the plan", ["early-help"], 4),
    ]
    first = views[0]
    assert first.item.source_kind is SourceKind.FOCUS_GROUP and first.item.session_id == FOCUS_GROUP
    assert first.session_title == "Focus group: social workers"
    assert (first.day, first.start_time) == (dt.date(2012, 9, 10), "14:00")
    assert first.author_name == "David Fenwick-Hale" and first.item.author_id == "officer2"
    assert first.linked_findings == 0 and first.item.note_id is not None


def test_items_asked_for_by_id_come_alone_in_the_usual_order(store: Store) -> None:
    notes.save_note(store, FOCUS_GROUP, "officer2", "+ one #practice\n- two\n? three\n")
    every = list_evidence(store)
    wanted = [every[2].item.id, every[0].item.id]
    assert [v.item.text for v in list_evidence(store, ids=wanted)] == ["one", "three"]
    assert list_evidence(store, ids=[]) == []


def test_an_unknown_tag_stays_in_the_text_and_leaves_the_item_to_tag(store: Store) -> None:
    notes.save_note(store, INTERVIEW, "lead", "+ the #mash triage is quick\n+ #practice")
    [item] = _items(store)  # a line with only a tag says nothing: no item
    assert item.text == "the #mash triage is quick" and item.focus_areas == []
    assert [v.item.id for v in list_evidence(store, untagged=True)] == [item.id]


@pytest.mark.parametrize(
    ("session_id", "source"),
    [
        (INTERVIEW, SourceKind.INTERVIEW),
        ("tue-0900-mash", SourceKind.SITE_VISIT),
        ("tue-1330-strategy", SourceKind.OBSERVATION),
        ("mon-0930-dcs", SourceKind.MEETING),
        ("fri-1400-feedback", SourceKind.MEETING),
        ("mon-1045-files", SourceKind.CASE_FILE_AUDIT),
    ],
)
def test_the_session_kind_gives_the_source_kind(store: Store, session_id: str, source: SourceKind) -> None:
    notes.save_note(store, session_id, "lead", "+ something seen")
    assert _items(store)[0].source_kind is source


def test_an_item_keeps_its_id_across_a_typo_fix_a_tag_and_lines_inserted_above(store: Store) -> None:
    notes.save_note(store, FOCUS_GROUP, "officer2", "+ supervison is reglar\n- caseloads too high")
    first, second = _ids(store)
    _link(store, first)
    notes.save_note(store, FOCUS_GROUP, "officer2", "+ supervision is regular\n- caseloads too high")
    assert _ids(store) == [first, second]
    notes.save_note(
        store, FOCUS_GROUP, "officer2", "+ supervision is regular #practice\n- caseloads too high"
    )
    assert _ids(store) == [first, second]
    notes.save_note(
        store,
        FOCUS_GROUP,
        "officer2",
        "Present: 11\n\n+ new point\n+ supervision is regular #practice\n- caseloads too high",
    )
    view = get_evidence(store, first)
    assert view is not None and view.item.line_no == 3 and view.item.text == "supervision is regular"
    assert view.item.focus_areas == ["practice"] and view.linked_findings == 1
    assert _ids(store)[1:] == [first, second]


def test_a_rewritten_line_or_another_mark_is_a_new_item(store: Store) -> None:
    notes.save_note(store, FOCUS_GROUP, "officer2", "+ supervision is regular\n+ plans are clear")
    old = _ids(store)
    notes.save_note(store, FOCUS_GROUP, "officer2", "- supervision is regular\n+ the front door is slow")
    assert set(_ids(store)).isdisjoint(old)


def test_the_most_similar_line_wins_then_the_nearest(store: Store) -> None:
    old = [("strength", "supervision is regular", 0), ("strength", "supervision is irregular in team b", 1)]
    new = [("strength", "supervision is irregular in team c", 0), ("strength", "supervision is regular!", 1)]
    assert match_lines(new, old) == {0: 1, 1: 0}
    twins = [("quote", "no", 0), ("quote", "no", 5)]
    assert match_lines([("quote", "no", 6)], twins) == {0: 1}


def test_a_deleted_linked_line_stays_as_a_broken_link_and_an_unlinked_one_goes(store: Store) -> None:
    notes.save_note(
        store, FOCUS_GROUP, "officer2", "+ supervision is regular\n- caseloads too high\n? who audits"
    )
    cited, uncited, kept = _ids(store)
    _link(store, cited)
    notes.save_note(store, FOCUS_GROUP, "officer2", "? who audits")
    assert [item.id for item in _items(store)] == [kept]
    [broken] = [v for v in list_evidence(store, include_detached=True) if v.item.detached]
    assert (
        broken.item.id == cited
        and broken.linked_findings == 1
        and broken.item.text == "supervision is regular"
    )
    assert get_evidence(store, uncited) is None
    # typed back (an undo), the line gets its item, and its link, back
    notes.save_note(store, FOCUS_GROUP, "officer2", "+ supervision is regular\n? who audits")
    assert _ids(store) == [cited, kept] and not get_evidence(store, cited).item.detached


def test_a_line_whose_link_was_removed_is_detached_not_deleted(store: Store) -> None:
    # the link row is a tombstone for sync; deleting the item would break its foreign key
    notes.save_note(store, FOCUS_GROUP, "officer2", "+ supervision is regular")
    [item_id] = _ids(store)
    _link(store, item_id, deleted=True)
    notes.save_note(store, FOCUS_GROUP, "officer2", "")
    view = get_evidence(store, item_id)
    assert view is not None and view.item.detached and view.linked_findings == 0


def test_an_unchanged_save_leaves_items_untouched(store: Store) -> None:
    notes.save_note(store, FOCUS_GROUP, "officer2", "+ supervision is regular")
    before = _items(store)
    notes.save_note(store, FOCUS_GROUP, "officer2", "+ supervision is regular")
    assert _items(store) == before and before[0].created_by == "officer2"


def test_editing_a_long_note_keeps_its_items_and_rewriting_it_replaces_them(store: Store) -> None:
    """How long a save of a long note takes is measured in ``make bench`` (autosave figures)."""
    lines = [
        f"{'+-?!'[i % 4]} point {i} about supervision, plans and the front door #practice" for i in range(150)
    ]
    lines += ["context " * 12] * 100
    body = "\n".join(lines)
    assert len(body) > 19_000
    notes.save_note(store, FOCUS_GROUP, "officer2", body)
    ids = _ids(store)
    edited = body.replace("point 75 about", "point 75 abuot").replace("point 3 ", "pointe 3 ")
    for text in (edited, "intro\n" + body, body) * 2:
        notes.save_note(store, FOCUS_GROUP, "officer2", text)
    assert _ids(store) == ids
    notes.save_note(store, FOCUS_GROUP, "officer2", "\n".join(line[::-1] for line in lines))  # all rewritten
    assert not set(_ids(store)) & set(ids)


def test_tagging_another_reviewers_item_leaves_their_note_as_they_wrote_it(store: Store) -> None:
    body = "intro\r\n+ supervision is regular  \r\n- caseloads too high\r\n"
    notes.save_note(store, FOCUS_GROUP, "officer2", body)
    item_id = _ids(store)[0]
    tag_evidence(store, item_id, "practice", actor="lead")
    note = notes.get_note(store, FOCUS_GROUP, "officer2")
    assert note is not None and note.body == body and note.updated_by == "officer2"
    view = get_evidence(store, item_id)
    assert view is not None and view.item.focus_areas == ["practice"] and view.item.updated_by == "officer2"
    assert [v.item.text for v in list_evidence(store, focus_area="practice")] == ["supervision is regular"]
    assert list_evidence(store, untagged=True)[0].item.text == "caseloads too high"
    tagged = tags_on_note(store, note.id)[item_id]
    assert [(t.focus_area_id, t.tagger_name) for t in tagged] == [("practice", "Helen Marchbank")]
    tag_evidence(store, item_id, "practice", actor="lead")  # already tagged: nothing changes
    assert len(tags_on_note(store, note.id)[item_id]) == 1
    # The author keeps writing: their own tags and the lead's are both counted, once each.
    notes.save_note(
        store, FOCUS_GROUP, "officer2", body.replace("regular  ", "regular #practice #early-help")
    )
    view = get_evidence(store, item_id)
    assert view is not None and sorted(view.item.focus_areas) == ["early-help", "practice"]


def test_a_tagged_line_deleted_by_its_author_keeps_its_item_detached(store: Store) -> None:
    notes.save_note(store, FOCUS_GROUP, "officer2", "+ supervision is regular\n")
    item_id = _ids(store)[0]
    tag_evidence(store, item_id, "practice", actor="lead")
    notes.save_note(store, FOCUS_GROUP, "officer2", "nothing marked now\n")
    view = get_evidence(store, item_id)
    assert view is not None and view.item.detached


def test_tagging_other_items(store: Store) -> None:
    document = add_document(
        store, title="Children's plan", summary="No needs analysis", focus_areas=[], actor="lead"
    )
    tag_evidence(store, document.id, "commissioning", actor="manager")
    view = get_evidence(store, document.id)
    assert view is not None and view.item.focus_areas == ["commissioning"]
    with pytest.raises(ValueError, match="unknown focus area 'comissioning'"):
        tag_evidence(store, document.id, "comissioning", actor="manager")
    with pytest.raises(NotAllowed, match="'visitor' is not a reviewer"):
        tag_evidence(store, document.id, "practice", actor="visitor")


def test_a_document_is_an_observation_from_a_document(store: Store) -> None:
    item = add_document(
        store,
        title=" Self-assessment  2012 ",
        summary="Candid about timeliness",
        focus_areas=["practice"],
        actor="manager",
    )
    assert (item.kind, item.source_kind, item.title, item.text) == (
        EvidenceKind.OBSERVATION,
        SourceKind.DOCUMENT,
        "Self-assessment 2012",
        "Candid about timeliness",
    )
    view = list_evidence(store, source_kind=SourceKind.DOCUMENT)[0]
    assert view.item == item and view.day is None and view.author_name == "Tom Rendell"
    with pytest.raises(ValueError, match="needs a title"):
        add_document(store, title=" ", summary="x", focus_areas=[], actor="manager")
    with pytest.raises(ValueError, match="unknown focus area"):
        add_document(store, title="Plan", summary="x", focus_areas=["nope"], actor="manager")


def test_lists_filter_by_area_source_day_author_and_kind(store: Store) -> None:
    notes.save_note(store, FOCUS_GROUP, "officer2", "+ supervision #practice\n- drift #practice")
    notes.save_note(store, INTERVIEW, "lead", "+ challenge #partnership\n? minutes")
    notes.save_note(store, "tue-0900-mash", "health", "+ triage #partnership #practice")
    add_document(store, title="Plan", summary="priorities", focus_areas=["partnership"], actor="lead")

    def texts(**filters) -> list[str]:
        return [item.text for item in _items(store, **filters)]

    assert texts() == ["challenge", "minutes", "supervision", "drift", "triage", "priorities"]
    assert texts(focus_area="partnership") == ["challenge", "triage", "priorities"]
    assert texts(source_kind=SourceKind.FOCUS_GROUP) == ["supervision", "drift"]
    assert texts(day=dt.date(2012, 9, 11)) == ["triage"]
    assert texts(author="lead") == ["challenge", "minutes", "priorities"]
    assert texts(kinds=[EvidenceKind.STRENGTH]) == ["challenge", "supervision", "triage"]
    assert texts(untagged=True) == ["minutes"]
    assert evidence_count_by_source(store) == {
        SourceKind.INTERVIEW: 2,
        SourceKind.FOCUS_GROUP: 2,
        SourceKind.SITE_VISIT: 1,
        SourceKind.DOCUMENT: 1,
    }
