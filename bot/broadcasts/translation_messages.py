"""What translators and reviewers are sent, in their own language.

The update's text is the coordinator's and the translation is the member's:
both are shown as they are. Only our own words go through gettext.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.core.events import Button, OutgoingMessage
from bot.i18n import LANGUAGE_NAMES, Translator
from bot.storage.broadcast_models import BroadcastTranslation

# Paid time a reviewer can choose when approving, in minutes.
PAID_MINUTES = (30, 60, 120)


def language(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


def request_message(t: Translator, row: BroadcastTranslation,
                    source: Mapping[str, str]) -> OutgoingMessage:
    text = t.gettext("Can you help translate an update from {source} into {target}? "
                     "It is paid work. Here is the text.").format(
        source=language(row.source_language), target=language(row.target_language))
    return OutgoingMessage(
        f"{text}\n\n{source['title']}\n\n{source['body']}",
        [[Button(t.gettext("Translate it"), f"btr:take:{row.id}"),
          Button(t.gettext("Not this time"), f"btr:no:{row.id}")]])


def review_message(t: Translator, row: BroadcastTranslation, name: str) -> OutgoingMessage:
    head = t.gettext("{name} sent a translation into {language} for update {id}. "
                     "Please read it. It is only used if you say yes.").format(
        name=name, language=language(row.target_language), id=row.broadcast_id)
    buttons = [[Button(paid_label(t, minutes), f"btrc:ok:{row.id}:{minutes}")]
               for minutes in PAID_MINUTES]
    buttons.append([Button(t.gettext("Don't use it"), f"btrc:no:{row.id}")])
    return OutgoingMessage(f"{head}\n\n{row.title}\n\n{row.body}", buttons)


def paid_label(t: Translator, minutes: int) -> str:
    if minutes < 60:
        return t.gettext("Use it, pay {minutes} minutes").format(minutes=minutes)
    hours = minutes // 60
    return t.ngettext("Use it, pay {count} hour", "Use it, pay {count} hours",
                      hours).format(count=hours)


def approved_message(t: Translator, row: BroadcastTranslation) -> OutgoingMessage:
    return OutgoingMessage(t.gettext(
        "Thank you. Your translation into {language} will be used in the update. "
        "We have recorded it as paid work.").format(language=language(row.target_language)))


def rejected_message(t: Translator, row: BroadcastTranslation) -> OutgoingMessage:
    return OutgoingMessage(t.gettext(
        "Thank you for your translation into {language}. This time the team will not "
        "use it.").format(language=language(row.target_language)))
