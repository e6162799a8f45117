"""A form sent from a ticket page applies to the ticket as it was on that page, or not at all.

The page carries the ticket's version: the id of its latest event that changed something. Views,
listings, previews and downloads change nothing, so another agent reading the ticket leaves a form fresh;
a claim, a reply, a note or a decision by anyone since makes it stale, and it is refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from bot.core.tickets.lifecycle import Refused

READS = frozenset({"viewed", "listed", "previewed", "downloaded", "file_refused"})


def version(events: Iterable[Mapping[str, Any]]) -> int:
    return max((int(event["id"]) for event in events if event["action"] not in READS), default=0)


def changes_since(view: Mapping[str, Any], seen: str) -> list[Mapping[str, Any]]:
    """The changes made after version `seen` (any that is not a version counts as seeing none)."""
    since = int(seen) if seen.isdigit() else -1
    return [event for event in view["events"] if event["action"] not in READS and int(event["id"]) > since]


def require_fresh(view: Mapping[str, Any], seen: str) -> None:
    """Refused ("stale") when the ticket changed after the page the form came from."""
    changed = changes_since(view, seen)
    if changed:
        latest = changed[-1]
        raise Refused(
            "stale", {"reference": view["reference"], "actor": latest["actor"], "action": latest["action"]}
        )
