"""Splitting Telegram HTML, keyboards, and the 20 MB download limit, on their own."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.channels.registry import load_settings
from bot.channels.telegram.files import download_limit, too_big_for_telegram, with_telegram_limit
from bot.channels.telegram.formatting import keyboard, split_message, units
from bot.core.events import Attachment, Button
from bot.core.rendering import Renderer
from tests.fakes.telegram_bot_api import check_html

MB = 1024 * 1024


def test_short_text_is_one_message() -> None:
    assert split_message("<b>Hi</b> &amp; welcome") == ["<b>Hi</b> &amp; welcome"]


def test_splits_between_paragraphs_first() -> None:
    paragraphs = [f"<b>Answer {n}</b>: " + "word " * 30 for n in range(40)]
    parts = split_message("\n\n".join(paragraphs), limit=1000)

    assert len(parts) > 1
    assert all(units(part) <= 1000 for part in parts)
    assert all(part.startswith("<b>Answer") for part in parts)
    assert "\n\n".join(parts).replace(" \n", "\n") == "\n\n".join(p.strip() for p in paragraphs)


def test_a_long_quote_is_closed_and_reopened_across_parts() -> None:
    text = "Question:\n<blockquote>" + "a &amp; b &lt; c " * 400 + "</blockquote>\nPlease reply."
    parts = split_message(text, limit=1000)

    assert len(parts) > 2
    for part in parts:
        check_html(part)  # each part is valid on its own, no entity cut in half
        assert units(part) <= 1000
    assert parts[1].startswith("<blockquote>") and parts[1].endswith("</blockquote>")


def test_one_huge_word_is_cut_anywhere_but_inside_an_entity() -> None:
    parts = split_message("x" * 50 + "&amp;" * 100, limit=64)
    for part in parts:
        check_html(part)
        assert units(part) <= 64


def test_plain_text_with_angle_brackets_is_not_taken_for_tags() -> None:
    parts = split_message("a < b > c\n\n" + "z" * 30, limit=20, html=False)
    assert parts[0] == "a < b > c"


def test_emoji_count_twice() -> None:
    assert units("👍") == 2
    assert all(units(part) <= 10 for part in split_message("👍" * 12, limit=10))


def test_keyboards_leave_out_buttons_over_64_bytes_of_callback_data(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    renderer = Renderer(tmp_path)
    markup = keyboard(renderer, ((Button("Yes", "go:yes", selected=True), Button("No", "go:no")),))
    assert markup is not None and markup.inline_keyboard[0][0].text == "✓ Yes"
    assert keyboard(renderer, ()) is None

    long_id = "kb:" + "é" * 31  # 65 bytes in 34 characters: Telegram counts bytes
    rows = (
        (Button("Fees", "kb:fees"), Button("Long", long_id)),
        (Button("Long", "kb:" + "x" * 62),),
        (Button("Talk to a person", "go:human"),),
    )
    markup = keyboard(renderer, rows)
    assert markup is not None
    assert [[button.callback_data for button in row] for row in markup.inline_keyboard] == [["kb:fees"], ["go:human"]]
    assert "over 64 bytes" in caplog.text and long_id in caplog.text
    assert keyboard(renderer, ((Button("Long", "x" * 65),),)) is None


def test_telegram_caps_downloads_at_20_mb_on_its_own_server() -> None:
    official = load_settings(_env_file=None, evidence_max_bytes=50 * MB)
    own_server = load_settings(_env_file=None, evidence_max_bytes=50 * MB, telegram_api_url="http://bot-api:8081")

    assert download_limit(official) == 20 * MB and download_limit(own_server) == 50 * MB
    assert with_telegram_limit({"max_mb": 50.0, "n": 1}, official) == {"max_mb": 20.0, "n": 1}
    big = Attachment("scan.pdf", "application/pdf", 30 * MB, lambda: b"")
    assert too_big_for_telegram(big, official) and not too_big_for_telegram(big, own_server)
