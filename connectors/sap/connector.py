"""What both SAP modes share: settings, the outbound mapping file, and the
push flow that keeps an order single in SAP.

Push is idempotent: look the hub order number up as the customer PO number,
create if absent, and when SAP refuses the create, look up once more: the
refusal may be SAP's duplicate PO check (another delivery of the same order
created it meanwhile), in which case that document is ours. A lost answer to
a create is a TransientError; the retry's look-up finds the document.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from connectors.base import BaseConnector
from connectors.mapping import CrossReference, load_mapping
from connectors.sap.config import SapConfig
from dms_domain.errors import BusinessRejection, PermanentError, TransientError
from dms_domain.exchange import OrderOut, PushResult, PushStatus


class SapConnector(BaseConnector):
    system: ClassVar[str] = "sap"

    def __init__(
        self, name: str, config: SapConfig, *, mappings_root: Path, xref: CrossReference
    ) -> None:
        super().__init__(name)
        self.config = config
        self._xref = xref
        self._folder = mappings_root / self.system / config.mode
        self._order_out = load_mapping(self._folder / "sales_order.out.yaml")

    @property
    def who(self) -> str:
        return f"{self.name} ({self.system} {self.config.mode})"

    def _map_order(self, order: OrderOut) -> dict[str, Any]:
        return self._map_out(self._order_out, order.as_record(), self._xref, order.order_no)

    # -- what each mode provides ------------------------------------------------------

    def _documents(self, order_no: str) -> set[str]:
        """The SAP documents carrying this hub order number as customer PO number."""
        raise NotImplementedError

    def _lookup(self, body: dict[str, Any]) -> str | None:
        """The SAP document carrying this mapped order's customer PO number."""
        raise NotImplementedError

    def _create(self, body: dict[str, Any]) -> str:
        """Create the document; its number, or BusinessRejection with SAP's message."""
        raise NotImplementedError

    # -- the shared flow ----------------------------------------------------------------------

    def push_order(self, order: OrderOut) -> PushResult:
        body = self._map_order(order)
        existing = self._lookup(body)
        if existing is not None:
            return PushResult(PushStatus.ACCEPTED, existing)
        try:
            created = self._create(body)
        except BusinessRejection:
            again = self._lookup(body)
            if again is not None:
                return PushResult(PushStatus.ACCEPTED, again)
            raise
        return PushResult(PushStatus.ACCEPTED, created)

    def find_order(self, order_no: str) -> PushResult | None:
        found = self._one(self._documents(order_no), order_no)
        return None if found is None else PushResult(PushStatus.ACCEPTED, found)

    def _one(self, documents: set[str], order_no: str) -> str | None:
        if len(documents) > 1:
            raise PermanentError(
                f"{self.who}: {len(documents)} sales documents carry {order_no} as customer PO "
                f"number: {', '.join(sorted(documents))}",
                code="duplicate_documents",
            )
        return next(iter(documents), None)

    def _broken(self, what: str, answer: Any) -> TransientError:
        return TransientError(f"{self.who}: {what} answered {answer!r:.200}")

    def _check_call(self, call: Any) -> list[str]:
        where = f"SAP at {self.config.base_url} ({self.config.mode})"
        try:
            call()
        except TransientError as exc:
            return [f"cannot reach {where}: {exc.detail}"]
        except PermanentError as exc:
            if exc.code == "credentials_refused":
                prefix = f"DMS_CONNECTORS__{self.name.upper()}__"
                return [f"{where} refuses the logon: check {prefix}USER and {prefix}PASSWORD"]
            return [f"{where} refused the health check: {exc.detail}"]
        return []
