"""The non-attribution guard: names of people met never reach an export; a single-person role
next to words of speech is a warning."""

from __future__ import annotations

import pytest

from peerreview_tui.export.content import build_content, content_texts
from peerreview_tui.export.guard import check_attribution, looks_like_name, people_met, single_roles
from peerreview_tui.models import Attendee, EvidenceKind, FindingStatus
from peerreview_tui.store import Store, findings, notes
from peerreview_tui.store.evidence_items import list_evidence


def check(store: Store, text: str, allow: tuple[str, ...] = ()):
    return check_attribution(store, [("Partnership work, strengths: A finding", text)], allow)


def test_the_demo_letter_passes(demo: Store) -> None:
    assert check_attribution(demo, content_texts(build_content(demo, include_drafts=True))).ok


def test_a_name_planted_in_a_finding_body_is_caught(demo: Store) -> None:
    view = findings.list_findings(demo, status=FindingStatus.AGREED)[0]
    findings.update_finding(
        demo, view.finding.id, "lead", body=view.finding.body + " Mark Ellerby is proud of it."
    )
    result = check_attribution(demo, content_texts(build_content(demo, include_drafts=True)))
    assert [(hit.phrase, hit.kind) for hit in result.hits] == [("Mark Ellerby", "name")]
    hit = result.hits[0]
    assert hit.where == f"Quality of practice and care planning, strengths: {view.finding.title}"
    assert "Mark Ellerby is proud of it." in hit.excerpt and hit.excerpt.startswith("…")
    assert not result.ok


def test_a_name_in_a_chosen_quote_is_caught(demo: Store) -> None:
    notes.append_to_note(
        demo, "tue-0900-mash", "officer2", '! "Ruth Calloway sorted it out for us" #partnership'
    )
    quote = next(
        v.item for v in list_evidence(demo, kinds=[EvidenceKind.QUOTE]) if "sorted it out" in v.item.text
    )
    finding = findings.list_findings(demo, status=FindingStatus.AGREED)[0].finding
    findings.attach_evidence(demo, finding.id, [quote.id], "lead")
    assert check_attribution(demo, content_texts(build_content(demo))).ok  # not chosen: not in the letter
    findings.choose_quote(demo, finding.id, quote.id, True, "lead")
    findings.agree_finding(demo, finding.id, "lead")  # the quote sent it back to draft: agree again
    result = check_attribution(demo, content_texts(build_content(demo)))
    assert [(hit.where.endswith("(quote)"), hit.phrase) for hit in result.hits] == [(True, "Ruth Calloway")]


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("As Pryce put it, the budget is protected.", "Pryce"),
        ("Cllr Pryce is clear about this.", "Cllr Pryce"),
        ("Councillor Pryce is clear about this.", "Councillor Pryce"),
        ("CLLR JANET PRYCE chairs it.", "CLLR JANET PRYCE"),
        ("J. Pryce and the board.", "J. Pryce"),
        ("J Pryce and the board.", "J Pryce"),
        ("Mrs Pryce and the board.", "Mrs Pryce"),
        ("Pryce's view differs.", "Pryce"),
        ("Dr Cairns leads on this.", "Dr Cairns"),
        ("Fiona\nCairns leads on this.", "Fiona Cairns"),
        ("The Fenwick-Hale approach.", None),  # a reviewer: the team may be named
        ("Holtby Road children's centre.", None),  # whole words only
        ("A Tait-like approach.", "Tait"),  # hyphenated: "the Tait-led review"
        ("A Fenwick-Tait approach.", None),  # another double-barrelled name
    ],
)
def test_name_variants(demo: Store, text: str, phrase: str | None) -> None:
    result = check(demo, text)
    assert [hit.phrase for hit in result.hits] == ([phrase] if phrase else [])


def test_an_extra_attendee_named_in_a_note_is_checked(demo: Store) -> None:
    notes.save_note(
        demo,
        "wed-0900-cc",
        "member",
        "Visit",
        attendance=[
            Attendee(role="Alan Young", extra=True),
            Attendee(role="Deputy Head Teacher", extra=True),
            Attendee(role="Parent", organisation="Mary Ann Greenwood", extra=True),
        ],
    )
    assert {"Alan Young", "Mary Ann Greenwood"} <= people_met(demo)
    assert "Deputy Head Teacher" not in people_met(demo)
    assert [hit.phrase for hit in check(demo, "Alan Young and A. Young and Mr Young spoke.").hits] == [
        "Alan Young",
        "A. Young",
        "Mr Young",
    ]
    # a surname that is also a word is never matched alone, nor lower case after an initial
    assert check(demo, "Young people and a young carer; Young carers too.").ok
    assert [hit.phrase for hit in check(demo, "Greenwood said so").hits] == ["Greenwood"]


def test_looks_like_name() -> None:
    assert looks_like_name("Janet Pryce") and looks_like_name("Dr Cairns") and looks_like_name("J. Pryce")
    assert looks_like_name("Mary-Jane O'Neill")
    assert not looks_like_name("Deputy Head Teacher")
    assert not looks_like_name("Northborough Primary Care Trust")
    assert (
        not looks_like_name("social worker") and not looks_like_name("Pryce") and not looks_like_name("MASH")
    )


def test_single_person_roles(demo: Store) -> None:
    roles = single_roles(demo)
    assert {
        "chief executive",
        "principal social worker",
        "head of commissioning",
        "detective sergeant",
    } <= roles
    assert "head of the MASH" in roles and "DCS" in roles  # shipped (data/guard_words.yaml)
    assert "social worker" not in roles and "health visitor" not in roles  # more than one met
    assert "police officer" not in roles  # two roles shorten to it


@pytest.mark.parametrize(
    ("text", "warned"),
    [
        ("The chief executive told us that safeguarding keeps her awake.", "chief executive"),
        ("The Chief Executive said the budget is protected.", "Chief Executive"),
        ('The principal social worker: "we audit every month".', "principal social worker"),
        ("According to the lead member, the money moved early.", "lead member"),
        ("The chief executive chairs the strategic partnership.", None),  # a plain mention
        ("The chief executive chairs the board. Staff told us it works.", None),  # another sentence
        ("Social workers told us supervision is protected.", None),  # not one person
    ],
)
def test_a_role_next_to_speech_is_a_warning(demo: Store, text: str, warned: str | None) -> None:
    result = check(demo, text)
    assert result.hits == []
    assert [(hit.phrase, hit.kind) for hit in result.warnings] == ([(warned, "role")] if warned else [])


def test_allowed_phrases_are_not_reported(demo: Store) -> None:
    text = "Cllr Pryce chairs it. The chief executive told us so. Pryce agrees."
    result = check(demo, text, allow=("cllr pryce", "CHIEF EXECUTIVE"))
    assert [hit.phrase for hit in result.hits] == ["Pryce"]  # only the phrase allowed, not every form
    assert result.warnings == []
    assert check(demo, text, allow=("Cllr Pryce", "Pryce", "chief executive")).ok


def test_a_longer_allowed_phrase_covers_the_names_inside_it(demo: Store) -> None:
    assert check(demo, "The Ruth Calloway Centre opened.", allow=("Ruth Calloway Centre",)).ok
