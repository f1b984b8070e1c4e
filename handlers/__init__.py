"""Builds the bot's router from the feature modules, in a fixed order.

Order matters only for interceptors: safety words come first, so STOP, PAUSE
and HELP work from any state.
"""

from __future__ import annotations

from bot.core.router import Router
from handlers import (
    broadcasts,
    checkins,
    dashboard,
    fallback,
    feedback,
    help,
    language,
    link,
    onboarding,
    payments,
    privacy,
    profile,
    roles,
    safeguarding,
    safety,
    sessions,
    start,
)

FEATURES = (safety, start, language, onboarding, profile, privacy, link, roles, broadcasts,
            feedback, payments, dashboard,
            checkins, sessions, safeguarding,
            help, fallback)


def build_router() -> Router:
    router = Router()
    for feature in FEATURES:
        router.include(feature.router)
    return router
