"""CSV imports: the example files, a corpus of bad files with the exact messages users see, and
re-imports that update rather than duplicate."""

from __future__ import annotations

from pathlib import Path

import pytest

from peerreview_tui.imports import MAX_PROBLEMS, CsvImportError, import_performance, import_questionnaire
from peerreview_tui.models import EvidenceKind, SourceKind
from peerreview_tui.store import Store
from peerreview_tui.store.evidence_items import list_evidence
from peerreview_tui.store.tagging import tag_evidence

DATA = Path(__file__).resolve().parent.parent / "peerreview_tui" / "data"
HEADER = "indicator,period,value,statistical_neighbours,england,note,focus_area\n"
KNOWN = "indicator, period, value, statistical_neighbours, england, note, focus_area"


def _write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def _by_title(store: Store, source: SourceKind) -> dict:
    return {view.item.title: view.item for view in list_evidence(store, source_kind=source)}


def test_the_example_performance_data_imports_as_readable_observations(store: Store) -> None:
    assert import_performance(store, DATA / "performance.example.csv", "manager") == 11
    items = _by_title(store, SourceKind.PERFORMANCE_DATA)
    item = items["Re-referrals within 12 months"]
    assert (
        item.text
        == "Re-referrals within 12 months (2011/12): 24.0% (statistical neighbours 22.1%, England 26.0%)"
    )
    assert (item.kind, item.focus_areas, item.author_id) == (
        EvidenceKind.OBSERVATION,
        ["practice"],
        "manager",
    )
    assert (
        item.data["value_number"] == 24.0
        and item.data["england"] == "26.0%"
        and item.data["period"] == "2011/12"
    )
    early = items["Early help assessments (CAF) started"]
    assert early.text == (
        "Early help assessments (CAF) started (2011/12): 488"
        " — Up from 301 in 2010/11 after the re-modelling of family support"
    )
    assert items["Contacts per 10,000 children"].data["value_number"] == 1842
    assert {area for item in items.values() for area in item.focus_areas} == {
        "practice",
        "partnership",
        "commissioning",
        "early-help",
    }


def test_reimporting_updates_in_place_and_keeps_tags_added_by_hand(store: Store, tmp_path: Path) -> None:
    path = _write(
        tmp_path, "performance.csv", HEADER + "Caseload,2011/12,22,19,,,\nLAC rate,2011/12,71,62,59,,\n"
    )
    import_performance(store, path, "manager")
    before = _by_title(store, SourceKind.PERFORMANCE_DATA)
    tag_evidence(store, before["Caseload"].id, "practice", "lead")
    import_performance(store, path, "manager")
    again = _by_title(store, SourceKind.PERFORMANCE_DATA)
    assert again["LAC rate"] == before["LAC rate"]  # unchanged row, untouched (same stamps)
    assert again["Caseload"].focus_areas == ["practice"]
    _write(tmp_path, "performance.csv", HEADER + "caseload ,2011/12,24,19,,,commissioning\n")
    import_performance(store, path, "analyst")
    items = _by_title(store, SourceKind.PERFORMANCE_DATA)
    assert len(items) == 2 and items["caseload"].id == before["Caseload"].id
    assert items["caseload"].text == "caseload (2011/12): 24 (statistical neighbours 19)"
    assert items["caseload"].updated_by == "analyst"
    # The file's own focus area, then the lead's tag: a tag is its tagger's, the file never drops it.
    assert items["caseload"].focus_areas == ["commissioning", "practice"]


