"""Signed work between real laptops: the lead's laptop made from the schedule file, the others
joined from the lead's bundle, each reviewer's key enrolled by the lead after checking it.
Honest exchanges converge; a bundle edited by hand (an older version put back, a version
dropped, an audit entry rewritten, a finding agreed without the lead's key) is refused whole,
naming what was forged, and changes nothing. These are the examples; the properties, where
hypothesis chooses what is forged, are in ``test_signed_work_properties``."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from peerreview_tui.models import FindingSection, now
from peerreview_tui.store import Store, findings, notes, signatures, week
from peerreview_tui.sync import SyncError
from peerreview_tui.sync.signatures import KeyNotEnrolled

from .signed_team import Team, dump, edit, refused

SESSION, OTHER = "mon-0930-dcs", "mon-1045-ce"


@pytest.fixture
def team(tmp_path: Path, example_schedule) -> Iterator[Team]:
    """The lead's laptop and two that joined from it; each reviewer has written a note, the lead
    a finding, agreed; the lead has enrolled both keys and everyone has the lead's bundle."""
    made = Team(tmp_path)
    lead = Store.open(tmp_path / "lead.db", create=True)
    week.apply_schedule(lead, example_schedule, "sha")
    lead.set_meta("me", "lead")
    made.laptops["lead"] = lead
    start = made.bundle("lead")
    made.join("officer1", start)
    made.join("health", start)
    notes.save_note(made.laptops["officer1"], SESSION, "officer1", "+ clear vision #practice\n")
    notes.save_note(made.laptops["health"], OTHER, "health", "- thin on health #partnership\n")
    notes.save_note(lead, OTHER, "lead", "+ the chief executive knows the front door #partnership\n")
    finding = findings.create_finding(
        lead,
        section=FindingSection.KEY_MESSAGE,
        focus_area_id=None,
        title="Leaders know their services",
        actor="lead",
    )
    findings.agree_finding(lead, finding.id, "lead")
    made.merge("lead", made.bundle("officer1"), made.bundle("health"), accept=("officer1", "health"))
    everything = made.bundle("lead")
    made.merge("officer1", everything)
    made.merge("health", everything)
    yield made
    made.close()


# --- Honest work ---------------------------------------------------------------------------------


def test_honest_laptops_converge_in_any_order(team: Team) -> None:
    notes.save_note(team.laptops["officer1"], OTHER, "officer1", "+ a second note #practice\n")
    notes.save_note(team.laptops["health"], SESSION, "health", "- a second view #practice\n")
    sent = {who: team.bundle(who, since_last=True) for who in ("officer1", "health", "lead")}
    team.merge("lead", sent["health"], sent["officer1"])
    team.merge("officer1", sent["lead"], sent["health"])
    team.merge("health", sent["officer1"], sent["lead"])
    final = team.bundle("lead", since_last=True)
    team.merge("officer1", final)
    team.merge("health", final)
    bodies = [sorted((r["id"], r["body"]) for r in dump(store)["notes"]) for store in team.laptops.values()]
    assert bodies[0] == bodies[1] == bodies[2] and len(bodies[0]) == 5


def test_only_the_lead_enrols_and_keys_are_checked_first(team: Team, example_schedule) -> None:
    newcomer = team.join("member", team.bundle("lead"))
    notes.save_note(newcomer, SESSION, "member", "+ from the member #practice\n")
    theirs = team.bundle("member")
    # a colleague cannot tell the member's key from a forger's until the lead has enrolled it
    message = refused(team, "officer1", theirs, "keys the lead has not enrolled", "only the lead")
    with newcomer.read() as db:
        from peerreview_tui import signing

        assert signing.fingerprint(signatures.public_key_of(db, "member") or "") in message
    with pytest.raises(KeyNotEnrolled, match="--accept-key member"):
        team.merge("lead", theirs)
    team.merge("lead", theirs, accept=("member",))
    with team.laptops["lead"].read() as db:
        assert next(db.query("SELECT count(*) AS n FROM audit WHERE action = 'enrol key'"))["n"] == 3
    team.merge("officer1", team.bundle("lead"), theirs)  # the lead's roster first, in the same merge


