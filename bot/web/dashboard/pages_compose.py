"""Writing an update on the web: compose, preview per language, send or schedule, cancel.

It uses the same pieces as the chat flow and the CLI: the `bot.broadcasts.spec`
checks build a `BroadcastSpec`, `create_draft` stores it, `build_preview` counts
who gets which text, and the fan-out queues it. A draft is private to the
person who wrote it (and admins), as in the chat. Confirming moves the draft
to `sending` (or `scheduled`, when its send time is ahead; the scheduler fans
it out when due) in the page's transaction, then the fan-out runs after the
response; if the process dies first, the scheduler's `unfinished_broadcasts`
job finishes it, so the live report on the update's page always fills in.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine
from starlette.background import BackgroundTask
from starlette.responses import RedirectResponse, Response

from bot.broadcasts import BroadcastError, build_preview, cancel, create_draft, fan_out
from bot.broadcasts.audience import group_names
from bot.broadcasts.fanout import batch_size_from, start_sending
from bot.broadcasts.spec import BODY_MAX, KINDS, TITLE_MAX, BroadcastSpec, check_send_at
from bot.broadcasts.tomlfile import spec_from_dict
from bot.core.logsafe import log_failure
from bot.i18n import I18n, language_name
from bot.storage.broadcast_models import Broadcast
from bot.storage.models import ROLES
from bot.web.dashboard.web import PageError, WebContext, secure

log = logging.getLogger(__name__)
# Which form problem to explain; the spec's own message is English-only detail.
PROBLEMS = ("no_text", "half_text", "no_audience", "bad_time", "past_time", "other")


class _FormError(Exception):
    """A form problem to explain; `detail` is the spec's English-only message."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code)
        self.code, self.detail = code, detail


def _languages(ctx: WebContext) -> list[str]:
    return list(ctx.dash.bot_app.settings.languages)


def _form_values(ctx: WebContext) -> dict[str, Any]:
    """What was typed, to show the form again after a problem."""
    form = ctx.form
    audience = [str(v) for v in form.getlist("audience")] if form is not None else []
    texts = {lang: {"title": ctx.field(f"title_{lang}"), "body": ctx.field(f"body_{lang}")}
             for lang in _languages(ctx)}
    return {"kind": ctx.field("kind") or KINDS[0], "audience": audience, "texts": texts,
            "send_at": ctx.field("send_at")}


def compose_form(ctx: WebContext, values: dict[str, Any] | None = None, problem: str = "",
                 detail: str = "", status: int = 200) -> Response:
    languages = _languages(ctx)
    values = values or {"kind": KINDS[0], "audience": [], "send_at": "",
                        "texts": {lang: {"title": "", "body": ""} for lang in languages}}
    return ctx.render(
        "compose.html", status=status, values=values, kinds=KINDS, languages=languages,
        language_name=language_name, roles=[r for r in ROLES if r != "member"],
        groups=[name for _id, name in group_names(ctx.db)], problem=problem, detail=detail,
        title_max=TITLE_MAX, body_max=BODY_MAX, timezone=ctx.member.timezone
        if ctx.member else "UTC")


def compose_page(ctx: WebContext) -> Response:
    return compose_form(ctx)


def _spec(ctx: WebContext, values: dict[str, Any]) -> BroadcastSpec:
    """Check the form with the TOML file's checks; the send time first, to say which problem."""
    languages = _languages(ctx)
    texts = {lang: t for lang, t in values["texts"].items() if t["title"] or t["body"]}
    if not texts:
        raise _FormError("no_text")
    if any(not t["title"] or not t["body"] for t in texts.values()):
        raise _FormError("half_text")
    if not values["audience"]:
        raise _FormError("no_audience")
    zone_name = ctx.member.timezone if ctx.member else "UTC"
    try:
        send_at = check_send_at(values["send_at"] or None, zone_name, now=ctx.cfg.now())
    except BroadcastError as exc:
        raise _FormError("past_time" if "past" in str(exc) else "bad_time", str(exc)) from None
    try:
        spec = spec_from_dict({"kind": values["kind"], "text": texts,
                               "audience": values["audience"]}, languages=languages,
                              default_language=ctx.dash.bot_app.settings.default_language,
                              timezone=zone_name)
    except BroadcastError as exc:
        raise _FormError("other", str(exc)) from None
    return replace(spec, send_at=send_at, created_by=ctx.actor_id)


