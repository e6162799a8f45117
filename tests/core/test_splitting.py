"""A long text is cut where a reader pauses, and each part is valid markup of its format on its own."""

from __future__ import annotations

from bot.core.capabilities import Capabilities
from bot.core.rendering import HTML, PLAIN, RenderFormat
from bot.core.splitting import message_parts

MRKDWN = RenderFormat("mrkdwn", lambda text: text, markup="entities")


def test_a_channel_without_a_limit_gets_one_part() -> None:
    assert message_parts("  a long text " * 500, PLAIN, Capabilities()) == [("  a long text " * 500).strip()]
    assert message_parts("   ", PLAIN, Capabilities(max_text_chars=10)) == []


def test_a_sentence_ends_a_part_before_a_word_does() -> None:
    text = "The review takes two days. We write to you here when it is done."
    assert message_parts(text, PLAIN, Capabilities(max_text_chars=40)) == [
        "The review takes two days.",
        "We write to you here when it is done.",
    ]


def test_tags_open_at_a_cut_are_closed_and_opened_again() -> None:
    text = "<blockquote>" + "one two three. " * 10 + "</blockquote>"
    parts = message_parts(text, HTML, Capabilities(max_text_chars=60))
    assert len(parts) > 1
    assert all(part.startswith("<blockquote>") and part.endswith("</blockquote>") for part in parts)
    assert all(len(part) <= 60 for part in parts)


def test_escapes_and_links_are_never_cut() -> None:
    text = "<https://example.com/a-long-page|the page>" + " &amp;" * 20
    parts = message_parts(text, MRKDWN, Capabilities(max_text_chars=45))
    assert parts[0] == "<https://example.com/a-long-page|the page>"
    assert all(part.replace(" ", "").replace("&amp;", "") == "" for part in parts[1:])


def test_utf16_units_are_counted_where_the_channel_counts_them() -> None:
    parts = message_parts("👍" * 12, PLAIN, Capabilities(max_text_chars=10, counts_utf16=True))
    assert all(len(part.encode("utf-16-le")) // 2 <= 10 for part in parts)
    assert "".join(parts) == "👍" * 12
