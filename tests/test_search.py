"""Searching everyone's notes as a user types: every line that matches, grouped by session, the
note template left out; words, prefixes, accents and hostile input."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from peerreview_tui.store import Store, migrations, notes, week
from peerreview_tui.store.search import MAX_LINE, by_session, search_notes, term_spans
from peerreview_tui.templates import note_template

from .conftest import search_index_is_sound


@pytest.fixture
def noted(store: Store) -> Store:
    notes.save_note(store, "mon-1045-ce", "lead", "Context\n+ triage at the front door is quick #partnership")
    notes.save_note(store, "mon-1045-ce", "manager", "? who owns the front door budget")
    notes.save_note(
        store, "tue-0900-mash", "officer2", "Police and health share at the door\n! the café helps"
    )
    return store


def _found(store: Store, query: str) -> list[tuple[str, str]]:
    """The notes with a matching line, once each, in the order their lines come."""
    return list(dict.fromkeys((hit.session_id, hit.author_id) for hit in search_notes(store, query)))


def _lines(store: Store, query: str) -> list[str]:
    return [hit.line for hit in search_notes(store, query)]


def test_a_word_finds_the_note_with_where_it_is(noted: Store) -> None:
    [hit] = search_notes(noted, "triage")
    assert (hit.session_id, hit.author_id, hit.author_name) == ("mon-1045-ce", "lead", "Helen Marchbank")
    assert hit.session_title == "Interview: Chief Executive"
    assert (hit.day, hit.start_time) == (dt.date(2012, 9, 10), "10:45")
    assert (hit.line_no, hit.line) == (1, "+ triage at the front door is quick #partnership")
    assert hit.terms == ("triage",)


def test_the_last_word_is_a_prefix(noted: Store) -> None:
    assert _found(noted, "triag") == [("mon-1045-ce", "lead")]
    assert _found(noted, "tri") == [("mon-1045-ce", "lead")]
    assert _found(noted, "triag door") == []  # only the last word is a prefix


def test_every_word_is_required(noted: Store) -> None:
    assert sorted(_found(noted, "front door")) == [("mon-1045-ce", "lead"), ("mon-1045-ce", "manager")]
    assert _found(noted, "front door budget") == [("mon-1045-ce", "manager")]
    assert _found(noted, "front door police") == []


def test_case_and_accents_do_not_matter(noted: Store) -> None:
    assert _found(noted, "CAFE") == [("tue-0900-mash", "officer2")]
    [hit] = search_notes(noted, "Café")
    assert (hit.line_no, hit.line, hit.terms) == (1, "! the café helps", ("cafe",))


def test_every_matching_line_is_listed_not_one_per_note(store: Store) -> None:
    body = "+ supervision is regular\nContext\n- supervision notes are thin #practice\nno match here"
    notes.save_note(store, "mon-1330-hos-sg", "officer1", body)
    assert [(hit.line_no, hit.line) for hit in search_notes(store, "supervision")] == [
        (0, "+ supervision is regular"),
        (2, "- supervision notes are thin #practice"),
    ]


def test_the_lines_holding_every_word_are_listed(store: Store) -> None:
    body = "front door triage is quick\nthe front office\nthe door is open\nfront door again"
    notes.save_note(store, "mon-1330-hos-sg", "officer1", body)
    assert _lines(store, "front door") == ["front door triage is quick", "front door again"]


def test_words_on_different_lines_list_the_lines_holding_any(store: Store) -> None:
    notes.save_note(store, "mon-1330-hos-sg", "officer1", "the front office\nnothing\nthe door is open")
    assert _lines(store, "front door") == ["the front office", "the door is open"]


def test_lines_of_the_note_template_are_not_searched(store: Store) -> None:
    session = week.session(store, "mon-1045-ce")
    assert session is not None
    template = note_template(session, week.focus_areas(store), week.reviewers(store), dt.time(10, 47))
    assert "Lines of enquiry" in template and "Chief Executive" in template
    notes.save_note(store, "mon-1045-ce", "lead", template + "+ the chief executive chairs the board\n")
    notes.save_note(store, "mon-1045-ce", "manager", template)  # nothing written yet
    assert _lines(store, "chief executive") == ["+ the chief executive chairs the board"]
    assert search_notes(store, "enquiry") == []  # only in the template
    assert search_notes(store, "started") == []  # its time differs from note to note
    assert search_notes(store, "marks strength") == []


def test_a_line_the_reviewer_completed_is_searched(store: Store) -> None:
    notes.save_note(store, "tue-1330-files", "officer1", "Case 1\nCase reference: 4471\nVoice of the child:")
    assert _lines(store, "4471") == ["Case reference: 4471"]
    assert _lines(store, "voice") == []


def test_lines_come_grouped_by_session_in_time_order(store: Store) -> None:
    notes.save_note(store, "thu-1330-dcs", "lead", "thresholds one")
    notes.save_note(store, "mon-0930-dcs", "manager", "thresholds two\nthresholds three")
    notes.save_note(store, "mon-0930-dcs", "lead", "thresholds four")
    groups = by_session(search_notes(store, "thresholds"))
    assert [(g.session_id, g.day, g.start_time) for g in groups] == [
        ("mon-0930-dcs", dt.date(2012, 9, 10), "09:30"),
        ("thu-1330-dcs", dt.date(2012, 9, 13), "13:30"),
    ]
    # within a session, author by author (by name), each note's lines in order
    assert [(h.author_name, h.line) for h in groups[0].hits] == [
        ("Helen Marchbank", "thresholds four"),
        ("Tom Rendell", "thresholds two"),
        ("Tom Rendell", "thresholds three"),
    ]


@pytest.mark.parametrize("query", ["", "   ", "\n", '"', "*", "(", "-", ":", "***"])
def test_a_blank_or_punctuation_only_query_finds_nothing(noted: Store, query: str) -> None:
    assert search_notes(noted, query) == []


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "a AND (",
        "*",
        "-x",
        "col:val",
        "NEAR(",
        'door"',
        '"front door',
        "body:door",
        "OR",
        "NOT door",
        "^door",
    ],
)
def test_hostile_queries_return_without_error(noted: Store, query: str) -> None:
    assert isinstance(search_notes(noted, query), list)


def test_operator_words_are_searched_as_words(noted: Store) -> None:
    notes.save_note(noted, "mon-1330-lscb", "lead", "police and health")
    assert sorted(_found(noted, "police AND")) == [("mon-1330-lscb", "lead"), ("tue-0900-mash", "officer2")]
    assert _found(noted, "NOT door") == []


def test_punctuation_inside_a_query_separates_words(noted: Store) -> None:
    assert _found(noted, "front-door:budget") == [("mon-1045-ce", "manager")]


def test_line_no_points_at_each_matching_line(store: Store) -> None:
    body = "Attendees\n• Head of service\n\n- supervision is irregular #practice\n+ supervision better in CP teams"
    notes.save_note(store, "mon-1330-hos-sg", "officer1", body)
    assert [(hit.line_no, hit.line) for hit in search_notes(store, "supervis")] == [
        (3, "- supervision is irregular #practice"),
        (4, "+ supervision better in CP teams"),
    ]
    [hit] = search_notes(store, "teams supervision")
    assert hit.line_no == 4


def test_line_no_counts_crlf_lines_like_the_editor(store: Store) -> None:
    notes.save_note(store, "mon-1330-hos-sg", "officer1", "one\r\ntwo\r\n  three budget  \r\n")
    [hit] = search_notes(store, "budget")
    assert (hit.line_no, hit.line) == (2, "three budget")


def test_a_long_line_is_cut_but_keeps_the_match_in_sight(store: Store) -> None:
    notes.save_note(store, "mon-1330-hos-sg", "officer1", "word " * 100 + "needle " + "word " * 100)
    [hit] = search_notes(store, "needle")
    assert len(hit.line) <= MAX_LINE
    assert "needle" in hit.line and hit.line.startswith("…") and hit.line.endswith("…")


def test_an_edited_note_no_longer_matches_its_old_words(noted: Store) -> None:
    notes.save_note(noted, "mon-1045-ce", "lead", "+ screening at the front door is quick")
    assert _found(noted, "triage") == []
    assert _found(noted, "screening") == [("mon-1045-ce", "lead")]


def test_the_limit_caps_the_lines(noted: Store) -> None:
    assert len(search_notes(noted, "door", limit=2)) == 2
    assert search_notes(noted, "door", limit=0) == []
    notes.save_note(noted, "wed-1515-scrutiny", "lead", "door\n" * 500)
    assert len(search_notes(noted, "door")) == 200


def test_term_spans_mark_what_to_highlight() -> None:
    line = "The Café at the front door"
    assert term_spans(line, ("cafe", "do")) == [(4, 8), (22, 26)]
    assert term_spans(line, ()) == []


# --- The index ---------------------------------------------------------------------------------


def _delete_note(store: Store, session_id: str, author_id: str) -> None:
    """A note deleted outright, its evidence items first: the triggers keep the index."""
    with store.write() as db:
        where = "note_id IN (SELECT id FROM notes WHERE session_id = ? AND author_id = ?)"
        db.execute(f"DELETE FROM evidence WHERE {where}", [session_id, author_id])
        db.execute("DELETE FROM notes WHERE session_id = ? AND author_id = ?", [session_id, author_id])


def test_the_index_follows_every_save_and_deletion(noted: Store) -> None:
    notes.save_note(noted, "mon-1045-ce", "lead", "Context\n+ the front door is slow now #partnership")
    assert _found(noted, "triage") == [] and _found(noted, "slow") == [("mon-1045-ce", "lead")]
    _delete_note(noted, "mon-1045-ce", "manager")
    assert _found(noted, "budget") == []
    notes.save_note(noted, "mon-1045-ce", "manager", "? who holds the budget now")
    assert _found(noted, "budget") == [("mon-1045-ce", "manager")]
    assert search_index_is_sound(noted)


def test_a_note_moved_to_another_session_is_found_there(noted: Store) -> None:
    # No code moves a note (its id is made from its session and author); the index follows anyway.
    with noted.write() as db:
        db.execute("UPDATE notes SET session_id = 'wed-1515-scrutiny' WHERE author_id = 'manager'")
    assert _found(noted, "budget") == [("wed-1515-scrutiny", "manager")]


def test_a_review_from_before_the_keyed_index_is_upgraded_and_every_note_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, example_schedule
) -> None:
    # A review written by the version before step 7: its notes indexed by note id.
    with monkeypatch.context() as before:
        before.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:6])
        before.setattr(migrations, "SCHEMA_VERSION", 6)
        with Store.open(tmp_path / "review.db", create=True) as old:
            week.apply_schedule(old, example_schedule, "sha")
            notes.save_note(old, "mon-1045-ce", "lead", "+ triage at the front door is quick")
            notes.save_note(old, "mon-1045-ce", "manager", "? who owns the front door budget")
            notes.save_note(old, "tue-0900-mash", "officer2", "! the café helps at the door")
            _delete_note(old, "mon-1045-ce", "manager")  # a gap in the notes' rowids
            notes.save_note(old, "mon-1045-ce", "manager", "? who owns the budget then")
            assert old.db.execute("PRAGMA user_version").fetchone()[0] == 6
            assert "note_search_keys" not in old.db.table_names()

    with Store.open(tmp_path / "review.db") as upgraded:
        assert upgraded.db.execute("PRAGMA user_version").fetchone()[0] == migrations.SCHEMA_VERSION
        assert _found(upgraded, "door") == [("mon-1045-ce", "lead"), ("tue-0900-mash", "officer2")]
        assert _found(upgraded, "budget") == [("mon-1045-ce", "manager")]
        assert _found(upgraded, "cafe") == [("tue-0900-mash", "officer2")]
        assert search_index_is_sound(upgraded)
        notes.save_note(upgraded, "mon-1045-ce", "lead", "+ triage is slow")
        assert _found(upgraded, "door") == [("tue-0900-mash", "officer2")]
        assert _found(upgraded, "slow") == [("mon-1045-ce", "lead")]
        assert search_index_is_sound(upgraded)


def test_the_index_holds_no_copy_of_the_notes(noted: Store) -> None:
    # It reads the text from the notes: nothing else to purge, nothing else to encrypt.
    with noted.read() as db:
        tables = [row["name"] for row in db.query("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            if table.startswith("notes_fts_") or table == "note_search_keys":
                for row in db.query(f'SELECT * FROM "{table}"'):
                    assert not any(isinstance(v, str) and "triage" in v for v in row.values()), table
