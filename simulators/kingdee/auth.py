"""Who is calling: a session from a login (ValidateUser, LoginByAppSecret,
LoginBySign) or the signed headers of Kingdee's own SDK (no login at all).

Sessions live in memory, expire after ``session_seconds`` idle, and are named
by the ``kdservice-sessionid`` cookie (``ASP.NET_SessionId`` and the
``kdservice-sessionid`` header are taken too, as clients send either).

Signed headers are checked as the SDK makes them (read from its code): the
timestamp within ``clock_skew_seconds``; ``X-Kd-Signature`` = Base64 of the
lowercase hex HMAC-SHA256 of AppId + AppData keyed by the app secret;
``X-Api-Signature`` the same over ``POST\\n<url-encoded path>\\n\\nx-api-nonce:..
\\nx-api-timestamp:..\\n`` keyed by the client secret hidden in the AppId.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from simulators.kingdee.answers import K3Error, MsgCode

SESSION_COOKIES = ("kdservice-sessionid", "KDSVCSessionId", "ASP.NET_SessionId")
# The SDK hides the client secret in the AppId, XOR-ed with this key (rot13 in its code).
_APP_ID_KEY = codecs.encode("0054s397p6234378o09pn7q3r5qropr7", "rot13").encode()


@dataclass(frozen=True)
class Account:
    acct_id: str
    user_name: str
    password: str
    app_id: str
    app_secret: str
    lcid: int = 2052


@dataclass(slots=True)
class Session:
    user_name: str
    last_used: float


def sign_hex_b64(content: str, key: str) -> str:
    digest = hmac.new(key.encode(), content.encode(), hashlib.sha256).hexdigest()
    return base64.b64encode(digest.encode()).decode()


def client_secret(app_id: str) -> str:
    """The secret the SDK signs X-Api-Signature with: hidden after the ``_`` of the AppId."""
    parts = app_id.split("_")
    if len(parts) != 2 or len(parts[1]) != 32:
        return ""
    try:
        hidden = base64.b64decode(parts[1], validate=True)
    except (binascii.Error, ValueError):
        return ""
    return base64.b64encode(
        bytes(b ^ k for b, k in zip(hidden, _APP_ID_KEY, strict=False))
    ).decode()


def login_sign(acct_id: str, user_name: str, app_id: str, app_secret: str, timestamp: str) -> str:
    """LoginBySign's sign: SHA-256 of the ordinal-sorted parts, concatenated."""
    joined = "".join(sorted([acct_id, user_name, app_id, app_secret, timestamp]))
    return hashlib.sha256(joined.encode()).hexdigest()


def _denied(message: str) -> K3Error:
    return K3Error.one(MsgCode.NO_PERMISSION, message)


