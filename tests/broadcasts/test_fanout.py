"""Fan-out: languages, fallback note, quiet hours, pauses, urgent, exactly once."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from bot.app import BotApp
from bot.broadcasts import build_preview, fan_out, get_broadcast
from bot.broadcasts.fanout import resume_unfinished
from bot.core import reach
from bot.i18n import I18n
from bot.storage.models import Identity
from bot.storage.session_models import GroupMember, ProjectGroup
from tests.broadcasts.conftest import (
    NOTE_PL,
    NOW,
    add_member,
    draft,
    outbox_by_chat,
    recipients,
    run_scheduled,
)


def clock() -> datetime:
    return NOW


def test_each_recipient_gets_their_language_and_missing_ones_get_default_plus_note(
    app: BotApp, members, i18n_pl: I18n  # type: ignore[no-untyped-def]
) -> None:
    members("en1", language="en")
    members("cy1", language="cy")
    members("pl1", language="pl")
    bid = draft(app)
    fan_out(app.engine, bid, i18n_pl, clock=clock)
    out = outbox_by_chat(app)
    assert out["en1"][0].payload["text"] == "What happened\n\nWe fixed the heater."
    assert out["cy1"][0].payload["text"] == "Beth ddigwyddodd\n\nTrwsiwyd y gwresogydd."
    assert out["pl1"][0].payload["text"] == f"{NOTE_PL}\n\nWhat happened\n\nWe fixed the heater."
    by_member = {r.language: r.text_language for r in recipients(app, bid)}
    assert by_member == {"en": "en", "cy": "cy", "pl": "en"}


def test_a_broadcast_without_the_default_language_falls_back_to_its_first_text(
    app: BotApp, members, i18n_pl: I18n  # type: ignore[no-untyped-def]
) -> None:
    members("en1", language="en")
    bid = draft(app, texts={"cy": {"title": "Teitl", "body": "Neges"}}, default_language="cy")
    fan_out(app.engine, bid, i18n_pl, clock=clock)
    text = outbox_by_chat(app)["en1"][0].payload["text"]
    assert text == "There is no translation in your language yet.\n\nTeitl\n\nNeges"


def test_quiet_hours_defer_non_urgent_to_each_members_own_morning(
    app: BotApp, members, i18n_pl: I18n  # type: ignore[no-untyped-def]
) -> None:
    night = ("21:00", "08:00")
    members("london", timezone="Europe/London", quiet=night)
    members("newyork", timezone="America/New_York", quiet=night)
    members("karachi", timezone="Asia/Karachi", quiet=("22:00", "08:00"))
    fan_out(app.engine, draft(app), i18n_pl, clock=clock)
    out = outbox_by_chat(app)
    assert out["london"][0].not_before == datetime(2026, 6, 2, 7, 0, tzinfo=UTC)
    assert out["newyork"][0].not_before == NOW
    assert out["karachi"][0].not_before == datetime(2026, 6, 2, 3, 0, tzinfo=UTC)


def test_urgent_goes_now_in_quiet_hours_but_never_to_paused_or_stopped(
    app: BotApp, members, i18n_pl: I18n  # type: ignore[no-untyped-def]
) -> None:
    members("awake", quiet=("21:00", "08:00"))
    members("paused", paused_until=NOW + timedelta(days=3))
    members("stopped", status="stopped")
    bid = draft(app, kind="urgent")
    fan_out(app.engine, bid, i18n_pl, clock=clock)
    out = outbox_by_chat(app)
    assert set(out) == {"awake"}
    assert out["awake"][0].not_before == NOW
    reasons = {r.reason for r in recipients(app, bid)}
    assert reasons == {None, "paused"}, "stopped members are not in any audience"


def test_paused_members_get_non_urgent_updates_only_after_the_pause(
    app: BotApp, members, i18n_pl: I18n  # type: ignore[no-untyped-def]
) -> None:
    until = datetime(2026, 6, 4, 12, 0, tzinfo=UTC)  # 13:00 in London, not quiet
    members("paused", paused_until=until, quiet=("21:00", "08:00"))
    fan_out(app.engine, draft(app), i18n_pl, clock=clock)
    assert outbox_by_chat(app)["paused"][0].not_before == until


def test_scheduled_send_waits_for_the_send_time_and_then_quiet_hours(
    app: BotApp, members, i18n_pl: I18n  # type: ignore[no-untyped-def]
) -> None:
    members("day")
    members("night", quiet=("21:00", "08:00"))
    send_at = datetime(2026, 6, 3, 12, 0, tzinfo=UTC)
    late = datetime(2026, 6, 3, 21, 0, tzinfo=UTC)  # 22:00 BST
    fan_out(app.engine, draft(app, send_at=send_at), i18n_pl, clock=clock)
    fan_out(app.engine, draft(app, send_at=late), i18n_pl, clock=clock)
    assert outbox_by_chat(app) == {}, "a scheduled update is not fanned out at confirm time"
    members("night2", quiet=("21:00", "08:00"))  # joins after confirming, before the time
    assert run_scheduled(app, send_at) == 1
    assert run_scheduled(app, late) == 1
    out = outbox_by_chat(app)
    assert out["day"][0].not_before == send_at and out["night"][0].not_before == send_at
    assert out["night2"][0].not_before == send_at
    assert out["night2"][1].not_before == datetime(2026, 6, 4, 7, 0, tzinfo=UTC)


def test_sending_twice_and_resuming_after_a_crash_queue_each_person_once(
    app: BotApp, members, i18n_pl: I18n  # type: ignore[no-untyped-def]
) -> None:
    for n in range(7):
        members(f"m{n}", language=("en", "cy", "pl")[n % 3])
    bid = draft(app)

    def crash(result) -> None:  # type: ignore[no-untyped-def]
        raise RuntimeError("killed after the first batch")

    with pytest.raises(RuntimeError):
        fan_out(app.engine, bid, i18n_pl, batch_size=3, clock=clock, after_batch=crash)
    assert len(recipients(app, bid)) == 3
    with Session(app.engine) as s:
        assert get_broadcast(s, bid).status == "sending"
    assert resume_unfinished(app.engine, i18n_pl, batch_size=3) == [bid]
    again = fan_out(app.engine, bid, i18n_pl, batch_size=3, clock=clock)
    assert (len(recipients(app, bid)), again.recipients) == (7, 0)
    out = outbox_by_chat(app)
    assert sorted(out) == [f"m{n}" for n in range(7)]
    assert all(len(rows) == 1 for rows in out.values())
    assert Counter(r.member_id for r in recipients(app, bid)).most_common(1)[0][1] == 1
    with Session(app.engine) as s:
        assert get_broadcast(s, bid).status == "queued"


def test_a_linked_member_gets_one_message_on_their_preferred_platform(
    app: BotApp, i18n_pl: I18n
) -> None:
    with Session(app.engine) as s:
        both = add_member(s, "tg-1", platform="telegram", preferred_platform="discord")
        blocked = add_member(s, "tg-2", platform="telegram", preferred_platform="discord")
        nowhere = add_member(s, "tg-3", platform="telegram")
        assert both.id is not None and blocked.id is not None
        s.add(Identity(member_id=both.id, platform="discord", user_id="dc-1", chat_id="dc-1"))
        s.add(Identity(member_id=blocked.id, platform="discord", user_id="dc-2",
                       chat_id="dc-2", unreachable=True))
        for identity in s.exec(select(Identity).where(Identity.member_id == nowhere.id)):
            identity.unreachable = True
            s.add(identity)
        s.commit()
    bid = draft(app)
    fan_out(app.engine, bid, i18n_pl, clock=clock)
    out = outbox_by_chat(app)
    assert {chat: [r.platform for r in rows] for chat, rows in out.items()} == {
        "dc-1": ["discord"], "tg-2": ["telegram"]}
    assert sorted(r.reason or "" for r in recipients(app, bid)) == [
        "", "", "no_reachable_account"]


def test_preview_counts_per_language_match_the_fan_out(
    app: BotApp, members, i18n_pl: I18n  # type: ignore[no-untyped-def]
) -> None:
    for n, lang in enumerate(["en", "en", "cy", "pl", "pl", "pl"]):
        members(f"m{n}", language=lang, quiet=("21:00", "08:00") if n % 2 else None)
    members("paused", language="cy", paused_until=NOW + timedelta(days=1))
    members("gone", language="en", status="left")
    bid = draft(app, kind="urgent")
    with Session(app.engine) as s:
        preview = build_preview(s, get_broadcast(s, bid), i18n_pl, now=NOW)
    assert preview.counts() == {"en": 2, "cy": 1, "pl": 3}
    assert preview.not_reached == 1 and preview.reasons == {"paused": 1}
    pl = next(p for p in preview.languages if p.language == "pl")
    assert pl.text.startswith(NOTE_PL) and not pl.translated
    fan_out(app.engine, bid, i18n_pl, clock=clock)
    queued = Counter(r.language for r in recipients(app, bid) if r.outbox_id is not None)
    assert dict(queued) == preview.counts()


def test_audiences_by_role_and_language(
    app: BotApp, members, i18n_pl: I18n  # type: ignore[no-untyped-def]
) -> None:
    members("coord", roles=("coordinator",))
    members("staff", roles=("staff",), language="cy")
    members("plain", language="pl")
    members("boss", roles=("admin",), language="cy")
    fan_out(app.engine, draft(app, audience=["role:coordinator", "language:pl"]), i18n_pl,
            clock=clock)
    # An admin counts as holding every role, as for feedback requests and permissions.
    assert sorted(outbox_by_chat(app)) == ["boss", "coord", "plain"]


def test_a_project_group_audience(app: BotApp, members, i18n_pl: I18n) -> None:  # type: ignore[no-untyped-def]
    inside, also, outside = members("in1"), members("in2", language="cy"), members("out")
    assert outside.id
    with Session(app.engine) as s:
        group = ProjectGroup(name="Riverside")
        s.add(group)
        s.flush()
        s.add_all([GroupMember(group_id=group.id, member_id=m.id) for m in (inside, also)])
        s.commit()
    bid = draft(app, audience=["group:Riverside"])
    with Session(app.engine) as s:
        assert build_preview(s, get_broadcast(s, bid), i18n_pl).counts() == {"en": 1, "cy": 1}
    fan_out(app.engine, bid, i18n_pl, clock=clock)
    assert sorted(outbox_by_chat(app)) == ["in1", "in2"]


def test_batch_pick_identities_agrees_with_pick_identity(app: BotApp) -> None:
    with Session(app.engine) as s:
        cases = []
        for n, (preferred, dc_unreachable, tg_unreachable) in enumerate([
            (None, False, False), ("discord", False, False), ("discord", True, False),
            ("telegram", False, True), ("discord", True, True),
        ]):
            m = add_member(s, f"tg-{n}", platform="telegram", preferred_platform=preferred)
            assert m.id is not None
            s.add(Identity(member_id=m.id, platform="discord", user_id=f"dc-{n}",
                           chat_id=f"dc-{n}", unreachable=dc_unreachable))
            for ident in s.exec(select(Identity).where(Identity.user_id == f"tg-{n}")):
                ident.unreachable = tg_unreachable
            s.flush()
            cases.append(m)
        found = reach.pick_identities(s, [m.id for m in cases if m.id])
        for m in cases:
            assert m.id is not None
            ours = found.get(m.id)
            theirs = reach.pick_identity(s, m.id)
            assert (ours.id if ours else None) == (theirs.id if theirs else None)
