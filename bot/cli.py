"""The `copro-bot` command line: run the bot, migrate, grant roles, export."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence

from bot.commands import feature_modules
from bot.config import Settings, get_settings
from bot.storage.models import ROLES


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="copro-bot", description=__doc__)
    sub = parser.add_subparsers(dest="command")

    run = sub.add_parser("run", help="run the bot (console when no platform token is set)")
    run.add_argument("--platform", choices=["auto", "console", "telegram", "discord", "all"],
                     default="auto")
    run.add_argument("--as", dest="as_user", default="you",
                     help="console: act as this member (one person can play several)")
    run.add_argument("--role", choices=ROLES, action="append", default=[],
                     help="console: take this role locally, e.g. coordinator")
    run.add_argument("--web", action="store_true",
                     help="also serve the web app (dashboard, /healthz, Telegram webhook)")

    db = sub.add_parser("db", help="database migrations")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="upgrade to the latest schema")
    down = db_sub.add_parser("downgrade", help="downgrade to a revision")
    down.add_argument("revision", nargs="?", default="base")

    roles = sub.add_parser("roles", help="grant or revoke roles")
    roles_sub = roles.add_subparsers(dest="roles_command", required=True)
    for name in ("grant", "revoke"):
        cmd = roles_sub.add_parser(name)
        cmd.add_argument("who", help="PLATFORM:USER_ID, e.g. telegram:12345")
        cmd.add_argument("role", choices=ROLES)
    roles_sub.add_parser("list")

    export = sub.add_parser("export", help="export records for staff")
    export.add_argument("what", choices=sorted(exporters()))
    export.add_argument("--format", choices=["csv", "json"], default="csv")
    export.add_argument("--output", "-o", default="-", help="file path, or - for stdout")
    add_filters(export)
    for module in feature_modules():
        if hasattr(module, "register"):
            module.register(sub)
    return parser


def add_filters(export: argparse.ArgumentParser) -> None:
    """Filters an export may honour; each exporter reads the ones it knows."""
    export.add_argument("--from", dest="date_from", help="first date, YYYY-MM-DD")
    export.add_argument("--to", dest="date_to", help="last date, YYYY-MM-DD")
    for name in ("request", "session", "tag", "status"):
        export.add_argument(f"--{name}")


def exporters() -> dict[str, object]:
    from bot.export import EXPORTERS

    found: dict[str, object] = dict(EXPORTERS)
    for module in feature_modules():
        found.update(getattr(module, "EXPORTS", {}))
    return found


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = get_settings()
    logging.basicConfig(level=settings.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    command = args.command or "run"
    if command == "run" and args.command is None:
        args = build_parser().parse_args(["run"])
    try:
        if command not in ("db", "run"):
            upgrade_quietly(settings)  # a fresh install just works, for every command
        func = COMMANDS.get(command) or args.func
        return int(func(settings, args))
    except (ValueError, LookupError) as exc:
        print(f"copro-bot: {exc}", file=sys.stderr)
        return 2


def upgrade_quietly(settings: Settings) -> None:
    from bot.storage import migrate
    from bot.storage.db import make_engine

    engine = make_engine(settings.database_url)
    try:
        migrate.upgrade(engine)
    finally:
        engine.dispose()


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    from bot.runner import run

    return asyncio.run(run(settings, args.platform, args.as_user, args.role, web=args.web))


def cmd_db(settings: Settings, args: argparse.Namespace) -> int:
    from bot.storage import migrate
    from bot.storage.db import make_engine

    engine = make_engine(settings.database_url)
    if args.db_command == "upgrade":
        migrate.upgrade(engine)
        print("Database is up to date.")
    else:
        migrate.downgrade(engine, args.revision)
        print(f"Database downgraded to {args.revision}.")
    return 0


def cmd_roles(settings: Settings, args: argparse.Namespace) -> int:
    from bot.admin import list_roles, set_role

    if args.roles_command == "list":
        for line in list_roles(settings):
            print(line)
        return 0
    platform, sep, user_id = args.who.partition(":")
    if not sep or not platform or not user_id:
        raise ValueError("give the person as PLATFORM:USER_ID, for example telegram:12345")
    print(set_role(settings, platform, user_id, args.role, grant=args.roles_command == "grant"))
    return 0


def cmd_export(settings: Settings, args: argparse.Namespace) -> int:
    from bot.export import export

    exporter = exporters()[args.what]
    if args.output == "-":
        export(settings, exporter, args, sys.stdout)
    else:
        with open(args.output, "w", encoding="utf-8", newline="") as fh:
            export(settings, exporter, args, fh)
    return 0


COMMANDS = {"run": cmd_run, "db": cmd_db, "roles": cmd_roles, "export": cmd_export}

if __name__ == "__main__":
    sys.exit(main())