def test_a_lost_laptop_is_re_enrolled_and_its_old_key_refused_after(team: Team) -> None:
    old = team.laptops["officer1"]
    replacement = team.join("officer1", team.bundle("lead"), name="officer1-new")
    notes.save_note(replacement, SESSION, "officer1", "+ clear vision, typed again #practice\n")
    from_new = team.bundle("officer1-new")
    with pytest.raises(KeyNotEnrolled):
        team.merge("lead", from_new)
    team.merge("lead", from_new, reenrol=("officer1",))
    with team.laptops["lead"].read() as db:
        assert next(db.query("SELECT actor FROM audit WHERE action = 're-enrol key'"))["actor"] == "lead"
    # whoever holds the lost laptop now cannot add to officer1's work
    notes.save_note(old, OTHER, "officer1", "+ written on the stolen laptop #practice\n")
    stolen = team.bundle("officer1")
    refused(team, "lead", stolen, "retired")
    team.merge("health", team.bundle("lead"))
    refused(team, "health", stolen, "retired")


def lost_after_health_had_it(team: Team) -> Path:
    """officer1 types two more notes and health merges them; the laptop is lost before the lead
    has them, the lead re-enrols officer1 on a replacement (retiring the old key before those
    entries), and health merges the lead's bundle. Returns health's next bundle, which holds them."""
    lost = team.laptops["officer1"]
    notes.save_note(lost, OTHER, "officer1", "+ typed before the loss #practice\n")
    notes.save_note(lost, "mon-1330-lscb", "officer1", "+ and this, the same morning #practice\n")
    team.merge("health", team.bundle("officer1"))
    team.join("officer1", team.bundle("lead"), name="officer1-new")
    team.merge("lead", team.bundle("officer1-new"), reenrol=("officer1",))
    team.merge("health", team.bundle("lead"))
    return team.bundle("health")


def retired_after(store: Store, reviewer: str = "officer1") -> list[int | None]:
    with store.read() as db:
        sql = "SELECT retired_after FROM roster_keys WHERE reviewer_id = ? ORDER BY retired_after IS NULL"
        return [row["retired_after"] for row in db.query(sql, [reviewer])]


def test_only_the_lead_keeps_a_lost_laptops_work(team: Team) -> None:
    from_health = lost_after_health_had_it(team)
    # a colleague is told the lead decides, and cannot decide in the lead's place
    refused(team, "officer1-new", from_health, "Priya Natarajan's lost laptop's key", "only the lead")
    for who in ("officer1-new", "health"):
        message = refused(
            team, who, team.bundle("lead"), "only the lead (Helen Marchbank)", keep=("officer1",)
        )
        assert "--keep-lost-work" in message
    team.merge("lead", from_health, keep=("officer1",))
    with team.laptops["lead"].read() as db:
        audited = next(db.query("SELECT * FROM audit WHERE action = 'keep lost laptop''s work'"))
    changes = json.loads(audited["changes"])
    assert audited["actor"] == "lead" and changes["reviewer"] == "officer1"
    assert changes["retired_after"]["to"] > changes["retired_after"]["from"]


def test_a_raised_retirement_is_never_lowered(team: Team) -> None:
    from_health = lost_after_health_had_it(team)
    lowered = team.bundle("lead")  # the retirement as the lead first signed it, health not yet merged
    cut = retired_after(team.laptops["lead"])[0]
    assert cut is not None
    team.merge("lead", from_health, keep=("officer1",))
    raised = retired_after(team.laptops["lead"])[0]
    assert raised is not None and raised > cut
    team.merge("officer1-new", lowered)
    team.merge("lead", team.bundle("officer1-new"))  # it carries the lower one: the lead keeps its word
    assert retired_after(team.laptops["lead"])[0] == raised
    team.merge("health", team.bundle("lead"))
    team.merge("health", lowered)  # the lower one, arriving late
    assert retired_after(team.laptops["health"])[0] == raised
    for laptop in ("lead", "health"):
        from peerreview_tui.sync.verify import verify_review

        assert verify_review(team.laptops[laptop]).ok


