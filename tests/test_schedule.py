"""The schedule loader: what a user sees when their schedule file is wrong.

Each file in tests/schedules/ is a tiny, otherwise valid schedule with one mistake; EXPECTED below
is what the loader says about it (``file:line: field: message``), so this list doubles as the
catalogue of messages users get. Run `peerreview check tests/schedules/<file>` to see one live.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from peerreview_tui.schedule import MAX_BYTES, LoadedSchedule, ScheduleError, load_schedule, parse_schedule

HERE = Path(__file__).parent
CORPUS = HERE / "schedules"
EXAMPLE = HERE.parent / "schedule.example.yaml"


def case(*expected: str, bug: str | None = None):
    """One corpus file and every problem the loader should report for it, in order. Each
    expected line is a prefix of ``str(problem)``: the file, line and field exactly, then the
    start of the message."""
    file = expected[0].split(":", 1)[0]
    marks = [pytest.mark.xfail(reason=bug, strict=True, raises=AssertionError)] if bug else []
    return pytest.param(file, list(expected), marks=marks, id=file.removesuffix(".yaml"))


EXPECTED = [
    # --- YAML syntax ---
    case("alias.yaml:36: not valid YAML: anchors and aliases (& and *) are not supported"),
    case("duplicate_key.yaml:5: review.title: appears twice"),
    case("list_as_key.yaml:27: days[0].sessions[0]: a key must be a plain name"),
    case(
        "tabs.yaml:26: not valid YAML: found character '\\t' that cannot start any token "
        "(indent with spaces, not tabs)"
    ),
    # PyYAML notices the missing ']' where the next field starts, one line below the bracket.
    case("unclosed_bracket.yaml:29: not valid YAML: expected ',' or ']', but got ':'"),
    case("unquoted_colon.yaml:25: not valid YAML: mapping values are not allowed here"),
    # ESC, from a title pasted out of a terminal with its colour codes
    case("control_character.yaml:25: contains a control character (0x1b) that YAML does not allow"),
    # --- the file as a whole ---
    case("empty.yaml: is empty; copy schedule.example.yaml to start one"),
    case(
        "not_a_mapping.yaml:2: expected a mapping with review, focus_areas, reviewers and days "
        "at the top, got a list"
    ),
    case("review_not_mapping.yaml:2: review: expected a mapping (name: value lines), got 'Tiny review'"),
    # The missing section is reported where the document starts, the misspelt one at its line.
    case(
        "misspelt_section.yaml:2: reviewers: is required",
        "misspelt_section.yaml:12: reviewer: is not a known field here (did you mean 'reviewers'?)",
    ),
    case("no_days.yaml:19: days: needs at least one entry"),
    # --- fields ---
    case("missing_field.yaml:22: days[0].sessions[0].title: is required"),
    case(
        "unknown_field.yaml:27: days[0].sessions[0].locaton: is not a known field here (did you mean 'location'?)"
    ),
    # Not "did you mean 'date'?": the hint offers only the fields of a session.
    case(
        "field_in_wrong_place.yaml:27: days[0].sessions[0].date: is not a known field here (expected one of: "
        "id, start, end, title, kind, location, reviewers, focus_areas, participants, prompts, cases)"
    ),
    case("wrong_type_list.yaml:28: days[0].sessions[0].reviewers: expected a list, got 'lead'"),
    case("number_for_text.yaml:25: days[0].sessions[0].title: expected text, got the number 42"),
    case("empty_title.yaml:25: days[0].sessions[0].title: must not be empty"),
    case(
        "bad_id.yaml:22: days[0].sessions[0].id: 'Mon 0930' is not an id "
        "(lower-case letters, digits and '-', at most 48)"
    ),
    case("bad_time.yaml:24: days[0].sessions[0].end: '25:00' is not a time (HH:MM)"),
    case("bad_date.yaml:20: days[0].date: '4 March 2024' is not a date (YYYY-MM-DD)"),
    case("impossible_date.yaml:20: days[0].date: '2024-02-30' is not a date (YYYY-MM-DD)"),
    case(
        "bad_kind.yaml:26: days[0].sessions[0].kind: 'meting' is not one of: interview, focus_group, "
        "case_file_audit, site_visit, observation, meeting, presentation or other"
    ),
    case("bad_lead_value.yaml:15: reviewers[0].lead: 'maybe' is not true or false"),
    case(
        "bad_count.yaml:30: days[0].sessions[0].participants[0].count: should be greater than or equal to 1"
    ),
    # --- checks across the file ---
    case("end_before_start.yaml:24: days[0].sessions[0].end: '09:00' is not after the start, '09:30'"),
    # One mistake, one problem: the days are not also called outside an impossible review.
    case("review_end_before_start.yaml:7: review.end: 2024-03-01 is before the start, 2024-03-04"),
    case(
        "day_outside_review.yaml:20: days[0].date: 2024-03-05 is outside the review (2024-03-04 to 2024-03-04)"
    ),
    case(
        "no_lead.yaml:12: reviewers: no reviewer has 'lead: true'; the lead agrees findings and signs the letter"
    ),
    case("two_leads.yaml:19: reviewers[1].lead: only one reviewer can be the lead"),
    case("duplicate_reviewer_id.yaml:16: reviewers[1].id: 'lead' is used twice; ids must be unique"),
    case(
        "duplicate_session_id.yaml:30: days[0].sessions[1].id: 'mon-0930-dcs' is used twice; ids must be unique"
    ),
    case("duplicate_day.yaml:30: days[1].date: '2024-03-04' is used twice; ids must be unique"),
    case(
        "unknown_reviewer.yaml:28: days[0].sessions[0].reviewers[1]: 'pear' is not a reviewer in this "
        "file (did you mean 'peer'?)"
    ),
    case(
        "unknown_focus_area.yaml:29: days[0].sessions[0].focus_areas[0]: 'practise' is not a focus "
        "area in this file (did you mean 'practice'?)"
    ),
]


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ScheduleError) as caught:
        load_schedule(path)
    problems = caught.value.problems
    assert str(caught.value) == "\n".join(str(p) for p in problems)
    return [str(p) for p in problems]


@pytest.mark.parametrize(("file", "expected"), EXPECTED)
def test_bad_file_reports_its_problem_at_its_line(file: str, expected: list[str]) -> None:
    problems = problems_of(CORPUS / file)
    assert len(problems) == len(expected), problems
    for got, want in zip(problems, expected, strict=True):
        assert got.startswith(want), f"\n got: {got}\nwant: {want}..."


def test_every_corpus_file_has_an_expectation() -> None:
    checked = {param.values[0] for param in EXPECTED}
    assert checked == {p.name for p in CORPUS.glob("*.yaml")}


def test_corpus_files_are_one_edit_from_a_valid_schedule() -> None:
    """The corpus stays honest: the files it derives from load cleanly."""
    text = (CORPUS / "bad_time.yaml").read_text().replace('end: "25:00"', 'end: "10:30"')
    assert parse_schedule(text, "fixed.yaml").warnings == []


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "kind: meeting",
            "kind:",
            "tiny.yaml:26: days[0].sessions[0].kind: is empty; expected one of: interview, ",
        ),
        (
            "  - date: 2024-03-04",
            "  - date:",
            "tiny.yaml:20: days[0].date: is empty; expected a date (YYYY-MM-DD)",
        ),
        ("lead: true", "lead:", "tiny.yaml:15: reviewers[0].lead: is empty; expected true or false"),
        (
            "title: Opening meeting",
            "title:",
            "tiny.yaml:25: days[0].sessions[0].title: is empty; expected text",
        ),
    ],
    ids=["kind", "date", "lead", "title"],
)
def test_an_empty_value_says_what_it_should_be(old: str, new: str, expected: str) -> None:
    """A field left blank is 'empty', never Python's None."""
    text = (CORPUS / "bad_time.yaml").read_text().replace('end: "25:00"', 'end: "10:30"')
    with pytest.raises(ScheduleError) as caught:
        parse_schedule(text.replace(old, new), "tiny.yaml")
    [problem] = [str(p) for p in caught.value.problems]
    assert problem.startswith(expected)
    assert "None" not in problem


