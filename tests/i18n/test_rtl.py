"""Right-to-left: Urdu and Arabic payment confirmations keep amounts, dates and refs whole.

The structural tests check the marks. The visual tests run the Unicode bidi
algorithm (python-bidi) over each line and check what a reader would see.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from bot.i18n import I18n, Translator
from bot.i18n_text import LRI, PDI, RLI, RLM, bidi_wrap, first_strong, is_rtl, isolate
from tests.i18n.conftest import write_catalog

BIDI = re.compile("[\u200e\u200f\u061c\u2066-\u2069]")
PAYMENT = {
    "ur": {
        "Good news: your payment has been sent.": "اچھی خبر: آپ کی ادائیگی بھیج دی گئی ہے۔",
        "Total: {total}": "کل رقم: {total}",
        "Reference: {reference}": "حوالہ: {reference}",
        "It should arrive by {date}.": "یہ {date} تک پہنچ جانی چاہیے۔",
        "Paid to {name}": "{name} کو ادا کیا گیا",
    },
    "ar": {
        "Good news: your payment has been sent.": "خبر سار: تم إرسال دفعتك.",
        "Total: {total}": "المجموع: {total}",
        "Reference: {reference}": "المرجع: {reference}",
        "It should arrive by {date}.": "من المتوقع أن تصل بحلول {date}.",
        "Paid to {name}": "تم الدفع إلى {name}",
    },
}
DECEMBER = {"ur": "دسمبر", "ar": "ديسمبر"}


def confirmation(t: Translator) -> str:
    """The shape of bot.payments.messages.paid_message, with its values."""
    _ = t.gettext
    lines = [_("Good news: your payment has been sent."),
             _("Total: {total}").format(total=t.money(Decimal("1234.5"))),
             _("Reference: {reference}").format(reference="BACS-0412"),
             _("It should arrive by {date}.").format(date=t.date(date(2026, 12, 1))),
             _("Paid to {name}").format(name=t.isolate("John Smith"))]
    return t.wrap("\n".join(lines))


@pytest.fixture(params=["ur", "ar"])
def rtl(request: pytest.FixtureRequest, tmp_path: Path) -> Translator:
    lang = request.param
    write_catalog(tmp_path, lang, PAYMENT[lang])  # type: ignore[arg-type]
    return I18n(tmp_path, ["en", lang]).translator(lang)


def balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += ch in (LRI, RLI, "\u2068")
        depth -= ch == PDI
        if depth < 0:
            return False
    return depth == 0


def test_payment_confirmation_marks(rtl: Translator) -> None:
    text = confirmation(rtl)
    lines = text.split("\n")
    assert all(balanced(line) for line in lines)
    # Every line reads right to left: it starts with an RTL letter or an RLM.
    assert all(first_strong(line[0]) == "rtl" or line[0] == RLM for line in lines)
    assert LRI + "BACS-0412" + PDI in lines[2]
    assert LRI + "John Smith" + PDI in lines[4]
    total = lines[1]
    if rtl.lang == "ur":
        assert LRI + "£1,234.50" + PDI in total
    else:  # Arabic: Babel's RLM kept; "1,234.50 UK£" kept whole (else "£UK" shows)
        assert RLI + RLM + LRI + "1,234.50\xa0UK£" + PDI + PDI in total
    assert DECEMBER[rtl.lang] in lines[3] and "2026" in lines[3]
    # Without the marks, the words and values are exactly what Babel and the catalog gave.
    assert BIDI.sub("", lines[2]) == PAYMENT[rtl.lang]["Reference: {reference}"].format(
        reference="BACS-0412")


def test_payment_confirmation_as_displayed(rtl: Translator) -> None:
    bidi = pytest.importorskip("bidi")
    shown = [BIDI.sub("", bidi.get_display(line)) for line in confirmation(rtl).split("\n")]
    # Left-to-right pieces come out in reading order, in one piece, on the left of the line.
    assert "BACS-0412" in shown[2] and shown[2].index("BACS") < 3
    assert "John Smith" in shown[4]
    if rtl.lang == "ur":
        assert "£1,234.50" in shown[1]
    else:
        assert "1,234.50\xa0UK£" in shown[1]
    assert "2026" in shown[3]


def test_phone_numbers_and_amount_pairs_stay_in_order() -> None:
    bidi = pytest.importorskip("bidi")
    for raw, kept in [("اتصل بالرقم 116 123 مجانا", "116 123"),
                      ("الدفع: £25.00 + £4.50 مصاريف", "£25.00 + £4.50")]:
        assert kept not in BIDI.sub("", bidi.get_display(raw))  # the problem
        assert kept in BIDI.sub("", bidi.get_display(bidi_wrap(raw, "ar")))  # the fix


def test_bidi_wrap_is_idempotent_and_leaves_ltr_alone() -> None:
    text = "المجموع: £25 و 3 ساعات. أرسل /help"
    once = bidi_wrap(text, "ar")
    assert bidi_wrap(once, "ar") == once
    assert LRI + "/help" + PDI in once  # the command keeps its slash, so it still works
    assert bidi_wrap(text, "en") == text
    assert bidi_wrap("Only English here 25", "ur") == "Only English here 25"
    assert bidi_wrap("{amount} تم", "ar").count(LRI) == 1  # never run on a msgid


def test_isolate_user_text() -> None:
    assert isolate("John", "ar") == LRI + "John" + PDI
    assert isolate("محمد", "en") == RLI + "محمد" + PDI
    assert isolate("John", "en") == "John"
    # Overrides a member typed cannot flip the rest of the message.
    assert isolate("evil\u202eeman", "en") == "evileman"
    assert isolate("\u2067x", "ar") == LRI + "x" + PDI


def test_rtl_detection() -> None:
    assert is_rtl("ar") and is_rtl("ur") and is_rtl("ar_001") and is_rtl("ur-PK")
    assert not is_rtl("en") and not is_rtl("uk") and not is_rtl(None)
