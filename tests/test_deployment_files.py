"""docker-compose.yml and .env.example must match the settings the code reads."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.config import Settings

ROOT = Path(__file__).resolve().parents[1]
SETTING_NAMES = {name.upper() for name in Settings.model_fields}


def test_compose_has_bot_and_postgres_15_with_a_volume() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"bot", "db"}
    assert services["db"]["image"].startswith("postgres:15")
    volume = services["db"]["volumes"][0].split(":")[0]
    assert volume in compose["volumes"]
    bot = services["bot"]
    assert bot["env_file"] == ".env"
    assert "db upgrade" in " ".join(bot["command"])
    assert bot["depends_on"]["db"]["condition"] == "service_healthy"


def test_compose_env_names_are_real_settings() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    names = set(compose["services"]["bot"]["environment"])
    assert names <= SETTING_NAMES, names - SETTING_NAMES
    assert compose["services"]["bot"]["environment"]["DATABASE_URL"].startswith("postgresql://")


def test_env_example_documents_every_setting() -> None:
    text = (ROOT / ".env.example").read_text()
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", text, flags=re.M))
    assert SETTING_NAMES <= documented, SETTING_NAMES - documented
    assert documented <= SETTING_NAMES, documented - SETTING_NAMES


def test_required_names_from_the_brief() -> None:
    for name in ("TELEGRAM_BOT_TOKEN", "TELEGRAM_API_URL", "DISCORD_BOT_TOKEN", "DATABASE_URL"):
        assert name in SETTING_NAMES
    assert Settings(_env_file=None).telegram_api_url == "https://api.telegram.org/bot"  # type: ignore[call-arg]


def test_env_example_loads_as_a_working_env_file() -> None:
    """Copying .env.example to .env must give a valid configuration."""
    settings = Settings(_env_file=ROOT / ".env.example")  # type: ignore[call-arg]
    assert settings.telegram_bot_token is None
    assert settings.discord_guild_id is None
    assert settings.session_reminder_minutes == [1440, 60]
    assert settings.organisations == ["Our Co-production Group"]
