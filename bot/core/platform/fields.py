"""Fields every platform request shares, validated one way."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from bot.core.intake.parsing import Invalid, parse_account


def _an_account(value: str) -> str:
    """Read as the intake reads what users type, so the platform's account and the user's one match."""
    try:
        parse_account(value)
    except Invalid as invalid:
        raise ValueError("not a username, profile link or e-mail address") from invalid
    return value


AccountId = Annotated[
    str,
    Field(min_length=1, max_length=256, description="The account: its username, profile link or log-in e-mail."),
    AfterValidator(_an_account),
]
