"""Safeguarding alerts: spot risk, tell the named contacts at once, escalate.

Contact order (tiers), first to last:
1. everyone with the `safeguarding` role, together;
2. each person in SAFEGUARDING_ESCALATION_CONTACTS ("platform:user_id"), in order;
3. every admin, as the last resort.
An alert nobody acknowledges within the escalation delay (counted in staff
working hours) goes to the next tier. Staff messages are urgent: they skip
quiet hours, but never a pause or STOP.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Literal

from sqlmodel import Session, col, select

from bot.core.events import Button, OutgoingMessage
from bot.core.members import find_identity
from bot.core.quiet import next_allowed, parse_hhmm, zone
from bot.core.reach import pick_identity, queue_to_member
from bot.i18n import N_, I18n, Translator
from bot.scheduler.registry import register_periodic
from bot.scheduler.timing import add_working_time
from bot.services.outbox import commit_fired
from bot.services.risk_phrases import RISK_PHRASES, SERIOUS_RISK_PHRASES
from bot.storage.db import is_postgres
from bot.storage.models import Member, MemberRole, utcnow
from bot.storage.safeguarding_models import SafeguardingAlert

if TYPE_CHECKING:
    from bot.app import BotApp
    from bot.config import Settings

log = logging.getLogger(__name__)

Risk = Literal["serious", "risk"]
STATUSES = ("open", "contacted", "closed")


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text).casefold().replace("\u2019", "'")
    return " ".join(text.split())


def risk_level(text: str, language: str, settings: Settings) -> Risk | None:
    """'serious', 'risk' or None for a note, using the member's language and English."""
    said = _normalise(text or "")
    if not said:
        return None
    configured = (("serious", settings.serious_risk_phrases or SERIOUS_RISK_PHRASES),
                  ("risk", settings.risk_phrases or RISK_PHRASES))
    for level, phrases in configured:
        for lang in dict.fromkeys((language, "en")):
            for phrase in phrases.get(lang, []):
                pattern = r"(?<!\w)" + re.escape(_normalise(phrase)) + r"(?!\w)"
                if phrase.strip() and re.search(pattern, said):
                    return level  # type: ignore[return-value]
    return None


def contact_tiers(session: Session, settings: Settings) -> list[list[int]]:
    """Who to tell, tier by tier (see the module docstring)."""
    def holders(role: str) -> list[int]:
        return list(session.exec(select(MemberRole.member_id).where(MemberRole.role == role)
                                 .order_by(col(MemberRole.member_id))).all())

    tiers = [holders("safeguarding")]
    for who in settings.safeguarding_escalation_contacts:
        platform, _, user_id = str(who).partition(":")
        identity = find_identity(session, platform, user_id)
        if identity is not None:
            tiers.append([identity.member_id])
    tiers.append(holders("admin"))
    seen: set[int] = set()
    result = []
    for tier in tiers:
        fresh = [m for m in tier if m not in seen]
        seen.update(fresh)
        result.append(fresh)
    return result


def may_handle(alert: SafeguardingAlert, member_id: int, roles: frozenset[str]) -> bool:
    """Safeguarding staff, admins and anyone the alert was sent to."""
    return bool({"safeguarding", "admin"} & roles) or member_id in (alert.notified or [])


def alert_for_checkin(session: Session, checkin_id: int) -> SafeguardingAlert | None:
    return session.exec(
        select(SafeguardingAlert).where(SafeguardingAlert.checkin_id == checkin_id)
    ).first()


