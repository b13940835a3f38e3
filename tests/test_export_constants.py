"""What the exports say comes from the review, not from the example week: no text written in the
export code (string constants, the fixed parts of f-strings, docstrings) repeats a title, the
council, a name, an organisation or a place from the example schedule. (The deck once called
every review "Children's safeguarding peer review: feedback".)"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from peerreview_tui.demo import example_schedule

PACKAGE = Path(__file__).resolve().parent.parent / "peerreview_tui"
MODULES = [*sorted((PACKAGE / "export").glob("*.py")), PACKAGE / "cli" / "exports.py"]


def example_texts() -> set[str]:
    """Every piece of text in the example schedule that belongs to that review alone: not the
    sessions' titles ("Feedback presentation", "Team meeting"), which any week may share."""
    schedule = example_schedule().schedule
    review = schedule.review
    texts = {review.title, review.council}
    if review.letter:
        letter = review.letter
        texts |= {letter.addressee, letter.salutation, *letter.address, *letter.next_steps}
    if review.presentation:
        texts |= set(review.presentation.next_steps)
    for area in schedule.focus_areas:
        texts |= {area.title, *area.lines_of_enquiry}
    for reviewer in schedule.reviewers:
        texts |= {reviewer.name, reviewer.organisation}
    for _, session in schedule.sessions():
        texts |= {session.location, *session.prompts}
        for person in session.participants:
            texts |= {person.name, person.organisation}
    # A text this short ("Room 1") could be anyone's; the names and titles are longer.
    return {" ".join(text.split()) for text in texts if len(text.strip()) >= 8}


def constants(path: Path) -> list[tuple[int, str]]:
    """(line, text) of every string written in the module's code."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        (node.lineno, " ".join(node.value.split()))
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]


def test_the_example_has_the_texts_this_test_looks_for() -> None:
    texts = example_texts()
    assert "Children's safeguarding peer review" in texts and "Northborough Borough Council" in texts
    assert "Helen Marchbank" in texts and "Partnership work" in texts


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.name)
def test_no_export_constant_repeats_the_example_schedule(path: Path) -> None:
    texts = [text.casefold() for text in example_texts()]
    repeated = [
        f"{path.name}:{line}: {constant[:60]!r}"
        for line, constant in constants(path)
        if any(text in constant.casefold() for text in texts)
    ]
    assert repeated == []


def test_the_check_catches_a_constant_that_repeats_the_example(tmp_path: Path) -> None:
    module = tmp_path / "slides.py"
    module.write_text('DECK_TITLE = "Children\'s safeguarding peer review: feedback"\n', encoding="utf-8")
    texts = [text.casefold() for text in example_texts()]
    assert [c for _, c in constants(module) if any(t in c.casefold() for t in texts)]
