"""Several workers on one database: a user's messages never interleave, and nothing is lost."""

from __future__ import annotations

import threading

from bot.core.events import Identity, Inbound
from tests.conftest import DeskFactory


def test_two_workers_handling_one_users_messages_at_once_keep_both(make_desk: DeskFactory) -> None:
    first, second = make_desk(), make_desk()
    identity = Identity("terminal", "olga", "chat-olga")
    first.handle(Inbound(identity, text="/appeal", update_id="1"))
    barrier = threading.Barrier(2)
    results: dict[str, list[str]] = {}

    def send(desk_name: str, text: str, update_id: str) -> None:
        desk = first if desk_name == "first" else second
        barrier.wait()
        results[update_id] = [
            reply.template for reply in desk.handle(Inbound(identity, text=text, update_id=update_id))
        ]

    threads = [
        threading.Thread(target=send, args=("first", "olga_dev", "2")),
        threading.Thread(target=send, args=("second", "Temporary hold", "3")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    state = first.handle(Inbound(identity, text="/start", update_id="4"))[-1].template
    if results["3"] == ["intake/steps/notice_date.j2"]:
        # the account came first, then the choice was applied to the state it left
        assert results["2"] == ["intake/steps/what_happened.j2"]
        assert state == "intake/steps/notice_date.j2"
    else:
        # the choice came first and was not a valid account; the account then moved the intake on
        assert results["3"] == ["intake/invalid.j2", "intake/steps/account.j2"]
        assert results["2"] == ["intake/steps/what_happened.j2"]
        assert state == "intake/steps/what_happened.j2"
