"""The `appealdesk` command: one Typer app with a sub-app per area."""

from __future__ import annotations

import asyncio
import getpass

import typer

from bot.cli import kb_admin, personal_data  # noqa: F401 - register their commands on kb_app and users_app
from bot.cli.api_keys import api_keys_app
from bot.cli.context import load_settings, open_desk
from bot.cli.db import db_app
from bot.cli.kb import kb_app
from bot.cli.startup import OPTIONS, reported
from bot.cli.tickets import tickets_app
from bot.cli.users import users_app
from bot.config import Role

app = typer.Typer(no_args_is_help=True, help="AppealDesk: appeal intake and rule answers for suspended freelancers.")


@app.callback()
def options(
    debug: bool = typer.Option(False, "--debug", help="Show the traceback when something fails to start."),
) -> None:
    """AppealDesk: appeal intake and rule answers for suspended freelancers."""
    OPTIONS.debug = debug


app.add_typer(kb_app, name="kb", help="Knowledge base: check, match, evaluate, import and edit entries.")
app.add_typer(tickets_app, name="tickets", help="The agent's side: list, show, claim, reassign, request info, reply, note, resolve, reopen, download.")
app.add_typer(db_app, name="db", help="Database migrations.")
app.add_typer(users_app, name="users", help="Web console accounts (add, list, disable, reset a password); a freelancer's data on request (export-data, erase-data).")
app.add_typer(api_keys_app, name="api-keys", help="Keys the platform's systems call the API with: add, list, revoke.")


@app.command()
def chat(name: str = typer.Option("", "--as", help="Who you are in the chat (default: your login name).")) -> None:
    """Chat with AppealDesk as a freelancer, in this terminal (also reads piped stdin)."""
    from bot.channels.terminal.chat import run_chat

    run_chat(open_desk(), name or getpass.getuser())


@app.command()
def run(
    workers: int = typer.Option(
        1, "--workers", min=1, max=64, help="Delivery workers in this process (each sends many chats at once)."
    ),
    role: Role = typer.Option(
        "all",
        "--role",
        help="web: HTTP and receiving, no delivery workers or scheduler; worker: delivery and the scheduler; all: both.",
    ),
) -> None:
    """Start everything configured: HTTP server, channels, delivery workers and the scheduler (or one role)."""
    from bot.channels.registry import configured_channels, unconfigured_channels
    from bot.logs import configure_logging
    from bot.runtime import serve

    settings = load_settings()
    configure_logging(settings)
    desk = open_desk(settings, wait_for_vectors=False)  # healthy at once; a first start embeds meanwhile
    with reported():
        channels = configured_channels(desk)
        banner = desk.renderer.render(
            "terminal/run_banner.j2",
            {
                "channels": [channel.name for channel in channels],
                "unconfigured": unconfigured_channels(desk.settings),
                "host": desk.settings.http_host,
                "port": desk.settings.http_port,
                "admin_password": desk.accounts.first_admin(),
            },
        )
        asyncio.run(
            serve(desk, desk.settings, channels, on_ready=lambda: typer.echo(banner), workers=workers, role=role)
        )


def main() -> None:
    app()
