"""Payments: the queues (approve, pay, confirm, problems), a member's ledger, days to pay.

Approving and marking paid go through `bot.payments.service`, so the
two-person rule, idempotency and the append-only ledger hold here too, and
`bot.payments.notify.after_paid` sends the member the breakdown. Only the
finance role itself may move money, even for admins.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from starlette.responses import Response

from bot.core.text import parse_id
from bot.storage.models import Member
from bot.web.dashboard.config import FINANCE_ONLY
from bot.web.dashboard.feature_metrics import last_status
from bot.web.dashboard.features import optional
from bot.web.dashboard.web import PageError, WebContext

QUEUES = ("recorded", "approved", "paid", "problem")


def _modules() -> dict[str, Any] | None:
    names = {"models": "bot.storage.payment_models", "ledger": "bot.payments.ledger",
             "service": "bot.payments.service", "notify": "bot.payments.notify",
             "report": "bot.payments.report"}
    found = {key: optional(module) for key, module in names.items()}
    return None if any(m is None for m in found.values()) else found


def _in_status(mods: dict[str, Any], status: str) -> Any:
    """Payments whose latest status-changing event puts them in `status`, in SQL."""
    payment, ledger = mods["models"].Payment, mods["ledger"]
    kinds = [k for k, v in ledger.STATUS_AFTER.items() if v == status]
    latest = last_status(mods["models"], ledger)
    return (select(payment).join(latest, latest.c.payment_id == col(payment.id))
            .where(latest.c.kind.in_(kinds)))


def payments_page(ctx: WebContext) -> Response:
    mods = _modules()
    if mods is None:
        return ctx.render("not_ready.html", title_key="payments")
    payment = mods["models"].Payment
    member_id = parse_id(ctx.arg("member"))
    queue = ctx.arg("queue") if ctx.arg("queue") in QUEUES else "recorded"
    page = parse_id(ctx.arg("page")) or 1
    size = ctx.cfg.page_size
    if member_id is not None:
        query = select(payment).where(col(payment.member_id) == member_id)
    else:
        query = _in_status(mods, queue)
    found = list(ctx.db.exec(query.order_by(col(payment.activity_date), col(payment.id))
                             .offset((page - 1) * size).limit(size + 1)).all())
    states = mods["ledger"].load_states(ctx.db, found[:size])
    ids = {s.payment.member_id for s in states if s.payment.member_id}
    names = dict(ctx.db.exec(select(Member.id, Member.display_name)
                             .where(col(Member.id).in_(ids))).all()) if ids else {}
    latest = last_status(mods["models"], mods["ledger"])
    counts = {mods["ledger"].STATUS_AFTER.get(kind, kind): n for kind, n in ctx.db.exec(
        select(latest.c.kind, func.count()).group_by(latest.c.kind)).all()}
    ctx.audit("view", "payment_list", None, subject_id=member_id, count=len(states), page=page)
    return ctx.render(
        "payments.html", states=states, names=names, queue=queue, queues=QUEUES, counts=counts,
        member_id=member_id, page=page, has_more=len(found) > size,
        query={"queue": queue, "member": member_id or ""}, finance=bool(ctx.roles & FINANCE_ONLY),
        today=ctx.cfg.now().date().isoformat(), notice=ctx.arg("done"),
        days=lambda s: mods["report"].days_to_paid(s))


def payment_change(ctx: WebContext) -> Response:
    mods = _modules()
    if mods is None:
        raise PageError(404)
    if not ctx.roles & FINANCE_ONLY:
        raise PageError(403, "role")
    payment_id = int(ctx.request.path_params["payment_id"])
    if ctx.db.get(mods["models"].Payment, payment_id) is None:
        raise PageError(404)
    actor = mods["ledger"].Actor(kind="member", member_id=ctx.actor_id, roles=ctx.roles)
    now, op, service = ctx.cfg.now(), ctx.field("op"), mods["service"]
    try:
        if op == "approve":
            outcome = service.approve_payment(ctx.db, payment_id, actor, now)
        elif op == "paid":
            paid_on = date.fromisoformat(ctx.field("paid_on") or now.date().isoformat())
            outcome = service.mark_paid(ctx.db, payment_id, actor, now,
                                        reference=ctx.field("reference"), paid_on=paid_on)
            if outcome.ok and outcome.state is not None:
                mods["notify"].after_paid(ctx.db, ctx.dash.bot_app.i18n,
                                          ctx.dash.bot_app.settings, outcome.state, now)
        else:
            raise PageError(400)
    except ValueError:
        return ctx.redirect("payments", {"done": "problem"})
    done = "saved" if outcome.ok else outcome.reason
    if outcome.ok:
        subject = outcome.state.payment.member_id if outcome.state else None
        ctx.audit("change", "payment", payment_id, subject_id=subject, op=op)
    return ctx.redirect("payments", {"queue": ctx.field("queue"), "done": done})