def raise_alert(
    session: Session, settings: Settings, i18n: I18n, member: Member, *, source: str,
    now: datetime, checkin_id: int | None = None, mood: int | None = None,
    said: str | None = None,
) -> SafeguardingAlert:
    """Record the alert and message the first reachable tier, in this transaction.

    One alert per check-in: asking twice, or a serious note after "yes", adds
    to the same alert instead of paging staff again.
    """
    alert = alert_for_checkin(session, checkin_id) if checkin_id is not None else None
    if alert is not None:
        if said:
            alert.said = said[:1000]  # the check-in's note so far, newest included
        alert.updated_at = now
        session.add(alert)
        return alert
    assert member.id is not None
    alert = SafeguardingAlert(member_id=member.id, checkin_id=checkin_id, source=source,
                              mood=mood, said=said[:1000] if said else None, level=-1,
                              notified=[], created_at=now, updated_at=now)
    session.add(alert)
    session.flush()
    notify_next_tier(session, settings, i18n, alert, now)
    log.info("safeguarding alert %s raised (%s)", alert.id, source)
    return alert


def notify_next_tier(session: Session, settings: Settings, i18n: I18n,
                     alert: SafeguardingAlert, now: datetime) -> bool:
    """Message the next tier with someone reachable; False when none is left."""
    subject = session.get(Member, alert.member_id)
    tiers = contact_tiers(session, settings)
    escalation = alert.level >= 0
    for index in range(alert.level + 1, len(tiers)):
        reached = []
        for staff_id in tiers[index]:
            staff = session.get(Member, staff_id)
            if staff is None or staff_id == alert.member_id or staff_id in alert.notified:
                continue
            if next_allowed(staff, now, urgent=True) is None:
                continue  # paused or stopped staff are not paged
            t = i18n.translator(staff.language, staff.timezone)
            message = alert_message(session, t, alert, subject, settings, escalation)
            if queue_to_member(session, staff, message, now) is not None:
                reached.append(staff_id)
        if reached:
            alert.level = index
            alert.notified = [*alert.notified, *reached]
            alert.next_escalation_at = escalation_due(settings, now)
            session.add(alert)
            return True
    if not alert.notified:
        # Nobody to tell yet: try again later, and keep it on the dashboard.
        alert.next_escalation_at = escalation_due(settings, now)
        log.warning("safeguarding alert %s: no reachable contact", alert.id)
    else:
        alert.next_escalation_at = None
        log.warning("safeguarding alert %s: no further contact to escalate to", alert.id)
    session.add(alert)
    return False


def escalation_due(settings: Settings, since: datetime) -> datetime:
    hours = float(settings.safeguarding_escalation_hours)
    tz = zone(settings.staff_timezone or getattr(settings, "default_timezone", None))
    opens = parse_hhmm(settings.staff_working_start) or time(9)
    closes = parse_hhmm(settings.staff_working_end) or time(17)
    return add_working_time(since, timedelta(hours=hours), settings.staff_working_days,
                            opens, closes, tz)


def alert_message(session: Session, t: Translator, alert: SafeguardingAlert,
                  subject: Member | None, settings: Settings, escalation: bool) -> OutgoingMessage:
    """What the safeguarding contact needs: who, what was said, when; one tap to pick it up."""
    _ = t.gettext
    from bot.services.checkins import MOODS

    lines = []
    if escalation:
        lines.append(_("Nobody has picked up safeguarding alert {id} yet. You are the next "
                       "contact.").format(id=alert.id))
    else:
        lines.append(_("Safeguarding alert {id}.").format(id=alert.id))
    name = (subject.display_name if subject else None) or _("Member {id}").format(
        id=alert.member_id)
    identity = pick_identity(session, subject.id) if subject and subject.id else None
    where = f" ({identity.platform} {identity.user_id})" if identity else ""
    lines.append(_("{name} may need support.").format(name=name) + where)
    if alert.source == "serious_phrase":
        lines.append(_("They wrote words that may mean they are at risk of serious harm."))
    else:
        lines.append(_("They asked for someone from the team to contact them."))
    if alert.mood is not None:
        lines.append(_("Check-in answer: {mood}").format(mood=_(MOODS.get(alert.mood, "?"))))
    if alert.said:
        lines.append(_("They wrote: {text}").format(text=alert.said))
    lines.append(_("When: {when}").format(when=t.datetime(alert.created_at, "d MMMM, HH:mm")))
    lines.append(_("Please tap Acknowledge when you pick this up."))
    return OutgoingMessage("\n".join(lines),
                           [[Button(_("Acknowledge"), f"sg:ack:{alert.id}")]])


