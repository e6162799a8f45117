"""Dependencies point inwards: the core and the store import no channel and name no platform.

The channels, the web server, the CLI and the composition root (`bot/desk.py`, `bot/runtime.py`) may
import the core; the core and the store may not import them, and no word of theirs names a platform a
channel plugin brings. Applied migrations are history and stay as they were written.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from bot.channels.registry import PLUGINS
from bot.config import PROJECT_ROOT

BOT = PROJECT_ROOT / "bot"
INNER = ("core", "store")
OUTER = ("bot.channels", "bot.web", "bot.cli", "bot.desk", "bot.runtime")
HISTORY = BOT / "store" / "migrations" / "versions"
# Every channel that brings a platform of its own (it has settings to connect to it).
PLATFORMS = tuple(plugin.name for plugin in PLUGINS if plugin.settings is not None)


def inner_modules() -> list[Path]:
    return sorted(
        path for layer in INNER for path in (BOT / layer).rglob("*.py") if not path.is_relative_to(HISTORY)
    )


def imported(path: Path) -> list[str]:
    """Every module a file imports, at the top or inside a function."""
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


def test_the_platforms_come_from_the_channel_plugins() -> None:
    assert {"telegram", "slack"} <= set(PLATFORMS)


@pytest.mark.parametrize("path", inner_modules(), ids=lambda path: str(path.relative_to(BOT)))
def test_the_core_and_the_store_import_nothing_from_outside(path: Path) -> None:
    outside = [name for name in imported(path) if name.startswith(OUTER)]
    assert not outside, f"{path.relative_to(BOT)} imports {outside[0]}"


@pytest.mark.parametrize(
    "path", [*inner_modules(), BOT / "config.py"], ids=lambda path: str(path.relative_to(BOT))
)
def test_the_core_the_store_and_the_common_settings_name_no_platform(path: Path) -> None:
    named = re.search(rf"\b\w*({'|'.join(PLATFORMS)})\w*", path.read_text("utf-8"), re.IGNORECASE)
    assert named is None, f"{path.relative_to(BOT)} names {named.group(0)!r}"
