"""Signed work's core: what a signature covers, keys kept in the review, the fingerprint people
compare, and no cost at start-up."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from peerreview_tui import signing
from peerreview_tui.cli import main
from peerreview_tui.signing import Enrolment, Entry
from peerreview_tui.store import Store, signatures

PRIVATE = bytes(range(32))
PUBLIC = signing.public_key(PRIVATE)


def signed_entry(**fields: object) -> Entry:
    unsigned = Entry(
        **{
            "public_key": PUBLIC,
            "seq": 1,
            "prev": "",
            "table_name": "notes",
            "row_key": "n1",
            "hash": "0" * 32,
            "stamp": "2012-09-10T09:30:00.000000Z",
            "author": "officer1",
        }
        | fields  # type: ignore[arg-type]
    )
    return Entry(**(vars(unsigned) | {"signature": signing.sign(PRIVATE, unsigned.message())}))


def test_an_entry_verifies_and_names_what_it_covers() -> None:
    entry = signed_entry()
    assert entry.verifies()
    for field, other in [
        ("table_name", "findings"),
        ("row_key", "n2"),
        ("hash", "1" * 32),
        ("stamp", "2012-09-10T09:30:00.000001Z"),
        ("author", "lead"),
        ("seq", 2),
        ("prev", "a" * 32),
    ]:
        assert not Entry(**(vars(entry) | {field: other})).verifies(), field


@given(st.integers(0, 63), st.integers(1, 255))
def test_any_changed_byte_of_a_signature_fails(position: int, flip: int) -> None:
    entry = signed_entry()
    raw = bytearray(bytes.fromhex(entry.signature))
    raw[position] ^= flip
    assert not Entry(**(vars(entry) | {"signature": raw.hex()})).verifies()


def test_malformed_keys_and_signatures_do_not_verify() -> None:
    entry = signed_entry()
    for bad in ["", "zz", "00" * 64 + "00", "not hex at all"]:
        assert not Entry(**(vars(entry) | {"signature": bad})).verifies()
        assert not Entry(**(vars(entry) | {"public_key": bad})).verifies()


def test_an_enrolment_is_the_leads_word() -> None:
    lead_private = bytes(range(1, 33))
    lead = signing.public_key(lead_private)
    unsigned = Enrolment(PUBLIC, "officer1", "2012-09-10T09:30:00.000000Z", lead)
    enrolment = Enrolment(**(vars(unsigned) | {"signature": signing.sign(lead_private, unsigned.message())}))
    assert enrolment.verifies()
    assert not Enrolment(**(vars(enrolment) | {"reviewer_id": "lead"})).verifies()
    assert not Enrolment(**(vars(enrolment) | {"retired_after": 3})).verifies()
    # a row's signature is no enrolment, even over the same bytes: each message says what it is
    assert not signing.verify(PUBLIC, unsigned.message(), signed_entry().signature)


def test_the_fingerprint_is_sixteen_hex_digits_in_fours() -> None:
    assert re.fullmatch(r"[0-9a-f]{4}( [0-9a-f]{4}){3}", signing.fingerprint(PUBLIC))


def test_a_key_pair_is_made_once_and_kept_in_the_review(store: Store) -> None:
    with store.write() as db:
        first = signatures.ensure_key(db, "officer1")
        assert signatures.ensure_key(db, "officer1") == first
        assert signatures.ensure_key(db, "health") != first
        private = signatures.private_key(db, "officer1")
    assert private is not None and signing.public_key(private) == first


def test_whoami_shows_the_same_fingerprint_each_time(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    runner = CliRunner()
    assert (
        runner.invoke(
            main, ["init", str(Path(__file__).parent.parent / "schedule.example.yaml"), "--db", str(db)]
        ).exit_code
        == 0
    )
    first = runner.invoke(main, ["whoami", "--as", "officer1", "--db", str(db)])
    assert first.exit_code == 0, first.output
    assert "You are Priya Natarajan (officer1)" in first.output and "Not enrolled yet" in first.output
    key = re.search(r"Your key: ([0-9a-f ]{19})", first.output)
    assert key and key.group(1) in runner.invoke(main, ["whoami", "--as", "officer1", "--db", str(db)]).output


def test_starting_the_app_or_the_cli_loads_no_cryptography() -> None:
    code = (
        "import sys, peerreview_tui.cli, peerreview_tui.sync, peerreview_tui.ui.app, peerreview_tui.store.signatures; "
        "print('cryptography' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
