"""The contract every connector passes: pytest tests in a base class.

A connector's test module subclasses ``ConnectorContract`` and provides four
fixtures; pytest then runs every ``test_*`` below against that connector and
its simulator, over the simulator's real protocol::

    class TestMyErp(ConnectorContract):
        @pytest.fixture
        def connector(self, my_simulator) -> Iterator[Connector]:
            ...  # timeout about 0.5 s, page size ConnectorContract.page_size
        @pytest.fixture
        def wrong_credentials_connector(self, my_simulator) -> Iterator[Connector]: ...
        @pytest.fixture
        def control(self, my_simulator) -> ErpControl: ...  # the simulator's control
        @pytest.fixture
        def data(self) -> ContractData: ...  # codes both the ERP and the xref know

Tests of a capability the connector does not declare are skipped (and
``test_undeclared_capabilities_refuse`` checks that it refuses them). Needs
pytest (the ``test`` extra); nothing in the hub imports this module.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar, Protocol

import pytest

from connectors.port import Connector
from dms_domain.errors import (
    BusinessRejection,
    ConfigurationError,
    PermanentError,
    TransientError,
)
from dms_domain.exchange import (
    CancelStatus,
    Capability,
    ErpOrderEvent,
    OrderLineOut,
    OrderOut,
    Page,
    PushResult,
    PushStatus,
    Rejected,
    is_newer,
)


class Fault(StrEnum):
    """What a simulator's control can make its next calls suffer."""

    SERVER_ERROR = "server_error"  # 500
    UNAVAILABLE = "unavailable"  # 503
    TIMEOUT = "timeout"  # no answer within the connector's timeout; nothing done
    SLOW = "slow"  # a late answer, still within the connector's timeout
    MALFORMED_BODY = "malformed_body"  # a body cut off mid-document
    WRONG_CONTENT = "wrong_content"  # a body in another format (an HTML page)
    LOSE_ANSWER = "lose_answer"  # the next write is done, then its answer is lost
    DUPLICATE_RECORDS = "duplicate_records"  # the next pull repeats records
    STALE_READ = "stale_read"  # the next order look-up misses an order that exists


class ErpControl(Protocol):
    """A simulator's test hooks. Orders are named by the hub's order number (the
    ERP's external reference); materials and warehouses by the ERP's codes."""

    def inject_fault(self, fault: str, times: int = 1) -> None: ...

    def clear_faults(self) -> None: ...

    def reject_next_order(self, code: str, message: str) -> None:
        """The next order the ERP checks is refused for this business reason."""
        ...

    def settle(self) -> None:
        """Let the ERP finish what it does after answering (checking received orders)."""
        ...

    def documents(self, order_no: str) -> list[str]:
        """The ERP's document numbers that carry this order number."""
        ...

    def ship(self, order_no: str, lines: Mapping[int, int] | None = None) -> str:
        """Ship {line_no: qty} of the order, or all that is left; the shipment number."""
        ...

    def invoice(self, order_no: str) -> str:
        """Invoice the order; the invoice number."""
        ...

    def set_stock(self, warehouse: str, material: str, qty: int) -> str:
        """Set a stock line; its key, as the connector reports it."""
        ...

    def add_unmappable(self, feed: str) -> str:
        """Add a record the mapping files cannot read to the feed of that capability
        (its value, e.g. "stock"); its key, as the connector reports it."""
        ...


@dataclass(frozen=True)
class ContractData:
    """Master data the ERP and the connector's cross-reference both know."""

    dealer_code: str
    warehouse: str
    materials: Mapping[str, str]  # hub SKU -> the ERP's material code; one or two are used


PULLS: dict[Capability, Callable[[Connector], Callable[[str | None], Page[Any]]]] = {
    Capability.ORDER_EVENTS: lambda c: c.fetch_order_events,
    Capability.SHIPMENTS: lambda c: c.fetch_shipments,
    Capability.STOCK: lambda c: c.fetch_stock,
    Capability.INVOICES: lambda c: c.fetch_invoices,
}
OTHER_PULLS: dict[Capability, Callable[[Connector], Callable[[str | None], Page[Any]]]] = {
    Capability.CREDIT_NOTES: lambda c: c.fetch_credit_notes,
    Capability.PAYMENTS: lambda c: c.fetch_payments,
    Capability.CUSTOMERS: lambda c: c.fetch_customers,
    Capability.PRODUCTS: lambda c: c.fetch_products,
}
TRANSIENT_FAULTS = [
    Fault.SERVER_ERROR,
    Fault.UNAVAILABLE,
    Fault.TIMEOUT,
    Fault.MALFORMED_BODY,
    Fault.WRONG_CONTENT,
]
MAX_PAGES = 500


