"""What a delivery attempt's outcome means, and how long to wait before the next.

Pure functions, so the retry policy can be read and tested without a network.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from enum import StrEnum

MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=1)
# Statuses that say "not now" rather than "no": the request may succeed later.
RETRYABLE_4XX = frozenset({408, 429})

_system_random = random.SystemRandom()


class Outcome(StrEnum):
    DELIVERED = "delivered"
    RETRY = "retry"
    FAILED = "failed"


def classify_status(status_code: int) -> Outcome:
    """2xx delivered; 408, 429 and 5xx retried; anything else fails at once.

    Redirects (3xx) are not followed, so a signed body never goes to a host the
    subscriber did not name: the subscription's URL must be fixed instead.
    """
    if 200 <= status_code < 300:
        return Outcome.DELIVERED
    if status_code in RETRYABLE_4XX or status_code >= 500:
        return Outcome.RETRY
    return Outcome.FAILED


def backoff(
    attempt: int,
    *,
    retry_after: float | None = None,
    uniform: Callable[[float, float], float] = _system_random.uniform,
) -> timedelta:
    """The wait after failed attempt number ``attempt`` (1-based).

    Exponential (1, 2, 4 ... minutes) up to one hour, with "equal jitter": half
    of the step is fixed, half random, so receivers coming back after an outage
    are not hit by every sender at the same second. A receiver's
    ``Retry-After`` (seconds) is honoured up to the cap.
    """
    step = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** min(attempt - 1, 16)).total_seconds()
    delay = step / 2 + uniform(0.0, step / 2)
    if retry_after is not None:
        delay = max(delay, min(retry_after, BACKOFF_CAP.total_seconds()))
    return timedelta(seconds=delay)


def retry_after_seconds(value: str | None) -> float | None:
    """A ``Retry-After`` header given in seconds; an HTTP date is ignored (the
    backoff applies), as is anything malformed."""
    if value is None or not value.strip().isdigit():
        return None
    return float(value.strip())
