"""FLUX's signature, as the warehouse computes it: Base64 of the MD5 of
``appSecret + data + appSecret`` (the MD5 written as lower-case hex text, as
integrators' ``md5()`` gives it). Kept apart from the connector's own code on
purpose: the simulator is the other side and must not share its bugs."""

from __future__ import annotations

import base64
import hashlib
import hmac


def flux_sign(secret: str, data: str) -> str:
    digest = hashlib.md5((secret + data + secret).encode(), usedforsecurity=False).hexdigest()
    return base64.b64encode(digest.encode()).decode()


def sign_matches(secret: str, data: str, sign: str) -> bool:
    return hmac.compare_digest(flux_sign(secret, data), sign)
