"""The feedback log: filter, tag, set status, answer (closing the loop), export CSV.

Changes go through `bot.feedback.review`, the same rules as the chat and the
CLI, so answering an item here tells its named author through the outbox.
Anonymous answers held back (fewer than the minimum group) are never listed.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator
from datetime import date
from typing import Any
from urllib.parse import parse_qsl, urlencode

from sqlalchemy import String, and_, cast, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Session, col, select
from starlette.responses import Response, StreamingResponse

from bot.core.text import parse_id
from bot.storage.models import Member
from bot.web.dashboard.features import optional
from bot.web.dashboard.web import PageError, WebContext, secure

FILTERS = ("date_from", "date_to", "request", "session", "project", "tag", "status", "q")
CSV_COLUMNS = ["item_id", "date", "request", "session", "project", "kind", "rating", "choice",
               "tags", "status", "status_reason", "public_response", "anonymous", "member_id",
               "text"]

# The item fields `_csv_row` reads.
ROW_FIELDS = ("id", "given_on", "request_id", "session_id", "project_id", "kind", "rating",
              "choice", "tags", "status", "status_reason", "public_response", "anonymous",
              "member_id", "text")


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _query(ctx: WebContext, review: Any, model: Any, group: int) -> Any:
    """The filtered SELECT, in SQL so the first page stays fast on a million rows."""
    query = select(model)
    if (first := _date(ctx.arg("date_from"))) is not None:
        query = query.where(col(model.given_on) >= first)
    if (last := _date(ctx.arg("date_to"))) is not None:
        query = query.where(col(model.given_on) <= last)
    for name, column in (("request", model.request_id), ("session", model.session_id),
                         ("project", model.project_id)):
        if (number := parse_id(ctx.arg(name))) is not None:
            query = query.where(col(column) == number)
    if ctx.arg("status"):
        try:
            query = query.where(col(model.status) == review.parse_status(ctx.arg("status")))
        except ValueError:
            pass
    if tag := review.clean_tag(ctx.arg("tag")):
        query = query.where(_has_tag(ctx, model, tag))
    if words := ctx.arg("q")[:100]:
        query = query.where(_has_words(ctx, model, words))
    hidden = review.held_back(ctx.db, group)
    if hidden:
        query = query.where(col(model.request_id).is_(None) | col(model.request_id).not_in(hidden))
    # Both descending, so PostgreSQL walks ix_feedbackitem_given_on_id backwards.
    return query.order_by(col(model.given_on).desc(), col(model.id).desc())


def _has_words(ctx: WebContext, model: Any, words: str) -> Any:
    """Case-blind substring search: "lat" finds "late" and "chocolate", "50%" finds "50%".

    PostgreSQL first narrows with ix_feedbackitem_text_words_trgm (trigrams of the
    text with spaces turned into '0', so trigrams span the spaces and a phrase of common
    words is still selective), then `strpos` keeps exact substring matches only.
    SQLite: a plain case-blind substring match."""
    if ctx.dash.bot_app.engine.dialect.name == "postgresql":
        sep = sys.modules[model.__module__].SEARCH_SEPARATOR  # what the index was built with
        escaped = words.replace("/", "//").replace("%", "/%").replace("_", "/_")
        joined = func.translate(func.lower(col(model.text)), " ", sep)
        narrow = joined.like(func.translate(func.lower(f"%{escaped}%"), " ", sep), escape="/")
        return and_(narrow, func.strpos(func.lower(col(model.text)), func.lower(words)) > 0)
    return col(model.text).icontains(words, autoescape=True)


def _plan_for_these_words(ctx: WebContext, db: Session) -> None:
    """PostgreSQL: plan a search for its own words, in this transaction only.

    A generic plan (a prepared statement reused, or a server set to
    force_generic_plan) cannot look inside the pattern, so it walks every row
    newest first: about 1 s at a million rows instead of about 40 ms."""
    if ctx.arg("q") and ctx.dash.bot_app.engine.dialect.name == "postgresql":
        db.connection().exec_driver_sql("SET LOCAL plan_cache_mode = force_custom_plan")


def _has_tag(ctx: WebContext, model: Any, tag: str) -> Any:
    """PostgreSQL: `@>` on the tags as JSONB (GIN index); elsewhere a text match."""
    if ctx.dash.bot_app.engine.dialect.name == "postgresql":
        return cast(col(model.tags), JSONB).contains([tag])
    return cast(col(model.tags), String).contains(json.dumps(tag), autoescape=True)


def _modules() -> tuple[Any, Any, Any] | None:
    review = optional("bot.feedback.review")
    models = optional("bot.storage.feedback_models")
    feedback = optional("bot.feedback")
    if review is None or models is None or feedback is None:
        return None
    return review, models, feedback


def feedback_page(ctx: WebContext) -> Response:
    found = _modules()
    if found is None:
        return ctx.render("not_ready.html", title_key="feedback")
    review, models, feedback = found
    model = models.FeedbackItem
    group = feedback.min_group(ctx.dash.bot_app.settings)
    page = parse_id(ctx.arg("page")) or 1
    size = ctx.cfg.page_size
    _plan_for_these_words(ctx, ctx.db)
    items = list(ctx.db.exec(_query(ctx, review, model, group)
                             .offset((page - 1) * size).limit(size + 1)).all())
    ids = {i.member_id for i in items[:size] if i.member_id is not None and not i.anonymous}
    names = dict(ctx.db.exec(select(Member.id, Member.display_name)
                             .where(col(Member.id).in_(ids))).all()) if ids else {}
    query = {name: ctx.arg(name) for name in FILTERS}
    back = urlencode({k: v for k, v in {**query, "page": page}.items() if v})
    ctx.audit("view", "feedback_list", None, count=len(items[:size]), page=page)
    return ctx.render("feedback.html", items=items[:size], names=names, page=page,
                      has_more=len(items) > size, query=query, statuses=models.STATUSES,
                      back=back, notice=ctx.arg("done"))


def feedback_change(ctx: WebContext) -> Response:
    found = _modules()
    if found is None:
        raise PageError(404)
    review, _models, feedback = found
    item_id = int(ctx.request.path_params["item_id"])
    group = feedback.min_group(ctx.dash.bot_app.settings)
    try:
        item = review.get_item(ctx.db, item_id, group)
    except LookupError:
        raise PageError(404) from None
    op, done = ctx.field("op"), "saved"
    try:
        if op in ("tag", "untag"):
            tags = [t for t in ctx.field("tags").replace(",", " ").split() if t]
            review.tag_item(ctx.db, item, tags, remove=op == "untag")
            ctx.audit("change", "feedback_item", item_id, subject_id=_subject(item), op=op,
                      tags=list(item.tags or []))
        elif op == "answer":
            notified = review.answer_item(
                ctx.db, item, ctx.actor_id, ctx.cfg.now(), ctx.dash.bot_app.i18n,
                status=ctx.field("status") or None, reason=ctx.field("reason") or None,
                response=ctx.field("response") or None)
            ctx.audit("change", "feedback_item", item_id, subject_id=_subject(item), op=op,
                      status=item.status, notified=notified)
        else:
            raise PageError(400)
    except ValueError:
        done = "problem"
    back = urlencode([(k, v) for k, v in parse_qsl(ctx.field("back")) if k in (*FILTERS, "page")])
    location = f"{ctx.url('feedback')}?{back + '&' if back else ''}done={done}#item-{item_id}"
    return secure(Response(status_code=303, headers={"Location": location}))


def _subject(item: Any) -> int | None:
    return None if item.anonymous else item.member_id


def feedback_csv(ctx: WebContext) -> Response:
    """The current filter as CSV, streamed from its own session so memory stays flat."""
    found = _modules()
    if found is None:
        raise PageError(404)
    review, models, feedback = found
    model = models.FeedbackItem
    query = _query(ctx, review, model, feedback.min_group(ctx.dash.bot_app.settings))
    # Plain rows, not ORM objects: a million of them stream several times faster.
    query = query.with_only_columns(*[getattr(model, name) for name in ROW_FIELDS])
    ctx.audit("export", "feedback_list", None, filters=sorted(k for k in FILTERS if ctx.arg(k)))
    engine = ctx.dash.bot_app.engine

    def rows() -> Iterator[str]:
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(CSV_COLUMNS)
        with Session(engine) as db:
            _plan_for_these_words(ctx, db)
            for item in db.execute(query.execution_options(yield_per=1000)):
                writer.writerow([_safe(v) for v in _csv_row(item)])
                if buf.tell() > 64_000:
                    yield buf.getvalue()
                    buf.seek(0)
                    buf.truncate()
        yield buf.getvalue()

    return secure(StreamingResponse(rows(), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": 'attachment; filename="feedback.csv"'}))


def _csv_row(item: Any) -> list[Any]:
    return [item.id, item.given_on.isoformat(), item.request_id, item.session_id,
            item.project_id, item.kind, item.rating, item.choice, " ".join(item.tags or []),
            item.status, item.status_reason, item.public_response, item.anonymous,
            None if item.anonymous else item.member_id, item.text]


def _safe(value: Any) -> Any:
    """Stop spreadsheet formula injection from text people typed."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value
