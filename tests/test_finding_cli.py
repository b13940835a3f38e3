"""`peerreview finding ...` as a user types it: the same ownership rule and the same guard as the
app; and what the guard's warnings ask of whoever exports."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from peerreview_tui.cli import main
from peerreview_tui.models import EvidenceKind, FindingSection, FindingStatus
from peerreview_tui.paths import exports_dir
from peerreview_tui.store import Store, findings
from peerreview_tui.store.evidence_items import list_evidence


@pytest.fixture
def db(demo_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the demo; the current folder is a fresh one, where exports go."""
    copy = tmp_path / "demo.db"
    shutil.copy(demo_file, copy)
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.chdir(out)
    return copy


def run(db: Path, *args: str, input: str | bytes | None = None) -> Result:
    result = CliRunner().invoke(main, [*args, "--db", str(db)], input=input, catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def add(db: Path, *args: str, who: str = "officer1") -> str:
    result = run(db, "finding", "add", *args, "--as", who)
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def status(db: Path, finding_id: str) -> FindingStatus:
    with Store.open(db) as store:
        view = findings.get_finding(store, finding_id)
        assert view is not None
        return view.finding.status


def evidence_ids(db: Path, kind: EvidenceKind, count: int = 1) -> list[str]:
    with Store.open(db) as store:
        return [view.item.id for view in list_evidence(store, kinds=[kind])][:count]


def test_add_prints_the_new_id_and_show_and_list_find_it_by_its_start(db: Path) -> None:
    quote, note = evidence_ids(db, EvidenceKind.QUOTE)[0], evidence_ids(db, EvidenceKind.STRENGTH)[0]
    new = add(
        db,
        "--area",
        "practice",
        "--section",
        "strength",
        "--title",
        "Audits  drive   improvement",
        "--body",
        "Monthly audits are acted on.",
        "--evidence",
        quote[:10],
        "--evidence",
        note,
    )
    with Store.open(db) as store:
        view = findings.get_finding(store, new)
        assert view is not None
        assert (view.finding.title, view.finding.section.value, view.finding.focus_area_id) == (
            "Audits drive improvement",
            "strength",
            "practice",
        )
        assert set(view.evidence_ids) == {quote, note} and view.finding.created_by == "officer1"
    shown = run(db, "finding", "show", new[:8])
    assert shown.exit_code == 0
    assert shown.stdout.splitlines()[:2] == [
        f"{new}  [draft]  Quality of practice and care planning: strengths",
        "Audits drive improvement",
    ]
    assert f"  {quote[:8]}  quote" in shown.stdout and "Monthly audits are acted on." in shown.stdout
    listed = run(db, "finding", "list", "--status", "draft").stdout
    assert f"{new[:8]}  draft   strength        practice          Audits drive improvement" in listed


def test_key_messages_and_recommendations_need_no_area(db: Path) -> None:
    for section in ("key-message", "recommendation"):
        new = add(db, "--section", section, "--title", "Keep the front door strong")
        with Store.open(db) as store:
            view = findings.get_finding(store, new)
            assert view is not None and view.finding.focus_area_id is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--section", "praise", "--title", "T"], "Invalid value for '--section': 'praise' is not one of"),
        (["--section", "strength", "--title", "T"], "a finding in strengths needs a focus area: give --area"),
        (["--section", "recommendation", "--area", "practice", "--title", "T"], "leave out --area"),
        (
            ["--section", "strength", "--area", "nowhere", "--title", "T"],
            "no focus area 'nowhere'; choose one",
        ),
        (["--section", "key-message", "--title", "  "], "a finding needs a title"),
        (["--section", "key-message", "--title", "T", "--evidence", "nope"], "no evidence item 'nope'"),
        (["--section", "key-message", "--title", "T", "--body", "B", "--body-file", "-"], "not both"),
    ],
)
def test_add_refuses_with_one_line_and_adds_nothing(db: Path, args: list[str], message: str) -> None:
    with Store.open(db) as store:
        before = len(findings.list_findings(store))
    result = run(db, "finding", "add", *args, "--as", "officer1")
    assert result.exit_code != 0 and message in result.output
    with Store.open(db) as store:
        assert len(findings.list_findings(store)) == before


def test_add_refuses_someone_not_on_the_team(db: Path) -> None:
    result = run(db, "finding", "add", "--section", "key-message", "--title", "T", "--as", "stranger")
    assert result.exit_code == 1 and "no reviewer 'stranger' in this review" in result.output


