"""Where a user's conversation is: what their next plain message means."""

from __future__ import annotations

from enum import StrEnum


class Mode(StrEnum):
    """Stored as its value in `conversations.mode`, so a stored row compares equal to its member."""

    IDLE = "idle"  # a message is a question, a greeting, or something for an open ticket
    INTAKE = "intake"  # a message answers the current intake step
    ADDING = "adding"  # the next message (text or files) goes to the user's latest open ticket
