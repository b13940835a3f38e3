"""Three laptops from the shell: bundles exchanged in a scrambled order, one conflict planted."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from peerreview_tui.cli import main
from peerreview_tui.models import FindingSection
from peerreview_tui.paths import exports_dir
from peerreview_tui.store import Store, findings, notes
from peerreview_tui.sync.folder import default_exchange_dir, remember_exchange_folder

from .conftest import EXAMPLE

SESSION = "mon-0930-dcs"


def run(*args: str, input: str | None = None, ok: bool = True):
    result = CliRunner().invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)
    assert "Traceback" not in result.output
    assert (result.exit_code == 0) == ok, result.output
    return result


def bundle(db: Path, me: str, out: Path) -> Path:
    run("bundle", "--db", db, "--as", me, "-o", out)
    return out


def whoami(db: Path) -> str:
    """The fingerprint 'peerreview whoami' shows on the laptop of ``db``."""
    found = re.search(r"Your key: ([0-9a-f ]{19})", run("whoami", "--db", db).output)
    assert found
    return found.group(1)


def state(db: Path) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Every note's text and every finding's title and status: what the team sees."""
    with Store.open(db) as store, store.read() as sql:
        bodies = {row["id"]: row["body"] for row in sql.query("SELECT id, body FROM notes")}
        titles = sorted(
            (row["title"], row["status"])
            for row in sql.query("SELECT * FROM findings WHERE deleted_at IS NULL")
        )
    return bodies, titles


def test_three_laptops_end_with_the_same_notes_and_findings_and_the_conflict_is_listed(
    tmp_path: Path,
) -> None:
    lead, officer1, health = tmp_path / "lead.db", tmp_path / "officer1.db", tmp_path / "health.db"
    stick = tmp_path / "stick"
    stick.mkdir()
    run("init", EXAMPLE, "--db", lead)
    start = bundle(lead, "lead", stick / "start.prbundle")
    joined = run("join", start, "--db", officer1, "--as", "officer1")
    assert "Joined review 'northborough-2012' as officer1" in joined.output and "45 sessions" in joined.output
    run("join", start, "--db", health, "--as", "health")

    # The day's notes, typed on each laptop; the lead also tidies officer1's note on the lead's laptop.
    run(
        "note",
        "add",
        SESSION,
        "--as",
        "officer1",
        "--db",
        officer1,
        input="+ clear vision from the director #practice\n",
    )
    run("note", "add", "mon-1045-files", "--as", "health", "--db", health, input="- plans drift #practice\n")
    run(
        "note",
        "add",
        "mon-1045-ce",
        "--as",
        "lead",
        "--db",
        lead,
        input="+ the chief executive knows the front door #partnership\n",
    )
    run(
        "note",
        "add",
        SESSION,
        "--as",
        "officer1",
        "--db",
        lead,
        input="typed by the lead into officer1's note\n",
    )
    with Store.open(lead) as store:
        findings.create_finding(
            store,
            section=FindingSection.KEY_MESSAGE,
            focus_area_id=None,
            title="Leaders know their services",
            actor="lead",
        )

    paths = {db: bundle(db, db.stem, stick / f"{db.stem}.prbundle") for db in (lead, officer1, health)}
    # The lead merges first, and enrols the keys of the laptops that joined (after checking
    # their fingerprints: 'peerreview whoami' on each).
    unknown = run("merge", paths[officer1], paths[health], "--db", lead, "--as", "lead", ok=False).output
    assert "keys the lead has not enrolled" in unknown and "--accept-key officer1" in unknown
    assert whoami(officer1) in unknown
    merged = run(
        "merge",
        paths[officer1],
        paths[health],
        "--db",
        lead,
        "--as",
        "lead",
        "--accept-key",
        "officer1",
        "--accept-key",
        "health",
    )
    assert "officer1.prbundle (from Priya Natarajan, " in merged.output and "Total: " in merged.output
    assert "1 conflict" in merged.output and "peerreview conflicts" in merged.output
    assert f"Enrolled Priya Natarajan's key {whoami(officer1)}" in merged.output
    # Before the lead's roster reaches them, the others cannot tell a colleague's key from a forger's.
    early = run("merge", paths[health], "--db", officer1, ok=False).output
    assert "only the lead (Helen Marchbank) enrols keys" in early
    roster = bundle(lead, "lead", stick / "lead-roster.prbundle")
    # Then each laptop merges the others' bundles, in a scrambled order.
    run("merge", paths[health], roster, paths[lead], "--db", officer1)
    run("merge", paths[lead], roster, paths[officer1], "--db", health)
    assert state(lead) == state(officer1) == state(health)
    bodies, titles = state(lead)
    assert len(bodies) == 3 and titles == [("Leaders know their services", "draft")]

    listed = run("conflicts", "--db", lead).output
    # people read names, the session's day, time and title, and local times; never ids
    assert listed.startswith("1 conflict:")
    assert "Priya Natarajan's note for Monday 09:30 Opening meeting with the Director" in listed
    assert SESSION not in listed and "by officer1" not in listed and "UTC" not in listed
    conflict_id = re.search(r"^\s+([0-9a-f]{8})\s", listed, re.M).group(1)
    assert conflict_id in run("conflicts", "--db", health).output  # every laptop holds it
    shown = run("conflicts", "--show", conflict_id, "--db", lead).output
    assert "text:" in shown and "clear vision from the director" in shown and "typed by the lead" in shown
    assert "  - in place: Priya Natarajan, " in shown and "  + kept:     Priya Natarajan, " in shown
    assert SESSION not in shown and "UTC" not in shown

    settle = run("conflicts", "--keep-loser", conflict_id, "--as", "lead", "--db", lead)
    assert "put the kept version back in place" in settle.output
    assert run("conflicts", "--db", lead).output.startswith("No conflicts.")
    # The lead's choice travels back out.
    out = bundle(lead, "lead", stick / "lead-2.prbundle")
    run("merge", out, "--db", officer1)
    run("merge", out, "--db", health)
    assert state(lead) == state(officer1) == state(health)
    for db in (lead, officer1, health):  # and every laptop's signed work checks out
        assert run("verify", "--db", db).output.startswith("Signed work checks out.")
    with Store.open(health) as store:  # the lead typed last, so the version put back is officer1's own
        assert (
            notes.get_note(store, SESSION, "officer1").body == "+ clear vision from the director #practice\n"
        )


