"""The words of session invites, reminders and changes, in each member's language.

Times are shown in the reader's own time zone, formatted by Babel.
"""

from __future__ import annotations

from datetime import datetime

from bot.core.events import Button, OutgoingMessage
from bot.i18n import N_, Translator
from bot.storage.session_models import GroupSession

ANSWERS = {"going": N_("Going"), "maybe": N_("Maybe"), "cant": N_("Can't")}


def when_text(t: Translator, moment: datetime) -> str:
    return t.gettext("{day} at {time}").format(
        day=t.datetime(moment, "EEEE d MMMM"), time=t.datetime(moment, "HH:mm"))


def details(t: Translator, gs: GroupSession) -> list[str]:
    """Where it is and what to bring, one short line each."""
    _ = t.gettext
    lines = []
    if gs.mode == "online":
        lines.append(_("Online: {link}").format(link=gs.link or ""))
    else:
        lines.append(_("Place: {place}").format(place=gs.place or ""))
        if gs.access_info:
            lines.append(_("Access: {info}").format(info=gs.access_info))
    if gs.prepare:
        lines.append(_("To prepare: {prepare}").format(prepare=gs.prepare))
    return lines


def rsvp_buttons(t: Translator, session_id: int) -> list[list[Button]]:
    return [[Button(t.gettext(label), f"rsvp:{session_id}:{answer}")
             for answer, label in ANSWERS.items()]]


def invite(t: Translator, gs: GroupSession) -> OutgoingMessage:
    _ = t.gettext
    assert gs.id is not None
    lines = [_("You are invited to a session: {title}").format(title=gs.title),
             _("When: {when}").format(when=when_text(t, gs.starts_at)),
             *details(t, gs),
             _("Can you come? Tap one answer.")]
    return OutgoingMessage("\n".join(lines), rsvp_buttons(t, gs.id))


def reminder(t: Translator, gs: GroupSession, late: bool) -> OutgoingMessage:
    _ = t.gettext
    lines = [_("Reminder: {title} is on {when}.").format(
        title=gs.title, when=when_text(t, gs.starts_at)), *details(t, gs)]
    if late:
        lines.append(_("Sorry, this reminder is late."))
    return OutgoingMessage("\n".join(lines))


def cancelled(t: Translator, gs: GroupSession) -> OutgoingMessage:
    return OutgoingMessage(t.gettext("Sorry, {title} on {when} is cancelled.").format(
        title=gs.title, when=when_text(t, gs.starts_at)))


def moved(t: Translator, gs: GroupSession) -> OutgoingMessage:
    _ = t.gettext
    assert gs.id is not None
    lines = [_("{title} has moved. The new time is {when}.").format(
        title=gs.title, when=when_text(t, gs.starts_at)), *details(t, gs),
        _("Can you still come? Tap one answer.")]
    return OutgoingMessage("\n".join(lines), rsvp_buttons(t, gs.id))


def rsvp_reply(t: Translator, gs: GroupSession, answer: str) -> str:
    _ = t.gettext
    said = _("Thank you. I have put you down as: {answer}.").format(answer=_(ANSWERS[answer]))
    if answer == "cant":
        return said + " " + _("You can change your answer any time with /sessions.")
    return said + " " + _("I will send you a reminder before it starts.")
