"""`copro-bot feedback ...`: create and send requests, see results, answer items.

Everything here goes through `bot.feedback`, the same services the chat and
the dashboard use, so the rules (anonymity, groups of 5, quiet hours) hold.
Messages to members are written to the outbox; the running bot delivers them.
"""

from __future__ import annotations

import argparse
from argparse import Namespace
from collections.abc import Iterable
from typing import Any

from sqlmodel import Session

from bot.commands import big_row_id, row_id
from bot.config import Settings

KINDS = ("choice", "rating", "text", "rating_comment")


def exporter(session: Session, filters: Namespace | None) -> tuple[list[str], Iterable[dict]]:
    """`copro-bot export feedback`, with --from --to --request --session --tag --status."""
    from bot.feedback.export import exporter as build

    return build(session, filters)


EXPORTS = {"feedback": exporter}


def register(subparsers: Any) -> None:
    fb = subparsers.add_parser("feedback", help="feedback requests, results and answers")
    sub = fb.add_subparsers(dest="feedback_command", required=True)

    create = sub.add_parser("create", help="create a draft feedback request")
    create.add_argument("--kind", choices=KINDS, required=True,
                        help="choice (one tap, 2-6 options), rating (1-5), text, rating_comment")
    create.add_argument("--question", required=True)
    create.add_argument("--option", action="append", default=[], help="repeat for each option")
    create.add_argument("--anonymous", action="store_true", help="answers are anonymous")
    create.add_argument("--session", type=row_id, help="the session it is about")
    create.add_argument("--project", type=row_id, help="the project group it is about")
    create.add_argument("--auto-send", action="store_true",
                        help="send to attendees by itself after the session")

    send = sub.add_parser("send", help="send a request to an audience")
    send.add_argument("id", type=row_id)
    send.add_argument("--audience", required=True,
                      help="everyone, role:NAME, language:CODE or group:ID")

    for name, text in (("close", "stop taking answers"), ("results", "show the results")):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("id", type=row_id)

    tag = sub.add_parser("tag", help="tag a feedback item")
    tag.add_argument("item", type=big_row_id)
    tag.add_argument("tags", nargs="+")
    tag.add_argument("--remove", action="store_true")

    status = sub.add_parser("status", help="set status: new, seen, did, couldnt")
    status.add_argument("item", type=big_row_id)
    status.add_argument("status")
    status.add_argument("--reason", help="needed for couldnt: why it couldn't be done")

    respond = sub.add_parser("respond", help="write a short public response")
    respond.add_argument("item", type=big_row_id)
    respond.add_argument("text")
    fb.set_defaults(func=run)


def run(settings: Settings, args: argparse.Namespace) -> int:
    from bot.feedback import min_group
    from bot.feedback import requests as req
    from bot.feedback.results import request_results, results_text
    from bot.feedback.review import answer_item, get_item, tag_item
    from bot.i18n import I18n
    from bot.storage import load_all_models
    from bot.storage.db import make_engine, transaction
    from bot.storage.models import utcnow

    load_all_models()
    engine = make_engine(settings.database_url)
    i18n = I18n(settings.locales_dir, settings.languages, settings.default_language)
    group = min_group(settings)
    command = args.feedback_command
    with transaction(engine) as session:
        if command == "create":
            request = req.create_request(
                session, args.kind, args.question, args.option, anonymous=args.anonymous,
                session_id=args.session, project_id=args.project, auto_send=args.auto_send)
            print(f"Created feedback request {request.id} (draft).")
        elif command == "send":
            request = req.get_request(session, args.id)
            members = req.audience_members(session, args.audience)
            count = req.send_request(session, request, members, i18n, settings)
            print(f"Feedback request {request.id} queued for {count} members.")
        elif command == "close":
            req.close_request(session, req.get_request(session, args.id))
            print(f"Feedback request {args.id} is closed.")
        elif command == "results":
            request = req.get_request(session, args.id)
            print(results_text(i18n.translator(settings.default_language),
                               request_results(session, request, group), group))
        elif command == "tag":
            tags = tag_item(session, get_item(session, args.item, group), args.tags,
                            remove=args.remove)
            print(f"Feedback {args.item} tags: {' '.join(tags) or '-'}")
        else:
            item = get_item(session, args.item, group)
            changes = ({"response": args.text} if command == "respond"
                       else {"status": args.status, "reason": args.reason})
            told = answer_item(session, item, None, utcnow(), i18n, **changes)
            print(f"Feedback {args.item} is now {item.status}."
                  + (" The author will get a message." if told else ""))
    engine.dispose()
    return 0
