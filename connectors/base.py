"""What every connector shares: configuration, unsupported capabilities, and a
JSON-over-HTTP transport that translates foreign errors into ours.

Two retry layers, kept apart (style.md): this module retries a call whose
request never left (connection refused or not established) a few times within
one remote call; everything else is raised as ``TransientError`` and the job
layer (Dramatiq) retries with backoff. A timeout after the request was sent is
never retried here: the remote side may have acted, and only a look-up can tell.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, TypeVar

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from tenacity import (
    retry,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from connectors import correlation
from connectors.mapping import CrossReference, MappingFailure
from connectors.mapping import Mapping as MappingFile
from dms_domain.errors import ConfigurationError, PermanentError, TransientError
from dms_domain.exchange import (
    CancelResult,
    Capability,
    CreditNoteIn,
    CustomerIn,
    InvoiceIn,
    OrderEventIn,
    OrderOut,
    Page,
    PaymentIn,
    ProductIn,
    PushResult,
    ShipmentIn,
    StockSnapshotIn,
)


class ConnectorConfig(BaseModel):
    """Settings every connector has; each connector extends it with its own."""

    model_config = ConfigDict(extra="forbid")

    system: str
    base_url: str | None = None
    timeout_seconds: float = Field(default=10.0, gt=0, le=300)
    page_size: int = Field(default=100, ge=1, le=10_000)
    poll_seconds: dict[str, float] = Field(
        default_factory=dict, description="entity -> seconds between pulls"
    )


ConfigT = TypeVar("ConfigT", bound=ConnectorConfig)


def http_url(value: str) -> str:
    """A base URL setting: http(s), without a trailing slash."""
    if not value.startswith(("http://", "https://")):
        raise ValueError("must start with http:// or https://")
    return value.rstrip("/")


def parse_settings(model: type[ConfigT], name: str, raw: Mapping[str, Any]) -> ConfigT:
    """A connector's settings, or a ConfigurationError naming each bad environment variable."""
    try:
        return model.model_validate(dict(raw))
    except ValidationError as exc:
        prefix = f"DMS_CONNECTORS__{name.upper()}__"
        problems = [
            f"{prefix}{'__'.join(str(part) for part in error['loc']).upper()}: {error['msg']}"
            for error in exc.errors()
        ]
        system = raw.get("system") or model.model_fields["system"].default
        raise ConfigurationError(
            f"connector {name} ({system}): " + "; ".join(problems), problems=problems
        ) from exc


class BaseConnector:
    """Defaults for a connector: every capability it does not declare refuses
    with a ConfigurationError (the engine asks only for declared ones)."""

    system: ClassVar[str] = "base"
    capabilities: ClassVar[frozenset[Capability]] = frozenset()

    def __init__(self, name: str) -> None:
        self.name = name

    def _map_out(
        self, mapping: MappingFile, record: dict[str, Any], xref: CrossReference, order_no: str
    ) -> dict[str, Any]:
        """An order mapped for the system; PermanentError ``mapping_failed`` if it cannot be."""
        try:
            return mapping.apply(record, xref)
        except MappingFailure as failure:
            # The order itself is fine; the hub's data for this system is not (a missing
            # cross-reference, most often): retrying cannot help, a person must.
            raise PermanentError(
                f"{self.name}: order {order_no} cannot be written for {self.system}: "
                f"{failure.detail}",
                code="mapping_failed",
                issues=[issue.as_dict() for issue in failure.issues],
            ) from failure

    def _unsupported(self, capability: Capability) -> ConfigurationError:
        return ConfigurationError(
            f"connector {self.name} ({self.system}) does not support {capability.value}"
        )

    def push_order(self, order: OrderOut) -> PushResult:
        raise self._unsupported(Capability.PUSH_ORDER)

    def find_order(self, order_no: str) -> PushResult | None:
        raise self._unsupported(Capability.PUSH_ORDER)

    def cancel_order(self, order_no: str, erp_ref: str | None, reason: str | None) -> CancelResult:
        raise self._unsupported(Capability.CANCEL_ORDER)

    def fetch_order_events(self, cursor: str | None) -> Page[OrderEventIn]:
        raise self._unsupported(Capability.ORDER_EVENTS)

    def fetch_shipments(self, cursor: str | None) -> Page[ShipmentIn]:
        raise self._unsupported(Capability.SHIPMENTS)

    def fetch_stock(self, cursor: str | None) -> Page[StockSnapshotIn]:
        raise self._unsupported(Capability.STOCK)

    def fetch_invoices(self, cursor: str | None) -> Page[InvoiceIn]:
        raise self._unsupported(Capability.INVOICES)

    def fetch_credit_notes(self, cursor: str | None) -> Page[CreditNoteIn]:
        raise self._unsupported(Capability.CREDIT_NOTES)

    def fetch_payments(self, cursor: str | None) -> Page[PaymentIn]:
        raise self._unsupported(Capability.PAYMENTS)

    def fetch_customers(self, cursor: str | None) -> Page[CustomerIn]:
        raise self._unsupported(Capability.CUSTOMERS)

    def fetch_products(self, cursor: str | None) -> Page[ProductIn]:
        raise self._unsupported(Capability.PRODUCTS)

    def check(self) -> list[str]:
        return []

    def close(self) -> None:
        return None


def _send_correlation_id(request: httpx.Request) -> None:
    correlation_id = correlation.current()
    if correlation_id is not None:
        request.headers.setdefault(correlation.HEADER, correlation_id)


class JsonHttp:
    """JSON over HTTP with our error tree. ``classify`` may be overridden per
    system to read business errors out of a 200 answer (many ERPs do that)."""

    CONNECT_ATTEMPTS = 3

    def __init__(
        self,
        system: str,
        base_url: str,
        *,
        timeout: float,
        headers: dict[str, str] | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.system = system
        self.client = httpx.Client(
            base_url=base_url,
            timeout=httpx.Timeout(timeout),
            headers=headers,
            transport=transport,
            event_hooks={"request": [_send_correlation_id]},
        )

    def close(self) -> None:
        self.client.close()

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._send(method, path, **kwargs)
        return self.decode(response, f"{method} {path}")

    @retry(
        retry=retry_if_exception_type(httpx.ConnectError),
        stop=stop_after_attempt(CONNECT_ATTEMPTS),
        wait=wait_exponential(multiplier=0.1, max=1.0),
        reraise=True,
    )
    def _send_once(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return self.client.request(method, path, **kwargs)

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        what = f"{self.system}: {method} {path}"
        try:
            return self._send_once(method, path, **kwargs)
        except httpx.TimeoutException as exc:
            raise TransientError(f"{what} timed out ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:
            raise TransientError(f"{what} failed: {type(exc).__name__}: {exc}") from exc

    def decode(self, response: httpx.Response, what: str) -> Any:
        status = response.status_code
        where = f"{self.system}: {what}"
        if status == 429 or status >= 500:
            raise TransientError(f"{where} answered {status}: {response.text[:300]}")
        if status in (401, 403):
            raise PermanentError(f"{where} refused our credentials ({status})")
        if status >= 400:
            raise PermanentError(f"{where} answered {status}: {response.text[:300]}")
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise TransientError(
                f"{where} answered {status} with a body that is not JSON: {response.text[:120]!r}"
            ) from exc
