"""CSV imports of the sources that are not notes: performance data and the staff questionnaire.

All or nothing: every row is checked first, and one bad row means nothing is written. Problems
name rows as a spreadsheet shows them (the header is row 1). Item ids derive from the content,
so importing a file again updates its items instead of duplicating them."""

from __future__ import annotations

import csv
import difflib
import io
import math
import re
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .models import ID_NAMESPACE, EvidenceKind, SourceKind
from .store import Store, week
from .store.evidence_items import upsert_evidence

MAX_PROBLEMS = 20  # a wrong file has a problem on every row; the first few say enough
PERFORMANCE_COLUMNS = (
    "indicator",
    "period",
    "value",
    "statistical_neighbours",
    "england",
    "note",
    "focus_area",
)
SUMMARY_COLUMNS = ("question", "option", "count", "focus_area")
COMPARATORS = {"statistical_neighbours": "statistical neighbours", "england": "England"}
AGREE = {"strongly agree", "agree", "tend to agree"}
DISAGREE = {"tend to disagree", "disagree", "strongly disagree"}
LIKERT = (
    AGREE
    | DISAGREE
    | {
        "neither agree nor disagree",
        "neither agree or disagree",
        "neither",
        "neutral",
        "don't know",
        "not sure",
        "no opinion",
        "not applicable",
        "n/a",
    }
)
Item = dict[str, Any]  # an evidence item's fields, as upsert_evidence takes them
Counts = dict[str, dict[str, int]]  # question -> answer option -> how many gave it
_THOUSANDS = re.compile(r"[-+]?\d{1,3}(,\d{3})+(\.\d*)?")


class CsvImportError(Exception):
    """A CSV file that cannot be imported; ``problems`` says where and why, one line each."""

    def __init__(self, problems: list[str]):
        if len(problems) > MAX_PROBLEMS:
            problems = [*problems[:MAX_PROBLEMS], f"... and {len(problems) - MAX_PROBLEMS} more problems"]
        super().__init__("\n".join(problems))
        self.problems = problems


def import_performance(store: Store, path: Path, actor: str) -> int:
    """Import performance indicators; returns the number of items written.

    Columns (the first row names them; case, spaces and underscores are ignored; any order):

    - ``indicator`` (required): e.g. ``Re-referrals within 12 months``
    - ``period`` (required): e.g. ``2011/12``
    - ``value`` (required): a number, shown as written (``24.0%``, ``1,840``, ``612.4``)
    - ``statistical_neighbours``, ``england`` (optional): comparator numbers, may be blank
    - ``note`` (optional): a short comment shown after the figures
    - ``focus_area`` (optional): a focus-area id or title; several separated by ``;``

    One evidence item per row. An indicator has one item per period, so importing a corrected
    file updates it; a blank ``focus_area`` keeps the tags added in the app.
    """
    table = _read_csv(path)
    _find_columns(table, PERFORMANCE_COLUMNS, ("indicator", "period", "value"))
    areas = _focus_area_lookup(store)
    items: dict[str, Item] = {}
    seen: dict[str, int] = {}
    for row_no, row in table.records():
        for column in ("value", "statistical_neighbours", "england"):
            if row[column] and _number(row[column]) is None:
                table.problem(row_no, column, f"{row[column]!r} is not a number")
        tags = table.focus_areas(row_no, row["focus_area"], areas)
        key = f"performance/{_fold(row['indicator'])}/{_fold(row['period'])}"
        if key in seen and row["indicator"]:
            table.problem(
                row_no, None, f"{row['indicator']!r} for {row['period']} is already on row {seen[key]}"
            )
        seen.setdefault(key, row_no)
        comparators = ", ".join(
            f"{label} {row[column]}" for column, label in COMPARATORS.items() if row[column]
        )
        text = f"{row['indicator']} ({row['period']}): {row['value']}"
        text += (f" ({comparators})" if comparators else "") + (f" — {row['note']}" if row["note"] else "")
        data: dict[str, Any] = {k: v for k, v in row.items() if v and k != "focus_area"}
        data |= {f"{k}_number": _number(row[k]) for k in ("value", *COMPARATORS) if row[k]}
        items[key] = _item(key, SourceKind.PERFORMANCE_DATA, row["indicator"], text, tags, data)
    table.check()
    with store.write() as db:
        upsert_evidence(db, list(items.values()), actor)
    return len(items)