def acknowledge(session: Session, i18n: I18n, alert: SafeguardingAlert, staff_id: int | None,
                now: datetime) -> bool:
    """Someone has it: record who and when, stop escalating, and tell the others
    (so nobody contacts the member twice by accident) and the member. The chat
    button and the dashboard both use this. False when it was already picked up."""
    if alert.acknowledged_at is not None:
        return False
    alert.acknowledged_at, alert.acknowledged_by = now, staff_id
    alert.next_escalation_at, alert.updated_at = None, now
    session.add(alert)
    staff = session.get(Member, staff_id) if staff_id is not None else None
    name = staff.display_name if staff else None
    for other_id in alert.notified:
        if other_id == staff_id:
            continue
        if name:
            tell(session, i18n, other_id, N_("Alert {id} has been picked up by {name}."),
                 urgent=True, id=alert.id, name=name)
        else:
            tell(session, i18n, other_id, N_("Alert {id} has been picked up by someone in "
                                             "the team."), urgent=True, id=alert.id)
    tell(session, i18n, alert.member_id, N_("Someone from the team has seen your message. "
                                            "They will contact you. Send HELP if you need "
                                            "support now."))
    return True


def set_status(session: Session, i18n: I18n, alert: SafeguardingAlert, status: str,
               staff_id: int | None, now: datetime) -> None:
    """open, contacted or closed; doing anything counts as picking it up."""
    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}")
    acknowledge(session, i18n, alert, staff_id, now)
    alert.status, alert.updated_at, alert.next_escalation_at = status, now, None
    alert.closed_at = now if status == "closed" else None
    session.add(alert)


def tell(session: Session, i18n: I18n, member_id: int, text: str, urgent: bool = False,
         **values: object) -> None:
    """Message one person in their own language (`text` marked with N_), respecting
    quiet hours unless urgent, and never a pause or STOP."""
    member = session.get(Member, member_id)
    when = next_allowed(member, utcnow(), urgent=urgent) if member else None
    if member is None or when is None:
        return
    t = i18n.translator(member.language, member.timezone)
    queue_to_member(session, member, OutgoingMessage(t.gettext(text).format(**values)), when)


def escalate_due(app: BotApp, now: datetime) -> int:
    """Escalate every open alert whose delay ran out without an acknowledgement."""
    with Session(app.engine) as session:
        ids = session.exec(
            select(SafeguardingAlert.id).where(
                SafeguardingAlert.status == "open",
                col(SafeguardingAlert.acknowledged_at).is_(None),
                col(SafeguardingAlert.next_escalation_at) <= now,
            )
        ).all()
    handled = 0
    for alert_id in ids:
        with Session(app.engine, expire_on_commit=False) as session:
            query = select(SafeguardingAlert).where(
                SafeguardingAlert.id == alert_id, SafeguardingAlert.status == "open",
                col(SafeguardingAlert.acknowledged_at).is_(None),
                col(SafeguardingAlert.next_escalation_at) <= now)
            if is_postgres(app.engine):
                query = query.with_for_update(skip_locked=True)
            alert = session.exec(query).first()
            if alert is None:
                continue
            notify_next_tier(session, app.settings, app.i18n, alert, now)
            alert.updated_at = now
            commit_fired(session)
            handled += 1
            log.info("safeguarding alert %s escalated to level %s", alert.id, alert.level)
    return handled


def next_due(app: BotApp, now: datetime) -> datetime | None:
    with Session(app.engine) as session:
        return session.exec(
            select(SafeguardingAlert.next_escalation_at)
            .where(SafeguardingAlert.status == "open",
                   col(SafeguardingAlert.acknowledged_at).is_(None),
                   col(SafeguardingAlert.next_escalation_at).is_not(None))
            .order_by(col(SafeguardingAlert.next_escalation_at))
        ).first()


register_periodic("safeguarding", escalate_due, every_seconds=60, next_due=next_due)