def test_bundle_names_its_file_and_since_last_holds_only_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "r.db"
    run("init", EXAMPLE, "--db", db)
    monkeypatch.chdir(tmp_path)
    first = run("bundle", "--db", db, "--as", "lead").output
    assert re.search(r"northborough-2012-lead-\d{8}-\d{4}\.prbundle: .*45 sessions.*\(everything\)", first)
    assert "encrypted stick" in first
    second = run("bundle", "--db", db, "--as", "lead", "--since-last").output
    assert "nothing (changes since" in second and re.search(r"-\d{4}(-2)?\.prbundle", second)
    # in the data folder's exchange folder, never the folder the command was run in
    assert len(list(default_exchange_dir().glob("*.prbundle"))) == 2
    assert list(tmp_path.glob("*.prbundle")) == []
    assert str(default_exchange_dir()) in first
    assert "say who you are" in run("bundle", "--db", db, ok=False).output


def test_bundle_writes_to_the_folder_last_exchanged_through_and_says_when_it_is_gone(tmp_path: Path) -> None:
    db, stick = tmp_path / "r.db", tmp_path / "stick"
    run("init", EXAMPLE, "--db", db)
    stick.mkdir()
    with Store.open(db) as store:
        remember_exchange_folder(store, stick)
    assert str(stick) in run("bundle", "--db", db, "--as", "lead").output
    assert len(list(stick.glob("*.prbundle"))) == 1
    stick.rename(tmp_path / "unplugged")
    gone = run("bundle", "--db", db, "--as", "lead", ok=False).output
    assert "is not there (is the stick plugged in?)" in gone and "-o" in gone