BAD_PERFORMANCE = {
    "not_a_number": (
        HEADER + "Caseload,2011/12,22,19,,,practice\nRe-referrals,2011/12,abc,n/a,26%,,practice\n",
        [
            "performance.csv: row 3, column 'value': 'abc' is not a number",
            "performance.csv: row 3, column 'statistical_neighbours': 'n/a' is not a number",
        ],
    ),
    "empty_cells": (
        HEADER + ",2011/12,,,,,\n",
        [
            "performance.csv: row 2, column 'indicator': empty",
            "performance.csv: row 2, column 'value': empty",
        ],
    ),
    "missing_columns": (
        "Indicator,Val\nCaseload,22\n",
        [
            "performance.csv: missing columns 'period', 'value'; the first row names the columns: " + KNOWN,
            "performance.csv: unknown column 'Val' (did you mean 'value'?)",
        ],
    ),
    "misspelt_column": (
        "indicator,period,value,englnad\nCaseload,2011/12,22,20\n",
        ["performance.csv: unknown column 'englnad' (did you mean 'england'?)"],
    ),
    "unknown_focus_area": (
        HEADER + "Caseload,2011/12,22,,,,partnerships\nLAC,2011/12,71,,,,budgets\n",
        [
            "performance.csv: row 2, column 'focus_area': unknown focus area 'partnerships' (did you mean 'partnership'?)",
            "performance.csv: row 3, column 'focus_area': unknown focus area 'budgets' "
            "(known: practice, early-help, partnership, commissioning)",
        ],
    ),
    "same_indicator_twice": (
        HEADER + "Caseload,2011/12,22,,,,\n\nCaseload ,2011/12,23,,,,\n",
        ["performance.csv: row 4: 'Caseload' for 2011/12 is already on row 2"],
    ),
    "comma_in_value": (
        HEADER + 'Caseload,2011/12,22,19,20,high, but falling,practice\n"Quoted, fine",2011/12,1,,,,\n',
        [
            "performance.csv: row 2: 8 cells but the first row names 7 columns "
            "(a comma inside a value? put the value in double quotes)"
        ],
    ),
    "unclosed_quote": (
        HEADER + 'Caseload,2011/12,22,,,"unclosed,\n',
        ["performance.csv: row 2: unexpected end of data (is a double quote not closed?)"],
    ),
    "not_utf8": (
        (HEADER + "Caseload,2011/12,22,,,Café,\n").encode("latin-1"),
        ["performance.csv: line 2 is not UTF-8 text; save it from the spreadsheet as 'CSV UTF-8'"],
    ),
    "empty": ("", ["performance.csv: the file is empty"]),
    "blank_lines_only": ("\n , ,\n\n", ["performance.csv: the file is empty"]),
    "header_only": (HEADER, ["performance.csv: there are no rows under the first row (the column names)"]),
}


@pytest.mark.parametrize("case", sorted(BAD_PERFORMANCE))
def test_a_bad_performance_file_is_refused_whole_with_located_problems(
    store: Store, tmp_path: Path, case: str
) -> None:
    content, problems = BAD_PERFORMANCE[case]
    path = _write(tmp_path, "performance.csv", content)
    with pytest.raises(CsvImportError) as raised:
        import_performance(store, path, "manager")
    assert raised.value.problems == problems
    assert str(raised.value) == "\n".join(problems)
    assert list_evidence(store, include_detached=True) == []


def test_row_numbers_count_rows_as_a_spreadsheet_shows_them(store: Store, tmp_path: Path) -> None:
    body = HEADER + '"Two\nlines",2011/12,1,,,,\n\nBad,2011/12,x,,,,\n'
    with pytest.raises(CsvImportError, match="row 4, column 'value'"):
        import_performance(store, _write(tmp_path, "p.csv", body), "manager")


def test_headers_ignore_case_spaces_and_order_and_a_bom(store: Store, tmp_path: Path) -> None:
    body = "\ufeffFocus area,Value,Period,Indicator,Statistical Neighbours\nPartnership Work,5%,2011/12,Rate,4%\n"
    assert import_performance(store, _write(tmp_path, "p.csv", body), "manager") == 1
    [item] = list_evidence(store)
    assert item.item.text == "Rate (2011/12): 5% (statistical neighbours 4%)"
    assert item.item.focus_areas == ["partnership"]


def test_missing_files_and_folders_are_named(store: Store, tmp_path: Path) -> None:
    with pytest.raises(CsvImportError) as raised:
        import_performance(store, tmp_path / "nope.csv", "manager")
    assert raised.value.problems == [f"nope.csv: no such file in {tmp_path}"]
    with pytest.raises(CsvImportError, match="is a folder"):
        import_questionnaire(store, tmp_path, "manager")


def test_a_file_wrong_on_every_row_reports_the_first_problems(store: Store, tmp_path: Path) -> None:
    body = HEADER + "".join(f"Row {i},2011/12,x,,,,\n" for i in range(50))
    with pytest.raises(CsvImportError) as raised:
        import_performance(store, _write(tmp_path, "p.csv", body), "manager")
    assert len(raised.value.problems) == MAX_PROBLEMS + 1
    assert raised.value.problems[-1] == "... and 30 more problems"


