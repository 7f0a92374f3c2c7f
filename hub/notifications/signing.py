"""Webhook signatures: HMAC-SHA256 over "<timestamp>.<raw body>" with the
subscription's shared secret (docs/notifications.md).

The timestamp is inside what is signed, so a captured request cannot be
replayed later than the receiver's tolerance window. Standard library only:
receivers may copy ``verify`` as it is.
"""

from __future__ import annotations

import hashlib
import hmac
import time

TIMESTAMP_HEADER = "X-DMS-Timestamp"
EVENT_HEADER = "X-DMS-Event"
DELIVERY_HEADER = "X-DMS-Delivery"
ATTEMPT_HEADER = "X-DMS-Attempt"
SIGNATURE_HEADER = "X-DMS-Signature"
SCHEME = "v1"
DEFAULT_TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``b"<timestamp>." + body``."""
    message = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signed_headers(
    secret: str, body: bytes, *, timestamp: int, event_kind: str, delivery_id: int, attempt: int
) -> dict[str, str]:
    """Every header a delivery carries, the signature included."""
    return {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: str(timestamp),
        EVENT_HEADER: event_kind,
        DELIVERY_HEADER: str(delivery_id),
        ATTEMPT_HEADER: str(attempt),
        SIGNATURE_HEADER: f"{SCHEME}={signature(secret, timestamp, body)}",
    }


def verify(
    secret: str,
    body: bytes,
    timestamp_header: str,
    signature_header: str,
    *,
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """True if the request is from a holder of ``secret`` and recent enough.

    ``body`` is the raw request body, before any JSON parsing. The signature
    header may list several ``v1=`` values, comma-separated (room for signing
    with an old and a new secret during a rotation); any one matching is enough.
    """
    try:
        timestamp = int(timestamp_header)
    except ValueError:
        return False
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance_seconds:
        return False
    expected = signature(secret, timestamp, body)
    for part in signature_header.split(","):
        scheme, _, value = part.strip().partition("=")
        # compare_digest: the time taken must not tell how many characters
        # matched. On bytes, since it refuses str with non-ASCII characters.
        if scheme == SCHEME and hmac.compare_digest(value.encode(), expected.encode()):
            return True
    return False
