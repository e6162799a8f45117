"""Bad input gets a clear, friendly answer, loses nothing and crashes nothing."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.channels.registry import PLUGINS
from bot.core.rendering import Renderer
from bot.desk import Desk
from bot.store.models import Evidence, Ticket, User
from tests.chat import ChatUser, file_appeal, pdf


def test_a_100_kb_message_is_refused_kindly_and_the_intake_goes_on(desk: Desk) -> None:
    user = ChatUser(desk)
    user.send("/appeal")
    user.send("x" * 100_000)
    assert user.templates() == ["errors/too_long.j2", "intake/steps/account.j2"]
    assert "100000 characters" in user.text()
    user.send("olga_dev")
    assert user.templates() == ["intake/steps/what_happened.j2"]


@pytest.mark.parametrize("text", ["", "   ", "\x00\x07\x1b"])
def test_empty_messages_get_an_answer(desk: Desk, text: str) -> None:
    user = ChatUser(desk)
    user.send(text)
    assert user.templates() == ["errors/empty.j2"]


def test_control_characters_are_dropped_from_answers(desk: Desk) -> None:
    user = ChatUser(desk)
    user.send("/appeal")
    user.send("olga\x00_dev\x1b")
    assert user.templates() == ["intake/steps/what_happened.j2"]


def test_unknown_commands_are_named_and_help_is_offered(desk: Desk) -> None:
    user = ChatUser(desk)
    user.send("/claim AD-2026-000001")
    assert user.templates() == ["errors/unknown_command.j2"]
    assert "/claim" in user.text() and "/help" in user.text()


def test_commands_addressed_to_the_bot_by_name_work(desk: Desk) -> None:
    user = ChatUser(desk)
    user.send("/help@AppealDeskBot")
    assert user.templates() == ["idle/help.j2"]


@pytest.mark.parametrize("payload", ["v999:c:hold", "garbage", "fb:999:y", "kb:no-such-entry", "go:unknown", "v1:"])
def test_buttons_from_an_old_conversation_or_forged_ones_get_a_notice(desk: Desk, payload: str) -> None:
    user = ChatUser(desk)
    user.press_payload(payload)
    assert user.templates()[0] == "errors/stale_button.j2"


def test_markup_in_user_text_cannot_break_formatting(tmp_path: object) -> None:
    from bot.config import PROJECT_ROOT

    formats = [plugin.format for plugin in PLUGINS]
    renderer = Renderer(PROJECT_ROOT / "templates", {"platform": "<b>Work</b>&Co"}, formats=formats)
    context = {"reference": "AD-1", "position": 1, "due": "2026-11-26T12:00:00+00:00"}
    html = renderer.render("intake/submitted.j2", context, "telegram_html")
    assert "<b>AD-1</b>" in html
    attack = {"title": "<script>x</script>", "answer": "a < b & <!channel> *bold*", "reviewed": "2026-11-20", "language": "en"}
    telegram = renderer.render("answers/entry.j2", attack, "telegram_html")
    assert "&lt;script&gt;" in telegram and "a &lt; b &amp; &lt;!channel&gt;" in telegram
    slack = renderer.render("answers/entry.j2", attack, "slack_mrkdwn")
    assert "&lt;!channel&gt;" in slack and "<!channel>" not in slack
    web = renderer.render("answers/entry.j2", {**attack, "title": '"><img src=x>'}, "html")
    assert "&#34;&gt;&lt;img" in web or "&quot;&gt;&lt;img" in web
    plain = renderer.render("answers/entry.j2", attack, "plain")
    assert "a < b & <!channel> *bold*" in plain


def test_shared_templates_are_format_neutral() -> None:
    """Templates rendered for every channel hold no raw <, > or & outside the markup filters.

    Folders named after one format (telegram/, slack/, web/) are rendered only in that format.
    """
    from bot.config import PROJECT_ROOT

    root = PROJECT_ROOT / "templates"
    for path in root.rglob("*.j2"):
        if path.relative_to(root).parts[0] in ("telegram", "slack", "web"):
            continue
        source = path.read_text("utf-8")
        outside = "".join(part.split("}}")[-1] for part in source.split("{{"))
        outside = "".join(part.split("%}")[-1] for part in outside.split("{%"))
        assert "<" not in outside and "&" not in outside, path


def test_a_failure_inside_the_core_still_gets_an_answer_and_keeps_nothing_half_done(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = ChatUser(desk)
    user.send("/appeal")

    def broken(*_args: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(desk.engine.intake, "on_text", broken)
    user.send("olga_dev", update_id="retry-me")
    assert user.templates() == ["errors/internal.j2"]
    monkeypatch.undo()
    user.send("olga_dev", update_id="retry-me")
    assert user.templates() == ["intake/steps/what_happened.j2"]


def test_a_slow_file_download_does_not_hold_up_other_users(desk: Desk) -> None:
    """Files are downloaded before the conversation's transaction, so the database is never held."""
    import threading

    from bot.core.events import Attachment

    started, release = threading.Event(), threading.Event()

    def slow_download() -> bytes:
        started.set()
        release.wait(10)
        return b"%PDF-1.4 slow"

    slow = ChatUser(desk, name="slow")
    slow.send("/appeal")
    sender = threading.Thread(
        target=slow.send, kwargs={"files": (Attachment("a.pdf", "application/pdf", 13, slow_download),)}
    )
    sender.start()
    started.wait(5)
    other = ChatUser(desk, name="other")
    other.send("/status")
    assert other.templates() == ["idle/status.j2"]
    release.set()
    sender.join(10)
    assert "Saved: a.pdf" in slow.text()


def test_a_file_the_platform_fails_to_hand_over_is_refused_kindly(desk: Desk) -> None:
    from bot.core.events import Attachment

    def broken() -> bytes:
        raise ConnectionError("reset by peer")

    user = ChatUser(desk)
    user.send("/appeal")
    user.send(files=(Attachment("a.pdf", "application/pdf", 10, broken),))
    assert "Not saved: a.pdf - I could not download it." in user.text()


def test_nul_bytes_in_a_name_a_message_and_a_file_name_never_reach_the_database(desk: Desk) -> None:
    """PostgreSQL refuses NUL in text: one in a name used to break every message from that user."""
    user = ChatUser(desk, channel="telegram", display_name="Ol\x00ga")
    reference = file_appeal(user, "olga\x00_dev", files=(pdf("pass\x00port.pdf"),))
    user.send("/status")
    assert user.templates() == ["idle/status.j2"] and reference in user.text()
    with desk.db.session() as session:
        stored = session.exec(select(User)).one()
        files = session.exec(select(Evidence)).all()
        ticket = session.exec(select(Ticket)).one()
    assert stored.display_name == "Olga"
    assert [item.name for item in files] == ["passport.pdf"]
    assert ticket.answers["account"]["value"] == "olga_dev"
