"""Look-ups of what the platform has told the desk about an account, for the intake and the ticket views.

Kept apart from the API's writers (actions.py, links.py) so that the ticket views can read them
without importing the intake or the outbox.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from bot.store.models import AccountAction, VerifiedOwner


def latest_action(session: Session, account_key: str) -> AccountAction | None:
    """The platform's most recent record for the account (by when it was taken, then by arrival)."""
    return session.exec(
        select(AccountAction)
        .where(AccountAction.account_key == account_key)
        .order_by(col(AccountAction.taken_at).desc(), col(AccountAction.id).desc())
    ).first()


def owner_status(session: Session, account_key: str | None, user_id: int) -> str | None:
    """`verified` when the user proved with a link code that the account is theirs, `verified_elsewhere`
    when only other chat identities did, None when nobody has linked the account."""
    if not account_key:
        return None
    owners = set(session.exec(select(VerifiedOwner.user_id).where(VerifiedOwner.account_key == account_key)))
    if not owners:
        return None
    return "verified" if user_id in owners else "verified_elsewhere"
