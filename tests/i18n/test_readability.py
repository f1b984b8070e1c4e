"""Plain English over every English message: grade, long words, jargon, emoji, buttons.

The rules and their reasons are in `bot/textstyle.py`; exceptions, each with a
reason, in `locales/plain_english.toml`. The figures are printed on every run.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.i18n_check import SOURCE_DIRS, source_msgids, template_msgids
from bot.textstyle import (
    JARGON,
    MAX_GRADE,
    button_label_problems,
    emoji_problems,
    grade,
    load_exceptions,
    long_words,
    plain_english,
    prepare,
)

LOCALES = PROJECT_ROOT / "locales"
EXCEPTIONS = LOCALES / "plain_english.toml"
GETTEXT_NAMES = {"_", "N_", "gettext"}


@cache
def english() -> frozenset[str]:
    """Every English msgid: the template and what the code uses now."""
    return frozenset(source_msgids() | template_msgids(LOCALES))


def test_english_messages_are_plain(capsys: pytest.CaptureFixture[str]) -> None:
    report = plain_english(english(), load_exceptions(EXCEPTIONS))
    with capsys.disabled():
        print("\n" + report.summary())
    assert report.violations == [], "\n" + "\n".join(
        f"{v.why}: {v.msgid!r}" for v in report.violations)


def test_every_exception_has_a_reason() -> None:
    for msgid, reason in load_exceptions(EXCEPTIONS).items():
        assert msgid and len(reason.split()) >= 3, msgid


def test_scoring_is_sane_and_deterministic() -> None:
    assert grade("Payment") is None  # too short to score: one word would be "grade 8.4"
    assert long_words("Facilitation") == ["Facilitation"] and long_words("Payment") == []
    easy = "We paid you today. The money is in your bank."
    hard = ("Remuneration for participation in co-production activities is administered "
            "retrospectively following verification of attendance documentation.")
    assert (grade(easy) or 99) <= 2 < MAX_GRADE < (grade(hard) or 0)
    assert grade(easy) == grade(easy)
    assert prepare("Send /mark_paid {id} at https://x.org/a") == "Send this Sam at link"


def test_jargon_entries_say_what_to_use_instead() -> None:
    assert all(len(hint) > 5 for hint in JARGON.values())


def test_no_emoji_problems_in_english_messages() -> None:
    found = {m: p for m in english() if (p := emoji_problems(m))}
    assert found == {}


def _literal_label(node: ast.expr) -> str | None:
    """The string in `"x"`, `_("x")`, `ctx._("x")` or `t.gettext("x")`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Call) and node.args:
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if name in GETTEXT_NAMES:
            return _literal_label(node.args[0])
    if isinstance(node, ast.BinOp):  # _("Yes") + " ✓"
        return _literal_label(node.left)
    return None


def button_labels(root: Path = PROJECT_ROOT) -> set[str]:
    """Labels written straight into `Button(...)` calls anywhere in the code."""
    labels = set()
    for folder in SOURCE_DIRS:
        for path in (root / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                if name != "Button":
                    continue
                arg = node.args[0] if node.args else next(
                    (k.value for k in node.keywords if k.arg == "label"), None)
                label = _literal_label(arg) if arg is not None else None
                if label:
                    labels.add(label)
    return labels


def test_button_labels_are_words() -> None:
    labels = button_labels()
    assert len(labels) > 5  # the scan finds the code's buttons
    assert {label: p for label in labels if (p := button_label_problems(label))} == {}
    assert {m: p for m in english() if (p := button_label_problems(m))} == {}
