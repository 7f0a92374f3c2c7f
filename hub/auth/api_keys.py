"""API keys: high-entropy random strings, stored as SHA-256 (design.md).

A slow password hash would cost about 100 ms per request; a key with 256 bits
of entropy cannot be guessed, so a plain digest is the right tool here.
"""

from __future__ import annotations

import hashlib
import secrets

KEY_PREFIX = "dms_"
DISPLAY_PREFIX_LENGTH = 12


def new_api_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def digest_api_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def display_prefix(key: str) -> str:
    return key[:DISPLAY_PREFIX_LENGTH]
