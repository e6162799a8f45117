"""Telegram's settings: `APPEALDESK_TELEGRAM_*`."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from bot.config import ChannelSettings


class TelegramSettings(ChannelSettings):
    """The bot's token and Bot API server, the agents' group and its members, and webhook mode."""

    channel = "telegram"
    model_config = SettingsConfigDict(env_prefix="APPEALDESK_TELEGRAM_", env_file=".env", extra="ignore")

    token: str | None = None
    api_url: str = "https://api.telegram.org"
    # The Bot API server's own limit on a file's download; unset: 20 MB on Telegram's server, none on your own.
    download_limit_mb: float | None = Field(default=None, gt=0)
    agents_chat: str | None = None
    webhook_url: str | None = None
    webhook_secret: str | None = None
    # The bot's overall send rate (Telegram's flood limit); 0 turns the limiter off (your own Bot API server, a fake).
    messages_per_second: float = Field(default=30, ge=0)

    @property
    def configured(self) -> bool:
        return bool(self.token)

    @property
    def agents_destination(self) -> str | None:
        return self.agents_chat if self.token and self.agents_chat else None

    def secrets(self) -> list[str | None]:
        return [self.token, self.webhook_secret]
