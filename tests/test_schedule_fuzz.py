"""Fuzzing the schedule loader from the example file.

However a schedule file is broken, the loader either accepts it or says why: a ScheduleError
whose every problem has a message and points at a line that exists. Two ways in: (a) edits to
the text, as a hurried user makes them; (b) edits to the data, dumped back to YAML.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peerreview_tui.schedule import LoadedSchedule, Problem, ScheduleError, parse_schedule

from .conftest import examples

EXAMPLE = Path(__file__).parent.parent / "schedule.example.yaml"
EXAMPLE_TEXT = EXAMPLE.read_text()
EXAMPLE_LINES = EXAMPLE_TEXT.splitlines(keepends=True)
EXAMPLE_DATA = yaml.safe_load(EXAMPLE_TEXT)
NAME = "fuzz.yaml"

FUZZ = settings(max_examples=examples(30), deadline=None, suppress_health_check=[HealthCheck.too_slow])
Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def check_problems(problems: list[Problem], text: str) -> None:
    lines = len(text.splitlines())  # splits at every line break YAML knows, and a few more
    for problem in problems:
        assert problem.file == NAME, problem
        assert problem.message.strip(), problem
        if problem.line is not None:
            assert 1 <= problem.line <= lines + 1, f"{problem} (the text has {lines} lines)"


def load_or_explain(text: str, as_bytes: bool = False) -> LoadedSchedule | None:
    """The property: a LoadedSchedule, or a ScheduleError that says where and what."""
    try:
        loaded = parse_schedule(text.encode() if as_bytes else text, NAME)
    except ScheduleError as error:
        assert error.problems, "a ScheduleError with no problems"
        check_problems(error.problems, text)
        return None
    assert isinstance(loaded, LoadedSchedule)
    check_problems(loaded.warnings, text)
    return loaded


# --- (a) Edits to the text -----------------------------------------------------------------

# Any character but lone surrogates (which cannot be written to a file): NUL, C0/C1 controls and
# U+FFFE included, since the loader must report those too.
UNICODE = st.characters(exclude_categories=("Cs",))
SYNTAX = [":", ": ", "-", "- ", "\t", "[", "]", "{", "}", "&", "*", '"', "'", "#", "!", "!!", "|", ">",
          "%", "@", "`", ",", "?", "\n", " ", "  ", "\\", "~", "<<", "\r", "\x85", "\u2028"]  # fmt: skip
SNIPPET = st.one_of(
    st.sampled_from(SYNTAX),
    st.text(UNICODE, min_size=1, max_size=4),
    st.lists(st.one_of(st.sampled_from(SYNTAX), UNICODE), min_size=1, max_size=4).map("".join),
)
EDITS = ["delete line", "duplicate line", "swap lines", "replace character", "insert text"]


@st.composite
def edited_example(draw: st.DrawFn) -> str:
    lines = list(EXAMPLE_LINES)
    for _ in range(draw(st.integers(1, 3))):
        # Edit lines with content: a third of the example's lines are comments or blank.
        content = [n for n, line in enumerate(lines) if line.strip() and not line.lstrip().startswith("#")]
        edit = draw(st.sampled_from(EDITS))
        i = draw(st.sampled_from(content))
        if edit == "delete line":
            del lines[i]
        elif edit == "duplicate line":
            lines.insert(i, lines[i])
        elif edit == "swap lines":
            j = draw(st.sampled_from(content))
            lines[i], lines[j] = lines[j], lines[i]
        else:
            line = lines[i]
            at = draw(st.integers(0, len(line) - 1))
            rest = line[at + 1 :] if edit == "replace character" else line[at:]
            lines[i] = line[:at] + draw(SNIPPET) + rest
    return "".join(lines)


@FUZZ
@given(text=edited_example(), as_bytes=st.booleans())
def test_edited_example_loads_or_says_where(text: str, as_bytes: bool) -> None:
    load_or_explain(text, as_bytes)


# --- (b) Edits to the data -----------------------------------------------------------------


def _paths(node: Any, here: tuple = ()) -> list[tuple]:
    """Every place in the tree below the root, as a tuple of keys and indices."""
    found = [here] if here else []
    if isinstance(node, dict):
        children = list(node.items())
    elif isinstance(node, list):
        children = list(enumerate(node))
    else:
        children = []
    for key, child in children:
        found += _paths(child, (*here, key))
    return found


def _get(data: Any, path: tuple) -> Any:
    for key in path:
        data = data[key]
    return data


def _exists(data: Any, path: tuple) -> bool:
    for key in path:
        if (isinstance(data, dict) and key in data) or (
            isinstance(data, list) and isinstance(key, int) and key < len(data)
        ):
            data = data[key]
        else:
            return False
    return True


PATHS = _paths(EXAMPLE_DATA)
FIELDS = sorted({path[-1] for path in PATHS if isinstance(path[-1], str)})
IDS = sorted({str(_get(EXAMPLE_DATA, path)) for path in PATHS if path[-1] == "id"})
# Values that mean something in a schedule, so that edits also reach the checks after the types:
# ids (duplicates, unknown references), times, dates, kinds, field names.
MEANINGFUL = st.sampled_from(
    [
        *IDS,
        *FIELDS,
        "25:00",
        "9:30",
        "10:30",
        "23:59",
        "0:00",
        "2012-09-10",
        "2012-09-15",
        "meeting",
        "",
        " ",
        "lead",
        "true",
        "no",
        "~",
        "null",
    ]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=20),
    st.dates(),
    MEANINGFUL,
)
JSONISH = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.one_of(st.text(max_size=10), st.sampled_from(FIELDS)), children, max_size=3),
    ),
    max_leaves=6,
)


@st.composite
def edited_data(draw: st.DrawFn) -> Any:
    data = copy.deepcopy(EXAMPLE_DATA)
    for _ in range(draw(st.integers(1, 2))):
        path = draw(st.sampled_from(PATHS))
        if not _exists(data, path):  # an earlier edit replaced a parent
            continue
        parent = _get(data, path[:-1])
        if draw(st.integers(0, 4)) == 0:
            del parent[path[-1]]  # a field or an entry left out
        else:
            parent[path[-1]] = draw(JSONISH)
    return data


def _session_ids(data: dict) -> list[str]:
    return [session["id"].strip() for day in data["days"] for session in day.get("sessions", [])]


@FUZZ
@given(data=edited_data())
def test_edited_data_loads_or_says_where(data: Any) -> None:
    text = yaml.dump(data, Dumper=Dumper, sort_keys=False, allow_unicode=True, default_flow_style=None)
    loaded = load_or_explain(text)
    if loaded is not None:  # nothing accepted is lost on the way
        assert [s.id for _, s in loaded.schedule.sessions()] == _session_ids(data)
