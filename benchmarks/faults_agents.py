"""The agents of the fault scenario: each question ticket is claimed, noted twice and answered.

Run as a script by `benchmarks.faults_scenario`, with the interpreter of the AppealDesk under test
(so its own `bot` package and database schema are used) and the product's environment. It works
through the core's ticket service, as `appealdesk tickets` does, and every action queues the user's
notification and the agents' card updates. Every `--long-every`-th answer is longer than one
Telegram message. Stops once `--tickets` tickets are answered, or after `--seconds`.

It first prepares the database as any `appealdesk tickets` command does (migrations, the knowledge
base with its vectors), then prints "ready", so the product's start-up is the same on both runs.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from functools import partial

from sqlalchemy.exc import OperationalError
from sqlmodel import select

from bot.config import Settings
from bot.core.tickets.actors import Actor
from bot.store.models import Ticket

try:
    from bot.desk import Desk
except ImportError:  # an AppealDesk from before the composition root left the core (for a "before" figure)
    from bot.core.desk import Desk  # type: ignore[no-redef]

ALICE = Actor("cli", "alice")
ATTEMPTS = 20
LONG_ANSWER = "\n\n".join(
    f"Part {number} of our answer: yes, once your company is verified you may invoice the client through it. " * 6
    for number in range(1, 10)
)  # about 6,000 characters


def answer(reference: str, long: bool) -> str:
    """Each answer names its ticket, so the user's copy can be told apart from any other."""
    return f"Answer for {reference}: " + (LONG_ANSWER if long else "yes, once the company is verified.")


def again_after_a_cut(action: Callable[[], object]) -> None:
    """An agent's click, made again while the fault suite has cut the database's connections."""
    for _ in range(ATTEMPTS - 1):
        try:
            action()
            return
        except OperationalError:
            time.sleep(0.5)
    action()


def questions(desk: Desk) -> list[str]:
    with desk.db.session() as session:
        query = select(Ticket).where(Ticket.kind == "question").order_by(Ticket.id)
        return [ticket.reference for ticket in session.exec(query) if ticket.reference]


def work(desk: Desk, tickets: int, long_every: int, seconds: float) -> int:
    done: set[str] = set()
    deadline = time.monotonic() + seconds
    while len(done) < tickets and time.monotonic() < deadline:
        try:
            waiting = [reference for reference in questions(desk) if reference not in done]
        except OperationalError:  # a cut connection: the next look
            waiting = []
        for reference in waiting:
            long = long_every > 0 and len(done) % long_every == 0
            again_after_a_cut(partial(desk.tickets.claim, reference, ALICE))
            again_after_a_cut(partial(desk.tickets.note, reference, ALICE, "Checked the company register."))
            again_after_a_cut(partial(desk.tickets.note, reference, ALICE, "Checked the invoicing rules."))
            again_after_a_cut(
                partial(desk.tickets.resolve, reference, ALICE, "answered", None, answer(reference, long))
            )
            done.add(reference)
        time.sleep(0.2)
    return len(done)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--tickets", type=int, required=True)
    parser.add_argument("--long-every", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=120.0)
    args = parser.parse_args()
    desk = Desk(Settings(_env_file=None)).migrate()
    print("ready", flush=True)
    answered = work(desk, args.tickets, args.long_every, args.seconds)
    print(f"answered {answered} tickets", flush=True)


if __name__ == "__main__":
    main()
