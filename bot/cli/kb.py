"""`appealdesk kb ...` commands: check, match, eval, calibrate. Output formats here are a stable contract."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from bot.core.knowledge.calibrate import cross_validate, fit, label
from bot.core.knowledge.embedding import default_embedder
from bot.core.knowledge.evaluation import evaluate, read_items
from bot.core.knowledge.matcher import Matcher, MatchResult
from bot.core.knowledge.problems import EntryError
from bot.core.knowledge.validation import check_dir

kb_app = typer.Typer(no_args_is_help=True)

KbOption = Annotated[
    Path | None, typer.Option("--kb", help="Folder of entries (default: APPEALDESK_KNOWLEDGE_DIR or ./knowledge).")
]


def knowledge_dir(kb: Path | None) -> Path:
    if kb is not None:
        return kb
    from bot.config import Settings

    return Settings().knowledge_dir


def _matcher(kb: Path | None) -> Matcher:
    try:
        return Matcher.from_dir(knowledge_dir(kb), default_embedder())
    except EntryError as error:
        typer.echo(str(error), err=True)
        typer.echo("Fix these problems first (see `appealdesk kb check`).", err=True)
        raise typer.Exit(2) from error


@kb_app.command()
def check(kb: KbOption = None) -> None:
    """Validate every entry; prints `file:line: message` per problem and exits 1 if there are any."""
    folder = knowledge_dir(kb)
    problems = check_dir(folder)
    for problem in problems:
        typer.echo(str(problem))
    if problems:
        raise typer.Exit(1)
    typer.echo(f"OK: {len(list(folder.glob('*.md')))} entries, no problems.")


@kb_app.command()
def match(
    question: Annotated[str | None, typer.Argument(help="Question; without it, one question per stdin line.")] = None,
    kb: KbOption = None,
    top: Annotated[int, typer.Option("--top", min=1, help="How many candidates to show.")] = 3,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON line per question.")] = False,
) -> None:
    """Match questions to entries. The index is built once, then every stdin line is answered in order."""
    matcher = _matcher(kb)
    questions = [question] if question is not None else (line.rstrip("\r\n") for line in sys.stdin)
    for text in questions:
        result = matcher.match(text, top=top)
        if as_json:
            typer.echo(json.dumps(_json_line(text, result), ensure_ascii=False))
        else:
            typer.echo(_table(text, result))


def _json_line(question: str, result: MatchResult) -> dict[str, object]:
    return {
        "q": question,
        "matches": [{"id": match.entry_id, "score": match.score} for match in result.matches],
        "confident": result.confident,
    }


def _table(question: str, result: MatchResult) -> str:
    lines = [f"{question}", f"  outcome: {result.outcome}"]
    lines += [f"  {match.score:6.3f}  {match.entry_id:<34} {match.title}" for match in result.matches]
    return "\n".join(lines)


@kb_app.command("eval")
def eval_(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="JSONL of {q, expect}.")],
    kb: KbOption = None,
) -> None:
    """Top-1 accuracy, top-3 recall, out-of-scope rejection, confident-but-wrong rate and the misses."""
    report = evaluate(_matcher(kb), read_items(file))
    typer.echo("\n".join(report.lines()))


@kb_app.command("calibrate")
def calibrate_(
    files: Annotated[list[Path], typer.Argument(exists=True, dir_okay=False, help="JSONL files of {q, expect}.")],
    kb: KbOption = None,
    write: Annotated[bool, typer.Option("--write", help="Save weights and thresholds to <kb>/matcher.yaml.")] = False,
) -> None:
    """Choose fusion weights and thresholds (confident-but-wrong <= 3%, rejection >= 0.90 in each file).

    Prints the 5-fold cross-validated figures first (each question judged by weights chosen without it), for
    the product as installed and for its lexical fallback, then fits on all the questions.
    """
    matcher = _matcher(kb)
    labelled = label(matcher, [read_items(file) for file in files])
    runs = [("lexical fallback", True)] if matcher.semantic is None else [("fused", False), ("lexical fallback", True)]
    for name, lexical_only in runs:
        typer.echo(f"held-out folds, {name}:")
        typer.echo("\n".join("  " + line for line in cross_validate(matcher, labelled, lexical_only).lines()[:17]))
    config = fit(matcher, labelled)
    typer.echo(config.dump())
    if write:
        target = knowledge_dir(kb) / "matcher.yaml"
        names = " ".join(file.name for file in files)
        header = f"# Written by `appealdesk kb calibrate {names} --write`; see bot/core/knowledge/calibrate.py.\n"
        target.write_text(header + config.dump(), encoding="utf-8")
        typer.echo(f"Saved to {target}.")