def import_questionnaire(store: Store, path: Path, actor: str) -> int:
    """Import the online questionnaire's export, summarised per question; returns the number of
    items written (one per question that has answers).

    Two shapes, told apart by the first row:

    - a summary, one row per answer option: ``question``, ``option``, ``count`` (a whole number)
      and, optionally, ``focus_area`` (an id or title, on any of the question's rows);
    - one row per respondent: the first column is ``respondent``, every other column is a
      question (its first cell is the question's text) and each cell is that person's answer
      (blank: not answered). Its items have no focus area: they wait in the app's "to tag" list.

    When every option of a question is on an agree/disagree scale its item gives the share who
    agree ("strongly agree", "agree" or "tend to agree"), otherwise the most common answer.
    """
    table = _read_csv(path)
    tags: dict[str, list[str]]
    if table.header[0].strip().lower().startswith("respondent"):
        counts, tags = _respondent_counts(table), {}
    else:
        hint = " (or, one row per respondent, a first column 'respondent')"
        _find_columns(table, SUMMARY_COLUMNS, ("question", "option", "count"), hint)
        counts, tags = _summary_counts(table, _focus_area_lookup(store))
    answered = {question: answers for question, answers in counts.items() if any(answers.values())}
    questions = [_question_item(text, answers, tags.get(text, [])) for text, answers in answered.items()]
    with store.write() as db:
        upsert_evidence(db, questions, actor)
    return len(questions)


def _summary_counts(table: _Table, areas: dict[str, str]) -> tuple[Counts, dict[str, list[str]]]:
    counts: Counts = {}
    tags: dict[str, list[str]] = {}
    seen: dict[tuple[str, str], int] = {}
    spelt: dict[str, str] = {}  # a question as first written, whatever its case and spacing later
    for row_no, row in table.records():
        question, option, count = " ".join(row["question"].split()), row["option"], row["count"]
        question = spelt.setdefault(_fold(question), question)
        if count and not count.isdigit():
            table.problem(row_no, "count", f"{count!r} is not a whole number")
        found = table.focus_areas(row_no, row["focus_area"], areas)
        key = (_fold(question), _fold(option))
        if key in seen and question and option:
            table.problem(row_no, None, f"option {option!r} of {question!r} is already on row {seen[key]}")
        seen.setdefault(key, row_no)
        counts.setdefault(question, {})[option] = int(count) if count.isdigit() else 0
        tags[question] = list(dict.fromkeys([*tags.get(question, []), *found]))
    table.check()
    return counts, tags


def _respondent_counts(table: _Table) -> Counts:
    questions = [" ".join(cell.split()) for cell in table.header]
    for position, question in enumerate(questions[1:], start=2):
        if not question:
            table.problems.append(f"{table.name}: column {position} has no question in the first row")
        elif _fold(question) in map(_fold, questions[1 : position - 1]):
            table.problems.append(f"{table.name}: column {position}: {question!r} is already a column")
    table.columns = {question: i for i, question in enumerate(questions) if i and question}
    counts: Counts = {question: {} for question in table.columns}
    for _, answers in table.records():
        for question, answer in answers.items():
            if answer := " ".join(answer.split()):
                options = counts[question]  # an answer with other capitals is the same option:
                same = next((o for o in options if o.casefold() == answer.casefold()), answer)
                options[same] = options.get(same, 0) + 1
    table.check()
    return counts


def _question_item(question: str, options: dict[str, int], tags: list[str]) -> dict[str, Any]:
    n = sum(options.values())
    scale = {_fold(option).replace("’", "'") for option in options}
    data: dict[str, Any] = {"question": question, "n": n, "counts": options}
    if scale <= LIKERT and scale & (AGREE | DISAGREE):
        data["agree"] = sum(count for option, count in options.items() if _fold(option) in AGREE)
        text = f'Questionnaire (n={n}): {_percent(data["agree"], n)}% agree that "{question}"'
    else:
        top = data["top"] = max(options, key=lambda option: options[option])
        text = f'Questionnaire (n={n}): the most common answer to "{question}" was "{top}"'
        text += f" ({_percent(options[top], n)}%)"
    return _item(f"questionnaire/{_fold(question)}", SourceKind.QUESTIONNAIRE, question, text, tags, data)


# --- Reading and checking a file -------------------------------------------------------


