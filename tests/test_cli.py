"""The command line as a user types it: messages, exit codes, and never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from peerreview_tui.cli import main
from peerreview_tui.store import Store, week
from peerreview_tui.store.backup import list_backups

from .conftest import EXAMPLE


def run(*args: str, input: str | None = None):
    result = CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def test_check_accepts_the_example() -> None:
    result = run("check", str(EXAMPLE))
    assert result.exit_code == 0
    assert "ok: 5 days, 45 sessions, 6 reviewers, 4 focus areas" in result.output


def test_check_names_file_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "week.yaml"
    bad.write_text(EXAMPLE.read_text().replace('end: "10:30"', 'end: "25:00"', 1))
    result = run("check", str(bad))
    assert result.exit_code == 1
    assert "week.yaml:" in result.output and "is not a time (HH:MM)" in result.output
    assert "nothing was loaded" in result.output


def test_check_of_a_missing_file(tmp_path: Path) -> None:
    result = run("check", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 1 and "no such file" in result.output


def test_init_then_init_again_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    first = run("init", str(EXAMPLE), "--db", str(db))
    assert first.exit_code == 0 and "Created review 'northborough-2012'" in first.output
    again = run("init", str(EXAMPLE), "--db", str(db))
    assert again.exit_code == 1 and "peerreview reload" in again.output


def test_the_database_comes_from_the_environment(tmp_path: Path, monkeypatch) -> None:
    db = tmp_path / "env.db"
    monkeypatch.setenv("PEERREVIEW_DB", str(db))
    assert run("init", str(EXAMPLE)).exit_code == 0
    assert db.exists()
    assert str(db) in run("locate").output


def test_default_database_lives_in_peerreview_home(data_home: Path) -> None:
    assert run("init", str(EXAMPLE)).exit_code == 0
    assert (data_home / "review.db").exists()


def test_reload_reports_changes_and_backs_up(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    run("init", str(EXAMPLE), "--db", str(db))
    revised = tmp_path / "revised.yaml"
    text = EXAMPLE.read_text()
    revised.write_text(text.replace("Team base room", "Team base room (moved)", 1))
    result = run("reload", str(revised), "--db", str(db))
    assert result.exit_code == 0
    assert "0 sessions added, 1 updated, 0 removed" in result.output
    assert "backup" in result.output
    assert list_backups(db)


def test_reload_of_a_bad_file_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    run("init", str(EXAMPLE), "--db", str(db))
    bad = tmp_path / "bad.yaml"
    bad.write_text("review: [\n")
    result = run("reload", str(bad), "--db", str(db))
    assert result.exit_code == 1 and "bad.yaml:" in result.output
    with Store.open(db) as store:
        assert len(week.sessions(store)) == 45


def test_commands_refuse_a_file_that_is_not_a_review(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("my private notes")
    result = run("reload", str(EXAMPLE), "--db", str(notes))
    assert result.exit_code == 1
    assert result.output.startswith("Error:") and "not a review database" in result.output
    assert notes.read_text() == "my private notes"


def test_a_missing_database_suggests_init(tmp_path: Path) -> None:
    result = run("reload", str(EXAMPLE), "--db", str(tmp_path / "none.db"))
    assert result.exit_code == 1 and "peerreview init" in result.output


def test_schema_is_json_schema_of_the_file() -> None:
    schema = json.loads(run("schema").output)
    assert set(schema["properties"]) == {"review", "focus_areas", "reviewers", "days"}
    assert schema["additionalProperties"] is False


def test_demo_no_open_writes_the_demo(data_home: Path) -> None:
    result = run("demo", "--no-open")
    assert result.exit_code == 0
    with Store.open(data_home / "demo.db") as store:
        assert store.review().council == "Northborough Borough Council"
        assert len(week.sessions(store)) == 45


def test_locate_lists_the_places(data_home: Path) -> None:
    output = run("locate").output
    assert str(data_home / "review.db") in output
    assert "backups" in output and "demo" in output


def _demo(data_home: Path) -> Path:
    run("demo", "--no-open")
    return data_home / "demo.db"


def test_after_make_demo_commands_use_the_demo_and_say_so(data_home: Path) -> None:
    demo = _demo(data_home)
    result = run("findings")
    assert result.exit_code == 0, result.output
    assert f"Using the demo review, {demo}" in result.stderr
    assert "--db chooses another" in result.stderr
    assert "no review database" not in result.output
    assert result.stdout.strip()  # the demo's findings
    assert "commands use the demo" in run("locate").output


def test_a_review_db_is_used_rather_than_the_demo(data_home: Path) -> None:
    _demo(data_home)
    created = run("init", str(EXAMPLE))  # creates review.db: not the demo
    assert created.exit_code == 0 and str(data_home / "review.db") in created.output
    result = run("findings")
    assert result.exit_code == 0 and "demo" not in result.stderr


def test_without_review_db_or_demo_the_error_says_what_to_do(data_home: Path) -> None:
    result = run("findings")
    assert result.exit_code == 1
    assert f"no review database at {data_home / 'review.db'}" in result.output
    assert "peerreview init SCHEDULE.yaml" in result.output and "peerreview demo" in result.output


def test_a_missing_db_named_by_the_environment_names_the_demo_to_use(
    data_home: Path, tmp_path: Path, monkeypatch
) -> None:
    demo = _demo(data_home)
    monkeypatch.setenv("PEERREVIEW_DB", str(tmp_path / "mine.db"))
    result = run("findings")  # a database was chosen: not replaced by the demo, but named
    assert result.exit_code == 1
    assert f"the demo review is at {demo}: add --db '{demo}'" in result.output


def test_help_states_the_real_defaults() -> None:
    demo_help = " ".join(run("demo", "--help").output.split())
    assert "default: demo.db in the data folder" in demo_help
    assert "else review.db in the data folder" not in demo_help  # the other commands' default
    findings_help = " ".join(run("findings", "--help").output.split())
    assert "else review.db in the data folder, else, while there is no review.db, the demo's demo.db" in (
        findings_help
    )
    for creating in (["init"], ["join"], ["encrypt"]):  # these never fall back to the demo
        text = " ".join(run(*creating, "--help").output.split())
        assert "else review.db in the data folder;" in text and "demo" not in text


def test_note_add_appends_from_stdin_and_from_a_file(data_home: Path, tmp_path: Path) -> None:
    db = _demo(data_home)
    first = run(
        "note",
        "add",
        "mon-1330-lscb",
        "--as",
        "health",
        "--db",
        str(db),
        input="+ chair is independent #partnership\n",
    )
    assert first.exit_code == 0 and first.output.startswith(
        "Added 1 line to Angela Osei's note for Mon 10 Sep 13:30 Interview: LSCB Independent Chair (now 1 line)."
    )
    drafted = tmp_path / "draft.txt"
    drafted.write_text("- escalation is slow #practice\n? ask for the audit\n")
    second = run("note", "add", "mon-1330-lscb", "--as", "health", "--file", str(drafted), "--db", str(db))
    assert second.exit_code == 0 and "Added 2 lines" in second.output
    exported = run("export", "notes", "--session", "mon-1330-lscb", "--db", str(db)).output
    assert (
        "+ chair is independent #partnership\n- escalation is slow #practice\n? ask for the audit" in exported
    )
    assert "Angela Osei" in exported and "Areas for development" in exported


def test_note_add_refuses_unknown_reviewer_session_and_empty_text(data_home: Path) -> None:
    db = str(_demo(data_home))
    assert (
        "choose one of: lead, member"
        in run("note", "add", "mon-1330-lscb", "--as", "bob", "--db", db, input="x").output
    )
    assert "no session 'nope'" in run("note", "add", "nope", "--as", "lead", "--db", db, input="x").output
    empty = run("note", "add", "mon-1330-lscb", "--as", "lead", "--db", db, input="  \n")
    assert empty.exit_code == 1 and "empty" in empty.output


def test_export_notes_writes_a_private_file(data_home: Path, tmp_path: Path) -> None:
    db = str(_demo(data_home))
    run("note", "add", "mon-1045-ce", "--as", "lead", "--db", db, input="+ knows the front door #practice")
    out = tmp_path / "notes.md"
    result = run("export", "notes", "-o", str(out), "--db", db)
    assert result.exit_code == 0 and str(out) in result.output
    assert "Interview: Chief Executive" in out.read_text() and out.stat().st_mode & 0o077 == 0


def test_open_refuses_an_unknown_reviewer_or_session_before_the_screen(data_home: Path) -> None:
    db = str(_demo(data_home))
    who = run("open", "--db", db, "--as", "nobody")
    assert who.exit_code == 1 and "no reviewer 'nobody'" in who.output
    where = run("open", "--db", db, "--as", "lead", "--session", "nowhere")
    assert where.exit_code == 1 and "no session 'nowhere'" in where.output


def test_coverage_prints_the_matrix_with_thin_cells(data_home: Path) -> None:
    db = str(_demo(data_home))
    output = run("coverage", "--db", db).output
    assert "Effectiveness of commissioning" in output and "!" in output
    assert "not tagged to a focus area" in output
    monday = run("coverage", "--day", "1", "--db", db)
    assert monday.exit_code == 0 and monday.output != output
    assert "the review has 5 days" in run("coverage", "--day", "9", "--db", db).output


def test_findings_lists_badges_and_filters_by_status(data_home: Path) -> None:
    db = str(_demo(data_home))
    everything = run("findings", "--db", db).output
    agreed = run("findings", "--status", "agreed", "--db", db).output
    assert "single source" in everything and "[draft]" in everything
    assert "[draft]" not in agreed and agreed.count("[agreed]") == 3


def test_imports_show_in_the_matrix_and_refuse_bad_files(data_home: Path, tmp_path: Path) -> None:
    db = str(data_home / "r.db")
    run("init", str(EXAMPLE), "--db", db)
    data = Path(__file__).resolve().parent.parent / "peerreview_tui" / "data"
    done = run("import", "performance", str(data / "performance.example.csv"), "--as", "manager", "--db", db)
    assert done.exit_code == 0 and "Imported 11 indicators" in done.output
    assert "data" in run("coverage", "--db", db).output
    bad = tmp_path / "bad.csv"
    bad.write_text("indicator,period,value\nRe-referrals,2011/12,lots\n")
    refused = run("import", "performance", str(bad), "--as", "manager", "--db", db)
    assert refused.exit_code == 1
    assert "bad.csv: row 2, column 'value'" in refused.output and "nothing was imported" in refused.output
    survey = run(
        "import", "questionnaire", str(data / "questionnaire.example.csv"), "--as", "manager", "--db", db
    )
    assert survey.exit_code == 0 and "Imported 8 questions" in survey.output


def test_import_needs_to_know_who_is_acting(data_home: Path) -> None:
    db = str(data_home / "r.db")
    run("init", str(EXAMPLE), "--db", db)
    result = run("import", "performance", "x.csv", "--db", db)
    assert result.exit_code == 1 and "--as" in result.output


def test_note_add_reads_windows_text_and_says_so(data_home: Path) -> None:
    db = str(_demo(data_home))
    result = CliRunner().invoke(
        main,
        ["note", "add", "mon-1330-lscb", "--as", "health", "--db", db],
        input="+ the caf\u00e9 \u2018drop-in\u2019 works #practice\n".encode("cp1252"),
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "not UTF-8" in result.output and "Windows-1252" in result.output
    with Store.open(Path(db)) as store:
        from peerreview_tui.store import notes

        body = notes.get_note(store, "mon-1330-lscb", "health").body
    assert "+ the caf\u00e9 \u2018drop-in\u2019 works #practice" in body


def test_note_add_refuses_text_in_no_encoding_it_knows(data_home: Path, tmp_path: Path) -> None:
    db = _demo(data_home)
    before = run("export", "notes", "--db", str(db)).output
    garbled = tmp_path / "garbled.txt"
    garbled.write_bytes(b"caf\xe9 \x81\x8d\x90 then")  # bytes neither UTF-8 nor Windows-1252 has
    result = run("note", "add", "mon-1330-lscb", "--as", "lead", "--file", str(garbled), "--db", str(db))
    assert result.exit_code == 1
    assert "not UTF-8" in result.output and "nothing was added" in result.output
    assert run("export", "notes", "--db", str(db)).output == before


def test_note_add_reads_utf16_with_its_byte_order_mark(data_home: Path, tmp_path: Path) -> None:
    db = str(_demo(data_home))
    drafted = tmp_path / "notepad.txt"
    drafted.write_bytes("+ r\u00e9sum\u00e9 agreed #practice\r\n".encode("utf-16"))
    result = run("note", "add", "mon-1330-lscb", "--as", "health", "--file", str(drafted), "--db", db)
    assert result.exit_code == 0, result.output
    exported = run("export", "notes", "--session", "mon-1330-lscb", "--db", db).output
    assert "+ r\u00e9sum\u00e9 agreed #practice" in exported


def test_note_add_to_a_busy_review_waits_then_says_nothing_was_added(data_home: Path, monkeypatch) -> None:
    import sqlite3

    db = _demo(data_home)
    monkeypatch.setattr("peerreview_tui.store.connection.BUSY_TIMEOUT_MS", 200)
    holder = sqlite3.connect(db, isolation_level=None)  # the app, in the middle of a write
    holder.execute("BEGIN IMMEDIATE")
    try:
        result = run("note", "add", "mon-1330-lscb", "--as", "lead", "--db", str(db), input="+ later\n")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == 1
    assert "busy" in result.output and "nothing was added" in result.output


def test_search_lists_each_matching_line_by_session(data_home: Path) -> None:
    db = str(_demo(data_home))
    result = run("search", "supervision", "--db", db)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Mon 10 Sep 10:45  Case file audit (morning block)"
    assert lines[1].startswith("  Priya Natarajan ") and "Supervision recorded monthly" in lines[1]
    assert "lines in" in result.stderr
    headings = [line for line in lines if not line.startswith("  ")]
    assert len(headings) == len(set(headings))  # each session once, its lines under it
    assert len(lines) - len(headings) > len(headings)  # more lines than sessions: not one per note


def test_search_says_when_there_are_more_lines(data_home: Path) -> None:
    db = str(_demo(data_home))
    result = run("search", "the", "--limit", "3", "--db", db)
    assert result.exit_code == 0
    assert len([line for line in result.stdout.splitlines() if line.startswith("  ")]) == 3
    assert "The first 3 lines" in result.stderr
    assert "No line" in run("search", "zzyzx", "--db", db).stderr
