"""Several workers on one database: a user's messages never interleave, and nothing is lost."""

from __future__ import annotations

import threading

from sqlmodel import func, select

from bot.core.events import Identity, Inbound
from bot.desk import Desk
from bot.store.models import OutboxMessage, ProcessedUpdate
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


def test_one_update_delivered_to_two_workers_at_once_is_handled_once(make_desk: DeskFactory) -> None:
    first, second = make_desk(), make_desk()
    identity = Identity("terminal", "olga", "chat-olga")
    first.handle(Inbound(identity, text="/start", update_id="1"))
    barrier = threading.Barrier(2)
    replies: list[list[str]] = []

    def handle(desk: Desk) -> None:
        barrier.wait()
        replies.append([reply.template for reply in desk.handle(Inbound(identity, text="/appeal", update_id="2"))])

    threads = [threading.Thread(target=handle, args=(desk,)) for desk in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(replies, key=len) == [[], ["intake/start.j2", "intake/steps/account.j2"]]
    with first.db.session() as session:
        assert session.exec(select(func.count()).select_from(ProcessedUpdate)).one() == 2
        queued = session.exec(select(OutboxMessage.template).where(OutboxMessage.chat_id == "chat-olga")).all()
    assert queued.count("intake/start.j2") == 1 and queued.count("intake/steps/account.j2") == 1
