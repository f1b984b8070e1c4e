"""`/dashboard` in chat, and `copro-bot dashboard set-password|login-link`."""

from __future__ import annotations

import io
import re

import pytest
from sqlmodel import Session
from starlette.testclient import TestClient

from bot import cli
from bot.app import BotApp
from bot.config import get_settings
from bot.core.events import text_event
from bot.storage.dashboard_models import DashboardPassword
from tests.harness import ChatHarness
from tests.web.conftest import add_member, csrf_of

LINK = re.compile(r"https?://\S+/login/(\S+)")


def test_staff_get_a_link_that_logs_them_in(app: BotApp, chat: ChatHarness,
                                            web: TestClient) -> None:
    add_member(app, "s1", "safeguarding")
    reply = chat.say("/dashboard", user="s1")[0].text
    assert "works once, for 10 minutes" in reply
    found = LINK.search(reply)
    assert found and reply.startswith("Here is your link")
    assert found.group(0).startswith("http://127.0.0.1:8080/login/")
    token = found.group(1)
    page = web.get(f"/login/{token}")
    assert web.post(f"/login/{token}",
                    data={"csrf_token": csrf_of(page.text)}).status_code == 303
    assert web.get("/alerts").status_code == 200


def test_a_member_gets_the_kind_refusal(app: BotApp, chat: ChatHarness) -> None:
    add_member(app, "m1")
    reply = chat.say("/dashboard", user="m1")[0].text
    assert "only for the team" in reply and "/login/" not in reply


def test_no_link_in_a_group_chat(app: BotApp, chat: ChatHarness) -> None:
    add_member(app, "s1", "staff")
    replies = chat.event(text_event("test", "s1", "s1", "/dashboard",
                                    extra={"chat_type": "group"}))
    assert "private chat" in replies[0].text and "/login/" not in replies[0].text


def test_help_lists_dashboard_for_staff_only(app: BotApp, chat: ChatHarness) -> None:
    add_member(app, "s1", "finance")
    add_member(app, "m1")
    assert "/dashboard" in "\n".join(m.text for m in chat.say("/help", user="s1"))
    assert "/dashboard" not in "\n".join(m.text for m in chat.say("/help", user="m1"))


@pytest.fixture
def run_cli(app: BotApp, db_url: str, monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
            capsys: pytest.CaptureFixture[str]):
    monkeypatch.setenv("DATABASE_URL", db_url)
    get_settings.cache_clear()

    def run(*args: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = cli.main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    yield run
    get_settings.cache_clear()


def test_cli_sets_a_password_from_stdin_only(app: BotApp, run_cli, web: TestClient) -> None:  # type: ignore[no-untyped-def]
    member = add_member(app, "s1", "staff")
    code, out, _ = run_cli("dashboard", "set-password", "test:s1", "--username", "lead",
                           stdin="a long good password\n")
    assert code == 0 and "lead" in out and "a long good password" not in out
    with Session(app.engine) as db:
        assert db.get(DashboardPassword, member) is not None
    form = web.get("/login")
    done = web.post("/login", data={"csrf_token": csrf_of(form.text), "username": "lead",
                                    "password": "a long good password"})
    assert done.status_code == 303


def test_cli_refuses_people_without_a_staff_role(app: BotApp, run_cli) -> None:  # type: ignore[no-untyped-def]
    add_member(app, "m1")
    code, _, err = run_cli("dashboard", "login-link", "test:m1")
    assert code == 2 and "no staff role" in err
    code, _, err = run_cli("dashboard", "login-link", "test:nobody")
    assert code == 2


def test_cli_prints_a_login_link(app: BotApp, run_cli, web: TestClient) -> None:  # type: ignore[no-untyped-def]
    add_member(app, "s1", "admin")
    code, out, _ = run_cli("dashboard", "login-link", "test:s1")
    found = LINK.search(out)
    assert code == 0 and found
    assert web.get(f"/login/{found.group(1)}").status_code == 200


@pytest.mark.skipif(__import__("importlib").util.find_spec("bot.commands.web") is not None,
                    reason="bot/commands/web.py owns `copro-bot web`")
def test_cli_has_a_web_command() -> None:
    args = cli.build_parser().parse_args(["web", "--port", "9999"])
    assert args.port == 9999 and callable(args.func)
