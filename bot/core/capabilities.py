"""What a channel's messages can hold, as the channel plugin declares it.

Nothing asks a channel's name to know what it can do: the limits the core's own texts and buttons
keep (knowledge-base answers and ids, button payloads) fit every channel's capabilities (a test
checks each registered channel), and each adapter splits and shortens by its own.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Capabilities:
    """None is no limit. `max_text_chars` is the longest text one message (or one text block) takes,
    `max_buttons` the buttons one message carries, `max_button_data` the bytes of a button's payload."""

    max_text_chars: int | None = None
    max_buttons: int | None = None
    max_button_data: int | None = None
    edits_messages: bool = False
    uploads_files: bool = True

