"""Faults and hostile files: a full disk, random CSVs, random bundles. Each gives the project's
own error, names the place, and leaves the review as it was."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peerreview_tui.imports import CsvImportError, import_performance, import_questionnaire
from peerreview_tui.store import Store, StoreError, notes
from peerreview_tui.sync import SyncError, read_bundle, write_bundle

from .conftest import examples

FUZZ = settings(
    max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _evidence_count(store: Store) -> int:
    with store.read() as db:
        return db.execute("SELECT count(*) FROM evidence").fetchone()[0]


def test_a_full_disk_is_a_clear_error_and_the_note_already_saved_stays(store: Store) -> None:
    notes.save_note(store, "mon-1330-lscb", "lead", "+ first words #partnership")
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count = {pages}")  # the disk is now full
    with pytest.raises(StoreError, match="disk is full"):
        notes.save_note(store, "mon-1330-lscb", "lead", "+ first words #partnership\n" + "x" * 200_000)
    assert notes.get_note(store, "mon-1330-lscb", "lead").body == "+ first words #partnership"


@FUZZ
@given(text=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400))
def test_any_performance_csv_is_imported_whole_or_refused_with_its_place(
    store: Store, tmp_path: Path, text: str
) -> None:
    path = tmp_path / "fuzz.csv"
    path.write_text("indicator,period,value\n" + text, encoding="utf-8")
    before = _evidence_count(store)
    try:
        import_performance(store, path, "manager")
    except CsvImportError as error:
        assert error.problems and all(p.startswith("fuzz.csv") for p in error.problems)
        assert _evidence_count(store) == before


@FUZZ
@given(raw=st.binary(max_size=600))
def test_any_questionnaire_bytes_give_only_the_projects_error(
    store: Store, tmp_path: Path, raw: bytes
) -> None:
    path = tmp_path / "survey.csv"
    path.write_bytes(raw)
    before = _evidence_count(store)
    try:
        import_questionnaire(store, path, "manager")
    except CsvImportError as error:
        assert error.problems and all(p.startswith("survey.csv") for p in error.problems)
        assert _evidence_count(store) == before


@FUZZ
@given(raw=st.binary(max_size=2000))
def test_any_file_given_as_a_bundle_is_refused_with_its_name(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "odd.prbundle"
    path.write_bytes(raw)
    with pytest.raises(SyncError, match=r"odd\.prbundle"):
        read_bundle(path)


def test_a_review_database_given_as_a_bundle_is_refused(store: Store) -> None:
    with pytest.raises(SyncError, match="not a peerreview bundle"):
        read_bundle(store.path)


def test_a_truncated_bundle_is_refused(store: Store, tmp_path: Path) -> None:
    full = tmp_path / "full.prbundle"
    write_bundle(store, full, actor="lead")
    cut = tmp_path / "cut.prbundle"
    cut.write_bytes(full.read_bytes()[:4096])
    with pytest.raises(SyncError, match=r"cut\.prbundle"):
        read_bundle(cut)
