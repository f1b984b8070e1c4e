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
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False,
        env_ignore_empty=True,
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
    languages: list[str] = Field(
        default_factory=lambda: ["en", "cy", "pl", "ro", "pa", "ur", "bn", "ar", "so", "uk"])
    default_timezone: str = "Europe/London"
    locales_dir: Path = PROJECT_ROOT / "locales"

    web_host: str = "127.0.0.1"
    web_port: int = 8080

    log_level: str = "INFO"

    # Onboarding, consent and privacy
    privacy_notice_url: str | None = None
    privacy_notice_text: str | None = None
    consent_version: str | None = None
    benefits_advice: str | None = None
    invite_valid_hours: int = 48
    retention_inbox_days: int = 30
    retention_outbox_days: int = 90
    retention_unconsented_days: int = 30
    retention_left_days: int = 180
    retention_codes_days: int = 7
    retention_finance_years: int = 6

    # Scheduler, check-ins, sessions and safeguarding
    scheduler_scan_seconds: float = 30.0
    scheduler_standby_retry_seconds: float = 3.0
    scheduler_heartbeat_seconds: float = 2.0
    scheduler_late_after_seconds: float = 300.0
    checkin_drop_after_hours: float = 24.0
    checkin_answer_hours: float = 72.0
    checkin_note_max_chars: int = 500
    checkin_low_mood: int = 2
    risk_phrases: dict[str, list[str]] | None = None
    serious_risk_phrases: dict[str, list[str]] | None = None
    session_reminder_minutes: list[int] = Field(default_factory=lambda: [1440, 60])
    session_reminder_skip_under_minutes: int = 180
    safeguarding_escalation_hours: float = 4.0
    safeguarding_escalation_contacts: list[str] = Field(default_factory=list)
    staff_working_days: list[int] = Field(default_factory=lambda: [0, 1, 2, 3, 4])
    staff_working_start: str = "09:00"
    staff_working_end: str = "17:00"
    staff_timezone: str | None = None

    # Payments
    payments_rate_card_path: Path | None = None
    payments_two_person_approval: bool = True
    payments_arrival_days: int = 3
    payments_chase_after_days: int = 5
    payments_not_yet_chase_days: int = 3
    payments_benefits_advice_link: str | None = None

    # Feedback and broadcasts
    feedback_min_group_size: int = 5
    feedback_session_delay_minutes: int = 120
    broadcast_batch_size: int = 500

    # Delivery: sends in flight at once per worker, and so the most `unknown` rows
    # a crash can leave. 1 is the strictest; 1 send per network round trip is
    # slower than Telegram's 30 a second over a real network.
    delivery_max_in_flight: int = Field(default=16, ge=1, le=64)

    # Discord
    discord_guild_id: int | None = None
    discord_welcome_channel_id: int | None = None
    discord_role_map: dict[str, str | list[str]] = Field(default_factory=dict)

    # Staff dashboard
    dashboard_base_url: str | None = None
    dashboard_cookie_secure: bool = True
    dashboard_session_hours: float = 8.0
    dashboard_idle_minutes: float = 60.0
    dashboard_login_max_failures: int = 5
    dashboard_login_window_minutes: float = 15.0
    dashboard_overview_cache_seconds: float = 60.0

    @field_validator("database_url")
    @classmethod
    def _normalise_database_url(cls, value: str) -> str:
        """Accept the common `postgres://` spellings and use the psycopg 3 driver."""
        for prefix in ("postgres://", "postgresql://"):
            if value.startswith(prefix):
                return "postgresql+psycopg://" + value[len(prefix) :]
        return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once. Tests build their own `Settings`."""
    return Settings()