def compose_post(ctx: WebContext) -> Response:
    values = _form_values(ctx)
    try:
        spec = _spec(ctx, values)
        draft = create_draft(ctx.db, spec)
    except _FormError as problem:
        return compose_form(ctx, values, problem.code, problem.detail, status=400)
    except BroadcastError as exc:  # e.g. a project group that no longer exists
        return compose_form(ctx, values, "other", str(exc), status=400)
    ctx.audit("change", "broadcast", draft.id, op="draft", kind=draft.kind,
              languages=sorted(draft.texts), audience=list(draft.audience))
    return ctx.redirect("broadcast", broadcast_id=draft.id)


def may_see(ctx: WebContext, broadcast: Broadcast) -> bool:
    """A draft belongs to its writer (and admins); anything confirmed is shared."""
    return (broadcast.status != "draft" or broadcast.created_by == ctx.actor_id
            or "admin" in ctx.roles)


def may_change(ctx: WebContext, broadcast: Broadcast) -> bool:
    return broadcast.created_by == ctx.actor_id or "admin" in ctx.roles


def draft_view(ctx: WebContext, broadcast: Broadcast) -> Response:
    """The preview: each language's exact text and how many people get it."""
    preview = build_preview(ctx.db, broadcast, ctx.dash.bot_app.i18n, now=ctx.cfg.now())
    return ctx.render("broadcast_draft.html", broadcast=broadcast, preview=preview,
                      language_name=language_name, mine=may_change(ctx, broadcast),
                      notice=ctx.arg("done"))


def broadcast_change(ctx: WebContext) -> Response:
    broadcast = ctx.db.get(Broadcast, int(ctx.request.path_params["broadcast_id"]))
    if broadcast is None or not may_see(ctx, broadcast):
        raise PageError(404)
    if not may_change(ctx, broadcast):
        raise PageError(403, "role")
    op, now = ctx.field("op"), ctx.cfg.now()
    if op == "send":
        if broadcast.status != "draft":
            return ctx.redirect("broadcast", {"done": "already"}, broadcast_id=broadcast.id)
        now_or_later = start_sending(broadcast, now)  # a future send time: `scheduled`
        ctx.db.add(broadcast)
        ctx.audit("change", "broadcast", broadcast.id, op="send", status=broadcast.status)
        if not now_or_later:
            return ctx.redirect("broadcast", {"done": "scheduled"}, broadcast_id=broadcast.id)
        return _then_fan_out(ctx, broadcast)
    if op == "cancel":
        if broadcast.status == "cancelled":
            return ctx.redirect("broadcast", {"done": "already"}, broadcast_id=broadcast.id)
        held = cancel(ctx.db, broadcast)
        ctx.audit("change", "broadcast", broadcast.id, op="cancel", held_back=held)
        return ctx.redirect("broadcast", {"done": "cancelled"}, broadcast_id=broadcast.id)
    raise PageError(400)


def _then_fan_out(ctx: WebContext, broadcast: Broadcast) -> Response:
    """Redirect to the live report; queue the rows after the response has gone."""
    app = ctx.dash.bot_app
    assert broadcast.id is not None
    task = BackgroundTask(_fan_out_safely, app.engine, broadcast.id, app.i18n,
                          batch_size_from(app.settings), ctx.cfg.clock)
    return secure(RedirectResponse(ctx.url("broadcast", broadcast_id=broadcast.id),
                                   status_code=303, background=task))


def _fan_out_safely(engine: Engine, broadcast_id: int, i18n: I18n, batch_size: int,
                    clock: Callable[[], datetime]) -> None:
    """A failure here is logged; the scheduler resumes any fan-out left `sending`."""
    try:
        fan_out(engine, broadcast_id, i18n, batch_size=batch_size, clock=clock)
    except Exception as exc:
        log_failure(log, f"fan-out of update {broadcast_id} stopped", exc)
