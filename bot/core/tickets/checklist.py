"""What an agent will likely still need, derived from the answers (label keys in labels.yaml)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_BY_TRIGGER = {
    "vpn_travel": "checklist.travel_proof",
    "device": "checklist.device_details",
    "payment": "checklist.payment_owner",
    "dispute": "checklist.dispute_contract",
    "outside": "checklist.outside_messages",
    "identity": "checklist.identity_status",
    "unknown": "checklist.activity_review",
}


def _value(answers: Mapping[str, Any], key: str) -> Any:
    answer = answers.get(key)
    return answer.get("value") if isinstance(answer, dict) else None


def build_checklist(answers: Mapping[str, Any], file_count: int) -> list[str]:
    items: list[str] = []
    if _value(answers, "what_happened") != "worried" and _value(answers, "notice_text") in (None, "none"):
        items.append("checklist.notice_missing")
    if file_count == 0:
        items.append("checklist.no_files")
    for trigger in _value(answers, "triggers") or []:
        if trigger in _BY_TRIGGER:
            items.append(_BY_TRIGGER[trigger])
    if _value(answers, "reason_given") == "none":
        items.append("checklist.reason_unknown")
    if not _value(answers, "member_since"):
        items.append("checklist.account_age")
    return list(dict.fromkeys(items))