def test_the_example_questionnaire_summarises_each_question(store: Store) -> None:
    assert import_questionnaire(store, DATA / "questionnaire.example.csv", "manager") == 8
    items = _by_title(store, SourceKind.QUESTIONNAIRE)
    item = items["I receive regular supervision that helps me reflect on my practice"]
    assert item.text == (
        "Questionnaire (n=86): 64% agree that "
        '"I receive regular supervision that helps me reflect on my practice"'
    )
    assert item.focus_areas == ["practice"] and item.kind is EvidenceKind.OBSERVATION
    assert item.data["n"] == 86 and item.data["agree"] == 55 and item.data["counts"]["Agree"] == 41


def test_a_questionnaire_reimport_replaces_its_items(store: Store, tmp_path: Path) -> None:
    path = _write(tmp_path, "q.csv", "question,option,count\nI feel safe,Agree,3\nI feel safe,Disagree,1\n")
    import_questionnaire(store, path, "manager")
    [first] = list_evidence(store)
    _write(
        tmp_path,
        "q.csv",
        "Question,Option,Count,Focus area\nI feel safe,Agree,1,practice\nI feel safe,Disagree,3,",
    )
    import_questionnaire(store, path, "manager")
    [again] = list_evidence(store)
    assert again.item.id == first.item.id
    assert again.item.text == 'Questionnaire (n=4): 25% agree that "I feel safe"'
    assert again.item.focus_areas == ["practice"]


def test_one_row_per_respondent_is_counted_per_question(store: Store, tmp_path: Path) -> None:
    body = (
        "Respondent,I am well supported,How long have you worked here?,Unanswered\n"
        "r1,Strongly agree,1-2 years,\n"
        "r2,agree,Over 5 years,\n"
        "r3,Disagree,1-2 years,\n"
        "r4,,1-2 YEARS,\n"
    )
    assert import_questionnaire(store, _write(tmp_path, "q.csv", body), "manager") == 2
    items = _by_title(store, SourceKind.QUESTIONNAIRE)
    assert items["I am well supported"].text == 'Questionnaire (n=3): 67% agree that "I am well supported"'
    tenure = items["How long have you worked here?"]
    assert tenure.text == (
        'Questionnaire (n=4): the most common answer to "How long have you worked here?" was "1-2 years" (75%)'
    )
    assert tenure.focus_areas == [] and len(list_evidence(store, untagged=True)) == 2


BAD_QUESTIONNAIRES = {
    "neither_shape": (
        "Q,A\nx,y\n",
        [
            "q.csv: missing columns 'question', 'option', 'count'; the first row names the columns: question, option, "
            "count, focus_area (or, one row per respondent, a first column 'respondent')",
            "q.csv: unknown column 'Q' (known: question, option, count, focus_area)",
            "q.csv: unknown column 'A' (known: question, option, count, focus_area)",
        ],
    ),
    "bad_count": (
        "question,option,count\nI feel safe,Agree,12.5\nI feel safe,Agree,3\nI feel safe,Disagree,\n",
        [
            "q.csv: row 2, column 'count': '12.5' is not a whole number",
            "q.csv: row 3: option 'Agree' of 'I feel safe' is already on row 2",
            "q.csv: row 4, column 'count': empty",
        ],
    ),
    "respondent_header": (
        "respondent,I feel safe,,I feel safe \nr1,Agree,,Agree\n",
        [
            "q.csv: column 3 has no question in the first row",
            "q.csv: column 4: 'I feel safe' is already a column",
        ],
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_QUESTIONNAIRES))
def test_a_bad_questionnaire_is_refused_whole(store: Store, tmp_path: Path, case: str) -> None:
    content, problems = BAD_QUESTIONNAIRES[case]
    with pytest.raises(CsvImportError) as raised:
        import_questionnaire(store, _write(tmp_path, "q.csv", content), "manager")
    assert raised.value.problems == problems
    assert list_evidence(store, include_detached=True) == []


def test_a_respondent_row_wider_than_the_header_is_refused(store: Store, tmp_path: Path) -> None:
    body = "respondent,I feel safe\nr1,Agree\nr2,Agree,Disagree\n"
    with pytest.raises(CsvImportError) as raised:
        import_questionnaire(store, _write(tmp_path, "q.csv", body), "manager")
    assert raised.value.problems == [
        "q.csv: row 3: 3 cells but the first row names 2 columns "
        "(a comma inside a value? put the value in double quotes)"
    ]
