"""CSRF tokens for the cookie session the web pages use.

A page that authenticates by cookie must prove on every unsafe request that it
was served by us: it echoes in ``X-CSRF-Token`` a value derived from the session
token with the signing key. The value is stateless (nothing is stored) and is
only valid for that one session token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

SESSION_COOKIE = "dms_session"
CSRF_HEADER = "X-CSRF-Token"
# Logging in to a cookie session needs this header (any value): no cross-site
# form can send it.
LOGIN_HEADER = "X-Requested-With"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def csrf_token_for(session_token: str, *, key: str) -> str:
    digest = hmac.new(key.encode(), b"csrf:" + session_token.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def csrf_token_matches(sent: str | None, session_token: str, *, key: str) -> bool:
    if not sent:
        return False
    return hmac.compare_digest(sent, csrf_token_for(session_token, key=key))