def test_every_mistake_is_reported_at_once() -> None:
    """Fixing a file takes one round per kind of check, not one per mistake."""
    text = (CORPUS / "bad_time.yaml").read_text()
    with pytest.raises(ScheduleError) as caught:
        parse_schedule(text.replace("kind: meeting", "kind: meting"), "two.yaml")
    assert [str(p) for p in caught.value.problems] == [
        "two.yaml:24: days[0].sessions[0].end: '25:00' is not a time (HH:MM)",
        "two.yaml:26: days[0].sessions[0].kind: 'meting' is not one of: interview, focus_group, "
        "case_file_audit, site_visit, observation, meeting, presentation or other",
    ]
    fixed_types = text.replace('end: "25:00"', 'end: "09:00"').replace("[lead, peer]", "[lead, pear]")
    with pytest.raises(ScheduleError) as caught:
        parse_schedule(fixed_types, "two.yaml")
    assert [str(p) for p in caught.value.problems] == [
        "two.yaml:24: days[0].sessions[0].end: '09:00' is not after the start, '09:30'",
        "two.yaml:28: days[0].sessions[0].reviewers[1]: 'pear' is not a reviewer in this file "
        "(did you mean 'peer'?)",
    ]


def test_line_numbers_are_the_same_with_windows_line_endings_and_a_bom(tmp_path: Path) -> None:
    text = (CORPUS / "bad_time.yaml").read_text()
    path = tmp_path / "bad_time.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    assert problems_of(path) == ["bad_time.yaml:24: days[0].sessions[0].end: '25:00' is not a time (HH:MM)"]


