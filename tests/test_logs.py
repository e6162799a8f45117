"""No secret reaches a log line, whichever library logs it and however it is put."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator

import httpx
import pytest

from bot.config import Settings
from bot.core.log_context import ContextFilter, bound, note
from bot.core.outbox import Notification
from bot.core.tickets.actors import Actor
from bot.desk import Desk
from bot.logs import MASK, SecretRedactor, configure_logging, configured_secrets, json_formatter
from tests.chat import EXPLANATION, ChatUser, file_appeal
from tests.core.test_outbox import ScriptedSender

TOKEN = "123456:AAE-secret_Token"
SIGNING = "signing-secret-9f8e"
ALICE = Actor("cli", "alice", "alice")


@pytest.fixture
def redactor() -> Iterator[SecretRedactor]:
    installed = SecretRedactor([TOKEN, SIGNING])
    installed.install()
    yield installed
    installed.uninstall()


def test_every_credential_in_the_settings_is_a_secret(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(
        database_url="postgresql://desk:db-pass-42@db.internal/appealdesk",
        telegram_token=TOKEN,
        telegram_webhook_secret="webhook-secret-1",
        slack_bot_token="xoxb-bot-token",
        slack_signing_secret=SIGNING,
        slack_app_token="xapp-app-token",
        secret_key="cookie-signing-key-7",
    )
    assert sorted(configured_secrets(settings)) == sorted(
        [TOKEN, "webhook-secret-1", "xoxb-bot-token", SIGNING, "xapp-app-token", "db-pass-42", "cookie-signing-key-7"]
    )


def test_a_secret_is_masked_in_messages_arguments_objects_and_tracebacks(
    redactor: SecretRedactor, caplog: pytest.LogCaptureFixture
) -> None:
    log = logging.getLogger("some.library")
    url = httpx.URL(f"https://api.telegram.org/bot{TOKEN}/getUpdates")
    with caplog.at_level(logging.DEBUG):
        log.info('HTTP Request: %s %s "%s %d %s"', "POST", url, "HTTP/1.1", 200, "OK")
        log.debug(f"Set Bot API URL: https://api.telegram.org/bot{TOKEN}")
        log.debug("parameters %(params)s", {"params": {"secret_token": SIGNING}})
        log.warning("encoded %s", "bot" + TOKEN.replace(":", "%3A"))
        try:
            raise ConnectionError(f"cannot reach https://api.telegram.org/bot{TOKEN}/getMe")
        except ConnectionError:
            log.exception("startup failed")

    text = caplog.text
    assert TOKEN not in text and SIGNING not in text and "AAE-secret_Token" not in text
    assert f'HTTP Request: POST https://api.telegram.org/bot{MASK}/getUpdates "HTTP/1.1 200 OK"' in text
    assert f"cannot reach https://api.telegram.org/bot{MASK}/getMe" in text and "Traceback" in text


def test_arguments_without_secrets_are_left_as_they_are_for_formatters_that_read_them(
    redactor: SecretRedactor,
) -> None:
    """uvicorn's access formatter unpacks the arguments: they keep their number, order and types."""
    record = logging.getLogger("uvicorn.access").makeRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("1.2.3.4", "GET", "/", "1.1", 200),
        None,
    )
    assert record.args == ("1.2.3.4", "GET", "/", "1.1", 200)


def test_running_at_info_keeps_http_request_lines_out(make_settings: Callable[..., Settings]) -> None:
    chatty = [logging.getLogger(name) for name in ("httpx", "httpcore")]
    levels = [logger.level for logger in chatty]
    installed = configure_logging(make_settings(log_level="info", telegram_token=TOKEN))
    try:
        assert [logger.isEnabledFor(logging.INFO) for logger in chatty] == [False, False]
        assert [logger.isEnabledFor(logging.WARNING) for logger in chatty] == [True, True]
    finally:
        installed.uninstall()
        for logger, level in zip(chatty, levels, strict=True):
            logger.setLevel(level)


# ---- JSON lines, with what they are about, and no personal data ------------------------------------------

NAME = "Zelda Quixote-Marrow"
EMAIL = "zelda.quixote@example.org"
WORDS = "my neighbour Bartholomew lent me his laptop"


@pytest.fixture
def json_lines(caplog: pytest.LogCaptureFixture) -> Iterator[Callable[[], list[dict[str, object]]]]:
    """Every record of the test at DEBUG, as `APPEALDESK_LOG_FORMAT=json` writes it."""
    caplog.handler.addFilter(ContextFilter())
    formatter = json_formatter()
    with caplog.at_level(logging.DEBUG):
        yield lambda: [json.loads(formatter.format(record)) for record in caplog.records]
    caplog.handler.removeFilter(caplog.handler.filters[-1])


def test_a_json_line_carries_the_update_and_the_ticket_it_is_about(
    json_lines: Callable[[], list[dict[str, object]]],
) -> None:
    log = logging.getLogger("bot.somewhere")
    with bound(update_id="telegram-77"):
        note(ticket="AD-2026-000042")
        log.warning("something to look at")
    log.info("outside any turn")

    inside, outside = json_lines()
    assert inside["message"] == "something to look at" and inside["level"] == "WARNING"
    assert inside["logger"] == "bot.somewhere" and "time" in inside
    assert (inside["update_id"], inside["ticket"]) == ("telegram-77", "AD-2026-000042")
    assert "update_id" not in outside and "ticket" not in outside


def test_a_failed_turn_is_logged_with_its_update_id(
    desk: Desk, json_lines: Callable[[], list[dict[str, object]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(_turn: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(desk.engine, "_dispatch", broken)
    ChatUser(desk).send("hello", update_id="upd-9")
    failed = [line for line in json_lines() if line["level"] == "ERROR"]
    assert failed and failed[0]["update_id"] == "upd-9" and "RuntimeError: a bug" in str(failed[0]["exc_info"])


async def test_a_whole_appeal_logs_nothing_personal(
    desk: Desk, json_lines: Callable[[], list[dict[str, object]]], caplog: pytest.LogCaptureFixture
) -> None:
    user = ChatUser(desk, name="zq-4711", display_name=NAME)
    reference = file_appeal(user, account=EMAIL)
    user.send(f"/human Is it fine that {WORDS}?")
    desk.tickets.request_info(reference, ALICE, f"Please tell us more about {WORDS}.")
    user.send(f"Yes, {WORDS}, and {EMAIL} is my address")
    with desk.db.session() as session:
        desk.outbox.enqueue(session, Notification("n1", "terminal", "chat-zq-4711", "notify/intake_reminder.j2"))
    await desk.worker({"terminal": ScriptedSender(RuntimeError(f"refused for {NAME}"))}).run_once()

    lines = json_lines()
    assert lines, "the journey logs something (the failed send at least)"
    text = caplog.text + "\n".join(json.dumps(line, ensure_ascii=False) for line in lines)
    for personal in (NAME, EMAIL, WORDS, "Bartholomew", EXPLANATION):
        assert personal not in text
