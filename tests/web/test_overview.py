"""The overview: numbers with charts, aggregates only, the mood trend only for 5 or more."""

from __future__ import annotations

from datetime import timedelta

import pytest
from starlette.testclient import TestClient

from bot.app import BotApp
from bot.storage.checkin_models import Checkin
from bot.storage.db import transaction
from tests.harness import ChatHarness
from tests.web.conftest import Clock, add_member
from tests.web.helpers import add_alert, add_feedback


def answered_checkins(app: BotApp, people: int, clock: Clock) -> None:
    """`people` members each answered a check-in with a mood two days ago."""
    when = clock() - timedelta(days=2)
    with transaction(app.engine) as db:
        for n in range(people):
            member = add_member(app, f"mood{n}-{people}")
            db.add(Checkin(member_id=member, due_at=when, send_at=when, sent_at=when,
                           status="answered", mood=2 + n % 3, answered_at=when))


def test_the_overview_has_numbers_and_charts(app: BotApp, chat: ChatHarness, as_role,  # type: ignore[no-untyped-def]
                                             web: TestClient) -> None:
    chat.say("/help", user="a")
    chat.say("/help", user="b")
    add_feedback(app, None, "more breaks please")
    add_alert(app, add_member(app, "m9"))
    as_role("staff")
    page = web.get("/")
    assert page.status_code == 200
    html = page.text
    assert html.count("<svg") >= 3 and 'role="img"' in html
    assert "Active this month" in html and "Closure rate" in html and "Open alerts" in html
    assert "<title" in html  # each chart has a text alternative


def test_the_mood_trend_is_hidden_below_five_people(app: BotApp, as_role, web: TestClient,  # type: ignore[no-untyped-def]
                                                     clock: Clock) -> None:
    answered_checkins(app, 4, clock)
    as_role("staff")
    html = web.get("/").text
    assert 'id="chart-mood"' not in html and "at least 5 people" in html


def test_the_mood_trend_shows_for_five_or_more(app: BotApp, as_role, web: TestClient,  # type: ignore[no-untyped-def]
                                                clock: Clock) -> None:
    answered_checkins(app, 5, clock)
    as_role("staff")
    html = web.get("/").text
    assert 'id="chart-mood"' in html


def test_a_missing_feature_says_it_is_not_set_up(monkeypatch: pytest.MonkeyPatch, as_role,  # type: ignore[no-untyped-def]
                                                 web: TestClient) -> None:
    from bot.web.dashboard import feature_metrics, pages_alerts

    monkeypatch.setattr(feature_metrics, "attr", lambda module, name: None)
    monkeypatch.setattr(pages_alerts, "optional", lambda module: None)
    as_role("admin")
    home = web.get("/")
    assert home.status_code == 200 and "This part is not set up yet" in home.text
    alerts = web.get("/alerts")
    assert alerts.status_code == 200 and "This part is not set up yet" in alerts.text


def test_right_to_left_languages_render_right_to_left(app: BotApp, web: TestClient,
                                                      clock: Clock) -> None:
    from tests.web.conftest import log_in

    staff = add_member(app, "s1", "staff", language="ar")
    app.i18n.languages.append("ar")
    log_in(web, app, staff, clock)
    assert '<html lang="ar" dir="rtl">' in web.get("/").text


def test_overview_payment_figures_match_the_payments_report(app: BotApp, clock: Clock) -> None:
    """The fast SQL figures agree with `bot.payments.report`, which folds every payment."""
    from sqlmodel import Session

    from benchmarks.dashboard_scale import seed
    from bot.payments.report import load_all, summarise
    from bot.web.dashboard.feature_metrics import payments

    seed(app, 50, 500, clock())
    with Session(app.engine) as db:
        fast = payments(db, clock())
        slow = summarise(load_all(db, date_from=(clock() - timedelta(days=365)).date()))
    assert fast is not None
    assert (fast.median_days, fast.p90_days) == (slow.to_paid.median, slow.to_paid.p90)
    assert (fast.received_median, fast.received_p90) == (slow.to_received.median,
                                                         slow.to_received.p90)
    assert (fast.waiting_approval, fast.waiting_payment, fast.waiting_confirmation,
            fast.problems) == (slow.waiting_approval, slow.waiting_payment,
                               slow.waiting_confirmation, slow.problems)


def test_overview_closure_rate_matches_the_feedback_service(app: BotApp, clock: Clock) -> None:
    from sqlmodel import Session

    from benchmarks.dashboard_scale import seed
    from bot.feedback.loop import closure_rate
    from bot.web.dashboard.feature_metrics import feedback

    seed(app, 50, 300, clock())
    add_feedback(app, None, None)  # type: ignore[arg-type]  # a tap without words: not counted
    with Session(app.engine) as db:
        fast, slow = feedback(db, clock()), closure_rate(db)
    assert fast is not None and (fast.total, fast.closed) == (slow.total, slow.closed)