# --- The example file --------------------------------------------------------------------


def test_example_loads_with_no_warnings() -> None:
    loaded = load_schedule(EXAMPLE)
    schedule = loaded.schedule
    assert loaded.warnings == []
    assert len(schedule.sessions()) == 45
    assert len(schedule.days) == 5
    assert len(schedule.reviewers) == 6
    assert [f.id for f in schedule.focus_areas] == ["practice", "early-help", "partnership", "commissioning"]
    assert schedule.lead is not None and schedule.lead.id == "lead"
    day, first = schedule.sessions()[0]
    assert (str(day.date), first.id, first.start, first.end) == (
        "2012-09-10",
        "mon-0830-setup",
        "08:30",
        "09:15",
    )


# --- A small schedule to vary ------------------------------------------------------------

HEAD = """\
review:
  id: tiny
  title: Tiny review
  council: Tinytown Council
  start: 2024-03-04
  end: 2024-03-05
focus_areas:
  - id: practice
    title: Quality of practice
reviewers:
  - id: lead
    name: Ann Lead
    role: Review lead
    lead: true
  - id: peer
    name: Bob Peer
    role: Officer peer
days:
"""  # 18 lines: the first day is on line 19, its first session on line 21


def tiny(days: str) -> LoadedSchedule:
    return parse_schedule(HEAD + days, "tiny.yaml")


def test_unquoted_times_are_read_as_times() -> None:
    """YAML 1.1 reads 10:30 as 630 (base 60); the loader must not."""
    loaded = tiny(
        "  - date: 2024-03-04\n"
        "    sessions:\n"
        "      - id: a\n"
        "        start: 9:30\n"
        "        end: 10:30\n"
        "        title: Opening meeting\n"
        "        kind: meeting\n"
    )
    [(_, session)] = loaded.schedule.sessions()
    assert (session.start, session.end) == ("09:30", "10:30")


@pytest.mark.parametrize("word", ["no", "No", "yes", "on", "off", "NO"])
def test_yes_and_no_stay_text(word: str) -> None:
    """YAML 1.1 reads these as booleans; a title 'No' would then be 'expected text, got false'."""
    loaded = tiny(
        "  - date: 2024-03-04\n"
        "    sessions:\n"
        f"      - {{id: a, start: '09:30', end: '10:30', title: {word}, kind: meeting, location: {word}}}\n"
    )
    [(_, session)] = loaded.schedule.sessions()
    assert (session.title, session.location) == (word, word)


def test_reviewer_in_two_overlapping_sessions_is_a_warning_naming_both() -> None:
    """By the reviewer's name and the sessions' day, time and title: what a person reads."""
    loaded = tiny(
        "  - date: 2024-03-04\n"
        "    sessions:\n"
        "      - {id: mon-0930-dcs, start: '09:30', end: '10:30', title: A, kind: interview, reviewers: [lead, peer], location: Room 1}\n"
        "      - {id: mon-1000-ce, start: '10:00', end: '11:00', title: B, kind: interview, reviewers: [lead], location: Room 2}\n"
    )
    assert len(loaded.schedule.sessions()) == 2  # still usable
    assert [str(w) for w in loaded.warnings] == [
        "tiny.yaml:22: days[0].sessions[1]: Ann Lead is booked in both Monday 09:30 A and Monday 10:00 B"
    ]


def test_double_booked_room_is_a_warning_naming_both() -> None:
    """Rooms match whatever their case and surrounding spaces."""
    loaded = tiny(
        "  - date: 2024-03-04\n"
        "    sessions:\n"
        "      - {id: mon-1000-b, start: '10:00', end: '11:00', title: B, kind: interview, reviewers: [peer], location: 'room 2.14 '}\n"
        "      - {id: mon-0930-a, start: '09:30', end: '10:30', title: A, kind: interview, reviewers: [lead], location: Room 2.14}\n"
    )
    # Named in time order, and reported at the later session.
    assert [str(w) for w in loaded.warnings] == [
        "tiny.yaml:21: days[0].sessions[0]: room 'Room 2.14' is booked in both "
        "Monday 09:30 A and Monday 10:00 B"
    ]


