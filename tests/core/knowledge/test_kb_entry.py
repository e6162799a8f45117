"""Entry files parse into Entry objects and dump back to the same format."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from bot.core.knowledge.entry import dump_entry, load_dir, parse_entry
from bot.core.knowledge.problems import EntryError

from .conftest import KNOWLEDGE, VALID


def test_a_valid_file_becomes_an_entry_with_every_field() -> None:
    entry = parse_entry(VALID, "vpn-and-proxies.md")

    assert entry.id == "vpn-and-proxies"
    assert entry.title == "Using a VPN, proxy or remote desktop"
    assert entry.keywords == ("vpn", "proxy", "remote desktop")
    assert entry.questions[1] == "can i log in with proxy from my office"
    assert entry.related == ("travel-and-location",)
    assert entry.can_lead_to_suspension is True
    assert entry.last_reviewed == date(2026, 11, 20)
    assert entry.answer == "{platform} does not ban VPNs as such.\n\n- Keep your profile location true."
    assert entry.internal == "Check login countries."
    assert entry.source == "vpn-and-proxies.md"


def test_public_answer_names_the_platform_and_leaves_other_braces_alone() -> None:
    entry = replace(parse_entry(VALID, "x.md"), answer="{platform} rules {like this}")

    assert entry.public_answer("Acme Work") == "Acme Work rules {like this}"


def test_a_canonical_file_dumps_back_byte_for_byte() -> None:
    assert dump_entry(parse_entry(VALID, "x.md")) == VALID


def test_dump_then_parse_gives_the_same_entry_even_with_yaml_special_text() -> None:
    entry = replace(
        parse_entry(VALID, "x.md"),
        title='Fees: "service" & more # not a comment',
        keywords=("yes", "2fa", "a, b", "[x]", "null"),
        questions=("- starts with a dash?", "ends with colon:", "it's 100% fine?", "über café", "{platform}?"),
        related=(),
        internal="",
    )

    assert parse_entry(dump_entry(entry), "x.md") == entry


def test_text_fields_stay_text_even_when_yaml_would_read_them_as_bool_or_number() -> None:
    entry = parse_entry(VALID.replace("keywords: [vpn, proxy, remote desktop]", "keywords: [no, 1099, on]"), "x.md")

    assert entry.keywords == ("no", "1099", "on")


def test_a_broken_file_raises_with_every_problem() -> None:
    text = VALID.replace("title: Using a VPN, proxy or remote desktop\n", "").replace("## Answer", "## Answers")

    with pytest.raises(EntryError) as raised:
        parse_entry(text, "x.md")

    messages = [problem.message for problem in raised.value.problems]
    assert "missing required field 'title'" in messages
    assert "unknown section '## Answers'" in messages


def test_the_shipped_knowledge_base_loads() -> None:
    entries = load_dir(KNOWLEDGE)

    assert len(entries) >= 34
    assert len({entry.id for entry in entries}) == len(entries)