class Gate:
    def __init__(
        self, account: Account, *, session_seconds: float, clock_skew_seconds: float = 300
    ) -> None:
        self.account = account
        self.session_seconds = session_seconds
        self.clock_skew_seconds = clock_skew_seconds
        self._lock = threading.Lock()
        self._sessions: dict[str, Session] = {}

    # -- logins ----------------------------------------------------------------------

    def login(self, stub: str, parameters: list[Any]) -> tuple[dict[str, Any], str | None]:
        """The login answer, and the new session's id when it succeeded."""
        a = self.account
        text = [str(p) if p is not None else "" for p in parameters]
        ok = False
        if stub == "ValidateUser" and len(text) >= 3:
            ok = text[:3] == [a.acct_id, a.user_name, a.password]
        elif stub == "LoginByAppSecret" and len(text) >= 4:
            ok = text[:4] == [a.acct_id, a.user_name, a.app_id, a.app_secret]
        elif stub == "LoginBySign" and len(text) >= 5:
            acct, user, app, stamp, sign = text[:5]
            fresh = stamp.isdigit() and abs(time.time() - int(stamp)) <= self.clock_skew_seconds
            expected = login_sign(a.acct_id, a.user_name, a.app_id, a.app_secret, stamp)
            ok = (
                fresh
                and [acct, user, app] == [a.acct_id, a.user_name, a.app_id]
                and hmac.compare_digest(sign.lower(), expected)
            )
        if not ok:
            return {
                "Message": "用户名或密码错误！",
                "MessageCode": "CheckPasswordPolicy",
                "LoginResultType": 0,
                "Context": None,
                "KDSVCSessionId": None,
                "IsSuccessByAPI": False,
            }, None
        sid = secrets.token_hex(16)
        with self._lock:
            self._sessions[sid] = Session(a.user_name, time.monotonic())
        return {
            "Message": None,
            "MessageCode": "CheckPasswordPolicy",
            "LoginResultType": 1,
            "Context": {
                "UserName": a.user_name,
                "UserId": 100008,
                "DBid": a.acct_id,
                "LogLocale": f"zh-CN,{a.lcid}",
                "SessionId": sid,
            },
            "KDSVCSessionId": sid,
            "IsSuccessByAPI": True,
        }, sid

    def expire_sessions(self) -> None:
        with self._lock:
            self._sessions.clear()

    def session_count(self) -> int:
        with self._lock:
            return len(self._sessions)

    # -- every other call --------------------------------------------------------------

    def check(self, path: str, headers: Mapping[str, str], cookies: Mapping[str, str]) -> None:
        """Nothing if the caller may go on; K3Error (MsgCode 1 or 2) if not."""
        if "x-kd-appkey" in headers:
            self._check_signed(path, headers)
            return
        sid = headers.get("kdservice-sessionid") or next(
            (cookies[name] for name in SESSION_COOKIES if cookies.get(name)), None
        )
        now = time.monotonic()
        with self._lock:
            session = self._sessions.get(sid or "")
            if session is None or now - session.last_used > self.session_seconds:
                self._sessions.pop(sid or "", None)
                raise K3Error.one(MsgCode.CONTEXT_LOST, "会话信息已丢失，请重新登录")
            session.last_used = now

    def _check_signed(self, path: str, headers: Mapping[str, str]) -> None:
        a = self.account
        app_id = headers.get("x-kd-appkey", "")
        if app_id != a.app_id:
            raise _denied(f"应用“{app_id}”未授权")
        stamp = headers.get("x-api-timestamp", "")
        if not stamp.isdigit() or abs(time.time() - int(stamp)) > self.clock_skew_seconds:
            raise _denied(f"请求时间戳“{stamp}”已过期或无效")
        app_data = headers.get("x-kd-appdata", "")
        try:
            acct, user, _lcid, _org = base64.b64decode(app_data, validate=True).decode().split(",")
        except (binascii.Error, ValueError):
            raise _denied("X-Kd-Appdata 格式不正确") from None
        if (acct, user) != (a.acct_id, a.user_name):
            raise _denied(f"账套“{acct}”或用户“{user}”不正确")
        expected = sign_hex_b64(app_id + base64.b64decode(app_data).decode(), a.app_secret)
        if not hmac.compare_digest(headers.get("x-kd-signature", ""), expected):
            raise _denied("X-Kd-Signature 签名不正确")
        nonce = headers.get("x-api-nonce", "")
        signed = headers.get("x-api-signheaders", "").replace(" ", "").lower()
        if signed != "x-api-timestamp,x-api-nonce":
            raise _denied(f"x-api-signheaders 不支持：“{signed}”")
        encoded = quote(path, encoding="utf-8").replace("/", "%2F")
        content = f"POST\n{encoded}\n\nx-api-nonce:{nonce}\nx-api-timestamp:{stamp}\n"
        api_signature = sign_hex_b64(content, client_secret(app_id))
        if not hmac.compare_digest(headers.get("x-api-signature", ""), api_signature):
            raise _denied("X-Api-Signature 签名不正确")
        if headers.get("x-api-clientid", "") != app_id.split("_")[0]:
            raise _denied("X-Api-ClientID 与应用不符")
