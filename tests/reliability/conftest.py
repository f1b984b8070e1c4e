"""Fixtures for the reliability suite: the adapter tests' fake Bot API and records."""

from __future__ import annotations

from tests.adapters.conftest import (  # noqa: F401 - pytest finds fixtures by name
    adapter,
    fake,
    fast_limiter,
    polling,
    records,
    tg_app,
    tg_settings,
    wait_until,
)
