"""Bearer tokens: signed JWTs (HS256) with an expiry."""

from __future__ import annotations

import functools
import time
from datetime import datetime, timedelta

import jwt

ALGORITHM = "HS256"
ISSUER = "dms-hub"


class InvalidToken(Exception):
    """The token is malformed, badly signed or expired."""


def issue_token(username: str, *, key: str, ttl_seconds: int, now: datetime) -> str:
    claims = {
        "sub": username,
        "iss": ISSUER,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(seconds=ttl_seconds)).timestamp()),
    }
    return jwt.encode(claims, key, algorithm=ALGORITHM)


def read_token(token: str, *, key: str) -> str:
    """Return the username the token was issued to.

    A token whose signature has been checked is remembered (per signing key)
    until it expires, so the HMAC and the JSON parse are not redone on every
    request of a client; the expiry is still checked every time."""
    subject, expires = _verified(token, key)
    if expires <= time.time():
        raise InvalidToken("Signature has expired")
    return subject


@functools.lru_cache(maxsize=4096)
def _verified(token: str, key: str) -> tuple[str, int]:
    """(subject, expiry) of a token with a good signature; a bad one raises
    (and is not remembered)."""
    try:
        claims = jwt.decode(
            token, key, algorithms=[ALGORITHM], issuer=ISSUER, options={"require": ["exp", "sub"]}
        )
    except jwt.PyJWTError as exc:
        raise InvalidToken(str(exc)) from exc
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise InvalidToken("token has no subject")
    return subject, int(claims["exp"])
