"""What people read instead of ids."""

from __future__ import annotations

import datetime as dt

from peerreview_tui.names import Names, local_time
from peerreview_tui.store import week


def test_names_of_the_store_know_reviewers_sessions_and_focus_areas(store) -> None:
    names = week.names(store)
    assert names.reviewer("officer1") == "Priya Natarajan"
    assert (
        names.session("mon-0930-dcs")
        == "Monday 09:30 Opening meeting with the Director of Children's Services"
    )
    assert names.area("practice").startswith("Quality of practice")


def test_what_is_not_known_is_said_as_it_is() -> None:
    names = Names()
    assert (names.reviewer("ghost"), names.session("x"), names.area("y")) == ("ghost", "session x", "#y")
    assert (names.reviewer(None), names.area(None)) == ("nobody", "no focus area")


def test_stored_stamps_read_in_local_time() -> None:
    stamp = "2012-09-10T13:05:07.123456Z"
    local = dt.datetime(2012, 9, 10, 13, 5, 7, tzinfo=dt.UTC).astimezone()
    assert local_time(stamp) == f"{local:%a %-d %b %H:%M}"
    assert local_time("not a time") == "not a time" and local_time(None) == "?"
