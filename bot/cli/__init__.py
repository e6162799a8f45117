"""The `appealdesk` command: one Typer app with a sub-app per area."""

from __future__ import annotations

import typer

from bot.cli.kb import kb_app

app = typer.Typer(no_args_is_help=True, help="AppealDesk: appeal intake and rule answers for suspended freelancers.")
app.add_typer(kb_app, name="kb", help="Knowledge base: check, match, evaluate, import and edit entries.")


def main() -> None:
    app()
