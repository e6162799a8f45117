"""The ticket view is the `tickets show --json` contract: its shape and its values are pinned, key by key."""

from __future__ import annotations

import json
from pathlib import Path

from bot.core.clock import ManualClock
from bot.core.tickets.actors import Actor
from bot.desk import Desk
from tests.chat import ChatUser, file_appeal, pdf

ALICE = Actor("cli", "alice", "alice")
PINNED = Path(__file__).with_name("ticket_show.json")


def test_the_json_of_a_worked_ticket_is_exactly_the_documented_one(desk: Desk, clock: ManualClock) -> None:
    user = ChatUser(desk, display_name="Olga K.")
    reference = file_appeal(user, files=(pdf(),))
    clock.advance(hours=1)
    desk.tickets.claim(reference, ALICE)
    desk.tickets.request_info(reference, ALICE, "Please send the booking for your trip.")
    clock.advance(hours=2)
    user.send("Attached, see the booking from 10 Nov.", files=(pdf("hotel.pdf", b"%PDF-1.4 hotel"),))
    desk.tickets.note(reference, ALICE, "Booking matches the logins.")
    desk.tickets.resolve(
        reference,
        ALICE,
        "upheld",
        "location-or-vpn",
        "Your logins were hidden behind a VPN for months.",
        "Login history 12-19 Nov.",
        may_appeal_again=True,
        appeal_again_after="2027-01-01",
    )
    shown = desk.tickets.show(reference, ALICE)
    assert json.dumps(shown, ensure_ascii=False, indent=2) + "\n" == PINNED.read_text()
