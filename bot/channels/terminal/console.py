"""Prints replies as plain text with numbered choices, and maps a typed number back to its button."""

from __future__ import annotations

import threading
from collections.abc import Callable

from bot.core.events import Button
from bot.core.rendering import Renderer


class Console:
    """Shared by the input loop and the delivery thread, so output never interleaves."""

    def __init__(self, renderer: Renderer, write: Callable[[str], None]) -> None:
        self.renderer = renderer
        self._write = write
        self._lock = threading.Lock()
        self._choices: list[Button] = []

    def show(self, text: str, buttons: list[Button]) -> None:
        with self._lock:
            lines = [text]
            lines.extend(f"  [{index}] {self.renderer.label(button)}" for index, button in enumerate(buttons, start=1))
            self._write("\n".join(lines) + "\n\n")
            if buttons:
                self._choices = list(buttons)

    def choice(self, typed: str) -> str | None:
        """The payload of the numbered option the user typed, if the text is such a number."""
        with self._lock:
            value = typed.strip()
            if value.isdigit() and 1 <= int(value) <= len(self._choices):
                return self._choices[int(value) - 1].payload
            return None
