"""`appealdesk kb import|export|edit|history|revert|retire`: admin editing of the entries in the database."""

from __future__ import annotations

import getpass
import os
import shlex
import subprocess
import tempfile
from pathlib import Path

import typer

from bot.cli.context import open_desk
from bot.cli.kb import kb_app
from bot.core.knowledge.problems import EntryError

AuthorOption = typer.Option("", "--author", help="Who makes the change (default: your login name).")


def _author(author: str) -> str:
    return author or getpass.getuser()


@kb_app.command("import")
def import_(
    folder: Path | None = typer.Option(None, "--kb", help="Folder of entries (default: APPEALDESK_KNOWLEDGE_DIR)."),
    author: str = AuthorOption,
) -> None:
    """Save a new revision of every entry whose file changed (the whole folder is validated first)."""
    desk = open_desk()
    try:
        report = desk.knowledge.import_dir(folder or desk.settings.knowledge_dir, _author(author))
    except EntryError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from error
    typer.echo(f"Added {len(report.added)}, changed {len(report.changed)}, unchanged {report.unchanged}.")


@kb_app.command("export")
def export(folder: Path = typer.Argument(..., help="Folder to write the current entries to.")) -> None:
    """Write the current revision of every entry as Markdown files."""
    count = open_desk().knowledge.export_dir(folder)
    typer.echo(f"Wrote {count} entries to {folder}.")


@kb_app.command("edit")
def edit(
    entry_id: str,
    author: str = AuthorOption,
    message: str = typer.Option("edited", "--message", "-m", help="What changed, for the history."),
) -> None:
    """Open the entry in $EDITOR; a valid result is saved as a new revision, an invalid one is shown and kept."""
    desk = open_desk()
    current = desk.knowledge.current_texts()
    if entry_id not in current:
        typer.echo(f"There is no entry {entry_id}.", err=True)
        raise typer.Exit(1)
    with tempfile.NamedTemporaryFile("w+", suffix=f"-{entry_id}.md", delete=False, encoding="utf-8") as handle:
        handle.write(current[entry_id])
        path = Path(handle.name)
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    subprocess.run([*shlex.split(editor), str(path)], check=False)
    text = path.read_text("utf-8")
    if text == current[entry_id]:
        typer.echo("No change.")
        path.unlink()
        return
    try:
        number = desk.knowledge.save(entry_id, text, _author(author), message)
    except EntryError as error:
        typer.echo(str(error).replace(f"{entry_id}.md", str(path)), err=True)
        typer.echo(f"Not saved. Your text is kept in {path}.", err=True)
        raise typer.Exit(1) from error
    path.unlink()
    typer.echo(f"Saved {entry_id} as revision {number}.")


@kb_app.command("history")
def history(entry_id: str) -> None:
    """Every revision of an entry: number, time, author and change."""
    revisions = open_desk().knowledge.history(entry_id)
    if not revisions:
        typer.echo(f"There is no entry {entry_id}.", err=True)
        raise typer.Exit(1)
    for revision in revisions:
        typer.echo(f"{revision.number:>4}  {revision.at:%Y-%m-%d %H:%M} UTC  {revision.author}  {revision.change}")


@kb_app.command("revert")
def revert(entry_id: str, revision: int, author: str = AuthorOption) -> None:
    """Bring back an old revision's text, as a new revision."""
    try:
        number = open_desk().knowledge.revert(entry_id, revision, _author(author))
    except KeyError as error:
        typer.echo(str(error.args[0]), err=True)
        raise typer.Exit(1) from error
    typer.echo(f"Reverted {entry_id} to revision {revision}, saved as revision {number}.")


@kb_app.command("retire")
def retire(
    entry_id: str,
    note: str = typer.Option(..., "--note", help="Why it is retired (the history shows it)."),
    author: str = AuthorOption,
) -> None:
    """Stop offering an entry to users, as a new revision; `kb revert` to an earlier one brings it back."""
    try:
        number = open_desk().knowledge.retire(entry_id, _author(author), note)
    except KeyError as error:
        typer.echo(str(error.args[0]), err=True)
        raise typer.Exit(1) from error
    except EntryError as error:
        typer.echo("Not retired: without it the knowledge base would not pass kb check:", err=True)
        for problem in error.problems:
            typer.echo(f"  {problem}", err=True)
        raise typer.Exit(1) from error
    typer.echo(f"Retired {entry_id} in revision {number}; `appealdesk kb revert {entry_id} {number - 1}` brings it back.")
