"""No secret reaches a log line, whichever library logs it and however it is put."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import httpx
import pytest

from bot.config import Settings
from bot.logs import MASK, SecretRedactor, configure_logging, configured_secrets

TOKEN = "123456:AAE-secret_Token"
SIGNING = "signing-secret-9f8e"


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
