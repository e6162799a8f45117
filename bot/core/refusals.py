"""Each rule's refusal, in the words of its own template: the same sentence on every surface."""

from __future__ import annotations

from bot.core.accounts import AccountRefused
from bot.core.platform.keys import KeyRefused
from bot.core.tickets.lifecycle import Refused

Refusal = Refused | AccountRefused | KeyRefused
TEMPLATES: dict[type[Exception], str] = {
    Refused: "agents/refusal.j2",
    AccountRefused: "admin/account_refused.j2",
    KeyRefused: "admin/api_key_refused.j2",
}


def refusal_template(refused: Refusal) -> str:
    return TEMPLATES[type(refused)]
