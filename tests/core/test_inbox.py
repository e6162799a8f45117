"""The inbox keeps updates until handled: each recorded once, and what a dead process left is found again."""

from __future__ import annotations

from bot.desk import Desk


def test_an_update_is_recorded_once_however_often_it_comes(desk: Desk) -> None:
    assert desk.inbox.record("telegram", [("7", {"n": 7}), ("8", {"n": 8})]) == ["7", "8"]
    assert desk.inbox.record("telegram", [("8", {"n": 8}), ("9", {"n": 9})]) == ["9"]
    assert desk.inbox.record("slack", [("7", {"n": 7})]) == ["7"]  # ids are per channel


def test_what_is_not_done_is_found_again_oldest_first(desk: Desk) -> None:
    desk.inbox.record("telegram", [("10", {"n": 10}), ("9", {"n": 9})])
    desk.inbox.record("telegram", [("11", {"n": 11})])
    desk.inbox.done("telegram", "9")

    assert desk.inbox.undone("telegram") == [("10", {"n": 10}), ("11", {"n": 11})]
    assert desk.inbox.undone("slack") == []


def test_a_done_update_is_still_not_recorded_again(desk: Desk) -> None:
    desk.inbox.record("slack", [("Ev1", {"event": {}})])
    desk.inbox.done("slack", "Ev1")

    assert desk.inbox.record("slack", [("Ev1", {"event": {}})]) == []
    assert desk.inbox.undone("slack") == []
