"""The connector port: what the sync engine asks of every outside system.

A connector is a small object behind this Protocol; ``connectors.base``
supplies the heavy lifting (transport, retries, error translation) and
connectors are found through the ``dms_hub.connectors`` entry points.

Errors a connector raises, all from ``dms_domain.errors``:
- ``TransientError``: timeouts, 5xx, throttling, broken answers: retry later;
- ``BusinessRejection``: the system refused the document: fail fast, tell a person;
- ``PermanentError``: anything else that retrying cannot fix (401, a 4xx, ...);
- ``ConfigurationError``: the settings or mapping files are wrong.
A record of a page that cannot be read goes into ``Page.rejected``, not an error.

Optional: a connector with ``apply_failed(entity, cursor, failures)`` hears,
after a page was applied, the ``(key, reason)`` of its records the hub could
not apply (staging tables mark those rows failed at the source).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from dms_domain.errors import PermanentError
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


@runtime_checkable
class Connector(Protocol):
    name: str  # this instance's name in the settings, e.g. "sap" or "erp-east"

    # Read-only, so a connector may declare them once on its class (as
    # ``BaseConnector`` subclasses do, with ``ClassVar``) and still be a Connector.
    @property
    def system(self) -> str:
        """The kind of system, e.g. "sap", "kingdee", "generic"."""
        ...

    @property
    def capabilities(self) -> frozenset[Capability]: ...

    def push_order(self, order: OrderOut) -> PushResult:
        """Create the order in the system, idempotently: an order whose
        ``order_no`` is already there is found, not created again."""
        ...

    def find_order(self, order_no: str) -> PushResult | None:
        """The system's document for this hub order, if it has one."""
        ...

    def cancel_order(
        self, order_no: str, erp_ref: str | None, reason: str | None
    ) -> CancelResult: ...

    def fetch_order_events(self, cursor: str | None) -> Page[OrderEventIn]: ...

    def fetch_shipments(self, cursor: str | None) -> Page[ShipmentIn]: ...

    def fetch_stock(self, cursor: str | None) -> Page[StockSnapshotIn]: ...

    def fetch_invoices(self, cursor: str | None) -> Page[InvoiceIn]: ...

    def fetch_credit_notes(self, cursor: str | None) -> Page[CreditNoteIn]: ...

    def fetch_payments(self, cursor: str | None) -> Page[PaymentIn]: ...

    def fetch_customers(self, cursor: str | None) -> Page[CustomerIn]: ...

    def fetch_products(self, cursor: str | None) -> Page[ProductIn]: ...

    def check(self) -> list[str]:
        """Try the connection; what is wrong, in words a person can act on ([] = fine)."""
        ...

    def close(self) -> None: ...


class PushRefused(PermanentError):
    """A message pushed to the hub was not accepted (bad signature, stale
    timestamp, unreadable): ``reason`` in words, ``code`` in the system's terms."""

    code = "push_refused"


@dataclass(frozen=True, slots=True)
class PushedShipments:
    """Shipment confirmations a system pushed, checked and read: its message id
    (for deduplication) and the records, bad ones in ``rejected``."""

    message_id: str
    shipments: Page[ShipmentIn]


@runtime_checkable
class ShipmentPushReceiver(Protocol):
    """A connector whose system pushes shipment confirmations to the hub (a WMS).
    The hub's route hands it what arrived; it checks and reads it, and writes
    the answer its system expects."""

    name: str

    def read_pushed_shipments(self, fields: Mapping[str, str], now: datetime) -> PushedShipments:
        """Check the message (signature, clock) and read it; ``PushRefused`` if not."""
        ...

    def push_answer(self, applied: Sequence[str], failed: Mapping[str, str]) -> dict[str, Any]:
        """The answer for a message taken: the keys applied, and the reasons of the rest."""
        ...

    def push_refusal(self, refusal: PushRefused) -> dict[str, Any]: ...
