"""Knowledge entries: one Markdown file each, YAML front matter plus `## Answer` / `## Internal notes`.

Parsing keeps the line of every field so that problems point admins at the exact line to fix, and reads text
fields verbatim from the YAML node (a keyword `no` or `2fa` stays text instead of becoming a bool or failing).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from bot.core.knowledge.problems import EntryError, Problem

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TEXT_FIELDS = ("id", "title", "category")
LIST_FIELDS = ("keywords", "questions", "related")
REQUIRED = (*TEXT_FIELDS, *LIST_FIELDS, "can_lead_to_suspension", "last_reviewed")
SECTIONS = {"answer": "Answer", "internal notes": "Internal notes"}
BOOL_TAG = "tag:yaml.org,2002:bool"
STR_TAG = "tag:yaml.org,2002:str"
# libyaml when PyYAML was built with it: a worker parses every entry at start-up, ~10x faster than pure Python
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
PLAIN = re.compile(r"^[\w][\w .,'?!/()&+%$-]*$")


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    category: str
    keywords: tuple[str, ...]
    questions: tuple[str, ...]
    related: tuple[str, ...]
    can_lead_to_suspension: bool
    last_reviewed: date
    answer: str
    internal: str
    source: str | None = field(default=None, compare=False)

    def public_answer(self, platform: str) -> str:
        """The answer as users see it; `replace`, not `format`, so other braces in the text are harmless."""
        return self.answer.replace("{platform}", platform)


@dataclass
class Parsed:
    """Everything learnt from one file: the entry (None if it cannot be built), problems, and field lines."""

    entry: Entry | None
    problems: list[Problem]
    lines: dict[str, int]
    item_lines: dict[str, list[int]]


def parse_entry(text: str, source: str) -> Entry:
    """Parse one entry file or raise EntryError listing every structural problem."""
    parsed = read_entry(text, source)
    if parsed.entry is None:
        raise EntryError(parsed.problems)
    return parsed.entry


def load_dir(path: str | Path) -> list[Entry]:
    """All `*.md` entries of a folder, sorted by file name; raises EntryError if any file cannot be parsed."""
    entries: list[Entry] = []
    problems: list[Problem] = []
    for file in sorted(Path(path).glob("*.md")):
        parsed = read_entry(file.read_text(encoding="utf-8"), str(file))
        problems.extend(parsed.problems if parsed.entry is None else [])
        if parsed.entry is not None:
            entries.append(parsed.entry)
    if problems:
        raise EntryError(problems)
    return entries


def read_entry(text: str, source: str) -> Parsed:
    """Parse leniently: collect problems instead of stopping at the first, for `kb check`."""
    parsed = Parsed(None, [], {}, {})
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not lines or lines[0].strip() != "---":
        parsed.problems.append(Problem(source, 1, "file must start with a '---' line that opens the front matter"))
        return parsed
    close = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if close is None:
        parsed.problems.append(Problem(source, 1, "front matter is not closed by a '---' line"))
        return parsed
    values = _front_matter("\n".join(lines[1:close]), source, parsed)
    sections = _sections(lines, close + 1, source, parsed)
    if parsed.problems or values is None:
        return parsed
    parsed.entry = Entry(
        id=values["id"],
        title=values["title"],
        category=values["category"],
        keywords=values["keywords"],
        questions=values["questions"],
        related=values["related"],
        can_lead_to_suspension=values["can_lead_to_suspension"],
        last_reviewed=values["last_reviewed"],
        answer=sections.get("answer", ""),
        internal=sections.get("internal notes", ""),
        source=source,
    )
    return parsed


def _front_matter(text: str, source: str, parsed: Parsed) -> dict[str, Any] | None:
    """Front matter values by field name; YAML line 0 is file line 2 (line 1 is the opening `---`)."""
    try:
        root = yaml.compose(text, Loader=LOADER)
    except yaml.YAMLError as error:
        # An unclosed quote or bracket is reported where it was opened (the context); other errors where found.
        context = str(getattr(error, "context", None) or "")
        marks = ("context_mark", "problem_mark") if "block" not in context else ("problem_mark", "context_mark")
        mark = next((getattr(error, name) for name in marks if getattr(error, name, None) is not None), None)
        line = mark.line + 2 if mark is not None else 2
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        parsed.problems.append(Problem(source, line, f"YAML syntax error: {problem}"))
        return None
    if not isinstance(root, yaml.MappingNode):
        parsed.problems.append(Problem(source, 2, "front matter must be 'field: value' lines"))
        return None
    values: dict[str, Any] = {}
    for key, node in root.value:
        line = key.start_mark.line + 2
        name = str(key.value)
        if name in parsed.lines:
            parsed.problems.append(Problem(source, line, f"field '{name}' appears twice"))
            continue
        parsed.lines[name] = line
        if name not in REQUIRED:
            parsed.problems.append(Problem(source, line, f"unknown field '{name}'"))
            continue
        value = _field_value(name, node, source, parsed)
        if value is not None:
            values[name] = value
    for name in REQUIRED:
        if name not in parsed.lines:
            parsed.problems.append(Problem(source, 1, f"missing required field '{name}'"))
    return values


def _field_value(name: str, node: yaml.Node, source: str, parsed: Parsed) -> object | None:
    line = node.start_mark.line + 2
    if name in TEXT_FIELDS:
        if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
            parsed.problems.append(Problem(source, line, f"'{name}' must be non-empty text"))
            return None
        return str(node.value).strip()
    if name in LIST_FIELDS:
        return _list_value(name, node, source, parsed)
    if name == "can_lead_to_suspension":
        if not isinstance(node, yaml.ScalarNode) or node.tag != BOOL_TAG:
            parsed.problems.append(Problem(source, line, "'can_lead_to_suspension' must be true or false"))
            return None
        return str(node.value).lower() in ("true", "yes", "on", "y")
    try:
        if not isinstance(node, yaml.ScalarNode):
            raise ValueError
        return date.fromisoformat(str(node.value).strip())
    except ValueError:
        parsed.problems.append(Problem(source, line, "'last_reviewed' must be a date like 2026-11-20"))
        return None


def _list_value(name: str, node: yaml.Node, source: str, parsed: Parsed) -> tuple[str, ...] | None:
    line = node.start_mark.line + 2
    if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null":
        node = yaml.SequenceNode("tag:yaml.org,2002:seq", [], node.start_mark, node.end_mark)
    if not isinstance(node, yaml.SequenceNode):
        parsed.problems.append(Problem(source, line, f"'{name}' must be a list, like [first, second]"))
        return None
    items: list[str] = []
    parsed.item_lines[name] = []
    for item in node.value:
        item_line = item.start_mark.line + 2
        if not isinstance(item, yaml.ScalarNode) or not str(item.value).strip():
            parsed.problems.append(Problem(source, item_line, f"every item of '{name}' must be non-empty text"))
            continue
        items.append(" ".join(str(item.value).split()))
        parsed.item_lines[name].append(item_line)
    return tuple(items)


def _sections(lines: list[str], start: int, source: str, parsed: Parsed) -> dict[str, str]:
    """Body sections by lower-case heading; their heading lines are recorded as `section:<name>`."""
    bodies: dict[str, list[str]] = {}
    current: list[str] | None = None
    for number, line in enumerate(lines[start:], start=start + 1):
        if line.startswith("## "):
            heading = line[3:].strip().lower()
            if heading not in SECTIONS:
                parsed.problems.append(Problem(source, number, f"unknown section '{line.strip()}'"))
                current = None
            elif heading in bodies:
                parsed.problems.append(Problem(source, number, f"section '{line.strip()}' appears twice"))
                current = None
            else:
                parsed.lines[f"section:{heading}"] = number
                current = bodies[heading] = []
        elif current is not None:
            current.append(line.rstrip())
        elif line.strip():
            parsed.problems.append(Problem(source, number, "text outside a '## Answer' or '## Internal notes' section"))
    if "answer" not in bodies:
        parsed.problems.append(Problem(source, start + 1, "missing '## Answer' section"))
    return {heading: "\n".join(body).strip("\n") for heading, body in bodies.items()}


def dump_entry(entry: Entry) -> str:
    """The canonical file text of an entry; `parse_entry(dump_entry(e), ...) == e`."""
    out = [
        "---",
        f"id: {entry.id}",
        f"title: {_scalar(entry.title)}",
        f"category: {_scalar(entry.category)}",
        f"keywords: [{', '.join(_scalar(keyword, flow=True) for keyword in entry.keywords)}]",
        "questions:" if entry.questions else "questions: []",
        *(f"  - {_scalar(question)}" for question in entry.questions),
        f"related: [{', '.join(_scalar(related, flow=True) for related in entry.related)}]",
        f"can_lead_to_suspension: {'true' if entry.can_lead_to_suspension else 'false'}",
        f"last_reviewed: {entry.last_reviewed.isoformat()}",
        "---",
        "## Answer",
        "",
        entry.answer,
        "",
        "## Internal notes",
        "",
    ]
    if entry.internal:
        out += [entry.internal, ""]
    return "\n".join(out)


def _scalar(text: str, flow: bool = False) -> str:
    """Plain YAML when it reads back as the same string, else a double-quoted (JSON-compatible) scalar."""
    if PLAIN.match(text) and not text.endswith(" ") and not (flow and "," in text):
        node = yaml.compose(f"k: [{text}]" if flow else f"k: {text}", Loader=LOADER)
        value = node.value[0][1].value[0] if flow else node.value[0][1]  # type: ignore[union-attr]
        if value.tag == STR_TAG and value.value == text:
            return text
    return json.dumps(text, ensure_ascii=False)
