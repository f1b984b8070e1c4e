"""Paying co-producers for their time: rate cards, the ledger, chasing and reports.

Entry points other features and the scheduler call:

- `chase_unconfirmed(app_or_engine, now)`: the periodic "has it arrived?" job.
- `pseudonymise_member_payments(session, member_id)`: for erasure.
- `purge_old_finance_records(session, now)`: for retention (six years).
"""

from __future__ import annotations

from bot.payments.chaser import chase_unconfirmed
from bot.payments.privacy import pseudonymise_member_payments, purge_old_finance_records

__all__ = ["chase_unconfirmed", "pseudonymise_member_payments", "purge_old_finance_records"]
