"""Money sums are exact: Decimal only, pennies kept, choices respected."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest

from bot.payments.calc import (
    ExpenseItem,
    compute_fee,
    parse_amount,
    parse_choice,
    parse_expense,
    parse_hours,
    total_expenses,
)
from bot.payments.ratecard import DEFAULT_VERSION, Rate, load_rate_cards, rate_card_for
from bot.payments.report import day_stats, fee_totals, nearest_rank, tax_year_start

RATE = Rate(hourly=Decimal("27.50"))


def test_hours_times_rate_is_exact() -> None:
    fee = compute_fee(RATE, Decimal("2.5"))
    assert fee.full == fee.taken == Decimal("68.75")
    assert isinstance(fee.full, Decimal) and fee.hourly_rate == Decimal("27.50")


def test_expenses_with_pennies_add_up_exactly() -> None:
    items = [ExpenseItem("travel", Decimal("0.10")), ExpenseItem("food", Decimal("0.20")),
             ExpenseItem("phone_data", Decimal("12.35"))]
    assert total_expenses(items) == Decimal("12.65")
    assert total_expenses([]) == Decimal("0.00")
    # 0.1 + 0.2 in floats is 0.30000000000000004: Decimal never is.
    assert total_expenses(items[:2]) == Decimal("0.30")


def test_rounding_is_half_up_to_the_penny() -> None:
    assert compute_fee(Rate(hourly=Decimal("27.55")), Decimal("0.25")).full == Decimal("6.89")


def test_member_choices() -> None:
    part = compute_fee(RATE, Decimal("2.5"), choice="accept_part", part=Decimal("20.00"))
    assert (part.full, part.taken) == (Decimal("68.75"), Decimal("20.00"))
    declined = compute_fee(RATE, Decimal("2.5"), choice="decline")
    assert declined.taken == Decimal("0.00") and declined.reason == "declined"
    charity = compute_fee(RATE, Decimal("2.5"), choice="charity")
    assert charity.taken == Decimal("68.75")
    with pytest.raises(ValueError):
        compute_fee(RATE, Decimal("2.5"), choice="accept_part", part=Decimal("70.00"))


def test_fixed_fee_from_card_or_override() -> None:
    assert compute_fee(Rate(fixed=Decimal("40.00")), None).full == Decimal("40.00")
    fee = compute_fee(RATE, None, fixed_fee=Decimal("35"))
    assert fee.full == Decimal("35.00") and fee.hourly_rate is None
    with pytest.raises(ValueError):
        compute_fee(RATE, None)


@pytest.mark.parametrize("text", ["-1", "12.345", "abc", "NaN", "1e9", ""])
def test_bad_amounts_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_amount(text)


def test_parsing_cli_and_chat_input() -> None:
    assert parse_amount("£1,234.5") == Decimal("1234.50")
    assert parse_hours("2,5") == Decimal("2.5")
    assert parse_expense("travel:12.50:receipt") == ExpenseItem("travel", Decimal("12.50"), True)
    assert parse_expense("food:3").receipt is False
    assert parse_choice("accept_part:20.00") == ("accept_part", Decimal("20.00"))
    with pytest.raises(ValueError):
        parse_expense("holiday:100")
    with pytest.raises(ValueError):
        parse_choice("accept_part")


def test_rate_card_files_toml_and_json(tmp_path: Path) -> None:
    toml = tmp_path / "rates.toml"
    toml.write_text('version = "2026-1"\n[rates]\nmeeting = { hourly = 30.00 }\n'
                    'review = { fixed = "40" }\n', encoding="utf-8")
    card = rate_card_for(SimpleNamespace(organisations=["Bridge Trust"],
                                         payments_rate_card_path=str(toml)))
    assert (card.organisation, card.version, card.currency) == ("Bridge Trust", "2026-1", "GBP")
    assert card.rate("meeting").hourly == Decimal("30.00")
    assert card.rate("review").fixed == Decimal("40.00")
    with pytest.raises(ValueError):
        card.rate("interview")
    both = tmp_path / "rates.json"
    both.write_text(json.dumps({"cards": [
        {"organisation": "A", "version": "a1", "rates": {"meeting": {"hourly": 25.5}}},
        {"organisation": "B", "version": "b1", "rates": {"meeting": {"hourly": "28.00"}}},
    ]}), encoding="utf-8")
    cards = load_rate_cards(both, "A")
    assert cards["A"].rate("meeting").hourly == Decimal("25.50")
    assert cards["B"].version == "b1"


@pytest.mark.parametrize("body", ['[rates]\nmeeting = { hourly = 30 }\n',
                                  'version = "1"\n[rates]\nparty = { hourly = 30 }\n',
                                  'version = "1"\n[rates]\nmeeting = { hourly = -3 }\n'])
def test_bad_rate_cards_are_refused(tmp_path: Path, body: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ValueError):
        load_rate_cards(path, "Org")


def test_default_card_without_a_file() -> None:
    card = rate_card_for(SimpleNamespace(organisations=["Org"]))
    assert card.version == DEFAULT_VERSION and card.rate("meeting").hourly == Decimal("27.50")


def test_median_and_nearest_rank_p90() -> None:
    stats = day_stats([3, 5, 7, 9, 30, 4, 6, 8, 10, 12])
    assert stats.count == 10 and stats.median == 7.5 and stats.p90 == 12
    assert nearest_rank([1, 2, 3], 90) == 3
    assert day_stats([]).median is None


def test_uk_tax_year_starts_on_6_april() -> None:
    from datetime import date

    assert tax_year_start(date(2026, 4, 5)) == date(2025, 4, 6)
    assert tax_year_start(date(2026, 4, 6)) == date(2026, 4, 6)
    assert fee_totals([], date(2026, 11, 1))[1] == Decimal("0.00")


def test_the_plural_form_follows_the_real_number_of_hours() -> None:
    from decimal import Decimal

    from bot.payments.messages import plural_count

    assert plural_count(Decimal("1")) == 1
    assert plural_count(Decimal("5.00")) == 5, "Polish and Welsh pick forms by the real count"
    assert plural_count(Decimal("2.5")) == 1_000_000
