"""JSON over HTTP as the generic ERP speaks it: its error answers read into our
error tree, on top of ``JsonHttp``'s own rules (5xx, timeouts and non-JSON
bodies are transient; other 4xx permanent).

    422 {"error": {"code", "message"}}   -> BusinessRejection(message, code=code)
    409 {"error": ..., "order": {...}}   -> DocumentExists (the existing document)
    401, 403                             -> PermanentError, code "credentials_refused"
"""

from __future__ import annotations

from typing import Any

import httpx

from connectors.base import JsonHttp
from dms_domain.errors import BusinessRejection, PermanentError


class DocumentExists(PermanentError):
    """The ERP already holds a document with this external reference: ``existing``."""

    code = "document_exists"

    def __init__(self, detail: str, existing: dict[str, Any]) -> None:
        super().__init__(detail)
        self.existing = existing


def _error_body(response: httpx.Response) -> tuple[str, str, dict[str, Any]] | None:
    """(code, message, whole body) of an answer in the ERP's error shape."""
    try:
        body = response.json()
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict) or not isinstance(error.get("code"), str):
        return None
    return error["code"], str(error.get("message") or error["code"]), body


class GenericHttp(JsonHttp):
    def decode(self, response: httpx.Response, what: str) -> Any:
        status = response.status_code
        where = f"{self.system}: {what}"
        if status in (401, 403):
            raise PermanentError(
                f"{where} refused our API key ({status})", code="credentials_refused", status=status
            )
        if 400 <= status < 500 and status != 429:
            found = _error_body(response)
            if found is not None:
                code, message, body = found
                if status == 422:
                    raise BusinessRejection(message, code=code, system=self.system, call=what)
                existing = body.get("order")
                if status == 409 and isinstance(existing, dict):
                    raise DocumentExists(f"{where}: {code}: {message}", existing)
                raise PermanentError(f"{where} answered {status} {code}: {message}", status=status)
        return super().decode(response, what)
