"""K3 Cloud's WebAPI over HTTP: every call ``POST {root}/{Service}.common.kdsvc``
with a JSON body, signed in one of two ways:

* a session (``password`` = ValidateUser, ``app_secret`` = LoginByAppSecret,
  ``sign`` = LoginBySign): logged in on first use, its cookies sent on every
  call; an answer saying the context is lost (MsgCode 1) logs in again and the
  call is sent once more;
* ``signed_headers``: the headers of Kingdee's SDK on every call, no login.

Answers are read with exact decimals (``jsonio``); HTTP errors, timeouts and
broken bodies are translated by the rules of ``JsonHttp``.
"""

from __future__ import annotations

import threading
import time
from http.cookiejar import DefaultCookiePolicy
from typing import Any
from urllib.parse import urlsplit

import httpx

from connectors.base import JsonHttp
from connectors.kingdee import protocol
from connectors.kingdee.config import KingdeeConfig
from connectors.kingdee.signing import AppIdentity, login_sign
from connectors.mapping import jsonio
from dms_domain.errors import PermanentError, TransientError

JSON_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}
LOGIN_STUBS = {"password": "ValidateUser", "app_secret": "LoginByAppSecret", "sign": "LoginBySign"}
LOGIN_OK = 1


class KingdeeHttp(JsonHttp):
    def __init__(
        self, system: str, config: KingdeeConfig, *, transport: httpx.BaseTransport | None = None
    ) -> None:
        super().__init__(
            system, config.base_url + "/", timeout=config.timeout_seconds, transport=transport
        )
        # Cookies are ours to keep (the session's), not the client's: a re-login
        # must replace them for every thread at once.
        self.client.cookies.jar.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        self.config = config
        self._root = urlsplit(config.base_url).path.rstrip("/")
        self._login_lock = threading.Lock()
        self._cookies: str | None = None
        self.logins = 0  # how many times this client logged in (seen by tests and logs)
        self._identity = AppIdentity(
            config.acct_id,
            config.user_name,
            config.app_id or "",
            config.secret("app_secret"),
            config.lcid,
            config.org_id,
        )

    # -- answers -----------------------------------------------------------------------

    def decode(self, response: httpx.Response, what: str) -> Any:
        status = response.status_code
        where = f"{self.system}: {what}"
        if status in (401, 403):
            raise PermanentError(
                f"{where} refused our credentials ({status})", code="credentials_refused"
            )
        if status not in (200, 206):
            return super().decode(response, what)  # 5xx and 429 transient, others permanent
        text = response.text
        if text.startswith("response_error:"):
            raise TransientError(f"{where}: {text[:300]}")
        try:
            return jsonio.loads(text)
        except ValueError as exc:
            raise TransientError(
                f"{where} answered {status} with a body that is not JSON: {text[:120]!r}"
            ) from exc

    # -- calls ---------------------------------------------------------------------------

    def call(self, name: str, body: dict[str, Any], what: str) -> Any:
        """The decoded answer of service ``name``; a lost session is renewed once."""
        path = protocol.service(name)
        content = jsonio.dumps(body).encode()
        answer, sent_cookies = self._post(path, content, what)
        if _context_lost(answer):
            if self.config.auth != "signed_headers":
                self._renew(sent_cookies)
            # Signed headers: a fresh signature is all a second call can change.
            answer, _ = self._post(path, content, what)
        return answer

    def _post(self, path: str, content: bytes, what: str) -> tuple[Any, str | None]:
        """The decoded answer, and the session cookies it was sent with."""
        headers = {**JSON_HEADERS, **self._auth_headers(path)}
        response = self._send("POST", path, content=content, headers=headers)
        return self.decode(response, what), headers.get("Cookie")

    def _auth_headers(self, path: str) -> dict[str, str]:
        if self.config.auth == "signed_headers":
            return self._identity.headers(f"{self._root}/{path}", int(time.time()))
        cookies = self._cookies
        if cookies is None:
            cookies = self._renew(None)
        return {"Cookie": cookies}

    def _renew(self, stale: str | None) -> str:
        """Log in, unless another thread already replaced the ``stale`` session."""
        with self._login_lock:
            if self._cookies is not None and self._cookies != stale:
                return self._cookies
            self._cookies = self._login()
            return self._cookies

    def _login(self) -> str:
        c = self.config
        stub = LOGIN_STUBS[c.auth]
        if c.auth == "password":
            parameters: list[Any] = [c.acct_id, c.user_name, c.secret("password"), c.lcid]
        elif c.auth == "app_secret":
            parameters = [c.acct_id, c.user_name, c.app_id, c.secret("app_secret"), c.lcid]
        else:
            stamp = str(int(time.time()))
            sign = login_sign(c.acct_id, c.user_name, c.app_id or "", c.secret("app_secret"), stamp)
            parameters = [c.acct_id, c.user_name, c.app_id, stamp, sign, c.lcid]
        what = f"login ({stub})"
        response = self._send(
            "POST",
            protocol.service(protocol.AUTH_SERVICE + stub),
            content=jsonio.dumps({"parameters": parameters}).encode(),
            headers=JSON_HEADERS,
        )
        answer = self.decode(response, what)
        if not isinstance(answer, dict) or "LoginResultType" not in answer:
            raise TransientError(f"{self.system}: {what}: not a login answer: {str(answer)[:200]}")
        if answer["LoginResultType"] != LOGIN_OK:
            reason = answer.get("Message") or f"LoginResultType {answer['LoginResultType']}"
            raise PermanentError(
                f"{self.system}: {what} refused: {reason}", code="credentials_refused"
            )
        self.logins += 1
        cookies = {name: value for name, value in response.cookies.items() if value}
        sid = answer.get("KDSVCSessionId")
        if isinstance(sid, str) and sid:
            cookies.setdefault("kdservice-sessionid", sid)
        if not cookies:
            raise TransientError(f"{self.system}: {what} gave no session: {str(answer)[:200]}")
        return "; ".join(f"{name}={value}" for name, value in cookies.items())


def _context_lost(answer: Any) -> bool:
    """An operation's or a query's failure with MsgCode 1."""
    if isinstance(answer, list) and answer and isinstance(answer[0], list) and answer[0]:
        answer = answer[0][0]
    if not isinstance(answer, dict):
        return False
    result = answer.get("Result")
    status = result.get("ResponseStatus") if isinstance(result, dict) else None
    return (
        isinstance(status, dict)
        and status.get("IsSuccess") is False
        and status.get("MsgCode") == protocol.CONTEXT_LOST
    )
