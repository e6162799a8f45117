"""Abuse limits: a flood is answered once with when to write again, an account gets a few appeals a
week, and agents are never slowed by a freelancer's traffic."""

from __future__ import annotations

from sqlmodel import select

from bot.core.clock import ManualClock
from bot.core.tickets.actors import Actor
from bot.desk import Desk
from bot.store.models import OutboxMessage
from tests.chat import ChatUser, file_appeal
from tests.conftest import DeskFactory

ALICE = Actor("cli", "alice")


def notifications_to(desk: Desk, user_id: str) -> list[str]:
    with desk.db.session() as session:
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "user").order_by(OutboxMessage.id))
        return [row.template for row in rows if row.chat_id == f"chat-{user_id}"]


def test_the_first_message_over_the_limit_says_when_to_write_again_and_the_rest_are_quiet(
    make_desk: DeskFactory, clock: ManualClock
) -> None:
    desk = make_desk(user_messages_per_minute=3)
    user = ChatUser(desk)
    for _ in range(3):
        assert user.send("hello") and user.templates() == ["idle/welcome.j2"]
    user.send("hello")
    assert user.templates() == ["errors/slow_down.j2"]
    assert "until Wed 25 Nov, 12:01 UTC" in user.text() and "up to 3" in user.text()
    assert "send your last message again" in user.text()
    assert user.send("hello?") == [], "one answer a window, not one a message"
    assert user.send("/status") == []
    clock.advance(minutes=1)
    user.send("hello")
    assert user.templates() == ["idle/welcome.j2"]


def test_the_time_told_is_never_before_the_window_ends(make_desk: DeskFactory, clock: ManualClock) -> None:
    desk = make_desk(user_messages_per_minute=1)
    user = ChatUser(desk)
    clock.advance(seconds=30)
    user.send("hello")
    user.send("hello")
    assert "until Wed 25 Nov, 12:02 UTC" in user.text(), "12:01:30 is told as the minute after it"


def test_an_intake_answer_sent_over_the_limit_is_not_taken_and_the_user_sends_it_again(
    make_desk: DeskFactory, clock: ManualClock
) -> None:
    desk = make_desk(user_messages_per_minute=1)
    user = ChatUser(desk)
    user.send("/appeal")
    assert user.templates()[-1] == "intake/steps/account.j2"
    user.send("olegz_dev")
    assert user.templates() == ["errors/slow_down.j2"]
    assert "Your appeal so far is saved" in user.text() and "send your last answer again" in user.text()
    clock.advance(minutes=1)
    user.send("olegz_dev")
    assert user.templates() == ["intake/steps/what_happened.j2"]


def test_each_user_has_a_window_of_their_own(make_desk: DeskFactory) -> None:
    desk = make_desk(user_messages_per_minute=1)
    olga, oleg = ChatUser(desk, "olga"), ChatUser(desk, "oleg")
    olga.send("hello")
    olga.send("hello")
    oleg.send("hello")
    assert (olga.templates(), oleg.templates()) == (["errors/slow_down.j2"], ["idle/welcome.j2"])


def test_agents_and_admins_are_never_counted_and_their_actions_reach_a_flooding_user(
    make_desk: DeskFactory,
) -> None:
    desk = make_desk(user_messages_per_minute=20)
    user = ChatUser(desk)
    reference = file_appeal(user)
    for _ in range(5):
        user.send("any news?")
    assert user.send("any news?") == []
    for name in ("alice", "bob"):  # an admin and agent; an agent
        agent = ChatUser(desk, name)
        for _ in range(25):
            agent.send("hello")
            assert agent.templates() == ["idle/welcome.j2"]
    desk.tickets.claim(reference, ALICE)
    desk.tickets.request_info(reference, ALICE, "Please send your travel booking.")
    assert notifications_to(desk, "olga")[-1].startswith("notify/"), "the agent's question is queued all the same"


def test_an_account_at_its_weekly_appeals_cap_is_told_when_it_can_appeal_again(
    make_desk: DeskFactory, clock: ManualClock
) -> None:
    desk = make_desk(appeals_per_account_per_week=2)
    file_appeal(ChatUser(desk, "olga"))
    clock.advance(days=1)
    file_appeal(ChatUser(desk, "oleg"))
    third = ChatUser(desk, "olha")
    third.send("/appeal")
    third.send("olegz_dev")
    assert third.templates() == ["intake/appeal_limit.j2"], "told at the account question, not after all of them"
    assert "up to 2 appeals a week" in third.text() and "from Wed 02 Dec, 12:00 UTC" in third.text()
    third.send("/appeal")
    third.send("another_account")
    assert third.templates() == ["intake/steps/what_happened.j2"], "other accounts are not capped"
    third.send("/cancel")
    clock.advance(days=6)
    assert file_appeal(third).startswith("AD-"), "a week after the oldest appeal the account can appeal again"


def test_the_cap_is_checked_again_when_the_appeal_is_sent(make_desk: DeskFactory) -> None:
    desk = make_desk(appeals_per_account_per_week=1)
    late = ChatUser(desk, "olha")
    late.send("/appeal")
    late.send("olegz_dev")
    assert late.templates() == ["intake/steps/what_happened.j2"]
    file_appeal(ChatUser(desk, "olga"))
    late.press("Permanently suspended")
    late.send("yesterday")
    late.press("No notice received")
    late.press("No reason given")
    late.send("2017")
    late.press("Top Rated Plus")
    late.press("Skip")
    late.press("VPN or travel")
    late.press("Done")
    late.send("I was travelling in Turkey from 10 to 19 Nov and used a VPN for my bank. I never hid my location.")
    late.press("That's all")
    late.press("Done, no more files")
    late.press("Here in this chat")
    late.press("Yes, I agree")
    late.press("Send appeal")
    assert late.templates() == ["intake/appeal_limit.j2"]
    assert len(desk.tickets.list(ALICE, "all")) == 1
