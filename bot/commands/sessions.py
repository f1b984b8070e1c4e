"""`copro-bot sessions ...`: create, list, move and cancel sessions; fill project groups.

Uses the same service as the chat flow, so invites, reminders and change
notices behave the same; messages are queued and sent by the running bot.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlmodel import Session, col, select

from bot.commands import row_id
from bot.config import Settings


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("sessions", help="plan sessions and project groups")
    sub = parser.add_subparsers(dest="sessions_command", required=True)

    create = sub.add_parser("create", help="create a session and invite its group")
    create.add_argument("--title", required=True)
    create.add_argument("--at", required=True, help='local date and time, "2026-12-01 18:00"')
    create.add_argument("--tz", default=None, help="time zone of --at (default: DEFAULT_TIMEZONE)")
    where = create.add_mutually_exclusive_group(required=True)
    where.add_argument("--online", metavar="URL")
    where.add_argument("--place")
    create.add_argument("--access", default=None, help="access information for in person")
    create.add_argument("--prepare", default=None)
    create.add_argument("--group", default=None, help="project group name (default: everyone)")
    create.set_defaults(func=cmd_create)

    sub.add_parser("list", help="upcoming sessions").set_defaults(func=cmd_list)
    cancel = sub.add_parser("cancel", help="cancel a session and tell everyone who answered")
    cancel.add_argument("id", type=row_id)
    cancel.set_defaults(func=cmd_cancel)
    move = sub.add_parser("move", help="move a session and tell everyone who answered")
    move.add_argument("id", type=row_id)
    move.add_argument("--at", required=True)
    move.add_argument("--tz", default=None)
    move.set_defaults(func=cmd_move)
    add = sub.add_parser("group-add", help="add people to a project group")
    add.add_argument("group")
    add.add_argument("who", nargs="+", help="PLATFORM:USER_ID")
    add.set_defaults(func=cmd_group_add)
    came = sub.add_parser("attendance", help="save who came to a session that has started")
    came.add_argument("id", type=row_id)
    came.add_argument("--came", nargs="*", default=[], metavar="PLATFORM:USER_ID",
                      help="who came; everyone else invited is saved as not come")
    came.set_defaults(func=cmd_attendance)


@contextmanager
def _db(settings: Settings) -> Iterator[tuple[Session, Any]]:
    from bot.i18n import I18n
    from bot.storage import load_all_models
    from bot.storage.db import make_engine, transaction

    load_all_models()
    engine = make_engine(settings.database_url)
    i18n = I18n(settings.locales_dir, settings.languages, settings.default_language)
    try:
        with transaction(engine) as session:
            yield session, i18n
    finally:
        engine.dispose()


def _when(settings: Settings, at: str, tz: str | None) -> Any:
    from bot.services.sessions import parse_when

    starts = parse_when(at, tz or settings.default_timezone)
    if starts is None:
        raise ValueError('give --at as "YYYY-MM-DD HH:MM", for example "2026-12-01 18:00"')
    return starts


def cmd_create(settings: Settings, args: argparse.Namespace) -> int:
    from bot.services.sessions import create_session, ensure_group

    starts = _when(settings, args.at, args.tz)
    with _db(settings) as (session, i18n):
        group_id = ensure_group(session, args.group).id if args.group else None
        gs, invited = create_session(
            session, i18n, title=args.title, starts_at=starts,
            timezone=args.tz or settings.default_timezone,
            mode="online" if args.online else "in_person", link=args.online, place=args.place,
            access_info=args.access, prepare=args.prepare, group_id=group_id)
        print(f"Session {gs.id} created for {starts.isoformat()} (UTC); {invited} invites queued.")
    return 0


def cmd_list(settings: Settings, args: argparse.Namespace) -> int:
    from bot.storage.models import utcnow
    from bot.storage.session_models import GroupSession, ProjectGroup, SessionRsvp

    with _db(settings) as (session, _i18n):
        upcoming = session.exec(select(GroupSession).where(
            GroupSession.status == "scheduled", col(GroupSession.starts_at) > utcnow())
            .order_by(col(GroupSession.starts_at))).all()
        for gs in upcoming:
            answers = session.exec(select(SessionRsvp.answer).where(
                SessionRsvp.session_id == gs.id)).all()
            group = session.get(ProjectGroup, gs.group_id) if gs.group_id else None
            counts = ", ".join(f"{a}={answers.count(a)}" for a in ("going", "maybe", "cant"))
            print(f"{gs.id}\t{gs.starts_at.isoformat()}\t{group.name if group else 'everyone'}"
                  f"\t{gs.title}\t{counts}")
    return 0


def cmd_cancel(settings: Settings, args: argparse.Namespace) -> int:
    from bot.services.sessions import cancel_session
    from bot.storage.session_models import GroupSession

    with _db(settings) as (session, i18n):
        gs = session.get(GroupSession, args.id)
        if gs is None or gs.status != "scheduled":
            raise LookupError(f"no scheduled session {args.id}")
        print(f"Session {gs.id} cancelled; {cancel_session(session, i18n, gs)} people told.")
    return 0


def cmd_move(settings: Settings, args: argparse.Namespace) -> int:
    from bot.services.sessions import move_session
    from bot.storage.session_models import GroupSession

    starts = _when(settings, args.at, args.tz)
    with _db(settings) as (session, i18n):
        gs = session.get(GroupSession, args.id)
        if gs is None:
            raise LookupError(f"no session {args.id}")
        told = move_session(session, settings, i18n, gs, starts)
        print(f"Session {gs.id} moved to {starts.isoformat()} (UTC); {told} people told.")
    return 0


def cmd_group_add(settings: Settings, args: argparse.Namespace) -> int:
    from bot.core.members import find_identity
    from bot.services.sessions import add_to_group, ensure_group

    with _db(settings) as (session, _i18n):
        group = ensure_group(session, args.group)
        for who in args.who:
            platform, _sep, user_id = who.partition(":")
            identity = find_identity(session, platform, user_id)
            if identity is None:
                raise LookupError(f"nobody is known as {who}")
            added = add_to_group(session, group, identity.member_id)
            print(f"{who}: {'added to' if added else 'already in'} {group.name}")
    return 0


def cmd_attendance(settings: Settings, args: argparse.Namespace) -> int:
    from bot.core.members import find_identity
    from bot.services import attendance
    from bot.storage.models import utcnow
    from bot.storage.session_models import GroupSession
    from bot.web.dashboard import audit

    with _db(settings) as (session, _i18n):
        gs = session.get(GroupSession, args.id)
        if gs is None:
            raise LookupError(f"no session {args.id}")
        came = []
        for who in args.came:
            platform, _sep, user_id = who.partition(":")
            identity = find_identity(session, platform, user_id)
            if identity is None:
                raise LookupError(f"nobody is known as {who}")
            came.append(identity.member_id)
        saved = attendance.record(session, gs, came, None, utcnow())
        audit.record(session, None, "change", "session_attendance", gs.id, came=saved.came,
                     marked=saved.marked, changed=saved.changed, via="cli")
        print(f"Session {gs.id}: {saved.came} of {saved.marked} came.")
    return 0
