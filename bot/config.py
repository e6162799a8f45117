"""Configuration from the environment (or a .env file); every name starts with APPEALDESK_."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


CsvList = Annotated[list[str], NoDecode]


class Settings(BaseSettings):
    """Everything an operator can set. Defaults run the embedded demo: SQLite, local channels."""

    model_config = SettingsConfigDict(env_prefix="APPEALDESK_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///var/appealdesk.db"
    platform_name: str = "WorkMarket"
    templates_dir: Path = PROJECT_ROOT / "templates"
    knowledge_dir: Path = PROJECT_ROOT / "knowledge"

    agents: CsvList = Field(default_factory=lambda: ["alice"])
    admins: CsvList = Field(default_factory=lambda: ["terminal:alice"])

    first_response_hours: float = 24.0
    status_update_hours: float = 24.0
    resolution_hours: float = 72.0
    intake_reminder_hours: float = 6.0

    evidence_dir: Path = Path("var/evidence")
    evidence_max_bytes: int = 10 * 1024 * 1024
    evidence_max_files: int = 10
    evidence_types: CsvList = Field(
        default_factory=lambda: [
            "image/jpeg",
            "image/png",
            "image/webp",
            "application/pdf",
            "text/plain",
            "text/csv",
            "message/rfc822",
        ]
    )
    max_message_chars: int = 4000

    http_host: str = "127.0.0.1"
    http_port: int = 8080
    outbox_poll_seconds: float = 1.0
    scheduler_interval_seconds: float = 60.0

    telegram_token: str | None = None
    telegram_api_url: str = "https://api.telegram.org"
    telegram_agents_chat: str | None = None
    telegram_agents: CsvList = Field(default_factory=list)
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: str | None = None

    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str = "https://slack.com/api/"
    slack_agents_channel: str | None = None
    slack_agents: CsvList = Field(default_factory=list)

    @field_validator("agents", "admins", "evidence_types", "telegram_agents", "slack_agents", mode="before")
    @classmethod
    def _csv(cls, value: object) -> object:
        return _split_csv(value)

    @property
    def first_response(self) -> timedelta:
        return timedelta(hours=self.first_response_hours)

    @property
    def status_update_interval(self) -> timedelta:
        return timedelta(hours=self.status_update_hours)

    @property
    def resolution(self) -> timedelta:
        return timedelta(hours=self.resolution_hours)

    @property
    def intake_reminder_after(self) -> timedelta:
        return timedelta(hours=self.intake_reminder_hours)

    def agents_for(self, channel: str) -> set[str]:
        """Agent ids allowed to act on tickets from one channel (CLI and web share `agents`)."""
        by_channel = {"telegram": self.telegram_agents, "slack": self.slack_agents}
        return set(by_channel.get(channel, self.agents))
