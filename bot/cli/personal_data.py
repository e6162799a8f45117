"""`appealdesk users export-data|erase-data CHANNEL:ID`: a person's data on request (rules: bot/core/personal_data.py).

The person is a freelancer who wrote to the desk, named as every setting names them, `channel:user_id`,
not a console account: the web console's accounts are named by their login (`users add NAME`).
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import typer

from bot.cli.context import open_desk, run_refusable
from bot.cli.tickets import AgentOption
from bot.cli.users import users_app
from bot.core.personal_data import Erased, Export, NoSuchPerson, parse_identity
from bot.core.tickets.actors import Actor, require_agent
from bot.desk import Desk

DATA_FILE = "data.json"


def _identity(text: str) -> tuple[str, str]:
    try:
        return parse_identity(text)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="CHANNEL:ID") from error


def _unknown(person: str) -> typer.Exit:
    typer.echo(f"Nobody with the identity {person} has written to AppealDesk.", err=True)
    return typer.Exit(1)


@users_app.command("export-data")
def export(
    person: str = typer.Argument(..., metavar="CHANNEL:ID", help="The person, as channel:user_id."),
    out: Path = typer.Option(..., "--out", help="A folder (created), or a file ending in .zip."),
) -> None:
    """Everything held about a person: data.json (identity, conversation, transcript, tickets) and their files."""
    channel, user_id = _identity(person)
    desk = open_desk()
    try:
        exported = desk.personal_data.export(channel, user_id)
    except NoSuchPerson:
        raise _unknown(person) from None
    if out.suffix == ".zip":
        _zip(exported, out)
    else:
        _folder(exported, out)
    typer.echo(f"Exported the data of {person} to {out} ({len(exported.files)} file(s)).")


def _folder(exported: Export, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / DATA_FILE).write_text(json.dumps(exported.data, ensure_ascii=False, indent=2) + "\n")
    for item in exported.files:
        if item.source is not None:
            (out / item.name).parent.mkdir(exist_ok=True)
            shutil.copyfile(item.source, out / item.name)


def _zip(exported: Export, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(DATA_FILE, json.dumps(exported.data, ensure_ascii=False, indent=2) + "\n")
        for item in exported.files:
            if item.source is not None:
                archive.write(item.source, item.name)


@users_app.command("erase-data")
def erase(
    person: str = typer.Argument(..., metavar="CHANNEL:ID", help="The person, as channel:user_id."),
    agent: str = AgentOption,
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
) -> None:
    """Remove a person's personal data: files, names, what they wrote; their tickets stay, with hashes and audit."""
    channel, user_id = _identity(person)
    actor = Actor("cli", agent, agent)
    if not yes:
        typer.confirm(
            f"Erase the personal data of {person}? Their files and what they wrote are deleted for good.", abort=True
        )

    def act(desk: Desk) -> Erased:
        require_agent(actor, desk.settings)
        return desk.personal_data.erase(channel, user_id, actor)

    try:
        _, erased = run_refusable(act)
    except NoSuchPerson:
        raise _unknown(person) from None
    tickets = ", ".join(erased.tickets) or "none"
    typer.echo(f"Erased the personal data of {person}. Tickets kept, without it: {tickets}.")
