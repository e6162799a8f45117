"""What channels hand the core (inbound messages) and what the core hands back (replies).

All datetimes in the core are timezone-aware UTC.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from bot.core.text import without_nul


@dataclass(frozen=True)
class Identity:
    """Who is talking: a platform user on one channel, and the chat to answer in."""

    channel: str
    user_id: str
    chat_id: str

    @property
    def key(self) -> str:
        return f"{self.channel}:{self.user_id}"


@dataclass(frozen=True)
class Attachment:
    """A file the user sent. `fetch` downloads it, and is only called once the core accepts the size and type."""

    name: str
    mime_type: str
    size: int
    fetch: Callable[[], bytes]

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", without_nul(self.name))


def fetch_on(
    loop: asyncio.AbstractEventLoop, download: Callable[[], Coroutine[Any, Any, bytes]], timeout: float
) -> Callable[[], bytes]:
    """An `Attachment.fetch` for a channel whose downloads are coroutines on its event loop.

    The core fetches from a worker thread (a turn runs off the loop), so the download is run on
    the channel's loop and the thread waits for it, at most `timeout` seconds.
    """

    def fetch() -> bytes:
        return asyncio.run_coroutine_threadsafe(download(), loop).result(timeout)

    return fetch


@dataclass(frozen=True)
class Inbound:
    """One platform update, translated. `update_id` makes redelivery harmless.

    Every text in it is stored somewhere, so NULs are dropped here, whichever channel it came from.

    `pressed_message_id` is the platform's id of the message whose button was pressed, so a reply
    that is that message's new state can edit it in place.
    """

    identity: Identity
    text: str = ""
    payload: str | None = None
    attachments: tuple[Attachment, ...] = ()
    update_id: str | None = None
    display_name: str | None = None
    pressed_message_id: str | None = None
    locale: str | None = None  # the user's language tag ("en-US", "de"), when the platform tells it

    def __post_init__(self) -> None:
        for name in ("text", "payload", "update_id", "display_name"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, without_nul(value))


@dataclass(frozen=True)
class Button:
    """A choice the user can tap. `label` is a key in templates/labels.yaml; `payload` fits 64 bytes."""

    label: str
    payload: str
    params: dict[str, Any] = field(default_factory=dict)
    selected: bool = False
    style: str | None = None  # "primary" or "danger"; channels may ignore it


@dataclass(frozen=True)
class Reply:
    """A message for the user: a template and its context, with optional rows of buttons.

    `expects` tells a channel what kind of answer comes next ("text", "file", "choice"),
    so it can show the right input (e.g. ForceReply). `replaces_buttons` says that this reply
    is a new state of the message whose button was pressed, so a channel may edit it in place.
    """

    template: str
    context: dict[str, Any] = field(default_factory=dict)
    buttons: tuple[tuple[Button, ...], ...] = ()
    expects: str | None = None
    replaces_buttons: bool = False

    def all_buttons(self) -> list[Button]:
        return [button for row in self.buttons for button in row]
