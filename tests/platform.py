"""The platform's side in tests: account actions recorded as its API would record them."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.desk import Desk

TAKEN_AT = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)


def record_action(
    desk: Desk,
    action: str = "permanent_suspension",
    account: str = "olegz_dev",
    staff: str = "ts-maria",
    reason: str = "account-sharing",
    rules: tuple[str, ...] = ("account-sharing",),
    taken_at: datetime = TAKEN_AT,
) -> None:
    """The platform records `action` against `account`, taken by `staff`."""
    request = desk.account_actions.parse(
        {
            "account_id": account,
            "action": action,
            "reason_category": reason,
            "rule_entries": list(rules),
            "public_explanation": "Someone else logged in to your account from another country and sent proposals.",
            "internal_note": "Logins from two countries within an hour.",
            "acting_staff": staff,
            "taken_at": taken_at.isoformat(),
        }
    )
    with desk.db.session() as session:
        desk.account_actions.record(session, "marketplace", request)
