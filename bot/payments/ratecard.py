"""Rate cards: what each organisation pays for each kind of activity.

A card lives in a TOML or JSON file (setting `payments_rate_card_path`), or
falls back to the defaults below. Every card has a version; each payment keeps
the version and rate it used, so changing the card never changes old payments.
A changed card must get a new version: recording with an edited card under an
old version number is refused.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from bot.i18n import N_
from bot.payments.ledger import insert_once
from bot.storage.payment_models import PaymentRateCard

ACTIVITIES = ("meeting", "preparation", "facilitation", "interview", "review", "other")
ACTIVITY_LABELS = {
    "meeting": N_("Meeting"),
    "preparation": N_("Preparation or reading"),
    "facilitation": N_("Facilitation"),
    "interview": N_("Interview"),
    "review": N_("Review"),
    "other": N_("Other work"),
}
DEFAULT_VERSION = "default-1"
DEFAULT_HOURLY = Decimal("27.50")


@dataclass(frozen=True)
class Rate:
    """An hourly rate or a fixed fee for one activity (exactly one is set)."""

    hourly: Decimal | None = None
    fixed: Decimal | None = None

    def to_json(self) -> dict[str, str]:
        if self.fixed is not None:
            return {"fixed": str(self.fixed)}
        return {"hourly": str(self.hourly)}


@dataclass(frozen=True)
class RateCard:
    organisation: str
    version: str
    currency: str
    rates: dict[str, Rate]

    def rate(self, activity: str) -> Rate:
        if activity not in self.rates:
            raise ValueError(f"rate card {self.version} has no rate for {activity!r}")
        return self.rates[activity]

    def rates_json(self) -> dict[str, dict[str, str]]:
        return {name: rate.to_json() for name, rate in sorted(self.rates.items())}


def default_card(organisation: str) -> RateCard:
    return RateCard(organisation, DEFAULT_VERSION, "GBP",
                    {name: Rate(hourly=DEFAULT_HOURLY) for name in ACTIVITIES})


def _money(value: Any, where: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"{where}: {value!r} is not an amount") from exc
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise ValueError(f"{where}: amounts must be pounds and pence, like 27.50")
    return amount.quantize(Decimal("0.01"))


def parse_card(data: dict[str, Any], organisation: str) -> RateCard:
    """Check one card from a file; errors name the field, never guess."""
    version = str(data.get("version") or "").strip()
    if not version or len(version) > 32:
        raise ValueError("a rate card needs a version (up to 32 characters)")
    rates: dict[str, Rate] = {}
    for name, spec in (data.get("rates") or {}).items():
        if name not in ACTIVITIES:
            raise ValueError(f"unknown activity {name!r}; use {', '.join(ACTIVITIES)}")
        if not isinstance(spec, dict) or len(spec.keys() & {"hourly", "fixed"}) != 1:
            raise ValueError(f"{name}: give either hourly or fixed")
        if "hourly" in spec:
            rates[name] = Rate(hourly=_money(spec["hourly"], name))
        else:
            rates[name] = Rate(fixed=_money(spec["fixed"], name))
    if not rates:
        raise ValueError("a rate card needs at least one rate")
    currency = str(data.get("currency") or "GBP").upper()
    return RateCard(str(data.get("organisation") or organisation), version, currency, rates)


def load_rate_cards(path: Path, default_organisation: str) -> dict[str, RateCard]:
    """Read a file holding one card, or several under `cards`, keyed by organisation."""
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".json":
        data = json.loads(text, parse_float=Decimal)
    else:
        data = tomllib.loads(text, parse_float=Decimal)
    entries = data.get("cards") if isinstance(data.get("cards"), list) else [data]
    cards = [parse_card(entry, default_organisation) for entry in entries]
    return {card.organisation: card for card in cards}


def organisation_of(settings: Any, organisation: str | None = None) -> str:
    orgs = list(getattr(settings, "organisations", None) or ["default"])
    return organisation or orgs[0]


def rate_card_for(settings: Any, organisation: str | None = None) -> RateCard:
    """The current card for an organisation: from the file if set, else the defaults."""
    org = organisation_of(settings, organisation)
    path = getattr(settings, "payments_rate_card_path", None)
    if not path:
        return default_card(org)
    cards = load_rate_cards(Path(path), org)
    if org in cards:
        return cards[org]
    if len(cards) == 1:
        return next(iter(cards.values()))
    raise ValueError(f"the rate card file has no card for {org!r}")


def store_rate_card(session: Session, card: RateCard) -> PaymentRateCard:
    """Keep a copy of each version used; refuse an edited card under an old version."""
    row = session.exec(
        select(PaymentRateCard).where(
            PaymentRateCard.organisation == card.organisation,
            PaymentRateCard.version == card.version,
        )
    ).first()
    if row is not None:
        if row.rates != card.rates_json() or row.currency != card.currency:
            raise ValueError(
                f"rate card version {card.version} was changed; give it a new version"
            )
        return row
    row = PaymentRateCard(organisation=card.organisation, version=card.version,
                          currency=card.currency, rates=card.rates_json())
    if not insert_once(session, row):  # stored by a racing transaction just now
        return store_rate_card(session, card)
    return row
