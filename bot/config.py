"""Configuration from the environment (or a .env file); every name starts with APPEALDESK_."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated, ClassVar, Literal, Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


CsvList = Annotated[list[str], NoDecode]


# What one `appealdesk run` process does (docs/operations.md#roles).
Role = Literal["web", "worker", "all"]


class StartupProblem(Exception):
    """Something in the configuration keeps AppealDesk from starting: which setting, and what to check."""

    def __init__(self, setting: str, check: str) -> None:
        super().__init__(f"{setting}: {check}")
        self.setting = setting
        self.check = check


class ChannelSettings(BaseSettings):
    """A channel's own settings, read from `APPEALDESK_<CHANNEL>_*`: each channel package subclasses it.

    The common settings hold one per registered channel, whether it is set up or not, so the core can
    ask any of them who its agents are and where their cards go without knowing the channel.
    """

    channel: ClassVar[str]
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    agents: CsvList = Field(default_factory=list)

    @field_validator("agents", mode="before")
    @classmethod
    def _csv(cls, value: object) -> object:
        return _split_csv(value)

    @property
    def configured(self) -> bool:
        """Whether the credentials the channel needs to run are set."""
        return False

    @property
    def agents_destination(self) -> str | None:
        """The agents' chat that gets ticket cards, when the channel is set up to post there."""
        return None

    def secrets(self) -> list[str | None]:
        """Credentials that must never reach a log line."""
        return []

    @classmethod
    def of(cls, settings: Settings) -> Self:
        """This channel's part of the settings, as the registry loaded it."""
        own = settings.channels.get(cls.channel)
        if not isinstance(own, cls):
            raise LookupError(f"the settings were loaded without the {cls.channel} channel's")
        return own


# Supervisors on the command line; every other supervisor channel is a registered channel.
CLI = "cli"


class Settings(BaseSettings):
    """Everything an operator can set. Defaults run the embedded demo: SQLite, local channels."""

    model_config = SettingsConfigDict(env_prefix="APPEALDESK_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///var/appealdesk.db"
    platform_name: str = "WorkMarket"
    templates_dir: Path = PROJECT_ROOT / "templates"
    knowledge_dir: Path = PROJECT_ROOT / "knowledge"

    agents: CsvList = Field(default_factory=lambda: ["alice"])
    admins: CsvList = Field(default_factory=lambda: ["terminal:alice"])
    supervisors: CsvList = Field(default_factory=list)

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

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    http_host: str = "127.0.0.1"
    http_port: int = 8080
    # Signs the HTTP server's cookies; unset, a key is generated once and kept in secret_key_file
    secret_key: SecretStr | None = None
    secret_key_file: Path = Path("var/secret_key")
    # Behind HTTPS, cookies are sent over HTTPS only
    secure_cookies: bool = False
    outbox_poll_seconds: float = 1.0
    scheduler_interval_seconds: float = 60.0
    scheduler_batch_size: int = Field(default=200, ge=1)  # due rows per scheduler transaction

    # The platform's side: what its systems send us (docs/platform-api.md) and where each appeal's
    # decision is posted, signed with the shared secret (docs/decision-webhook.md)
    api_max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    platform_webhook_url: str | None = None
    platform_webhook_secret: SecretStr | None = None

    # Operations (docs/operations.md)
    log_format: Literal["text", "json"] = "text"
    # /readyz fails once the oldest due outbox row has waited this long
    ready_outbox_stuck_seconds: float = 300.0
    # /metrics: a bearer token, and/or a listen address of its own (host:port) instead of the main server;
    # with neither, only a client on this machine (loopback) is answered
    metrics_token: SecretStr | None = None
    metrics_address: str | None = None

    # Retention (days; 0 keeps forever): processed update ids and handled inbox rows, delivered outbox
    # rows, and evidence files after their ticket's decision (the record and its sha256 stay)
    retention_update_days: float = 30.0
    retention_outbox_days: float = 30.0
    retention_evidence_days: float = 365.0
    retention_batch_size: int = Field(default=500, ge=1)

    # Abuse limits (docs/operations.md): what one freelancer may send a minute, and how many appeals one
    # account may get a week (across users); agents and admins are never counted
    user_messages_per_minute: int = Field(default=20, ge=1)
    appeals_per_account_per_week: int = Field(default=3, ge=1)

    channels: dict[str, ChannelSettings] = Field(default_factory=dict)

    @field_validator("agents", "admins", "evidence_types", mode="before")
    @classmethod
    def _csv(cls, value: object) -> object:
        return _split_csv(value)

    @field_validator("supervisors", mode="before")
    @classmethod
    def _supervisors(cls, value: object) -> object:
        """`channel:user_id` entries; a plain name is a command-line supervisor (`bob` is `cli:bob`)."""
        entries = _split_csv(value)
        if not isinstance(entries, list):
            return entries
        return [entry if ":" in entry else f"{CLI}:{entry}" for entry in entries]

    @model_validator(mode="after")
    def _supervisors_reachable(self) -> Settings:
        """A supervisor on a channel that is not set up would never hear of an escalation."""
        configured = {CLI: True, **{name: channel.configured for name, channel in self.channels.items()}}
        for channel, user_id in self.supervisor_contacts():
            if channel not in configured or not user_id:
                known = ", ".join(configured)
                entry = f"{channel}:{user_id}"
                raise ValueError(f"{entry!r} is not channel:user_id with a channel of {known}")
            if not configured[channel]:
                raise ValueError(
                    f"APPEALDESK_SUPERVISORS names {channel}:{user_id}, but the {channel} channel is not configured"
                )
        return self

    @model_validator(mode="after")
    def _webhook_signed(self) -> Settings:
        """An unsigned decision could be forged by anyone who finds the platform's URL."""
        if self.platform_webhook_url and not self.platform_webhook_secret:
            raise ValueError("APPEALDESK_PLATFORM_WEBHOOK_URL is set without APPEALDESK_PLATFORM_WEBHOOK_SECRET")
        return self

    @field_validator("metrics_address")
    @classmethod
    def _host_port(cls, value: str | None) -> str | None:
        if value is not None:
            host, _, port = value.rpartition(":")
            if not host or not port.isdigit():
                raise ValueError(f"{value!r} is not host:port, like 127.0.0.1:9100")
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("log_format", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value

    @property
    def metrics_listen(self) -> tuple[str, int] | None:
        """The separate (host, port) /metrics is served on, if configured."""
        if self.metrics_address is None:
            return None
        host, _, port = self.metrics_address.rpartition(":")
        return host.strip("[]"), int(port)

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
        """Agent ids allowed to act on tickets from one channel (CLI and web share `agents`).

        Supervisors are agents too, on their own channel: a supervisor told of an escalation can act on it.
        """
        own = self.channels.get(channel)
        supervisors = {user_id for where, user_id in self.supervisor_contacts() if where == channel}
        return set(self.agents if own is None else own.agents) | supervisors

    def supervisor_contacts(self) -> list[tuple[str, str]]:
        """Supervisors as (channel, user id); command-line ones are on channel `cli`."""
        return [(channel, user_id) for channel, _, user_id in (entry.partition(":") for entry in self.supervisors)]

    def agent_destinations(self) -> list[tuple[str, str]]:
        """Where agents get ticket cards: each set-up agents' chat, as (channel, chat id)."""
        return [
            (name, channel.agents_destination)
            for name, channel in self.channels.items()
            if channel.agents_destination is not None
        ]
