"""Logging for `appealdesk run`: lines for people or JSON objects, a level from the settings, and no secret in any line.

Libraries put secrets where we cannot reach them: httpx logs every request URL (the Telegram token
is part of each Bot API URL), python-telegram-bot logs its base URL and `setWebhook`'s parameters
at DEBUG. So the redaction sits at the root of logging, the record factory: every record of every
logger, whatever handler writes it, has each configured secret replaced before anyone formats it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, unquote, urlparse

from pythonjsonlogger.json import JsonFormatter

from bot.config import Settings
from bot.core.log_context import ContextFilter

MASK = "[secret]"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# One line per HTTP request (6,000 an hour when polling) is noise; they speak up for warnings.
CHATTY_LOGGERS = ("httpx", "httpcore")
MIN_SECRET_CHARS = 6  # shorter values would mask ordinary words
_PLAIN_ARGS = (int, float, bool, type(None))
_tracebacks = logging.Formatter()


def configured_secrets(settings: Settings) -> list[str]:
    """Every credential in the settings: each channel's tokens and secrets, the database password, the
    cookie signing key, the decision webhook's shared secret and the metrics token."""
    values = [secret for channel in settings.channels.values() for secret in channel.secrets()]
    values.append(urlparse(settings.database_url).password)
    for key in (settings.secret_key, settings.platform_webhook_secret, settings.metrics_token):
        if key is not None:
            values.append(key.get_secret_value())
    return [value for value in values if value]


class SecretRedactor:
    """A log record factory that masks secrets in the message, its arguments and its traceback.

    Arguments keep their place (formatters such as uvicorn's read them one by one); only one whose
    text holds a secret is replaced by that text, masked. Secrets are also masked URL-encoded.
    """

    def __init__(self, secrets: Iterable[str]) -> None:
        forms = {form for secret in secrets if len(secret) >= MIN_SECRET_CHARS for form in _forms(secret)}
        self.secrets = sorted(forms, key=len, reverse=True)  # a longer form first, so none is half-masked
        self._previous = logging.getLogRecordFactory()

    def install(self) -> None:
        logging.setLogRecordFactory(self._record)

    def uninstall(self) -> None:
        logging.setLogRecordFactory(self._previous)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return text

    def _record(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self._previous(*args, **kwargs)
        record.msg = self._value(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(self._value(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: self._value(arg) for key, arg in record.args.items()}
        if record.exc_info:
            record.exc_text = self.redact(_tracebacks.formatException(record.exc_info))
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return record

    def _value(self, value: Any) -> Any:
        if isinstance(value, _PLAIN_ARGS):
            return value
        text = str(value)
        redacted = self.redact(text)
        return value if redacted == text else redacted


def _forms(secret: str) -> set[str]:
    return {secret, quote(secret, safe=""), quote(secret), unquote(secret)}


def json_formatter() -> logging.Formatter:
    """One JSON object a line: time, level, logger, message, and the ids `core/log_context.py` stamps."""
    return JsonFormatter(
        "{asctime}{levelname}{name}{message}",
        style="{",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        json_ensure_ascii=False,
    )


def configure_logging(settings: Settings) -> SecretRedactor:
    """Sets up logging once per process; returns the redactor so an embedding program can remove it."""
    level = logging.getLevelNamesMapping()[settings.log_level]
    handler = logging.StreamHandler()
    handler.setFormatter(json_formatter() if settings.log_format == "json" else logging.Formatter(FORMAT))
    handler.addFilter(ContextFilter())
    logging.basicConfig(level=level, handlers=[handler])  # a no-op where logging is set up already
    if level > logging.DEBUG:
        for name in CHATTY_LOGGERS:
            logging.getLogger(name).setLevel(logging.WARNING)
    redactor = SecretRedactor(configured_secrets(settings))
    redactor.install()
    return redactor
