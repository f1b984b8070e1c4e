"""Feedback: requests, answers, anonymity, results, staff review and closing the loop.

Services here take a database session and plain values, so the chat handlers
(`handlers/feedback*.py`), the CLI (`bot/commands/feedback.py`) and the
dashboard all share one set of rules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.config import Settings

# Free text longer than this is refused kindly (issue 7), not cut silently.
MAX_TEXT = 2000
# Staff replies and reasons are short: they go to members as a chat message.
MAX_RESPONSE = 500


def min_group(settings: Settings) -> int:
    """The smallest group whose results may be shown; never below 2."""
    return max(2, settings.feedback_min_group_size)
