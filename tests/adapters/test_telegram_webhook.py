"""Webhook mode: the real web app under uvicorn, Telegram played by the fake and httpx."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from bot.adapters.telegram_adapter import TelegramAdapter
from bot.app import BotApp
from bot.core.ratelimit import RateLimiter
from bot.web.app import SECRET_HEADER, run_web
from tests.adapters.test_telegram_flow import wait_for_button
from tests.fakes.fake_telegram import FakeTelegramServer

SECRET = "s3cret-Token_1"
HOOK_URL = "https://bot.example.test/telegram/hook"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def web(tg_app: BotApp, fast_limiter: RateLimiter) -> AsyncIterator[httpx.AsyncClient]:
    """run_web() on a free port, in webhook mode; yields a client for it."""
    settings = tg_app.settings.model_copy(update={
        "telegram_webhook_url": HOOK_URL, "telegram_webhook_secret": SecretStr(SECRET)})
    app = BotApp(settings, engine=tg_app.engine)
    adapter = TelegramAdapter(app, limiter=fast_limiter, idle=0.2)
    port, stop = free_port(), asyncio.Event()
    task = asyncio.create_task(run_web(app, stop, host="127.0.0.1", port=port, telegram=adapter))
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        for _ in range(200):
            try:
                if (await client.get("/healthz")).status_code == 200:
                    break
            except httpx.TransportError:
                await asyncio.sleep(0.02)
        yield client
    stop.set()
    await asyncio.wait_for(task, timeout=10)


async def test_health_webhook_setup_and_the_secret_check(
    web: httpx.AsyncClient, fake: FakeTelegramServer, records: Any, wait_until: Any
) -> None:
    response = await web.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}

    await wait_until(lambda: fake.webhook_url == HOOK_URL)
    call = next(r for r in fake.requests if r["method"] == "setWebhook")
    assert call["params"]["secret_token"] == SECRET

    update = fake.make_text_update(1701, "/start", update_id=900)
    assert (await web.post("/telegram/hook", json=update)).status_code == 403
    for wrong in ("", "s3cret-Token_", SECRET + "x", "S3CRET-TOKEN_1", "é".encode() * 7):
        response = await web.post("/telegram/hook", json=update, headers={SECRET_HEADER: wrong})
        assert response.status_code == 403
    assert (await web.get("/telegram/hook")).status_code == 405
    assert records.inbox() == []


async def test_update_is_stored_before_200_and_duplicates_have_one_effect(
    web: httpx.AsyncClient, fake: FakeTelegramServer, records: Any, wait_until: Any
) -> None:
    user = 1702
    fake.add_chat(user)  # updates posted to the webhook bypass the fake's queue
    headers = {SECRET_HEADER: SECRET}
    bad = await web.post("/telegram/hook", content=b"{not json", headers=headers)
    assert bad.status_code == 400
    update = fake.make_text_update(user, "/start", update_id=901)
    response = await web.post("/telegram/hook", json=update, headers=headers)
    assert response.status_code == 200
    assert [r.external_id for r in records.inbox()] == ["901"]  # durable before the 200
    welsh = await wait_for_button(fake, user, "Cymraeg")
    await wait_until(records.settled)
    first_replies = len(fake.messages_to(user))
    again = await web.post("/telegram/hook", json=update, headers=headers)
    assert again.status_code == 200

    press = fake.make_callback_update(user, welsh, update_id=902)
    fake.add_update(press)  # registers the callback query id with the fake
    assert (await web.post("/telegram/hook", json=press, headers=headers)).status_code == 200
    await wait_until(lambda: press["callback_query"]["id"] in fake.answered_callbacks)
    await wait_until(lambda: records.member(user).language == "cy")
    await wait_until(records.settled)
    assert [r.external_id for r in records.inbox()] == ["901", "902"]
    assert first_replies == len(records.replies_to("901"))
    assert len(fake.messages_to(user)) == first_replies + len(records.replies_to("902"))