def test_a_lost_laptops_work_past_the_raised_cut_is_still_refused(team: Team) -> None:
    from_health = lost_after_health_had_it(team)
    with team.laptops["officer1"].read() as db:
        key = signatures.public_key_of(db, "officer1")
    cut = retired_after(team.laptops["lead"])[0]
    assert cut is not None
    # a version dropped between the cut and the last entry: a gap, kept or not
    gapped = edit(from_health, "DELETE FROM signed_log WHERE public_key = ? AND seq = ?", key, cut + 1)
    refused(team, "lead", gapped, "signed by Priya Natarajan is missing", keep=("officer1",))
    team.merge("lead", from_health, keep=("officer1",))
    team.merge("health", team.bundle("lead"))
    # whoever has the lost laptop now signs more with its key: refused everywhere, the lead asked again
    notes.save_note(
        team.laptops["officer1"], SESSION, "officer1", "+ written on the stolen laptop #practice\n"
    )
    stolen = team.bundle("officer1")
    message = refused(
        team, "lead", stolen, "Priya Natarajan's lost laptop's key", "after the lead retired it"
    )
    assert "whoever has the laptop now may have made them" in message
    refused(team, "health", stolen, "only the lead (Helen Marchbank) decides")


# --- Hand-edited bundles ---------------------------------------------------------------------------


def test_a_bundle_from_before_signing_is_refused_plainly(team: Team) -> None:
    old = edit(team.bundle("lead"), "UPDATE bundle SET format = 1")
    refused(team, "health", old, "earlier peerreview", "before every change was signed", "new bundle")


def test_a_finding_agreed_in_a_bundle_without_the_leads_key_is_refused(team: Team) -> None:
    member = team.laptops["officer1"]
    made = findings.create_finding(
        member,
        section=FindingSection.KEY_MESSAGE,
        focus_area_id=None,
        title="Partners trust each other",
        actor="officer1",
    )
    sent = team.bundle("officer1")
    stamp = now()
    forged = edit(
        sent,
        "UPDATE findings SET status = 'agreed', agreed_by = 'lead', agreed_at = ?, updated_by = 'lead', updated_at = ? "
        "WHERE id = ?",
        stamp,
        stamp,
        made.id,
    )
    refused(
        team, "lead", forged, "the finding 'Partners trust each other'", "Helen Marchbank", "never signed"
    )
    refused(team, "health", forged, "the finding 'Partners trust each other'", "never signed")


def test_a_finding_agreed_on_a_members_own_laptop_is_refused_everywhere(team: Team) -> None:
    """The member edits their own database and bundles: their laptop signs it with a 'lead' key of
    its own making, which is not the lead's."""
    member = team.laptops["officer1"]
    made = findings.create_finding(
        member,
        section=FindingSection.KEY_MESSAGE,
        focus_area_id=None,
        title="Partners trust each other",
        actor="officer1",
    )
    stamp = now()
    with member.write() as db:
        db.execute(
            "UPDATE findings SET status = 'agreed', agreed_by = 'lead', agreed_at = ?, updated_by = 'lead', "
            "updated_at = ? WHERE id = ?",
            [stamp, stamp, made.id],
        )
    forged = team.bundle("officer1")
    for who in ("lead", "health"):
        refused(
            team, who, forged, "claims to be by the lead, Helen Marchbank", "not signed with the lead's key"
        )


def test_another_reviewers_note_rewritten_is_refused(team: Team) -> None:
    forged = edit(
        team.bundle("health"),
        "UPDATE notes SET body = '- the director has no vision #practice' || char(10) WHERE author_id = 'officer1'",
    )
    refused(team, "lead", forged, "Priya Natarajan's note for 'Opening meeting", "never signed")


def test_an_audit_entry_rewritten_is_refused(team: Team) -> None:
    bundle = team.bundle("lead")
    forged = edit(bundle, """UPDATE audit SET changes = '{"status": "draft"}' WHERE action = 'agree'""")
    refused(team, "health", forged, "audit entry")
    # a laptop joining from it never held it: the entry claims the lead, who never signed it
    with pytest.raises(
        SyncError, match=r"the audit entry 'agree' .* by Helen Marchbank, who never signed it"
    ):
        team.join("member", forged)
    assert not (team.folder / "member.db").exists()


def test_an_older_version_put_back_is_refused_as_replayed(team: Team) -> None:
    first = team.bundle("officer1")
    notes.save_note(team.laptops["officer1"], SESSION, "officer1", "+ clear vision, and a plan #practice\n")
    later = team.bundle("officer1")
    with sqlite3.connect(first) as conn:
        old = conn.execute("SELECT * FROM notes WHERE author_id = 'officer1'").fetchone()
        names = [c[1] for c in conn.execute("PRAGMA table_info(notes)")]
    conn.close()
    sets = ", ".join(f"{name} = ?" for name in names)
    forged = edit(later, f"UPDATE notes SET {sets} WHERE author_id = 'officer1'", *old)
    team.join("member", team.bundle("lead"))
    refused(team, "member", forged, "older version of Priya Natarajan's note", "replayed")


