"""`appealdesk tickets ...`: the agent's side on the command line.

`--json` prints the stable shape documented in the README (the same as bot.core.tickets.views).
Every command names the agent acting (`--agent`, or APPEALDESK_AGENT in the agent's own shell),
since each view of personal data and each change is audited under that name.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from bot.cli.context import run_refusable
from bot.core.tickets.actors import Actor, cli_agent
from bot.core.tickets.queue import ListFilter, queue_row
from bot.desk import Desk

tickets_app = typer.Typer(no_args_is_help=True)

AgentOption = typer.Option(
    ...,
    "--agent",
    envvar="APPEALDESK_AGENT",
    show_envvar=True,
    help="Your agent name (must be in APPEALDESK_AGENTS); the audit trail records it.",
)

JsonOption = typer.Option(False, "--json", help="Print JSON instead (its shape is in the README).")


def _actor(name: str, desk: Desk) -> Actor:
    return cli_agent(name, desk.settings)


def _print(desk: Desk, view: dict[str, Any], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(view, ensure_ascii=False, indent=2))
    else:
        typer.echo(desk.renderer.render("agents/ticket_detail.j2", {"ticket": view}))


@tickets_app.command("list")
def list_tickets(
    agent: str = AgentOption,
    status: ListFilter = typer.Option("open", help="Which tickets to list."),
    personal: bool = typer.Option(
        False, "--personal", help="Include personal data (account, contacts, free answers); each ticket logs the view."
    ),
    escalated: bool = typer.Option(False, "--escalated", help="Only tickets that missed a response target."),
    as_json: bool = JsonOption,
) -> None:
    """The queue, oldest first: the open tickets unless --status says otherwise."""
    desk, views = run_refusable(lambda desk: desk.tickets.list(_actor(agent, desk), status, personal, desk.hidden("cli"), escalated))
    if as_json:
        typer.echo(json.dumps(views, ensure_ascii=False, indent=2))
        return
    now = desk.clock.now()
    rows = [queue_row(view, now) for view in views]
    typer.echo(desk.renderer.render("agents/ticket_list.j2", {"tickets": rows, "status": status}))


@tickets_app.command("show")
def show(
    reference: str,
    agent: str = AgentOption,
    as_json: bool = JsonOption,
) -> None:
    """Evidence, checklist and history of one ticket (the view is logged)."""
    desk, view = run_refusable(lambda desk: desk.tickets.show(reference, _actor(agent, desk)))
    _print(desk, view, as_json)


@tickets_app.command("claim")
def claim(
    reference: str,
    agent: str = AgentOption,
    force: bool = typer.Option(False, help="Take it over from another agent."),
    as_json: bool = JsonOption,
) -> None:
    """Take the ticket: the user is told a reviewer is on it."""
    desk, view = run_refusable(lambda desk: desk.tickets.claim(reference, _actor(agent, desk), force=force))
    _print(desk, view, as_json)


@tickets_app.command("reassign")
def reassign(
    reference: str,
    to: str = typer.Option(..., "--to", help="The console account that holds the ticket from now on."),
    agent: str = AgentOption,
    as_json: bool = JsonOption,
) -> None:
    """Hand a ticket in review to another agent (supervisors only: APPEALDESK_SUPERVISORS)."""
    desk, view = run_refusable(lambda desk: desk.tickets.reassign(reference, _actor(agent, desk), to))
    _print(desk, view, as_json)


@tickets_app.command("request-info")
def request_info(
    reference: str,
    agent: str = AgentOption,
    message: str = typer.Option(..., "--message", help="The question for the user."),
    as_json: bool = JsonOption,
) -> None:
    """Ask the user for something; their next reply is attached to the ticket."""
    desk, view = run_refusable(lambda desk: desk.tickets.request_info(reference, _actor(agent, desk), message))
    _print(desk, view, as_json)


@tickets_app.command("reply")
def reply(
    reference: str,
    agent: str = AgentOption,
    message: str = typer.Option(..., "--message", help="The message for the user, exactly as they will read it."),
    as_json: bool = JsonOption,
) -> None:
    """Write to the user without changing the status; their answers come back to this ticket."""
    desk, view = run_refusable(lambda desk: desk.tickets.reply(reference, _actor(agent, desk), message))
    _print(desk, view, as_json)


@tickets_app.command("note")
def note(
    reference: str,
    agent: str = AgentOption,
    text: str = typer.Option(..., "--text", help="The note, for agents only."),
    as_json: bool = JsonOption,
) -> None:
    """An internal note; it never reaches the user."""
    desk, view = run_refusable(lambda desk: desk.tickets.note(reference, _actor(agent, desk), text))
    _print(desk, view, as_json)


@tickets_app.command("resolve")
def resolve(
    reference: str,
    agent: str = AgentOption,
    outcome: str = typer.Option(..., help="An appeal ends reinstated | upheld | withdrawn; a question ends answered."),
    reason: str | None = typer.Option(
        None,
        help="The reason category, e.g. location-or-vpn (needed for an appeal; a question's is question-answered).",
    ),
    message: str = typer.Option(..., help="The public explanation (for a question: the answer) the user receives."),
    facts: str | None = typer.Option(
        None, help="The facts an appeal's decision relied on (shown to the user); not needed for a question."
    ),
    may_appeal_again: bool | None = typer.Option(None, "--may-appeal-again/--final", help="For upheld decisions."),
    appeal_again_after: str | None = typer.Option(
        None, help='With --may-appeal-again, from when: "2027-03-01", "1 March", "in 30 days" or "now".'
    ),
    internal_note: str | None = typer.Option(None, "--note", help="An internal note with the decision."),
    as_json: bool = JsonOption,
) -> None:
    """Decide an appeal, or answer a question: the user is told the outcome and the reasons either way."""
    desk, view = run_refusable(
        lambda desk: desk.tickets.resolve(
            reference,
            _actor(agent, desk),
            outcome,
            reason,
            message,
            facts,
            may_appeal_again,
            appeal_again_after,
            internal_note,
        )
    )
    _print(desk, view, as_json)


@tickets_app.command("reopen")
def reopen(
    reference: str,
    agent: str = AgentOption,
    message: str | None = typer.Option(None, "--message", help="Also told to the user with the news."),
    as_json: bool = JsonOption,
) -> None:
    """Open a decided ticket again."""
    desk, view = run_refusable(lambda desk: desk.tickets.reopen(reference, _actor(agent, desk), message))
    _print(desk, view, as_json)


@tickets_app.command("download")
def download(
    reference: str,
    file_id: int,
    agent: str = AgentOption,
    output: Path = typer.Option(
        Path("."), "--output", "-o", file_okay=False, help="Folder to save into; created if it does not exist."
    ),
) -> None:
    """Save an evidence file (checked against its sha256; the download is logged).

    The file is saved as REF-ID-NAME and never overwrites anything: its name comes from the user.
    """
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        typer.echo(f"Cannot create the folder {output}: {error.strerror}. Choose another one with -o.", err=True)
        raise typer.Exit(1) from error
    _desk, copy = run_refusable(lambda desk: desk.tickets.download(reference, file_id, _actor(agent, desk)))
    target = output / f"{reference.upper()}-{file_id}-{copy.evidence.name}"
    try:
        with target.open("xb") as handle:
            handle.write(copy.data)
    except FileExistsError as error:
        typer.echo(f"{target} already exists; nothing was overwritten.", err=True)
        raise typer.Exit(1) from error
    typer.echo(str(target))
