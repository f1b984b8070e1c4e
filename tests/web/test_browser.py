"""A real browser (Debian chromium, driven by Playwright): log in by link, use the pages.

Skipped when chromium or the Playwright package is missing; CI installs both.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import uvicorn

from bot.app import BotApp
from bot.web.app import create_web_app
from bot.web.dashboard import dashboard_routes
from bot.web.dashboard.config import DashboardConfig
from tests.web.conftest import Clock, add_member, login_link
from tests.web.helpers import add_feedback

if TYPE_CHECKING:
    from playwright.sync_api import Page

CHROMIUM = os.environ.get("COPRO_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no chromium at " + CHROMIUM)


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:  # a thread cannot own signals
        yield


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(app: BotApp, clock: Clock) -> Iterator[str]:
    """The web app on a real port (plain http, so cookies without Secure)."""
    port = _free_port()
    config = DashboardConfig(base_url=f"http://127.0.0.1:{port}", cookie_secure=False,
                             clock=clock)
    site = create_web_app(app, routes=dashboard_routes(app, config))
    server = _Server(uvicorn.Config(site, host="127.0.0.1", port=port, log_config=None,
                                    access_log=False, lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the test server did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@contextlib.contextmanager
def logged_in(app: BotApp, served: str, member_id: int, clock: Clock) -> Iterator[Page]:
    """A browser page that has just logged `member_id` in by link, on the overview."""
    token = login_link(app, member_id, clock())
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            page = browser.new_page()
            page.goto(f"{served}/login/{token}")
            page.get_by_role("button", name="Log in").click()
            page.wait_for_url(f"{served}/")
            yield page
        finally:
            browser.close()


def test_log_in_by_link_read_the_overview_and_close_an_item(
    app: BotApp, served: str, clock: Clock, tmp_path: Path
) -> None:
    staff = add_member(app, "s1", "staff", name="Lee")
    author = add_member(app, "m1", name="Ana")
    add_feedback(app, author, "The room was too cold", tags=["room"])
    with logged_in(app, served, staff, clock) as page:
        assert page.get_by_role("heading", level=1).inner_text() == "Overview"
        charts = page.locator("svg.chart")
        assert charts.count() >= 3
        shot = tmp_path / "overview.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
        page.keyboard.press("Tab")  # the first stop is the skip link
        assert page.evaluate("document.activeElement.className") == "skip"

        page.get_by_role("link", name="Feedback").click()
        page.get_by_label("Tag", exact=True).fill("room")
        page.get_by_role("button", name="Show").click()
        assert page.get_by_text("The room was too cold").is_visible()
        page.get_by_label("Status", exact=True).nth(1).select_option("did")
        page.get_by_label("Public answer (the member is told)").fill("We fixed the heating.")
        page.get_by_role("button", name="Save").click()
        page.wait_for_url("**done=saved**")
        assert page.get_by_role("status").inner_text() == "Saved."
        assert page.get_by_text("Our answer: We fixed the heating.").is_visible()


def test_write_preview_and_send_an_update(app: BotApp, served: str, clock: Clock) -> None:
    """Keyboard and labels only: what someone using a screen reader would do."""
    writer = add_member(app, "c1", "coordinator", name="Cerys")
    add_member(app, "m1", name="Ana", language="cy")
    with logged_in(app, served, writer, clock) as page:
        page.get_by_role("link", name="Updates").click()
        page.get_by_role("link", name="Write an update").click()
        assert page.get_by_role("heading", level=1).inner_text() == "Write an update"
        page.get_by_label("Kind of update").select_option("you_said_we_did")
        page.get_by_label("Everyone").check()
        page.locator("#c-title-en").fill("Warmer room")
        page.locator("#c-body-en").fill("You said it was cold. We got a heater.")
        page.get_by_role("button", name="Preview").click()
        page.wait_for_url("**/broadcasts/*")
        assert "This will go to 2 people." in page.locator("main").inner_text()
        assert page.get_by_text("No translation", exact=True).is_visible()  # the Welsh row
        send = page.get_by_role("button", name="Send it")
        send.focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.get_by_role("heading", name="Delivery report by language").is_visible()