def test_the_body_comes_from_a_file_or_standard_input_in_utf8_only(db: Path, tmp_path: Path) -> None:
    body = tmp_path / "body.txt"
    body.write_text("Plans are reviewed on time — mostly.\n", encoding="utf-8")
    new = add(db, "--section", "key-message", "--title", "Plans", "--body-file", str(body))
    result = run(
        db, "finding", "edit", new[:8], "--body-file", "-", "--as", "officer1", input="From stdin.\n"
    )
    assert result.exit_code == 0, result.output
    assert "From stdin." in run(db, "finding", "show", new).stdout
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("Caf\xe9 culture".encode("latin-1"))
    refused = run(db, "finding", "edit", new, "--body-file", str(latin1), "--as", "officer1")
    assert refused.exit_code == 1
    assert refused.output.strip() == f"Error: {latin1} is not UTF-8 text; save it as UTF-8 and try again"
    assert "From stdin." in run(db, "finding", "show", new).stdout  # unchanged


def test_unknown_and_ambiguous_ids_are_refused(db: Path) -> None:
    unknown = run(db, "finding", "show", "zzzz")
    assert (
        unknown.exit_code == 1 and "no finding 'zzzz'; 'peerreview finding list' lists them" in unknown.output
    )
    with Store.open(db) as store:
        for n in range(17):  # more findings than hex digits: some first character starts two ids
            findings.create_finding(
                store, section=FindingSection.KEY_MESSAGE, focus_area_id=None, title=f"F{n}", actor="lead"
            )
        ids = [view.finding.id for view in findings.list_findings(store)]
    shared = next(c for c in "0123456789abcdef" if sum(i.startswith(c) for i in ids) > 1)
    result = run(db, "finding", "agree", shared, "--as", "lead", "--yes")
    assert result.exit_code == 1 and "names several findings; give more of its id" in result.output


def test_a_member_cannot_agree_and_is_told_who_can(db: Path) -> None:
    new = add(db, "--section", "key-message", "--title", "Marek Nowak is proud of it")
    result = run(db, "finding", "agree", new, "--as", "officer1", "--yes")
    assert result.exit_code == 1
    assert "Error: only the review lead (Helen Marchbank) can agree a finding" in result.output
    assert "check:" not in result.output  # refused before anything is asked
    assert status(db, new) is FindingStatus.DRAFT


def test_the_guard_reports_at_once_and_agreeing_a_flagged_finding_asks_first(db: Path) -> None:
    result = run(
        db,
        "finding",
        "add",
        "--section",
        "key-message",
        "--title",
        "Leadership is visible",
        "--body",
        "Mark Ellerby walks the floor.",
        "--as",
        "officer1",
    )
    new = result.stdout.strip()
    assert result.stderr.splitlines() == [
        "check: body: 'Mark Ellerby' names someone the team met — Mark Ellerby walks the floor.",
        "       rephrase the finding so that it names no one",
    ]
    declined = run(db, "finding", "agree", new[:8], "--as", "lead", input="n\n")
    assert declined.exit_code == 1 and "Agree it all the same? [y/N]" in declined.output
    assert status(db, new) is FindingStatus.DRAFT
    assert run(db, "finding", "agree", new[:8], "--as", "lead", input="y\n").exit_code == 0
    assert status(db, new) is FindingStatus.AGREED
    clean = add(db, "--section", "key-message", "--title", "Partners trust each other")
    agreed = run(db, "finding", "agree", clean, "--as", "lead")  # nothing flagged: nothing asked
    assert (
        agreed.exit_code == 0 and agreed.output == f"Finding {clean[:8]} agreed: Partners trust each other\n"
    )


def test_editing_an_agreed_finding_is_the_leads_and_returns_it_to_draft(db: Path) -> None:
    new = add(db, "--section", "key-message", "--title", "Partners trust each other")
    run(db, "finding", "agree", new, "--as", "lead")
    refused = run(db, "finding", "edit", new, "--title", "Changed", "--as", "officer1")
    assert refused.exit_code == 1 and "this finding is agreed: ask the lead" in refused.output
    edited = run(db, "finding", "edit", new, "--title", "Partners trust each other deeply", "--as", "lead")
    assert edited.exit_code == 0 and "back in draft" in edited.output
    assert status(db, new) is FindingStatus.DRAFT
    nothing = run(db, "finding", "edit", new, "--as", "lead")
    assert nothing.exit_code == 1 and "nothing to change" in nothing.output


def test_edit_moves_a_finding_to_another_section_or_focus_area(db: Path) -> None:
    new = add(db, "--section", "strength", "--area", "practice", "--title", "Partners meet monthly")
    moved = run(
        db, "finding", "edit", new, "--section", "development", "--area", "partnership", "--as", "officer1"
    )
    assert moved.exit_code == 0, moved.output
    with Store.open(db) as store:
        found = findings.get_finding(store, new).finding
    assert (found.section, found.focus_area_id) == (FindingSection.DEVELOPMENT, "partnership")
    refused = run(
        db, "finding", "edit", new, "--section", "strength", "--area", "nowhere", "--as", "officer1"
    )
    assert refused.exit_code == 1 and "no focus area 'nowhere'" in refused.output
    run(db, "finding", "agree", new, "--as", "lead")
    back = run(db, "finding", "edit", new, "--section", "recommendation", "--as", "lead")
    assert "back in draft" in back.output and status(db, new) is FindingStatus.DRAFT


