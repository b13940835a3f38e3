"""The guard on a review it was not written around: another council, invented people, each way a
name or a one-person role slips into a finding (caught) and each ordinary phrase that merely looks
like one (left alone)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from peerreview_tui.export.guard import (
    GuardResult,
    check_attribution,
    check_finding,
    people_met,
    single_roles,
)
from peerreview_tui.schedule import parse_schedule
from peerreview_tui.store import Store, week

SCHEDULE = """\
review:
  id: westmere-2024
  title: Children's services peer challenge
  council: Westmere County Council
  start: 2024-06-03
  end: 2024-06-06
focus_areas:
  - id: front-door
    title: The front door and thresholds
  - id: leavers
    title: Support for care leavers
reviewers:
  - {id: lead, name: Olwen Prestbury, role: Review lead, organisation: Kestrelford Council, lead: true}
  - {id: peer, name: Tariq Bellamy, role: Officer peer, organisation: Norland Borough Council}
days:
  - date: 2024-06-03
    sessions:
      - id: mon-dcs
        start: "09:00"
        end: "10:00"
        title: Meeting with the Director of Children's Services
        kind: meeting
        location: Ashcombe House, Room 4
        reviewers: [lead, peer]
        participants:
          - {role: Director of Children's Services, organisation: Westmere County Council, name: Marek Nowak}
          - {role: "Assistant Director, Safeguarding", organisation: Westmere County Council, name: Jo Hartley}
      - id: mon-member
        start: "10:30"
        end: "11:30"
        title: "Interview: portfolio holder"
        kind: interview
        reviewers: [lead]
        participants:
          - {role: Portfolio holder for children, organisation: Westmere County Council, name: Cllr Will Ashdown}
          - {role: Head of Quality Assurance, organisation: Westmere County Council, name: Harriet Mill}
          - {role: Service manager, organisation: Westmere County Council, name: Sam Hall}
          - {role: Designated doctor, organisation: Westmere NHS Trust, name: Dr Zoë de Souza}
          - {role: Head of early help, organisation: Westmere County Council, name: Siobhan O’Neill}
      - id: mon-focus
        start: "13:00"
        end: "14:30"
        title: Focus group with social workers
        kind: focus_group
        reviewers: [peer]
        participants:
          - {role: Social worker, organisation: Westmere County Council, name: Eight social workers}
          - {role: Young people, name: Six young people}
"""


@pytest.fixture(scope="module")
def westmere(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    loaded = parse_schedule(SCHEDULE, "westmere.yaml")
    store = Store.open(tmp_path_factory.mktemp("westmere") / "review.db", create=True)
    week.apply_schedule(store, loaded.schedule, "sha")
    yield store
    store.close()


def check(store: Store, text: str, allow: tuple[str, ...] = ()) -> GuardResult:
    return check_attribution(store, [("Support for care leavers, strengths: A finding", text)], allow)


def test_group_labels_are_never_names(westmere: Store) -> None:
    assert people_met(westmere) == {
        "Marek Nowak",
        "Jo Hartley",
        "Cllr Will Ashdown",
        "Harriet Mill",
        "Sam Hall",
        "Dr Zoë de Souza",
        "Siobhan O’Neill",
    }
    assert check(
        westmere, "Eight social workers and six young people told us how workers and people fare."
    ).ok
    assert "social worker" not in single_roles(westmere) and "young people" not in single_roles(westmere)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Marek told us the budget is protected.", "Marek"),  # a first name alone
        ("Jo felt the board had moved on.", "Jo"),
        ("The plan was agreed before Jo arrived.", "Jo"),
        ("The Hartley-led review found drift.", "Hartley"),  # hyphenated
        ("Hartley's view is that thresholds are applied.", "Hartley"),  # possessive
        ("It is Hartley’s team that holds the line.", "Hartley"),  # a typographic apostrophe
        ("Will told us that the money is there.", "Will"),  # a first name that is also a word...
        ("The panel, which Will chairs, meets monthly.", "Will"),  # ...inside a sentence
        ("Hall said thresholds are understood.", "Hall"),  # a surname that is a word, next to speech
        ("According to Hall, thresholds are understood.", "Hall"),
        ("Hall, the service manager, explained the rota.", "Hall"),
        ("Mill is clear about this.", "Mill"),
        ("MAREK NOWAK chairs the board.", "MAREK NOWAK"),
        ("marek nowak chairs the board.", "marek nowak"),
        ("Cllr Ashdown chairs the board.", "Cllr Ashdown"),
        ("Ms Mill chairs the board.", "Ms Mill"),
        ("H. Mill chairs the board.", "H. Mill"),
        ("Zoë explained the audit.", "Zoë"),  # beyond ASCII
        ("Dr de Souza explained the audit.", "Dr de Souza"),
        ("The audit is Souza's.", "Souza"),
        ("O'Neill explained the offer.", "O'Neill"),  # typed with a plain apostrophe
        ("It is O’Neill’s offer.", "O'Neill"),
    ],
)
def test_a_participant_is_caught_in_every_form(westmere: Store, text: str, name: str) -> None:
    result = check(westmere, text)
    assert [hit.phrase for hit in result.hits] == [name]
    assert [hit.kind for hit in result.hits] == ["name"]


@pytest.mark.parametrize(
    "text",
    [
        "The mill closed in 2010 and the hall was sold.",  # lower case: words, not Mill and Hall
        "Will the council fund it? Staff will see.",  # a question, not Will
        "The Town Hall hosts the panel.",  # Hall inside a place
        "Children at St Will's school are seen.",  # a saint, not Will
        "The Hartley-Smith trust funds it.",  # another, double-barrelled name
        "Eight social workers told us their caseloads are high.",
        "The young people told us they feel safe.",
    ],
)
def test_ordinary_words_are_not_names(westmere: Store, text: str) -> None:
    assert check(westmere, text).hits == []


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("The DCS told us the budget is protected.", "DCS"),
        ("The CEO said the savings are made.", "CEO"),
        ("The director said the savings are made.", "director"),
        ("The AD acknowledged the backlog.", "AD"),
        ("The PSW admitted that audits slipped.", "PSW"),
        ("In the words of the LADO, referrals are up.", "LADO"),
        ("The portfolio holder explained the cuts.", "portfolio holder"),
        ("The designated nurse believes training works.", "designated nurse"),
        (
            "The chair of the safeguarding partnership conceded the point.",
            "chair of the safeguarding partnership",
        ),
        ("The head of quality assurance commented on audits.", "head of quality assurance"),  # the schedule's
    ],
)
def test_a_one_person_role_next_to_speech_is_a_warning(westmere: Store, text: str, role: str) -> None:
    result = check(westmere, text)
    assert result.hits == []
    assert [(hit.phrase, hit.kind) for hit in result.warnings] == [(role, "role")]


@pytest.mark.parametrize(
    "text",
    [
        "The DCS chairs the improvement board.",  # no speech: a role may be the subject
        "Directors told us the same.",  # not one person
        "An ad in the local paper said so.",  # "ad", not the AD
        "Social workers told us supervision is protected.",
    ],
)
def test_a_role_without_speech_or_of_many_is_fine(westmere: Store, text: str) -> None:
    assert check(westmere, text).warnings == []


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("In one case Kayden had waited months for a plan.", "Kayden"),
        ("The team read Chloe's file twice.", "Chloe"),
        ("Kayden's plan had drifted.", "Kayden"),  # at the start, but possessive
        ("Tomasz told us he was moved three times.", "Tomasz"),  # at the start, next to speech
        ("The plan for Siân was not updated.", "Siân"),  # beyond ASCII
    ],
)
def test_a_possible_name_not_in_the_schedule_is_a_warning(westmere: Store, text: str, word: str) -> None:
    result = check(westmere, text)
    assert result.hits == [] and result.warnings == []
    assert [(hit.phrase, hit.kind) for hit in result.possible_names] == [(word, "possible name")]
    assert result.refuses() and not result.refuses(accept_warnings=True)
    assert check(westmere, text, allow=(word,)).ok


@pytest.mark.parametrize(
    "text",
    [
        "Westmere has a clear front door.",  # the council
        "Staff at Ashcombe House meet on Monday.",  # a place of the schedule; the calendar
        "The Ofsted inspection found the Brookfield Academy and the Holtby Road centre good.",
        "Signs of Safety is used across the Multi-Agency Safeguarding Hub.",
        "Olwen Prestbury and Tariq Bellamy led the team.",  # the review team signs the letter
        "Supervision Is Regular And Valued By Practitioners",  # a title in title case
    ],
)
def test_the_reviews_own_words_are_not_possible_names(westmere: Store, text: str) -> None:
    assert check(westmere, text).ok


def test_check_finding_says_where_and_what_to_do(westmere: Store) -> None:
    result = check_finding(
        westmere,
        "Marek leads well",
        "The DCS told us so. In one case Kayden waited.",
        ['"Harriet Mill sorted it out for us"'],
    )
    hits = {(hit.where, hit.phrase): hit.advice for hit in result.all()}
    assert hits == {
        ("title", "Marek"): "rephrase the finding so that it names no one",
        ("quote", "Harriet Mill"): "choose another quote: this one names someone the team met",
        ("body", "DCS"): (
            "rephrase so that the view is not one identifiable person's, or keep the phrase deliberately"
        ),
        ("body", "Kayden"): "if 'Kayden' is someone's name, rephrase; if not, acknowledge it at export",
    }
    assert check_finding(westmere, "Supervision is strong", "Staff value it.", ["It keeps me going"]).ok


def test_the_shipped_roles_file_is_editable_data(westmere: Store) -> None:
    shipped = Path(__file__).resolve().parent.parent / "peerreview_tui" / "data" / "guard_words.yaml"
    text = shipped.read_text(encoding="utf-8")
    for role in (
        "DCS",
        "CEO",
        "chief executive",
        "AD",
        "PSW",
        "LADO",
        "portfolio holder",
        "designated nurse",
    ):
        assert f"  - {role}\n" in text
    assert {"DCS", "LADO", "designated doctor"} <= single_roles(westmere)


def test_the_word_list_loads_only_when_a_guard_runs() -> None:
    """wordfreq takes half a second to load: importing the CLI or the guard must not pay for it."""
    code = (
        "import sys, peerreview_tui.cli, peerreview_tui.export.guard, peerreview_tui.export.documents; "
        "print('wordfreq' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False"]
