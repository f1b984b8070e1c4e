"""One settings object, read from the environment and `.env`.

Everything configurable lives here so that secrets never appear in code and
every deployment can name its own organisations and crisis contacts.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEFAULT_CRISIS_CONTACTS = [
    "Samaritans: call 116 123. It is free, day and night.",
    "Shout: text SHOUT to 85258.",
    "NHS 111: call 111 and choose the mental health option.",
    "If a life is at risk, call 999.",
]


class Settings(BaseSettings):
    """Deployment configuration. Field names map to upper-case env vars."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    database_url: str = Field(default="sqlite:///copro-bot.db")
    telegram_bot_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None
    discord_bot_token: SecretStr | None = None

    organisations: list[str] = Field(default_factory=lambda: ["Our Co-production Group"])
    group_name: str = "the co-production group"
    staff_reply_hours: str = "Monday to Friday, 9am to 5pm"
    crisis_contacts: list[str] = Field(default_factory=lambda: list(DEFAULT_CRISIS_CONTACTS))
    default_language: str = "en"
    languages: list[str] = Field(default_factory=lambda: ["en", "cy"])
    default_timezone: str = "Europe/London"
    locales_dir: Path = PROJECT_ROOT / "locales"

    web_host: str = "127.0.0.1"
    web_port: int = 8080

    log_level: str = "INFO"

    @field_validator("database_url")
    @classmethod
    def _normalise_database_url(cls, value: str) -> str:
        """Accept the common `postgres://` spellings and use the psycopg 3 driver."""
        for prefix in ("postgres://", "postgresql://"):
            if value.startswith(prefix):
                return "postgresql+psycopg://" + value[len(prefix) :]
        return value

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once. Tests build their own `Settings`."""
    return Settings()