def test_back_to_back_sessions_do_not_clash() -> None:
    loaded = tiny(
        "  - date: 2024-03-04\n"
        "    sessions:\n"
        "      - {id: a, start: '09:30', end: '10:30', title: A, kind: interview, reviewers: [lead], location: Room 1}\n"
        "      - {id: b, start: '10:30', end: '11:30', title: B, kind: interview, reviewers: [lead], location: Room 1}\n"
    )
    assert loaded.warnings == []


def test_the_same_slot_on_two_days_does_not_clash() -> None:
    loaded = tiny(
        "  - date: 2024-03-04\n"
        "    sessions:\n"
        "      - {id: a, start: '09:30', end: '10:30', title: A, kind: interview, reviewers: [lead], location: Room 1}\n"
        "  - date: 2024-03-05\n"
        "    sessions:\n"
        "      - {id: b, start: '09:30', end: '10:30', title: B, kind: interview, reviewers: [lead], location: Room 1}\n"
    )
    assert loaded.warnings == []


def test_times_without_a_leading_zero_are_compared_as_times() -> None:
    """'9:45' sorts after '10:00' as text; as times it is earlier, so these do not clash."""
    loaded = tiny(
        "  - date: 2024-03-04\n"
        "    sessions:\n"
        "      - {id: a, start: '9:00', end: '9:45', title: A, kind: interview, reviewers: [lead]}\n"
        "      - {id: b, start: '10:00', end: '11:00', title: B, kind: interview, reviewers: [lead]}\n"
        "      - {id: c, start: '9:30', end: '10:15', title: C, kind: interview, reviewers: [peer]}\n"
        "      - {id: d, start: '10:00', end: '10:30', title: D, kind: interview, reviewers: [peer]}\n"
    )
    assert [str(w) for w in loaded.warnings] == [
        "tiny.yaml:24: days[0].sessions[3]: Bob Peer is booked in both Monday 09:30 C and Monday 10:00 D"
    ]