def test_merge_takes_a_folder_and_refuses_other_reviews_and_other_files(tmp_path: Path) -> None:
    lead, other = tmp_path / "lead.db", tmp_path / "other.db"
    run("init", EXAMPLE, "--db", lead)
    other_schedule = tmp_path / "other.yaml"
    other_schedule.write_text(EXAMPLE.read_text().replace("id: northborough-2012", "id: southmoor-2013", 1))
    run("init", other_schedule, "--db", other)
    folder = tmp_path / "stick"
    folder.mkdir()
    bundle(other, "lead", folder / "other.prbundle")
    refused = run("merge", folder, "--db", lead, ok=False).output
    assert "review 'southmoor-2013'" in refused and "review 'northborough-2012'" in refused
    assert "Traceback" not in refused and refused.count("\n") == 1
    (folder / "notes.prbundle").write_text("not a bundle")
    assert (
        "notes.prbundle is not a peerreview bundle"
        in run("merge", folder / "notes.prbundle", "--db", lead, ok=False).output
    )
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "no bundles (*.prbundle) in" in run("merge", empty, "--db", lead, ok=False).output
    assert run("conflicts", "--db", lead).output == "No conflicts.\n"


def test_join_asks_who_you_are(tmp_path: Path) -> None:
    lead = tmp_path / "lead.db"
    run("init", EXAMPLE, "--db", lead)
    start = bundle(lead, "lead", tmp_path / "start.prbundle")
    asked = run("join", start, "--db", tmp_path / "new.db", ok=False).output
    assert "--as REVIEWER_ID (one of: lead, member, officer1" in asked
    assert "already holds review" in run("join", start, "--db", lead, "--as", "health", ok=False).output


def test_init_from_a_bundle_is_join(tmp_path: Path) -> None:
    runner = CliRunner()
    lead_db, new_db, bundle = tmp_path / "lead.db", tmp_path / "new.db", tmp_path / "lead.prbundle"
    assert runner.invoke(main, ["init", str(EXAMPLE), "--db", str(lead_db)]).exit_code == 0
    assert (
        runner.invoke(main, ["bundle", "-o", str(bundle), "--as", "lead", "--db", str(lead_db)]).exit_code
        == 0
    )
    joined = runner.invoke(main, ["init", "--from", str(bundle), "--as", "health", "--db", str(new_db)])
    assert joined.exit_code == 0, joined.output
    assert "Joined review 'northborough-2012' as health" in joined.output
    refused = runner.invoke(main, ["init", "--db", str(new_db)])
    assert refused.exit_code == 1 and "schedule file" in refused.output


def test_bundles_can_be_encrypted_for_the_exchange(tmp_path: Path, monkeypatch) -> None:
    runner = CliRunner()
    lead_db, health_db, bundle = tmp_path / "lead.db", tmp_path / "health.db", tmp_path / "h.prbundle"
    for db in (lead_db, health_db):
        assert runner.invoke(main, ["init", str(EXAMPLE), "--db", str(db)]).exit_code == 0
    with Store.open(health_db) as store:
        notes.save_note(store, "mon-1330-lscb", "health", "+ secret words about the chair #partnership")
    monkeypatch.setenv("PEERREVIEW_BUNDLE_PASSPHRASE", "exchange-pass-2012")
    written = runner.invoke(
        main, ["bundle", "--encrypt", "-o", str(bundle), "--as", "health", "--db", str(health_db)]
    )
    assert written.exit_code == 0 and "(encrypted)" in written.output
    assert b"secret words" not in bundle.read_bytes()
    merged = runner.invoke(
        main, ["merge", str(bundle), "--db", str(lead_db), "--as", "lead", "--accept-key", "health"]
    )
    assert merged.exit_code == 0, merged.output
    with Store.open(lead_db) as store:
        assert "secret words" in notes.get_note(store, "mon-1330-lscb", "health").body
    monkeypatch.setenv("PEERREVIEW_BUNDLE_PASSPHRASE", "not-the-right-one")
    refused = runner.invoke(main, ["merge", str(bundle), "--db", str(lead_db)])
    assert refused.exit_code == 1 and "wrong passphrase" in refused.output


