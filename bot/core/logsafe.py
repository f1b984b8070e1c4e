"""Logging failures without personal data.

An exception's message can carry what people typed (SQL parameters in an
IntegrityError, a name in a ValueError). We log the exception's class and the
code locations only, never `str(exc)`.
"""

from __future__ import annotations

import logging
import traceback


def log_failure(log: logging.Logger, what: str, exc: BaseException) -> None:
    frames = traceback.extract_tb(exc.__traceback__)[-6:]
    where = " <- ".join(
        f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno} {f.name}" for f in reversed(frames)
    )
    log.error("%s: %s at %s", what, type(exc).__name__, where)
