"""Settings from the environment and `.env`; see `.env.example` for every one of them."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from journal.hours import DEFAULT_CONFIRMED_HOURS_UNITS, parse_units
from journal.prompting import DEFAULT_QUIET, parse_quiet_hours


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr | None = None
    database_url: str = "sqlite:///./data/mentorlog.db"
    files_dir: Path = Path("./data/files")
    frameworks_dir: Path = Path("./data/frameworks")
    exports_dir: Path = Path("./data/exports")
    # The centre's Ed25519 key that signs bundles (exports.signing), created on first use.
    signing_key_file: Path = Path("./data/signing_key.pem")
    default_timezone: str = "Europe/London"
    log_level: str = "INFO"
    telegram_api_base: str | None = None
    redis_url: str | None = None
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_host: str = "127.0.0.1"
    webhook_port: int = 8080
    # Scale-out (README "Scale-out"): webhook workers started by one `mentorlog run`, on ports
    # WEBHOOK_PORT, WEBHOOK_PORT+1, ...; the send budget all processes share (in Redis).
    workers: int = Field(default=1, ge=1, le=64)
    send_per_second: float = Field(default=30, gt=0)
    send_per_chat_seconds: float = Field(default=1.0, ge=0)
    # A chat's Redis lock expires this long after its worker stopped renewing it (died).
    redis_lock_seconds: float = Field(default=10, gt=0)
    quiet_start: str = DEFAULT_QUIET[0]
    quiet_end: str = DEFAULT_QUIET[1]
    # Days a portfolio is kept after its last activity (journal.retention); unset: kept.
    retention_days: int | None = Field(default=None, ge=1)
    # Where the bundle of a portfolio past retention is written before it is erased; unset: none.
    retention_archive_dir: Path | None = None
    # How long after a session is logged its mentees are asked for feedback (quiet hours allowing).
    feedback_delay_minutes: int = Field(default=120, ge=0, le=24 * 60)
    # Units ("framework:UNIT", comma-separated) whose minimum needs hours confirmed by the
    # supervisor, not only logged (journal.hours); empty: logged hours are enough everywhere.
    confirmed_hours_units: str = ",".join(DEFAULT_CONFIRMED_HOURS_UNITS)

    @field_validator("retention_days", "retention_archive_dir", mode="before")
    @classmethod
    def _unset_when_empty(cls, value: object) -> object:
        # `RETENTION_DAYS=` in .env means not set (an empty path would be the current folder).
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("quiet_start", "quiet_end")
    @classmethod
    def _clock_time(cls, value: str) -> str:
        try:
            parse_quiet_hours(f"{value}-{value}")
        except ValueError as exc:
            raise ValueError(f"'{value}' is not a time of day such as 21:00") from exc
        return value

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone '{value}'") from exc
        return value

    @property
    def confirmed_units(self) -> tuple[str, ...]:
        return parse_units(self.confirmed_hours_units)

    @property
    def token(self) -> str | None:
        return self.bot_token.get_secret_value() if self.bot_token else None
