"""FLUX over HTTP: every call a POST of signed system parameters (query string)
and ``data`` (form body); every answer ``{"Response": {"return": {...}}}``,
read into our error tree on top of ``JsonHttp``'s rules (5xx, timeouts and
non-JSON bodies are transient):

    returnCode S001 (sign, appkey, parameters)   -> PermanentError "credentials_refused"
    returnCode S002 (system error)               -> TransientError
    anything else                                -> a FluxAnswer the connector reads
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from connectors.base import JsonHttp
from connectors.wms.config import FluxWmsConfig
from connectors.wms.signing import flux_time, sign
from dms_domain.errors import PermanentError, TransientError

SIGN_ERROR = "S001"
SYSTEM_ERROR = "S002"
OK = "0000"


@dataclass(frozen=True, slots=True)
class FluxAnswer:
    flag: str  # "1" all done, "0" none, "2" some
    code: str
    desc: str
    results: list[dict[str, Any]]

    def entry(self, reference: str) -> dict[str, Any] | None:
        """The ``resultInfo`` entry of one order of the call (by SOREFERENCE1)."""
        found = [r for r in self.results if str(r.get("SOREFERENCE1") or "") == reference]
        return found[0] if found else None


def read_answer(body: Any, where: str) -> FluxAnswer:
    answer = body.get("Response") if isinstance(body, dict) else None
    answer = answer.get("return") if isinstance(answer, dict) else None
    flag = answer.get("returnFlag") if isinstance(answer, dict) else None
    if not isinstance(answer, dict) or str(flag) not in ("0", "1", "2"):
        raise TransientError(f"{where}: not a FLUX answer: {str(body)[:200]}")
    results = answer.get("resultInfo") or []
    if isinstance(results, dict):
        results = [results]
    if not isinstance(results, list) or not all(isinstance(r, dict) for r in results):
        raise TransientError(f"{where}: resultInfo is not a list of entries: {str(body)[:200]}")
    return FluxAnswer(
        str(flag), str(answer.get("returnCode") or ""), str(answer.get("returnDesc") or ""), results
    )


class FluxHttp(JsonHttp):
    def __init__(
        self,
        system: str,
        config: FluxWmsConfig,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        super().__init__(
            system, config.base_url, timeout=config.timeout_seconds, transport=transport
        )
        self.config = config
        self.clock = clock

    def call(self, method: str, data: Any) -> FluxAnswer:
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        params = {
            "method": method,
            "client_customerid": self.config.client_customerid,
            "client_db": self.config.client_db,
            "messageid": uuid.uuid4().hex,
            "apptoken": self.config.app_token,
            "appkey": self.config.app_key,
            "timestamp": flux_time(self.clock()),
            "format": "json",
            "sign": sign(self.config.app_secret.get_secret_value(), text),
        }
        where = f"{self.system}: {method}"
        body = self.request("POST", "", params=params, data={"data": text})
        answer = read_answer(body, where)
        if answer.flag == "0" and answer.code == SIGN_ERROR:
            raise PermanentError(
                f"{where} refused our credentials: {answer.desc}", code="credentials_refused"
            )
        if answer.flag == "0" and answer.code == SYSTEM_ERROR:
            raise TransientError(f"{where}: the WMS failed ({answer.code}: {answer.desc})")
        return answer
