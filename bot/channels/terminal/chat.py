"""`appealdesk chat`: a freelancer's conversation in the terminal, with live notifications.

Notifications reach the terminal through the outbox like on any channel: a delivery worker for
this user's chat runs in a background thread, so an agent's action taken in another terminal
shows up here within a couple of seconds.
"""

from __future__ import annotations

import asyncio
import mimetypes
import shlex
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TextIO

from bot.channels.terminal.console import Console
from bot.channels.terminal.plugin import SYNTAX
from bot.channels.terminal.sender import TerminalSender, TurnSender
from bot.core.events import Attachment, Identity, Inbound
from bot.desk import Desk

FILE_PREFIX = f"/{SYNTAX.file_command} "


def paths_of(rest: str) -> list[Path]:
    """The files named after `/file`: the whole rest as one path (spaces need no quotes), or else shell
    words, for quoted paths and several files at once."""
    whole = Path(rest.strip()).expanduser()
    if whole.exists():
        return [whole]
    try:
        words = shlex.split(rest)
    except ValueError:
        return [whole]
    return [Path(word).expanduser() for word in words] or [whole]


def terminal_console(desk: Desk, write: Callable[[str], None]) -> Console:
    """The desk's texts in the terminal's own syntax, so they say how to send a file here."""
    return Console(desk.renderer.with_commands(SYNTAX), write)


def file_attachment(path: Path) -> Attachment:
    return Attachment(
        name=path.name,
        mime_type=mimetypes.guess_type(path.name)[0] or "application/octet-stream",
        size=path.stat().st_size,
        fetch=path.read_bytes,
    )


class TerminalChat:
    def __init__(self, desk: Desk, name: str, console: Console) -> None:
        self.desk = desk
        self.identity = Identity("terminal", name, name)
        self.console = console
        self.turn = TurnSender(console)
        self.replies = desk.worker({"terminal": self.turn})

    def send(self, line: str) -> None:
        """One line typed by the user: an option's number or letter, `/file PATH`, or a message."""
        payload = self.console.choice(line)
        attachments: tuple[Attachment, ...] = ()
        text = line
        if line.startswith(FILE_PREFIX):
            paths = paths_of(line.removeprefix(FILE_PREFIX))
            missing = [str(path) for path in paths if not path.exists()]
            folders = [str(path) for path in paths if path.is_dir()]
            if missing or folders:
                context = {"missing": missing, "folders": folders}
                self.console.note(self.console.renderer.render("terminal/file_missing.j2", context, "plain"))
                return
            attachments = tuple(file_attachment(path) for path in paths)
            text = ""
        inbound = Inbound(self.identity, text=text if payload is None else "", payload=payload, attachments=attachments)
        asyncio.run(self.desk.answer(inbound, self.replies))
        self.console.show_turn(self.turn.take())


class DeliveryThread(threading.Thread):
    """Runs this user's delivery worker, and the scheduler (once across workers), until stopped."""

    def __init__(self, desk: Desk, console: Console, chat_id: str) -> None:
        super().__init__(daemon=True, name="terminal-delivery")
        self.worker = desk.worker({"terminal": TerminalSender(console)}, chat_id=chat_id)
        self.scheduler = desk.scheduler
        self.poll = desk.settings.outbox_poll_seconds
        self._loop = asyncio.new_event_loop()
        self._stop_event: asyncio.Event | None = None

    def run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._stop_event = asyncio.Event()
        self._loop.run_until_complete(
            asyncio.gather(self.worker.run(self._stop_event, self.poll), self.scheduler.run(self._stop_event))
        )

    def stop(self) -> None:
        if self._stop_event is not None:
            self._loop.call_soon_threadsafe(self._stop_event.set)
        self.join(timeout=5)


def _stdin_lines(out: TextIO, prompt: bool) -> Iterator[str]:
    while True:
        if prompt:
            out.write("> ")
            out.flush()
        line = sys.stdin.readline()
        if not line:
            return
        yield line


def run_chat(desk: Desk, name: str, lines: Iterable[str] | None = None, out: TextIO | None = None) -> None:
    """Runs until the input ends (Ctrl-D, or the end of piped stdin)."""
    stream = out or sys.stdout

    def write(text: str) -> None:
        stream.write(text)
        stream.flush()

    console = terminal_console(desk, write)
    chat = TerminalChat(desk, name, console)
    delivery = DeliveryThread(desk, console, name)
    delivery.start()
    console.note(console.renderer.render("terminal/intro.j2", {"name": name}, "plain"))
    chat.send("/start")
    try:
        for line in lines if lines is not None else _stdin_lines(stream, sys.stdin.isatty()):
            if line.strip():
                chat.send(line.rstrip("\n"))
    except KeyboardInterrupt:
        pass
    finally:
        delivery.stop()
