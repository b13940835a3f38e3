"""Marks typed in notes: what counts as a strength, a concern, a follow-up or a quote, and tags."""

from __future__ import annotations

import pytest

from peerreview_tui.evidence import (
    MARK_KINDS,
    Mark,
    complete_tag,
    group_by_focus_area,
    parse_marks,
    partial_tag_at,
    tags_in_line,
)
from peerreview_tui.models import EvidenceKind

FOCUS_AREAS = ["practice", "early-help", "partnership", "commissioning"]


def test_each_mark_character_gives_its_kind() -> None:
    body = "+ good supervision\n- drift in plans\n? who chairs the panel\n! we never see the plan"
    assert [(m.kind, m.text) for m in parse_marks(body)] == [
        (EvidenceKind.STRENGTH, "good supervision"),
        (EvidenceKind.DEVELOPMENT, "drift in plans"),
        (EvidenceKind.FOLLOW_UP, "who chairs the panel"),
        (EvidenceKind.QUOTE, "we never see the plan"),
    ]
    assert set(MARK_KINDS) == {"+", "-", "?", "!"}


def test_unmarked_lines_are_not_evidence_but_count_for_line_numbers() -> None:
    body = "Head of service, 20 years in post\n\n+ knows every team #practice\nsaid more later"
    assert parse_marks(body) == [Mark(2, EvidenceKind.STRENGTH, "knows every team #practice", ("practice",))]


def test_a_timestamp_may_come_before_the_mark() -> None:
    [mark] = parse_marks("[10:42] + good supervision")
    assert (mark.kind, mark.text) == (EvidenceKind.STRENGTH, "good supervision")
    assert parse_marks("[9:05]- no plan")[0].text == "no plan"
    assert parse_marks("[10:42] said the plan was late") == []


def test_indented_marks_count_and_the_mark_needs_no_space() -> None:
    marks = parse_marks("    + indented\n\t?tabbed")
    assert [(m.line_no, m.text) for m in marks] == [(0, "indented"), (1, "tabbed")]


@pytest.mark.parametrize("line", ["-", "- ", "  -  ", "---", "--- ", "- - -", "+", "?", "!!!", "[10:42] -"])
def test_bare_marks_and_rules_are_not_marks(line: str) -> None:
    assert parse_marks(line) == []


def test_a_doubled_mark_is_emphasis_not_text() -> None:
    assert parse_marks("++ excellent")[0].text == "excellent"


def test_crlf_and_cr_line_endings_keep_line_numbers_and_text_clean() -> None:
    marks = parse_marks("intro\r\n+ one #practice\r\nmiddle\r- two\r\n")
    assert [(m.line_no, m.text, m.tags) for m in marks] == [
        (1, "one #practice", ("practice",)),
        (3, "two", ()),
    ]


def test_tags_stop_at_punctuation() -> None:
    assert tags_in_line("seen at #practice. and #partnership, then (#early-help)") == [
        "practice",
        "partnership",
        "early-help",
    ]
    assert tags_in_line("#practice- a dash after the tag") == ["practice"]
    assert tags_in_line("#practice,#commissioning") == ["practice", "commissioning"]


def test_a_hash_inside_a_word_is_not_a_tag() -> None:
    assert tags_in_line("uses C# and issue#3 and x#practice") == []
    assert tags_in_line("#early_help is not #early") == ["early"]


def test_tags_are_lower_cased_and_de_duplicated_in_order() -> None:
    [mark] = parse_marks("+ #Partnership works #practice and #partnership")
    assert mark.tags == ("partnership", "practice")
    assert mark.text == "#Partnership works #practice and #partnership"


def test_unknown_tags_are_kept_apart_when_the_focus_areas_are_known() -> None:
    [mark] = parse_marks("- thin evidence #practise #practice", known_tags=FOCUS_AREAS)
    assert mark.tags == ("practice",)
    assert mark.unknown == ("practise",)
    assert parse_marks("- thin evidence #practise")[0].tags == ("practise",)


def test_marks_group_by_focus_area_with_untagged_last() -> None:
    marks = parse_marks("+ untagged\n+ a #partnership\n- b #practice #partnership\n? c #practice")
    groups = group_by_focus_area(marks)
    assert list(groups) == ["partnership", "practice", None]
    assert [m.text for m in groups["partnership"]] == ["a #partnership", "b #practice #partnership"]
    assert [m.text for m in groups["practice"]] == ["b #practice #partnership", "c #practice"]
    assert [m.text for m in groups[None]] == ["untagged"]
    assert group_by_focus_area([]) == {}


@pytest.mark.parametrize(
    ("line", "column", "expected"),
    [
        ("+ good #", 8, ""),
        ("+ good #ear", 11, "ear"),
        ("+ good #early-he", 16, "early-he"),
        ("#pra", 4, "pra"),
        ("(#pa) more", 4, "pa"),
        ("+ good #early and more", 11, "ear"),
        ("+ good #early and more", 18, None),
        ("uses C#", 7, None),
        ("issue#3", 7, None),
        ("+ good", 6, None),
        ("", 0, None),
        ("#pra", 99, "pra"),
    ],
)
def test_partial_tag_before_the_cursor(line: str, column: int, expected: str | None) -> None:
    assert partial_tag_at(line, column) == expected


def test_complete_tag_keeps_the_given_order_and_ignores_case() -> None:
    assert complete_tag("", FOCUS_AREAS) == FOCUS_AREAS
    assert complete_tag("P", FOCUS_AREAS) == ["practice", "partnership"]
    assert complete_tag("early", FOCUS_AREAS) == ["early-help"]
    assert complete_tag("zz", FOCUS_AREAS) == []


def test_every_mark_of_a_long_note_is_found() -> None:
    """The parser's time on a 20,000-character note is in ``make bench`` (autosave figures)."""
    chunk = "[10:42] + good supervision at the front door #practice\n" + "plain note text " * 4 + "\n"
    body = (chunk * (20_000 // len(chunk) + 1))[:20_000]
    marks = parse_marks(body, FOCUS_AREAS)
    assert len(marks) == body.count("\n[10:42] + good") + 1
    assert all(mark.tags == ("practice",) for mark in marks[:-1])
