"""SOAP through zeep, with SAP's answers read into our error tree.

The zeep client is built once per connector, on the first call (loading the
WSDL is slow, and a refused logon should be an answer, not a crash at start),
with an operation timeout and the service address from the settings, never
the WSDL's ``soap:address``. zeep parses every answer refusing DTDs, entities
and external references.

    soap:Server fault, 5xx, 429, timeout, no connection, a broken answer -> TransientError
    soap:Client fault, other 4xx                                         -> PermanentError
    401, 403                                   -> PermanentError "credentials_refused"
    an answer with a DTD or entities           -> PermanentError "unsafe_xml"
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import requests
import zeep
import zeep.exceptions
from lxml import etree
from zeep.helpers import serialize_object
from zeep.transports import Transport

from connectors import correlation
from connectors.sap.config import SapConfig
from dms_domain.errors import ExternalSystemError, PermanentError, TransientError

UNSAFE = (
    zeep.exceptions.DTDForbidden,
    zeep.exceptions.EntitiesForbidden,
    zeep.exceptions.ExternalReferenceForbidden,
)
BROKEN = (
    zeep.exceptions.XMLSyntaxError,
    zeep.exceptions.XMLParseError,
    zeep.exceptions.LookupError,
    zeep.exceptions.UnexpectedElementError,
    etree.XMLSyntaxError,
)


def zeep_settings() -> zeep.Settings:
    return zeep.Settings(
        strict=True,
        xml_huge_tree=False,
        forbid_dtd=True,
        forbid_entities=True,
        forbid_external=True,
    )


class _CorrelatedTransport(Transport):
    """zeep's transport, sending the work's correlation id with every call (as
    ``JsonHttp`` does for the REST connectors)."""

    def post(self, address: str, message: Any, headers: dict[str, str]) -> Any:
        correlation_id = correlation.current()
        if correlation_id is not None:
            headers = {**headers, correlation.HEADER: correlation_id}
        return super().post(address, message, headers)  # type: ignore[no-untyped-call]


class SapSoap:
    def __init__(self, who: str, config: SapConfig) -> None:
        self.who = who
        self.config = config
        self._lock = threading.Lock()
        self._service: Any = None
        self._session = requests.Session()
        self._session.auth = (config.user, config.password.get_secret_value())
        self._session.params = {"sap-client": config.client}

    def close(self) -> None:
        self._session.close()

    def _proxy(self) -> Any:
        with self._lock:
            if self._service is None:
                transport = _CorrelatedTransport(  # type: ignore[no-untyped-call]
                    session=self._session,
                    timeout=self.config.wsdl_timeout_seconds,
                    operation_timeout=self.config.timeout_seconds,
                )
                where = f"{self.who}: the WSDL at {self.config.wsdl_location}"
                client = self._guard(
                    where,
                    lambda: zeep.Client(  # type: ignore[no-untyped-call]
                        self.config.wsdl_location, transport=transport, settings=zeep_settings()
                    ),
                )
                self._service = client.create_service(
                    self.config.soap_binding, self.config.soap_address
                )
            return self._service

    def call(self, operation: str, **params: Any) -> dict[str, Any]:
        """One function module's answer (of several parameters), as plain dicts and lists."""
        data = self._call(operation, params)
        if not isinstance(data, dict):
            raise TransientError(f"{self.who}: {operation} answered {data!r:.200}")
        return data

    def call_table(self, operation: str, **params: Any) -> list[dict[str, Any]]:
        """The rows of a function module's only answer parameter, a table (zeep unwraps
        an answer of one parameter, and a table of one element, ``item``)."""
        data = self._call(operation, params)
        if isinstance(data, dict) and set(data) == {"item"}:
            data = data["item"]
        if data is None:
            return []
        if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
            raise TransientError(f"{self.who}: {operation} answered {data!r:.200}")
        return data

    def _call(self, operation: str, params: dict[str, Any]) -> Any:
        proxy = self._proxy()
        where = f"{self.who}: {operation}"
        answer = self._guard(where, lambda: getattr(proxy, operation)(**params))
        return serialize_object(answer, dict)  # type: ignore[no-untyped-call]

    def _guard(self, where: str, action: Any) -> Any:
        try:
            return action()
        except (zeep.exceptions.Error, requests.RequestException, etree.XMLSyntaxError) as exc:
            raise translate(where, exc) from exc


def _fault(where: str, fault: zeep.exceptions.Fault) -> ExternalSystemError:
    code = str(fault.code or "")
    if code.endswith("Client"):
        return PermanentError(
            f"{where}: SOAP fault {code}: {fault.message}", code="soap_client_fault"
        )
    # soap:Server, or no SOAP fault at all (an error page from a proxy or the ICM).
    return TransientError(f"{where}: SOAP fault {code or '?'}: {fault.message}")


def _status(where: str, status: int, text: str) -> ExternalSystemError:
    if status in (401, 403):
        return PermanentError(
            f"{where}: SAP refused the logon ({status})", code="credentials_refused", status=status
        )
    if 400 <= status < 500 and status != 429:
        return PermanentError(f"{where}: HTTP {status}: {text:.200}", status=status)
    # 5xx, 429, or a 200 whose body is not the SOAP answer it should be.
    return TransientError(f"{where}: HTTP {status}: {text:.200}")


def _http_error(where: str, exc: requests.HTTPError) -> ExternalSystemError:
    status = exc.response.status_code if exc.response is not None else 0
    return _status(where, status, str(exc))


Rule = tuple[
    type[BaseException] | tuple[type[BaseException], ...], Callable[[str, Any], ExternalSystemError]
]
RULES: list[Rule] = [
    (zeep.exceptions.Fault, _fault),
    (zeep.exceptions.TransportError, lambda w, e: _status(w, e.status_code, str(e.message))),
    (requests.HTTPError, _http_error),  # loading the WSDL
    (requests.Timeout, lambda w, e: TransientError(f"{w} timed out ({type(e).__name__})")),
    (
        requests.RequestException,
        lambda w, e: TransientError(f"{w} failed: {type(e).__name__}: {e}"),
    ),
    (
        UNSAFE,
        lambda w, e: PermanentError(
            f"{w}: the answer holds a DTD or entities; refused ({type(e).__name__})",
            code="unsafe_xml",
        ),
    ),
    (
        zeep.exceptions.ValidationError,
        lambda w, e: PermanentError(
            f"{w}: the request does not fit the WSDL: {e}", code="invalid_request"
        ),
    ),
    (BROKEN, lambda w, e: TransientError(f"{w}: a broken answer: {e}")),
    (
        zeep.exceptions.WsdlSyntaxError,
        lambda w, e: PermanentError(f"{w}: not a WSDL zeep can read: {e}"),
    ),
]


def translate(where: str, exc: BaseException) -> ExternalSystemError:
    """zeep's, requests' and lxml's errors in our tree (the first rule that fits)."""
    for kinds, make in RULES:
        if isinstance(exc, kinds):
            return make(where, exc)
    return TransientError(f"{where}: {type(exc).__name__}: {exc}")