def test_a_dropped_version_is_refused(team: Team) -> None:
    team.join("member", team.bundle("lead"))  # holds officer1's signed work so far
    with team.laptops["officer1"].read() as db:
        key = signatures.public_key_of(db, "officer1")
        held = next(db.query("SELECT max(seq) AS n FROM signed_log WHERE public_key = ?", [key]))["n"]
    notes.save_note(team.laptops["officer1"], OTHER, "officer1", "+ another #practice\n")
    team.bundle("officer1")  # signs it (entry held + 1)
    notes.save_note(team.laptops["officer1"], "mon-1330-lscb", "officer1", "+ and another #practice\n")
    later = team.bundle("officer1")  # entry held + 2
    forged = edit(later, "DELETE FROM signed_log WHERE public_key = ? AND seq = ?", key, held + 1)
    refused(team, "member", forged, "signed by Priya Natarajan is missing", "dropped")


def test_a_roster_entry_made_up_is_refused(team: Team) -> None:
    bundle = team.bundle("health")
    forged = edit(bundle, "UPDATE roster_keys SET reviewer_id = 'member' WHERE reviewer_id = 'health'")
    refused(team, "officer1", forged, "roster", "not signed by the lead's key")


# --- peerreview verify, and the letter ----------------------------------------------------------


def test_verify_passes_on_every_honest_laptop(team: Team) -> None:
    from peerreview_tui.sync.verify import verify_review

    notes.save_note(team.laptops["officer1"], OTHER, "officer1", "+ a second note #practice\n")
    team.merge("lead", team.bundle("officer1"))
    for store in team.laptops.values():
        verified = verify_review(store)
        assert verified.ok, verified.describe()
        assert "Signed work checks out." in verified.describe()


def test_verify_names_an_audit_entry_edited_in_the_database(team: Team) -> None:
    from peerreview_tui.sync.verify import verify_review

    lead = team.laptops["lead"]
    with lead.write() as db:
        db.execute("""UPDATE audit SET changes = '{"status": "draft"}' WHERE action = 'agree'""")
    verified = verify_review(lead)
    assert not verified.ok
    assert any("changed after it was signed" in problem for problem in verified.problems), verified.problems


def test_verify_names_a_finding_agreed_in_the_database_without_the_lead(team: Team) -> None:
    from peerreview_tui.sync.verify import verify_review

    health = team.laptops["health"]
    with health.write() as db:
        db.execute(
            "UPDATE findings SET agreed_by = 'officer1', updated_by = 'officer1' WHERE status = 'agreed'"
        )
    problems = verify_review(health).problems
    assert any("agreed, but not by the lead" in problem for problem in problems), problems


def test_verify_names_a_dropped_entry_of_the_signed_log(team: Team) -> None:
    from peerreview_tui.sync.verify import verify_review

    health = team.laptops["health"]
    with health.write() as db:
        key = signatures.public_key_of(db, "health")
        db.execute("DROP TRIGGER signed_log_never_deleted")  # the log is append-only: it takes intent
        db.execute("DELETE FROM signed_log WHERE public_key = ? AND seq = 1", [key])
    problems = verify_review(health).problems
    assert any("misses entry 1" in problem for problem in problems), problems


def test_the_letter_is_not_exported_from_a_review_that_fails_verify(team: Team, tmp_path: Path) -> None:
    from peerreview_tui.export.documents import export_document
    from peerreview_tui.sync.verify import SignedWorkError

    lead = team.laptops["lead"]
    letter = tmp_path / "letter.md"
    export_document(lead, "letter", "md", letter, include_drafts=True, accept_warnings=True)
    assert letter.exists()
    letter.unlink()
    with lead.write() as db:
        db.execute("""UPDATE audit SET changes = '{"status": "draft"}' WHERE action = 'agree'""")
    with pytest.raises(SignedWorkError, match="changed after it was signed"):
        export_document(lead, "letter", "md", letter, include_drafts=True, accept_warnings=True)
    assert not letter.exists()
