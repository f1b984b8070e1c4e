"""DELIVERY_MAX_IN_FLIGHT: how many sends a worker has out at once, and so the most
`unknown` rows a crash can leave."""

from __future__ import annotations

import pytest
from pydantic import SecretStr, ValidationError

from bot.adapters.telegram_adapter import TelegramAdapter
from bot.app import BotApp
from bot.config import Settings


@pytest.mark.parametrize("bad", [0, -1, 65])
def test_a_value_outside_1_to_64_is_refused(bad: int) -> None:
    with pytest.raises(ValidationError, match="delivery_max_in_flight"):
        Settings(_env_file=None, delivery_max_in_flight=bad)  # type: ignore[call-arg]


def test_the_telegram_worker_follows_the_setting(settings: Settings) -> None:
    token = SecretStr("123:ABC")
    apps = [BotApp(settings.model_copy(update={"telegram_bot_token": token, **extra}))
            for extra in ({"delivery_max_in_flight": 1}, {})]
    try:
        assert [TelegramAdapter(app).worker.max_in_flight for app in apps] == [1, 16]
    finally:
        for app in apps:
            app.engine.dispose()
