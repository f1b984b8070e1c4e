"""Starter risk phrases per language, used when the deployment sets none.

A match offers the member a call back; a serious match alerts the
safeguarding contact at once. Deployments should review these lists with
their safeguarding lead (RISK_PHRASES / SERIOUS_RISK_PHRASES settings).
"""

from __future__ import annotations

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
