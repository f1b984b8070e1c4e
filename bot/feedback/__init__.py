"""Feedback: requests, answers, anonymity, results, staff review and closing the loop.

Services here take a database session and plain values, so the chat handlers
(`handlers/feedback*.py`), the CLI (`bot/commands/feedback.py`) and the
dashboard all share one set of rules.
"""

from __future__ import annotations

# Free text longer than this is refused kindly (issue 7), not cut silently.
MAX_TEXT = 2000
# Staff replies and reasons are short: they go to members as a chat message.
MAX_RESPONSE = 500
# Results for fewer answers than this show only "fewer than N answers".
DEFAULT_MIN_GROUP = 5
# How long after a session a linked request goes out by itself.
DEFAULT_SESSION_DELAY_MINUTES = 120


def min_group(settings: object) -> int:
    """The smallest group whose results may be shown; never below 2."""
    value = getattr(settings, "feedback_min_group_size", DEFAULT_MIN_GROUP)
    try:
        return max(2, int(value))
    except (TypeError, ValueError):
        return DEFAULT_MIN_GROUP
