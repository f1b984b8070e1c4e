"""`copro-bot dashboard set-password|login-link` and, unless a web command exists, `copro-bot web`.

Passwords are read from the terminal (or standard input), never from the
command line, where other users and the shell history could see them.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from sqlmodel import Session

from bot.config import Settings
from bot.core.members import find_identity
from bot.storage import load_all_models
from bot.storage.db import make_engine
from bot.storage.models import utcnow


def register(sub: Any) -> None:
    dash = sub.add_parser("dashboard", help="staff dashboard accounts")
    dash_sub = dash.add_subparsers(dest="dashboard_command", required=True)
    password = dash_sub.add_parser(
        "set-password", help="set a dashboard password (read from the terminal or stdin)")
    password.add_argument("who", help="PLATFORM:USER_ID of a staff member, e.g. telegram:12345")
    password.add_argument("--username", help="the name to log in with (default: PLATFORM:USER_ID)")
    password.set_defaults(func=cmd_set_password)
    link = dash_sub.add_parser("login-link", help="print a one-time login link (10 minutes)")
    link.add_argument("who", help="PLATFORM:USER_ID of a staff member")
    link.set_defaults(func=cmd_login_link)


def _staff_member(session: Session, who: str) -> int:
    from bot.web.dashboard.auth import dashboard_roles

    platform, sep, user_id = who.partition(":")
    if not sep or not platform or not user_id:
        raise ValueError("give the person as PLATFORM:USER_ID, for example telegram:12345")
    identity = find_identity(session, platform, user_id)
    if identity is None:
        raise LookupError(f"nobody is known as {who}")
    if not dashboard_roles(session, identity.member_id):
        raise ValueError("that person has no staff role; grant one first with `roles grant`")
    return identity.member_id


def read_password() -> str:
    """Ask twice on a terminal; read one line from a pipe (for scripts)."""
    if sys.stdin.isatty():
        first = getpass.getpass("New dashboard password: ")
        if getpass.getpass("Same password again: ") != first:
            raise ValueError("the two passwords were different")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def cmd_set_password(settings: Settings, args: argparse.Namespace) -> int:
    from bot.web.dashboard import audit, auth

    load_all_models()
    engine = make_engine(settings.database_url)
    with Session(engine) as session:
        member_id = _staff_member(session, args.who)
        auth.set_password(session, member_id, args.username or args.who, read_password(),
                          utcnow())
        audit.record(session, None, "change", "password", member_id, subject_id=member_id)
        session.commit()
    print(f"Password set for member {member_id}. They log in as {args.username or args.who}.")
    return 0


def cmd_login_link(settings: Settings, args: argparse.Namespace) -> int:
    from bot.web.dashboard import audit, auth
    from bot.web.dashboard.config import login_url

    load_all_models()
    engine = make_engine(settings.database_url)
    with Session(engine) as session:
        member_id = _staff_member(session, args.who)
        token = auth.create_login_token(session, member_id, utcnow())
        audit.record(session, None, "change", "login_link", member_id, subject_id=member_id)
        session.commit()
    print(login_url(settings, token))
    return 0


