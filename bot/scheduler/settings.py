"""Defaults for the scheduler, check-in, session and safeguarding settings.

These are read with `setting(settings, name)`: the value on the `Settings`
object when the deployment defines it, else the default here. That lets the
features work before the lead adds the fields to `bot/config.py`.
"""

from __future__ import annotations

from typing import Any

# Risk phrases per language. A match offers the member a call back; a
# serious match alerts the safeguarding contact at once. Deployments should
# review these lists with their safeguarding lead.
RISK_PHRASES: dict[str, list[str]] = {
    "en": [
        "hopeless", "can't cope", "cant cope", "cannot cope", "no point", "give up",
        "worthless", "so alone", "self harm", "self-harm", "hurt myself", "harm myself",
        "can't go on", "cant go on", "nobody cares", "in danger", "not safe",
    ],
    "cy": ["anobaith", "methu ymdopi", "dim pwynt", "ar ben fy hun", "hunan-niweidio"],
}
SERIOUS_RISK_PHRASES: dict[str, list[str]] = {
    "en": [
        "kill myself", "end my life", "take my life", "suicide", "suicidal", "want to die",
        "better off dead", "end it all", "overdose", "don't want to be here anymore",
        "dont want to be here anymore",
    ],
    "cy": ["lladd fy hun", "hunanladdiad", "eisiau marw", "diweddu fy mywyd"],
}

DEFAULTS: dict[str, Any] = {
    # Scheduler
    "scheduler_scan_seconds": 30.0,  # how often each due-item scan runs at most
    "scheduler_standby_retry_seconds": 3.0,  # a standby tries the lock this often
    "scheduler_heartbeat_seconds": 2.0,  # the leader checks its lock this often
    "scheduler_late_after_seconds": 300.0,  # fired later than this counts as late
    # Check-ins
    "checkin_drop_after_hours": 24.0,  # a check-in overdue longer than this is dropped
    "checkin_answer_hours": 72.0,  # how long a check-in's buttons stay open
    "checkin_note_max_chars": 500,
    "checkin_low_mood": 2,  # this answer or lower offers a call back
    "risk_phrases": RISK_PHRASES,
    "serious_risk_phrases": SERIOUS_RISK_PHRASES,
    # Sessions
    "session_reminder_minutes": [1440, 60],  # 24 hours and 1 hour before
    # Reminders closer to the start than this are skipped in quiet hours, not moved.
    "session_reminder_skip_under_minutes": 180,
    # Safeguarding
    "safeguarding_escalation_hours": 4.0,  # counted within staff working hours
    # Ordered "platform:user_id" contacts after the safeguarding role; admins are last.
    "safeguarding_escalation_contacts": [],
    "staff_working_days": [0, 1, 2, 3, 4],  # Monday is 0
    "staff_working_start": "09:00",
    "staff_working_end": "17:00",
    "staff_timezone": None,  # None: the deployment's DEFAULT_TIMEZONE
}


def setting(settings: object, name: str) -> Any:
    """The deployment's value for `name`, or our default when it has none."""
    value = getattr(settings, name, None)
    return DEFAULTS[name] if value is None else value
