"""Renders templates/ for each output format, escaping every value that comes from outside.

Template text itself is trusted and format-neutral; values are escaped by `finalize`, and the
`b`, `i`, `code` and `quote` filters produce the markup of the format being rendered. Commands are
written `{{ cmd("human") }}`, so each channel's users read them in the syntax they can type; text
written elsewhere (knowledge-base answers) names them `/human`, and the `commands` filter rewrites them.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template

from bot.core.events import Button, Reply


class Safe(str):
    """Text that is already valid markup in the format being rendered."""


@dataclass(frozen=True)
class RenderFormat:
    """A markup a channel renders in: how an outside value is escaped, and how each markup filter writes.

    The core has plain text and HTML; a channel plugin brings its own (its markup, its escaping).
    `markup` says what a cut of a long text must keep whole (`core/splitting.py`): nothing in plain
    text, escapes and `<...>` tokens in "entities", and, in "tags", also tags that are open there,
    closed at the end of one part and opened again in the next.
    """

    name: str
    escape: Callable[[str], str]
    b: str = "{}"
    i: str = "{}"
    code: str = "{}"
    quote: str = "{}"
    markup: Literal["none", "entities", "tags"] = "none"


PLAIN = RenderFormat("plain", lambda text: text)
HTML = RenderFormat(
    "html",
    lambda text: html.escape(text, quote=True),
    b="<strong>{}</strong>",
    i="<em>{}</em>",
    code="<code>{}</code>",
    quote="<blockquote>{}</blockquote>",
    markup="tags",
)


def format_when(value: datetime | str | None) -> str:
    """Dates as people read them: 'Thu 27 Nov, 14:00 UTC'."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime("%a %d %b, %H:%M UTC")


def format_day(value: date | datetime | str | None) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return value.strftime("%a %d %b %Y")


def format_duration(seconds: float) -> str:
    """A span as agents scan it in a queue: '3d 4h', '5h 12m', '12m'."""
    minutes = int(max(seconds, 0) // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days}d {hours}h"
    return f"{hours}h {minutes}m" if hours else f"{minutes}m"


@dataclass(frozen=True)
class CommandSyntax:
    """How the users of one channel type the core's commands.

    By default every command is a slash command of its own (`/human`). A platform that keeps slash
    commands for itself gives the bot one `root` command, and the others become its words
    (`/appeal human`); the root command itself stays as it is. A channel without file uploads names
    the command that sends a file instead, so texts say how to attach one there.
    """

    root: str | None = None
    file_command: str | None = None

    def write(self, name: str, args: str = "") -> str:
        head = f"/{name}" if self.root is None or name == self.root else f"/{self.root} {name}"
        return f"{head} {args}" if args else head


SLASH = CommandSyntax()
# The commands every user has, as texts written outside templates may name them ("/status").
USER_COMMANDS = ("start", "help", "appeal", "status", "ask", "add", "human", "cancel", "back")
# A slash word that stands on its own: not part of a path, a URL, "and/or", or markup.
SLASH_WORD = re.compile(r"(?<![\w/:<.])/([a-z]+)\b")


def rewrite_commands(text: str, commands: CommandSyntax) -> str:
    """`/status` in a text as `commands` writes it; slash words that are not commands stay as they are."""
    return SLASH_WORD.sub(
        lambda found: commands.write(found.group(1)) if found.group(1) in USER_COMMANDS else found.group(0), text
    )


@dataclass(frozen=True)
class Shown:
    """One message as a channel shows it: the text in its markup, and its buttons' labels row by row."""

    text: str
    buttons: tuple[tuple[str, ...], ...] = ()


class Renderer:
    """One Jinja2 environment per format, sharing one templates folder, for one command syntax.

    Plain text and HTML are always there; `formats` adds the channels' own.
    """

    def __init__(
        self,
        templates_dir: Path,
        globals_: Mapping[str, Any] | None = None,
        commands: CommandSyntax = SLASH,
        formats: Sequence[RenderFormat] = (),
    ) -> None:
        self.templates_dir = templates_dir
        self.commands = commands
        self.formats = {fmt.name: fmt for fmt in (PLAIN, HTML, *formats)}
        self._globals = dict(globals_ or {})
        self._envs = {name: self._environment(fmt) for name, fmt in self.formats.items()}
        self._labels: dict[str, str] = {}
        for labels_path in sorted(templates_dir.glob("labels*.yaml")):
            self._labels.update(yaml.safe_load(labels_path.read_text("utf-8")) or {})

    def _environment(self, fmt: RenderFormat) -> Environment:
        escape = fmt.escape

        def finalize(value: Any) -> str:
            if value is None:
                return ""
            if isinstance(value, Safe):
                return value
            return escape(str(value))

        def markup(pattern: str) -> Callable[[Any], Safe]:
            def apply(value: Any) -> Safe:
                return Safe(pattern.format(finalize(value)))

            return apply

        env = Environment(
            loader=FileSystemLoader(str(self.templates_dir)),
            undefined=StrictUndefined,
            finalize=finalize,
            autoescape=False,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
        )
        env.filters.update(b=markup(fmt.b), i=markup(fmt.i), code=markup(fmt.code), quote=markup(fmt.quote))
        env.filters["when"] = format_when
        env.filters["day"] = format_day
        env.filters["duration"] = format_duration
        env.filters["commands"] = lambda value: Safe(rewrite_commands(finalize(value), self.commands))
        env.globals.update(self._globals)
        env.globals["label"] = self.label_text
        env.globals["format"] = fmt.name
        env.globals["cmd"] = self.commands.write
        env.globals["file_command"] = self.commands.file_command
        return env

    def with_commands(self, commands: CommandSyntax) -> Renderer:
        """The same texts for a channel whose users type commands differently."""
        return Renderer(self.templates_dir, self._globals, commands, tuple(self.formats.values()))

    def render(self, template: str, context: Mapping[str, Any], fmt: str = "plain") -> str:
        text = self._envs[fmt].get_template(template).render(**context)
        return _tidy(text)

    def label(self, button: Button) -> str:
        """Button text is plain text on every platform."""
        source = self._labels.get(button.label, button.label)
        text = self._label_template(source).render(**button.params)
        return ("✓ " + text) if button.selected else text

    def label_text(self, key: str, **params: Any) -> str:
        return self._label_template(self._labels.get(key, key)).render(**params)

    def has_label(self, key: str) -> bool:
        return key in self._labels

    def reply(self, reply: Reply, fmt: str = "plain") -> str:
        return self.render(reply.template, reply.context, fmt)

    def shown(self, reply: Reply, fmt: str) -> Shown:
        """A reply as a channel shows it, buttons included (the console's previews)."""
        rows = tuple(tuple(self.label(button) for button in row) for row in reply.buttons)
        return Shown(self.reply(reply, fmt), rows)

    @cache  # noqa: B019 - one renderer lives as long as the process
    def _label_template(self, source: str) -> Template:
        return self._envs["plain"].from_string(source)


def _tidy(text: str) -> str:
    """Collapse the blank lines that conditional blocks leave behind."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    tidy: list[str] = []
    for line in lines:
        if line == "" and tidy and tidy[-1] == "":
            continue
        tidy.append(line)
    return "\n".join(tidy)
