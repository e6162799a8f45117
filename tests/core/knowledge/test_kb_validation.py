"""`kb check` names the file and the exact line of every problem, so admins can fix entries quickly."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.core.knowledge.problems import Problem
from bot.core.knowledge.validation import check_dir, check_texts

from .conftest import KNOWLEDGE, TRAVEL, VALID

NAME = "knowledge/vpn-and-proxies.md"
OTHERS = {"knowledge/travel-and-location.md": TRAVEL}


def problems_in(text: str) -> list[str]:
    return [str(problem) for problem in check_texts({NAME: text, **OTHERS})]


def test_a_valid_set_of_files_has_no_problems() -> None:
    assert check_texts({NAME: VALID, **OTHERS}) == []


def test_problems_print_as_file_line_message() -> None:
    assert str(Problem("a.md", 3, "bad")) == "a.md:3: bad"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("title: Using a VPN, proxy or remote desktop", "title: [unclosed", "3: YAML syntax error"),
        ("category: location-and-access", "category: a: b", "4: YAML syntax error"),
        ("title: Using a VPN, proxy or remote desktop\n", "", "1: missing required field 'title'"),
        ("category: location-and-access", "category: [a, b]", "4: 'category' must be non-empty text"),
        ("id: vpn-and-proxies", "id: vpn-and-proxy", "2: id 'vpn-and-proxy' does not match the file name"),
        ("keywords: [vpn, proxy, remote desktop]", "keywords: vpn, proxy", "5: 'keywords' must be a list"),
        ("  - will nordvpn get my account banned\n", "", "6: only 2 example questions"),
        ("  - can i log in with proxy from my office", "  - ", "8: every item of 'questions' must be non-empty"),
        ("related: [travel-and-location]", "related: [travel-and-location, nowhere]", "10: related id 'nowhere'"),
        ("can_lead_to_suspension: true", "can_lead_to_suspension: maybe", "11: 'can_lead_to_suspension' must be"),
        ("last_reviewed: 2026-11-20", "last_reviewed: last week", "12: 'last_reviewed' must be a date"),
        ("last_reviewed: 2026-11-20", "last_reviewed: 2026-13-40", "12: 'last_reviewed' must be a date"),
        ("last_reviewed: 2026-11-20", "last_reviewed: 2026-11-20\nowner: bob", "13: unknown field 'owner'"),
        ("{platform} does not ban VPNs as such.\n\n- Keep your profile location true.\n", "", "14: answer is empty"),
        ("## Answer", "## Reply", "14: unknown section '## Reply'"),
        ("- Keep your profile location true.", "- Check with /statuss.", "18: answer names /statuss, which is not"),
        ("---\n## Answer", "---\nstray text\n## Answer", "14: text outside a '## Answer'"),
    ],
)
def test_each_problem_points_at_its_line(old: str, new: str, expected: str, entry_text: Callable[..., str]) -> None:
    problems = problems_in(entry_text((old, new)))

    assert any(problem.startswith(f"{NAME}:{expected}") for problem in problems), problems


def test_a_yaml_error_in_a_list_item_points_at_that_item(entry_text: Callable[..., str]) -> None:
    problems = problems_in(entry_text(("  - will nordvpn get my account banned", '  - "unclosed quote')))

    assert problems == [f"{NAME}:9: YAML syntax error: found unexpected end of stream"]


def test_an_answer_too_long_for_one_chat_message_is_reported(entry_text: Callable[..., str]) -> None:
    problems = problems_in(entry_text(("- Keep your profile location true.", "x" * 3001)))

    assert problems == [f"{NAME}:14: answer is 3040 characters; keep it under 3000 to fit one chat message"]


def test_an_id_that_is_not_a_slug_is_reported(entry_text: Callable[..., str]) -> None:
    problems = [
        str(problem)
        for problem in check_texts(
            {"knowledge/VPN_Rules.md": entry_text(("id: vpn-and-proxies", "id: VPN_Rules")), **OTHERS}
        )
    ]

    assert "knowledge/VPN_Rules.md:2: id 'VPN_Rules' must be a slug: lower-case words joined by '-'" in problems


def test_duplicate_ids_are_reported_in_both_files() -> None:
    problems = [
        str(problem)
        for problem in check_texts({"a/vpn-and-proxies.md": VALID, "b/vpn-and-proxies.md": VALID, **OTHERS})
    ]

    assert "a/vpn-and-proxies.md:2: duplicate id 'vpn-and-proxies'" in problems
    assert "b/vpn-and-proxies.md:2: duplicate id 'vpn-and-proxies'" in problems


def test_an_example_question_of_two_entries_is_reported_in_both_whatever_its_case_and_punctuation() -> None:
    shared = VALID.replace("  - will nordvpn get my account banned\n", "  - Logging in from a different country during a trip?\n")

    problems = problems_in(shared)

    assert problems == [
        "knowledge/travel-and-location.md:9: example question is also an example of vpn-and-proxies; keep it in the"
        " entry whose answer answers it",
        "knowledge/vpn-and-proxies.md:9: example question is also an example of travel-and-location; keep it in the"
        " entry whose answer answers it",
    ]


def test_an_example_question_given_twice_in_one_entry_is_reported_at_both_lines() -> None:
    twice = VALID.replace("  - will nordvpn get my account banned\n", "  - can i log in with proxy from my office\n")

    assert problems_in(twice) == [
        f"{NAME}:{line}: example question appears twice in this entry; keep it in the entry whose answer answers it"
        for line in (8, 9)
    ]


def test_a_file_without_front_matter_is_reported_on_line_1() -> None:
    assert problems_in("## Answer\n\ntext\n") == [
        f"{NAME}:1: file must start with a '---' line that opens the front matter"
    ]


def test_check_dir_reads_every_markdown_file(tmp_path: Path) -> None:
    (tmp_path / "vpn-and-proxies.md").write_text(VALID, encoding="utf-8")

    assert [problem.message for problem in check_dir(tmp_path)] == ["related id 'travel-and-location' is not an entry"]


def test_the_shipped_knowledge_base_has_no_problems() -> None:
    assert check_dir(KNOWLEDGE) == []


def test_an_id_too_long_for_a_telegram_button_is_reported() -> None:
    long_id = "a-" * 31 + "b"
    text = VALID.replace("id: vpn-and-proxies", f"id: {long_id}")
    problems = [str(problem) for problem in check_texts({f"{long_id}.md": text, **OTHERS})]
    assert any("longer than 60 characters" in problem for problem in problems)


def test_links_and_slashed_words_in_an_answer_are_not_taken_for_commands(entry_text: Callable[..., str]) -> None:
    text = entry_text(("- Keep your profile location true.", "- Read https://help.example/vpn and/or call 24/7."))

    assert problems_in(text) == []
