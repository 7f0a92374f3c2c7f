"""OData V2 over HTTP as SAP Gateway speaks it, on top of ``JsonHttp``.

Changes carry a CSRF token: fetched with ``X-CSRF-Token: Fetch`` on a GET,
bound to the session cookie (kept by the client), and fetched again once when
SAP answers 403 with ``x-csrf-token: Required`` (the session timed out).

    401, 403 (other than the CSRF answer)       -> PermanentError "credentials_refused"
    4xx with an application message (V1/302)    -> BusinessRejection(message, code)
    4xx from the Gateway itself (/IWBEP/..., /IWFND/...) -> PermanentError: our request is wrong
    5xx, 429, timeouts, bodies that are not JSON -> TransientError (JsonHttp)
"""

from __future__ import annotations

import threading
from typing import Any

import httpx

from connectors.base import JsonHttp
from connectors.mapping import jsonio
from connectors.sap.config import SapConfig
from dms_domain.errors import BusinessRejection, PermanentError

TECHNICAL = ("/IWBEP/", "/IWFND/")
JSON_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}


def odata_error(response: httpx.Response) -> tuple[str, str] | None:
    """(code, message) of an answer in SAP Gateway's error shape."""
    try:
        body = response.json()
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict) or not isinstance(error.get("code"), str):
        return None
    message = error.get("message")
    text = message.get("value") if isinstance(message, dict) else message
    return error["code"], str(text or error["code"])


def csrf_required(response: httpx.Response) -> bool:
    return (
        response.status_code == 403
        and response.headers.get("x-csrf-token", "").lower() == "required"
    )


class SapOData(JsonHttp):
    def __init__(
        self, who: str, config: SapConfig, *, transport: httpx.BaseTransport | None = None
    ) -> None:
        super().__init__(
            who,
            f"{config.base_url}{config.odata_root}",
            timeout=config.timeout_seconds,
            headers={"Accept": "application/json"},
            transport=transport,
        )
        self.client.auth = httpx.BasicAuth(config.user, config.password.get_secret_value())
        self.client.params = httpx.QueryParams({"sap-client": config.client})
        self._token_lock = threading.Lock()
        self._token: str | None = None

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.request("GET", path, params=params)

    def change(self, method: str, service: str, path: str, body: dict[str, Any]) -> Any:
        """A POST / PATCH with the session's CSRF token, fetched again once if SAP wants it."""
        content = jsonio.dumps(body).encode()
        what = f"{method} {service}/{path}"
        token = self._token or self._fetch_token(service)
        for attempt in (1, 2):
            headers = {**JSON_HEADERS, "X-CSRF-Token": token}
            response = self._send(method, f"/{service}/{path}", content=content, headers=headers)
            if csrf_required(response) and attempt == 1:
                token = self._fetch_token(service, stale=token)
                continue
            return self.decode(response, what)
        raise AssertionError("unreachable")  # pragma: no cover

    def _fetch_token(self, service: str, stale: str | None = None) -> str:
        with self._token_lock:
            current = self._token
            if current is not None and current != stale:
                return current  # another thread fetched a fresh one meanwhile
            response = self._send("GET", f"/{service}/", headers={"X-CSRF-Token": "Fetch"})
            self.decode(response, f"GET {service}/ (CSRF token)")
            token: str | None = response.headers.get("x-csrf-token")
            if not token or token.lower() == "required":
                raise PermanentError(f"{self.system}: {service} gave no CSRF token")
            self._token = token
            return token

    def decode(self, response: httpx.Response, what: str) -> Any:
        status = response.status_code
        where = f"{self.system}: {what}"
        if status in (401, 403):
            raise PermanentError(
                f"{where}: SAP refused the logon ({status})",
                code="credentials_refused",
                status=status,
            )
        if 400 <= status < 500 and status != 429:
            found = odata_error(response)
            if found is not None:
                code, message = found
                if not code.startswith(TECHNICAL) and status != 404:
                    raise BusinessRejection(message, code=code, system="sap", call=what)
                raise PermanentError(f"{where} answered {status} {code}: {message}", status=status)
        return super().decode(response, what)
