"""`appealdesk users ...`: the web console's accounts (the rules are in bot/core/accounts.py)."""

from __future__ import annotations

import sys

import typer

from bot.cli.context import run_refusable
from bot.core.accounts import Role

users_app = typer.Typer(no_args_is_help=True)

PasswordStdin = typer.Option(
    False, "--password-stdin", help="Read the password from standard input instead of generating a one-time one."
)


def _stdin_password(wanted: bool) -> str | None:
    """The first line of standard input, so `echo ... |` and a password manager's pipe both work."""
    return sys.stdin.readline().rstrip("\r\n") if wanted else None


def _one_time(name: str, password: str | None) -> None:
    if password is not None:
        typer.echo(f"One-time password for {name}: {password}")
        typer.echo("It is shown only now. They choose their own password when they first sign in.")


@users_app.command("add")
def add(
    name: str,
    role: Role = typer.Option(..., "--role", help="agent, supervisor or admin."),
    password_stdin: bool = PasswordStdin,
) -> None:
    """Create an account; without --password-stdin it gets a one-time password, printed once."""
    password = _stdin_password(password_stdin)
    _, generated = run_refusable(lambda desk: desk.accounts.add(name, role, password))
    typer.echo(f"Account {name} ({role.value}) created.")
    _one_time(name, generated)


@users_app.command("list")
def list_users() -> None:
    """Every account: name, role, and whether it is disabled, locked or waiting for its first sign-in."""
    desk, accounts = run_refusable(lambda desk: desk.accounts.all())
    now = desk.clock.now()
    for account in accounts:
        state = [
            label
            for label, applies in (
                ("disabled", account.disabled_at is not None),
                ("locked", account.locked_until is not None and account.locked_until > now),
                ("one-time password", account.one_time),
            )
            if applies
        ]
        typer.echo(f"{account.name}\t{account.role}\t{', '.join(state) or 'active'}")


@users_app.command("disable")
def disable(name: str) -> None:
    """Stop an account from signing in, and end its sessions."""
    run_refusable(lambda desk: desk.accounts.disable(name))
    typer.echo(f"Account {name} is disabled.")


@users_app.command("reset-password")
def reset_password(name: str, password_stdin: bool = PasswordStdin) -> None:
    """A new password (one-time, printed once, unless read from stdin); lifts a lockout and ends sessions."""
    password = _stdin_password(password_stdin)
    _, generated = run_refusable(lambda desk: desk.accounts.reset_password(name, password))
    typer.echo(f"The password of {name} is reset.")
    _one_time(name, generated)
