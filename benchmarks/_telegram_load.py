"""The inbound workload: who sends what, and in which order.

Three kinds of people write to the bot, as in a real group:

* newcomers going through /start (language, consent, then skipping two questions);
* members answering a check-in they were sent (a mood tap, then "no note");
* members giving feedback (/feedback, "with my name", then their words).

Button presses carry the action ids the handlers really offer, so the
dispatcher's "was this offered?" check passes and the real handlers run. Check-in
members are seeded with a sent check-in (and the outbox row that offered its
buttons), exactly as the scheduler leaves them.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from bot.i18n import I18n
from bot.services.checkins import checkin_prompt
from bot.storage.checkin_models import Checkin
from bot.storage.models import Identity, Member, OutboxMessage, utcnow

ONBOARDING = ("/start", "@onb:language:pick:en", "@onb:consent:pick:yes", "@onb:name:skip",
              "@onb:pronouns:skip")
FEEDBACK = ("/feedback", "@fb:new:named", "The room was cold, and the bus was late again.")
CHECKIN = ("@checkin:mood:{checkin}:4", "@checkin:nonote:{checkin}")
# Per 10 people: 4 newcomers, 3 check-ins, 3 feedback givers (35 updates).
KINDS = ("onboarding",) * 4 + ("checkin",) * 3 + ("feedback",) * 3


@dataclass(frozen=True)
class Step:
    """One update to send: text (or a command), or a button press when `press`."""

    user: int
    text: str
    press: bool
    kind: str


def scripts_for(users: list[int], checkins: dict[int, int]) -> list[list[Step]]:
    """Each user's steps in order; `checkins` maps check-in users to their check-in id."""
    out = []
    for user, kind in zip(users, itertools.cycle(KINDS), strict=False):
        if kind == "checkin" and user not in checkins:
            kind = "feedback"
        steps = {"onboarding": ONBOARDING, "feedback": FEEDBACK, "checkin": CHECKIN}[kind]
        out.append([Step(user, s.lstrip("@").format(checkin=checkins.get(user)),
                         s.startswith("@"), kind) for s in steps])
    return out


def interleave(scripts: list[list[Step]]) -> list[Step]:
    """Round robin over the users, so one person's steps are spread out in time
    (as a person reads and taps) while their order is kept."""
    order: list[Step] = []
    for layer in itertools.zip_longest(*scripts):
        order.extend(s for s in layer if s is not None)
    return order


def user_ids(start: int, count: int) -> list[int]:
    return list(range(start, start + count))


def checkin_users(users: list[int]) -> list[int]:
    return [u for u, kind in zip(users, itertools.cycle(KINDS), strict=False) if kind == "checkin"]


def seed_checkins(engine: Engine, i18n: I18n, users: list[int]) -> dict[int, int]:
    """Members who were just sent a check-in; returns {telegram user id: check-in id}."""
    if not users:
        return {}
    now = utcnow()
    with Session(engine) as s:
        members = s.execute(
            sa.insert(Member).returning(col(Member.id), sort_by_parameter_order=True),
            [{"language": "en", "timezone": "UTC", "status": "active", "quiet_start": None,
              "quiet_end": None, "created_at": now} for _ in users]).scalars().all()
        s.execute(sa.insert(Identity), [
            {"member_id": m, "platform": "telegram", "user_id": str(u), "chat_id": str(u),
             "unreachable": False, "created_at": now} for m, u in zip(members, users, strict=True)])
        checkins = s.execute(
            sa.insert(Checkin).returning(col(Checkin.id), sort_by_parameter_order=True),
            [{"member_id": m, "due_at": now, "send_at": now, "status": "sent", "sent_at": now,
              "late": False, "created_at": now} for m in members]).scalars().all()
        t = i18n.translator("en")
        s.execute(sa.insert(OutboxMessage), [
            {"member_id": m, "platform": "telegram", "chat_id": str(u), "status": "sent",
             "payload": checkin_prompt(t, c, False).to_dict(), "attempts": 1,
             "not_before": now, "created_at": now, "sent_at": now}
            for m, u, c in zip(members, users, checkins, strict=True)])
        s.commit()
    return dict(zip(users, checkins, strict=True))


def workload(engine: Engine, i18n: I18n, first_user: int, people: int) -> list[Step]:
    """`people` users' steps, interleaved, with the check-in users seeded."""
    users = user_ids(first_user, people)
    checkins = seed_checkins(engine, i18n, checkin_users(users))
    return interleave(scripts_for(users, checkins))


def echo_workload(first_user: int, people: int, updates: int) -> Iterator[Step]:
    """The bare bot's load: the same number of people and updates, all plain text."""
    users = itertools.cycle(user_ids(first_user, people))
    for n in range(updates):
        yield Step(next(users), f"echo {first_user} {n}", False, "echo")
