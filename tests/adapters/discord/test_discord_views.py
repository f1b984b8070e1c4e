"""Discord's limits on text and buttons: 2000 characters, 5 per row, 25 per message."""

from __future__ import annotations

from bot.adapters.discord_text import button_label, render_parts, split_text
from bot.adapters.discord_views import (
    ActionButton,
    build_view,
    page_count,
    paginate,
    parse_page,
    wrap_rows,
)
from bot.adapters.utf16 import utf16_units
from bot.core.events import Button, OutgoingMessage


def buttons(n: int, prefix: str = "x") -> list[Button]:
    return [Button(f"Choice {i}", f"{prefix}:{i}") for i in range(n)]


def test_short_text_is_one_part() -> None:
    assert render_parts("Hello.") == ["Hello."]
    assert render_parts("   ") == []


def test_text_is_split_at_paragraphs_within_2000() -> None:
    text = "\n\n".join(["word " * 150] * 6).strip()
    parts = split_text(text)
    assert len(parts) > 1 and all(utf16_units(p) <= 2000 for p in parts)
    assert " ".join(" ".join(parts).split()) == " ".join(text.split())


def test_text_without_spaces_is_cut_hard() -> None:
    parts = split_text("a" * 4500)
    assert [len(p) for p in parts] == [2000, 2000, 500]


def test_a_cut_never_separates_an_escape() -> None:
    escaped = render_parts("x" * 1999 + "*" + "y" * 10)
    assert escaped[0].endswith("x") and escaped[1].startswith("\\*")


def test_emoji_count_as_two_units() -> None:
    parts = split_text("😀" * 1500)
    assert all(utf16_units(p) <= 2000 for p in parts) and "".join(parts) == "😀" * 1500


def test_markdown_is_shown_as_typed() -> None:
    assert render_parts("*hi* _there_ # not a title") == ["\\*hi\\* \\_there\\_ # not a title"]


def test_labels_fit_in_80_characters() -> None:
    assert len(button_label("long " * 40)) == 80
    assert button_label("  ") == "•"


def test_rows_hold_at_most_five_buttons() -> None:
    rows = wrap_rows([buttons(7), buttons(2, "y")])
    assert [len(r) for r in rows] == [5, 2, 2]


def test_up_to_25_buttons_need_no_pages() -> None:
    rows = [buttons(25)[i : i + 5] for i in range(0, 25, 5)]
    assert len(paginate(rows)) == 1
    view = build_view(OutgoingMessage("Pick.", rows))
    assert view is not None and len(view.children) == 25


def test_more_than_25_buttons_are_paged_with_next_and_previous() -> None:
    message = OutgoingMessage("Pick.", [buttons(40)[i : i + 5] for i in range(0, 40, 5)])
    assert page_count(message) == 2
    first = build_view(message, 0, ("Back a page", "More"))
    assert first is not None
    ids = [item.custom_id for item in first.children]  # type: ignore[attr-defined]
    assert ids[:20] == [f"x:{i}" for i in range(20)] and ids[20:] == ["~page:1"]
    last = build_view(message, 1, ("Back a page", "More"))
    assert last is not None
    labels = [item.item.label for item in last.children]  # type: ignore[attr-defined]
    assert labels[-1] == "Back a page" and "More" not in labels
    assert all(isinstance(item, ActionButton) for item in last.children)
    assert len(last.to_components()) <= 5


def test_only_exact_page_ids_turn_pages() -> None:
    assert parse_page("~page:3") == 3
    for forged in ("~page:", "~page:-1", "~page:1x", "~page:1234", "lang:cy", "~PAGE:1"):
        assert parse_page(forged) is None


def test_no_buttons_no_view() -> None:
    assert build_view(OutgoingMessage("Hi.")) is None
