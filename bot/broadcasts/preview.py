"""What a coordinator sees before confirming: each language's text and head count.

It runs the same planning as the fan-out, without writing anything, so
"12 people in Cymraeg" here means 12 Welsh outbox rows after confirming
(unless people join, leave or pause in between).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from bot.broadcasts.audience import members_batch
from bot.broadcasts.plan import plan_recipient, start_time
from bot.broadcasts.render import Renderer
from bot.core.reach import pick_identities
from bot.i18n import I18n
from bot.storage.broadcast_models import Broadcast
from bot.storage.models import utcnow


@dataclass
class LanguagePreview:
    """One language: the exact text its speakers get, and how many will get it."""

    language: str
    text: str
    translated: bool
    people: int = 0  # will get a message
    later: int = 0  # of those, after quiet hours, a pause or the send time
    not_reached: int = 0  # in the audience, but no message (paused for urgent, no account)


@dataclass
class Preview:
    languages: list[LanguagePreview]
    reasons: Counter[str] = field(default_factory=Counter)

    @property
    def people(self) -> int:
        return sum(p.people for p in self.languages)

    @property
    def later(self) -> int:
        return sum(p.later for p in self.languages)

    @property
    def not_reached(self) -> int:
        return sum(p.not_reached for p in self.languages)

    def counts(self) -> dict[str, int]:
        """Recipients per member language: what the fan-out will queue."""
        return {p.language: p.people for p in self.languages if p.people}


def build_preview(
    session: Session, broadcast: Broadcast, i18n: I18n, *, now: datetime | None = None,
    batch_size: int = 1000,
) -> Preview:
    now = now or utcnow()
    renderer = Renderer(broadcast.texts, broadcast.default_language, i18n)
    start = start_time(broadcast.send_at, now)
    found: dict[str, LanguagePreview] = {}

    def entry(lang: str) -> LanguagePreview:
        if lang not in found:
            found[lang] = LanguagePreview(lang, renderer(lang), lang in broadcast.texts)
        return found[lang]

    for lang in broadcast.texts:
        entry(lang)
    reasons: Counter[str] = Counter()
    after = 0
    while members := members_batch(session, broadcast.audience, after_id=after,
                                   limit=batch_size):
        picked = pick_identities(session, [m.id for m in members if m.id is not None])
        for member in members:
            plan = plan_recipient(member, picked.get(member.id or 0),
                                  text_language=renderer.language_of(member.language),
                                  urgent=broadcast.kind == "urgent", start=start)
            line = entry(plan.language)
            if plan.queued:
                line.people += 1
                line.later += int(plan.not_before is not None and plan.not_before > now)
            else:
                line.not_reached += 1
                reasons[plan.reason or "unknown"] += 1
        after = members[-1].id or after
    ordered = [found[lang] for lang in broadcast.texts] + sorted(
        (p for lang, p in found.items() if lang not in broadcast.texts),
        key=lambda p: (-p.people, p.language),
    )
    return Preview(ordered, reasons)
