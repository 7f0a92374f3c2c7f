"""The signed headers of Kingdee's own SDK (``kingdee-cdp-webapi-sdk``), so the
connector can call K3 Cloud without a login, as that SDK does.

    X-Api-ClientID       the AppId's part before "_"
    X-Api-Auth-Version   2.0
    x-api-timestamp, x-api-nonce     Unix seconds
    x-api-signheaders    x-api-timestamp,x-api-nonce
    X-Api-Signature      sign("POST\\n" + path url-encoded ("/" as %2F) + "\\n\\nx-api-nonce:"
                         + nonce + "\\nx-api-timestamp:" + timestamp + "\\n", client secret)
    X-Kd-Appkey          the AppId
    X-Kd-Appdata         Base64 of "acctId,userName,lcid,orgId"
    X-Kd-Signature       sign(AppId + that text, AppSecret)

where sign(text, key) is Base64 of the lowercase hex HMAC-SHA256, and the
client secret is hidden in the AppId after "_" (32 Base64 characters XOR-ed
with a fixed key the SDK ships).
"""

from __future__ import annotations

import base64
import binascii
import codecs
import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import quote

_HIDING_KEY = codecs.encode("0054s397p6234378o09pn7q3r5qropr7", "rot13").encode()
HIDDEN_LENGTH = 32


def hex_hmac_b64(text: str, key: str) -> str:
    digest = hmac.new(key.encode(), text.encode(), hashlib.sha256).hexdigest()
    return base64.b64encode(digest.encode()).decode()


def hidden_client_secret(app_id: str) -> str:
    """The client secret inside an AppId ``<client id>_<32 chars>``, or "" (as the SDK)."""
    _, sep, hidden = app_id.partition("_")
    if not sep or "_" in hidden or len(hidden) != HIDDEN_LENGTH:
        return ""
    try:
        raw = base64.b64decode(hidden, validate=True)
    except (binascii.Error, ValueError):
        return ""
    return base64.b64encode(bytes(b ^ k for b, k in zip(raw, _HIDING_KEY, strict=False))).decode()


def login_sign(acct_id: str, user_name: str, app_id: str, app_secret: str, timestamp: str) -> str:
    """LoginBySign's ``sign``: lowercase hex SHA-256 of the parts sorted and joined."""
    parts = sorted([acct_id, user_name, app_id, app_secret, timestamp])
    return hashlib.sha256("".join(parts).encode()).hexdigest()


@dataclass(frozen=True)
class AppIdentity:
    acct_id: str
    user_name: str
    app_id: str
    app_secret: str
    lcid: int = 2052
    org_id: int = 0

    def headers(self, path: str, timestamp: int) -> dict[str, str]:
        """The headers of one call to ``path`` (the URL's path) at ``timestamp``."""
        stamp = str(timestamp)
        nonce = stamp  # as the SDK: K3 accepts a nonce equal to the timestamp
        encoded = quote(path, encoding="utf-8").replace("/", "%2F")
        api_text = f"POST\n{encoded}\n\nx-api-nonce:{nonce}\nx-api-timestamp:{stamp}\n"
        app_data = f"{self.acct_id},{self.user_name},{self.lcid},{self.org_id}"
        return {
            "X-Api-ClientID": self.app_id.partition("_")[0],
            "X-Api-Auth-Version": "2.0",
            "x-api-timestamp": stamp,
            "x-api-nonce": nonce,
            "x-api-signheaders": "x-api-timestamp,x-api-nonce",
            "X-Api-Signature": hex_hmac_b64(api_text, hidden_client_secret(self.app_id)),
            "X-Kd-Appkey": self.app_id,
            "X-Kd-Appdata": base64.b64encode(app_data.encode()).decode(),
            "X-Kd-Signature": hex_hmac_b64(self.app_id + app_data, self.app_secret),
        }
