"""The delivery report matches what the delivery worker did, per language."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col

from bot.app import BotApp
from bot.broadcasts import build_report, cancel, fan_out, get_broadcast
from bot.core.delivery import DeliveryWorker, SendResult
from bot.core.events import OutgoingMessage
from bot.i18n import I18n
from bot.storage.models import Identity, utcnow
from tests.broadcasts.conftest import add_member, draft, outbox_by_chat


@dataclass
class ScriptedSender:
    """Answers per chat; anything unscripted is sent."""

    script: dict[str, SendResult] = field(default_factory=dict)
    platform: str = "test"
    calls: list[str] = field(default_factory=list)

    async def send(self, chat_id: str, message: OutgoingMessage) -> SendResult:
        self.calls.append(chat_id)
        return self.script.get(chat_id, SendResult("sent", message_id="1"))


def drain(worker: DeliveryWorker) -> None:
    async def go() -> None:
        while await worker.run_once():
            pass

    asyncio.run(go())


def test_report_numbers_match_outbox_statuses_per_language(
    app: BotApp, members, i18n_pl: I18n  # type: ignore[no-untyped-def]
) -> None:
    now = utcnow()
    members("en-sent", language="en")
    members("en-failed", language="en")
    members("cy-blocked", language="cy")
    members("cy-sent", language="cy")
    members("pl-paused", language="pl", paused_until=now + timedelta(days=2))
    members("pl-sent", language="pl")
    with Session(app.engine) as s:  # a member whose only account is already unreachable
        add_member(s, "pl-gone", language="pl")
        s.execute(update(Identity).where(col(Identity.chat_id) == "pl-gone")
                  .values(unreachable=True))
        s.commit()
    bid = draft(app)
    fan_out(app.engine, bid, i18n_pl)
    sender = ScriptedSender({
        "en-failed": SendResult("failed", error="too_long"),
        "cy-blocked": SendResult("unreachable", error="blocked"),
    })
    drain(DeliveryWorker(app.engine, {"test": sender}))
    assert sorted(sender.calls) == ["cy-blocked", "cy-sent", "en-failed", "en-sent", "pl-sent"]
    with Session(app.engine) as s:
        report = build_report(s, bid)
    by_lang = report.by_language()
    assert dict(by_lang["en"]) == {"sent": 1, "failed": 1}
    assert dict(by_lang["cy"]) == {"sent": 1, "unreachable": 1}
    assert dict(by_lang["pl"]) == {"sent": 1, "waiting": 1, "unreachable": 1}
    assert report.reasons == {("failed", "too_long"): 1, ("unreachable", "blocked"): 1,
                              ("unreachable", "no_reachable_account"): 1}
    assert report.recipients == 7
    waiting = outbox_by_chat(app)["pl-paused"][0].not_before
    assert report.waiting_from == report.waiting_until == waiting
    assert isinstance(report.waiting_until, datetime)


def test_a_blocked_recipient_is_tried_once_and_reported_unreachable(
    app: BotApp, members, i18n_pl: I18n  # type: ignore[no-untyped-def]
) -> None:
    members("blocked")
    bid = draft(app)
    fan_out(app.engine, bid, i18n_pl)
    sender = ScriptedSender({"blocked": SendResult("unreachable", error="blocked")})
    worker = DeliveryWorker(app.engine, {"test": sender})
    drain(worker)
    drain(worker)
    assert sender.calls == ["blocked"]
    assert outbox_by_chat(app)["blocked"][0].attempts == 1
    with Session(app.engine) as s:
        assert build_report(s, bid).totals() == {"unreachable": 1}


def test_a_recipient_blocked_on_one_platform_gets_it_on_their_linked_account(
    app: BotApp, members, i18n_pl: I18n  # type: ignore[no-untyped-def]
) -> None:
    """The report says where it really went: sent, on the account that worked."""
    blocked = members("blocked")
    with Session(app.engine) as s:
        s.add(Identity(member_id=blocked.id, platform="other", user_id="b2", chat_id="b2"))
        s.commit()
    bid = draft(app)
    fan_out(app.engine, bid, i18n_pl)
    first = ScriptedSender({"blocked": SendResult("unreachable", error="blocked")})
    linked = ScriptedSender(platform="other")
    drain(DeliveryWorker(app.engine, {"test": first, "other": linked}))
    assert (first.calls, linked.calls) == (["blocked"], ["b2"])
    with Session(app.engine) as s:
        report = build_report(s, bid)
    assert report.totals() == {"sent": 1}
    assert [(line.platform, dict(line.counts)) for line in report.lines] == [("other", {"sent": 1})]


def test_cancelling_holds_back_what_has_not_gone(
    app: BotApp, members, i18n_pl: I18n  # type: ignore[no-untyped-def]
) -> None:
    members("now")
    members("later", quiet=("00:00", "23:59"))
    bid = draft(app)
    fan_out(app.engine, bid, i18n_pl)
    drain(DeliveryWorker(app.engine, {"test": ScriptedSender()}))
    with Session(app.engine) as s:
        assert cancel(s, get_broadcast(s, bid)) == 1
        s.commit()
    with Session(app.engine) as s:
        report = build_report(s, bid)
    assert report.totals() == {"sent": 1, "cancelled": 1}
    assert report.status == "cancelled"
