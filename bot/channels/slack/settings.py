"""Slack's settings: `APPEALDESK_SLACK_*`."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from bot.config import ChannelSettings


class SlackSettings(ChannelSettings):
    """The app's tokens and signing secret, the Web API address, the agents' channel and its members."""

    channel = "slack"
    model_config = SettingsConfigDict(env_prefix="APPEALDESK_SLACK_", env_file=".env", extra="ignore")

    bot_token: str | None = None
    signing_secret: str | None = None
    app_token: str | None = None
    api_url: str = "https://slack.com/api/"
    agents_channel: str | None = None

    @property
    def configured(self) -> bool:
        return bool(self.bot_token and self.signing_secret)

    @property
    def agents_destination(self) -> str | None:
        return self.agents_channel if self.bot_token and self.agents_channel else None

    def secrets(self) -> list[str | None]:
        return [self.bot_token, self.signing_secret, self.app_token]
