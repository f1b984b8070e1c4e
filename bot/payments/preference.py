"""The member's saved payment method, from their onboarding profile if any.

Onboarding owns that data and may not be installed everywhere, so this only
reads it and treats anything missing or unusual as "no preference".
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from bot.payments.calc import METHODS

Profile: Any
try:
    from bot.storage.profile_models import Profile
except ImportError:  # onboarding not installed
    Profile = None


def preferred_method(session: Session, member_id: int) -> str | None:
    """bank_transfer, cash, voucher or to_charity; None when unknown or "not sure yet"."""
    if Profile is None:
        return None
    profile = session.get(Profile, member_id)
    value = getattr(profile, "payment_preference", None) if profile is not None else None
    return value if isinstance(value, str) and value in METHODS else None
