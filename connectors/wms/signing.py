"""FLUX's signature and clock. sign = Base64 of MD5(appSecret + data +
appSecret), the MD5 as lower-case hex text; it travels URL-encoded (the HTTP
client escapes it as any query parameter). Times are Beijing time without an
offset, ``YYYY-MM-DD HH:MM:SS``."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def sign(secret: str, data: str) -> str:
    digest = hashlib.md5((secret + data + secret).encode(), usedforsecurity=False).hexdigest()
    return base64.b64encode(digest.encode()).decode()


def sign_ok(secret: str, data: str, given: str) -> bool:
    return hmac.compare_digest(sign(secret, data).encode(), given.encode())


def flux_time(moment: datetime) -> str:
    return moment.astimezone(BEIJING).strftime(TIME_FORMAT)


def read_flux_time(text: str) -> datetime | None:
    try:
        return datetime.strptime(text.strip(), TIME_FORMAT).replace(tzinfo=BEIJING)
    except ValueError:
        return None
