"""Look-ups of what the platform has told the desk about an account, for the intake and the ticket views.

Kept apart from the API's writers (actions.py, links.py) so that the ticket views can read them
without importing the intake or the outbox.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from bot.store.models import AccountAction


def latest_action(session: Session, account_key: str) -> AccountAction | None:
    """The platform's most recent record for the account (by when it was taken, then by arrival)."""
    return session.exec(
        select(AccountAction)
        .where(AccountAction.account_key == account_key)
        .order_by(col(AccountAction.taken_at).desc(), col(AccountAction.id).desc())
    ).first()