def test_an_encrypted_reviews_bundles_are_encrypted_with_its_passphrase(tmp_path: Path, monkeypatch) -> None:
    runner = CliRunner()
    monkeypatch.setenv("PEERREVIEW_PASSPHRASE", "team-passphrase-2012")
    lead_db, health_db, bundle = tmp_path / "lead.db", tmp_path / "health.db", tmp_path / "h.prbundle"
    for db in (lead_db, health_db):
        assert runner.invoke(main, ["init", str(EXAMPLE), "--encrypt", "--db", str(db)]).exit_code == 0
    with Store.open(health_db, passphrase="team-passphrase-2012") as store:
        notes.save_note(store, "mon-1330-lscb", "health", "+ private words about the chair #partnership")
    written = runner.invoke(main, ["bundle", "-o", str(bundle), "--as", "health", "--db", str(health_db)])
    assert written.exit_code == 0 and "(encrypted)" in written.output
    assert b"private words" not in bundle.read_bytes()
    merged = runner.invoke(
        main, ["merge", str(bundle), "--db", str(lead_db), "--as", "lead", "--accept-key", "health"]
    )
    assert merged.exit_code == 0
    with Store.open(lead_db, passphrase="team-passphrase-2012") as store:
        assert "private words" in notes.get_note(store, "mon-1330-lscb", "health").body


