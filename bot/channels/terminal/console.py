"""Prints replies as plain text with their options, and maps what the user types back to a button.

Only the options of the latest prompt are numbered, so a typed number always means one of them.
The prompt of a turn is the reply that asks for an answer (an intake question), or else the last
one with options. Options of the other messages (a rule answer's "Was this helpful?" in the middle
of an intake, notifications) get letters instead, valid until the next prompt.
"""

from __future__ import annotations

import string
import threading
from collections.abc import Callable, Sequence

from bot.core.events import Button
from bot.core.rendering import Renderer

Shown = tuple[str, Sequence[Button], bool]  # text, options, whether it asks for an answer


def letter(index: int) -> str:
    """a, b, ... z, aa, ab, ...: a mark for the index-th lettered option."""
    mark = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        mark = string.ascii_lowercase[rest] + mark
    return mark


class Console:
    """Shared by the input loop and the delivery thread, so output never interleaves."""

    def __init__(self, renderer: Renderer, write: Callable[[str], None]) -> None:
        self.renderer = renderer
        self._write = write
        self._lock = threading.Lock()
        self._numbered: list[Button] = []
        self._lettered: dict[str, Button] = {}

    def show_turn(self, messages: Sequence[Shown]) -> None:
        """The replies to one message; a turn without options leaves the numbers of the prompt on screen."""
        with self._lock:
            asking = [index for index, (_, _, asks) in enumerate(messages) if asks]
            offering = [index for index, (_, buttons, _) in enumerate(messages) if buttons]
            prompt = (asking or offering or [-1])[-1]
            if prompt >= 0:
                self._numbered = list(messages[prompt][1])
                self._lettered = {}
            for index, (text, buttons, _) in enumerate(messages):
                self._print(text, buttons, numbered=index == prompt)

    def show_update(self, text: str, buttons: Sequence[Button]) -> None:
        """A notification: its options get letters, and the prompt's numbers stay as they are."""
        with self._lock:
            self._print(text, buttons, numbered=False)

    def note(self, text: str) -> None:
        """A line of the terminal itself; the options on screen stay as they are."""
        with self._lock:
            self._print(text, (), numbered=False)

    def choice(self, typed: str) -> str | None:
        """The payload of the option the user typed (a number of the prompt, or a letter), if it is one."""
        with self._lock:
            value = typed.strip()
            if value.isdigit() and 1 <= int(value) <= len(self._numbered):
                return self._numbered[int(value) - 1].payload
            button = self._lettered.get(value.lower())
            return button.payload if button is not None else None

    def _print(self, text: str, buttons: Sequence[Button], numbered: bool) -> None:
        lines = [text]
        for index, button in enumerate(buttons, start=1):
            if numbered:
                mark = str(index)
            else:
                mark = letter(len(self._lettered))
                self._lettered[mark] = button
            lines.append(f"  [{mark}] {self.renderer.label(button)}")
        self._write("\n".join(lines) + "\n\n")
