"""`appealdesk api-keys ...`: the platform API's keys (the rules are in bot/core/platform/keys.py)."""

from __future__ import annotations

import typer

from bot.cli.context import run_refusable

api_keys_app = typer.Typer(no_args_is_help=True)


@api_keys_app.command("add")
def add(name: str) -> None:
    """Make a key for one of the platform's systems; it is printed once and never stored."""
    _, token = run_refusable(lambda desk: desk.api_keys.add(name))
    typer.echo(f"API key {name}: {token}")
    typer.echo(
        "It is shown only now. Keep it in the platform's secret store; if it is lost, revoke it and add another."
    )


@api_keys_app.command("list")
def list_keys() -> None:
    """Every key: name, when it was made, and whether it is revoked."""
    _, keys = run_refusable(lambda desk: desk.api_keys.all())
    for key in keys:
        state = f"revoked {key.revoked_at:%Y-%m-%d %H:%M} UTC" if key.revoked_at else "active"
        typer.echo(f"{key.name}\tmade {key.created_at:%Y-%m-%d %H:%M} UTC\t{state}")


@api_keys_app.command("revoke")
def revoke(name: str) -> None:
    """Refuse the key from now on; its name stays taken, so the audit trail stays unambiguous."""
    run_refusable(lambda desk: desk.api_keys.revoke(name))
    typer.echo(f"API key {name} is revoked. Calls with it now get 401.")
