"""The two replies given before anyone is known: no session on a form, the database down.

They are plain text (no page can be drawn without a session or a database),
but still in the deployment's default language.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from starlette.testclient import TestClient

from bot.app import BotApp
from bot.web.dashboard import web as web_module


def test_a_form_sent_without_a_session_asks_to_log_in_again(app: BotApp,
                                                             web: TestClient) -> None:
    reply = web.post("/feedback/1", data={"status": "did"})
    assert reply.status_code == 403
    assert reply.text == app.i18n.translator(app.i18n.default).gettext("Please log in again.")


def test_when_the_database_is_down_the_reply_is_in_the_default_language(
    app: BotApp, web: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    @contextmanager
    def unreachable(engine: object) -> Iterator[None]:
        raise ConnectionError("database down")
        yield

    monkeypatch.setattr(web_module, "transaction", unreachable)
    monkeypatch.setattr(app.i18n, "default", "cy")
    reply = web.get("/members")
    welsh = app.i18n.translator("cy").gettext("Something went wrong")
    assert welsh != "Something went wrong", "the Welsh catalog has this line"
    assert reply.status_code == 500 and reply.text == welsh
    assert "database down" not in reply.text