@dataclass
class _Table:
    """A CSV file read whole, its columns found, collecting problems as rows are checked."""

    name: str
    header: list[str]
    rows: list[tuple[int, list[str]]]  # spreadsheet row number, cells; blank rows left out
    columns: dict[str, int] = field(default_factory=dict)  # every known column; -1 if absent
    required: tuple[str, ...] = ()
    problems: list[str] = field(default_factory=list)

    def records(self) -> Iterator[tuple[int, dict[str, str]]]:
        """Each row as {column: stripped cell}, after checking its cell count and required cells."""
        for row_no, cells in self.rows:
            if len(cells) > len(self.header) and any(cell.strip() for cell in cells[len(self.header) :]):
                columns = f"{len(cells)} cells but the first row names {len(self.header)} columns"
                self.problem(
                    row_no, None, f"{columns} (a comma inside a value? put the value in double quotes)"
                )
                continue  # its values are shifted: checking them would only add noise
            row = {
                column: cells[i].strip() if 0 <= i < len(cells) else "" for column, i in self.columns.items()
            }
            for column in self.required:
                if not row[column]:
                    self.problem(row_no, column, "empty")
            yield row_no, row

    def problem(self, row_no: int, column: str | None, message: str) -> None:
        where = f"row {row_no}, column {column!r}" if column else f"row {row_no}"
        self.problems.append(f"{self.name}: {where}: {message}")

    def focus_areas(self, row_no: int, cell: str, areas: dict[str, str]) -> list[str]:
        found: list[str] = []
        for part in filter(None, (p.strip().lstrip("#").strip() for p in cell.split(";"))):
            if (area := areas.get(_fold(part))) is None:
                hint = _did_you_mean(_fold(part), list(dict.fromkeys(areas.values())))
                self.problem(row_no, "focus_area", f"unknown focus area {part!r}{hint}")
            elif area not in found:
                found.append(area)
        return found

    def check(self) -> None:
        if self.problems:
            raise CsvImportError(self.problems)


def _read_csv(path: Path) -> _Table:
    """The file's first row and its other non-blank rows."""
    name = path.name
    if not path.is_file():
        why = "is a folder, not a CSV file" if path.is_dir() else f"no such file in {path.parent}"
        raise CsvImportError([f"{name}: {why}"])
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise CsvImportError([f"{name}: cannot be read ({error.strerror})"]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        advice = "save it from the spreadsheet as 'CSV UTF-8'"
        raise CsvImportError([f"{name}: line {line} is not UTF-8 text; {advice}"]) from None
    # strict: an unclosed quote is an error, not the rest of the file swallowed into one cell
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, list[str]]] = []
    row_no = 0
    try:
        for row_no, cells in enumerate(reader, start=1):
            if any(cell.strip() for cell in cells):
                rows.append((row_no, cells))
    except csv.Error as error:
        raise CsvImportError([f"{name}: row {row_no + 1}: {error} (is a double quote not closed?)"]) from None
    if not rows:
        raise CsvImportError([f"{name}: the file is empty"])
    if len(rows) == 1:
        raise CsvImportError([f"{name}: there are no rows under the first row (the column names)"])
    return _Table(name, rows[0][1], rows[1:])


def _find_columns(table: _Table, known: Sequence[str], required: tuple[str, ...], hint: str = "") -> None:
    """Column positions by name; unknown, repeated or missing columns are problems."""
    table.required = required
    for position, cell in enumerate(table.header):
        column = re.sub(r"[\s_-]+", "_", cell.strip().lower()).strip("_")  # "Focus area" is focus_area
        if column in table.columns:
            table.problems.append(f"{table.name}: column {column!r} appears twice in the first row")
        elif column and column not in known:
            table.problems.append(
                f"{table.name}: unknown column {cell.strip()!r}{_did_you_mean(column, known)}"
            )
        elif column:
            table.columns[column] = position
    table.columns = {column: table.columns.get(column, -1) for column in known}
    if missing := [column for column in required if table.columns[column] < 0]:
        names = f"column{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))}"
        problem = f"{table.name}: missing {names}; the first row names the columns: {', '.join(known)}{hint}"
        table.problems.insert(0, problem)
    table.check()


def _focus_area_lookup(store: Store) -> dict[str, str]:
    """Focus-area ids and folded titles -> id."""
    return {key: area.id for area in week.focus_areas(store) for key in (area.id, _fold(area.title))}


def _did_you_mean(word: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else f" (known: {', '.join(choices)})"


def _number(text: str) -> float | None:
    text = text.strip().removesuffix("%").strip()
    try:
        value = float(text.replace(",", "") if _THOUSANDS.fullmatch(text) else text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def _percent(part: int, whole: int) -> int:
    return math.floor(100 * part / whole + 0.5)  # half up, as people round


def _item(key: str, source: SourceKind, title: str, text: str, tags: list[str], data: Item) -> Item:
    item = {"id": str(uuid.uuid5(ID_NAMESPACE, key)), "kind": EvidenceKind.OBSERVATION.value, "title": title}
    return item | {"source_kind": source.value, "text": text, "focus_areas": tags, "data": data}