def new_order_no() -> str:
    return f"CT-{uuid.uuid4().hex[:12].upper()}"


def contract_order(data: ContractData, order_no: str | None = None) -> OrderOut:
    """An order of two units of each of (up to) two of the data's SKUs, at 113.00."""
    lines = tuple(
        OrderLineOut(
            line_no=n,
            sku=sku,
            qty=2,
            unit_price=Decimal("113.0000"),
            amount=Decimal("226.00"),
            tax_rate=Decimal("13"),
            tax_amount=Decimal("26.00"),
            is_gift=False,
        )
        for n, sku in enumerate(list(data.materials)[:2], start=1)
    )
    return OrderOut(
        order_no=order_no or new_order_no(),
        dealer_code=data.dealer_code,
        warehouse=data.warehouse,
        currency="CNY",
        total=sum((line.amount for line in lines), Decimal("0.00")),
        tax_total=sum((line.tax_amount for line in lines), Decimal("0.00")),
        urgent=False,
        created_at=datetime.now(UTC),
        lines=lines,
    )


@dataclass
class Pulled:
    items: list[Any]
    rejected: list[Rejected]
    cursor: str | None
    pages: list[Page[Any]]


def pull_all(fetch: Callable[[str | None], Page[Any]], cursor: str | None) -> Pulled:
    """Every page from ``cursor`` until the connector says there is no more now."""
    pulled = Pulled([], [], cursor, [])
    for _ in range(MAX_PAGES):
        page = fetch(pulled.cursor)
        pulled.pages.append(page)
        pulled.items.extend(page.items)
        pulled.rejected.extend(page.rejected)
        pulled.cursor = page.cursor
        if not page.more:
            return pulled
    raise AssertionError(f"still more records after {MAX_PAGES} pages")


def identity(capability: Capability, record: Any) -> str:
    """What a test made, as the canonical record shows it."""
    if capability is Capability.ORDER_EVENTS:
        return str(record.order_no)
    if capability is Capability.SHIPMENTS:
        return str(record.shipment_no)
    if capability is Capability.INVOICES:
        return str(record.invoice_no)
    return f"{record.warehouse}|{record.sku}"


def first_page(fetch: Callable[[str | None], Page[Any]]) -> Callable[[], object]:
    return lambda: fetch(None)


def require(connector: Connector, capability: Capability) -> None:
    if capability not in connector.capabilities:
        pytest.skip(f"{connector.system} does not declare {capability.value}")