def test_merging_a_bundle_encrypted_for_the_exchange_says_what_happened(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PEERREVIEW_PASSPHRASE", "team-passphrase-2012")
    lead_db, health_db, stick = tmp_path / "lead.db", tmp_path / "health.db", tmp_path / "h.prbundle"
    for db in (lead_db, health_db):
        run("init", EXAMPLE, "--encrypt", "--db", db)
    with Store.open(health_db, passphrase="team-passphrase-2012") as store:
        notes.save_note(store, "mon-1330-lscb", "health", "+ the chair is new #partnership")
    monkeypatch.setenv("PEERREVIEW_BUNDLE_PASSPHRASE", "exchange-pass-2012")
    run("bundle", "--encrypt", "-o", stick, "--as", "health", "--db", health_db)
    # Asked for, the exchange passphrase is taken without a word about a wrong one.
    monkeypatch.delenv("PEERREVIEW_BUNDLE_PASSPHRASE")
    asked = CliRunner().invoke(
        main,
        ["merge", str(stick), "--db", str(lead_db), "--as", "lead", "--accept-key", "health"],
        input="exchange-pass-2012\n",
    )
    assert asked.exit_code == 0, asked.output
    assert "wrong passphrase" not in asked.output
    assert "not encrypted with this review's passphrase" in asked.output and "1 note" in asked.output
    # Given in the environment, it is used without asking.
    again = tmp_path / "h2.prbundle"
    with Store.open(health_db, passphrase="team-passphrase-2012") as store:
        notes.save_note(store, "mon-1330-lscb", "health", "+ the chair is new and able #partnership")
    monkeypatch.setenv("PEERREVIEW_BUNDLE_PASSPHRASE", "exchange-pass-2012")
    run("bundle", "--encrypt", "--since-last", "-o", again, "--as", "health", "--db", health_db)
    quiet = run("merge", again, "--db", lead_db).output
    assert "passphrase" not in quiet and "1 note" in quiet
    # A wrong one is called wrong, and nothing is merged.
    monkeypatch.setenv("PEERREVIEW_BUNDLE_PASSPHRASE", "not-the-right-one")
    refused = run("merge", again, "--db", lead_db, ok=False).output
    assert "wrong passphrase" in refused and refused.count("\n") == 1


def test_a_review_id_that_is_a_path_is_refused_on_join(tmp_path: Path, monkeypatch) -> None:
    lead = tmp_path / "lead.db"
    run("init", EXAMPLE, "--db", lead)
    start = bundle(lead, "lead", tmp_path / "start.prbundle")
    with sqlite3.connect(start) as conn:
        conn.execute("UPDATE bundle SET review_id = '../escaped/x'")
        conn.execute("UPDATE review SET id = '../escaped/x'")
    refused = run("join", start, "--db", tmp_path / "new.db", "--as", "officer1", ok=False).output
    assert "'../escaped/x' is not an id" in refused and refused.count("\n") == 1
    assert not (tmp_path / "new.db").exists()


def test_default_file_names_are_built_only_from_ids(tmp_path: Path, monkeypatch) -> None:
    """A review that took a path for its id before ids from bundles were checked: no file is
    written outside the folder it goes to, and the user is told to name the file."""
    db = tmp_path / "r.db"
    run("init", EXAMPLE, "--db", db)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE review SET id = '../escaped/x'")
    work, escaped = tmp_path / "work", tmp_path / "escaped"
    work.mkdir()
    escaped.mkdir()
    monkeypatch.chdir(work)
    refused = run("bundle", "--db", db, "--as", "lead", ok=False).output
    assert "'../escaped/x' is not an id" in refused and "-o" in refused
    run("export", "letter", "--format", "md", "--db", db)
    assert list(escaped.iterdir()) == [] and [p.name for p in exports_dir().iterdir()] == ["review-letter.md"]
    run("bundle", "--db", db, "--as", "lead", "-o", work / "named.prbundle")  # a name given is used


def test_the_lead_keeps_a_lost_laptops_work_that_a_colleague_had_first(tmp_path: Path) -> None:
    """officer1's last bundle reached health, not the lead, before the laptop was lost: the lead
    re-enrols officer1's replacement, refuses health's bundle saying why, and keeps that work."""
    lead, lost, health, new = (tmp_path / f"{name}.db" for name in ("lead", "lost", "health", "new"))
    stick = tmp_path / "stick"
    stick.mkdir()
    run("init", EXAMPLE, "--db", lead)
    start = bundle(lead, "lead", stick / "start.prbundle")
    run("join", start, "--db", lost, "--as", "officer1")
    run("join", start, "--db", health, "--as", "health")
    first = [
        bundle(db, me, stick / f"{db.stem}-1.prbundle") for db, me in ((lost, "officer1"), (health, "health"))
    ]
    run("merge", *first, "--db", lead, "--as", "lead", "--accept-key", "officer1", "--accept-key", "health")
    run("merge", bundle(lead, "lead", stick / "lead-1.prbundle"), "--db", health)
    run("note", "add", SESSION, "--as", "officer1", "--db", lost, input="+ typed before the loss #practice\n")
    run("merge", bundle(lost, "officer1", stick / "lost-2.prbundle"), "--db", health)  # the laptop is lost

    run("join", bundle(lead, "lead", stick / "lead-2.prbundle"), "--db", new, "--as", "officer1")
    replacement = bundle(new, "officer1", stick / "new-1.prbundle")
    run("merge", replacement, "--db", lead, "--as", "lead", "--re-enrol", "officer1")
    run("merge", bundle(lead, "lead", stick / "lead-3.prbundle"), "--db", health)
    waiting = run("verify", "--db", health, ok=False).output
    assert waiting.startswith("Nothing here is forged, but some signed work waits for the lead's decision:")
    assert "Priya Natarajan's lost laptop's key" in waiting and "send your next bundle to the lead" in waiting

    from_health = bundle(health, "health", stick / "health-2.prbundle")
    held = run("merge", from_health, "--db", lead, "--as", "lead", ok=False).output
    assert "refused (nothing was merged): Priya Natarajan's lost laptop's key signed" in held
    assert "'peerreview merge --keep-lost-work officer1 health-2.prbundle'" in held
    assert "officer1's" not in held and "UTC" not in held
    only = run(
        "merge", from_health, "--db", new, "--as", "officer1", "--keep-lost-work", "officer1", ok=False
    )
    assert "only the lead (Helen Marchbank), on their own laptop, decides" in only.output
    kept = run("merge", from_health, "--db", lead, "--as", "lead", "--keep-lost-work", "officer1").output
    assert "Kept the work Priya Natarajan's lost laptop signed after its key was retired" in kept

    out = bundle(lead, "lead", stick / "lead-4.prbundle")
    run("merge", out, "--db", health)
    run("merge", out, "--db", new)
    assert state(lead) == state(health) == state(new)
    for db in (lead, health, new):
        assert run("verify", "--db", db).output.startswith("Signed work checks out.")
