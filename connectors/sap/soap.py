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
from typing import Any

import requests
import zeep
import zeep.exceptions
from lxml import etree
from zeep.helpers import serialize_object
from zeep.transports import Transport

from connectors.sap.config import SapConfig
from dms_domain.errors import PermanentError, TransientError

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


class SapSoap:
    def __init__(self, who: str, config: SapConfig) -> None:
        self.who = who
        self.config = config
        self._lock = threading.Lock()
        self._service: Any = None
        self._session = requests.Session()
        self._session.auth = (config.user, config.password.get_secret_value())
        self._session.params = {"sap-client": config.client}  # type: ignore[assignment]

    def close(self) -> None:
        self._session.close()

    def _proxy(self) -> Any:
        with self._lock:
            if self._service is None:
                transport = Transport(
                    session=self._session,
                    timeout=self.config.wsdl_timeout_seconds,
                    operation_timeout=self.config.timeout_seconds,
                )
                where = f"{self.who}: the WSDL at {self.config.wsdl_location}"
                client = self._guard(
                    where,
                    lambda: zeep.Client(
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
        return serialize_object(answer, dict)

    def _guard(self, where: str, action: Any) -> Any:
        try:
            return action()
        except zeep.exceptions.Fault as fault:
            code = str(fault.code or "")
            if code.endswith("Client"):
                raise PermanentError(
                    f"{where}: SOAP fault {code}: {fault.message}", code="soap_client_fault"
                ) from fault
            # soap:Server, or no SOAP fault at all (an error page from a proxy or the ICM).
            raise TransientError(f"{where}: SOAP fault {code or '?'}: {fault.message}") from fault
        except zeep.exceptions.TransportError as exc:
            status = exc.status_code
            if status in (401, 403):
                raise PermanentError(
                    f"{where}: SAP refused the logon ({status})",
                    code="credentials_refused",
                    status=status,
                ) from exc
            if 400 <= status < 500 and status != 429:
                raise PermanentError(
                    f"{where}: HTTP {status}: {exc.message!s:.200}", status=status
                ) from exc
            # 5xx, 429, or a 200 whose body is not the SOAP answer it should be.
            raise TransientError(f"{where}: HTTP {status}: {exc.message!s:.200}") from exc
        except requests.HTTPError as exc:  # loading the WSDL
            status = exc.response.status_code if exc.response is not None else 0
            if status in (401, 403):
                raise PermanentError(
                    f"{where}: SAP refused the logon ({status})",
                    code="credentials_refused",
                    status=status,
                ) from exc
            raise TransientError(f"{where} failed: HTTP {status}") from exc
        except requests.Timeout as exc:
            raise TransientError(f"{where} timed out ({type(exc).__name__})") from exc
        except requests.RequestException as exc:
            raise TransientError(f"{where} failed: {type(exc).__name__}: {exc}") from exc
        except UNSAFE as exc:
            raise PermanentError(
                f"{where}: the answer holds a DTD or entities; refused ({type(exc).__name__})",
                code="unsafe_xml",
            ) from exc
        except zeep.exceptions.ValidationError as exc:
            raise PermanentError(
                f"{where}: the request does not fit the WSDL: {exc}", code="invalid_request"
            ) from exc
        except BROKEN as exc:
            raise TransientError(f"{where}: a broken answer: {exc}") from exc
        except zeep.exceptions.WsdlSyntaxError as exc:
            raise PermanentError(f"{where}: not a WSDL zeep can read: {exc}") from exc
        except zeep.exceptions.Error as exc:
            raise TransientError(f"{where}: {type(exc).__name__}: {exc}") from exc