def test_choosing_a_quote_is_the_leads_and_returns_an_agreed_finding_to_draft(db: Path) -> None:
    quote = evidence_ids(db, EvidenceKind.QUOTE)[0]
    plain = evidence_ids(db, EvidenceKind.STRENGTH)[0]
    new = add(db, "--section", "key-message", "--title", "Staff feel supported", "--evidence", quote)
    run(db, "finding", "agree", new, "--as", "lead")
    refused = run(db, "finding", "quote", new, quote, "--as", "officer1")
    assert refused.exit_code == 1 and "only the review lead (Helen Marchbank) can choose" in refused.output
    chosen = run(db, "finding", "quote", new[:8], quote[:8], "--as", "lead")
    assert chosen.exit_code == 0
    assert "chosen for the letter" in chosen.output and "back in draft: agree it again" in chosen.output
    assert status(db, new) is FindingStatus.DRAFT
    run(db, "finding", "agree", new, "--as", "lead", "--yes")
    assert run(db, "finding", "quote", new, quote, "--drop", "--as", "lead").exit_code == 0
    assert status(db, new) is FindingStatus.DRAFT  # dropping changes the letter too
    uncited = run(db, "finding", "quote", new, plain, "--as", "lead")
    assert uncited.exit_code == 1
    assert (
        f"is not cited by this finding; cite it first with 'peerreview finding edit {new[:8]}"
        in uncited.output
    )
    run(db, "finding", "edit", new, "--evidence", plain, "--as", "lead")
    not_a_quote = run(db, "finding", "quote", new, plain, "--as", "lead")
    assert not_a_quote.exit_code == 1 and "not a quote" in not_a_quote.output


def test_a_quote_that_names_someone_says_choose_another(db: Path) -> None:
    with Store.open(db) as store:
        from peerreview_tui.store import notes

        notes.append_to_note(store, "tue-0900-mash", "officer2", '! "Ruth Calloway sorted it out for us"')
        quote = next(
            v.item.id for v in list_evidence(store, kinds=[EvidenceKind.QUOTE]) if "sorted it" in v.item.text
        )
    new = add(db, "--section", "key-message", "--title", "The front door works", "--evidence", quote)
    chosen = run(db, "finding", "quote", new, quote, "--as", "lead")
    assert chosen.exit_code == 0
    assert "check: quote: 'Ruth Calloway' names someone the team met" in chosen.stderr
    assert "choose another quote" in chosen.stderr
    run(db, "finding", "agree", new, "--as", "lead", "--yes")
    export = CliRunner().invoke(main, ["export", "letter", "--db", str(db)])
    assert export.exit_code == 1
    assert "Key messages: The front door works (quote): 'Ruth Calloway' (name)" in export.output
    assert "nothing was written; choose another quote, or keep a phrase deliberately" in export.output


def test_a_possible_name_blocks_the_export_until_accepted(db: Path) -> None:
    new = add(
        db,
        "--section",
        "key-message",
        "--title",
        "Drift",
        "--body",
        "In one case Kayden waited a year for a plan.",
    )
    run(db, "finding", "agree", new, "--as", "lead", "--yes")
    blocked = CliRunner().invoke(main, ["export", "letter", "--db", str(db)])
    assert blocked.exit_code == 1
    assert "'Kayden' (possible name, not in the schedule)" in blocked.output
    assert "once you have checked that none is, export with --accept-warnings" in blocked.output
    assert not exports_dir().exists() or list(exports_dir().iterdir()) == []
    accepted = CliRunner().invoke(main, ["export", "letter", "--accept-warnings", "--db", str(db)])
    assert accepted.exit_code == 0, accepted.output
    assert (exports_dir() / "northborough-2012-letter.docx").exists()
    assert CliRunner().invoke(main, ["export", "slides", "--allow", "Kayden", "--db", str(db)]).exit_code == 0


def test_detaching_a_chosen_quote_returns_an_agreed_finding_to_draft_in_the_audit(db: Path) -> None:
    quote, plain = evidence_ids(db, EvidenceKind.QUOTE)[0], evidence_ids(db, EvidenceKind.STRENGTH)[0]
    new = add(db, "--section", "key-message", "--title", "Staff feel supported", "--evidence", quote)
    run(db, "finding", "edit", new, "--evidence", plain, "--as", "lead")
    run(db, "finding", "quote", new, quote, "--as", "lead")
    run(db, "finding", "agree", new, "--as", "lead", "--yes")
    with Store.open(db) as store:
        findings.detach_evidence(store, new, [plain], "lead")
    assert status(db, new) is FindingStatus.AGREED  # not a chosen quote: the letter is the same
    with Store.open(db) as store:
        findings.detach_evidence(store, new, [quote], "lead")
        trail = findings.audit_trail(store, new)
    assert trail[-1].action == "detach" and trail[-1].changes["status"] == ["agreed", "draft"]
    assert status(db, new) is FindingStatus.DRAFT