def test_a_group_written_as_a_name_is_a_warning_that_suggests_count(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from peerreview_tui.cli import main

    days = (
        "  - date: 2024-03-04\n"
        "    sessions:\n"
        "      - id: a\n"
        "        start: '09:30'\n"
        "        end: '10:30'\n"
        "        title: Focus group\n"
        "        kind: focus_group\n"
        "        participants:\n"
        "          - {role: Social worker, name: Eight social workers}\n"
        "          - {role: Parents}\n"
        "          - {role: Foster carers, count: 5}\n"
        "          - {role: Cabinet member for children and families, name: Cllr Dana Whitlow}\n"
    )
    loaded = tiny(days)
    assert [str(w) for w in loaded.warnings] == [
        "tiny.yaml:27: days[0].sessions[0].participants[0].name: 'Eight social workers' looks like a group, "
        "not one person's name: describe them by role with 'count: 8' and leave 'name:' out "
        "(names are only for checking that exports name no one)",
        "tiny.yaml:28: days[0].sessions[0].participants[1].role: 'Parents' sounds like several people: "
        "say how many with 'count: N' (otherwise the role counts as one person's)",
    ]
    path = tmp_path / "tiny.yaml"
    path.write_text(HEAD + days)
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 0  # a warning, not an error: the file still loads
    assert "warning: " in result.output and "'count: 8'" in result.output


# --- Files that are not schedules --------------------------------------------------------


def single_problem(path: Path) -> str:
    [problem] = problems_of(path)
    return problem


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "schedule.yaml"
    assert single_problem(path) == f"{path}: no such file"


def test_folder(tmp_path: Path) -> None:
    (tmp_path / "week").mkdir()
    assert single_problem(tmp_path / "week") == "week: is a folder, not a schedule file"


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "photo.yaml"
    path.write_bytes(b"\x00" + random.Random(2012).randbytes(4096))
    assert single_problem(path) == "photo.yaml:1: is not UTF-8 text (is this a binary file?)"


def test_nul_byte_in_text(tmp_path: Path) -> None:
    path = tmp_path / "schedule.yaml"
    text = EXAMPLE.read_bytes()
    path.write_bytes(text.replace(b"Review team set-up meeting", b"Review\x00team"))
    line = text[: text.index(b"Review team set-up meeting")].count(b"\n") + 1
    assert single_problem(path) == f"schedule.yaml:{line}: contains binary data, not YAML text"


def test_non_utf8_text_names_the_line(tmp_path: Path) -> None:
    """A file saved as Latin-1 (e.g. by an old editor): the é of café is one byte, not two."""
    text = (CORPUS / "bad_time.yaml").read_text().replace("Opening meeting", "Meeting at the café")
    path = tmp_path / "latin1.yaml"
    path.write_bytes(text.encode("latin-1"))
    assert single_problem(path) == "latin1.yaml:25: is not UTF-8 text (is this a binary file?)"


def test_utf16_file(tmp_path: Path) -> None:
    path = tmp_path / "notepad.yaml"
    path.write_bytes(EXAMPLE.read_text().encode("utf-16"))
    assert single_problem(path) == "notepad.yaml:1: is not UTF-8 text (is this a binary file?)"


def test_file_over_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_bytes(b"#" * (3 * 1024 * 1024))
    assert single_problem(path) == "huge.yaml: is 3.0 MB; a schedule file is at most 2 MB"


def test_file_at_the_size_limit_loads(tmp_path: Path) -> None:
    example = EXAMPLE.read_bytes()
    padding = MAX_BYTES - len(example)
    path = tmp_path / "padded.yaml"
    path.write_bytes(example + (b"#" * 99 + b"\n") * (padding // 100) + b"\n" * (padding % 100))
    assert path.stat().st_size == MAX_BYTES
    assert len(load_schedule(path).schedule.sessions()) == 45


def test_one_byte_over_the_limit_does_not_read_as_the_limit(tmp_path: Path) -> None:
    """Rounded up: '2.0 MB; at most 2 MB' would contradict itself."""
    path = tmp_path / "big.yaml"
    path.write_bytes(b"#" * (MAX_BYTES + 1))
    assert single_problem(path) == "big.yaml: is 2.1 MB; a schedule file is at most 2 MB"


@pytest.mark.parametrize(
    "text",
    ["[" * 10000, "{" * 10000, "- " * 10000, "[" * 5000 + "]" * 5000],
    ids=["open-brackets", "open-braces", "dashes", "closed-brackets"],
)
def test_deep_nesting_is_a_problem_not_a_crash(tmp_path: Path, text: str) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text(text)
    assert single_problem(path) == "deep.yaml: is nested too deeply"


def test_deep_nesting_inside_a_field_is_a_problem_not_a_crash() -> None:
    text = (CORPUS / "bad_time.yaml").read_text().replace("kind: meeting", "kind: " + "[" * 3000 + "]" * 3000)
    with pytest.raises(ScheduleError) as caught:
        parse_schedule(text, "deep.yaml")
    assert [str(p) for p in caught.value.problems] == ["deep.yaml: is nested too deeply"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("title: b\x1b[0m", "hostile.yaml:1: contains a control character (0x1b) that YAML does not allow"),
        (
            "a: 1\ntitle: b\x07",
            "hostile.yaml:2: contains a control character (0x07) that YAML does not allow",
        ),
    ],
    ids=["escape", "bell"],
)
def test_what_pyyaml_chokes_on_is_a_problem_with_a_line(tmp_path: Path, text: str, expected: str) -> None:
    """These escaped as ReaderError in an earlier loader."""
    path = tmp_path / "hostile.yaml"
    path.write_bytes(text.encode())
    assert single_problem(path) == expected


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\xef\xbb\xbf",
        b"---\n...\n",
        b"null",
        b"a: &x [*x]",
        b"!!python/object/apply:os.system ['true']",
        b"review: !!python/object/apply:os.system ['true']",
        b"? [a]\n: b\n",
        b"%YAML 1.1\n%YAML 1.1\n--- {}\n",
        b"%TAG ! tag:evil,2000:\n--- !x {}\n",
        b"a: 2024-02-30\n",
        b"a: 2024-03-04 25:00\n",
        b"a: !!int x\n",
        b"a: !!float x\n",
        b"a: !!omap [{b: 1}, 3]",
        b"<<: 3",
        b"'unterminated",
        b'"\\xZZ"',
        b"\xff\xfe\x00",
        "a: \x85\u2028\ufeff".encode(),
        EXAMPLE.read_bytes() + b"\n---\n" + EXAMPLE.read_bytes(),
        b"a: !!timestamp soon",
        b"a: !!bool ''",
        b"a: !!int ''",
        b"a: \x01\x02",
        b"a: \xef\xbf\xbe",  # U+FFFE
    ],
    ids=lambda raw: repr(raw[:40]),
)
def test_only_schedule_error_escapes(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "hostile.yaml"
    path.write_bytes(raw)
    with pytest.raises(ScheduleError) as caught:
        load_schedule(path)
    assert caught.value.problems
    assert all(p.message.strip() and p.file == "hostile.yaml" for p in caught.value.problems)
