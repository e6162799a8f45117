"""`appealdesk kb ...` commands."""

from __future__ import annotations

import typer

kb_app = typer.Typer(no_args_is_help=True)
