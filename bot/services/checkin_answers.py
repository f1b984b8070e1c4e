"""Rules for answering a check-in: which check-in a button may still change.

Button data comes from the client. The dispatcher already refuses actions
we never offered to this member; here we also refuse another member's
check-in, one that is already answered, and an old one.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from babel.dates import get_day_names
from sqlmodel import Session, col, select

from bot.core.quiet import parse_hhmm
from bot.core.text import parse_id
from bot.i18n import Translator
from bot.storage.checkin_models import Checkin, CheckinPlan

if TYPE_CHECKING:
    from bot.config import Settings

YES = {"yes", "yes please", "yeah", "yep", "y", "please", "ok yes", "ie", "oes", "ydw", "hoffwn"}
NO = {"no", "no thanks", "no thank you", "nope", "n", "not now", "na", "dim diolch"}


def open_checkin(
    session: Session, settings: Settings, checkin_id: int, member_id: int, now: datetime,
    statuses: Iterable[str],
) -> Checkin | None:
    """The check-in if this member may still answer it, else None.

    Only the member's latest sent check-in, within the answer window.
    """
    row = session.get(Checkin, checkin_id)
    if row is None or row.member_id != member_id or row.status not in tuple(statuses):
        return None
    window = timedelta(hours=float(settings.checkin_answer_hours))
    if row.sent_at is None or now - row.sent_at > window:
        return None
    newer = session.exec(
        select(Checkin.id).where(Checkin.member_id == member_id,
                                 col(Checkin.sent_at).is_not(None),
                                 col(Checkin.sent_at) > row.sent_at)
    ).first()
    return None if newer is not None else row


def yes_or_no(text: str) -> bool | None:
    """True for yes, False for no, None for anything else (treated as a note)."""
    cleaned = "".join(ch for ch in unicodedata.normalize("NFC", text).casefold()
                      if not unicodedata.category(ch).startswith("P"))
    cleaned = " ".join(cleaned.split())
    if cleaned in YES:
        return True
    if cleaned in NO:
        return False
    return None


def parse_action_id(action: str, index: int) -> int | None:
    """The integer at `index` in `checkin:verb:id:...`, or None if forged."""
    parts = action.split(":")
    return parse_id(parts[index]) if len(parts) > index else None


def day_name(t: Translator, weekday: int) -> str:
    return str(get_day_names("wide", locale=t.locale)[weekday])


def plan_summary(t: Translator, plan: CheckinPlan | None) -> str:
    """'every Monday at 09:00' in the member's language; '' for no plan."""
    _ = t.gettext
    if plan is None or plan.frequency == "never" or plan.weekday is None:
        return ""
    at = parse_hhmm(plan.at_time)
    values = {"day": day_name(t, plan.weekday), "time": at.strftime("%H:%M") if at else ""}
    if plan.frequency == "weekly":
        return _("every {day} at {time}").format(**values)
    if plan.frequency == "fortnightly":
        return _("every other {day} at {time}").format(**values)
    return _("on the first {day} of each month at {time}").format(**values)
