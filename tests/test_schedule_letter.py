"""The schedule fields the letter and the deck read: `cases:` on case file audits, and the
`letter:` and `presentation:` blocks. Mistakes are reported like any other field's, with the
file's line; the small review of the export tests is the schedule (another council)."""

from __future__ import annotations

import datetime as dt

import pytest

from peerreview_tui.schedule import ScheduleError, parse_schedule
from tests.small_review import schedule_text, small_schedule

AUDIT = "days[0].sessions[2]"  # the first case file audit of the small review
INTERVIEW = "days[0].sessions[1]"


def problems(schedule: dict) -> list[str]:
    text = schedule_text(schedule)
    with pytest.raises(ScheduleError) as raised:
        parse_schedule(text, "small.yaml")
    return [str(problem) for problem in raised.value.problems]


def line_of(schedule: dict, needle: str, after: str = "") -> int:
    """The line of the file (1-based) where ``needle`` first appears after ``after``."""
    lines = schedule_text(schedule).splitlines()
    start = next(i for i, line in enumerate(lines) if after in line) if after else 0
    return next(i for i, line in enumerate(lines) if i >= start and needle in line) + 1


def with_cases(value, session: int = 2) -> dict:
    schedule = small_schedule()
    schedule["days"][0]["sessions"][session]["cases"] = value
    return schedule


def test_the_small_review_and_its_case_counts_load() -> None:
    loaded = parse_schedule(schedule_text(small_schedule()), "small.yaml").schedule
    assert [s.cases for _, s in loaded.sessions() if s.kind == "case_file_audit"] == [6, 8]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (0, "0 is not a number of case files (1 to 500)"),
        (501, "501 is not a number of case files (1 to 500)"),
        (-3, "-3 is not a number of case files (1 to 500)"),
        ("several", "'several' is not a whole number"),
        (2.5, "2.5 is not a whole number"),
        (True, "True is not a whole number"),
    ],
)
def test_a_case_count_that_is_not_one_is_reported_at_its_line(value, message: str) -> None:
    schedule = with_cases(value)
    line = line_of(schedule, "cases:", after="mon-1030-files")
    assert problems(schedule) == [f"small.yaml:{line}: {AUDIT}.cases: {message}"]


def test_cases_on_a_session_that_audits_no_files_is_refused() -> None:
    schedule = with_cases(4, session=1)
    line = line_of(schedule, "cases:", after="mon-0900-director")
    assert problems(schedule) == [
        f"small.yaml:{line}: {INTERVIEW}.cases: only a case_file_audit session counts case files "
        "(this one is interview)"
    ]


def test_a_misspelt_cases_field_is_named_with_the_right_one() -> None:
    schedule = small_schedule()
    schedule["days"][0]["sessions"][2]["case"] = 6
    [problem] = problems(schedule)
    assert f"{AUDIT}.case: is not a known field here (did you mean 'cases'?)" in problem


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("date", "next Tuesday", "'next Tuesday' is not a date (YYYY-MM-DD)"),
        ("date", "2024-02-30", "'2024-02-30' is not a date (YYYY-MM-DD)"),
        ("numbered_paragraphs", "sometimes", "'sometimes' is not true or false"),
        ("next_steps", "Call us", "expected a list, got 'Call us'"),
        ("marking", "x" * 81, "is 81 characters long; a marking fits on one line (at most 80)"),
    ],
)
def test_a_bad_letter_setting_is_reported_at_its_line(field: str, value, message: str) -> None:
    schedule = small_schedule()
    schedule["review"]["letter"][field] = value
    line = line_of(schedule, f"{field}:", after="letter:")
    [problem] = problems(schedule)
    assert problem.startswith(f"small.yaml:{line}: review.letter.{field}: {message}")


def test_the_letter_and_presentation_settings_load() -> None:
    schedule = small_schedule(presentation={"next_steps": ["A letter by 18 March"]})
    schedule["review"]["letter"] |= {
        "date": dt.date(2024, 3, 18),
        "marking": "OFFICIAL-SENSITIVE",
        "numbered_paragraphs": True,
        "next_steps": ["One.", "Two."],
    }
    review = parse_schedule(schedule_text(schedule), "small.yaml").schedule.review
    assert review.letter is not None and review.presentation is not None
    assert (review.letter.date, review.letter.marking, review.letter.numbered_paragraphs) == (
        dt.date(2024, 3, 18),
        "OFFICIAL-SENSITIVE",
        True,
    )
    assert review.letter.next_steps == ["One.", "Two."]
    assert review.presentation.next_steps == ["A letter by 18 March"]


def test_an_unknown_presentation_field_is_named() -> None:
    schedule = small_schedule(presentation={"next_step": ["A letter"]})
    [problem] = problems(schedule)
    assert "review.presentation.next_step: is not a known field here (did you mean 'next_steps'?)" in problem
