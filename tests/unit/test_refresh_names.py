"""The names a refresh gives its databases: within 63 bytes, recognised again, never reused."""

from __future__ import annotations

from datetime import UTC, datetime

from dumpcheck.refresh import names

NOW = datetime(2026, 12, 7, 8, 0, 0, 250_000, tzinfo=UTC)


def test_a_free_second_is_now_when_nothing_is_taken() -> None:
    assert names.free_stamp("shop", {"shop", "postgres"}, NOW) == "20261207T080000Z"


def test_a_name_taken_this_second_moves_the_stamp_past_it() -> None:
    # A killed run's unmarked candidate, or a rollback in the second of the refresh.
    taken = {names.candidate_name("shop", "20261207T080000Z")}
    assert names.free_stamp("shop", taken, NOW) == "20261207T080001Z"
    taken |= {names.previous_name("shop", "20261207T080001Z")}
    assert names.free_stamp("shop", taken, NOW) == "20261207T080002Z"


def test_the_stamp_is_later_than_every_stamp_of_the_target() -> None:
    # A previous database stamped ahead of the clock (an earlier refresh moved past a taken
    # second): the new one must still sort as the newest, or --rollback would pick the old one.
    taken = {names.previous_name("shop", "20261207T080005Z")}
    assert names.free_stamp("shop", taken, NOW) == "20261207T080006Z"


def test_other_targets_names_do_not_move_the_stamp() -> None:
    taken = {
        names.candidate_name("shop2", "20261207T080000Z"),
        names.previous_name("sho", "20261207T080000Z"),
    }
    assert names.free_stamp("shop", taken, NOW) == "20261207T080000Z"


def test_long_targets_are_cut_on_a_character_and_still_recognised() -> None:
    target = "é" * 40  # 80 bytes
    when = names.free_stamp(target, (), NOW)
    name = names.candidate_name(target, when)
    assert len(name.encode()) <= names.MAX_NAME_BYTES
    name.encode().decode()  # no character cut in half
    assert names.stamp_of(name, target, names.CANDIDATE) == when
    assert names.free_stamp(target, {name}, NOW) == "20261207T080001Z"
