"""Wires settings, database, translations, router and dispatcher together.

One `BotApp` per process, passed explicitly to adapters and the CLI.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.core.dispatch import Dispatcher
from bot.core.events import Event
from bot.core.inbox import store_event
from bot.core.router import Router
from bot.i18n import I18n
from bot.storage import load_all_models, migrate
from bot.storage.db import make_engine


class BotApp:
    """The bot's moving parts, minus any platform."""

    def __init__(
        self, settings: Settings, engine: Engine | None = None, router: Router | None = None
    ) -> None:
        from handlers import build_router

        load_all_models()

        self.settings = settings
        self.engine = engine or make_engine(settings.database_url)
        self.i18n = I18n(settings.locales_dir, settings.languages, settings.default_language)
        self.router = router or build_router()
        self.dispatcher = Dispatcher(self.engine, self.router, settings, self.i18n)

    def upgrade_database(self) -> None:
        migrate.upgrade(self.engine)

    def receive(self, event: Event, external_id: str) -> int | None:
        """Store an incoming event durably; None when it is a duplicate."""
        return store_event(self.engine, event, external_id)

    def process_pending(self) -> int:
        return self.dispatcher.process_pending()
