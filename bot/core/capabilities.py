"""What a channel's messages can hold, as the channel plugin declares it.

Nothing asks a channel's name to know what it can do. The core reads these at run time: a turn's
replies are fitted to them (`core/fitting.py`: buttons over the limit go to further messages, or
are listed as numbered choices to type where there are no buttons; a pressed message is edited
only where messages can be edited), and a long text is cut where it reads best
(`core/splitting.py`). The limits the core's own texts and buttons keep (knowledge-base answers and
ids, button payloads) fit every channel's capabilities (a test checks each registered channel).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Capabilities:
    """None is no limit. `max_text_chars` is the longest text one message (or one text block) takes,
    counted in UTF-16 code units if `counts_utf16`; `max_buttons` the buttons one message carries
    (0: none, so choices are typed); `max_button_data` the bytes of a button's payload."""

    max_text_chars: int | None = None
    max_buttons: int | None = None
    max_button_data: int | None = None
    edits_messages: bool = False
    uploads_files: bool = True
    counts_utf16: bool = False

    @property
    def has_buttons(self) -> bool:
        return self.max_buttons != 0

    def length(self, text: str) -> int:
        """The length of `text` as this channel counts it."""
        return len(text.encode("utf-16-le")) // 2 if self.counts_utf16 else len(text)


UNLIMITED = Capabilities(edits_messages=True)