class ConnectorContract:
    """Subclass it in a ``Test...`` class and provide the four fixtures below."""

    page_size: ClassVar[int] = 3  # the page size the ``connector`` fixture must be built with

    # -- fixtures a connector's test module provides ---------------------------------

    @pytest.fixture
    def connector(self) -> Connector:
        raise NotImplementedError(f"{type(self).__name__} must provide the fixture 'connector'")

    @pytest.fixture
    def wrong_credentials_connector(self) -> Connector:
        raise NotImplementedError(
            f"{type(self).__name__} must provide 'wrong_credentials_connector'"
        )

    @pytest.fixture
    def control(self) -> ErpControl:
        raise NotImplementedError(f"{type(self).__name__} must provide the fixture 'control'")

    @pytest.fixture
    def data(self) -> ContractData:
        raise NotImplementedError(f"{type(self).__name__} must provide the fixture 'data'")

    @pytest.fixture(autouse=True)
    def _no_faults_left(self, control: ErpControl) -> Iterator[None]:
        control.clear_faults()
        yield
        control.clear_faults()

    # -- helpers -----------------------------------------------------------------------

    def push(self, connector: Connector, control: ErpControl, data: ContractData) -> OrderOut:
        """A new order, pushed and settled in the ERP."""
        order = contract_order(data)
        connector.push_order(order)
        control.settle()
        return order

    def produce(
        self,
        capability: Capability,
        n: int,
        connector: Connector,
        control: ErpControl,
        data: ContractData,
    ) -> list[str]:
        """Make the ERP report ``n`` new records of that feed; their identities."""
        if capability is Capability.STOCK:
            material = next(iter(data.materials.values()))
            sku = next(iter(data.materials))
            token = uuid.uuid4().hex[:8].upper()
            made = []
            for i in range(n):
                warehouse = f"CT{token}{i}"
                control.set_stock(warehouse, material, 10 + i)
                made.append(f"{warehouse}|{sku}")
            return made
        orders = [self.push(connector, control, data) for _ in range(n)]
        if capability is Capability.ORDER_EVENTS:
            return [order.order_no for order in orders]
        if capability is Capability.SHIPMENTS:
            return [control.ship(order.order_no) for order in orders]
        return [control.invoice(order.order_no) for order in orders]

    # -- idempotent push -------------------------------------------------------------

    def test_push_creates_one_document(
        self, connector: Connector, control: ErpControl, data: ContractData
    ) -> None:
        require(connector, Capability.PUSH_ORDER)
        order = contract_order(data)
        assert connector.find_order(order.order_no) is None

        result = connector.push_order(order)

        assert result.status in (PushStatus.ACCEPTED, PushStatus.PENDING)
        assert result.erp_ref
        assert control.documents(order.order_no) == [result.erp_ref]
        found = connector.find_order(order.order_no)
        assert found is not None
        assert found.erp_ref == result.erp_ref

    def test_pushing_twice_makes_one_document(
        self, connector: Connector, control: ErpControl, data: ContractData
    ) -> None:
        require(connector, Capability.PUSH_ORDER)
        order = contract_order(data)

        first = connector.push_order(order)
        second = connector.push_order(order)

        assert second.erp_ref == first.erp_ref
        assert control.documents(order.order_no) == [first.erp_ref]

    def test_a_push_the_look_up_misses_finds_the_document_anyway(
        self, connector: Connector, control: ErpControl, data: ContractData
    ) -> None:
        require(connector, Capability.PUSH_ORDER)
        order = contract_order(data)
        first = connector.push_order(order)
        # What a second delivery meets when it looks up while the first is creating.
        control.inject_fault(Fault.STALE_READ)

        second = connector.push_order(order)

        assert second.erp_ref == first.erp_ref
        assert control.documents(order.order_no) == [first.erp_ref]

    def test_concurrent_duplicate_pushes_make_one_document(
        self, connector: Connector, control: ErpControl, data: ContractData
    ) -> None:
        require(connector, Capability.PUSH_ORDER)
        order = contract_order(data)

        with ThreadPoolExecutor(max_workers=4) as pool:
            results: list[PushResult] = list(pool.map(connector.push_order, [order] * 4))

        assert {result.erp_ref for result in results} == set(control.documents(order.order_no))
        assert len(control.documents(order.order_no)) == 1

    def test_a_lost_answer_then_a_retry_makes_one_document(
        self, connector: Connector, control: ErpControl, data: ContractData
    ) -> None:
        require(connector, Capability.PUSH_ORDER)
        order = contract_order(data)
        control.inject_fault(Fault.LOSE_ANSWER)

        with pytest.raises(TransientError):
            connector.push_order(order)
        created = control.documents(order.order_no)
        retried = connector.push_order(order)

        assert len(created) == 1, "the lost answer's create must have happened"
        assert retried.erp_ref == created[0]
        assert control.documents(order.order_no) == created

    # -- error classification ---------------------------------------------------------

    @pytest.mark.parametrize("fault", TRANSIENT_FAULTS, ids=str)
    def test_a_broken_push_is_transient_and_a_retry_works(
        self, fault: Fault, connector: Connector, control: ErpControl, data: ContractData
    ) -> None:
        require(connector, Capability.PUSH_ORDER)
        order = contract_order(data)
        control.inject_fault(fault)

        with pytest.raises(TransientError):
            connector.push_order(order)
        result = connector.push_order(order)

        assert control.documents(order.order_no) == [result.erp_ref]

    @pytest.mark.parametrize("fault", TRANSIENT_FAULTS, ids=str)
    def test_a_broken_pull_is_transient_and_a_retry_works(
        self, fault: Fault, connector: Connector, control: ErpControl
    ) -> None:
        declared = [cap for cap in PULLS if cap in connector.capabilities]
        if not declared:
            pytest.skip(f"{connector.system} declares no pulls")
        fetch = PULLS[declared[0]](connector)
        control.inject_fault(fault)

        with pytest.raises(TransientError):
            fetch(None)

        assert fetch(None).cursor is not None

    def test_a_slow_answer_within_the_timeout_is_fine(
        self, connector: Connector, control: ErpControl, data: ContractData
    ) -> None:
        require(connector, Capability.PUSH_ORDER)
        order = contract_order(data)
        control.inject_fault(Fault.SLOW, times=2)

        result = connector.push_order(order)

        assert control.documents(order.order_no) == [result.erp_ref]

    def test_a_business_rejection_keeps_the_reason(
        self, connector: Connector, control: ErpControl, data: ContractData
    ) -> None:
        require(connector, Capability.PUSH_ORDER)
        order = contract_order(data)
        control.reject_next_order("CREDIT_BLOCKED", "customer credit is blocked")

        outcome: PushResult | BusinessRejection
        try:
            outcome = connector.push_order(order)
        except BusinessRejection as rejection:
            outcome = rejection
        if isinstance(outcome, BusinessRejection):
            assert outcome.code == "CREDIT_BLOCKED"
            assert "customer credit is blocked" in outcome.detail
            return
        result = outcome
        # An ERP that checks orders later must say so, then report the rejection.
        assert result.status is PushStatus.PENDING, "a refused order was accepted"
        require(connector, Capability.ORDER_EVENTS)
        control.settle()
        events = pull_all(connector.fetch_order_events, None).items
        rejected = [e for e in events if e.order_no == order.order_no]
        assert [e.event for e in rejected] == [ErpOrderEvent.REJECTED]
        assert "CREDIT_BLOCKED" in (rejected[0].reason or "")

    def test_wrong_credentials_are_permanent(
        self, connector: Connector, wrong_credentials_connector: Connector, data: ContractData
    ) -> None:
        wrong = wrong_credentials_connector
        assert connector.check() == []
        assert wrong.check(), "check() must report refused credentials"
        if Capability.PUSH_ORDER in wrong.capabilities:
            with pytest.raises(PermanentError) as refused:
                wrong.push_order(contract_order(data))
            assert not isinstance(refused.value, BusinessRejection)
        for capability, fetch in PULLS.items():
            if capability in wrong.capabilities:
                with pytest.raises(PermanentError):
                    fetch(wrong)(None)

    # -- cancel ---------------------------------------------------------------------------

    def test_cancel_of_an_open_order(
        self, connector: Connector, control: ErpControl, data: ContractData
    ) -> None:
        require(connector, Capability.CANCEL_ORDER)
        order = contract_order(data)
        pushed = connector.push_order(order)
        control.settle()

        first = connector.cancel_order(order.order_no, pushed.erp_ref, "dealer changed plans")
        again = connector.cancel_order(order.order_no, None, "dealer changed plans")

        assert first.status in (CancelStatus.CANCELLED, CancelStatus.PENDING)
        assert again.status is first.status, "a repeated cancel must answer the same"
        assert control.documents(order.order_no) == [pushed.erp_ref]

    def test_cancel_of_a_shipped_order_is_refused_with_a_reason(
        self, connector: Connector, control: ErpControl, data: ContractData
    ) -> None:
        require(connector, Capability.CANCEL_ORDER)
        order = self.push(connector, control, data)
        control.ship(order.order_no)

        result = connector.cancel_order(order.order_no, None, "too late")

        assert result.status is CancelStatus.REFUSED
        assert result.reason

    # -- pulls ------------------------------------------------------------------------------

    @pytest.mark.parametrize("capability", list(PULLS), ids=str)
    def test_pages_deliver_each_record_once(
        self,
        capability: Capability,
        connector: Connector,
        control: ErpControl,
        data: ContractData,
    ) -> None:
        require(connector, capability)
        fetch = PULLS[capability](connector)
        start = pull_all(fetch, None).cursor
        made = self.produce(capability, 2 * self.page_size + 1, connector, control, data)

        pulled = pull_all(fetch, start)
        again = fetch(pulled.cursor)

        assert pulled.pages[0].more, "more records than a page must say there are more"
        assert all(len(page.items) <= self.page_size for page in pulled.pages)
        cursors = [start] + [page.cursor for page in pulled.pages if page.items]
        assert len(set(cursors)) == len(cursors), f"the cursor must advance: {cursors}"
        counts = Counter(identity(capability, record) for record in pulled.items)
        assert {key: counts[key] for key in made} == dict.fromkeys(made, 1)
        assert pulled.rejected == []
        assert (again.items, again.rejected, again.more) == ([], [], False)
        assert again.cursor == pulled.cursor

    @pytest.mark.parametrize("capability", list(PULLS), ids=str)
    def test_repeated_records_are_delivered_once(
        self,
        capability: Capability,
        connector: Connector,
        control: ErpControl,
        data: ContractData,
    ) -> None:
        require(connector, capability)
        fetch = PULLS[capability](connector)
        start = pull_all(fetch, None).cursor
        made = self.produce(capability, 2, connector, control, data)
        control.inject_fault(Fault.DUPLICATE_RECORDS)

        pulled = pull_all(fetch, start)

        versions = Counter((record.key, record.version) for record in pulled.items)
        assert max(versions.values()) == 1, f"delivered twice: {versions}"
        assert {identity(capability, record) for record in pulled.items} >= set(made)

    @pytest.mark.parametrize("capability", list(PULLS), ids=str)
    def test_inbound_records_are_versioned(
        self,
        capability: Capability,
        connector: Connector,
        control: ErpControl,
        data: ContractData,
    ) -> None:
        require(connector, capability)
        fetch = PULLS[capability](connector)
        start = pull_all(fetch, None).cursor
        self.produce(capability, 2, connector, control, data)

        records = pull_all(fetch, start).items

        assert len(records) >= 2
        for record in records:
            assert record.source == connector.name
            assert isinstance(record.key, str)
            assert record.key
            assert isinstance(record.version, str)
            assert record.version

    def test_a_changed_stock_line_comes_with_a_newer_version(
        self, connector: Connector, control: ErpControl, data: ContractData
    ) -> None:
        require(connector, Capability.STOCK)
        sku, material = next(iter(data.materials.items()))
        warehouse = f"CT{uuid.uuid4().hex[:8].upper()}"
        start = pull_all(connector.fetch_stock, None).cursor
        control.set_stock(warehouse, material, 5)
        first = pull_all(connector.fetch_stock, start)
        control.set_stock(warehouse, material, 7)
        second = pull_all(connector.fetch_stock, first.cursor)

        [before] = [s for s in first.items if (s.warehouse, s.sku) == (warehouse, sku)]
        [after] = [s for s in second.items if (s.warehouse, s.sku) == (warehouse, sku)]
        assert (before.qty_on_hand, after.qty_on_hand) == (5, 7)
        assert after.key == before.key
        assert is_newer(after.version, before.version)

    def test_a_later_order_event_comes_with_a_newer_version(
        self, connector: Connector, control: ErpControl, data: ContractData
    ) -> None:
        require(connector, Capability.ORDER_EVENTS)
        require(connector, Capability.CANCEL_ORDER)
        start = pull_all(connector.fetch_order_events, None).cursor
        order = self.push(connector, control, data)
        connector.cancel_order(order.order_no, None, "changed plans")
        control.settle()

        events = [
            e
            for e in pull_all(connector.fetch_order_events, start).items
            if e.order_no == order.order_no
        ]

        assert [e.event for e in events] == [ErpOrderEvent.CONFIRMED, ErpOrderEvent.CANCELLED]
        assert is_newer(events[1].version, events[0].version)

    @pytest.mark.parametrize("capability", list(PULLS), ids=str)
    def test_an_unmappable_record_is_rejected_and_the_rest_go_on(
        self,
        capability: Capability,
        connector: Connector,
        control: ErpControl,
        data: ContractData,
    ) -> None:
        require(connector, capability)
        fetch = PULLS[capability](connector)
        start = pull_all(fetch, None).cursor
        made = self.produce(capability, 1, connector, control, data)
        bad_key = control.add_unmappable(capability.value)
        made += self.produce(capability, 1, connector, control, data)

        pulled = pull_all(fetch, start)

        [rejected] = pulled.rejected
        assert (rejected.source, rejected.key) == (connector.name, bad_key)
        assert rejected.entity
        assert rejected.reason
        assert set(made) <= {identity(capability, record) for record in pulled.items}
        assert fetch(pulled.cursor).rejected == [], "a rejected record must not come back"

    # -- capabilities -----------------------------------------------------------------

    def test_undeclared_capabilities_refuse(self, connector: Connector, data: ContractData) -> None:
        calls: dict[Capability, Callable[[], object]] = {
            Capability.PUSH_ORDER: lambda: connector.push_order(contract_order(data)),
            Capability.CANCEL_ORDER: lambda: connector.cancel_order(new_order_no(), None, None),
        }
        for capability, fetch in {**PULLS, **OTHER_PULLS}.items():
            calls[capability] = first_page(fetch(connector))
        assert set(calls) == set(Capability), "a capability without a call in the contract"
        for capability, call in calls.items():
            if capability not in connector.capabilities:
                with pytest.raises(ConfigurationError):
                    call()

    def test_declared_pulls_answer(self, connector: Connector) -> None:
        for capability, fetch in {**PULLS, **OTHER_PULLS}.items():
            if capability in connector.capabilities:
                page = fetch(connector)(None)
                assert page.cursor is not None, f"{capability}: a page needs a cursor"
