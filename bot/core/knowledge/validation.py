"""`kb check`: every problem in a set of entry files, as `file:line: message`, before they reach users."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

from bot.core.knowledge.entry import SLUG, Parsed, read_entry
from bot.core.knowledge.problems import Problem
from bot.core.rendering import SLASH_WORD, USER_COMMANDS

MIN_QUESTIONS = 3
MAX_ANSWER_CHARS = 3000  # fits one text block of every channel (their capabilities' max_text_chars)
MAX_ID_CHARS = 60  # "kb:<id>" fits every channel's button data (their capabilities' max_button_data)


def check_dir(path: str | Path) -> list[Problem]:
    """Check every `*.md` file of a folder; a missing folder is itself a problem."""
    folder = Path(path)
    if not folder.is_dir():
        return [Problem(str(folder), 0, "not a folder")]
    return check_texts({str(file): file.read_text(encoding="utf-8") for file in sorted(folder.glob("*.md"))})


def check_texts(files: dict[str, str]) -> list[Problem]:
    """Check entry texts keyed by file path; file names give the expected ids."""
    parsed = {name: read_entry(text, name) for name, text in files.items()}
    problems = [problem for result in parsed.values() for problem in result.problems]
    for name, result in parsed.items():
        problems += _check_one(name, result) + _unknown_commands(name, files[name], result)
    entries = {name: result for name, result in parsed.items() if result.entry is not None}
    problems += _check_ids(entries) + _shared_questions(entries)
    return sorted(problems)


def _check_one(name: str, parsed: Parsed) -> list[Problem]:
    entry = parsed.entry
    if entry is None:
        return []
    problems = []
    id_line = parsed.lines["id"]
    if not SLUG.match(entry.id):
        problems.append(Problem(name, id_line, f"id '{entry.id}' must be a slug: lower-case words joined by '-'"))
    if len(entry.id) > MAX_ID_CHARS:
        problems.append(Problem(name, id_line, f"id '{entry.id}' is longer than {MAX_ID_CHARS} characters"))
    if Path(name).stem != entry.id:
        problems.append(Problem(name, id_line, f"id '{entry.id}' does not match the file name '{Path(name).name}'"))
    if len(entry.questions) < MIN_QUESTIONS:
        problems.append(
            Problem(
                name,
                parsed.lines["questions"],
                f"only {len(entry.questions)} example questions; add at least {MIN_QUESTIONS} so users find this entry",
            )
        )
    answer_line = parsed.lines["section:answer"]
    if not entry.answer.strip():
        problems.append(Problem(name, answer_line, "answer is empty"))
    elif len(entry.answer) > MAX_ANSWER_CHARS:
        problems.append(
            Problem(
                name,
                answer_line,
                f"answer is {len(entry.answer)} characters; keep it under {MAX_ANSWER_CHARS} to fit one chat message",
            )
        )
    return problems


def _unknown_commands(name: str, text: str, parsed: Parsed) -> list[Problem]:
    """Answers name commands as `/status`, and each channel rewrites them; a name no channel knows is a typo."""
    start = parsed.lines.get("section:answer")
    if parsed.entry is None or start is None:
        return []
    problems = []
    known = ", ".join(f"/{command}" for command in USER_COMMANDS)
    for number, line in enumerate(text.splitlines()[start:], start=start + 1):
        if line.startswith("## "):
            break
        for found in SLASH_WORD.finditer(line):
            if found.group(1) not in USER_COMMANDS:
                problems.append(Problem(name, number, f"answer names /{found.group(1)}, which is not a command ({known})"))
    return problems


def _check_ids(entries: dict[str, Parsed]) -> list[Problem]:
    """Cross-file checks: duplicate ids and `related` ids that no file defines."""
    counts = Counter(result.entry.id for result in entries.values() if result.entry)
    known = set(counts)
    problems = []
    for name, result in entries.items():
        assert result.entry is not None
        if counts[result.entry.id] > 1:
            problems.append(Problem(name, result.lines["id"], f"duplicate id '{result.entry.id}'"))
        for related, line in zip(result.entry.related, result.item_lines["related"], strict=True):
            if related not in known:
                problems.append(Problem(name, line, f"related id '{related}' is not an entry"))
    return problems


def _shared_questions(entries: dict[str, Parsed]) -> list[Problem]:
    """The same example question in two entries points the matcher at both, so neither answer wins: it belongs
    to the one whose answer answers it. Compared without case, spacing or the closing punctuation."""
    places: defaultdict[str, list[tuple[str, str, int]]] = defaultdict(list)
    for name, result in entries.items():
        assert result.entry is not None
        for question, line in zip(result.entry.questions, result.item_lines["questions"], strict=True):
            places[" ".join(question.casefold().split()).rstrip("?!. ")].append((name, result.entry.id, line))
    problems = []
    for found in places.values():
        if len(found) < 2:
            continue
        for name, _, line in found:
            others = sorted({other_id for other, other_id, _ in found if other != name})
            where = f"is also an example of {', '.join(others)}" if others else "appears twice in this entry"
            problems.append(Problem(name, line, f"example question {where}; keep it in the entry whose answer answers it"))
    return problems
